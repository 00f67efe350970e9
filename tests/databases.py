"""Databases of a test run's own: a fresh PostgreSQL database with a random name on the
TEST_DATABASE_URL server (dropped afterwards, whatever happens), and an Alembic configuration for
any database URL. Shared by the session's database (tests/conftest.py) and the migration tests."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic.config import Config
from sqlalchemy.engine import make_url

from config import with_our_driver

ROOT = Path(__file__).resolve().parent.parent


def postgres_url(base: str) -> sa.engine.URL:
    """`base` with the psycopg (3) driver, which is what requirements.txt installs."""
    return make_url(with_our_driver(base))


@contextmanager
def fresh_postgres_database(base: str, prefix: str) -> Iterator[str]:
    """The URL of a new, empty database on `base`'s server; dropped at the end. A test run never
    touches data it did not create."""
    url = postgres_url(base)
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def alembic_config(url: str) -> Config:
    """The project's Alembic configuration, pointed at `url`."""
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.attributes["url"] = url
    cfg.attributes["configure_logger"] = False  # leave pytest's logging alone
    return cfg


def run_sql(url: str, sql: str, **params):
    """One statement on a database of a migration test (its own engine, foreign keys enforced on
    SQLite as the app's connections do); the rows when it returns any."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.begin() as conn:
            if engine.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA foreign_keys = ON")
            result = conn.execute(sa.text(sql), params)
            return result.all() if result.returns_rows else None
    finally:
        engine.dispose()


def query_plan(statement, parameters=None, *, avoid: tuple[str, ...] = ("seqscan",)) -> str:
    """The plan the session's database makes for `statement` (a select, compiled with its values
    inlined, or SQL text with `parameters`): PostgreSQL's EXPLAIN lines, SQLite's EXPLAIN QUERY PLAN
    details. With a test's handful of rows a scan is cheapest, so on PostgreSQL the plan kinds in
    `avoid` are switched off for this one EXPLAIN: what shows is whether an index can answer the
    query at all. They are switched on again afterwards, so nothing later in the test's transaction
    (nor a later test sharing it) plans differently."""
    from caseflow.extensions import db

    conn = db.session.connection()
    if not isinstance(statement, str):
        statement = str(statement.compile(conn, compile_kwargs={"literal_binds": True}))
        parameters = None
    postgres = conn.dialect.name == "postgresql"
    if not postgres:
        return "\n".join(str(r[-1]) for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement,
                                                                 parameters or ()))
    for kind in avoid:
        conn.exec_driver_sql(f"SET LOCAL enable_{kind} = off")
    try:
        return "\n".join(conn.exec_driver_sql("EXPLAIN " + statement, parameters or ()).scalars())
    finally:
        for kind in avoid:
            conn.exec_driver_sql(f"RESET enable_{kind}")


def table_names(url: str) -> set[str]:
    """The tables of the database at `url`, read on a connection of its own."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()
