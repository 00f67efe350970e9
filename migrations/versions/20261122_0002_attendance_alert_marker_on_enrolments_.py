"""attendance alert marker on enrolments, covering indexes for the reports

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 04:17:32.506908
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | Sequence[str] | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Batch mode: on SQLite the table is copied and moved where ALTER cannot do the change; on
    # PostgreSQL these are plain ALTER/CREATE INDEX statements.
    with op.batch_alter_table("enrolments") as batch_op:
        batch_op.add_column(sa.Column(
            "attendance_alerted_at", sa.DateTime(timezone=True), nullable=True,
            comment="set when the low-attendance task was created; cleared when the rate recovers"))
    # Covering indexes for the report queries (see caseflow/reports/models.py).
    op.create_index("ix_participants_report_entry", "participants", [
        "entry_date", "organisation_id", "restricted_at", "status", "exit_date", "gender",
        "labour_status_at_entry", "unemployed_since", "age_at_entry", "education_isced", "nationality",
        "disability", "foreign_background", "minority", "homeless", "counsellor_id", "residence_status",
        "german_level", "anonymised_at"], unique=False)
    op.create_index("ix_participants_report_exit", "participants", [
        "exit_date", "status", "organisation_id", "restricted_at", "gender", "labour_status_at_entry",
        "entry_date"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_participants_report_exit", table_name="participants")
    op.drop_index("ix_participants_report_entry", table_name="participants")
    with op.batch_alter_table("enrolments") as batch_op:
        batch_op.drop_column("attendance_alerted_at")
