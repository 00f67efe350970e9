"""Who may see and manage measures, enrolments and employers: the one place that decides.

- Measures carry no personal data. Counsellors and team leads see their own organisation's
  measures; analysts and admins see every organisation's. Team leads manage their organisation's
  measures, admins every measure.
- Enrolments are case data: they are visible exactly when their participant is, so they are loaded
  through participants.access.get_participant_for (another organisation's → 404, analysts and
  admins → 403).
- Employers (with a contact person) are casework data of one organisation.

Partnership sharing (issue 17): counsellors enrol into their own organisation's measures here; an
enrolment into a partner organisation's measure (under an accepted referral or a data-sharing
agreement) goes through caseflow/partnerships/sharing.py, and the provider reaches it only there,
with the data packet: a partner's participants are left off the measure's own lists.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from caseflow.errors import Forbidden, NotFound
from caseflow.extensions import db
from caseflow.measures.models import Employer, Enrolment, Measure
from caseflow.participants.access import get_participant_for, get_participant_with, require_casework
from caseflow.participants.models import Participant
from caseflow.translation import gettext as _
from caseflow.vocabulary import CASEWORK_ROLES

MANAGER_ROLES = ("team_lead", "admin")


def visible_measures(actor) -> sa.Select:
    stmt = sa.select(Measure)
    if actor.role in CASEWORK_ROLES:
        stmt = stmt.where(Measure.organisation_id == actor.organisation_id)
    elif actor.role not in ("analyst", "admin"):
        raise Forbidden()
    return stmt


def get_measure_for(actor, measure_id: int, *, for_update: bool = False) -> Measure:
    """The measure if `actor` may see it; NotFound otherwise (also another organisation's)."""
    stmt = visible_measures(actor).where(Measure.id == measure_id)
    if for_update:
        stmt = stmt.with_for_update()
    measure = db.session.scalar(stmt)
    if measure is None:
        raise NotFound(_("No such measure."))
    return measure


def may_manage_measures(actor) -> bool:
    return actor.role in MANAGER_ROLES


def may_manage_measure(actor, measure: Measure) -> bool:
    return actor.role == "admin" or (actor.role == "team_lead" and measure.organisation_id == actor.organisation_id)


def require_measure_manager(actor, measure: Measure | None = None) -> None:
    if measure is None and not may_manage_measures(actor):
        raise Forbidden(_("Only team leads and administrators manage measures."))
    if measure is not None and not may_manage_measure(actor, measure):
        raise Forbidden(_("Only the team lead of the providing organisation or an administrator "
                          "may change this measure."))


def may_work_with_measure(actor, measure: Measure) -> bool:
    """Enrol, record attendance: the providing organisation's caseworkers."""
    return actor.role in CASEWORK_ROLES and measure.organisation_id == actor.organisation_id


def get_enrolment_for(actor, enrolment_id: int, *, for_update: bool = False) -> Enrolment:
    """The enrolment if `actor` may see its participant: 403 for analysts and admins, 404 for
    another organisation's or no such enrolment. `for_update` also refuses restricted cases (409)."""
    enrolment = _enrolment(actor, enrolment_id, for_update=for_update)
    with _no_such_enrolment():
        get_participant_for(actor, enrolment.participant_id, for_update=for_update)
    return enrolment


def get_enrolment_with(actor, enrolment_id: int, columns: tuple[sa.ColumnElement[Any], ...]
                       ) -> tuple[Enrolment, Participant, sa.Row[Any]]:
    """get_enrolment_for (for reading), with its participant and the values of `columns` selected
    with the participant's row (participants.access.get_participant_with): the enrolment's page
    shows the case's summary header without loading the participant a second time."""
    enrolment = _enrolment(actor, enrolment_id, for_update=False)
    with _no_such_enrolment():
        participant, row = get_participant_with(actor, enrolment.participant_id, columns)
    return enrolment, participant, row


def _enrolment(actor, enrolment_id: int, *, for_update: bool) -> Enrolment:
    require_casework(actor)
    stmt = sa.select(Enrolment).where(Enrolment.id == enrolment_id)
    if for_update:
        stmt = stmt.with_for_update()
    enrolment = db.session.scalar(stmt)
    if enrolment is None:
        raise NotFound(_("No such enrolment."))
    return enrolment


@contextmanager
def _no_such_enrolment() -> Iterator[None]:
    """Another organisation's case answers as a missing enrolment, not as a missing participant."""
    try:
        yield
    except NotFound:
        raise NotFound(_("No such enrolment.")) from None


def visible_employers(actor) -> sa.Select:
    require_casework(actor)
    return sa.select(Employer).where(Employer.organisation_id == actor.organisation_id)


def get_employer_for(actor, employer_id: int) -> Employer:
    employer = db.session.scalar(visible_employers(actor).where(Employer.id == employer_id))
    if employer is None:
        raise NotFound(_("No such employer."))
    return employer
