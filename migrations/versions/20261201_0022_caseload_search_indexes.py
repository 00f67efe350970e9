"""caseload search indexes: the caseload's name-order indexes hold the search key, the organisation's every status (PostgreSQL)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-01 04:00:00

Issue 19: the caseload page's searches under 50 ms at 1,000,000 participants. A search in name
order reads its first matches by walking the caseload's name-order index and stops
(participants/search.py ranked_page), but each case it passed cost a table row to check the search
key, and the header's quick search (the whole organisation, all statuses) had no index in name
order at all: PostgreSQL found every match and sorted them ("al": 25,000 table rows, 0.5 to 0.7 s).

- ix_participants_caseload is built again with INCLUDE (search_key, last_name, first_name): the
  walk checks the key in the index (an index-only scan; the names are there because the sort key
  expressions read them). A counsellor's own cases, the first matches of a surname: 62 -> 8 ms.
- ix_participants_caseload_organisation loses the status before the names (status is included
  with the same columns), so that it also serves the header's quick search, the whole
  organisation in every status ("al": 0.5 s -> 10 to 20 ms); a list of one status walks it past
  the other status's cases (about half of them at the demo's shares), checked in the index.

Reviewed: DROP/CREATE INDEX only, no data touched. Building them reads the participants table once
each and blocks writes meanwhile (12 to 15 s each at 1,000,000 participants; 140 MB each; the
caseload's list is sorted while they are missing). SQLite: nothing (it sorts the caseload, models.py
says why). Downgrade builds the 0019 definitions again.
"""
import importlib.util
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision: str = '0022'
down_revision: str | Sequence[str] | None = '0021'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOT_ANONYMISED = sa.text('anonymised_at IS NULL')
INCLUDED = ['search_key', 'last_name', 'first_name']


def _names() -> list:
    """The name-order key as revision 0019 froze it (collation.sort_key on 2026-12-01), and the id."""
    spec = importlib.util.spec_from_file_location(
        '_revision_0019', Path(__file__).with_name('20261201_0019_caseload_and_search_indexes.py'))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [module._sort_key('last_name'), module._sort_key('first_name'), 'id']


def _caseload_indexes(*, organisation: list, included: list[str], organisation_included: list[str]) -> None:
    names = _names()
    op.drop_index('ix_participants_caseload', table_name='participants')
    op.drop_index('ix_participants_caseload_organisation', table_name='participants')
    op.create_index('ix_participants_caseload', 'participants', ['counsellor_id', 'status', 'organisation_id', *names],
                    unique=False, postgresql_where=NOT_ANONYMISED, postgresql_include=included)
    op.create_index('ix_participants_caseload_organisation', 'participants', [*organisation, *names], unique=False,
                    postgresql_where=NOT_ANONYMISED, postgresql_include=organisation_included)


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    _caseload_indexes(organisation=['organisation_id'], included=INCLUDED, organisation_included=['status', *INCLUDED])


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    _caseload_indexes(organisation=['organisation_id', 'status'], included=[], organisation_included=[])
