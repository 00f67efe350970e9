"""Issue 20.1: the login lockout holds under a concurrent burst, on both databases.

A live threaded werkzeug server answers real HTTP requests from many threads at once (each with its
own cookie jar and CSRF token, released together by a barrier). Every password check is counted and
slowed down, so that without the atomic slot (throttle.py) most of the burst would be checking at the
same moment — the situation the outside test found (12 wrong passwords gave 8 checks).
"""
from __future__ import annotations

import re
import threading
import time
from collections import Counter

import pytest
import requests
import sqlalchemy as sa
from werkzeug.serving import make_server

from caseflow.accounts import services
from caseflow.accounts.models import LoginThrottle, UserSession
from caseflow.extensions import db
from tests.conftest import PASSWORD

WRONG = "Not-The-Password-000"
CHECK_SECONDS = 0.15  # each check takes this long, so the burst overlaps


@pytest.fixture
def live(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def counted_checks(monkeypatch):
    """Counts the password checks against real accounts' hashes (not the dummy of burn_time)."""
    checks: Counter[str] = Counter()
    lock = threading.Lock()
    real = services.verify_password

    def counting(password_hash: str, password: str) -> bool:
        with lock:
            checks[password] += 1
        time.sleep(CHECK_SECONDS)
        return real(password_hash, password)

    monkeypatch.setattr(services, "verify_password", counting)
    return checks


def _burst(base: str, email: str, passwords: list[str]) -> list[int]:
    """POSTs one login per password, all released at the same moment; answers the status codes."""
    barrier = threading.Barrier(len(passwords))
    results: list[int] = [0] * len(passwords)

    def attempt(i: int, password: str) -> None:
        browser = requests.Session()
        page = browser.get(f"{base}/login", timeout=30).text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        barrier.wait(timeout=30)
        response = browser.post(f"{base}/login", data={"email": email, "password": password, "csrf_token": token},
                                allow_redirects=False, timeout=60)
        results[i] = response.status_code

    threads = [threading.Thread(target=attempt, args=(i, p)) for i, p in enumerate(passwords)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def test_twelve_parallel_wrong_passwords_get_at_most_five_checks(live, counted_checks, counsellor):
    results = _burst(live, counsellor.email, [WRONG] * 12)
    assert counted_checks[WRONG] == 5, counted_checks
    # Seven are refused without a check; of the five checked, those that finish once all five slots
    # are taken already answer "locked" as well.
    assert set(results) <= {401, 429} and results.count(429) >= 8, results
    db.session.expire_all()
    throttle = db.session.scalar(sa.select(LoginThrottle))
    assert throttle.failures == 5 and throttle.locked_until is not None


def test_right_password_in_a_burst_is_refused_once_five_checks_are_taken(live, counted_checks, counsellor):
    # The outside test's second case: 7 wrong and the right one among them. Whatever order the
    # requests reach the database in, at most 5 checks run; the right password is accepted only
    # when it was one of them, and never after the account is locked.
    results = _burst(live, counsellor.email, [WRONG] * 5 + [PASSWORD] + [WRONG] * 2)
    total = counted_checks[WRONG] + counted_checks[PASSWORD]
    assert counted_checks[WRONG] <= 5 and total <= 6, counted_checks
    accepted = results[5] == 302
    assert accepted == (counted_checks[PASSWORD] == 1)
    db.session.expire_all()
    sessions = db.session.scalar(sa.select(sa.func.count()).select_from(UserSession))
    assert sessions == (1 if accepted else 0)
    assert results.count(302) == (1 if accepted else 0)


def test_after_the_burst_the_right_password_waits_for_the_lockout(live, counted_checks, counsellor):
    _burst(live, counsellor.email, [WRONG] * 6)
    before = sum(counted_checks.values())
    results = _burst(live, counsellor.email, [PASSWORD] * 3)
    assert results == [429, 429, 429]
    assert sum(counted_checks.values()) == before  # refused without a check
