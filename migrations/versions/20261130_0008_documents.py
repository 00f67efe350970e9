"""documents: documents, their files (versions) and encrypted chunks; contract gaps

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 17:54:05

Review notes (issue 13):
- `documents` (one per piece of evidence, with at most one linked fact: CHECK one_link_at_most;
  each link is a real foreign key with ON DELETE SET NULL, so deleting a placement keeps its
  contract, unlinked), `document_files` (every uploaded version, with its size, type read from the
  content and SHA-256 of the plain bytes) and `document_chunks` (the content, in pieces of at most
  1 MB, each AES-GCM encrypted with the key id stored). Nothing else refers to these tables, and
  nothing loads the chunks with the case file.
- `contract_gaps`: why a placement with the evidence "contract seen" has no contract linked.
- New tables only: no existing row is touched.
- Downgrade drops the four tables. The documents' contents cannot be kept anywhere else in the
  older schema: run `documents export` for the cases whose files are needed before downgrading.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | Sequence[str] | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('contract_gaps',
    sa.Column('placement_id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Enum('copy_not_allowed', 'seen_on_site', 'to_follow', name='contract_gap_reason', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_contract_gaps_participant_id_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['placement_id'], ['placements.id'], name=op.f('fk_contract_gaps_placement_id_placements'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_contract_gaps_recorded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('placement_id', name=op.f('pk_contract_gaps'))
    )
    with op.batch_alter_table('contract_gaps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contract_gaps_participant_id'), ['participant_id'], unique=False)

    op.create_table('documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('cv', 'certificate', 'translation', 'recognition_notice', 'contract', 'consent_form', 'attendance_list', 'id_document', 'other', name='document_kind', native_enum=False, create_constraint=True, length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('date', sa.Date(), nullable=False, comment="the document's own date (issued, signed)"),
    sa.Column('placement_id', sa.Integer(), nullable=True),
    sa.Column('certificate_id', sa.Integer(), nullable=True),
    sa.Column('enrolment_id', sa.Integer(), nullable=True),
    sa.Column('consent_id', sa.Integer(), nullable=True),
    sa.Column('foreign_qualification_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('(CASE WHEN placement_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN certificate_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN enrolment_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN consent_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN foreign_qualification_id IS NULL THEN 0 ELSE 1 END) <= 1', name=op.f('ck_documents_one_link_at_most')),
    sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'], name=op.f('fk_documents_certificate_id_certificates'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['consent_id'], ['consents.id'], name=op.f('fk_documents_consent_id_consents'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_documents_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['enrolment_id'], ['enrolments.id'], name=op.f('fk_documents_enrolment_id_enrolments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['foreign_qualification_id'], ['foreign_qualifications.id'], name=op.f('fk_documents_foreign_qualification_id_foreign_qualifications'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_documents_participant_id_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['placement_id'], ['placements.id'], name=op.f('fk_documents_placement_id_placements'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_documents'))
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_documents_certificate_id'), ['certificate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_consent_id'), ['consent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_enrolment_id'), ['enrolment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_foreign_qualification_id'), ['foreign_qualification_id'], unique=False)
        batch_op.create_index('ix_documents_participant_id_kind', ['participant_id', 'kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_documents_placement_id'), ['placement_id'], unique=False)

    op.create_table('document_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False, comment='1 for the first upload, then 2, 3 … for each replacement'),
    sa.Column('filename', sa.String(length=255), nullable=False, comment='the name it was uploaded under (shown, never used as a path)'),
    sa.Column('file_type', sa.Enum('pdf', 'jpeg', 'png', 'heic', 'docx', 'xlsx', 'odt', 'ods', 'text', name='document_file_type', native_enum=False, create_constraint=True, length=32), nullable=False, comment='read from the content, not the name'),
    sa.Column('size', sa.BigInteger(), nullable=False, comment='bytes of the plain content'),
    sa.Column('sha256', sa.String(length=64), nullable=False, comment='of the plain content: finds a duplicate upload'),
    sa.Column('chunk_count', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('size >= 0', name=op.f('ck_document_files_size_not_negative')),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_document_files_document_id_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_document_files_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_files')),
    sa.UniqueConstraint('document_id', 'number', name='uq_document_files_document_id_number')
    )
    with op.batch_alter_table('document_files', schema=None) as batch_op:
        batch_op.create_index('ix_document_files_sha256', ['sha256'], unique=False)

    op.create_table('document_chunks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('file_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False, comment='0, 1, 2 … in the order of the content'),
    sa.Column('key_id', sa.String(length=8), nullable=False, comment='which DOCUMENT_KEY key encrypted it (crypto.py)'),
    sa.Column('data', sa.LargeBinary(), nullable=False, comment='nonce ‖ ciphertext ‖ tag'),
    sa.ForeignKeyConstraint(['file_id'], ['document_files.id'], name=op.f('fk_document_chunks_file_id_document_files'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_chunks')),
    sa.UniqueConstraint('file_id', 'seq', name='uq_document_chunks_file_id_seq')
    )


def downgrade() -> None:
    op.drop_table('document_chunks')
    with op.batch_alter_table('document_files', schema=None) as batch_op:
        batch_op.drop_index('ix_document_files_sha256')

    op.drop_table('document_files')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documents_placement_id'))
        batch_op.drop_index('ix_documents_participant_id_kind')
        batch_op.drop_index(batch_op.f('ix_documents_foreign_qualification_id'))
        batch_op.drop_index(batch_op.f('ix_documents_enrolment_id'))
        batch_op.drop_index(batch_op.f('ix_documents_consent_id'))
        batch_op.drop_index(batch_op.f('ix_documents_certificate_id'))

    op.drop_table('documents')
    with op.batch_alter_table('contract_gaps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contract_gaps_participant_id'))

    op.drop_table('contract_gaps')
