"""Column helpers shared by every domain's models: the clock, the timestamp type and the
enum-as-check column."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """`value` as an aware datetime, a naive one read as UTC. Only for moments that do not pass
    through `TZDateTime` (raw SQL, files of their own, SQL functions whose result type is not the
    column's); whatever a mapped timestamp column or a select of one returns is aware already."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def enum_column(name: str, values: Iterable[str], length: int = 32) -> sa.Enum:
    """A string column restricted to `values` by a named CHECK constraint on every database."""
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=length,
                   validate_strings=True)


class UTCDateTime(TypeDecorator[datetime]):
    """`DateTime(timezone=True)` that answers aware datetimes on every database.

    PostgreSQL stores timestamptz and psycopg answers aware datetimes: nothing is added there, not
    even a per-row call (the processors are the impl's own). SQLite keeps SQLAlchemy's ISO text
    without a zone (`2026-11-30 09:00:00.000000`, UTC): an aware value is converted to UTC before
    the impl formats it, so the stored text and its ordering are those of the plain DateTime, and
    what comes back is marked UTC."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True  # no state of its own: the same SQL and processing every time

    def bind_processor(self, dialect: Dialect) -> Any:
        if dialect.name != "sqlite":
            return self.impl_instance.bind_processor(dialect)
        return super().bind_processor(dialect)

    def literal_processor(self, dialect: Dialect) -> Any:
        if dialect.name != "sqlite":
            return self.impl_instance.literal_processor(dialect)
        return super().literal_processor(dialect)

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        if dialect.name != "sqlite":
            return self.impl_instance.result_processor(dialect, coltype)
        return super().result_processor(dialect, coltype)

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        # SQLite only. A naive datetime (and a date) is stored as it is, i.e. read as UTC.
        if isinstance(value, datetime) and value.tzinfo is not None:
            return value.astimezone(UTC)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        # SQLite only: the impl parsed the text with datetime.fromisoformat.
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def coerce_compared_value(self, op: Any, value: Any) -> Any:
        # A datetime compared with a timestamp column is bound through this type (converted to UTC
        # on SQLite); anything else (a timedelta added to one) is typed as DateTime would type it.
        if isinstance(value, datetime):
            return self
        return self.impl_instance.coerce_compared_value(op, value)


# Timestamps are stored timezone-aware (PostgreSQL timestamptz); SQLite keeps the ISO text in UTC.
TZDateTime = UTCDateTime()
