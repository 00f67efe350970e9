"""The measure catalogue, enrolments, attendance and the employer directory."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.extensions import Model
from caseflow.measures.vocabulary import COMPANY_SIZES, NACE_SECTIONS
from caseflow.models_base import TZDateTime, enum_column, utcnow
from caseflow.vocabulary import ENROLMENT_STATUSES, MEASURE_TYPES, UNFINISHED_ENROLMENT_STATUSES


class Employer(Model):
    __tablename__ = "employers"
    __table_args__ = (sa.Index("ix_employers_organisation_id_name", "organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    name: Mapped[str] = mapped_column(sa.String(200))
    nace_section: Mapped[str | None] = mapped_column(enum_column("nace_section", NACE_SECTIONS, 1))
    size: Mapped[str | None] = mapped_column(enum_column("company_size", COMPANY_SIZES, 6))
    district: Mapped[str | None] = mapped_column(sa.String(60))
    contact_person: Mapped[str | None] = mapped_column(sa.String(200), comment="personal data")
    contact_phone: Mapped[str | None] = mapped_column(sa.String(40))
    contact_email: Mapped[str | None] = mapped_column(sa.String(254))
    notes: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}

    organisation = relationship("Organisation")


class Measure(Model):
    __tablename__ = "measures"
    __table_args__ = (
        sa.Index("ix_measures_organisation_id_active", "organisation_id", "active"),
        sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name="end_after_start"),
        sa.CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"),
                                                 comment="the providing organisation")
    title: Mapped[str] = mapped_column(sa.String(200))
    type: Mapped[str] = mapped_column(enum_column("measure_type", MEASURE_TYPES))
    start_date: Mapped[date] = mapped_column()
    end_date: Mapped[date | None] = mapped_column()
    capacity: Mapped[int | None] = mapped_column(comment="places; NULL = unlimited")
    location: Mapped[str | None] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.Text)
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}

    organisation = relationship("Organisation")


class Enrolment(Model):
    __tablename__ = "enrolments"
    __table_args__ = (
        # One unfinished enrolment per participant and measure, enforced by the database too.
        sa.Index("uq_enrolments_unfinished", "participant_id", "measure_id", unique=True,
                 postgresql_where=sa.text("status IN ('planned', 'active')"),
                 sqlite_where=sa.text("status IN ('planned', 'active')")),
        sa.Index("ix_enrolments_measure_id_status", "measure_id", "status"),
        sa.Index("ix_enrolments_participant_id", "participant_id"),
        sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name="end_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id", ondelete="CASCADE"))
    measure_id: Mapped[int] = mapped_column(sa.ForeignKey("measures.id"))
    status: Mapped[str] = mapped_column(enum_column("enrolment_status", ENROLMENT_STATUSES))
    start_date: Mapped[date | None] = mapped_column()
    end_date: Mapped[date | None] = mapped_column()
    dropout_reason: Mapped[str | None] = mapped_column(sa.String(500))
    waitlisted_at: Mapped[datetime | None] = mapped_column(
        TZDateTime, comment="set while on the waiting list of a full measure; orders the list")
    details: Mapped[dict[str, Any] | None] = mapped_column(
        sa.JSON, comment="the measure type's own details, validated per type")
    host_employer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("employers.id"),
                                                            comment="trainee partnership host company")
    linked_enrolment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("enrolments.id"), comment="adaptation qualification: the recognition counselling it follows")
    attendance_alerted_at: Mapped[datetime | None] = mapped_column(
        TZDateTime, comment="set when the low-attendance task was created; cleared when the rate recovers")
    minutes: Mapped[int | None] = mapped_column(
        comment="participation recorded on the enrolment itself (outside sessions and notes), in minutes")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}

    measure = relationship("Measure")
    participant = relationship("Participant")

    @property
    def unfinished(self) -> bool:
        return self.status in UNFINISHED_ENROLMENT_STATUSES


class AttendanceSession(Model):
    __tablename__ = "attendance_sessions"
    __table_args__ = (sa.UniqueConstraint("measure_id", "date", name="measure_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[int] = mapped_column(sa.ForeignKey("measures.id", ondelete="CASCADE"))
    date: Mapped[date] = mapped_column()
    topic: Mapped[str | None] = mapped_column(sa.String(200))
    minutes: Mapped[int | None] = mapped_column(
        comment="the session's duration; everyone present is credited with it")


class Attendance(Model):
    __tablename__ = "attendances"
    __table_args__ = (sa.UniqueConstraint("session_id", "enrolment_id", name="session_enrolment"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("attendance_sessions.id", ondelete="CASCADE"))
    enrolment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrolments.id", ondelete="CASCADE"), index=True)
    present: Mapped[bool] = mapped_column()
