"""caseload name-order indexes on the cheaper sort key: lower() alone for a name of ASCII characters (PostgreSQL)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02 08:30:00

Issue 19: the header's quick search for a surname under 50 ms at 1,000,000 participants. For a
search in name order PostgreSQL either walks the caseload's index or finds every match through the
trigram index and sorts them (participants/search.py, ranked_page; which one depends on its
estimate). Sorting needs each match's sort key, and collation.sort_key's translate() over the
folding table cost about 8 µs a name: 26 ms for the last names alone of a surname's 3,395
matches. A name of ASCII characters only has nothing to fold, and its key is lower() of it
(`substring(name, '^[[:ascii:]]*$')` is the name when it is all ASCII, else NULL, and COALESCE
folds only then): the same value, in a fraction of the time. The indexes hold the expression the
queries sort by, so both are built again on it.

Reviewed: DROP/CREATE INDEX only, no data touched; the keys' values are the same as before (tested
against revision 0019's frozen key for ASCII names, names with letters to fold, other scripts,
newlines and control characters). The migration runs in one transaction: DROP INDEX holds an
ACCESS EXCLUSIVE lock on participants until it commits, so reads and writes of participants wait
while both indexes are built (a few seconds each at 1,000,000 participants on the machine of the
README's figures, where the old expression took about 8 s each); no session sees them missing.
SQLite: nothing (its sort key is a Python function, collation.py). Downgrade is revision 0022's
upgrade: its definitions again.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

revision: str = '0023'
down_revision: str | Sequence[str] | None = '0022'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOT_ANONYMISED = sa.text('anonymised_at IS NULL')
INCLUDED = ['search_key', 'last_name', 'first_name']


def _revision(rev: str):
    """An earlier revision's module, as Alembic loaded it."""
    return context.script.get_revision(rev).module


def _sort_key(column: str) -> sa.TextClause:
    """collation.sort_key(column) as compiled for PostgreSQL on 2026-12-02: revision 0019's folding
    (collation.sort_key on 2026-12-01), for names that are not all ASCII."""
    folded = _revision('0019')._sort_key(column).text.removeprefix('lower(').removesuffix(')')
    return sa.text(f"coalesce(lower(substring(coalesce({column}, ''), '^[[:ascii:]]*$')), lower({folded}))")


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    names = [_sort_key('last_name'), _sort_key('first_name'), 'id']
    op.drop_index('ix_participants_caseload', table_name='participants')
    op.drop_index('ix_participants_caseload_organisation', table_name='participants')
    op.create_index('ix_participants_caseload', 'participants', ['counsellor_id', 'status', 'organisation_id', *names],
                    unique=False, postgresql_where=NOT_ANONYMISED, postgresql_include=INCLUDED)
    op.create_index('ix_participants_caseload_organisation', 'participants', ['organisation_id', *names], unique=False,
                    postgresql_where=NOT_ANONYMISED, postgresql_include=['status', *INCLUDED])


def downgrade() -> None:
    _revision('0022').upgrade()  # (PostgreSQL only, as this one)
