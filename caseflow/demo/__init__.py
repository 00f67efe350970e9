"""Synthetic demo data: realistic, Berlin-flavoured, reproducible from a seed.

`generate()` runs the domains' demo steps in order (accounts, participants, measures, placements,
privacy: each caseflow/<domain>/demo.py's `generate(ctx)`), as one unit of work. Each step
bulk-inserts through SQLAlchemy Core so that 100,000 participants with full histories take well
under a minute. The context the steps share is caseflow/demo_context.py.
"""
from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import sqlalchemy as sa

from caseflow.accounts import demo as accounts_demo
from caseflow.database import unit_of_work
from caseflow.demo_context import (
    COUNSELLOR_NAMES,
    DEMO_PASSWORD,
    ORGANISATIONS,
    TEAM_LEAD_NAMES,
    DemoContext,
)
from caseflow.extensions import db
from caseflow.measures import demo as measures_demo
from caseflow.participants import demo as participants_demo
from caseflow.placements import demo as placements_demo
from caseflow.privacy import demo as privacy_demo
from caseflow.reports import facts

__all__ = ["COUNSELLOR_NAMES", "DEMO_PASSWORD", "ORGANISATIONS", "TEAM_LEAD_NAMES", "DemoContext", "generate",
           "STEPS"]

# In order: each step reads what the ones before it left in the context.
STEPS = (participants_demo.generate, measures_demo.generate, placements_demo.generate, privacy_demo.generate)


def generate(*, participants: int, seed: int, organisation=None, today: date | None = None) -> DemoContext:
    ctx = DemoContext(rng=random.Random(seed), participants=participants, today=today or date.today())
    with unit_of_work() as session, _indexes_and_keys_built_after_the_load():
        # bulk Core inserts: the report facts are computed once for everyone before the commit
        facts.refresh_all_at_commit(session)
        accounts_demo.generate_staff(ctx, organisation)
        for step in STEPS:
            step(ctx)
        # now, so that the report tables' own indexes are built after them too
        facts.bring_up_to_date(session)
    return ctx


@contextmanager
def _indexes_and_keys_built_after_the_load() -> Iterator[None]:
    """Build what a bulk load would otherwise maintain row by row once, after the load.

    SQLite: the FTS5 search tables' triggers are dropped for the load, the tables filled once from
    `participants` afterwards ('rebuild') and the triggers created again from their own
    definitions (sqlite_master.sql).

    PostgreSQL, the way pg_restore does it: the GIN (trigram) indexes, the indexes of the
    participants and of the report tables (filled last, by one INSERT … SELECT each) other than
    their keys, and the foreign keys are dropped for the load and made again afterwards
    from their own definitions (pg_indexes.indexdef, pg_get_constraintdef, i.e. exactly what the
    migrations made). Adding a million rows to an index one by one costs several times more than
    building it once by sorting: at 300,000 participants the COPY of the participants into their
    fourteen indexes took 42 s and the UPDATE of their exits 31 s, each about 1 s without them.
    A foreign key checked row by row costs one trigger query per row where adding it back checks
    every row in one join.
    A row that breaks a key still fails the load: ADD CONSTRAINT validates all rows. Safe here:
    demo data is loaded in one transaction, which holds the tables' locks throughout, and no
    step of the load searches or reads the participants other than by id. The other tables'
    B-tree indexes stay (the steps and the report facts read through them)."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        yield from _sqlite_search_tables_filled_after_the_load(connection)
        return
    definitions = connection.execute(sa.text(
        "SELECT indexname, indexdef FROM pg_indexes AS i WHERE schemaname = current_schema() "
        "AND (indexdef LIKE '% USING gin %' OR tablename IN ('participants', 'report_facts', 'report_placements') "
        "AND NOT EXISTS ("
        "SELECT FROM pg_constraint AS c WHERE c.conindid = format('%I.%I', i.schemaname, i.indexname)::regclass))"
    )).all()
    foreign_keys = connection.execute(sa.text(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND connamespace = current_schema()::regnamespace ORDER BY conrelid, conname")).all()
    for table, name, _ in foreign_keys:
        connection.execute(sa.text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
    for name, _ in definitions:
        connection.execute(sa.text(f'DROP INDEX "{name}"'))
    yield
    # A sort in memory instead of on disk for each index built (the setting ends with the transaction).
    connection.execute(sa.text("SET LOCAL maintenance_work_mem = '512MB'"))
    for _, definition in definitions:
        connection.execute(sa.text(definition))
    for table, name, definition in foreign_keys:
        connection.execute(sa.text(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'))


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
