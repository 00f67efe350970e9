"""accounts for real use: mail links, two-factor sign-in, an atomic login throttle, session details

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 18:00:00

Review notes:
- `login_throttles`: one row per login name (keyed digest), taken with an atomic conditional
  UPDATE before a password or code is checked (issue 20.1: the lockout could be raced). New table,
  nothing to move; the old `login_attempts` rows stay (per-address limit and history).
- `account_links`: invitation and password-reset links, stored as SHA-256 of the token only.
- `recovery_codes`: the second factor's single-use codes, argon2-hashed.
- `users`: TOTP secret (AES-GCM ciphertext), its key id, when it was confirmed, and the last
  accepted 30-second step (replay guard). All nullable: existing accounts have no second factor.
- `organisations.require_2fa`: false for every existing organisation.
- `user_sessions.device` / `address`: shown on the account page; NULL for sessions started
  before this revision.
Downgrade drops all of it: links, recovery codes and second factors are lost (accounts keep their
passwords and log in with the password alone again); sessions and organisations are kept.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | Sequence[str] | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'login_throttles',
        sa.Column('email_digest', sa.String(length=64), nullable=False,
                  comment='HMAC-SHA256 of the lower-cased email'),
        sa.Column('failures', sa.Integer(), server_default='0', nullable=False,
                  comment='checks taken (running or failed) in this window'),
        sa.Column('window_started_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('email_digest', name=op.f('pk_login_throttles')),
    )
    op.create_table(
        'account_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.Enum('invitation', 'password_reset', name='account_link_purpose',
                                     native_enum=False, create_constraint=True, length=32), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False, comment='SHA-256 of the token'),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True,
                  comment='set when used, or when the password changed otherwise (the link is void)'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_account_links_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_account_links')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_account_links_token_hash')),
    )
    op.create_index(op.f('ix_account_links_user_id'), 'account_links', ['user_id'], unique=False)
    op.create_table(
        'recovery_codes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=255), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recovery_codes_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_codes')),
    )
    op.create_index(op.f('ix_recovery_codes_user_id'), 'recovery_codes', ['user_id'], unique=False)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_secret', sa.LargeBinary(), nullable=True,
                                      comment='TOTP secret, AES-GCM under the DOCUMENT_KEY key named by totp_key_id'))
        batch_op.add_column(sa.Column('totp_key_id', sa.String(length=8), nullable=True,
                                      comment='id of the key totp_secret is under'))
        batch_op.add_column(sa.Column('totp_enabled_at', sa.DateTime(timezone=True), nullable=True,
                                      comment='set when the first code confirmed the set-up; NULL: no second factor'))
        batch_op.add_column(sa.Column('totp_last_step', sa.BigInteger(), nullable=True,
                                      comment='the 30-second step of the last accepted code: no code is accepted twice'))
        batch_op.alter_column('password_hash', existing_type=sa.String(length=255), existing_nullable=False,
                              comment="argon2id; '!' (matches no password) while an invitation is not yet accepted")
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.add_column(sa.Column(
            'require_2fa', sa.Boolean(), server_default=sa.false(), nullable=False,
            comment='every account of this organisation must use two-factor sign-in (besides REQUIRE_2FA_ROLES)'))
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('device', sa.String(length=100), nullable=True,
                                      comment='browser and system, from the User-Agent'))
        batch_op.add_column(sa.Column('address', sa.String(length=45), nullable=True,
                                      comment='client IP address at login'))


def downgrade() -> None:
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_column('address')
        batch_op.drop_column('device')
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_column('require_2fa')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('password_hash', existing_type=sa.String(length=255), existing_nullable=False,
                              comment=None)
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_enabled_at')
        batch_op.drop_column('totp_key_id')
        batch_op.drop_column('totp_secret')
    op.drop_index(op.f('ix_recovery_codes_user_id'), table_name='recovery_codes')
    op.drop_table('recovery_codes')
    op.drop_index(op.f('ix_account_links_user_id'), table_name='account_links')
    op.drop_table('account_links')
    op.drop_table('login_throttles')
