"""Synthetic demo data: realistic, Berlin-flavoured, reproducible from a seed.

`generate()` runs the domains' demo steps in order (accounts, then caseflow/<domain>/demo.py's
`generate(ctx)` for participants, measures, placements, privacy). Each step bulk-inserts (COPY on
PostgreSQL, executemany on SQLite; participants/demo.py's bulk_insert), and GIN indexes are built
after the load, so that 100,000 participants with full histories take well under a minute.
"""
from __future__ import annotations

import importlib
import importlib.util
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa

from caseflow.extensions import db

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


STEPS = ("participants", "measures", "placements", "privacy")


def generate(*, participants: int, seed: int, organisation=None, today: date | None = None) -> DemoContext:
    from caseflow.accounts.demo import generate_staff
    ctx = DemoContext(rng=random.Random(seed), participants=participants, today=today or date.today())
    with _search_index_built_after_the_load():
        generate_staff(ctx, organisation)
        for name in STEPS:
            if importlib.util.find_spec(f"caseflow.{name}.demo") is not None:
                importlib.import_module(f"caseflow.{name}.demo").generate(ctx)
    db.session.commit()
    return ctx


@contextmanager
def _search_index_built_after_the_load() -> Iterator[None]:
    """SQLite: the FTS5 search tables' triggers are dropped for the load, the tables filled once
    from `participants` afterwards ('rebuild') and the triggers created again from their own
    definitions (sqlite_master.sql). PostgreSQL: the GIN (trigram) indexes are dropped for the load and built again afterwards
    from their own definitions (pg_indexes.indexdef, i.e. exactly what the migrations made). Adding
    a million rows to a GIN index one by one costs several times more than building it once. Safe
    here: demo data is loaded in one transaction, which holds the table's lock throughout, and no
    step of the load searches. B-tree indexes stay (the steps read through some of them)."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        yield from _sqlite_search_tables_filled_after_the_load(connection)
        return
    definitions = connection.execute(sa.text(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
        "AND indexdef LIKE '% USING gin %'")).all()
    for name, _ in definitions:
        connection.execute(sa.text(f'DROP INDEX "{name}"'))
    yield
    for _, definition in definitions:
        connection.execute(sa.text(definition))


def _sqlite_search_tables_filled_after_the_load(connection) -> Iterator[None]:
    triggers = connection.execute(sa.text(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'participants' "
        "AND name LIKE 'participants_search%'")).all()
    tables = connection.execute(sa.text(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%' "
        "AND name LIKE 'participants_search%'")).scalars().all()
    for name, _ in triggers:
        connection.execute(sa.text(f'DROP TRIGGER "{name}"'))
    yield
    for table in tables:
        connection.execute(sa.text(f"INSERT INTO {table}({table}) VALUES ('rebuild')"))
    for _, definition in triggers:
        connection.execute(sa.text(definition))
