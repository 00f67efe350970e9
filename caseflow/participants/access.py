"""The one place that decides which participants an account may see.

Counsellors and team leads see the participants of their own organisation; for everyone else
(analysts, admins) personal data is forbidden (403); another organisation's participant does not
exist (404). Every view, API endpoint and sub-resource loads participants through these functions.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from caseflow.errors import Forbidden, NotFound
from caseflow.extensions import db
from caseflow.participants.models import Participant
from caseflow.vocabulary import CASEWORK_ROLES


def require_casework(actor) -> None:
    """403 for roles that never read personal data."""
    if actor is None or actor.role not in CASEWORK_ROLES:
        raise Forbidden(_("Your role does not give access to personal data of participants."))


def visible_participants(actor) -> sa.Select:
    """A select of the participants `actor` may see (raises Forbidden for non-casework roles)."""
    require_casework(actor)
    return sa.select(Participant).where(Participant.organisation_id == actor.organisation_id)


def get_participant_for(actor, participant_id: int, *, for_update: bool = False,
                        allow_anonymised: bool = True) -> Participant:
    """The participant if `actor` may see it; NotFound otherwise (also for other organisations).

    `for_update` locks the row (PostgreSQL) for a change that must not interleave with another.
    Restricted (GDPR Art. 18) cases are read-only: callers that change data pass for_update=True
    and get a 409 here.
    """
    stmt = visible_participants(actor).where(Participant.id == participant_id)
    if for_update:
        stmt = stmt.with_for_update()
    participant = db.session.scalar(stmt)
    if participant is None or (participant.anonymised_at is not None and not allow_anonymised):
        raise NotFound(_("No such participant."))
    if for_update and participant.restricted_at is not None:
        from caseflow.errors import Conflict
        raise Conflict(_("Processing of this case is restricted; it is read-only."), code="restricted")
    return participant


def get_record_for(actor, participant_id: int, model, record_id: int, *, for_update: bool = False):
    """A note, goal or task of a participant `actor` may see (and change, with `for_update`);
    NotFound when either does not exist for `actor`."""
    participant = get_participant_for(actor, participant_id, for_update=for_update, allow_anonymised=not for_update)
    obj = db.session.scalar(sa.select(model).where(model.id == record_id, model.participant_id == participant.id))
    if obj is None:
        raise NotFound(_("No such record."))
    return participant, obj
