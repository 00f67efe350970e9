"""Migration 0014: the four sensitive answers become three-valued, with the data carried up, down
(declined → false, documented as lost) and up again. On SQLite and, with TEST_DATABASE_URL, on
PostgreSQL (a database of its own)."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command

from tests.databases import alembic_config, run_sql

FIELDS = ("foreign_background", "disability", "minority", "homeless")



def _answers(url: str):
    return run_sql(url, "SELECT case_number, foreign_background, disability, minority, homeless "
                     "FROM participants ORDER BY case_number")


def test_up_down_up_with_data(empty_database):
    url, cfg = empty_database, alembic_config(empty_database)
    command.upgrade(cfg, "0013")
    run_sql(url, "INSERT INTO organisations (name, created_at) VALUES ('Träger A', CURRENT_TIMESTAMP)")
    org = run_sql(url, "SELECT id FROM organisations")[0][0]
    for number, flags in (("CF-1", (True, False, True, False)), ("CF-2", (False, True, False, True))):
        run_sql(url, "INSERT INTO participants (organisation_id, case_number, first_name, last_name, date_of_birth, "
                  "birth_year, age_at_entry, gender, nationality, entry_date, labour_status_at_entry, status, "
                  "foreign_background, disability, minority, homeless, version, created_at, updated_at, "
                  "duplicate_key, search_key) VALUES (:org, :n, 'A', 'B', '1990-01-01', 1990, 34, 'female', 'SY', "
                  "'2024-01-01', 'inactive', 'active', :f, :d, :m, :h, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, "
                  "'ab', :n)", org=org, n=number, f=flags[0], d=flags[1], m=flags[2], h=flags[3])
    command.upgrade(cfg, "0014")
    assert _answers(url) == [("CF-1", "yes", "no", "yes", "no"), ("CF-2", "no", "yes", "no", "yes")]
    with pytest.raises(sa.exc.IntegrityError):  # the CHECK constraint holds the three values
        run_sql(url, "UPDATE participants SET minority = 'maybe'")
    run_sql(url, "UPDATE participants SET minority = 'declined' WHERE case_number = 'CF-2'")
    command.downgrade(cfg, "0013")
    rows = [(n, *map(bool, rest)) for n, *rest in _answers(url)]
    assert rows == [("CF-1", True, False, True, False), ("CF-2", False, True, False, True)]  # declined → false
    command.upgrade(cfg, "0014")
    assert _answers(url) == [("CF-1", "yes", "no", "yes", "no"), ("CF-2", "no", "yes", "no", "yes")]
