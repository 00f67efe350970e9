"""Migration 0015 (hours of participation): up with data, down (the durations and the notes' links
are dropped, the notes and their own minutes stay) and up again. On SQLite and, with
TEST_DATABASE_URL, on PostgreSQL (a database of its own)."""
from __future__ import annotations

import os

import pytest
import sqlalchemy as sa
from alembic import command

from tests.databases import alembic_config, fresh_postgres_database

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


@pytest.fixture(params=BACKENDS)
def empty_database(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'hours.sqlite3'}"
        return
    with fresh_postgres_database(os.environ["TEST_DATABASE_URL"], "caseflow_hours") as url:
        yield url


def _run(url: str, sql: str, **params):
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.begin() as conn:
            if engine.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA foreign_keys = ON")
            result = conn.execute(sa.text(sql), params)
            return result.all() if result.returns_rows else None
    finally:
        engine.dispose()


def _columns(url: str, table: str) -> set[str]:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        return {c["name"] for c in sa.inspect(engine).get_columns(table)}
    finally:
        engine.dispose()


def test_up_down_up_with_data(empty_database):
    url, cfg = empty_database, alembic_config(empty_database)
    command.upgrade(cfg, "0014")
    _run(url, "INSERT INTO organisations (name, created_at) VALUES ('Träger A', CURRENT_TIMESTAMP)")
    org = _run(url, "SELECT id FROM organisations")[0][0]
    _run(url, "INSERT INTO participants (organisation_id, case_number, first_name, last_name, date_of_birth, "
              "birth_year, age_at_entry, gender, nationality, entry_date, labour_status_at_entry, status, "
              "version, created_at, updated_at, duplicate_key, search_key) VALUES (:org, 'CF-1', 'A', 'B', "
              "'1990-01-01', 1990, 34, 'female', 'SY', '2024-01-01', 'inactive', 'active', 1, CURRENT_TIMESTAMP, "
              "CURRENT_TIMESTAMP, 'ab', 'ab')", org=org)
    pid = _run(url, "SELECT id FROM participants")[0][0]
    _run(url, "INSERT INTO measures (organisation_id, title, type, start_date, active, created_at, version) "
              "VALUES (:org, 'Deutsch B1', 'language_course', '2024-01-01', true, CURRENT_TIMESTAMP, 1)", org=org)
    mid = _run(url, "SELECT id FROM measures")[0][0]
    _run(url, "INSERT INTO enrolments (participant_id, measure_id, status, start_date, created_at, version) "
              "VALUES (:p, :m, 'active', '2024-02-01', CURRENT_TIMESTAMP, 1)", p=pid, m=mid)
    eid = _run(url, "SELECT id FROM enrolments")[0][0]
    _run(url, "INSERT INTO attendance_sessions (measure_id, date) VALUES (:m, '2024-02-02')", m=mid)
    _run(url, "INSERT INTO notes (participant_id, date, kind, minutes, text, created_at, version) "
              "VALUES (:p, '2024-02-03', 'meeting', 45, 'Beratung', CURRENT_TIMESTAMP, 1)", p=pid)

    command.upgrade(cfg, "0015")
    # the new columns start empty; nothing existing changed
    assert _run(url, "SELECT minutes FROM enrolments") == [(None,)]
    assert _run(url, "SELECT minutes, enrolment_id, text FROM notes") == [(45, None, "Beratung")]
    _run(url, "UPDATE enrolments SET minutes = 600")
    _run(url, "UPDATE attendance_sessions SET minutes = 90")
    _run(url, "UPDATE notes SET enrolment_id = :e", e=eid)
    with pytest.raises(sa.exc.IntegrityError):  # the foreign key holds
        _run(url, "UPDATE notes SET enrolment_id = :e", e=eid + 1000)
    _run(url, "DELETE FROM enrolments")  # ON DELETE SET NULL: the note stays, unlinked
    assert _run(url, "SELECT minutes, enrolment_id FROM notes") == [(45, None)]
    _run(url, "INSERT INTO enrolments (id, participant_id, measure_id, status, start_date, created_at, version, "
              "minutes) VALUES (:e, :p, :m, 'active', '2024-02-01', CURRENT_TIMESTAMP, 1, 600)", e=eid, p=pid, m=mid)
    _run(url, "UPDATE notes SET enrolment_id = :e", e=eid)

    command.downgrade(cfg, "0014")
    assert "minutes" not in _columns(url, "enrolments") and "minutes" not in _columns(url, "attendance_sessions")
    assert "enrolment_id" not in _columns(url, "notes")
    assert _run(url, "SELECT minutes, text FROM notes") == [(45, "Beratung")]  # the notes stay
    assert _run(url, "SELECT count(*) FROM enrolments") == [(1,)]

    command.upgrade(cfg, "head")
    assert _run(url, "SELECT minutes FROM enrolments") == [(None,)]  # lost on downgrade, as documented
    assert _run(url, "SELECT minutes, enrolment_id FROM notes") == [(45, None)]
    indexes = {i["name"] for i in sa.inspect(sa.create_engine(url, poolclass=sa.pool.NullPool)).get_indexes("notes")}
    assert {"ix_notes_enrolment_id", "ix_notes_participant_id_date"} <= indexes
