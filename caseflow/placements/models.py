"""Outcomes: placements, exits and re-entries, certificates, follow-ups."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.extensions import Model
from caseflow.models_base import TZDateTime, enum_column, utcnow
from caseflow.vocabulary import EXIT_REASONS, FOLLOW_UP_STATUSES, PLACEMENT_TYPES


class Placement(Model):
    __tablename__ = "placements"
    __table_args__ = (
        sa.Index("ix_placements_participant_id_start_date", "participant_id", "start_date"),
        sa.Index("ix_placements_start_date", "start_date"),
        sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name="end_after_start"),
        sa.CheckConstraint("weekly_hours IS NULL OR (weekly_hours >= 1 AND weekly_hours <= 60)",
                           name="weekly_hours_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id", ondelete="CASCADE"))
    enrolment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("enrolments.id", ondelete="SET NULL"),
                                                        index=True, comment="the enrolment that led to it")
    type: Mapped[str] = mapped_column(enum_column("placement_type", PLACEMENT_TYPES))
    employer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("employers.id"), index=True)
    employer_name: Mapped[str | None] = mapped_column(sa.String(200))
    job_title: Mapped[str | None] = mapped_column(sa.String(200))
    occupation: Mapped[str | None] = mapped_column(sa.String(200))
    start_date: Mapped[date] = mapped_column()
    end_date: Mapped[date | None] = mapped_column()
    weekly_hours: Mapped[Decimal | None] = mapped_column(sa.Numeric(4, 1))
    permanent: Mapped[bool | None] = mapped_column(comment="permanent (true) or fixed-term (false)")
    country: Mapped[str] = mapped_column(sa.String(2), default="DE", server_default="DE")
    matches_qualification: Mapped[bool | None] = mapped_column()
    evidence: Mapped[str | None] = mapped_column(
        enum_column("placement_evidence", ("self_reported", "employer_confirmed", "contract_seen")))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}

    employer = relationship("Employer")
    participant = relationship("Participant")
    enrolment = relationship("Enrolment")


class Exit(Model):
    """One exit from the programme; the participant's final exit is the latest without a re-entry after it."""

    __tablename__ = "exits"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    exit_date: Mapped[date] = mapped_column()
    reason: Mapped[str] = mapped_column(enum_column("exit_reason", EXIT_REASONS))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


class ReEntry(Model):
    __tablename__ = "re_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    date: Mapped[date] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


class Certificate(Model):
    """A qualification gained (a formal assessment against set standards)."""

    __tablename__ = "certificates"
    __table_args__ = (sa.Index("ix_certificates_participant_id_date", "participant_id", "date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id", ondelete="CASCADE"))
    date: Mapped[date] = mapped_column()
    title: Mapped[str] = mapped_column(sa.String(200))
    issuing_body: Mapped[str | None] = mapped_column(sa.String(200))
    enrolment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("enrolments.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)

    enrolment = relationship("Enrolment")


class FollowUp(Model):
    __tablename__ = "follow_ups"
    __table_args__ = (sa.Index("ix_follow_ups_participant_id_date", "participant_id", "date", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(enum_column("follow_up_kind", ("four_weeks", "six_months")))
    date: Mapped[date] = mapped_column()
    status: Mapped[str] = mapped_column(enum_column("follow_up_status", FOLLOW_UP_STATUSES),
                                        comment="'unknown' when the person could not be reached")
    improved_situation: Mapped[bool | None] = mapped_column()
    improvement_kind: Mapped[str | None] = mapped_column(
        enum_column("improvement_kind", ("stable_contract", "full_time", "higher_skills", "promotion")))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
