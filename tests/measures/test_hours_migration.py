"""Migration 0015 (hours of participation): up with data, down (the durations and the notes' links
are dropped, the notes and their own minutes stay) and up again. On SQLite and, with
TEST_DATABASE_URL, on PostgreSQL (a database of its own)."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command

from tests.databases import alembic_config, run_sql


def _columns(url: str, table: str) -> set[str]:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        return {c["name"] for c in sa.inspect(engine).get_columns(table)}
    finally:
        engine.dispose()


def test_up_down_up_with_data(empty_database):
    url, cfg = empty_database, alembic_config(empty_database)
    command.upgrade(cfg, "0014")
    run_sql(url, "INSERT INTO organisations (name, created_at) VALUES ('Träger A', CURRENT_TIMESTAMP)")
    org = run_sql(url, "SELECT id FROM organisations")[0][0]
    run_sql(url, "INSERT INTO participants (organisation_id, case_number, first_name, last_name, date_of_birth, "
              "birth_year, age_at_entry, gender, nationality, entry_date, labour_status_at_entry, status, "
              "version, created_at, updated_at, duplicate_key, search_key) VALUES (:org, 'CF-1', 'A', 'B', "
              "'1990-01-01', 1990, 34, 'female', 'SY', '2024-01-01', 'inactive', 'active', 1, CURRENT_TIMESTAMP, "
              "CURRENT_TIMESTAMP, 'ab', 'ab')", org=org)
    pid = run_sql(url, "SELECT id FROM participants")[0][0]
    run_sql(url, "INSERT INTO measures (organisation_id, title, type, start_date, active, created_at, version) "
              "VALUES (:org, 'Deutsch B1', 'language_course', '2024-01-01', true, CURRENT_TIMESTAMP, 1)", org=org)
    mid = run_sql(url, "SELECT id FROM measures")[0][0]
    run_sql(url, "INSERT INTO enrolments (participant_id, measure_id, status, start_date, created_at, version) "
              "VALUES (:p, :m, 'active', '2024-02-01', CURRENT_TIMESTAMP, 1)", p=pid, m=mid)
    eid = run_sql(url, "SELECT id FROM enrolments")[0][0]
    run_sql(url, "INSERT INTO attendance_sessions (measure_id, date) VALUES (:m, '2024-02-02')", m=mid)
    run_sql(url, "INSERT INTO notes (participant_id, date, kind, minutes, text, created_at, version) "
              "VALUES (:p, '2024-02-03', 'meeting', 45, 'Beratung', CURRENT_TIMESTAMP, 1)", p=pid)

    command.upgrade(cfg, "0015")
    # the new columns start empty; nothing existing changed
    assert run_sql(url, "SELECT minutes FROM enrolments") == [(None,)]
    assert run_sql(url, "SELECT minutes, enrolment_id, text FROM notes") == [(45, None, "Beratung")]
    run_sql(url, "UPDATE enrolments SET minutes = 600")
    run_sql(url, "UPDATE attendance_sessions SET minutes = 90")
    run_sql(url, "UPDATE notes SET enrolment_id = :e", e=eid)
    with pytest.raises(sa.exc.IntegrityError):  # the foreign key holds
        run_sql(url, "UPDATE notes SET enrolment_id = :e", e=eid + 1000)
    run_sql(url, "DELETE FROM enrolments")  # ON DELETE SET NULL: the note stays, unlinked
    assert run_sql(url, "SELECT minutes, enrolment_id FROM notes") == [(45, None)]
    run_sql(url, "INSERT INTO enrolments (id, participant_id, measure_id, status, start_date, created_at, version, "
              "minutes) VALUES (:e, :p, :m, 'active', '2024-02-01', CURRENT_TIMESTAMP, 1, 600)", e=eid, p=pid, m=mid)
    run_sql(url, "UPDATE notes SET enrolment_id = :e", e=eid)

    command.downgrade(cfg, "0014")
    assert "minutes" not in _columns(url, "enrolments") and "minutes" not in _columns(url, "attendance_sessions")
    assert "enrolment_id" not in _columns(url, "notes")
    assert run_sql(url, "SELECT minutes, text FROM notes") == [(45, "Beratung")]  # the notes stay
    assert run_sql(url, "SELECT count(*) FROM enrolments") == [(1,)]

    command.upgrade(cfg, "head")
    assert run_sql(url, "SELECT minutes FROM enrolments") == [(None,)]  # lost on downgrade, as documented
    assert run_sql(url, "SELECT minutes, enrolment_id FROM notes") == [(45, None)]
    indexes = {i["name"] for i in sa.inspect(sa.create_engine(url, poolclass=sa.pool.NullPool)).get_indexes("notes")}
    assert {"ix_notes_enrolment_id", "ix_notes_participant_id_date"} <= indexes
