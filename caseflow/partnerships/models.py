"""Partnerships of organisations (with dated memberships), referrals between partners, and the
keyed match hashes that let partners learn that another partner may know a person."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from caseflow.extensions import Model
from caseflow.models_base import TZDateTime, enum_column, utcnow

REFERRAL_STATUS_CODES = ("pending", "accepted", "declined", "withdrawn")


class Partnership(Model):
    __tablename__ = "partnerships"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}


class PartnershipMembership(Model):
    """An organisation belongs to a partnership from `joined_on` until `left_on` (inclusive; NULL:
    still a member). An organisation may belong to several partnerships over time."""
    __tablename__ = "partnership_memberships"
    __table_args__ = (sa.Index("ix_partnership_memberships_organisation_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(sa.ForeignKey("partnerships.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    joined_on: Mapped[date] = mapped_column()
    left_on: Mapped[date | None] = mapped_column(comment="last day of membership; NULL while a member")


class Referral(Model):
    """A counsellor's referral of a participant to a partner organisation. The data packet is not
    copied: the partner reads it from the referring case while the referral is pending and the
    partner_sharing consent is live, so a withdrawal hides it at once."""
    __tablename__ = "referrals"
    __table_args__ = (
        sa.Index("ix_referrals_to_organisation_id_status", "to_organisation_id", "status"),
        sa.Index("ix_referrals_from_organisation_id_status", "from_organisation_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(sa.ForeignKey("partnerships.id"))
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id", ondelete="CASCADE"), index=True,
                                                comment="the referring organisation's case")
    from_organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    to_organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    measure_id: Mapped[int | None] = mapped_column(sa.ForeignKey("measures.id"), comment="a measure of the partner")
    reason: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[str] = mapped_column(enum_column("referral_status", REFERRAL_STATUS_CODES, 10), default="pending")
    decline_reason: Mapped[str | None] = mapped_column(sa.String(500))
    referred_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    accepted_participant_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("participants.id", ondelete="SET NULL"), index=True,
        comment="the case the partner opened on acceptance (linked to participant_id)")
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}


class MatchHash(Model):
    """HMAC (PSEUDONYM_KEY, per partnership) of a folded name part and the birth date of a
    participant: equal hashes across organisations say "a partner may know this person" without any
    readable name leaving the organisation."""
    __tablename__ = "partnership_match_hashes"
    __table_args__ = (sa.Index("ix_partnership_match_hashes_partnership_id_hash", "partnership_id", "hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(sa.ForeignKey("partnerships.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(sa.ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    hash: Mapped[str] = mapped_column(sa.String(64))


class DataSharingAgreement(Model):
    """A data-sharing agreement between two organisations (GDPR Art. 26/28), recorded by an
    administrator or a team lead of one of them: from `valid_from` until `valid_until` (inclusive;
    NULL: open-ended). While it holds, a counsellor of either may enrol a consenting participant
    directly into the other's measures (besides an accepted referral). Stored as an ordered pair."""
    __tablename__ = "data_sharing_agreements"
    __table_args__ = (
        sa.CheckConstraint("organisation_a_id < organisation_b_id", name="ordered_pair"),
        sa.CheckConstraint("valid_until IS NULL OR valid_until >= valid_from", name="until_after_from"),
        sa.Index("ix_data_sharing_agreements_organisation_a_id_organisation_b_id",
                 "organisation_a_id", "organisation_b_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_a_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"),
                                                   comment="the lower organisation id of the pair")
    organisation_b_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"))
    valid_from: Mapped[date] = mapped_column()
    valid_until: Mapped[date | None] = mapped_column(comment="last day of the agreement; NULL: open-ended")
    reference: Mapped[str] = mapped_column(sa.String(200), comment="the agreement's file reference or title")
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)


class PartnershipCoordinator(Model):
    """An account of the role `coordinator` coordinates a partnership: it runs the partnership's
    ESF+ report (linked cases counted once) and nothing else; it never reads personal data."""
    __tablename__ = "partnership_coordinators"
    __table_args__ = (sa.UniqueConstraint("partnership_id", "user_id", name="partnership_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(sa.ForeignKey("partnerships.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
