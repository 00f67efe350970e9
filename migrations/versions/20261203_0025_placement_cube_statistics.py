"""placement cube statistics: the number of combinations of the placement report's grouping columns (PostgreSQL)

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-03 16:00:00

Issue 19: the placement report of one organisation must answer within 0.5 s at 1,000,000
participants. Its per-participant pass groups report_facts by organisation, gender, age band,
nationality, residence status and German level together. PostgreSQL multiplies the columns' own
numbers of values to estimate the groups: 44,278 for a 333,000-participant organisation, where there
are 3,320. With that estimate the parallel grouping looked barely cheaper than grouping in one
process, and small changes of the query or a new ANALYZE sample flipped the plan (0.16 s parallel,
0.25 s in one process). Extended statistics of the columns' combinations (ndistinct) bring the
estimate to about 4,900 and keep the parallel plan.

Reviewed: creates a statistics object only (no data touched, no lock beyond a moment's). It is
filled at the next ANALYZE (autovacuum's, or run `ANALYZE report_facts` after upgrading: about 1 s
at 1,000,000 participants). SQLite: nothing. Downgrade drops the object.
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0025'
down_revision: str | Sequence[str] | None = '0024'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute("CREATE STATISTICS report_facts_placement_cube (ndistinct) "
               "ON organisation_id, gender, age_band, nationality, residence_status, german_level FROM report_facts")


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute("DROP STATISTICS report_facts_placement_cube")
