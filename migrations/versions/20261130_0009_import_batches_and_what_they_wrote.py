"""imports: import batches, the external ids of imported participants, what each batch wrote

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 17:55:01

Review notes (issue 16):
- `import_batches`: one uploaded file (kept in `content` only until it is imported or fails:
  personal data), who and when, its status, progress, counts, errors and duplicates.
- `imported_participants`: the programme's own number (external id) per organisation, unique, so a
  re-import finds the case instead of creating a second one; `row_hash` tells "unchanged" from
  "updated". Deleting a participant (undo, or anonymisation's cascade) removes its row.
- `imported_records`: every record a batch created or changed (undo removes or restores them;
  `row_key` makes history rows idempotent on a re-import).
Three new tables, nothing existing changes. The downgrade drops them: the imported cases stay as
ordinary cases, but their external ids and the batches' history (and the ability to undo) are lost.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | Sequence[str] | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('import_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True, comment='NULL: the command line'),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('file_size', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=True, comment='the uploaded file until it is imported or discarded (personal data)'),
    sa.Column('mapping', sa.JSON(), nullable=True, comment="{sheet: {header: field or ''}} chosen for headers that did not match"),
    sa.Column('skip_invalid', sa.Boolean(), server_default=sa.false(), nullable=False, comment='import the valid participants, skip those with errors'),
    sa.Column('accept_duplicates', sa.Boolean(), server_default=sa.false(), nullable=False, comment='the possible duplicates were confirmed as new people'),
    sa.Column('mode', sa.Enum('check', 'import', name='import_mode', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('status', sa.Enum('queued', 'running', 'checked', 'failed', 'imported', 'undone', name='import_status', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False, comment='language of the messages'),
    sa.Column('progress_done', sa.Integer(), nullable=False),
    sa.Column('progress_total', sa.Integer(), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=True),
    sa.Column('errors', sa.JSON(), nullable=True, comment='[{sheet, row, column, message}], at most MAX_STORED_ERRORS'),
    sa.Column('duplicates', sa.JSON(), nullable=True, comment='[{sheet, row, external_id, candidates, within_file}]: possible duplicates'),
    sa.Column('unmapped', sa.JSON(), nullable=True, comment='[{sheet, header}]: columns that matched no field'),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True, comment="the runner's heartbeat too"),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('audit_mark', sa.Integer(), nullable=True, comment='the last audit entry id when the import committed: a later entry on one of its cases means the case changed since, and the batch can no longer be undone'),
    sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('undone_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_import_batches_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_import_batches_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['undone_by_id'], ['users.id'], name=op.f('fk_import_batches_undone_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_batches'))
    )
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.create_index('ix_import_batches_organisation_id_created_at', ['organisation_id', 'created_at'], unique=False)
        batch_op.create_index('ix_import_batches_status', ['status'], unique=False)

    op.create_table('imported_participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=100), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('row_hash', sa.String(length=40), nullable=False, comment='of the cleaned participant row last imported'),
    sa.Column('batch_id', sa.Integer(), nullable=False, comment='the batch that created the case'),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batches.id'], name=op.f('fk_imported_participants_batch_id_import_batches'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_imported_participants_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_imported_participants_participant_id_participants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_imported_participants')),
    sa.UniqueConstraint('organisation_id', 'external_id', name=op.f('uq_imported_participants_organisation_id'))
    )
    with op.batch_alter_table('imported_participants', schema=None) as batch_op:
        batch_op.create_index('ix_imported_participants_participant_id', ['participant_id'], unique=False)

    op.create_table('imported_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=True),
    sa.Column('object_type', sa.String(length=40), nullable=False, comment='table name'),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.Enum('created', 'updated', name='imported_record_action', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('row_key', sa.String(length=40), nullable=True, comment='hash of the history row'),
    sa.Column('before', sa.JSON(), nullable=True, comment='the master data before an update, restored by undo'),
    sa.ForeignKeyConstraint(['batch_id'], ['import_batches.id'], name=op.f('fk_imported_records_batch_id_import_batches'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_imported_records_participant_id_participants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_imported_records'))
    )
    with op.batch_alter_table('imported_records', schema=None) as batch_op:
        batch_op.create_index('ix_imported_records_batch_id', ['batch_id'], unique=False)
        batch_op.create_index('ix_imported_records_participant_id_row_key', ['participant_id', 'row_key'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('imported_records', schema=None) as batch_op:
        batch_op.drop_index('ix_imported_records_participant_id_row_key')
        batch_op.drop_index('ix_imported_records_batch_id')

    op.drop_table('imported_records')
    with op.batch_alter_table('imported_participants', schema=None) as batch_op:
        batch_op.drop_index('ix_imported_participants_participant_id')

    op.drop_table('imported_participants')
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.drop_index('ix_import_batches_status')
        batch_op.drop_index('ix_import_batches_organisation_id_created_at')

    op.drop_table('import_batches')
