"""placement cube key: the placement report's five grouping columns as one value on report_facts

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-03 19:00:00

Issue 19: the placement report of one organisation must answer within 0.5 s at 1,000,000
participants. Its per-participant pass grouped the organisation's 333,000 report rows by
organisation, gender, age band, nationality, residence status and German level: five text values
to hash and compare per row. `cube_key` holds the five joined by '|' (caseflow/reports/facts.py:
cube_key, one definition; the report splits the few thousand groups again), and the pass groups
by organisation and key: 0.20 → 0.12 s on a kept 1M database. On PostgreSQL the covering index
ix_report_facts_organisation includes the key instead of the five columns, and the statistics of
the cube's column combinations (revision 0025) are built on organisation and key.

Reviewed:
- fills the key from the five columns of every row, in one UPDATE (about 30 s at 1,000,000
  participants; the report_days triggers of revision 0026 see every row change and add nothing in
  sum). Writes to report_facts wait meanwhile.
- PostgreSQL: rebuilds ix_report_facts_organisation (a few seconds; DROP INDEX locks report_facts
  until the commit, so reports wait) and the statistics object, which is filled at the next
  ANALYZE. The index is built in the transaction that rewrote every row, so it also holds the rows'
  old versions (153 MB instead of 95 at 1,000,000 participants, and the placement report reads
  twice the pages): run `REINDEX INDEX ix_report_facts_organisation; VACUUM ANALYZE report_facts;`
  after upgrading (a few seconds; docs/operations.md).
- SQLite cannot add a NOT NULL column without a default, nor drop a default without rebuilding
  the table (which would drop revision 0026's triggers): the column keeps DEFAULT '' there. The
  application always writes the key (report_facts is filled by INSERT … SELECT from fact_select()).
- Downgrade drops the column and restores the index and statistics of revision 0025.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0027'
down_revision: str | Sequence[str] | None = '0026'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COMMENT = "gender|age_band|nationality|residence_status|german_level: what the placement report groups by"
INCLUDE_0025 = ("restricted, exit_date, status, placed_exit, follow_up_status, gender, age_band, nationality, "
                "residence_status, german_level, measure_types, counsellor_id")
INCLUDE_0027 = "restricted, exit_date, status, placed_exit, follow_up_status, cube_key, measure_types, counsellor_id"


def _organisation_index(include: str) -> None:
    op.execute("DROP INDEX ix_report_facts_organisation")
    op.execute("CREATE INDEX ix_report_facts_organisation ON report_facts (organisation_id, entry_date) "
               f"INCLUDE ({include})")


def _cube_statistics(columns: str) -> None:
    op.execute("DROP STATISTICS report_facts_placement_cube")
    op.execute(f"CREATE STATISTICS report_facts_placement_cube (ndistinct) ON {columns} FROM report_facts")


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == 'postgresql'
    if postgres:
        op.add_column('report_facts', sa.Column('cube_key', sa.String(length=160), nullable=True, comment=COMMENT))
    else:
        op.add_column('report_facts', sa.Column('cube_key', sa.String(length=160), nullable=False,
                                                server_default='', comment=COMMENT))
    op.execute("UPDATE report_facts SET cube_key = gender || '|' || age_band || '|' || nationality || '|' "
               "|| residence_status || '|' || german_level")
    if postgres:
        op.alter_column('report_facts', 'cube_key', nullable=False, existing_type=sa.String(length=160),
                        existing_comment=COMMENT)
        _organisation_index(INCLUDE_0027)
        _cube_statistics("organisation_id, cube_key")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        _cube_statistics("organisation_id, gender, age_band, nationality, residence_status, german_level")
        _organisation_index(INCLUDE_0025)
    op.drop_column('report_facts', 'cube_key')
