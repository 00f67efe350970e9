"""What the measures domain adds to the caseload (participants/queries.py): each participant's current
measure and the filter by measure. Registered from create_app, so that participants, the lower
domain, never imports measures."""
from __future__ import annotations

import functools

import sqlalchemy as sa

from caseflow.database import plain_rows
from caseflow.measures.models import Enrolment, Measure
from caseflow.participants.models import Participant
from caseflow.participants.queries import CaseloadMeasures, register_caseload_measures
from caseflow.vocabulary import UNFINISHED_ENROLMENT_STATUSES


def current_measure_title():
    """The title of the participant's latest active enrolment's measure (correlated to Participant)."""
    return (sa.select(Measure.title).join(Enrolment, Enrolment.measure_id == Measure.id)
            .where(Enrolment.participant_id == Participant.id, Enrolment.status == "active")
            .order_by(Enrolment.start_date.desc(), Enrolment.id.desc()).limit(1)
            .correlate(Participant).scalar_subquery())


def enrolled_in(measure_id: int):
    """The participant has a planned or active enrolment in the measure."""
    return sa.exists().where(Enrolment.participant_id == Participant.id, Enrolment.measure_id == measure_id,
                             Enrolment.status.in_(UNFINISHED_ENROLMENT_STATUSES))


@functools.cache
def _measure_choices_statement() -> sa.Select:
    """Built once per process (bound parameter `organisation_id`): every caseload page offers the
    filter (issue 19)."""
    return (sa.select(Measure.id, Measure.title)
            .where(Measure.organisation_id == sa.bindparam("organisation_id"), Measure.active)
            .order_by(Measure.title).limit(500))


def caseload_measure_choices(organisation_id: int) -> list[tuple[int, str]]:
    """(id, title) of the organisation's active measures, by title."""
    return [(r.id, r.title) for r in plain_rows(_measure_choices_statement(), {"organisation_id": organisation_id})]


def register() -> None:
    register_caseload_measures(CaseloadMeasures(current_title=current_measure_title, enrolled_in=enrolled_in,
                                                choices=caseload_measure_choices,
                                                choices_statement=_measure_choices_statement))
