"""saved caseload filters per account

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 21:21:52

Reviewed (issue 15, "saved filters per account"): one new table, nothing existing changes.
`saved_filters` holds an account's named caseload filter sets: the non-personal query-string
filters as JSON (status, counsellor, measure, nationality, sort, dir; never a search term, which is
personal data and stays on the login's session row), unique per (account, name), deleted with the
account (ON DELETE CASCADE). The unique constraint's index (user_id first) serves the list of an
account's filters.
Downgrade drops the table: every saved filter is lost (nothing else refers to it).
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0017'
down_revision: str | Sequence[str] | None = '0016'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('saved_filters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('filters', sa.JSON(), nullable=False, comment="the caseload's query-string filters (status, counsellor, measure, nationality, sort, dir), read back through the caseload's own parser; never a search term"),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_saved_filters_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_filters')),
    sa.UniqueConstraint('user_id', 'name', name=op.f('uq_saved_filters_user_id'))
    )


def downgrade() -> None:
    op.drop_table('saved_filters')
