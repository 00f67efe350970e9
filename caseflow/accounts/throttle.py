"""The login throttle: at most LOGIN_MAX_FAILURES password or code checks per login name and window.

The race it closes (issue 20.1): counting the failures first and checking the hash afterwards let a
burst of parallel requests all see "4 failures" and all check. Here a check must first *take a slot*
with one conditional UPDATE (`failures < limit`, or the window is over), which both databases run
atomically — PostgreSQL re-evaluates the WHERE on the newest row version after waiting for the row
lock, SQLite has one writer at a time — and the slot is committed before the hash is checked. A
failed check keeps its slot; a correct one gives its slot back. So however many requests arrive at
once, on any number of workers, at most LOGIN_MAX_FAILURES checks run, and a correct password sent
after them is refused like any other attempt.

When the window holds LOGIN_MAX_FAILURES failures the name is locked for LOGIN_LOCKOUT; the lock and
the window both end LOGIN_LOCKOUT after the last failure.
"""
from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from caseflow.accounts.models import LoginThrottle
from caseflow.extensions import db
from caseflow.models_base import TZDateTime

T = LoginThrottle


def login_digest(email: str) -> str:
    """The keyed digest a login name is counted under (the email itself is never stored here)."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, (email or "").strip().lower().encode(), hashlib.sha256).hexdigest()


def _at(value: datetime) -> sa.BindParameter:
    return sa.literal(value, TZDateTime)


def take_slot(digest: str, now: datetime) -> datetime | None:
    """Takes one check slot for `digest`: None when taken (the check may run), otherwise the time
    until which checks are refused. Must run in a unit of work that commits before the check."""
    cfg = current_app.config
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.session.execute(insert(LoginThrottle).values(email_digest=digest, failures=0, window_started_at=now)
                       .on_conflict_do_nothing(index_elements=["email_digest"]))
    over = sa.and_(T.window_started_at <= _at(now - cfg["LOGIN_FAILURE_WINDOW"]),
                   sa.or_(T.locked_until.is_(None), T.locked_until <= _at(now)))
    taken = db.session.execute(
        sa.update(T).where(T.email_digest == digest, sa.or_(over, T.failures < cfg["LOGIN_MAX_FAILURES"]))
        .values(failures=sa.case((over, 1), else_=T.failures + 1),
                window_started_at=sa.case((over, _at(now)), else_=T.window_started_at),
                locked_until=sa.case((over, sa.null()), else_=T.locked_until))
        .execution_options(synchronize_session=False))
    if taken.rowcount == 1:  # type: ignore[attr-defined]  # DML answers a CursorResult
        return None
    row = db.session.execute(sa.select(T.locked_until, T.window_started_at).where(T.email_digest == digest)).one()
    return row.locked_until or row.window_started_at + cfg["LOGIN_FAILURE_WINDOW"]


def give_back(digest: str) -> None:
    """A correct check returns its slot (and lifts a lock that checks running beside it set)."""
    db.session.execute(sa.update(T).where(T.email_digest == digest, T.failures > 0)
                       .values(failures=T.failures - 1, locked_until=sa.null())
                       .execution_options(synchronize_session=False))


def lock_if_full(digest: str, now: datetime) -> datetime | None:
    """After a failed check: when the window is full, locks the name and answers until when."""
    cfg = current_app.config
    until = now + cfg["LOGIN_LOCKOUT"]
    locked = db.session.execute(
        sa.update(T).where(T.email_digest == digest, T.failures >= cfg["LOGIN_MAX_FAILURES"])
        .values(locked_until=_at(until), window_started_at=_at(until - cfg["LOGIN_FAILURE_WINDOW"]))
        .execution_options(synchronize_session=False))
    return until if locked.rowcount else None  # type: ignore[attr-defined]  # a CursorResult
