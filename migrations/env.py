"""Alembic environment: the database named by DATABASE_URL, the metadata of every Caseflow model.
SQLite schema changes run in batch mode (copy-and-move), since SQLite cannot ALTER most things."""
from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine, pool

import caseflow.models  # noqa: F401  (registers every table)
from caseflow.extensions import db
from caseflow.models_base import UTCDateTime
from config import database_url

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = db.metadata

# Schema objects that Alembic cannot compare, made by DDL of their own (caseflow/participants/
# models.py, migration 0011) and compared by tests/platform/test_index_definitions.py instead:
# SQLite's FTS5 search tables (and the shadow tables FTS5 keeps their index in).
_NOT_COMPARED_TABLE_PREFIXES = ("participants_search",)


def include_name(name, type_, parent_names) -> bool:
    return not (type_ == "table" and bool(name) and name.startswith(_NOT_COMPARED_TABLE_PREFIXES))


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Objects declared for one database only (`.ddl_if(dialect=...)`, e.g. the trigram index of
    PostgreSQL) are left out of the comparison on the other one."""
    condition = getattr(obj, "_ddl_if", None)
    if not reflected and condition is not None and condition.dialect is not None:
        return context.get_context().dialect.name == condition.dialect
    return True


def render_item(type_, obj, autogen_context):
    """A new revision writes a TZDateTime column as the plain type it is in the database,
    sa.DateTime(timezone=True), as every migration does: migrations never import caseflow."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _url() -> str:
    return config.attributes.get("url") or database_url()


def run_migrations_offline() -> None:
    url = _url()
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=url.startswith("sqlite"), compare_type=True,
                      include_name=include_name, include_object=include_object, render_item=render_item)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = _url()
    if url.startswith("sqlite:///"):
        from pathlib import Path
        Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as conn:
        _run(conn)


def _run(connection) -> None:
    if connection.dialect.name == "sqlite" and not connection.in_transaction():
        # Batch migrations copy a table, drop the old one and rename the copy: with foreign keys
        # enforced, the DROP would cascade into (or be refused by) the tables referring to it. Off
        # even when a caller hands in a connection of the app's engine (caseflow/database.py turns
        # them on there). SQLite ignores the pragma inside a transaction: a caller that hands in a
        # connection with a transaction open must have turned them off itself.
        connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
        connection.commit()
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=connection.dialect.name == "sqlite", compare_type=True,
                      include_name=include_name, include_object=include_object, render_item=render_item)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
