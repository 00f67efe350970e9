"""hours of participation: durations on enrolments and attendance sessions, notes linked to an enrolment

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 21:30:00

Reviewed (issue 18, item 3, hours of participation):
- `enrolments.minutes` (integer, NULL): participation recorded on the enrolment itself, for
  measures without attendance lists (e.g. coaching hours agreed with the provider);
- `attendance_sessions.minutes` (integer, NULL): the session's duration; everyone marked present
  is credited with it;
- `notes.enrolment_id` (integer, NULL, foreign key to `enrolments`, ON DELETE SET NULL, indexed
  `ix_notes_enrolment_id`): the enrolment whose hours a note's existing `minutes` add to.
All three are new and empty: nothing is converted, existing rows keep every value. Ranges are
judged by the services (minutes 0 to 1,440 per session and note, up to 120,000 per enrolment).
Plain ALTER TABLE ADD COLUMN, except for the foreign key on SQLite (see `upgrade`).
Downgrade: the three columns are dropped, and with them every duration recorded on an enrolment or
a session and every note's link to its enrolment (LOST; the notes and their own minutes stay).
On SQLite `notes` is rebuilt in batch mode for the foreign key, both ways (SQLite can neither name
a foreign key added by ALTER TABLE nor drop a column that takes part in one); its indexes are plain
column indexes, which the rebuild keeps.
"""
import warnings
from collections.abc import Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision: str = '0015'
down_revision: str | Sequence[str] | None = '0014'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ENROLMENT_COMMENT = "participation recorded on the enrolment itself (outside sessions and notes), in minutes"
SESSION_COMMENT = "the session's duration; everyone present is credited with it"
FK_NAME = "fk_notes_enrolment_id_enrolments"


@contextmanager
def _sqlite_reflection():
    """Reflecting `notes` for the batch rebuild reflects the tables it refers to; SQLite cannot
    reflect the participants' expression indexes and warns, which does not matter here (only
    `notes` is rebuilt, and it has plain column indexes only)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Skipped unsupported reflection of expression-based index")
        yield


def upgrade() -> None:
    op.add_column("enrolments", sa.Column("minutes", sa.Integer(), nullable=True, comment=ENROLMENT_COMMENT))
    op.add_column("attendance_sessions", sa.Column("minutes", sa.Integer(), nullable=True, comment=SESSION_COMMENT))
    if op.get_bind().dialect.name == "sqlite":
        # SQLite's ADD COLUMN takes the foreign key only as a column constraint, whose name it does
        # not keep; the batch rebuild writes it as the named table constraint the model declares
        with _sqlite_reflection(), op.batch_alter_table("notes", recreate="always") as batch:
            batch.add_column(sa.Column("enrolment_id", sa.Integer(), nullable=True))
            batch.create_foreign_key(FK_NAME, "enrolments", ["enrolment_id"], ["id"], ondelete="SET NULL")
    else:
        op.add_column("notes", sa.Column("enrolment_id", sa.Integer(), nullable=True))
        op.create_foreign_key(FK_NAME, "notes", "enrolments", ["enrolment_id"], ["id"], ondelete="SET NULL")
    op.create_index("ix_notes_enrolment_id", "notes", ["enrolment_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_notes_enrolment_id", table_name="notes")
    if op.get_bind().dialect.name == "sqlite":
        with _sqlite_reflection(), op.batch_alter_table("notes", recreate="always") as batch:
            batch.drop_constraint(FK_NAME, type_="foreignkey")
            batch.drop_column("enrolment_id")
    else:
        op.drop_constraint(FK_NAME, "notes", type_="foreignkey")
        op.drop_column("notes", "enrolment_id")
    op.drop_column("attendance_sessions", "minutes")
    op.drop_column("enrolments", "minutes")
