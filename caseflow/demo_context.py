"""What the demo data steps share: the context passed from step to step, the demo organisations,
staff names and password. It sits below every domain (each domain's demo.py imports it); the
generator that runs the steps is caseflow/demo, above them all. It also holds the steps' bulk
paths to PostgreSQL (COPY), which they share."""
from __future__ import annotations

import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

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


# --- PostgreSQL's bulk paths, shared by the steps ------------------------------------------------------

def copy_rows(connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Inserts `rows` (value sequences in the order of `columns`) with COPY … FROM STDIN in text
    format: psycopg writes each value in its text form (dates, timestamps with their zone,
    booleans); JSON values go as their JSON text. One stream, no statement per row: at 1,000,000
    participants an INSERT per row (even pipelined) costs several times the COPY."""
    driver = connection.connection.dbapi_connection
    with driver.cursor() as cursor, cursor.copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([json.dumps(v) if isinstance(v, dict | list) else v for v in row])


def copy_update(connection, table: str, key: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """UPDATE `table` SET `columns` for the rows matched on `key`, as one statement: the rows
    (values in the order key, *columns) are copied into a temporary table of those columns, which
    the UPDATE joins. An UPDATE per row costs a round trip and a plan each."""
    staging = f"demo_update_{table}"
    names = ", ".join(columns)
    connection.exec_driver_sql(f'CREATE TEMPORARY TABLE "{staging}" ON COMMIT DROP AS '
                               f'SELECT {key}, {names} FROM "{table}" WITH NO DATA')
    copy_rows(connection, staging, [key, *columns], rows)
    connection.exec_driver_sql(f'ANALYZE "{staging}"')
    connection.exec_driver_sql(f'UPDATE "{table}" AS t SET {", ".join(f"{c} = s.{c}" for c in columns)} '
                               f'FROM "{staging}" AS s WHERE t.{key} = s.{key}')
    connection.exec_driver_sql(f'DROP TABLE "{staging}"')
