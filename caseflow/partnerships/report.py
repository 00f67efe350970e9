"""The partnership's ESF+ report (issue 17, item 5): which cases belong to it, which of them are one
person, and who may run it. The figures are reports/queries.py's (esf_indicators with `people`).

Decisions (docs/esf-indicators.md, "A partnership's report"):
- The partnership's cases: the participants of the organisations that were members of the
  partnership on at least one day of the report's period.
- One person: cases linked by accepted referrals (the referring case and the case the partner
  opened), followed along chains (A refers to B, B refers on to C); the person's key is the first
  case of the chain. Two cases of one person that no accepted referral links (both organisations
  registered the person on their own) stay two: the match hashes only say "may know", which is no
  ground for counting.
- Who: analysts and administrators for any partnership; a coordinator (the role `coordinator`,
  linked to partnerships in partnership_coordinators) for their own partnerships only (another
  partnership: 404); counsellors and team leads report on their own organisation (403 here).
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from caseflow.audit.services import record
from caseflow.database import transactional
from caseflow.errors import DomainError, Forbidden, NotFound
from caseflow.extensions import db
from caseflow.participants.models import Participant
from caseflow.partnerships.models import Partnership, PartnershipCoordinator, PartnershipMembership, Referral
from caseflow.translation import gettext as _
from caseflow.validation import MAX_ID


def linked_cases(partnership_id: int, date_from: date, date_to: date) -> sa.Select:
    """(pid, root) for every case of the partnership's members in the period, `root` the first
    case of its chain of accepted referrals within those cases (a recursive CTE)."""
    members = sa.select(PartnershipMembership.organisation_id).where(
        PartnershipMembership.partnership_id == partnership_id, PartnershipMembership.joined_on <= date_to,
        sa.or_(PartnershipMembership.left_on.is_(None), PartnershipMembership.left_on >= date_from))
    in_scope = sa.select(Participant.id).where(Participant.organisation_id.in_(members))
    opened_from_scope = sa.select(Referral.accepted_participant_id).where(
        Referral.status == "accepted", Referral.accepted_participant_id.is_not(None),
        Referral.participant_id.in_(in_scope))
    chain = (sa.select(Participant.id.label("pid"), Participant.id.label("root"))
             .where(Participant.organisation_id.in_(members), Participant.id.not_in(opened_from_scope))
             .cte("linked_cases", recursive=True))
    step = (sa.select(Referral.accepted_participant_id.label("pid"), chain.c.root)
            .join(chain, chain.c.pid == Referral.participant_id)
            .where(Referral.status == "accepted", Referral.accepted_participant_id.in_(in_scope)))
    chain = chain.union_all(step)
    return sa.select(chain.c.pid, chain.c.root)


def coordinated_partnership_ids(actor) -> list[int]:
    return list(db.session.scalars(sa.select(PartnershipCoordinator.partnership_id).where(
        PartnershipCoordinator.user_id == actor.id).order_by(PartnershipCoordinator.partnership_id)))


def resolve_partnership(partnership_id: int | None, *, actor) -> int | None:
    """The partnership a report covers, judged for the actor: a coordinator always one of theirs
    (default: the first); analysts and admins any existing one, or None. Raises Forbidden
    (casework roles), NotFound (no such partnership, or not the coordinator's)."""
    if actor.role == "coordinator":
        mine = coordinated_partnership_ids(actor)
        if partnership_id is None:
            if not mine:
                raise Forbidden(_("Your account coordinates no partnership."))
            return mine[0]
        if partnership_id not in mine:
            raise NotFound(_("No such partnership."))
        return partnership_id
    if partnership_id is None:
        return None
    if actor.role not in ("analyst", "admin"):
        raise Forbidden(_("Only analysts, administrators and the partnership's coordinators see the "
                          "partnership's report."))
    if not 1 <= partnership_id <= MAX_ID or db.session.get(Partnership, partnership_id) is None:
        raise NotFound(_("No such partnership."))
    return partnership_id


def partnership_choices(actor) -> list[tuple[int, str]]:
    stmt = sa.select(Partnership.id, Partnership.name).order_by(Partnership.name)
    if actor.role == "coordinator":
        stmt = stmt.where(Partnership.id.in_(coordinated_partnership_ids(actor)))
    elif actor.role not in ("analyst", "admin"):
        return []
    return [(i, n) for i, n in db.session.execute(stmt)]


@transactional
def add_coordinator(partnership_id: int, user, *, actor=None) -> PartnershipCoordinator:
    """Links an account of the role `coordinator` to a partnership (admins; None: the command line).
    Raises Forbidden, NotFound, DomainError."""
    if actor is not None and actor.role != "admin":
        raise Forbidden(_("Only administrators may do this."))
    if db.session.get(Partnership, partnership_id) is None:
        raise NotFound(_("No such partnership."))
    if user is None or user.role != "coordinator":
        raise DomainError.field("user_id", _("Choose an account of the role partnership coordinator."))
    link = db.session.scalar(sa.select(PartnershipCoordinator).where(
        PartnershipCoordinator.partnership_id == partnership_id, PartnershipCoordinator.user_id == user.id))
    if link is None:
        link = PartnershipCoordinator(partnership_id=partnership_id, user_id=user.id)
        db.session.add(link)
        db.session.flush()
        record("partnership.coordinator_add", actor=actor, object_type="partnership", object_id=partnership_id,
               changes={"user_id": [None, user.id]})
    return link
