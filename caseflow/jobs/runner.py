"""Running the due jobs, each at most once at a time across every host.

The lock that makes `jobs run` safe to start on several hosts at the same moment:
- PostgreSQL: `pg_try_advisory_xact_lock(<job key>)` on a connection of its own, whose transaction
  stays open while the job runs (the job commits its own units of work on the app's session) and
  ends with the job's state written: a second host either fails to get the lock (skips) or gets it
  after the first one committed and then finds the job no longer due.
- SQLite: a lease on the job's row, taken with one `UPDATE … WHERE lease_until IS NULL OR
  lease_until < now` (SQLite has one writer at a time, so exactly one host's update matches); the
  lease expires, so a run that crashed frees the job after `Job.lease`.
In both cases the due check is repeated once the lock is held.
"""
from __future__ import annotations

import logging
import os
import socket
import time as clock
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from caseflow.errors import log_without_message, qualified_name
from caseflow.extensions import db
from caseflow.jobs import Job, registry
from caseflow.jobs.models import JobRun, JobState
from caseflow.models_base import utcnow

log = logging.getLogger(__name__)
# A failed job is tried again after this long, not on every minute's run.
RETRY_AFTER = timedelta(minutes=10)
_LOCK_NAMESPACE = 0x0CF5


@dataclass
class Outcome:
    name: str
    outcome: str          # ok, failed
    duration: float       # seconds
    message: str


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def _lock_key(name: str) -> int:
    """A stable 32-bit key per job for the two-key advisory lock (namespace, job)."""
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


def _ensure_rows(names: list[str]) -> None:
    engine = db.engine
    insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
    with engine.begin() as conn:
        for name in names:
            conn.execute(insert(JobState).values(name=name).on_conflict_do_nothing(index_elements=["name"]))


def _due(job: Job, state, now: datetime) -> bool:
    if state is None:
        return True
    if (state.last_outcome == "failed" and state.last_started_at is not None
            and now - state.last_started_at < RETRY_AFTER):
        return False
    return job.schedule.is_due(now, state.last_success_at)


def _state(conn, name: str):
    return conn.execute(sa.select(JobState).where(JobState.name == name)).one_or_none()


def _execute(job: Job, now: datetime) -> tuple[str, str, float]:
    """Runs the job on the app's session; never raises (a failure is its outcome)."""
    started = clock.monotonic()
    try:
        message = job.run(now) or ""
        outcome = "ok"
    except Exception as exc:  # noqa: BLE001 - a job's failure is recorded, the next job still runs
        # type and stack only: a message may quote data (an import's values, a driver's parameters,
        # the recipients an SMTP server refused), in the log and in the job's state, which the
        # admin page shows (no personal data): the error's type, and the log has its stack
        log_without_message(log, exc, f"job {job.name} failed")
        outcome, message = "failed", qualified_name(exc)
    return outcome, message[:500], clock.monotonic() - started


def _finish_values(job: Job, start: datetime, outcome: str, message: str, duration: float) -> dict:
    values = {"last_started_at": start, "last_finished_at": utcnow(), "last_duration_ms": int(duration * 1000),
              "last_outcome": outcome, "last_message": message, "lease_until": None, "lease_owner": None}
    if outcome == "ok":
        values["last_success_at"] = start
    return values


def _log_run(conn, job: Job, start: datetime, outcome: str, message: str, duration: float) -> None:
    conn.execute(sa.insert(JobRun).values(name=job.name, started_at=start, duration_ms=int(duration * 1000),
                                          outcome=outcome, message=message, host=_owner()))


def _run_postgresql(job: Job, now: datetime) -> Outcome | None:
    with db.engine.connect() as conn, conn.begin():
        got = conn.scalar(sa.select(sa.func.pg_try_advisory_xact_lock(_LOCK_NAMESPACE, _lock_key(job.name))))
        if not got or not _due(job, _state(conn, job.name), now):
            return None
        outcome, message, duration = _execute(job, now)
        conn.execute(sa.update(JobState).where(JobState.name == job.name)
                     .values(**_finish_values(job, now, outcome, message, duration)))
        _log_run(conn, job, now, outcome, message, duration)
    return Outcome(job.name, outcome, duration, message)


def _run_sqlite(job: Job, now: datetime) -> Outcome | None:
    owner = _owner()
    with db.engine.begin() as conn:
        taken = conn.execute(sa.update(JobState).where(
            JobState.name == job.name, sa.or_(JobState.lease_until.is_(None), JobState.lease_until < now))
            .values(lease_until=now + job.lease, lease_owner=owner)).rowcount
    if not taken:
        return None
    with db.engine.connect() as conn:
        due = _due(job, _state(conn, job.name), now)
    if not due:
        with db.engine.begin() as conn:
            conn.execute(sa.update(JobState).where(JobState.name == job.name, JobState.lease_owner == owner)
                         .values(lease_until=None, lease_owner=None))
        return None
    outcome, message, duration = _execute(job, now)
    with db.engine.begin() as conn:
        conn.execute(sa.update(JobState).where(JobState.name == job.name)
                     .values(**_finish_values(job, now, outcome, message, duration)))
        _log_run(conn, job, now, outcome, message, duration)
    return Outcome(job.name, outcome, duration, message)


def run_due(now: datetime | None = None, *, only: str | None = None) -> list[Outcome]:
    """Runs every registered job that is due (or just `only`), each under its lock; returns what
    ran. Jobs that are not due or run elsewhere right now are skipped silently."""
    reg = registry()
    jobs = [j for name, j in sorted(reg.jobs.items()) if only in (None, name)]
    if not jobs:
        return []
    _ensure_rows([j.name for j in jobs])
    runner = _run_postgresql if db.engine.dialect.name == "postgresql" else _run_sqlite
    results = []
    for job in jobs:
        result = runner(job, now or utcnow())
        if result is None:
            continue
        results.append(result)
        for listener in reg.listeners:
            try:
                listener(result.name, result.outcome, result.duration)
            except Exception:  # noqa: BLE001 - metrics must never stop the jobs
                log.exception("job run listener failed")
    return results


def job_overview() -> list[dict]:
    """Every registered job with its schedule and last run, for the admin page (one query)."""
    reg = registry()
    states = {s.name: s for s in db.session.scalars(sa.select(JobState))}
    return [{"name": name, "schedule": job.schedule.describe(), "state": states.get(name)}
            for name, job in sorted(reg.jobs.items())]


def recent_runs(limit: int = 50) -> list[JobRun]:
    return list(db.session.scalars(sa.select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(limit)))
