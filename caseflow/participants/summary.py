"""The case file's summary header: what a counsellor needs at a glance on every section of the case
file (status, counsellor, current measure, next task, last contact, consent, phone), in a constant
number of queries."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from caseflow.extensions import db
from caseflow.participants import queries
from caseflow.participants.models import Participant, Task
from caseflow.participants.panels import SummaryFact, summary_facts


@dataclass(frozen=True)
class CaseSummary:
    counsellor_name: str | None
    current_measure: str | None
    last_contact: date | None
    next_task: Any          # a row (due_date, kind, title, title_params) or None
    facts: list[SummaryFact]

    @property
    def alerts(self) -> list[str]:
        return [f.alert for f in self.facts if f.alert]

    def days_without_contact(self, participant: Participant, today: date | None = None) -> int | None:
        if participant.status != "active":
            return None
        since = self.last_contact or participant.entry_date
        return ((today or date.today()) - since).days


def case_summary(participant: Participant) -> CaseSummary:
    row = db.session.execute(
        sa.select(queries._current_measure().label("current_measure"),
                  queries._last_contact().label("last_contact"))
        .select_from(Participant).where(Participant.id == participant.id)).one()
    next_task = db.session.execute(
        sa.select(Task.due_date, Task.kind, Task.title, Task.title_params)
        .where(Task.participant_id == participant.id, Task.done_at.is_(None))
        .order_by(Task.due_date, Task.id).limit(1)).first()
    return CaseSummary(counsellor_name=queries.counsellor_name(participant), current_measure=row.current_measure,
                       last_contact=row.last_contact, next_task=next_task, facts=summary_facts(participant))
