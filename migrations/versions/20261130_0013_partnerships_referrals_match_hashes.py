"""partnerships: dated memberships, referrals between partners, keyed match hashes

Revision ID: 0013
Revises: 0011
Create Date: 2026-11-30 19:18:11

Reviewed: four new tables, nothing existing is changed (issue 17).
- partnerships / partnership_memberships: organisations grouped into partnerships; a membership is
  dated (joined_on .. left_on inclusive), so an organisation may belong to several over time.
- referrals: a participant referred to a partner organisation (optionally to one of its measures)
  with a reason; status pending/accepted/declined/withdrawn, the decline reason, and the case the
  partner opened on acceptance (accepted_participant_id, linked to participant_id). The data packet
  is not stored here: it is read live from the referring case while consent holds.
- partnership_match_hashes: HMAC (PSEUDONYM_KEY, per partnership) of the names' duplicate skeleton
  and the birth date of consenting participants; no readable name crosses organisations.
Downgrade drops the four tables: partnerships, referrals (and the links between the two cases;
both cases themselves stay) and the hashes (recomputable) are lost.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | Sequence[str] | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('partnerships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partnerships')),
    sa.UniqueConstraint('name', name=op.f('uq_partnerships_name'))
    )
    op.create_table('partnership_memberships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partnership_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('joined_on', sa.Date(), nullable=False),
    sa.Column('left_on', sa.Date(), nullable=True, comment='last day of membership; NULL while a member'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_partnership_memberships_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnerships.id'], name=op.f('fk_partnership_memberships_partnership_id_partnerships'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partnership_memberships'))
    )
    with op.batch_alter_table('partnership_memberships', schema=None) as batch_op:
        batch_op.create_index('ix_partnership_memberships_organisation_id', ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_partnership_memberships_partnership_id'), ['partnership_id'], unique=False)

    op.create_table('partnership_match_hashes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partnership_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_partnership_match_hashes_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_partnership_match_hashes_participant_id_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnerships.id'], name=op.f('fk_partnership_match_hashes_partnership_id_partnerships'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partnership_match_hashes'))
    )
    with op.batch_alter_table('partnership_match_hashes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partnership_match_hashes_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index('ix_partnership_match_hashes_partnership_id_hash', ['partnership_id', 'hash'], unique=False)

    op.create_table('referrals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('partnership_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False, comment="the referring organisation's case"),
    sa.Column('from_organisation_id', sa.Integer(), nullable=False),
    sa.Column('to_organisation_id', sa.Integer(), nullable=False),
    sa.Column('measure_id', sa.Integer(), nullable=True, comment='a measure of the partner'),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'accepted', 'declined', 'withdrawn', name='referral_status', native_enum=False, create_constraint=True, length=10), nullable=False),
    sa.Column('decline_reason', sa.String(length=500), nullable=True),
    sa.Column('referred_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('accepted_participant_id', sa.Integer(), nullable=True, comment='the case the partner opened on acceptance (linked to participant_id)'),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['accepted_participant_id'], ['participants.id'], name=op.f('fk_referrals_accepted_participant_id_participants'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_referrals_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['from_organisation_id'], ['organisations.id'], name=op.f('fk_referrals_from_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['measure_id'], ['measures.id'], name=op.f('fk_referrals_measure_id_measures')),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_referrals_participant_id_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnerships.id'], name=op.f('fk_referrals_partnership_id_partnerships')),
    sa.ForeignKeyConstraint(['referred_by_id'], ['users.id'], name=op.f('fk_referrals_referred_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['to_organisation_id'], ['organisations.id'], name=op.f('fk_referrals_to_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referrals'))
    )
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referrals_accepted_participant_id'), ['accepted_participant_id'], unique=False)
        batch_op.create_index('ix_referrals_from_organisation_id_status', ['from_organisation_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_referrals_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index('ix_referrals_to_organisation_id_status', ['to_organisation_id', 'status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_index('ix_referrals_to_organisation_id_status')
        batch_op.drop_index(batch_op.f('ix_referrals_participant_id'))
        batch_op.drop_index('ix_referrals_from_organisation_id_status')
        batch_op.drop_index(batch_op.f('ix_referrals_accepted_participant_id'))

    op.drop_table('referrals')
    with op.batch_alter_table('partnership_match_hashes', schema=None) as batch_op:
        batch_op.drop_index('ix_partnership_match_hashes_partnership_id_hash')
        batch_op.drop_index(batch_op.f('ix_partnership_match_hashes_participant_id'))

    op.drop_table('partnership_match_hashes')
    with op.batch_alter_table('partnership_memberships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partnership_memberships_partnership_id'))
        batch_op.drop_index('ix_partnership_memberships_organisation_id')

    op.drop_table('partnership_memberships')
    op.drop_table('partnerships')
