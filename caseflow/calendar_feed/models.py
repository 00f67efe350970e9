"""Each account's private calendar feed and the appointments planned ahead in a case."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from caseflow.extensions import Model
from caseflow.models_base import TZDateTime, enum_column, utcnow
from caseflow.vocabulary import NOTE_KINDS


class CalendarFeed(Model):
    """The secret address of an account's .ics feed, kept only as a SHA-256 digest; renewing it
    replaces the digest, so the old address stops working."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, comment="SHA-256 of the token in the address")
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(TZDateTime)


class Appointment(Model):
    """A contact planned ahead (a meeting note to come). When it has taken place the counsellor
    records it as a progress note, which links it here."""

    __tablename__ = "appointments"
    __table_args__ = (sa.Index("ix_appointments_owner_id_starts_at", "owner_id", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), comment="the counsellor meeting the person")
    kind: Mapped[str] = mapped_column(enum_column("note_kind", NOTE_KINDS), default="meeting")
    starts_at: Mapped[datetime] = mapped_column(TZDateTime)
    minutes: Mapped[int] = mapped_column(default=60)
    status: Mapped[str] = mapped_column(enum_column("appointment_status", ("planned", "held", "cancelled")),
                                        default="planned")
    note_id: Mapped[int | None] = mapped_column(sa.ForeignKey("notes.id", ondelete="SET NULL"),
                                                comment="the progress note recording the meeting once held")
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}
