"""tasks: title_params and the kind place_offered, so Caseflow's own tasks read in the reader's language

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 06:55:00

Attendance alerts and "a place is free" tasks were stored as finished text in the language of the
person whose action created them (and the latter as kind `manual`, like a typed task). They now
keep their values (measure title, attendance counts) in `title_params` and are rendered by kind.
Existing rows keep their stored title (no params): nothing is rewritten.
"""
import warnings
from collections.abc import Sequence
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | Sequence[str] | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KINDS = ('manual', 'four_week_check', 'six_month_follow_up', 'attendance')
NEW_KINDS = OLD_KINDS + ('place_offered',)


@contextmanager
def _tasks_batch():
    """SQLite rebuilds `tasks` from its reflection, which also reflects the tables it refers to;
    SQLAlchemy cannot reflect the participants' expression indexes (lower(name)) and says so. They
    are not touched here: the warning is expected and nothing else is silenced."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Skipped unsupported reflection of expression-based index",
                                category=sa.exc.SAWarning)
        with op.batch_alter_table('tasks', schema=None) as batch_op:
            yield batch_op


def _kinds(kinds) -> str:
    return "kind IN (" + ", ".join(f"'{k}'" for k in kinds) + ")"


def upgrade() -> None:
    # Reviewed: a nullable column and a wider CHECK; SQLite rebuilds the table (batch), PostgreSQL
    # alters it in place. No row is changed.
    with _tasks_batch() as batch_op:
        batch_op.add_column(sa.Column(
            'title_params', sa.JSON(), nullable=True,
            comment="the values in the title of a task Caseflow made (e.g. the measure), so that it is "
                    "shown in the reader's language"))
        batch_op.drop_constraint(op.f('ck_tasks_task_kind'), type_='check')
        batch_op.create_check_constraint('task_kind', sa.text(_kinds(NEW_KINDS)))


def downgrade() -> None:
    # "a place is free" tasks become plain tasks again (their stored title stays).
    op.execute("UPDATE tasks SET kind = 'manual' WHERE kind = 'place_offered'")
    with _tasks_batch() as batch_op:
        batch_op.drop_constraint(op.f('ck_tasks_task_kind'), type_='check')
        batch_op.create_check_constraint('task_kind', sa.text(_kinds(OLD_KINDS)))
        batch_op.drop_column('title_params')
