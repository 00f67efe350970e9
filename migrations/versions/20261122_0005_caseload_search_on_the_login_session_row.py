"""caseload search on the login's server-side session row

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22 06:30:00

The caseload's name search was kept in the signed (readable) session cookie; it now lives on the
`user_sessions` row, which logout, expiry and a password change delete.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | Sequence[str] | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Reviewed: one nullable column, no default, no data to move (searches held in cookies are
    # simply not carried over: the user searches again).
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'caseload_search', sa.String(length=100), nullable=True,
            comment="the caseload's name search of this login: kept here, not in the address or the cookie, "
                    "and deleted with the session"))


def downgrade() -> None:
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_column('caseload_search')
