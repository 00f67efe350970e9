"""indexes for the caseload page and the placement report

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 04:44:31.582107
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0003'
down_revision: str | Sequence[str] | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Reviewed: plain CREATE/DROP INDEX on both databases; the caseload indexes order by
    # lower(name), so they are expression indexes.
    op.create_index('ix_enrolments_report', 'enrolments', ['participant_id', 'measure_id', 'status'], unique=False)
    op.create_index('ix_follow_ups_report', 'follow_ups', ['participant_id', 'kind', 'date', 'id', 'status'], unique=False)
    op.create_index('ix_participants_caseload', 'participants', ['counsellor_id', 'status', 'anonymised_at', 'organisation_id', sa.literal_column('lower(last_name)'), sa.literal_column('lower(first_name)')], unique=False)
    op.create_index('ix_participants_caseload_organisation', 'participants', ['organisation_id', 'status', 'anonymised_at', sa.literal_column('lower(last_name)'), sa.literal_column('lower(first_name)')], unique=False)
    op.create_index('ix_participants_organisation_nationality', 'participants', ['organisation_id', 'anonymised_at', 'nationality'], unique=False)
    op.create_index('ix_participants_report_scope', 'participants', ['id', 'organisation_id', 'restricted_at', 'counsellor_id', 'entry_date'], unique=False)
    op.create_index('ix_placements_report', 'placements', ['participant_id', 'start_date', 'type'], unique=False)
    op.create_index('ix_placements_report_period', 'placements', ['start_date', 'type', 'participant_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_placements_report_period', table_name='placements')
    op.drop_index('ix_placements_report', table_name='placements')
    op.drop_index('ix_participants_report_scope', table_name='participants')
    op.drop_index('ix_participants_organisation_nationality', table_name='participants')
    op.drop_index('ix_participants_caseload_organisation', table_name='participants')
    op.drop_index('ix_participants_caseload', table_name='participants')
    op.drop_index('ix_follow_ups_report', table_name='follow_ups')
    op.drop_index('ix_enrolments_report', table_name='enrolments')
