"""search list index: an organisation's cases by id with their status and search key (PostgreSQL)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-01 03:30:00

Issue 19: a search at 1,000,000 participants must answer in the time it takes at 100,000 (within a
factor 1.5). A search that matches many people now reads its page in the list's order and stops
after the rows it needs (participants/search.py ranked_page) instead of ranking and counting every
match. The API lists an organisation's cases by id: `ix_participants_search_list` on
(organisation_id, id), partial (anonymised cases are never listed), with status and search_key
included, lets PostgreSQL walk the organisation's cases in that order and check each search key in
the index itself (an index-only scan), without reading a table row per case it passes.

Reviewed: CREATE INDEX only, no data touched. Building it reads the participants table once and
blocks writes to it meanwhile (3 s at 1,000,000 participants; 110 MB). A large database can build
it beforehand without blocking writes:
`CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_participants_search_list ON participants (organisation_id, id)
INCLUDE (status, search_key) WHERE anonymised_at IS NULL;` the migration then finds it. SQLite: nothing
(its search uses the FTS5 tables). Downgrade drops it.
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0021'
down_revision: str | Sequence[str] | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute("CREATE INDEX IF NOT EXISTS ix_participants_search_list ON participants (organisation_id, id) "
               "INCLUDE (status, search_key) WHERE anonymised_at IS NULL")


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute("DROP INDEX IF EXISTS ix_participants_search_list")
