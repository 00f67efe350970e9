"""report days: entries, final exits and placement starts per organisation and day, kept by triggers

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-03 18:40:00

Issue 19: the placement report of one organisation must answer within 0.5 s at 1,000,000
participants. Its monthly trend and placements by type grouped the organisation's report rows by
day: for 333,000 participants three more passes over report_facts and report_placements, 0.12 s of
the page. Without a filter by counsellor or measure they are now read from `report_days`, a summary
by organisation, day and metric ('entered', 'exited' or a placement type) of a few thousand rows per
organisation.

The issue asks for a summary table "maintained in the same unit of work as the facts (never a
nightly batch that can drift)": triggers on report_facts and report_placements add each
statement's difference to it, so it changes in the statement that changes them, whatever writes
them (a unit of work's refresh, a bulk refill, a cascade from a deleted participant or placement).
PostgreSQL: statement triggers with transition tables, one upsert per statement in key order (one
lock order). SQLite: row triggers (a foreign key's cascade fires them too).

Reviewed: creates one table, two functions and six triggers (PostgreSQL) or six triggers (SQLite),
and fills the table from report_facts and report_placements in the same transaction (one grouped
INSERT each: about 2 s at 1,000,000 participants). Nothing else is written. The statements are
those of caseflow/reports/models.py (REPORT_DAYS_DDL) on the day of this revision; test_index_definitions
compares the triggers of a migrated database with a created one. Downgrade drops the triggers, the
functions and the table; the report then groups by day as before.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0026'
down_revision: str | Sequence[str] | None = '0025'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POSTGRESQL = (
    ('CREATE FUNCTION report_days_from_facts() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF TG_OP '
     "IN ('DELETE', 'UPDATE') THEN INSERT INTO report_days (organisation_id, day, metric, n) SELECT "
     'organisation_id, day, metric, -count(*) FROM (SELECT organisation_id, entry_date AS day, '
     "'entered' AS metric FROM old_rows WHERE NOT restricted UNION ALL SELECT organisation_id, "
     "exit_date, 'exited' FROM old_rows WHERE NOT restricted AND status = 'exited' AND exit_date IS "
     'NOT NULL) AS changed GROUP BY organisation_id, day, metric ORDER BY organisation_id, day, metric '
     'ON CONFLICT (organisation_id, day, metric) DO UPDATE SET n = report_days.n + excluded.n; END IF; '
     "IF TG_OP IN ('INSERT', 'UPDATE') THEN INSERT INTO report_days (organisation_id, day, metric, n) "
     'SELECT organisation_id, day, metric, count(*) FROM (SELECT organisation_id, entry_date AS day, '
     "'entered' AS metric FROM new_rows WHERE NOT restricted UNION ALL SELECT organisation_id, "
     "exit_date, 'exited' FROM new_rows WHERE NOT restricted AND status = 'exited' AND exit_date IS "
     'NOT NULL) AS changed GROUP BY organisation_id, day, metric ORDER BY organisation_id, day, metric '
     'ON CONFLICT (organisation_id, day, metric) DO UPDATE SET n = report_days.n + excluded.n; END IF; '
     'RETURN NULL; END $$'),
    ('CREATE TRIGGER report_facts_days_insert AFTER INSERT ON report_facts REFERENCING NEW TABLE AS '
     'new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_days_from_facts()'),
    ('CREATE TRIGGER report_facts_days_update AFTER UPDATE ON report_facts REFERENCING OLD TABLE AS '
     'old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_days_from_facts()'),
    ('CREATE TRIGGER report_facts_days_delete AFTER DELETE ON report_facts REFERENCING OLD TABLE AS '
     'old_rows FOR EACH STATEMENT EXECUTE FUNCTION report_days_from_facts()'),
    ('CREATE FUNCTION report_days_from_placements() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF '
     "TG_OP IN ('DELETE', 'UPDATE') THEN INSERT INTO report_days (organisation_id, day, metric, n) "
     'SELECT organisation_id, start_date, type, -count(*) FROM old_rows WHERE NOT restricted GROUP BY '
     'organisation_id, start_date, type ORDER BY organisation_id, start_date, type ON CONFLICT '
     '(organisation_id, day, metric) DO UPDATE SET n = report_days.n + excluded.n; END IF; IF TG_OP IN '
     "('INSERT', 'UPDATE') THEN INSERT INTO report_days (organisation_id, day, metric, n) SELECT "
     'organisation_id, start_date, type, count(*) FROM new_rows WHERE NOT restricted GROUP BY '
     'organisation_id, start_date, type ORDER BY organisation_id, start_date, type ON CONFLICT '
     '(organisation_id, day, metric) DO UPDATE SET n = report_days.n + excluded.n; END IF; RETURN '
     'NULL; END $$'),
    ('CREATE TRIGGER report_placements_days_insert AFTER INSERT ON report_placements REFERENCING NEW '
     'TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_days_from_placements()'),
    ('CREATE TRIGGER report_placements_days_update AFTER UPDATE ON report_placements REFERENCING OLD '
     'TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION '
     'report_days_from_placements()'),
    ('CREATE TRIGGER report_placements_days_delete AFTER DELETE ON report_placements REFERENCING OLD '
     'TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION report_days_from_placements()'),
)

SQLITE = (
    ('CREATE TRIGGER report_facts_days_insert AFTER INSERT ON report_facts BEGIN INSERT INTO '
     'report_days (organisation_id, day, metric, n) SELECT new.organisation_id, new.entry_date, '
     "'entered', 1 WHERE NOT new.restricted ON CONFLICT (organisation_id, day, metric) DO UPDATE SET n "
     '= report_days.n + excluded.n; INSERT INTO report_days (organisation_id, day, metric, n) SELECT '
     "new.organisation_id, new.exit_date, 'exited', 1 WHERE NOT new.restricted AND new.status = "
     "'exited' AND new.exit_date IS NOT NULL ON CONFLICT (organisation_id, day, metric) DO UPDATE SET "
     'n = report_days.n + excluded.n; END'),
    ('CREATE TRIGGER report_facts_days_update AFTER UPDATE ON report_facts BEGIN INSERT INTO '
     'report_days (organisation_id, day, metric, n) SELECT old.organisation_id, old.entry_date, '
     "'entered', -1 WHERE NOT old.restricted ON CONFLICT (organisation_id, day, metric) DO UPDATE SET "
     'n = report_days.n + excluded.n; INSERT INTO report_days (organisation_id, day, metric, n) SELECT '
     "old.organisation_id, old.exit_date, 'exited', -1 WHERE NOT old.restricted AND old.status = "
     "'exited' AND old.exit_date IS NOT NULL ON CONFLICT (organisation_id, day, metric) DO UPDATE SET "
     'n = report_days.n + excluded.n; INSERT INTO report_days (organisation_id, day, metric, n) SELECT '
     "new.organisation_id, new.entry_date, 'entered', 1 WHERE NOT new.restricted ON CONFLICT "
     '(organisation_id, day, metric) DO UPDATE SET n = report_days.n + excluded.n; INSERT INTO '
     'report_days (organisation_id, day, metric, n) SELECT new.organisation_id, new.exit_date, '
     "'exited', 1 WHERE NOT new.restricted AND new.status = 'exited' AND new.exit_date IS NOT NULL ON "
     'CONFLICT (organisation_id, day, metric) DO UPDATE SET n = report_days.n + excluded.n; END'),
    ('CREATE TRIGGER report_facts_days_delete AFTER DELETE ON report_facts BEGIN INSERT INTO '
     'report_days (organisation_id, day, metric, n) SELECT old.organisation_id, old.entry_date, '
     "'entered', -1 WHERE NOT old.restricted ON CONFLICT (organisation_id, day, metric) DO UPDATE SET "
     'n = report_days.n + excluded.n; INSERT INTO report_days (organisation_id, day, metric, n) SELECT '
     "old.organisation_id, old.exit_date, 'exited', -1 WHERE NOT old.restricted AND old.status = "
     "'exited' AND old.exit_date IS NOT NULL ON CONFLICT (organisation_id, day, metric) DO UPDATE SET "
     'n = report_days.n + excluded.n; END'),
    ('CREATE TRIGGER report_placements_days_insert AFTER INSERT ON report_placements BEGIN INSERT INTO '
     'report_days (organisation_id, day, metric, n) SELECT new.organisation_id, new.start_date, '
     'new.type, 1 WHERE NOT new.restricted ON CONFLICT (organisation_id, day, metric) DO UPDATE SET n '
     '= report_days.n + excluded.n; END'),
    ('CREATE TRIGGER report_placements_days_update AFTER UPDATE ON report_placements BEGIN INSERT INTO '
     'report_days (organisation_id, day, metric, n) SELECT old.organisation_id, old.start_date, '
     'old.type, -1 WHERE NOT old.restricted ON CONFLICT (organisation_id, day, metric) DO UPDATE SET n '
     '= report_days.n + excluded.n; INSERT INTO report_days (organisation_id, day, metric, n) SELECT '
     'new.organisation_id, new.start_date, new.type, 1 WHERE NOT new.restricted ON CONFLICT '
     '(organisation_id, day, metric) DO UPDATE SET n = report_days.n + excluded.n; END'),
    ('CREATE TRIGGER report_placements_days_delete AFTER DELETE ON report_placements BEGIN INSERT INTO '
     'report_days (organisation_id, day, metric, n) SELECT old.organisation_id, old.start_date, '
     'old.type, -1 WHERE NOT old.restricted ON CONFLICT (organisation_id, day, metric) DO UPDATE SET n '
     '= report_days.n + excluded.n; END'),
)

TRIGGERS = [f"{table}_days_{event}" for table in ("report_facts", "report_placements")
            for event in ("insert", "update", "delete")]


def upgrade() -> None:
    op.create_table(
        'report_days',
        sa.Column('organisation_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('metric', sa.String(length=32), nullable=False, comment="'entered', 'exited' or a placement type"),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('organisation_id', 'day', 'metric', name=op.f('pk_report_days')),
    )
    dialect = op.get_bind().dialect.name
    for statement in POSTGRESQL if dialect == 'postgresql' else SQLITE:
        op.execute(statement)
    # what the triggers would have written had they been there from the start
    op.execute(
        "INSERT INTO report_days (organisation_id, day, metric, n) "
        "SELECT organisation_id, day, metric, count(*) FROM ("
        "SELECT organisation_id, entry_date AS day, 'entered' AS metric FROM report_facts WHERE NOT restricted "
        "UNION ALL SELECT organisation_id, exit_date, 'exited' FROM report_facts "
        "WHERE NOT restricted AND status = 'exited' AND exit_date IS NOT NULL "
        "UNION ALL SELECT organisation_id, start_date, type FROM report_placements WHERE NOT restricted"
        ") AS counted GROUP BY organisation_id, day, metric")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for trigger in TRIGGERS:
        table = trigger.rsplit('_days_', 1)[0]
        op.execute(f"DROP TRIGGER {trigger} ON {table}" if dialect == 'postgresql' else f"DROP TRIGGER {trigger}")
    if dialect == 'postgresql':
        op.execute("DROP FUNCTION report_days_from_facts()")
        op.execute("DROP FUNCTION report_days_from_placements()")
    op.drop_table('report_days')
