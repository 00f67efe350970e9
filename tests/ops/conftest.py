"""Operations test helpers: the schema stamped at the migrations' head, other app instances."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from caseflow.extensions import db


@pytest.fixture
def at_head(app):
    """The test database says it is at the migrations' head (tests build it with create_all, so it
    has no alembic_version table of its own); removed afterwards."""
    from caseflow.ops.views import migration_heads
    heads = migration_heads()
    with db.engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)"))
        for head in heads:
            conn.execute(sa.text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": head})
    yield heads
    with db.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE alembic_version"))


@pytest.fixture
def make_app(database_url):
    """Another Caseflow app on the test database (or another), with its own settings."""
    from caseflow import create_app
    from config import TestingConfig

    made = []

    def build(url: str | None = None, config=None, **settings):
        config = config or TestingConfig()
        config.SQLALCHEMY_DATABASE_URI = url or database_url
        # Flask-Limiter is one object for every app of the process and takes its limits from the
        # last app set up: keep the session's (a rate-limit test belongs in test_two_hosts.py).
        config.RATELIMIT_DEFAULT = "10000 per minute"
        for name, value in settings.items():
            setattr(config, name, value)
        application = create_app(config)
        made.append(application)
        return application

    yield build
    for application in made:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def second_database(database_url, tmp_path):
    """The URL of another, empty database of the same kind as the test database (SQLite file, or a
    database of its own on the PostgreSQL server, dropped afterwards)."""
    from tests.databases import fresh_postgres_database
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'second.sqlite3'}"
        return
    with fresh_postgres_database(database_url, "caseflow_second") as url:
        yield url


def table_rows(engine: sa.Engine) -> dict[str, list[tuple]]:
    """Every row of every table of the database (not only the tables the models know), each table's
    rows sorted: the generic comparison of two databases."""
    inspector = sa.inspect(engine)
    out: dict[str, list[tuple]] = {}
    with engine.connect() as conn:
        for name in sorted(inspector.get_table_names()):
            table = sa.table(name, *[sa.column(c["name"]) for c in inspector.get_columns(name)])
            rows = conn.execute(sa.select(table)).all()
            out[name] = sorted((tuple(r) for r in rows), key=repr)
    return out


def copy_rows(source: sa.Engine, target: sa.Engine) -> None:
    """Copies every row of the models' tables from source to target (same schema), parents first."""
    with source.connect() as src, target.begin() as dst:
        for table in db.metadata.sorted_tables:
            rows = [dict(r._mapping) for r in src.execute(sa.select(table))]
            if rows:
                dst.execute(table.insert(), rows)
