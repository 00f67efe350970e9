"""The private calendar feed (an .ics address per account that Outlook or Thunderbird subscribe
to) and appointments planned ahead in a case.

The address holds a random token; only its SHA-256 is stored. Renewing makes a new token and
replaces the digest, so the old address stops working at once; turning the feed off deletes it.
The feed shows open tasks and planned appointments with the case number and the kind of entry,
never a name and never a task's typed title (which could hold one).
"""
from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from icalendar import Calendar, Event

from caseflow.accounts.models import User
from caseflow.audit.services import record
from caseflow.calendar_feed.models import Appointment, CalendarFeed
from caseflow.database import plain_rows, transactional
from caseflow.errors import Conflict
from caseflow.extensions import db
from caseflow.models_base import utcnow
from caseflow.participants.access import require_casework
from caseflow.participants.models import Participant, Task
from caseflow.translation import gettext as _
from caseflow.validation import Checker, check_version
from caseflow.vocabulary import NOTE_KINDS, SYSTEM_TASK_TITLES

TOKEN_BYTES = 32
PAST_DAYS = 30          # the feed reaches this far back …
FUTURE_DAYS = 400       # … and this far ahead
TOUCH_INTERVAL = timedelta(minutes=10)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_of(user_id: int) -> CalendarFeed | None:
    return db.session.scalar(sa.select(CalendarFeed).where(CalendarFeed.user_id == user_id))


@transactional
def renew_feed(*, actor: User) -> str:
    """Turns the account's feed on, or gives it a new address (the old one stops working).
    Returns the new token, which is shown once and never stored."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    feed = db.session.scalar(sa.select(CalendarFeed).where(CalendarFeed.user_id == actor.id).with_for_update())
    action = "calendar_feed.renew" if feed is not None else "calendar_feed.create"
    if feed is None:
        feed = CalendarFeed(user_id=actor.id, token_hash=_digest(token))
        db.session.add(feed)
    else:
        feed.token_hash, feed.created_at, feed.last_used_at = _digest(token), utcnow(), None
    record(action, actor=actor, obj=feed)
    return token


@transactional
def turn_off_feed(*, actor: User) -> bool:
    feed = feed_of(actor.id)
    if feed is None:
        return False
    record("calendar_feed.delete", actor=actor, obj=feed)
    db.session.delete(feed)
    return True


def account_for_token(token: str) -> User | None:
    """The active account whose feed has this token (None otherwise); notes when it was last read."""
    if not token or len(token) > 100:
        return None
    row = db.session.execute(sa.select(CalendarFeed, User).join(User, User.id == CalendarFeed.user_id)
                             .where(CalendarFeed.token_hash == _digest(token))).one_or_none()
    if row is None or not row.User.active or row.User.role not in ("counsellor", "team_lead"):
        return None
    feed, user = row
    if feed.last_used_at is None or utcnow() - feed.last_used_at > TOUCH_INTERVAL:
        with_touch(feed)
    return user


@transactional
def with_touch(feed: CalendarFeed) -> None:
    feed.last_used_at = utcnow()


def _case_link(participant_id: int) -> str:
    return f"{current_app.config['CASEFLOW_BASE_URL']}/participants/{participant_id}"


def feed_ics(user: User, *, today: date | None = None) -> bytes:
    """The account's open tasks and planned appointments as an iCalendar document, in two queries."""
    today = today or date.today()
    tasks = db.session.execute(
        sa.select(Task.id, Task.kind, Task.due_date, Task.participant_id, Participant.case_number)
        .join(Participant, Participant.id == Task.participant_id)
        .where(Task.assignee_id == user.id, Task.organisation_id == user.organisation_id, Task.done_at.is_(None),
               Task.due_date >= today - timedelta(days=PAST_DAYS), Task.due_date <= today + timedelta(days=FUTURE_DAYS),
               Participant.anonymised_at.is_(None))
        .order_by(Task.due_date, Task.id).limit(2000)).all()
    since = datetime.combine(today - timedelta(days=PAST_DAYS), datetime.min.time(), tzinfo=UTC)
    appointments = db.session.execute(
        sa.select(Appointment.id, Appointment.kind, Appointment.starts_at, Appointment.minutes,
                  Appointment.participant_id, Participant.case_number)
        .join(Participant, Participant.id == Appointment.participant_id)
        .where(Appointment.owner_id == user.id, Appointment.organisation_id == user.organisation_id,
               Appointment.status == "planned", Appointment.starts_at >= since, Participant.anonymised_at.is_(None))
        .order_by(Appointment.starts_at, Appointment.id).limit(2000)).all()
    host = current_app.config["CASEFLOW_BASE_URL"].split("//", 1)[-1].split("/", 1)[0] or "caseflow"
    stamp = utcnow()
    cal = Calendar()
    cal.add("prodid", "-//Caseflow//calendar feed//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    with force_locale(user.locale or current_app.config.get("BABEL_DEFAULT_LOCALE", "de")):
        cal.add("x-wr-calname", _("Caseflow: my tasks and appointments"))
        for t in tasks:
            what = str(SYSTEM_TASK_TITLES.get(t.kind, _("Task")))
            event = Event()
            event.add("uid", f"task-{t.id}@{host}")
            event.add("dtstamp", stamp)
            event.add("dtstart", t.due_date)
            event.add("dtend", t.due_date + timedelta(days=1))
            event.add("summary", f"{what} · {t.case_number}")
            event.add("description", _("Open the case file: %(url)s", url=_case_link(t.participant_id)))
            event.add("transp", "TRANSPARENT")
            cal.add_component(event)
        for a in appointments:
            start = a.starts_at
            event = Event()
            event.add("uid", f"appointment-{a.id}@{host}")
            event.add("dtstamp", stamp)
            event.add("dtstart", start)
            event.add("dtend", start + timedelta(minutes=a.minutes))
            event.add("summary", f"{NOTE_KINDS.get(a.kind, a.kind)} · {a.case_number}")
            event.add("description", _("Open the case file: %(url)s", url=_case_link(a.participant_id)))
            cal.add_component(event)
    return cal.to_ical()


# --- appointments --------------------------------------------------------------------------------

APPOINTMENT_KINDS = ("meeting", "phone", "video", "company_visit")


@transactional
def plan_appointment(participant: Participant, data: dict[str, Any], *, actor: User,
                     now: datetime | None = None) -> Appointment:
    """Plans a contact ahead (a meeting note to come): `starts_at` (aware datetime, in the future),
    `minutes` (5 to 600, default 60), `kind` (default meeting)."""
    require_casework(actor)
    if participant.restricted_at is not None:
        raise Conflict(_("Processing of this case is restricted; it is read-only."), code="restricted")
    check = Checker(data, summary=_("Please correct the marked fields."))
    starts = data.get("starts_at")
    if not isinstance(starts, datetime) or starts.tzinfo is None:
        check.add("starts_at", _("Enter a date and time."))
    elif starts <= (now or utcnow()):
        check.add("starts_at", _("An appointment is planned ahead: choose a time in the future."))
    minutes = check.integer("minutes", minimum=5, maximum=600)
    kind = check.choice("kind", APPOINTMENT_KINDS) or "meeting"
    check.done()
    assert isinstance(starts, datetime)  # checked above
    starts = starts.astimezone(UTC)  # the audit entry names the moment in UTC, as it is stored
    appointment = Appointment(organisation_id=participant.organisation_id, participant_id=participant.id,
                              owner_id=actor.id, kind=kind, starts_at=starts, minutes=minutes or 60)
    db.session.add(appointment)
    record("appointment.create", actor=actor, obj=appointment, participant_id=participant.id,
           organisation_id=participant.organisation_id,
           changes={"starts_at": [None, starts.isoformat()], "kind": [None, kind]})
    return appointment


@transactional
def cancel_appointment(appointment: Appointment, *, version: Any, actor: User) -> Appointment:
    require_casework(actor)
    check_version(appointment, version)
    if appointment.status != "planned":
        raise Conflict(_("This appointment is not planned any more."), code="not_planned")
    appointment.status = "cancelled"
    record("appointment.cancel", actor=actor, obj=appointment, participant_id=appointment.participant_id,
           organisation_id=appointment.organisation_id, changes={"status": ["planned", "cancelled"]})
    return appointment


@functools.cache
def _planned_statement() -> sa.Select:
    """Built once per process (bound parameter `participant_id`): the case file shows them (issue 19)."""
    return (sa.select(Appointment)
            .where(Appointment.participant_id == sa.bindparam("participant_id"), Appointment.status == "planned")
            .order_by(Appointment.starts_at, Appointment.id))


def planned_appointments(participant_id: int) -> list[Appointment]:
    return list(db.session.scalars(_planned_statement(), {"participant_id": participant_id}))


def planned_appointment_rows(participant_id: int) -> list[Any]:
    """`planned_appointments` as plain rows of their columns (for the case file's panel)."""
    return list(plain_rows(_planned_statement(), {"participant_id": participant_id}))
