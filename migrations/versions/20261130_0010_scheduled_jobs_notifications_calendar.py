"""the working day: scheduled jobs, notifications and reminder settings, calendar feeds, appointments

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30 17:51:06

Reviewed: six new tables, nothing existing is changed.
- job_states / job_runs: `jobs run` keeps each job's lease (SQLite), last run and outcome here, and
  a log of runs for the administrators' page.
- notifications: in-app reminders per account (counts and ids only, never a name); unique per
  (account, event) so that an hourly check notifies once per event.
- reminder_settings: the daily digest opt-out and the day of the last digest sent.
- calendar_feeds: the SHA-256 of each account's secret feed token (renewing replaces it).
- appointments: contacts planned ahead (a meeting note to come).
Downgrade drops the six tables: notifications, settings, feeds (their addresses stop working),
planned appointments and the job log are lost; the case file itself is untouched.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | Sequence[str] | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('job_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.Enum('ok', 'failed', name='job_outcome', native_enum=False, create_constraint=True, length=10), nullable=False),
    sa.Column('message', sa.String(length=500), nullable=True),
    sa.Column('host', sa.String(length=100), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_runs'))
    )
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.create_index('ix_job_runs_name_started_at', ['name', 'started_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_runs_started_at'), ['started_at'], unique=False)

    op.create_table('job_states',
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True, comment='SQLite: the job runs on some host until then (a crashed run frees it at expiry)'),
    sa.Column('lease_owner', sa.String(length=100), nullable=True, comment='host and process holding the lease'),
    sa.Column('last_started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_duration_ms', sa.Integer(), nullable=True),
    sa.Column('last_outcome', sa.Enum('ok', 'failed', name='job_outcome', native_enum=False, create_constraint=True, length=10), nullable=True),
    sa.Column('last_message', sa.String(length=500), nullable=True, comment='the summary or error; no personal data'),
    sa.Column('last_success_at', sa.DateTime(timezone=True), nullable=True, comment='start of the last run that succeeded'),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_job_states'))
    )
    op.create_table('calendar_feeds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False, comment='SHA-256 of the token in the address'),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_calendar_feeds_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_feeds')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_calendar_feeds_token_hash')),
    sa.UniqueConstraint('user_id', name=op.f('uq_calendar_feeds_user_id'))
    )
    op.create_table('reminder_settings',
    sa.Column('user_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('digest_enabled', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('last_digest_on', sa.Date(), nullable=True, comment='local day of the last digest sent: one a day'),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reminder_settings_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_reminder_settings'))
    )
    op.create_table('appointments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True, comment='the counsellor meeting the person'),
    sa.Column('kind', sa.Enum('meeting', 'phone', 'video', 'email', 'company_visit', 'other', name='note_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('planned', 'held', 'cancelled', name='appointment_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('note_id', sa.Integer(), nullable=True, comment='the progress note recording the meeting once held'),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['note_id'], ['notes.id'], name=op.f('fk_appointments_note_id_notes'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_appointments_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_appointments_owner_id_users')),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_appointments_participant_id_participants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointments'))
    )
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appointments_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index('ix_appointments_owner_id_starts_at', ['owner_id', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_appointments_participant_id'), ['participant_id'], unique=False)

    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('no_contact', 'follow_up_due', 'escalation', 'case_reassigned', 'task_assigned', name='notification_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=True),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('params', sa.JSON(), nullable=True, comment='counts and dates shown in the text; never a name'),
    sa.Column('event_key', sa.String(length=120), nullable=False, comment='what happened, so that it is notified once'),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_notifications_participant_id_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_notifications_task_id_tasks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    sa.UniqueConstraint('user_id', 'event_key', name='notification_event')
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_participant_id'), ['participant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notifications_task_id'), ['task_id'], unique=False)
        batch_op.create_index('ix_notifications_unread', ['user_id'], unique=False, postgresql_where=sa.text('read_at IS NULL'), sqlite_where=sa.text('read_at IS NULL'))
        batch_op.create_index('ix_notifications_user_id_created_at', ['user_id', 'created_at', 'id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_user_id_created_at')
        batch_op.drop_index('ix_notifications_unread', postgresql_where=sa.text('read_at IS NULL'), sqlite_where=sa.text('read_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_notifications_task_id'))
        batch_op.drop_index(batch_op.f('ix_notifications_participant_id'))

    op.drop_table('notifications')
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appointments_participant_id'))
        batch_op.drop_index('ix_appointments_owner_id_starts_at')
        batch_op.drop_index(batch_op.f('ix_appointments_organisation_id'))

    op.drop_table('appointments')
    op.drop_table('reminder_settings')
    op.drop_table('calendar_feeds')
    op.drop_table('job_states')
    with op.batch_alter_table('job_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_runs_started_at'))
        batch_op.drop_index('ix_job_runs_name_started_at')

    op.drop_table('job_runs')
