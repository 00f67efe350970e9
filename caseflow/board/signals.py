"""What needs attention in a case, as SQL expressions: each is defined once here and serves the
team lead's board (counts per counsellor), its drill-down lists, the hourly reminder checks and
the daily digest, so that a number and the list behind it cannot disagree."""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from caseflow.participants.models import Note, Participant, Task

P = Participant
FOLLOW_UP_KINDS = ("four_week_check", "six_month_follow_up")
NO_CONTACT_DAYS = (30, 60, 90)
FOLLOW_UP_WINDOW_DAYS = 14
ESCALATION_DAYS = 14


def last_contact() -> sa.ColumnElement:
    """The day of the case's last progress note, or its entry date when it has none."""
    latest = (sa.select(sa.func.max(Note.date)).where(Note.participant_id == P.id)
              .correlate(P).scalar_subquery())
    return sa.func.coalesce(latest, P.entry_date)


def _open_tasks(*conditions) -> sa.ColumnElement:
    return (sa.select(sa.func.count()).select_from(Task)
            .where(Task.participant_id == P.id, Task.done_at.is_(None), *conditions)
            .correlate(P).scalar_subquery())


def overdue_tasks(today: date) -> sa.ColumnElement:
    return _open_tasks(Task.due_date < today)


def follow_ups_due(today: date) -> sa.ColumnElement:
    """Open 4-week checks and six-month follow-ups due from today to today + 14 days."""
    return _open_tasks(Task.kind.in_(FOLLOW_UP_KINDS), Task.due_date >= today,
                       Task.due_date <= today + timedelta(days=FOLLOW_UP_WINDOW_DAYS))


def attendance_alerts() -> sa.ColumnElement:
    """Open attendance alerts (tasks Caseflow made when attendance fell below the threshold)."""
    return _open_tasks(Task.kind == "attendance")


def no_contact(today: date, days: int, contact: sa.ColumnElement | None = None) -> sa.ColumnElement:
    """An active case with no contact recorded for `days` days or more."""
    contact = last_contact() if contact is None else contact
    return sa.and_(P.status == "active", contact <= today - timedelta(days=days))


def completeness_gap(today: date) -> sa.ColumnElement:
    """Any of the funder-required data checks of the completeness report fails."""
    from caseflow.reports.models import ReportFacts
    from caseflow.reports.queries import completeness_flags, facts_up_to_date
    facts_up_to_date()
    return (sa.exists().where(ReportFacts.participant_id == P.id, sa.or_(*completeness_flags(today).values()))
            .correlate(P))


def casework_scope(organisation_id: int | None = None) -> list[sa.ColumnElement]:
    """Cases anyone still works on: not anonymised, not restricted (Art. 18: read-only, left out)."""
    conditions: list[sa.ColumnElement] = [P.anonymised_at.is_(None), P.restricted_at.is_(None)]
    if organisation_id is not None:
        conditions.append(P.organisation_id == organisation_id)
    return conditions
