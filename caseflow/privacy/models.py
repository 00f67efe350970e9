"""Consent records (GDPR Art. 6/7/9)."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from caseflow.extensions import Model
from caseflow.models_base import TZDateTime, enum_column, utcnow

CONSENT_PURPOSES = ("case_management", "special_categories", "partner_sharing", "funder_reporting")
CONSENT_FORMS = ("written", "oral_witnessed")


class Consent(Model):
    __tablename__ = "consents"
    __table_args__ = (sa.Index("ix_consents_participant_id_purpose", "participant_id", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(enum_column("consent_purpose", CONSENT_PURPOSES))
    given_on: Mapped[date] = mapped_column()
    form: Mapped[str] = mapped_column(enum_column("consent_form", CONSENT_FORMS))
    witness: Mapped[str | None] = mapped_column(sa.String(200), comment="for oral consent")
    notice_version: Mapped[str] = mapped_column(sa.String(40))
    notice_language: Mapped[str] = mapped_column(sa.String(3))
    withdrawn_on: Mapped[date | None] = mapped_column()
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
