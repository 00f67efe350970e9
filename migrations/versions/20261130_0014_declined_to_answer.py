"""three-valued sensitive answers: disability, minority, foreign background, homelessness

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 19:20:00

Reviewed (issue 18, "declined to answer"): the four boolean columns of `participants`
(`foreign_background`, `disability`, `minority`, `homeless`) become strings restricted to
`yes` / `no` / `declined` by a named CHECK constraint (`ck_participants_<field>`), default `no`.
Data carried up: true → `yes`, false → `no` (nobody has declined yet). Each column is replaced by a
new one (added, filled, the old one dropped, the new one renamed), because SQLite cannot change a
column's type in place; plain ALTER TABLE, no batch rebuild (it would lose SQLite's expression
indexes).
Downgrade: back to booleans, `yes` → true, `no` → false, and `declined` → false: the fact that the
person declined to answer is LOST on downgrade (the old schema cannot hold it; it is what the ESF+
report counted before, since it counts only "yes").
Re-chained after 0013 when it landed (it was written as 0012 on 0010, in parallel with 0011 and 0013).
"""
from collections.abc import Sequence

from alembic import op

revision: str = '0014'
down_revision: str | Sequence[str] | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIELDS = ('foreign_background', 'disability', 'minority', 'homeless')
SPECIAL = {'disability', 'minority'}
COMMENT = 'special category (GDPR Art. 9)'


def _comment(name: str) -> str | None:
    return COMMENT if name in SPECIAL else None


def _set_comment(name: str) -> None:
    if op.get_bind().dialect.name == 'postgresql' and _comment(name):
        op.execute(f"COMMENT ON COLUMN participants.{name} IS '{_comment(name)}'")


# Plain ALTER TABLE statements that both databases know (SQLite >= 3.35 drops and renames columns):
# no batch mode, because rebuilding the table on SQLite would lose the caseload's expression indexes,
# which SQLite cannot reflect. The CHECK constraint is a column constraint of the new column, which
# SQLite keeps (and rewrites) through the rename.

# The ESF+ report's covering index (reports/models.py) holds the four columns: dropped and made
# again around the change, with the same definition.
REPORT_ENTRY_COLUMNS = [
    "entry_date", "organisation_id", "restricted_at", "status", "exit_date", "gender",
    "labour_status_at_entry", "unemployed_since", "age_at_entry", "education_isced", "nationality",
    "disability", "foreign_background", "minority", "homeless", "counsellor_id", "residence_status",
    "german_level", "anonymised_at"]


def upgrade() -> None:
    op.drop_index("ix_participants_report_entry", table_name="participants")
    for name in FIELDS:
        op.execute(f"ALTER TABLE participants ADD COLUMN {name}_new VARCHAR(8) DEFAULT 'no' NOT NULL "
                   f"CONSTRAINT ck_participants_{name} CHECK ({name}_new IN ('yes', 'no', 'declined'))")
        op.execute(f"UPDATE participants SET {name}_new = CASE WHEN {name} THEN 'yes' ELSE 'no' END")
        op.execute(f"ALTER TABLE participants DROP COLUMN {name}")
        op.execute(f"ALTER TABLE participants RENAME COLUMN {name}_new TO {name}")
        _set_comment(name)
    op.create_index("ix_participants_report_entry", "participants", REPORT_ENTRY_COLUMNS, unique=False)


def downgrade() -> None:
    op.drop_index("ix_participants_report_entry", table_name="participants")
    for name in FIELDS:
        op.execute(f"ALTER TABLE participants ADD COLUMN {name}_old BOOLEAN DEFAULT false NOT NULL")
        # declined → false: lost on downgrade (see the review note above)
        op.execute(f"UPDATE participants SET {name}_old = CASE WHEN {name} = 'yes' THEN true ELSE false END")
        op.execute(f"ALTER TABLE participants DROP COLUMN {name}")
        op.execute(f"ALTER TABLE participants RENAME COLUMN {name}_old TO {name}")
        _set_comment(name)
    op.create_index("ix_participants_report_entry", "participants", REPORT_ENTRY_COLUMNS, unique=False)
