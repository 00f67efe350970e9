"""The one place that decides which participants an account may see.

Counsellors and team leads see the participants of their own organisation; for everyone else
(analysts, admins) personal data is forbidden (403); another organisation's participant does not
exist (404). Every view, API endpoint and sub-resource loads participants through these functions.
"""
from __future__ import annotations

import functools
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import defer

from caseflow.errors import Conflict, Forbidden, NotFound
from caseflow.extensions import db
from caseflow.participants.models import Participant
from caseflow.translation import gettext as _
from caseflow.validation import MAX_ID
from caseflow.vocabulary import CASEWORK_ROLES


def require_casework(actor) -> None:
    """403 for roles that never read personal data."""
    if actor is None or actor.role not in CASEWORK_ROLES:
        raise Forbidden(_("Your role does not give access to personal data of participants."))


def _visible_to(organisation_id):
    """The rule itself: a case worker sees the participants of their own organisation."""
    return Participant.organisation_id == organisation_id


def visible_participants(actor) -> sa.Select:
    """A select of the participants `actor` may see (raises Forbidden for non-casework roles)."""
    require_casework(actor)
    return sa.select(Participant).where(_visible_to(actor.organisation_id))


def participant_ids_by_case_number(actor, numbers: list[str]) -> dict[str, int]:
    """{case number: id} of those of `numbers` (as stored: upper case) that `actor` may see."""
    if not numbers:
        return {}
    return {number: i for number, i in db.session.execute(visible_participants(actor).with_only_columns(
        Participant.case_number, Participant.id).where(Participant.case_number.in_(numbers)))}


def visible_participants_bound() -> sa.Select:
    """visible_participants() for a statement built once per process: the actor's organisation is
    the bound parameter `organisation_id`. Run what is built on it only after require_casework(actor),
    with the actor's organisation_id."""
    return sa.select(Participant).where(_visible_to(sa.bindparam("organisation_id")))


@functools.cache
def _participant_statement(for_update: bool) -> sa.Select:
    """One participant as `visible_participants` finds it, by the bound parameters `organisation_id`
    (the actor's) and `participant_id`: built once per process, as every case file, note and
    record loads its participant this way (issue 19). Without the folded search key, which only
    the searches read (loaded if read): PostgreSQL plans a statement that names it on every run
    (database._planned_for_its_values); without it the statement keeps its cached plan."""
    stmt = (sa.select(Participant).options(defer(Participant.search_key))
            .where(_visible_to(sa.bindparam("organisation_id")), Participant.id == sa.bindparam("participant_id")))
    return stmt.with_for_update() if for_update else stmt


@functools.cache
def _participant_with_statement(columns: tuple[sa.ColumnElement[Any], ...]) -> sa.Select:
    """`_participant_statement(False)` with `columns` (expressions over the participant's row, e.g.
    correlated scalar subqueries) after the participant: built once per process and tuple."""
    return _participant_statement(False).add_columns(*columns)


def get_participant_with(actor, participant_id: int, columns: tuple[sa.ColumnElement[Any], ...], *,
                         writable: bool = False, allow_anonymised: bool = True) -> tuple[Participant, sa.Row[Any]]:
    """`get_participant_for(actor, participant_id, writable=…, allow_anonymised=…)` (without a lock)
    and, in the same statement, the values of `columns` for that participant (a row named by their
    labels): a page that shows the participant with facts computed from its row (the case file's
    summary header) sends one statement instead of two (issue 19). Raises NotFound, Forbidden and
    Conflict as get_participant_for does."""
    row = _load(actor, participant_id, _participant_with_statement(columns), allow_anonymised=allow_anonymised)
    if writable:
        _refuse_restricted(row[0])
    return row[0], row


def _refuse_restricted(participant: Participant) -> None:
    if participant.restricted_at is not None:
        raise Conflict(_("Processing of this case is restricted; it is read-only."), code="restricted")


def _load(actor, participant_id: int, statement: sa.Select, *, allow_anonymised: bool) -> sa.Row[Any]:
    if not isinstance(participant_id, int) or not 1 <= participant_id <= MAX_ID:
        raise NotFound(_("No such participant."))
    require_casework(actor)
    row = db.session.execute(statement, {"organisation_id": actor.organisation_id,
                                         "participant_id": participant_id}).one_or_none()
    if row is None or (row[0].anonymised_at is not None and not allow_anonymised):
        raise NotFound(_("No such participant."))
    return row


def get_participant_for(actor, participant_id: int, *, for_update: bool = False, writable: bool = False,
                        allow_anonymised: bool = True) -> Participant:
    """The participant if `actor` may see it; NotFound otherwise (also for other organisations, and
    for ids no database row can have).

    `writable`: the caller is about to change the case. Restricted (GDPR Art. 18) cases are
    read-only, so they answer 409 here. Views and API endpoints load this way, without a lock; the
    service locks the row inside its unit of work (caseflow/database.py, lock order).
    `for_update` (writable, and locks the row now) is for callers that lock outside a service.
    """
    participant: Participant = _load(actor, participant_id, _participant_statement(for_update),
                                     allow_anonymised=allow_anonymised)[0]
    if for_update or writable:
        _refuse_restricted(participant)
    return participant


def get_record_for(actor, participant_id: int, model, record_id: int, *, for_update: bool = False,
                   writable: bool = False):
    """A note, goal or task of a participant `actor` may see (and change, when `writable`);
    NotFound when either does not exist for `actor`."""
    changing = for_update or writable
    participant = get_participant_for(actor, participant_id, for_update=for_update, writable=writable,
                                      allow_anonymised=not changing)
    return participant, _record_of(participant, model, record_id)


def get_record_with(actor, participant_id: int, model, record_id: int, columns: tuple[sa.ColumnElement[Any], ...],
                    *, writable: bool = False):
    """get_record_for (without a lock), and the values of `columns` selected with the participant's
    row (get_participant_with): (participant, record, row). The correction pages show the case's
    summary header without a statement of their own for it."""
    participant, row = get_participant_with(actor, participant_id, columns, writable=writable,
                                            allow_anonymised=not writable)
    return participant, _record_of(participant, model, record_id), row


def _record_of(participant: Participant, model, record_id: int):
    if not isinstance(record_id, int) or not 1 <= record_id <= MAX_ID:
        raise NotFound(_("No such record."))
    obj = db.session.scalar(sa.select(model).where(model.id == record_id, model.participant_id == participant.id))
    if obj is None:
        raise NotFound(_("No such record."))
    return obj
