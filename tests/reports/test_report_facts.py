"""report_facts (issue 19) always equals the plain query over the histories (facts.fact_select), and
report_placements the plain query over the placements and participants (facts.placement_fact_select):
after random operations through the services, including Core writes (an import and its undo,
anonymisation), deletions, restrictions, reassignments and refused operations; and a failed unit of
work leaves them as they were."""
from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from caseflow.database import unit_of_work
from caseflow.errors import Conflict, DomainError, NotFound
from caseflow.extensions import db
from caseflow.imports import services as imports
from caseflow.measures import services as measures
from caseflow.participants import services as participants
from caseflow.participants.models import Participant, StatusChange
from caseflow.placements import services as placements
from caseflow.placements.models import Certificate, FollowUp, Placement
from caseflow.privacy import services as privacy
from caseflow.privacy.services import anonymise_participant
from caseflow.reports import facts
from caseflow.reports import queries as q
from caseflow.reports.models import ReportDay, ReportFacts, ReportPlacement
from tests.factories import MeasureFactory, ParticipantFactory
from tests.imports.conftest import person, run, xlsx
from tests.imports.test_import import full_history

BOOLEAN = ("qualified", "placed_exit", "status_in_window", "four_week_follow_up", "six_month_follow_up")
STATUSES = ("employed", "self_employed", "unemployed", "inactive", "education_or_training")
TYPES = ("employment", "marginal_employment", "self_employment", "apprenticeship", "internship")


def _normal(row) -> tuple:
    values = dict(row._mapping)
    for name in BOOLEAN:
        values[name] = bool(values[name])
    if values["follow_up_improved"] is not None:
        values["follow_up_improved"] = bool(values["follow_up_improved"])
    return tuple(values[c] for c in ("participant_id", *facts.FACT_COLUMNS))


def stored() -> list[tuple]:
    t = ReportFacts.__table__
    return [_normal(r) for r in db.session.execute(
        sa.select(t.c.participant_id, *[t.c[c] for c in facts.FACT_COLUMNS]).order_by(t.c.participant_id))]


def computed() -> list[tuple]:
    sub = facts.fact_select().subquery()
    return [_normal(r) for r in db.session.execute(sa.select(sub).order_by(sub.c.participant_id))]


def _placement_row(row) -> tuple:
    values = dict(row._mapping)
    values["restricted"] = bool(values["restricted"])
    return tuple(values[c] for c in facts.PLACEMENT_FACT_COLUMNS)


def stored_placements() -> list[tuple]:
    t = ReportPlacement.__table__
    return [_placement_row(r) for r in db.session.execute(
        sa.select(*[t.c[c] for c in facts.PLACEMENT_FACT_COLUMNS]).order_by(t.c.placement_id))]


def computed_placements() -> list[tuple]:
    sub = facts.placement_fact_select().subquery()
    return [_placement_row(r) for r in db.session.execute(sa.select(sub).order_by(sub.c.placement_id))]


def stored_days() -> list[tuple]:
    """report_days without the days whose differences added up to 0."""
    t = ReportDay.__table__
    return sorted((o, d, m, int(n)) for o, d, m, n in db.session.execute(
        sa.select(t.c.organisation_id, t.c.day, t.c.metric, t.c.n).where(t.c.n != 0)))


def counted_days() -> list[tuple]:
    """What report_days must hold, counted from the participants and placements themselves:
    entries, final exits and placement starts per organisation and day, restricted cases left out."""
    P = Participant
    open_case = P.restricted_at.is_(None)
    entered = sa.select(P.organisation_id, P.entry_date, sa.literal("entered"), sa.func.count()).where(
        open_case).group_by(P.organisation_id, P.entry_date)
    exited = sa.select(P.organisation_id, P.exit_date, sa.literal("exited"), sa.func.count()).where(
        open_case, P.status == "exited", P.exit_date.is_not(None)).group_by(P.organisation_id, P.exit_date)
    started = (sa.select(P.organisation_id, Placement.start_date, Placement.type, sa.func.count())
               .join(P, P.id == Placement.participant_id).where(open_case)
               .group_by(P.organisation_id, Placement.start_date, Placement.type))
    return sorted((o, d, str(m), int(n)) for stmt in (entered, exited, started) for o, d, m, n in db.session.execute(stmt))


def assert_facts_equal_the_plain_query() -> None:
    db.session.rollback()   # read what was committed, as the next request would
    days = counted_days()
    assert days and stored_days() == days
    everyone = db.session.scalars(sa.select(Participant.id).order_by(Participant.id)).all()
    table, plain = stored(), computed()
    assert [r[0] for r in plain] == everyone
    assert table == plain
    every_placement = db.session.scalars(sa.select(Placement.id).order_by(Placement.id)).all()
    table, plain = stored_placements(), computed_placements()
    assert [r[0] for r in plain] == every_placement
    assert table == plain


def test_facts_equal_the_plain_query_after_random_operations(org, counsellor, team_lead):
    rng = random.Random(19)
    today = date.today()
    measure = MeasureFactory(organisation=org, title="Jobmatching Neukölln", start_date=today - timedelta(days=900),
                             end_date=None)
    people = [ParticipantFactory(organisation=org, counsellor_id=counsellor.id,
                                 entry_date=today - timedelta(days=rng.randint(200, 800)))
              for _ in range(6)]
    ids = [p.id for p in people]
    # an import of a whole history, then one of a participant of whom only the master data is known
    batch = run(xlsx(full_history()), team_lead, dry_run=False, accept_duplicates=True)
    assert batch.status == "imported", (batch.errors, batch.counts, batch.duplicates)
    run(xlsx({"participants": [person("P-2", first_name="Yusuf", last_name="Nasser", date_of_birth=date(1985, 2, 3))]}),
        team_lead, dry_run=False)
    factory_made = list(ids)
    ids += db.session.scalars(sa.select(Participant.id).where(Participant.id.not_in(ids)).order_by(Participant.id)).all()
    assert_facts_equal_the_plain_query()
    # the undo of an import deletes its case with everything through Core deletes: the row goes too
    undone = run(xlsx(full_history(ext="P-3", first_name="Lina", last_name="Saleh", date_of_birth=date(1995, 1, 9))),
                 team_lead, dry_run=False, accept_duplicates=True)
    assert undone.status == "imported" and db.session.scalar(sa.select(sa.func.count()).select_from(ReportFacts)) == 9
    imports.undo_batch(undone, actor=team_lead)
    assert_facts_equal_the_plain_query()

    def some_day(p: Participant) -> date:
        return p.entry_date + timedelta(days=rng.randint(0, (today - p.entry_date).days))

    def step(op: str, p: Participant) -> str:
        if op == "status":
            participants.add_status_change(p, date_=some_day(p), status=rng.choice(STATUSES), actor=counsellor)
        elif op == "placement":
            placements.record_placement(p, {"type": rng.choice(TYPES), "employer_name": "Holzwerk Berlin GmbH",
                                            "start_date": some_day(p)}, actor=counsellor)
        elif op == "edit_placement":
            placement = db.session.scalars(sa.select(Placement).where(Placement.participant_id == p.id)
                                           .order_by(Placement.id).limit(1)).first()
            if placement is None:
                return "nothing"
            placements.update_placement(placement, p, {"type": rng.choice(TYPES), "start_date": some_day(p)},
                                        version=placement.version, actor=counsellor)
        elif op == "restrict":   # restricted cases leave every report; lifting brings them back
            if p.restricted_at is None:
                privacy.restrict_processing(p.id, "Widerspruch", actor=team_lead)
            else:
                privacy.lift_restriction(p.id, actor=team_lead)
        elif op == "reassign":
            participants.reassign_participant(p, counsellor_id=rng.choice((counsellor.id, None)), actor=team_lead)
        elif op == "certificate":
            placements.record_certificate(p, {"date": some_day(p), "title": "Deutsch B2"}, actor=counsellor)
        elif op == "follow_up":
            start = p.exit_date or p.entry_date   # before an exit: refused, which must change nothing
            day = start + timedelta(days=rng.randint(0, max(0, (today - start).days)))
            placements.record_follow_up(p, {"kind": rng.choice(("six_months", "four_weeks")), "date": day,
                                            "status": rng.choice(STATUSES + ("unknown",))}, actor=counsellor)
        elif op == "exit":
            placements.exit_participant(p, exit_date=some_day(p), reason="completed", actor=team_lead)
        elif op == "re_entry":
            start = p.exit_date or p.entry_date
            placements.re_enter_participant(p, re_entry_date=start + timedelta(days=rng.randint(1, 30)),
                                            actor=counsellor)
        elif op == "enrol":
            measures.enrol_participant(p, measure, measures.EnrolmentInput(
                start_date=some_day(p), status="active", minutes=rng.choice((None, 60, 600))), actor=counsellor)
        elif op == "session":
            session = measures.add_session(measure, session_date=today - timedelta(days=rng.randint(0, 400)),
                                           topic="Bewerbung", minutes=rng.choice((None, 90, 180)), actor=counsellor)
            roster = [e.id for e in db.session.scalars(measures.session_roster(session))]
            measures.record_attendance(session, {e: rng.random() < 0.7 for e in roster}, actor=counsellor)
            if rng.random() < 0.5:   # a session's duration changes everyone's minutes who was present
                measures.record_attendance(session, {}, actor=counsellor, minutes=rng.choice((None, 240)))
            if rng.random() < 0.3:   # and its deletion takes their attendances along (ON DELETE CASCADE)
                with unit_of_work():
                    db.session.delete(session)
        elif op == "note":
            participants.add_note(p, {"date": some_day(p), "kind": "meeting", "text": "Coaching",
                                      "minutes": rng.choice((15, 45))}, actor=counsellor)
        elif op == "delete_record":
            with unit_of_work():
                row = db.session.scalars(sa.select(rng.choice((FollowUp, Certificate, StatusChange, Placement)))
                                         .where(sa.literal_column("participant_id") == p.id).limit(1)).first()
                if row is not None:
                    db.session.delete(row)
        elif op == "anonymise" and rng.random() < 0.5:   # again: idempotent; imported cases too
            anonymise_participant(p.id, "retention", actor=team_lead)
        else:
            return "nothing"
        return op

    done: Counter[str] = Counter()
    for _ in range(150):
        op = rng.choice(("status", "status", "placement", "placement", "certificate", "follow_up", "follow_up",
                         "exit", "exit", "re_entry", "enrol", "enrol", "session", "session", "note", "delete_record",
                         "anonymise", "edit_placement", "edit_placement", "restrict", "reassign"))
        # a restricted case is read-only: the other operations pick among the others
        open_ids = ids if op == "restrict" else db.session.scalars(
            sa.select(Participant.id).where(Participant.id.in_(ids), Participant.restricted_at.is_(None))
            .order_by(Participant.id)).all()
        # in id order: the random choices must not depend on the order a plan happens to return
        exited = db.session.scalars(sa.select(Participant.id).where(Participant.id.in_(open_ids),
                                                                    Participant.status == "exited")
                                    .order_by(Participant.id)).all()
        p = db.session.get(Participant, rng.choice(exited if op == "follow_up" and exited else open_ids))
        if p is None:
            continue
        try:
            done[step(op, p)] += 1
        except (DomainError, Conflict, NotFound):
            db.session.rollback()
    assert min(done.values()) >= 2 and len(done) == 15, done   # every kind of operation succeeded
    assert_facts_equal_the_plain_query()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReportFacts).where(ReportFacts.minutes > 0))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReportFacts)
                             .where(ReportFacts.leaving_status.is_not(None)))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReportPlacement)
                             .where(ReportPlacement.measure_types > 0))

    # anonymising again changes nothing of the participant's, and must leave the facts alone too
    # (anonymisation walks every table linked to the participant, report_facts included)
    if db.session.get(Participant, factory_made[0]).restricted_at is not None:
        privacy.lift_restriction(factory_made[0], actor=team_lead)
    anonymise_participant(factory_made[0], "retention", actor=team_lead)
    anonymise_participant(factory_made[0], "retention", actor=team_lead)
    assert_facts_equal_the_plain_query()


def test_a_failed_unit_of_work_leaves_the_facts_as_they_were(org, counsellor, team_lead):
    p = ParticipantFactory(organisation=org, counsellor_id=counsellor.id, entry_date=date.today() - timedelta(days=100))
    placements.exit_participant(p, exit_date=date.today() - timedelta(days=50), reason="completed", actor=team_lead)
    before = stored()
    with pytest.raises(RuntimeError), unit_of_work():
        placements.record_certificate(p, {"date": date.today() - timedelta(days=60), "title": "Deutsch B2"},
                                      actor=counsellor)
        participants.add_status_change(p, date_=date.today() - timedelta(days=40), status="employed", actor=counsellor)
        facts.bring_up_to_date(db.session)   # the facts were rewritten inside the unit ...
        assert stored() != before
        raise RuntimeError("the unit fails")
    assert stored() == before                 # ... and rolled back with it
    assert_facts_equal_the_plain_query()
    # the next unit of work does not refresh with names the failed one left behind
    participants.add_status_change(p, date_=date.today() - timedelta(days=30), status="unemployed", actor=counsellor)
    assert_facts_equal_the_plain_query()


def test_a_report_read_inside_a_unit_of_work_sees_its_changes(org, counsellor, team_lead):
    p = ParticipantFactory(organisation=org, counsellor_id=counsellor.id, entry_date=date(2024, 1, 1),
                           labour_status_at_entry="unemployed", unemployed_since=date(2023, 1, 1))
    with unit_of_work():
        placements.exit_participant(p, exit_date=date(2024, 6, 30), reason="completed", actor=team_lead)
        placements.record_placement(p, {"type": "employment", "employer_name": "Holzwerk Berlin GmbH",
                                        "start_date": date(2024, 7, 1)}, actor=counsellor)
        figures = q.esf_indicators(date(2024, 1, 1), date(2024, 12, 31), rule="eu", organisation_id=org.id)
        assert figures["results"]["employed_upon_leaving"]["total"] == 1


def _participant_locks(statements) -> int:
    return sum(1 for s in statements if "FOR UPDATE" in s and "FROM participants" in s)


def test_a_note_locks_its_participant_once_and_the_refresh_locks_the_others(org, counsellor, count_queries):
    """The refresh does not lock again what its unit of work has locked (a note: one statement
    fewer, issue 19), but still locks every other participant it recomputes (PostgreSQL; SQLite
    takes no row locks)."""
    first, second = (ParticipantFactory(organisation=org, counsellor_id=counsellor.id) for _ in range(2))
    db.session.commit()
    locks = 1 if db.session.get_bind().dialect.name == "postgresql" else 0
    with count_queries() as counted:
        participants.add_note(first, {"date": date.today(), "kind": "meeting", "text": "Gespräch", "minutes": 30},
                              actor=counsellor)
    assert _participant_locks(counted.statements) == locks
    with count_queries() as counted, unit_of_work():
        participants.add_note(first, {"date": date.today(), "kind": "phone", "text": "Anruf"}, actor=counsellor)
        facts.touch(db.session, [second.id])
    assert _participant_locks(counted.statements) == 2 * locks      # the note's, then the refresh's of `second`
    assert_facts_equal_the_plain_query()


def test_demo_data_leaves_the_facts_filled():
    from caseflow.demo import generate
    generate(participants=60, seed=19, today=date.today())
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReportFacts)) == 60
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReportFacts).where(ReportFacts.placed_exit))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReportPlacement))
    assert_facts_equal_the_plain_query()
