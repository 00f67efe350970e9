"""search key statistics: 500 histogram entries for the planner's estimate of a search (PostgreSQL)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03 13:10:00

Issue 19: a search at 1,000,000 participants must answer in the time it takes at 100,000. PostgreSQL
estimates the share of participants a search word matches from the search key's histogram (the
default statistics target keeps 100 entries). For a word held by about 2 % of the keys ("ova") none
of the 100 entries matched in two of six ANALYZE runs of one 1,000,000-participant database: the
planner then expected 33 matches instead of about 6,000 and fetched and sorted all of them (44-46 ms
in earlier benchmark runs) instead of walking the list's index and stopping after the first 101
(3 ms). With 500 entries the estimate stayed between 5,363 and 10,069 in eight runs and the plan
never changed.

Reviewed: sets the column's statistics target only, no data touched, no lock beyond a moment's
(SHARE UPDATE EXCLUSIVE). It takes effect at the next ANALYZE (autovacuum's, or run `ANALYZE
participants` after upgrading: 6 s at 1,000,000 participants instead of 1 s, as the sample grows to
150,000 rows). SQLite: nothing. Downgrade returns the column to the server's default (-1).
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0024'
down_revision: str | Sequence[str] | None = '0023'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute("ALTER TABLE participants ALTER COLUMN search_key SET STATISTICS 500")


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute("ALTER TABLE participants ALTER COLUMN search_key SET STATISTICS -1")
