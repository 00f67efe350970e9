"""Demo participants: realistic, complete, reproducible from the seed."""
from __future__ import annotations

import random
from datetime import date

import sqlalchemy as sa

from caseflow.accounts.models import User
from caseflow.database import unit_of_work
from caseflow.demo import DemoContext, generate
from caseflow.extensions import db
from caseflow.participants import demo
from caseflow.participants.models import Note, Participant, StatusChange, Task
from caseflow.participants.names import search_terms


def test_demo_data_is_complete_and_gives_aylin_a_caseload():
    today = date(2026, 11, 22)
    ctx = generate(participants=90, seed=7, today=today)
    assert len(ctx.participant_rows) == 90
    row = ctx.participant_rows[0]
    for key in ("id", "organisation_id", "counsellor_id", "entry_date", "exit_date", "labour_status_at_entry",
                "gender", "date_of_birth"):
        assert key in row
    aylin = db.session.scalar(sa.select(User).where(User.email == "aylin.demir@kiezwerk.example"))
    mine = db.session.scalars(sa.select(Participant).where(Participant.counsellor_id == aylin.id)).all()
    assert len(mine) >= 10
    p = mine[0]
    assert all(term in p.search_key for term in search_terms(f"{p.first_name} {p.last_name} {p.case_number}"))
    assert p.age_at_entry >= 16 and p.date_of_birth < p.entry_date <= today
    entry = db.session.scalar(sa.select(StatusChange).where(StatusChange.participant_id == p.id,
                                                            StatusChange.source == "entry"))
    assert entry.date == p.entry_date and entry.status == p.labour_status_at_entry
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Note)) >= 90
    open_tasks = db.session.scalar(sa.select(sa.func.count()).where(Task.assignee_id == aylin.id, Task.done_at.is_(None)))
    assert open_tasks >= 1
    numbers = db.session.scalars(sa.select(Participant.case_number)).all()
    assert len(set(numbers)) == len(numbers)
    # Registering after the demo data works (ids and case numbers continue after the demo's).
    from caseflow.participants.services import register_participant
    from tests.participants.conftest import service_data
    new = register_participant(service_data(confirm_not_duplicate=True), actor=aylin)
    assert new.id > max(r["id"] for r in ctx.participant_rows) and new.case_number not in numbers


def test_same_seed_gives_the_same_people(org, counsellor):
    def run():
        ctx = DemoContext(rng=random.Random(11), participants=25, today=date(2026, 11, 22),
                          organisations=[org], counsellors={org.id: [counsellor.id]})
        with unit_of_work():
            demo.generate(ctx)
        ids = [r["id"] for r in ctx.participant_rows]
        return [tuple(r) for r in db.session.execute(
            sa.select(Participant.first_name, Participant.last_name, Participant.date_of_birth, Participant.gender,
                      Participant.nationality, Participant.entry_date).where(Participant.id.in_(ids))
            .order_by(Participant.id))]

    assert run() == run()
