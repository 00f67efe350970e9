"""Column helpers shared by every domain's models: the clock and the enum-as-check column."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import sqlalchemy as sa


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """A stored timestamp as an aware UTC datetime (SQLite hands them back naive; they are UTC)."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def enum_column(name: str, values: Iterable[str], length: int = 32) -> sa.Enum:
    """A string column restricted to `values` by a named CHECK constraint on every database."""
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=length,
                   validate_strings=True)


# Timestamps are stored timezone-aware (PostgreSQL timestamptz); SQLite keeps the ISO text.
TZDateTime = sa.DateTime(timezone=True)
