"""report facts: per participant what the reports looked up in the histories

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 00:40:00

Issue 19 (reports at 1,000,000 participants): `report_facts` holds one row per participant with the
results of the reports' per-participant look-ups (status upon leaving, latest six-month follow-up,
qualification, placed exit, first placement, the completeness checks, minutes of participation,
the measure types enrolled in) and copies of the participant's columns that the placement report
filters and groups by, the ESF+ outputs' characteristics at entry and the data-completeness checks
on the participant's own columns, so that those reports read this narrow table alone (indexed by
organisation and entry date). It is maintained in the same transaction as the histories
(caseflow/reports/facts.py) and deleted with the participant (ON DELETE CASCADE).
The upgrade fills it from the histories in one INSERT … SELECT with the application's own
definitions (facts.refresh_all_participants, the function the running application uses), so the table equals
the plain query from the start; at 1,000,000 participants about a minute. Should a later revision
make facts.fact_select() read a column that does not exist yet at this revision, this backfill
must be frozen here as plain SQL first. Downgrade drops the table: nothing is lost, it is derived
data.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0018'
down_revision: str | Sequence[str] | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('report_facts',
    sa.Column('participant_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('leaving_status', sa.String(length=32), nullable=True, comment='the status upon leaving: latest status record dated on or before exit + 28 days'),
    sa.Column('follow_up_id', sa.Integer(), nullable=True, comment='the latest six-month follow-up dated on or after the exit (no foreign key: refreshed with it)'),
    sa.Column('follow_up_status', sa.String(length=32), nullable=True),
    sa.Column('follow_up_improved', sa.Boolean(), nullable=True),
    sa.Column('qualified', sa.Boolean(), nullable=False, comment='a certificate dated from entry to exit + 28 days'),
    sa.Column('placed_exit', sa.Boolean(), nullable=False, comment='a job/apprenticeship/self-employment placement starting from entry to exit + 28 days'),
    sa.Column('first_placement', sa.Date(), nullable=True, comment='start of the first job/apprenticeship/self-employment placement on or after entry'),
    sa.Column('status_in_window', sa.Boolean(), nullable=False, comment='a status record dated from exit to exit + 28 days'),
    sa.Column('four_week_follow_up', sa.Boolean(), nullable=False, comment='a four-week follow-up dated on or after the exit'),
    sa.Column('six_month_follow_up', sa.Boolean(), nullable=False, comment='a six-month follow-up dated on or after the exit'),
    sa.Column('minutes', sa.Integer(), nullable=False, comment='minutes of participation (measures/queries.py: participant_minutes)'),
    sa.Column('measure_types', sa.Integer(), nullable=False, comment='the measure types of the non-cancelled enrolments, one bit per type in vocabulary order'),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('counsellor_id', sa.Integer(), nullable=True),
    sa.Column('restricted', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('entry_date', sa.Date(), nullable=False),
    sa.Column('exit_date', sa.Date(), nullable=True),
    sa.Column('gender', sa.String(length=32), nullable=False),
    sa.Column('age_band', sa.String(length=32), nullable=False),
    sa.Column('nationality', sa.String(length=9), nullable=False),
    sa.Column('residence_status', sa.String(length=32), nullable=False, comment="'unknown' where not recorded"),
    sa.Column('german_level', sa.String(length=32), nullable=False, comment="'unknown' where not recorded"),
    sa.Column('labour_status_at_entry', sa.String(length=32), nullable=False),
    sa.Column('age_at_entry', sa.Integer(), nullable=False),
    sa.Column('education_isced', sa.Integer(), nullable=True),
    sa.Column('disability', sa.String(length=8), nullable=False),
    sa.Column('foreign_background', sa.String(length=8), nullable=False),
    sa.Column('minority', sa.String(length=8), nullable=False),
    sa.Column('homeless', sa.String(length=8), nullable=False),
    sa.Column('long_term_unemployed_eu', sa.Boolean(), nullable=False),
    sa.Column('long_term_unemployed_de', sa.Boolean(), nullable=False),
    sa.Column('anonymised', sa.Boolean(), nullable=False),
    sa.Column('no_isced', sa.Boolean(), nullable=False),
    sa.Column('unemployed_without_start', sa.Boolean(), nullable=False),
    sa.Column('declined_answer', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['participant_id'], ['participants.id'], name=op.f('fk_report_facts_participant_id_participants'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('participant_id', name=op.f('pk_report_facts'))
    )
    op.create_index('ix_report_facts_organisation', 'report_facts', ['organisation_id', 'entry_date'], unique=False)
    op.create_index('ix_report_facts_first_placement', 'report_facts',
                    ['organisation_id', 'first_placement', 'entry_date', 'restricted', 'counsellor_id', 'measure_types'],
                    unique=False, postgresql_where=sa.text('first_placement IS NOT NULL'),
                    sqlite_where=sa.text('first_placement IS NOT NULL'))
    _backfill()


def _backfill() -> None:
    """The application's refresh of every participant, on the migration's connection (offline,
    i.e. for a SQL script, there are no rows to read: fill it afterwards with
    caseflow.reports.facts.refresh_all_participants)."""
    from alembic import context
    from sqlalchemy.orm import Session
    if context.is_offline_mode():
        return

    from caseflow.reports import facts
    session = Session(bind=op.get_bind())
    # the columns of this revision: later ones add theirs and fill them (0027: cube_key)
    columns = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("report_facts")}
    facts.refresh_all_participants(session, only=columns)
    session.flush()


def downgrade() -> None:
    op.drop_index('ix_report_facts_first_placement', table_name='report_facts')
    op.drop_index('ix_report_facts_organisation', table_name='report_facts')
    op.drop_table('report_facts')
