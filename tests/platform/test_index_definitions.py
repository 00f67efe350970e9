"""The indexes that the migrations build are exactly the ones the models declare.

`alembic check` (test_migrations.py) does not compare the WHERE clause of partial indexes, and on
SQLite it skips expression indexes (the caseload's lower(last_name) ones) altogether. So this test
builds two fresh databases, one brought to `head` by Alembic and one made by
`db.metadata.create_all()`, and compares the full definition of every index as the database itself
reports it (pg_indexes.indexdef on PostgreSQL, sqlite_master.sql on SQLite), plus the unique and
check constraints, and what Alembic cannot see at all: triggers and their functions, SQLite's virtual (FTS5) tables,
PostgreSQL's extensions, the search key's statistics target (the participant search,
caseflow/participants/search.py) and extended statistics (the placement report's cube). On SQLite always, on PostgreSQL when TEST_DATABASE_URL names a server (databases
of their own are created there with random names and dropped again).
"""
from __future__ import annotations

import os
import re

import pytest
import sqlalchemy as sa
from alembic import command

import caseflow.models  # noqa: F401  (registers every table)
from caseflow.extensions import db
from tests.databases import alembic_config, fresh_postgres_database

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])

# Definitions keyed by (kind, table, name).
Definitions = dict[tuple[str, str, str], str]


@pytest.fixture(params=BACKENDS)
def two_empty_databases(request, tmp_path):
    """(for the migrations, for create_all): two empty databases of the same kind."""
    if request.param == "sqlite":
        yield (f"sqlite:///{tmp_path / 'migrated.sqlite3'}", f"sqlite:///{tmp_path / 'created.sqlite3'}")
        return
    base = os.environ["TEST_DATABASE_URL"]
    with fresh_postgres_database(base, "caseflow_indexes") as migrated, \
            fresh_postgres_database(base, "caseflow_indexes") as created:
        yield migrated, created


_config = alembic_config


# --- reading the definitions back ----------------------------------------------------------------

_IDENTIFIER_QUOTES = re.compile(r'"((?:[^"]|"")*)"|`([^`]*)`|\[([^\]]*)\]')
_STRING_LITERAL = re.compile(r"'(?:[^']|'')*'")


def _normalise_sqlite(sql: str) -> str:
    """Only cosmetic differences: identifier quoting, whitespace, IF NOT EXISTS. String literals
    (e.g. status IN ('planned', 'active')) are kept exactly as they are."""
    parts, pos = [], 0
    for literal in _STRING_LITERAL.finditer(sql):
        parts.append(_cosmetic(sql[pos:literal.start()]))
        parts.append(literal.group(0))
        pos = literal.end()
    parts.append(_cosmetic(sql[pos:]))
    return "".join(parts).strip()


def _cosmetic(chunk: str) -> str:
    """SQL outside string literals: unquoted identifiers, single spaces, none inside brackets."""
    chunk = _IDENTIFIER_QUOTES.sub(
        lambda m: next(g for g in m.groups() if g is not None).replace('""', '"'), chunk)
    chunk = re.sub(r"\bIF\s+NOT\s+EXISTS\s+", "", chunk, flags=re.IGNORECASE)
    chunk = re.sub(r"\s+", " ", chunk)
    chunk = re.sub(r"\(\s+", "(", chunk)
    chunk = re.sub(r"\s+\)", ")", chunk)
    return re.sub(r"\s*,\s*", ", ", chunk)


def _whitespace(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _definitions(url: str) -> Definitions:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "postgresql":
                return _postgres_definitions(conn)
            return _sqlite_definitions(conn)
    finally:
        engine.dispose()


def _postgres_definitions(conn) -> Definitions:
    found: Definitions = {}
    rows = conn.execute(sa.text(
        "SELECT tablename, indexname, indexdef FROM pg_indexes "
        "WHERE schemaname = current_schema() AND tablename <> 'alembic_version'"))
    for table, name, definition in rows:
        found[("index", table, name)] = _whitespace(definition)
    rows = conn.execute(sa.text(
        "SELECT cl.relname, co.conname, co.contype, pg_get_constraintdef(co.oid) "
        "FROM pg_constraint co JOIN pg_class cl ON cl.oid = co.conrelid "
        "JOIN pg_namespace ns ON ns.oid = co.connamespace "
        "WHERE ns.nspname = current_schema() AND co.contype IN ('u', 'c') "
        "AND cl.relname <> 'alembic_version'"))
    for table, name, kind, definition in rows:
        found[({"u": "unique", "c": "check"}[kind], table, name)] = _whitespace(definition)
    rows = conn.execute(sa.text(
        "SELECT cl.relname, t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
        "JOIN pg_class cl ON cl.oid = t.tgrelid JOIN pg_namespace ns ON ns.oid = cl.relnamespace "
        "WHERE ns.nspname = current_schema() AND NOT t.tgisinternal"))
    for table, name, definition in rows:
        found[("trigger", table, name)] = _whitespace(definition)
    rows = conn.execute(sa.text(  # the triggers' functions (report_days), not those of extensions
        "SELECT p.proname, pg_get_functiondef(p.oid) FROM pg_proc p "
        "JOIN pg_namespace ns ON ns.oid = p.pronamespace WHERE ns.nspname = current_schema() "
        "AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')"))
    for name, definition in rows:
        found[("function", "", name)] = _whitespace(definition)
    for (name,) in conn.execute(sa.text("SELECT extname FROM pg_extension")):
        found[("extension", "", name)] = "installed"
    rows = conn.execute(sa.text(  # a column's own statistics target (the default is -1, NULL from 17)
        "SELECT cl.relname, a.attname, a.attstattarget FROM pg_attribute a "
        "JOIN pg_class cl ON cl.oid = a.attrelid JOIN pg_namespace ns ON ns.oid = cl.relnamespace "
        "WHERE ns.nspname = current_schema() AND cl.relkind = 'r' AND a.attnum > 0 "
        "AND NOT a.attisdropped AND a.attstattarget >= 0"))
    for table, column, target in rows:
        found[("statistics target", table, column)] = str(target)
    rows = conn.execute(sa.text(  # extended statistics (CREATE STATISTICS)
        "SELECT cl.relname, s.stxname, pg_get_statisticsobjdef(s.oid) FROM pg_statistic_ext s "
        "JOIN pg_class cl ON cl.oid = s.stxrelid JOIN pg_namespace ns ON ns.oid = s.stxnamespace "
        "WHERE ns.nspname = current_schema()"))
    for table, name, definition in rows:
        found[("statistics", table, name)] = _whitespace(definition)
    return found


def _sqlite_definitions(conn) -> Definitions:
    found: Definitions = {}
    rows = conn.execute(sa.text(
        "SELECT tbl_name, name, sql FROM sqlite_master "
        "WHERE type = 'index' AND sql IS NOT NULL AND tbl_name <> 'alembic_version'"))
    for table, name, sql in rows:  # autoindexes (of UNIQUE / PRIMARY KEY) have no sql
        found[("index", table, name)] = _normalise_sqlite(sql)
    rows = conn.execute(sa.text(
        "SELECT type, tbl_name, name, sql FROM sqlite_master WHERE type = 'trigger' "
        "OR (type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%')"))
    for kind, table, name, sql in rows:
        found[("trigger" if kind == "trigger" else "virtual table", table, name)] = _normalise_sqlite(sql)
    inspector = sa.inspect(conn)
    for table in inspector.get_table_names():
        if table == "alembic_version":
            continue
        for uc in inspector.get_unique_constraints(table):
            found[("unique", table, uc["name"] or "?")] = f"UNIQUE ({', '.join(uc['column_names'])})"
        for cc in inspector.get_check_constraints(table):
            found[("check", table, cc["name"] or "?")] = f"CHECK ({_normalise_sqlite(cc['sqltext'])})"
    return found


def _report(migrated: Definitions, modelled: Definitions) -> str:
    lines = []
    for key in sorted(migrated.keys() | modelled.keys()):
        kind, table, name = key
        if migrated.get(key) == modelled.get(key):
            continue
        lines.append(f"{kind} {name} on {table}:")
        lines.append(f"    migrated: {migrated.get(key, '(missing: no migration creates it)')}")
        lines.append(f"    model:    {modelled.get(key, '(missing: no model declares it)')}")
    return "\n".join(lines)


# --- the test -------------------------------------------------------------------------------------

@pytest.mark.filterwarnings(
    # SQLite's reflection of unique constraints also looks at the indexes and skips the expression
    # ones with this warning; those are compared through sqlite_master above, in full.
    "ignore:Skipped unsupported reflection of expression-based index:sqlalchemy.exc.SAWarning")
def test_migrated_indexes_match_the_models(two_empty_databases):
    migrated_url, created_url = two_empty_databases

    command.upgrade(_config(migrated_url), "head")
    engine = sa.create_engine(created_url, poolclass=sa.pool.NullPool)
    try:
        db.metadata.create_all(engine)
    finally:
        engine.dispose()

    migrated, modelled = _definitions(migrated_url), _definitions(created_url)

    # The comparison must see the indexes alembic check cannot: partial and expression ones.
    caseload = modelled.get(("index", "participants", "ix_participants_caseload"), "")
    assert "lower(" in caseload.lower() and "WHERE" in caseload.upper(), caseload
    # … and the search's objects that Alembic cannot see.
    if created_url.startswith("sqlite"):
        assert ("trigger", "participants", "participants_search_update") in modelled
        assert ("virtual table", "participants_search", "participants_search") in modelled
    else:
        assert "gin_trgm_ops" in modelled[("index", "participants", "ix_participants_search_trgm")]
        assert "(organisation_id, search_key gin_trgm_ops)" in modelled[
            ("index", "participants", "ix_participants_search_trgm")]
        assert ("extension", "", "pg_trgm") in modelled and ("extension", "", "btree_gin") in modelled
        assert modelled[("statistics target", "participants", "search_key")] == "500"
        assert "(ndistinct) ON organisation_id, cube_key" in modelled[
            ("statistics", "report_facts", "report_facts_placement_cube")]

    assert migrated == modelled, (
        "the migrated schema and the models disagree (write a migration for the model change):\n"
        + _report(migrated, modelled))
