"""ESF+ covering indexes: one organisation's entries and final exits with every column the report reads

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-03 19:00:00

Issue 19: every report over one organisation must answer within 0.5 s at 1,000,000 participants.
The ESF+ report's two statements (outputs: participants entered in the period; results: those
finally exited in it) read the whole of report_facts, as an organisation's rows are spread over
every page of the table, and at 1M the table (194 MB) is larger than PostgreSQL's default
shared_buffers: 0.25-0.40 s each for one organisation on a kept 1M database. These two indexes
hold, in organisation and date order, every column each statement reads; each statement then
reads one range of its index alone: 0.17-0.23 and 0.07 s.

Key columns rather than PostgreSQL's INCLUDE, so that SQLite's planner can use them as covering
indexes too. The exits' index is partial (status 'exited'), as the results read final exits only.

Reviewed: builds two indexes on report_facts (5 and 3 s at 1,000,000 participants, 79 and 28 MB;
writes to report_facts wait meanwhile; every later refresh of a participant's facts writes two
more index entries). Downgrade drops them.
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0028'
down_revision: str | Sequence[str] | None = '0027'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index('ix_report_facts_esf_entries', 'report_facts', [
        'organisation_id', 'entry_date', 'restricted', 'gender', 'labour_status_at_entry', 'long_term_unemployed_eu',
        'long_term_unemployed_de', 'age_at_entry', 'education_isced', 'disability', 'nationality',
        'foreign_background', 'minority', 'homeless', 'minutes'])
    op.create_index('ix_report_facts_esf_exits', 'report_facts', [
        'organisation_id', 'exit_date', 'restricted', 'gender', 'labour_status_at_entry', 'leaving_status',
        'qualified', 'follow_up_status', 'follow_up_improved', 'minutes'],
        postgresql_where=sa.text("status = 'exited'"), sqlite_where=sa.text("status = 'exited'"))


def downgrade() -> None:
    op.drop_index('ix_report_facts_esf_exits', table_name='report_facts')
    op.drop_index('ix_report_facts_esf_entries', table_name='report_facts')
