"""The audit trail: every change of case data, every login event, every opening of a case file."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from caseflow.extensions import Model
from caseflow.models_base import TZDateTime, utcnow


class AuditEntry(Model):
    __tablename__ = "audit_entries"
    __table_args__ = (
        sa.Index("ix_audit_entries_participant_id_at", "participant_id", "at"),
        sa.Index("ix_audit_entries_organisation_id_at", "organisation_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id", ondelete="SET NULL"),
        comment="whose team lead may read this entry")
    action: Mapped[str] = mapped_column(sa.String(64), comment="e.g. participant.create, login.failure, case.view")
    object_type: Mapped[str | None] = mapped_column(sa.String(64))
    object_id: Mapped[int | None] = mapped_column()
    participant_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("participants.id", ondelete="SET NULL"),
        comment="the case this entry concerns, for the access log and anonymisation")
    address: Mapped[str | None] = mapped_column(sa.String(45), comment="client IP address")
    changes: Mapped[dict[str, Any] | None] = mapped_column(
        sa.JSON, comment="{field: [old, new]} of a change; never passwords or tokens")
