"""caseload name-order indexes on the cheaper sort key: lower() alone for a name of ASCII characters (PostgreSQL)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02 08:30:00

Issue 19: the header's quick search for a surname under 50 ms at 1,000,000 participants. For a
search in name order PostgreSQL either walks the caseload's index or finds every match through the
trigram index and sorts them (participants/search.py, ranked_page; which one depends on its
estimate). Sorting needs each match's sort key, and collation.sort_key's translate() over the
folding table cost about 8 µs a name: 26 ms for the last names alone of a surname's 3,395
matches. A name of ASCII
characters only has nothing to fold, and its key is lower() of it (`substring(name,
'^[[:ascii:]]*$')` is the name when it is all ASCII, else NULL, and COALESCE folds only then): the
same value, in a fraction of the time. The indexes hold the expression the queries sort by, so
both are built again on it.

Reviewed: DROP/CREATE INDEX only, no data touched; the keys' values are the same as before (tested
against revision 0019's frozen key for ASCII names, names with letters to fold, other scripts,
newlines and control characters). The migration runs in one transaction: DROP INDEX holds an
ACCESS EXCLUSIVE lock on participants until it commits, so reads and writes of participants wait
while both indexes are built (a few seconds each at 1,000,000 participants on the machine of the
README's figures, where the old expression took about 8 s each); no session sees them missing. SQLite: nothing (its sort key is a Python function, collation.py).
Downgrade builds the 0022 definitions again.
"""
import importlib.util
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision: str = '0023'
down_revision: str | Sequence[str] | None = '0022'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOT_ANONYMISED = sa.text('anonymised_at IS NULL')
INCLUDED = ['search_key', 'last_name', 'first_name']


def _revision_0019():
    spec = importlib.util.spec_from_file_location(
        '_revision_0019', Path(__file__).with_name('20261201_0019_caseload_and_search_indexes.py'))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _translated(column: str) -> str:
    """The folding of revision 0019's key (collation.sort_key on 2026-12-01), without its lower()."""
    return _revision_0019()._sort_key(column).text.removeprefix('lower(').removesuffix(')')


def _sort_key(column: str) -> sa.TextClause:
    """collation.sort_key(column) as compiled for PostgreSQL on 2026-12-02."""
    return sa.text(f"coalesce(lower(substring(coalesce({column}, ''), '^[[:ascii:]]*$')), "
                   f"lower({_translated(column)}))")


def _caseload_indexes(sort_key) -> None:
    names = [sort_key('last_name'), sort_key('first_name'), 'id']
    op.drop_index('ix_participants_caseload', table_name='participants')
    op.drop_index('ix_participants_caseload_organisation', table_name='participants')
    op.create_index('ix_participants_caseload', 'participants', ['counsellor_id', 'status', 'organisation_id', *names],
                    unique=False, postgresql_where=NOT_ANONYMISED, postgresql_include=INCLUDED)
    op.create_index('ix_participants_caseload_organisation', 'participants', ['organisation_id', *names], unique=False,
                    postgresql_where=NOT_ANONYMISED, postgresql_include=['status', *INCLUDED])


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    _caseload_indexes(_sort_key)


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    _caseload_indexes(_revision_0019()._sort_key)
