"""partner measures and the partnership's report: data-sharing agreements, coordinators

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 21:40:00

Reviewed (issue 17, items 3 and 5):
- data_sharing_agreements: a dated agreement between two organisations (an ordered pair,
  organisation_a_id < organisation_b_id), recorded by an administrator or a team lead of one of
  them. While it holds (or after an accepted referral) a counsellor may enrol a consenting
  participant directly into the other organisation's measures. The enrolment itself is an ordinary
  row of `enrolments` (nothing new there).
- partnership_coordinators: accounts of the new role `coordinator`, linked to the partnerships
  whose ESF+ report they run (linked cases counted once); they never read personal data.
- users.role: the CHECK constraint `ck_users_role` admits `coordinator` (SQLite: the table is
  rebuilt in batch mode, foreign keys off, as in 0007; PostgreSQL: the constraint is replaced).
Downgrade: drops both tables (agreements and coordinator links are LOST) and, since the old
constraint cannot hold the role, deactivates coordinator accounts by turning them into `analyst`
accounts that are inactive (`active` false): they can no longer sign in, and nobody gains rights.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0016'
down_revision: str | Sequence[str] | None = '0015'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_ROLES = ('counsellor', 'team_lead', 'analyst', 'admin')
NEW_ROLES = OLD_ROLES + ('coordinator',)


def _role_check(roles) -> str:
    return "role IN (" + ", ".join(f"'{r}'" for r in roles) + ")"


def _replace_role_check(roles) -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_constraint(op.f('ck_users_role'), 'users', type_='check')
        op.create_check_constraint(op.f('ck_users_role'), 'users', _role_check(roles))
        return
    # SQLite keeps CHECK constraints in the table's definition: rebuild it with the new one.
    with op.batch_alter_table('users', recreate='always') as batch_op:
        batch_op.drop_constraint(op.f('ck_users_role'), type_='check')
        batch_op.create_check_constraint(op.f('ck_users_role'), _role_check(roles))


def upgrade() -> None:
    _replace_role_check(NEW_ROLES)
    op.create_table('data_sharing_agreements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_a_id', sa.Integer(), nullable=False, comment='the lower organisation id of the pair'),
    sa.Column('organisation_b_id', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=True, comment='last day of the agreement; NULL: open-ended'),
    sa.Column('reference', sa.String(length=200), nullable=False, comment="the agreement's file reference or title"),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('organisation_a_id < organisation_b_id', name=op.f('ck_data_sharing_agreements_ordered_pair')),
    sa.CheckConstraint('valid_until IS NULL OR valid_until >= valid_from',
                       name=op.f('ck_data_sharing_agreements_until_after_from')),
    sa.ForeignKeyConstraint(['organisation_a_id'], ['organisations.id'],
                            name=op.f('fk_data_sharing_agreements_organisation_a_id_organisations')),
    sa.ForeignKeyConstraint(['organisation_b_id'], ['organisations.id'],
                            name=op.f('fk_data_sharing_agreements_organisation_b_id_organisations')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_data_sharing_agreements_recorded_by_id_users'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_sharing_agreements'))
    )
    op.create_index('ix_data_sharing_agreements_organisation_a_id_organisation_b_id', 'data_sharing_agreements',
                    ['organisation_a_id', 'organisation_b_id'], unique=False)
    op.create_table('partnership_coordinators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partnership_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnerships.id'],
                            name=op.f('fk_partnership_coordinators_partnership_id_partnerships'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_partnership_coordinators_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partnership_coordinators')),
    sa.UniqueConstraint('partnership_id', 'user_id', name='partnership_user')
    )
    op.create_index(op.f('ix_partnership_coordinators_user_id'), 'partnership_coordinators', ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_partnership_coordinators_user_id'), table_name='partnership_coordinators')
    op.drop_table('partnership_coordinators')
    op.drop_index('ix_data_sharing_agreements_organisation_a_id_organisation_b_id',
                  table_name='data_sharing_agreements')
    op.drop_table('data_sharing_agreements')
    # the old constraint cannot hold `coordinator`: such accounts become inactive analysts (see above)
    op.execute("UPDATE users SET role = 'analyst', active = false WHERE role = 'coordinator'")
    _replace_role_check(OLD_ROLES)
