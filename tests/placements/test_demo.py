"""The outcomes demo step: consistent with the dates, the status history and the rules."""
import random
from datetime import date, timedelta

import sqlalchemy as sa

from caseflow.database import unit_of_work
from caseflow.demo import DemoContext
from caseflow.extensions import db
from caseflow.measures.models import Enrolment
from caseflow.participants.models import Participant, StatusChange, Task
from caseflow.placements import demo
from caseflow.placements.models import Exit, FollowUp, Placement, ReEntry
from tests.factories import EnrolmentFactory, MeasureFactory, ParticipantFactory

TODAY = date(2026, 11, 1)


def build(org, counsellor, n=150):
    measure = MeasureFactory(organisation=org, type="language_course", start_date=date(2023, 1, 1),
                             end_date=date(2027, 1, 1))
    rows, enrolment_rows = [], []
    rng = random.Random(4)
    for i in range(n):
        entry = TODAY - timedelta(days=rng.randint(10, 1000))
        p = ParticipantFactory(organisation=org, counsellor=counsellor, entry_date=entry,
                               labour_status_at_entry=rng.choice(("unemployed", "employed", "inactive")))
        rows.append({"id": p.id, "organisation_id": org.id, "entry_date": entry, "counsellor_id": counsellor.id})
        if i % 2:
            e = EnrolmentFactory(participant=p, measure=measure, status="active", start_date=entry + timedelta(days=5))
            enrolment_rows.append({"id": e.id, "participant_id": p.id, "measure_id": measure.id,
                                   "measure_type": "language_course", "status": "active",
                                   "start_date": e.start_date, "end_date": None})
        elif i % 3 == 0:
            e = EnrolmentFactory(participant=p, measure=measure, status="completed", start_date=entry,
                                 end_date=TODAY - timedelta(days=1))
            enrolment_rows.append({"id": e.id, "participant_id": p.id, "measure_id": measure.id,
                                   "measure_type": "language_course", "status": "completed",
                                   "start_date": e.start_date, "end_date": e.end_date})
    ctx = DemoContext(rng=random.Random(7), participants=n, today=TODAY, organisations=[org],
                      counsellors={org.id: [counsellor.id]}, participant_rows=rows,
                      extra={"enrolment_rows": enrolment_rows})
    with unit_of_work():
        demo.generate(ctx)
    return rows


def test_demo_outcomes_are_consistent(org, counsellor):
    build(org, counsellor)
    people = db.session.scalars(sa.select(Participant)).all()
    exited = [p for p in people if p.status == "exited"]
    older = [p for p in people if p.entry_date <= TODAY - timedelta(days=120)]
    assert 0.35 * len(older) <= len(exited) <= 0.8 * len(older)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Placement)) > 10
    exits = db.session.execute(sa.select(Exit.participant_id, sa.func.max(Exit.exit_date))
                               .group_by(Exit.participant_id)).all()
    last_exit = dict(exits)
    for p in people:
        assert (p.status == "exited") == (p.exit_date is not None)
        if p.exit_date:
            assert last_exit[p.id] == p.exit_date and p.entry_date <= p.exit_date < TODAY
            kinds = db.session.scalars(sa.select(Task.kind).where(Task.participant_id == p.id)).all()
            assert sorted(kinds) == ["four_week_check", "six_month_follow_up"]
            open_ones = db.session.scalar(sa.select(sa.func.count()).select_from(Enrolment).where(
                Enrolment.participant_id == p.id, Enrolment.status.in_(("planned", "active"))))
            assert open_ones == 0
    for f in db.session.scalars(sa.select(FollowUp)):
        p = db.session.get(Participant, f.participant_id)
        assert p.exit_date is not None and p.exit_date <= f.date <= TODAY
    for r in db.session.scalars(sa.select(ReEntry)):
        first = db.session.scalar(sa.select(sa.func.min(Exit.exit_date)).where(Exit.participant_id == r.participant_id))
        assert first <= r.date
    # every placement of a status-changing type added its status change on its start date
    for pl in db.session.scalars(sa.select(Placement)):
        assert pl.start_date >= db.session.get(Participant, pl.participant_id).entry_date
        changes = db.session.execute(sa.select(StatusChange.date, StatusChange.status)
                                     .where(StatusChange.placement_id == pl.id, StatusChange.source == "placement")).all()
        expected = {"internship": []}.get(pl.type, [(pl.start_date, "self_employed" if pl.type == "self_employment"
                                                     else "employed")])
        assert [tuple(c) for c in changes] == expected



def test_records_after_the_demo_get_fresh_ids(org, counsellor):
    """The demo writes placement ids itself; on PostgreSQL the id sequence must have moved on."""
    from caseflow.placements import services
    build(org, counsellor, n=30)
    person = db.session.scalars(sa.select(Participant).order_by(Participant.id)).first()
    before = db.session.scalar(sa.select(sa.func.max(Placement.id))) or 0
    placement = services.record_placement(person, {"type": "employment", "employer_name": "Nach der Demo GmbH",
                                                   "start_date": person.entry_date}, actor=counsellor)
    assert placement.id > before


def test_no_enrolment_runs_past_the_exit(org, counsellor):
    build(org, counsellor, n=60)
    late = db.session.scalar(sa.select(sa.func.count()).select_from(Enrolment)
                             .join(Participant, Participant.id == Enrolment.participant_id)
                             .where(Participant.exit_date.is_not(None), Enrolment.end_date > Participant.exit_date))
    assert late == 0
