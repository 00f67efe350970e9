"""The daily e-mail digest (job `digest`, at DIGEST_HOUR Europe/Berlin): one mail per person who
has something due, holding counts and a link, never a name or a case number. A person gets at
most one digest a day (ReminderSettings.last_digest_on, written after each mail, so a run that
stopped half-way resumes with the people not yet written to) and none after opting out."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from caseflow import mail
from caseflow.accounts.models import User
from caseflow.board.signals import ESCALATION_DAYS, P, casework_scope, no_contact
from caseflow.database import unit_of_work
from caseflow.extensions import db
from caseflow.jobs import LOCAL_ZONE
from caseflow.notifications.models import ReminderSettings
from caseflow.participants.models import Task
from caseflow.translation import lazy_gettext as _l
from caseflow.vocabulary import CASEWORK_ROLES

COUNT_KEYS = ("overdue", "due_today", "four_week_checks", "six_month_follow_ups", "attendance_alerts",
              "no_contact", "escalations")


@dataclass
class Digest:
    user_id: int
    email: str
    locale: str | None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNT_KEYS, 0))

    @property
    def anything(self) -> bool:
        return any(self.counts.values())


def _count(condition) -> sa.ColumnElement:
    return sa.func.count().filter(condition)


def digests(today: date) -> list[Digest]:
    """What each active case worker who wants the digest and has not had today's has due, in four
    queries whatever the number of people."""
    people = db.session.execute(
        sa.select(User.id, User.email, User.locale, User.organisation_id, User.role)
        .outerjoin(ReminderSettings, ReminderSettings.user_id == User.id)
        .where(User.active, User.role.in_(CASEWORK_ROLES),
               sa.or_(ReminderSettings.user_id.is_(None),
                      sa.and_(ReminderSettings.digest_enabled,
                              sa.or_(ReminderSettings.last_digest_on.is_(None),
                                     ReminderSettings.last_digest_on < today))))).all()
    if not people:
        return []
    out = {p.id: Digest(p.id, p.email, p.locale) for p in people}
    tasks = (sa.select(Task.assignee_id,
                       _count(Task.due_date < today).label("overdue"),
                       _count(Task.due_date == today).label("due_today"),
                       _count(sa.and_(Task.kind == "four_week_check", Task.due_date <= today)).label("four_week_checks"),
                       _count(sa.and_(Task.kind == "six_month_follow_up", Task.due_date <= today)).label("six_month_follow_ups"),
                       _count(Task.kind == "attendance").label("attendance_alerts"))
             .join(P, P.id == Task.participant_id)
             .where(Task.done_at.is_(None), Task.assignee_id.in_(list(out)), *casework_scope())
             .group_by(Task.assignee_id))
    for row in db.session.execute(tasks):
        for key in ("overdue", "due_today", "four_week_checks", "six_month_follow_ups", "attendance_alerts"):
            out[row.assignee_id].counts[key] = getattr(row, key)
    for counsellor_id, n in db.session.execute(
            sa.select(P.counsellor_id, sa.func.count()).where(
                *casework_scope(), P.counsellor_id.in_(list(out)), no_contact(today, 30))
            .group_by(P.counsellor_id)):
        out[counsellor_id].counts["no_contact"] = n
    leads: dict[int, list[int]] = {p.organisation_id: [] for p in people if p.role == "team_lead" and p.organisation_id}
    for p in people:
        if p.role == "team_lead" and p.organisation_id:
            leads[p.organisation_id].append(p.id)
    if leads:
        for org_id, n in db.session.execute(
                sa.select(Task.organisation_id, sa.func.count()).join(P, P.id == Task.participant_id)
                .where(Task.done_at.is_(None), Task.due_date < today - timedelta(days=ESCALATION_DAYS),
                       Task.organisation_id.in_(list(leads)), *casework_scope())
                .group_by(Task.organisation_id)):
            for lead in leads[org_id]:
                out[lead].counts["escalations"] = n
    return [d for d in out.values() if d.anything]


_LABELS = {
    "overdue": _l("Tasks overdue"),
    "due_today": _l("Tasks due today"),
    "four_week_checks": _l("4-week checks due"),
    "six_month_follow_ups": _l("Six-month follow-ups due"),
    "attendance_alerts": _l("Attendance alerts"),
    "no_contact": _l("Cases without contact for 30 days"),
    "escalations": _l("Tasks in your organisation overdue by more than 14 days"),
}


def send_digest(digest: Digest) -> None:
    """The mail (templates/notifications/mail/digest.*) in the person's language, through the one
    mail path (caseflow/mail.py): counts and links only. Raises when the server refuses it."""
    mail.send("notifications/mail/digest", to=digest.email, locale=digest.locale,
              lines=[(_LABELS[k], digest.counts[k]) for k in COUNT_KEYS if digest.counts[k]],
              url=mail.absolute_url("notifications.index"), settings_url=mail.absolute_url("notifications.settings"))


def send_digests(now: datetime) -> str:
    today = now.astimezone(LOCAL_ZONE).date()
    sent = failed = 0
    for digest in digests(today):
        try:
            send_digest(digest)
        except OSError:  # the server refused or is away: the others still get theirs, this one tomorrow… or next run
            failed += 1
            continue
        with unit_of_work() as session:
            row = session.get(ReminderSettings, digest.user_id)
            if row is None:
                session.add(ReminderSettings(user_id=digest.user_id, digest_enabled=True, last_digest_on=today))
            else:
                row.last_digest_on = today
        sent += 1
    if failed:
        raise RuntimeError(f"{failed} digest mails could not be sent ({sent} sent)")
    return f"sent {sent}"
