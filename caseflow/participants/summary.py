"""The case file's summary header: what a counsellor needs at a glance on every section of the case
file (status, counsellor, current measure, next task, last contact, consent, phone), in a constant
number of queries."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

import sqlalchemy as sa

from caseflow.accounts.models import User
from caseflow.database import plain_rows
from caseflow.participants import queries
from caseflow.participants.models import Participant, Task
from caseflow.participants.panels import SummaryFact, summary_facts

NEXT_TASK_COLUMNS = ("id", "due_date", "kind", "title", "title_params")


class NextTask(NamedTuple):
    id: int
    due_date: date
    kind: str
    title: str
    title_params: Any


@dataclass(frozen=True)
class CaseSummary:
    counsellor_name: str | None
    current_measure: str | None
    last_contact: date | None
    next_task: NextTask | None
    facts: list[SummaryFact]

    @property
    def alerts(self) -> list[str]:
        return [f.alert for f in self.facts if f.alert]

    def days_without_contact(self, participant: Participant, today: date | None = None) -> int | None:
        if participant.status != "active":
            return None
        since = self.last_contact or participant.entry_date
        return ((today or date.today()) - since).days


@functools.cache
def _summary_columns_for(_part: object) -> tuple[sa.ColumnElement[Any], ...]:
    """The header's columns for the caseload's registered measures part (`_part`, read by
    queries._current_measure; each create_app registers its own): scalar subqueries correlated to
    the participant's row. They are the same for every case file, so they are built once per
    process, and SQLAlchemy keeps its cache key on the statements made of them: building them and
    computing that key took about a millisecond of every case file view (issue 19)."""
    counsellor = (sa.select(User.name).where(User.id == Participant.counsellor_id)
                  .correlate(Participant).scalar_subquery())
    return (queries._current_measure().label("current_measure"),
            queries._last_contact().label("last_contact"), counsellor.label("counsellor_name"),
            *(queries._next_task(getattr(Task, c)).label(f"task_{c}") for c in NEXT_TASK_COLUMNS))


def summary_columns() -> tuple[sa.ColumnElement[Any], ...]:
    """The header's columns, to select with the participant's row (access.get_participant_with)."""
    return _summary_columns_for(queries._caseload_measures)


@functools.cache
def _summary_statement_for(columns: tuple[sa.ColumnElement[Any], ...]) -> sa.Select:
    return sa.select(*columns).select_from(Participant).where(Participant.id == sa.bindparam("participant_id"))


def summary_statement() -> sa.Select:
    """The header's statement, with the bound parameter `participant_id`."""
    return _summary_statement_for(summary_columns())


def case_summary(participant: Participant, row: Any = None) -> CaseSummary:
    """The header's facts in one statement (the participant's row with scalar subqueries), plus one
    per summary source of the domains above. `row`: the values of `summary_columns()` for this
    participant when the caller has selected them already (with the participant's row)."""
    if row is None:
        row = plain_rows(summary_statement(), {"participant_id": participant.id}).one()
    next_task = (NextTask(*(getattr(row, f"task_{c}") for c in NEXT_TASK_COLUMNS))
                 if row.task_id is not None else None)
    return CaseSummary(counsellor_name=row.counsellor_name, current_measure=row.current_measure,
                       last_contact=row.last_contact, next_task=next_task, facts=summary_facts(participant))
