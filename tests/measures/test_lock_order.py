"""The one lock order (docs/architecture.md): a single enrolment and a bulk enrolment into the same
measure, for the same participants, run at the same time many times without a deadlock and without a
lost or doubled enrolment.

Before the lock order was fixed, a single enrolment locked the participant and then the measure while
a bulk enrolment locked the measure and then each participant: on PostgreSQL the two waited for each
other and one was killed with "deadlock detected". To make every round a real race, each thread
pauses briefly after every row lock it takes (an engine event), so that both hold their first lock
when they ask for the second.
"""
from __future__ import annotations

import functools
import threading
import time
from datetime import date

import pytest
import sqlalchemy as sa

from caseflow.accounts.models import User
from caseflow.errors import DomainError
from caseflow.extensions import db
from caseflow.measures import services
from caseflow.measures.models import Enrolment, Measure
from caseflow.participants.access import get_participant_for
from tests.factories import MeasureFactory, ParticipantFactory

ROUNDS = 30


def _pause_after_row_locks(conn, cursor, statement, *args):
    if "FOR UPDATE" in statement:
        time.sleep(0.02)


def _run(app, work):
    """Runs `work()` in an app context (and so a database session) of its own; returns what it
    returned or raised."""
    outcome: dict = {}

    def target():
        with app.app_context():
            try:
                outcome["value"] = work()
            except BaseException as exc:  # noqa: BLE001 (reported to the test)
                outcome["error"] = exc
            finally:
                db.session.remove()
    thread = threading.Thread(target=target)
    thread.start()
    return thread, outcome


DATA = services.EnrolmentInput(start_date=date(2024, 4, 1), status="active")


def _single(start: threading.Barrier, actor_id: int, measure_id: int, participant_id: int):
    """One enrolment, loaded as the page and the API load it (no lock), then the service."""
    actor = db.session.get(User, actor_id)
    participant = get_participant_for(actor, participant_id)
    measure = db.session.get(Measure, measure_id)
    start.wait()
    try:
        return services.enrol_participant(participant, measure, DATA, actor=actor).id
    except DomainError as exc:
        return exc.code


def _bulk(start: threading.Barrier, actor_id: int, measure_id: int, participant_ids: list[int]):
    actor = db.session.get(User, actor_id)
    measure = db.session.get(Measure, measure_id)
    start.wait()
    return [(r.participant_id, r.outcome) for r in services.bulk_enrol(measure, participant_ids, DATA, actor=actor)]


def test_single_and_bulk_enrolment_at_once_never_deadlock(app, dialect, org, counsellor):
    if dialect != "postgresql":
        pytest.skip("row locks (SELECT … FOR UPDATE) exist on PostgreSQL only; SQLite has one writer at a time")
    engine = db.engine
    sa.event.listen(engine, "after_cursor_execute", _pause_after_row_locks)
    try:
        for round_ in range(ROUNDS):
            measure = MeasureFactory(organisation=org, type="coaching", capacity=2, start_date=date(2024, 1, 1))
            people = [ParticipantFactory(organisation=org, counsellor_id=counsellor.id) for _ in range(3)]
            single_one = people[round_ % 3]
            ids = [p.id for p in people]
            start = threading.Barrier(2)
            single = functools.partial(_single, start, counsellor.id, measure.id, single_one.id)
            bulk = functools.partial(_bulk, start, counsellor.id, measure.id, list(reversed(ids)))
            runs = [_run(app, single), _run(app, bulk)]
            for thread, _ in runs:
                thread.join(30)
            (_, single_result), (_, bulk_result) = runs
            assert "error" not in single_result, f"round {round_}: {single_result.get('error')!r}"
            assert "error" not in bulk_result, f"round {round_}: {bulk_result.get('error')!r}"

            # every participant holds exactly one enrolment in the measure: none lost, none doubled
            held = dict(db.session.execute(
                sa.select(Enrolment.participant_id, sa.func.count()).where(Enrolment.measure_id == measure.id)
                .group_by(Enrolment.participant_id)).all())
            assert held == {pid: 1 for pid in ids}, f"round {round_}: {held}"
            # the single enrolment either made it, or found the bulk's (409 already_enrolled)
            bulk_outcome = dict(bulk_result["value"])[single_one.id]
            if isinstance(single_result["value"], int):
                assert bulk_outcome == "refused"
            else:
                assert single_result["value"] == "already_enrolled" and bulk_outcome != "refused"
            # the capacity held: two places, the third one waits
            waiting = db.session.scalar(sa.select(sa.func.count()).select_from(Enrolment).where(
                Enrolment.measure_id == measure.id, Enrolment.waitlisted_at.is_not(None)))
            assert (services.places_taken(measure.id), waiting) == (2, 1)
    finally:
        sa.event.remove(engine, "after_cursor_execute", _pause_after_row_locks)
