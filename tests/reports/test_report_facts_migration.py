"""Migration 0018 (report facts, issue 19): the upgrade fills the table from the histories already
there, with the application's own definitions; down drops it (derived data, nothing lost); up again
fills it again. On SQLite and, with TEST_DATABASE_URL, on PostgreSQL."""
from __future__ import annotations

from alembic import command

from tests.databases import alembic_config, run_sql, table_names

FACTS = ("SELECT leaving_status, follow_up_status, qualified, placed_exit, six_month_follow_up, minutes, "
         "organisation_id, status, exit_date, age_band, residence_status, long_term_unemployed_eu, no_isced "
         "FROM report_facts ORDER BY participant_id")


def test_up_fills_the_facts_down_drops_them_up_again(empty_database):
    url, cfg = empty_database, alembic_config(empty_database)
    command.upgrade(cfg, "0017")
    run_sql(url, "INSERT INTO organisations (name, created_at) VALUES ('Träger A', CURRENT_TIMESTAMP)")
    org = run_sql(url, "SELECT id FROM organisations")[0][0]
    for case, status, exit_date in (("CF-1", "exited", "2024-06-30"), ("CF-2", "active", None)):
        run_sql(url, "INSERT INTO participants (organisation_id, case_number, first_name, last_name, date_of_birth, "
                  "birth_year, age_at_entry, gender, nationality, entry_date, labour_status_at_entry, "
                  "unemployed_since, status, exit_date, version, created_at, updated_at, duplicate_key, search_key) "
                  "VALUES (:org, :case, 'A', 'B', '1990-01-01', 1990, 34, 'female', 'SY', '2024-01-01', "
                  "'unemployed', '2022-01-01', :status, :exit, 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 'ab', 'ab')",
                org=org, case=case, status=status, exit=exit_date)
    first = run_sql(url, "SELECT id FROM participants WHERE case_number = 'CF-1'")[0][0]
    for day, status in (("2024-01-01", "unemployed"), ("2024-07-10", "employed"), ("2024-08-01", "unemployed")):
        run_sql(url, "INSERT INTO status_changes (participant_id, date, status, source, created_at) "
                  "VALUES (:p, :d, :s, 'manual', CURRENT_TIMESTAMP)", p=first, d=day, s=status)
    run_sql(url, "INSERT INTO follow_ups (participant_id, kind, date, status, created_at) "
              "VALUES (:p, 'six_months', '2025-01-05', 'employed', CURRENT_TIMESTAMP)", p=first)
    run_sql(url, "INSERT INTO certificates (participant_id, date, title, created_at) "
              "VALUES (:p, '2024-07-20', 'Deutsch B2', CURRENT_TIMESTAMP)", p=first)
    run_sql(url, "INSERT INTO notes (participant_id, date, kind, minutes, text, created_at, version) "
              "VALUES (:p, '2024-02-03', 'meeting', 45, 'Beratung', CURRENT_TIMESTAMP, 1)", p=first)

    command.upgrade(cfg, "0018")
    expected = [
        # status upon leaving: the record of 10 July (within exit + 28 days), not the later one
        ("employed", "employed", True, False, True, 45, org, "exited", "2024-06-30", "30_54", "unknown", True, True),
        (None, None, False, False, False, 0, org, "active", None, "30_54", "unknown", True, True),
    ]

    def rows():
        return [tuple(bool(v) if i in (2, 3, 4, 11, 12) else (str(v) if i == 8 and v is not None else v)
                      for i, v in enumerate(r)) for r in run_sql(url, FACTS)]

    assert rows() == expected

    command.downgrade(cfg, "0017")
    assert "report_facts" not in table_names(url)
    command.upgrade(cfg, "head")
    assert rows() == expected

    # revision 0026: the summary by day is filled from the facts already there, and dropped and
    # filled again with the way down and up
    days = "SELECT organisation_id, day, metric, n FROM report_days WHERE n <> 0 ORDER BY day, metric"
    expected_days = [(org, "2024-01-01", "entered", 2), (org, "2024-06-30", "exited", 1)]
    assert [(o, str(d), m, n) for o, d, m, n in run_sql(url, days)] == expected_days
    command.downgrade(cfg, "0025")
    assert "report_days" not in table_names(url)
    command.upgrade(cfg, "head")
    assert [(o, str(d), m, n) for o, d, m, n in run_sql(url, days)] == expected_days
    # and from then on the triggers keep it: the active case leaves, the exited one is deleted
    run_sql(url, "UPDATE report_facts SET status = 'exited', exit_date = '2024-09-30' WHERE participant_id <> :p", p=first)
    run_sql(url, "DELETE FROM participants WHERE id = :p", p=first)
    assert [(o, str(d), m, n) for o, d, m, n in run_sql(url, days)] == [
        (org, "2024-01-01", "entered", 1), (org, "2024-09-30", "exited", 1)]
