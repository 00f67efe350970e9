"""report placements: per placement its start and the participant's filter columns; a covering index
for the placement report's per-participant pass

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01 03:40:00

Issue 19 (one organisation's placement report under 0.5 s at 1,000,000 participants). Measured on
the 1M demo database, for a 333,000-participant organisation over all data:
- the placement starts joined every placement in the period to the participants to filter by
  organisation (0.30 s). `report_placements` holds one row per placement with its type and start
  and copies of the participant's columns the report filters by (organisation, counsellor,
  restricted, measure types), maintained in the same transaction as the placements and
  participants like report_facts (caseflow/reports/facts.py) and deleted with either (ON DELETE
  CASCADE); read from its index alone: 0.03 s.
- the per-participant pass over report_facts read every page of the table (an organisation's rows
  are spread over all of them). On PostgreSQL `ix_report_facts_organisation` (organisation_id,
  entry_date) now INCLUDEs the columns that pass reads, so it reads the index alone (0.62 → 0.39 s).
  SQLite has no INCLUDE: nothing changes there.
The upgrade fills the new table with the application's own definitions
(facts.refresh_all_placements, the function the running application uses); at 1,000,000
participants 15 s. Should a later revision make facts.placement_fact_select() read a
column that does not exist yet at this revision, this backfill must be frozen here as plain SQL
first.

Reviewed: a new derived table and an index rebuilt with more columns; no data of other tables
touched. Building the index reads report_facts once and blocks writes to it meanwhile (2 s at
1,000,000 participants). Downgrade drops the table (derived data: nothing is lost) and builds the
index of 0018 again.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0020'
down_revision: str | Sequence[str] | None = '0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PLACEMENT_BASE_COLUMNS = ['restricted', 'exit_date', 'status', 'placed_exit', 'follow_up_status', 'gender',
                          'age_band', 'nationality', 'residence_status', 'german_level', 'measure_types',
                          'counsellor_id']


def upgrade() -> None:
    op.create_table('report_placements',
    sa.Column('placement_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('participant_id', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('counsellor_id', sa.Integer(), nullable=True),
    sa.Column('restricted', sa.Boolean(), nullable=False),
    sa.Column('measure_types', sa.Integer(), nullable=False, comment='as report_facts.measure_types'),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'],
                            name=op.f('fk_report_placements_participant_id_participants'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['placement_id'], ['placements.id'],
                            name=op.f('fk_report_placements_placement_id_placements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('placement_id', name=op.f('pk_report_placements'))
    )
    op.create_index(op.f('ix_report_placements_participant_id'), 'report_placements', ['participant_id'],
                    unique=False)
    op.create_index('ix_report_placements_organisation', 'report_placements',
                    ['organisation_id', 'start_date', 'type', 'restricted', 'counsellor_id', 'measure_types'],
                    unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_report_facts_organisation', table_name='report_facts')
        op.create_index('ix_report_facts_organisation', 'report_facts', ['organisation_id', 'entry_date'],
                        unique=False, postgresql_include=PLACEMENT_BASE_COLUMNS)
    _backfill()


def _backfill() -> None:
    """The application's refresh of every placement, on the migration's connection (offline, i.e.
    for a SQL script, there are no rows to read: fill it afterwards with
    caseflow.reports.facts.refresh_all_placements)."""
    from alembic import context
    from sqlalchemy.orm import Session
    if context.is_offline_mode():
        return

    from caseflow.reports import facts
    session = Session(bind=op.get_bind())
    facts.refresh_all_placements(session)
    session.flush()


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_report_facts_organisation', table_name='report_facts')
        op.create_index('ix_report_facts_organisation', 'report_facts', ['organisation_id', 'entry_date'],
                        unique=False)
    op.drop_index('ix_report_placements_organisation', table_name='report_placements')
    op.drop_index(op.f('ix_report_placements_participant_id'), table_name='report_placements')
    op.drop_table('report_placements')
