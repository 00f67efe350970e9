"""What the demo data steps share: the context passed from step to step, the demo organisations,
staff names and password. It sits below every domain (each domain's demo.py imports it); the
generator that runs the steps is caseflow/demo, above them all. It also holds the steps' one bulk
path to the database (`insert_rows`, `update_rows`)."""
from __future__ import annotations

import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

import sqlalchemy as sa

from caseflow.extensions import db
from caseflow.models_base import UTCDateTime

DEMO_PASSWORD = "Caseflow-Demo-Berlin-2026"

ORGANISATIONS = (
    ("Kiezwerk Neukölln e.V.", "kiezwerk"),
    ("Bezirksamt Friedrichshain-Kreuzberg – Integrationsbüro", "ba-fk"),
    ("Brückenbau Bildungswerk Spandau gGmbH", "brueckenbau"),
)
COUNSELLOR_NAMES = ("Aylin Demir", "Tobias Krüger", "Olena Bondarenko", "Samir Haddad", "Katarzyna Nowak",
                    "Fatma Yıldız", "Lukas Schneider", "Mariam Osman", "Jan Petersen")
TEAM_LEAD_NAMES = ("Jonas Weber", "Nadia Rahimi", "Sabine Hoffmann")


@dataclass
class DemoContext:
    rng: random.Random
    participants: int
    today: date
    organisations: list[Any] = field(default_factory=list)
    counsellors: dict[int, list[int]] = field(default_factory=dict)  # organisation id -> user ids
    team_leads: dict[int, int] = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (role, email, organisation)
    # Filled by the participants step for the steps after it.
    participant_rows: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


# --- The steps' bulk path -------------------------------------------------------------------------

def next_id(table: sa.Table) -> int:
    """The first id after the table's highest: a step that needs its rows' ids before inserting
    them (to refer to them from other rows) numbers them from here and passes them to insert_rows."""
    return (db.session.scalar(sa.select(sa.func.max(table.c.id))) or 0) + 1


def insert_rows(table: sa.Table, rows: list[dict[str, Any]], **constants: Any) -> None:
    """Inserts `rows` (dicts with the same keys) straight to the driver, plus `constants` (the same
    value in every row, e.g. created_at) for those columns the table has and the rows do not.
    PostgreSQL: COPY, one stream, no statement per row (at 1,000,000 participants an INSERT per row,
    even pipelined, costs several times the COPY); rows that bring their own ids move the table's
    id sequence past them, so that what is added later does not collide. SQLite: one executemany
    of values already converted (`_sqlite_rows`): SQLAlchemy's per-row parameter handling costs
    more than the insert."""
    if not rows:
        return
    names = list(rows[0])
    fixed = {n: v for n, v in constants.items() if n in table.c and n not in names}
    columns = [*names, *fixed]
    values = ([*(row[n] for n in names), *fixed.values()] for row in rows)
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        _copy_rows(connection, table.name, columns, values)
        if "id" in names:
            connection.execute(sa.text("SELECT setval(pg_get_serial_sequence(:table, 'id'), max(id)) "
                                       f'FROM "{table.name}"'), {"table": table.name})
        return
    connection.exec_driver_sql(f'INSERT INTO "{table.name}" ({", ".join(columns)}) '
                               f'VALUES ({", ".join(["?"] * len(columns))})',
                               _sqlite_rows(connection.dialect, table, columns, values))


def update_rows(table: sa.Table, key: str, rows: list[dict[str, Any]]) -> None:
    """UPDATE `table` SET the rows' other columns WHERE `key` matches, for every row (dicts with the
    same keys). PostgreSQL: one statement, joining the rows COPYed into a temporary table (an
    UPDATE per row costs a round trip and a plan each). SQLite: one executemany."""
    if not rows:
        return
    columns = [c for c in rows[0] if c != key]
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        connection.exec_driver_sql(f'UPDATE "{table.name}" SET {", ".join(f"{c} = ?" for c in columns)} '
                                   f'WHERE {key} = ?',
                                   _sqlite_rows(connection.dialect, table, [*columns, key],
                                                ([*(row[c] for c in columns), row[key]] for row in rows)))
        return
    staging = f"demo_update_{table.name}"
    connection.exec_driver_sql(f'CREATE TEMPORARY TABLE "{staging}" AS '
                               f'SELECT {key}, {", ".join(columns)} FROM "{table.name}" WITH NO DATA')
    _copy_rows(connection, staging, [key, *columns], ([row[key], *(row[c] for c in columns)] for row in rows))
    connection.exec_driver_sql(f'ANALYZE "{staging}"')
    connection.exec_driver_sql(f'UPDATE "{table.name}" AS t SET {", ".join(f"{c} = s.{c}" for c in columns)} '
                               f'FROM "{staging}" AS s WHERE t.{key} = s.{key}')
    connection.exec_driver_sql(f'DROP TABLE "{staging}"')


def _copy_rows(connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """COPY … FROM STDIN in text format: psycopg writes each value in its text form (dates,
    timestamps with their zone, booleans); JSON values go as their JSON text."""
    driver = connection.connection.dbapi_connection
    with driver.cursor() as cursor, cursor.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([json.dumps(v) if isinstance(v, dict | list) else v for v in row])


def _sqlite_rows(dialect, table: sa.Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[tuple]:
    """The rows with each value as SQLAlchemy's column type would send it (dates and timestamps as
    text, JSON as its text), so they read back as if the ORM had written them. Enum and boolean
    values are generated valid and go as they are; dates and timestamps, which repeat, are
    converted once each."""
    converters = []
    for i, name in enumerate(columns):
        column_type = table.c[name].type
        if isinstance(column_type, sa.Enum | sa.Boolean):
            continue
        process = column_type.dialect_impl(dialect).bind_processor(dialect)
        if process is not None:
            converters.append((i, cache(process) if isinstance(column_type, sa.Date | sa.DateTime | UTCDateTime) else process))
    out = []
    for row in rows:
        values = list(row)
        for i, process in converters:
            if values[i] is not None:
                values[i] = process(values[i])
        out.append(tuple(values))
    return out
