"""Read-only selects of the outcomes domain: the organisation's placement list and its filters."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from caseflow.i18n import format_day
from caseflow.measures.models import Enrolment, Measure
from caseflow.participants.models import Participant
from caseflow.placements.models import Placement


@dataclass
class PlacementFilters:
    """Placements of the organisation whose START date lies in [date_from, date_to] (both included),
    narrowed by type, the measure of the enrolment that led to it, the participant's counsellor and
    the employer."""

    date_from: date | None = None
    date_to: date | None = None
    type: str | None = None
    measure_id: int | None = None
    counsellor_id: int | None = None
    employer_id: int | None = None


def organisation_placements(organisation_id: int, filters: PlacementFilters | None = None) -> sa.Select:
    """A select of Placement rows with participant, counsellor, employer and measure loaded eagerly
    (one query for any number of rows), newest start first."""
    f = filters or PlacementFilters()
    stmt = (sa.select(Placement)
            .join(Participant, Participant.id == Placement.participant_id)
            .where(Participant.organisation_id == organisation_id)
            .options(joinedload(Placement.participant).joinedload(Participant.counsellor),
                     joinedload(Placement.employer),
                     joinedload(Placement.enrolment).joinedload(Enrolment.measure))
            .order_by(Placement.start_date.desc(), Placement.id.desc()))
    if f.date_from:
        stmt = stmt.where(Placement.start_date >= f.date_from)
    if f.date_to:
        stmt = stmt.where(Placement.start_date <= f.date_to)
    if f.type:
        stmt = stmt.where(Placement.type == f.type)
    if f.counsellor_id:
        stmt = stmt.where(Participant.counsellor_id == f.counsellor_id)
    if f.employer_id:
        stmt = stmt.where(Placement.employer_id == f.employer_id)
    if f.measure_id:
        stmt = stmt.where(Placement.enrolment_id.in_(
            sa.select(Enrolment.id).where(Enrolment.measure_id == f.measure_id)))
    return stmt


def placements_after_measure(measure_id: int, limit: int = 50) -> list:
    """[(placement, participant)] recorded as following an enrolment in this measure, newest first
    (the measure page shows them; registered with measures.queries at start-up)."""
    from caseflow.extensions import db
    return list(db.session.execute(
        sa.select(Placement, Participant)
        .join(Enrolment, Enrolment.id == Placement.enrolment_id)
        .join(Participant, Participant.id == Placement.participant_id)
        .join(Measure, Measure.id == Enrolment.measure_id)
        # a partner organisation's participants (issue 17) are not the provider's to see here
        .where(Enrolment.measure_id == measure_id, Participant.organisation_id == Measure.organisation_id)
        .order_by(Placement.start_date.desc(), Placement.id.desc()).limit(limit)).tuples())


def measure_choices(organisation_id: int) -> list[tuple[int, str]]:
    """The organisation's own measures and any measure that led to one of its placements."""
    from caseflow.extensions import db
    led = (sa.select(Enrolment.measure_id)
           .join(Placement, Placement.enrolment_id == Enrolment.id)
           .join(Participant, Participant.id == Placement.participant_id)
           .where(Participant.organisation_id == organisation_id))
    return [(r.id, r.title) for r in db.session.execute(
        sa.select(Measure.id, Measure.title).where(sa.or_(Measure.organisation_id == organisation_id,
                                                          Measure.id.in_(led)))
        .order_by(Measure.title, Measure.id))]


def enrolment_choices(participant_id: int) -> list[tuple[int, str]]:
    """(id, "measure (start)") of the participant's enrolments, newest first, for the forms that
    link a placement or certificate to the enrolment that led to it."""
    from caseflow.extensions import db
    rows = db.session.scalars(sa.select(Enrolment).where(Enrolment.participant_id == participant_id)
                              .options(joinedload(Enrolment.measure))
                              .order_by(Enrolment.start_date.desc(), Enrolment.id.desc())).all()
    return [(e.id, f"{e.measure.title} ({format_day(e.start_date) if e.start_date else '—'})") for e in rows]
