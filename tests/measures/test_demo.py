"""The measures demo step: every type, every status, a waiting list, attendance, valid details,
reproducible from the seed."""
from __future__ import annotations

import random
from datetime import date

import sqlalchemy as sa

from caseflow.database import unit_of_work
from caseflow.demo import DemoContext
from caseflow.extensions import db
from caseflow.measures import demo
from caseflow.measures.details import DetailsContext, clean_details
from caseflow.measures.models import Attendance, AttendanceSession, Employer, Enrolment, Measure
from caseflow.vocabulary import ENROLMENT_STATUSES, MEASURE_TYPES
from tests.factories import ParticipantFactory

TODAY = date(2026, 6, 15)


def _run(org, people, seed=7):
    ctx = DemoContext(rng=random.Random(seed), participants=len(people), today=TODAY, organisations=[org])
    ctx.participant_rows = [{"id": p.id, "organisation_id": org.id, "entry_date": p.entry_date,
                             "counsellor_id": p.counsellor_id, "exit_date": p.exit_date} for p in people]
    with unit_of_work():
        demo.generate(ctx)
    return ctx


def _snapshot():
    measures = db.session.execute(sa.select(Measure.title, Measure.type, Measure.start_date, Measure.capacity)
                                  .order_by(Measure.id)).all()
    enrolments = db.session.execute(sa.select(Enrolment.participant_id, Enrolment.status, Enrolment.start_date,
                                              Enrolment.details).order_by(Enrolment.id)).all()
    attendance = db.session.scalar(sa.select(sa.func.count()).select_from(Attendance))
    return measures, [tuple(map(str, e)) for e in enrolments], attendance


def _wipe():
    with unit_of_work():
        for model in (Attendance, AttendanceSession, Enrolment, Measure, Employer):
            db.session.execute(sa.delete(model))


def test_demo_measures(org, counsellor):
    rng = random.Random(3)
    people = [ParticipantFactory(organisation=org, counsellor_id=counsellor.id,
                                 entry_date=date(2023, 6, 1) + (TODAY - date(2023, 6, 1)) * rng.random() * 0.9)
              for _ in range(120)]
    ctx = _run(org, people)
    types = set(db.session.scalars(sa.select(Measure.type)))
    assert types == set(MEASURE_TYPES)
    statuses = set(db.session.scalars(sa.select(Enrolment.status)))
    assert statuses == set(ENROLMENT_STATUSES)
    assert db.session.scalar(sa.select(sa.func.count()).where(Enrolment.waitlisted_at.is_not(None))) > 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attendance)) > 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Employer)) > 0
    assert len(ctx.extra["enrolment_rows"]) == db.session.scalar(sa.select(sa.func.count()).select_from(Enrolment))
    # Every generated detail passes the same validator as user input.
    for e in db.session.scalars(sa.select(Enrolment)):
        raw = dict(e.details or {})
        if e.host_employer_id:
            raw["host_employer_id"] = e.host_employer_id
        if e.linked_enrolment_id:
            raw["linked_enrolment_id"] = e.linked_enrolment_id
        clean_details(e.measure.type, raw, DetailsContext(organisation_id=org.id, participant_id=e.participant_id,
                                                          today=TODAY))
        assert e.start_date >= next(p.entry_date for p in people if p.id == e.participant_id)
    # Ids handed out by the bulk insert leave room for ordinary inserts afterwards (PostgreSQL sequences).
    from tests.factories import EmployerFactory, EnrolmentFactory, MeasureFactory
    EmployerFactory(organisation=org)
    EnrolmentFactory(participant=people[0], measure=MeasureFactory(organisation=org))
    first = _snapshot()
    _wipe()
    _run(org, people)
    second = _snapshot()
    assert second[0] == first[0][:-1] and second[1] == first[1][:-1] and second[2] == first[2]
