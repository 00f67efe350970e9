"""`jobs run`: every due job once, even when started twice at the same moment; each run recorded
(last run, duration, outcome); a failed job does not stop the others; the admin page."""
from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from caseflow import jobs
from caseflow.accounts.models import UserSession
from caseflow.database import unit_of_work
from caseflow.extensions import db
from caseflow.jobs.models import JobRun, JobState
from caseflow.jobs.runner import run_due
from caseflow.models_base import utcnow


@pytest.fixture
def fake_jobs(app, monkeypatch):
    """Replaces the registered jobs by slow counting ones (restored after the test)."""
    calls: dict[str, int] = {}
    lock = threading.Lock()

    def slow(name):
        def run(now):
            with lock:
                calls[name] = calls.get(name, 0) + 1
            time.sleep(0.4)
            return f"{name} done"
        return run

    reg = jobs.registry(app)
    monkeypatch.setattr(reg, "jobs", {name: jobs.Job(name, jobs.every(60), slow(name)) for name in ("alpha", "beta")})
    return calls


def _run_in_thread(app, barrier, out):
    with app.app_context():
        barrier.wait()
        out.append(run_due())


def test_started_twice_at_the_same_moment_each_job_runs_once(app, fake_jobs):
    barrier, results = threading.Barrier(2), []
    threads = [threading.Thread(target=_run_in_thread, args=(app, barrier, results)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert fake_jobs == {"alpha": 1, "beta": 1}
    assert sorted(r.name for batch in results for r in batch) == ["alpha", "beta"]
    runs = db.session.scalars(sa.select(JobRun.name).order_by(JobRun.name)).all()
    assert runs == ["alpha", "beta"]
    # And right afterwards nothing is due any more.
    assert run_due() == []
    assert fake_jobs == {"alpha": 1, "beta": 1}


def test_each_run_records_last_run_duration_and_outcome(app, monkeypatch):
    def broken(now):
        raise RuntimeError("the mail server refused Zzyzx Quolmbrecht <zzyzx@example.org>")

    reg = jobs.registry(app)
    monkeypatch.setattr(reg, "jobs", {"ok": jobs.Job("ok", jobs.every(60), lambda now: "3 things"),
                                      "bad": jobs.Job("bad", jobs.every(60), broken)})
    seen = []
    monkeypatch.setattr(reg, "listeners", [lambda name, outcome, seconds: seen.append((name, outcome))])
    results = {r.name: r for r in run_due()}
    assert results["ok"].outcome == "ok" and results["bad"].outcome == "failed"
    states = {s.name: s for s in db.session.scalars(sa.select(JobState))}
    assert states["ok"].last_outcome == "ok" and states["ok"].last_message == "3 things"
    assert states["ok"].last_duration_ms is not None and states["ok"].last_success_at is not None
    # the error's type only: its message may quote personal data, and the admin page shows this
    assert states["bad"].last_outcome == "failed" and states["bad"].last_message == "builtins.RuntimeError"
    assert all("Zzyzx" not in (run.message or "") for run in db.session.scalars(sa.select(JobRun)))
    assert states["bad"].last_success_at is None
    assert sorted(seen) == [("bad", "failed"), ("ok", "ok")]
    # A failed job is tried again after a pause, not on the next minute's run.
    assert run_due(utcnow() + timedelta(minutes=1)) == []
    assert [r.name for r in run_due(utcnow() + timedelta(minutes=11))] == ["bad"]


def test_a_daily_job_runs_once_a_day_from_its_hour():
    schedule = jobs.daily(7)
    berlin_6 = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)     # 06:00 in Berlin (UTC+1)
    berlin_7 = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
    assert schedule.is_due(berlin_6, datetime(2026, 11, 29, 6, 30, tzinfo=UTC)) is False
    assert schedule.is_due(berlin_7, datetime(2026, 11, 29, 6, 30, tzinfo=UTC)) is True
    assert schedule.is_due(berlin_7 + timedelta(hours=5), berlin_7) is False
    assert schedule.is_due(berlin_7 + timedelta(days=1), berlin_7) is True
    summer = datetime(2026, 7, 1, 5, 0, tzinfo=UTC)          # 07:00 in Berlin (UTC+2)
    assert schedule.is_due(summer, datetime(2026, 6, 30, 5, 0, tzinfo=UTC)) is True


def test_cli_prints_one_line_per_job_run(app, fake_jobs):
    result = app.test_cli_runner().invoke(args=["jobs", "run"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [line for line in result.output.splitlines() if line.startswith(("alpha", "beta"))]
    assert len(result.output.splitlines()) == 2
    again = app.test_cli_runner().invoke(args=["jobs", "run"])
    assert again.exit_code == 0 and again.output == ""
    unknown = app.test_cli_runner().invoke(args=["jobs", "run", "--only", "gamma"])
    assert unknown.exit_code == 1


def early_morning_today() -> datetime:
    """05:00 in Berlin today: after the daily jobs' hours (retention 2, document purge 3), before the
    digest's (7). A job that never ran is owed only from its hour of the local day on, so a test
    that ran the jobs at the real time failed between midnight and 3 a.m. in Berlin."""
    from datetime import time as clock

    from caseflow.jobs import LOCAL_ZONE
    return datetime.combine(utcnow().astimezone(LOCAL_ZONE).date(), clock(5), tzinfo=LOCAL_ZONE).astimezone(UTC)


def test_the_real_jobs_run(app, counsellor):
    now = early_morning_today()
    old = UserSession(id="a" * 64, user_id=counsellor.id, created_at=now - timedelta(days=2),
                      last_seen_at=now - timedelta(days=2))
    fresh = UserSession(id="b" * 64, user_id=counsellor.id, created_at=now, last_seen_at=now)
    with unit_of_work():
        db.session.add_all([old, fresh])
    results = {r.name: r for r in run_due(now)}
    assert set(results) >= {"expiry", "reminders", "retention"}  # the digest waits for DIGEST_HOUR
    assert all(r.outcome == "ok" for r in results.values()), results
    assert "login_sessions 1" in results["expiry"].message
    assert db.session.scalars(sa.select(UserSession.id)).all() == ["b" * 64]


def test_admin_page(client, auth, admin, counsellor, app, fake_jobs):
    run_due()
    auth.login(admin)
    html = client.get("/admin/jobs").get_data(as_text=True)
    assert "alpha" in html and "beta" in html
    auth.logout()
    auth.login(counsellor)
    assert client.get("/admin/jobs").status_code == 403
