"""Case numbers like CF-2026-000123: one counter row per year, incremented atomically.

`UPDATE … SET last_value = last_value + 1 … RETURNING` is a single statement, so two registrations at
the same moment can never read the same value: on PostgreSQL the second waits for the first one's
row lock, on SQLite for its write lock. The year's row is created on first use with an insert that
ignores a concurrent insert of the same row (ON CONFLICT DO NOTHING), then the update is retried.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from caseflow.extensions import db
from caseflow.participants.models import CaseNumberCounter


def format_case_number(year: int, value: int) -> str:
    return f"CF-{year:04d}-{value:06d}"


def _insert_if_missing(year: int) -> None:
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        db.session.execute(pg_insert(CaseNumberCounter).values(year=year, last_value=0)
                           .on_conflict_do_nothing(index_elements=["year"]))
    elif dialect == "sqlite":
        db.session.execute(sqlite_insert(CaseNumberCounter).values(year=year, last_value=0)
                           .on_conflict_do_nothing(index_elements=["year"]))
    else:  # pragma: no cover - Caseflow runs on SQLite and PostgreSQL only
        raise RuntimeError(f"unsupported database {dialect}")


def next_case_number(year: int) -> str:
    """The next free case number of `year`, within the caller's transaction (not committed here)."""
    increment = (
        sa.update(CaseNumberCounter)
        .where(CaseNumberCounter.year == year)
        .values(last_value=CaseNumberCounter.last_value + 1)
        .returning(CaseNumberCounter.last_value)
        .execution_options(synchronize_session=False)
    )
    value = db.session.execute(increment).scalar()
    if value is None:
        _insert_if_missing(year)
        value = db.session.execute(increment).scalar_one()
    return format_case_number(year, value)


def reserve_case_numbers(year: int, count: int) -> int:
    """Reserves `count` consecutive numbers (bulk demo data); returns the first value."""
    _insert_if_missing(year)
    last = db.session.execute(
        sa.update(CaseNumberCounter).where(CaseNumberCounter.year == year)
        .values(last_value=CaseNumberCounter.last_value + count)
        .returning(CaseNumberCounter.last_value)
        .execution_options(synchronize_session=False)).scalar_one()
    return last - count + 1
