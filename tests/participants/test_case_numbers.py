"""Case numbers stay unique when two counsellors register at the same moment."""
from __future__ import annotations

import re
import threading

import sqlalchemy as sa

from caseflow.database import unit_of_work
from caseflow.extensions import db
from caseflow.participants.case_numbers import next_case_number
from caseflow.participants.models import CaseNumberCounter, Participant
from tests.participants.conftest import service_data


def test_first_number_of_a_year_creates_the_counter():
    with unit_of_work():
        assert next_case_number(2031) == "CF-2031-000001"
        assert next_case_number(2031) == "CF-2031-000002"
        assert next_case_number(2032) == "CF-2032-000001"
    assert db.session.get(CaseNumberCounter, 2031).last_value == 2


def test_concurrent_registrations_get_different_numbers(app, counsellor):
    from caseflow.accounts.models import User
    from caseflow.participants.services import register_participant

    counsellor_id = counsellor.id
    workers = 4
    barrier = threading.Barrier(workers)
    numbers, failures = [], []

    def register(n: int) -> None:
        try:
            with app.app_context():
                actor = db.session.get(User, counsellor_id)
                data = service_data(first_name=f"Parallel{n}", date_of_birth=f"19{80 + n}-02-02",
                                    confirm_not_duplicate=True)
                barrier.wait(timeout=10)
                numbers.append(register_participant(data, actor=actor).case_number)
                db.session.remove()
        except Exception as exc:  # reported below: a thread cannot fail the test itself
            failures.append(repr(exc))

    threads = [threading.Thread(target=register, args=(n,)) for n in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert failures == []
    assert len(numbers) == workers and len(set(numbers)) == workers
    assert all(re.fullmatch(r"CF-\d{4}-\d{6}", n) for n in numbers)
    stored = db.session.scalars(sa.select(Participant.case_number)).all()
    assert sorted(stored) == sorted(numbers)
    assert sorted(int(n[-6:]) for n in numbers) == list(range(1, workers + 1))
