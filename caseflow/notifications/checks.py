"""The hourly reminder checks (job `reminders`): no contact for 30 days, follow-ups due, and the
team leads' escalation for tasks overdue by more than 14 days. Each event is notified once
(Notification.event_key); running the checks again adds nothing new."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import sqlalchemy as sa

from caseflow.accounts.models import User
from caseflow.board.signals import ESCALATION_DAYS, FOLLOW_UP_KINDS, P, casework_scope, last_contact, no_contact
from caseflow.database import unit_of_work
from caseflow.extensions import db
from caseflow.jobs import LOCAL_ZONE
from caseflow.notifications.services import notify_many
from caseflow.participants.models import Task

NO_CONTACT_NOTICE_DAYS = 30


def no_contact_rows(today: date) -> list[dict]:
    contact = last_contact().label("last_contact")
    rows = db.session.execute(
        sa.select(P.id, P.counsellor_id, contact)
        .where(*casework_scope(), P.counsellor_id.is_not(None), no_contact(today, NO_CONTACT_NOTICE_DAYS))).all()
    return [{"user_id": r.counsellor_id, "kind": "no_contact", "participant_id": r.id,
             "event_key": f"no_contact:{r.id}:{r.last_contact}",
             "params": {"days": NO_CONTACT_NOTICE_DAYS, "since": r.last_contact.isoformat()}} for r in rows]


def _open_task_select():
    return (sa.select(Task.id, Task.kind, Task.due_date, Task.assignee_id, Task.participant_id, Task.organisation_id)
            .join(P, P.id == Task.participant_id).where(Task.done_at.is_(None), *casework_scope()))


def follow_up_rows(today: date) -> list[dict]:
    rows = db.session.execute(_open_task_select().where(
        Task.kind.in_(FOLLOW_UP_KINDS), Task.due_date <= today, Task.assignee_id.is_not(None))).all()
    return [{"user_id": r.assignee_id, "kind": "follow_up_due", "participant_id": r.participant_id, "task_id": r.id,
             "event_key": f"follow_up_due:{r.id}:{r.due_date}",
             "params": {"task_kind": r.kind, "due_date": r.due_date.isoformat()}} for r in rows]


def escalation_rows(today: date) -> list[dict]:
    """Every active team lead of the task's organisation, for each task overdue by more than 14 days."""
    tasks = db.session.execute(_open_task_select().where(
        Task.due_date < today - timedelta(days=ESCALATION_DAYS))).all()
    if not tasks:
        return []
    leads: dict[int, list[int]] = {}
    for user_id, org_id in db.session.execute(sa.select(User.id, User.organisation_id).where(
            User.role == "team_lead", User.active, User.organisation_id.in_({t.organisation_id for t in tasks}))):
        leads.setdefault(org_id, []).append(user_id)
    return [{"user_id": lead, "kind": "escalation", "participant_id": t.participant_id, "task_id": t.id,
             "event_key": f"escalation:{t.id}:{t.due_date}",
             "params": {"days": ESCALATION_DAYS, "due_date": t.due_date.isoformat()}}
            for t in tasks for lead in leads.get(t.organisation_id, [])]


def run_checks(now: datetime) -> str:
    today = now.astimezone(LOCAL_ZONE).date()
    with unit_of_work():
        counts = {name: notify_many(rows(today)) for name, rows in
                  (("no_contact", no_contact_rows), ("follow_up_due", follow_up_rows), ("escalation", escalation_rows))}
    return ", ".join(f"{k} {v}" for k, v in counts.items())
