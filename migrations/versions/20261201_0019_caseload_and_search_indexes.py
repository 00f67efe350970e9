"""caseload and search indexes: names in the reader's collation, nationalities in use, search by organisation

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 00:40:00

Issue 19. Since issue 15 the caseload sorts names by collation.sort_key() (Çelik between C and D),
but its two indexes (0004) still held lower(last_name), lower(first_name): PostgreSQL could no longer
read a page in index order and folded and sorted every case of the caseload for each page (0.5 to
0.7 s for a counsellor's 57,000 active cases at 1,000,000 participants; 25 ms after). On PostgreSQL both indexes are
built again on the expression the query sorts by (frozen here as collation.py compiles it today; a
change of its folding table needs a migration like this one). SQLite keeps the lower() indexes
(models.py says why): nothing changes there.

The nationality filter's choices (queries.nationalities_in_use) are found one by one, each the
next after the last: ix_participants_organisation_nationality becomes partial (anonymised cases
left out) on (organisation_id, nationality), both databases, so that each is one index probe
(40 ms before, reading every case of a 333,000-case organisation; under 1 ms after).

The participant search's trigram index on PostgreSQL also holds the organisation (extension
btree_gin, trusted like pg_trgm), which every search is narrowed to: `ix_participants_search_trgm`
(organisation_id, search_key gin_trgm_ops) replaces `ix_participants_search_key_trgm`, so that a
search finds one organisation's matches only instead of ANDing all matches with a bitmap of every
case of the organisation (30 ms of "Haddad" at 1,000,000 participants, and twice the table rows).
A new name, so that a large database can build it beforehand without blocking writes:
`CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_participants_search_trgm ON participants USING gin
(organisation_id, search_key gin_trgm_ops);` (after `CREATE EXTENSION IF NOT EXISTS btree_gin`);
the migration then finds it (20 s at 1,000,000 participants otherwise).

Reviewed: DROP/CREATE INDEX (and CREATE EXTENSION) only, no data touched; the same index names but
the search's. Building them reads the
participants table once each and blocks writes to it meanwhile (some seconds per million rows: 9 s
for each caseload index at 1,000,000 participants). Downgrade builds the 0003/0004/0011 definitions
again and drops btree_gin.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0019'
down_revision: str | Sequence[str] | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOT_ANONYMISED = sa.text('anonymised_at IS NULL')

_LETTERS = ('àáâãäåāăąǎÀÁÂÃÄÅĀĂĄǍçćĉċčÇĆĈĊČďđĎĐèéêëēĕėęěÈÉÊËĒĔĖĘĚĝğġģĜĞĠĢĥħĤĦìíîïīĭįıÌÍÎÏĪĬĮİĵĴķĶĺļľŀłĹĻĽĿŁñńņňŉ'
            'ÑŃŅŇòóôõöøōŏőÒÓÔÕÖØŌŎŐŕŗřŔŖŘśŝşšșŚŜŞŠȘţťŧțŢŤŦȚùúûüũūŭůűųÙÚÛÜŨŪŬŮŰŲŵŴýÿŷÝŸŶźżžŹŻŽ')
_BASES = ('aaaaaaaaaaAAAAAAAAAAcccccCCCCCddDDeeeeeeeeeEEEEEEEEEggggGGGGhhHHiiiiiiiiIIIIIIIIjJkKlllllLLLLLnnnnn'
          'NNNNoooooooooOOOOOOOOOrrrRRRsssssSSSSSttttTTTTuuuuuuuuuuUUUUUUUUUUwWyyyYYYzzzZZZ')
_LIGATURES = (('ß', 'ss'), ('æ', 'ae'), ('Æ', 'ae'), ('œ', 'oe'), ('Œ', 'oe'), ('þ', 'th'), ('Þ', 'th'))


def _sort_key(column: str) -> sa.TextClause:
    """collation.sort_key(column) as compiled for PostgreSQL on 2026-12-01."""
    expr = f"translate(coalesce({column}, ''), '{_LETTERS}', '{_BASES}')"
    for letter, base in _LIGATURES:
        expr = f"replace({expr}, '{letter}', '{base}')"
    return sa.text(f"lower({expr})")


def _replace(*, counsellor: list, organisation: list) -> None:
    op.drop_index('ix_participants_caseload', table_name='participants')
    op.drop_index('ix_participants_caseload_organisation', table_name='participants')
    op.create_index('ix_participants_caseload', 'participants', ['counsellor_id', 'status', 'organisation_id', *counsellor, 'id'],
                    unique=False, postgresql_where=NOT_ANONYMISED)
    op.create_index('ix_participants_caseload_organisation', 'participants', ['organisation_id', 'status', *organisation, 'id'],
                    unique=False, postgresql_where=NOT_ANONYMISED)


def upgrade() -> None:
    op.drop_index('ix_participants_organisation_nationality', table_name='participants')
    op.create_index('ix_participants_organisation_nationality', 'participants', ['organisation_id', 'nationality'],
                    unique=False, postgresql_where=NOT_ANONYMISED, sqlite_where=NOT_ANONYMISED)
    if op.get_bind().dialect.name != 'postgresql':
        return
    names = [_sort_key('last_name'), _sort_key('first_name')]
    _replace(counsellor=names, organisation=names)
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    op.execute("CREATE INDEX IF NOT EXISTS ix_participants_search_trgm ON participants "
               "USING gin (organisation_id, search_key gin_trgm_ops)")
    op.execute("DROP INDEX IF EXISTS ix_participants_search_key_trgm")


def downgrade() -> None:
    op.drop_index('ix_participants_organisation_nationality', table_name='participants')
    op.create_index('ix_participants_organisation_nationality', 'participants',
                    ['organisation_id', 'anonymised_at', 'nationality'], unique=False)
    if op.get_bind().dialect.name != 'postgresql':
        return
    names = [sa.literal_column('lower(last_name)'), sa.literal_column('lower(first_name)')]
    _replace(counsellor=names, organisation=names)
    op.execute("CREATE INDEX IF NOT EXISTS ix_participants_search_key_trgm ON participants "
               "USING gin (search_key gin_trgm_ops)")
    op.execute("DROP INDEX IF EXISTS ix_participants_search_trgm")
    op.execute("DROP EXTENSION IF EXISTS btree_gin")
