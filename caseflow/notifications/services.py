"""In-app notifications: making them (once per event), reading them, marking them read; the
daily digest's opt-out. Notifications hold kinds, counts and ids; their text is rendered in the
reader's language when shown (vocabulary.py), never stored with a name in it."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from caseflow.accounts.models import UserSession
from caseflow.accounts.sessions import forget_login_figure
from caseflow.database import transactional, unit_of_work
from caseflow.errors import NotFound
from caseflow.extensions import db
from caseflow.models_base import utcnow
from caseflow.notifications.models import Notification, ReminderSettings
from caseflow.translation import gettext as _

UNREAD = "unread_notifications"  # the header's count, a login figure (accounts/sessions.py)


def notify(user_id: int | None, kind: str, *, event_key: str, participant_id: int | None = None,
           task_id: int | None = None, params: dict[str, Any] | None = None) -> bool:
    """Adds a notification for `user_id` to the caller's unit of work, unless that account was
    told about `event_key` already. Returns True when a notification was added."""
    if user_id is None:
        return False
    values = {"user_id": user_id, "kind": kind, "event_key": event_key[:120], "participant_id": participant_id,
              "task_id": task_id, "params": params, "created_at": utcnow()}
    with unit_of_work() as session:
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        # RETURNING tells whether a row was added (rowcount is not reliable for ORM-enabled inserts).
        added = session.execute(insert(Notification).values(**values)
                                .on_conflict_do_nothing(index_elements=["user_id", "event_key"])
                                .returning(Notification.id)).first()
    if added is not None:
        forget_login_figure(UNREAD)
    return added is not None


def notify_many(rows: Iterable[dict[str, Any]]) -> int:
    """`notify` for each row (keyword arguments of notify plus `user_id` and `kind`)."""
    added = 0
    with unit_of_work():
        for row in rows:
            row = dict(row)
            added += notify(row.pop("user_id"), row.pop("kind"), **row)
    return added


def _unread_of(user_id: Any) -> sa.Select:
    """The count of the account's unread notifications; `user_id` is a value or a column."""
    return (sa.select(sa.func.count()).select_from(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None)))


def unread_count(user_id: int) -> int:
    return db.session.scalar(_unread_of(user_id)) or 0


def unread_subquery() -> sa.ScalarSelect:
    """The header's count as a login figure: counted in the login's own statement
    (accounts/sessions.py), no statement of its own on a page."""
    return _unread_of(UserSession.user_id).scalar_subquery()


def notifications_of(user_id: int) -> sa.Select:
    """The account's notifications, newest first."""
    return (sa.select(Notification).where(Notification.user_id == user_id)
            .order_by(Notification.created_at.desc(), Notification.id.desc()))


def get_notification_for(actor, notification_id: int) -> Notification:
    """One of the actor's own notifications; anybody else's does not exist (404)."""
    found = db.session.scalar(sa.select(Notification).where(Notification.id == notification_id,
                                                            Notification.user_id == actor.id))
    if found is None:
        raise NotFound(_("No such notification."))
    return found


@transactional
def mark_read(notification: Notification, *, actor) -> Notification:
    if notification.user_id != actor.id:
        raise NotFound(_("No such notification."))
    if notification.read_at is None:
        notification.read_at = utcnow()
        forget_login_figure(UNREAD)
    return notification


@transactional
def mark_all_read(*, actor) -> int:
    result = db.session.execute(sa.update(Notification).where(
        Notification.user_id == actor.id, Notification.read_at.is_(None)).values(read_at=utcnow()))
    forget_login_figure(UNREAD)
    return int(getattr(result, "rowcount", 0) or 0)


# --- the digest's opt-out -------------------------------------------------------------------------

def settings_of(user_id: int) -> ReminderSettings:
    """The account's reminder settings (defaults, not stored, when never chosen)."""
    row = db.session.get(ReminderSettings, user_id)
    return row if row is not None else ReminderSettings(user_id=user_id, digest_enabled=True, version=0)


@transactional
def set_digest(*, enabled: bool, actor) -> ReminderSettings:
    """Turns the account's daily e-mail digest on or off (audited)."""
    from caseflow.audit.services import record
    row = db.session.get(ReminderSettings, actor.id)
    if row is None:
        row = ReminderSettings(user_id=actor.id, digest_enabled=True)
        db.session.add(row)
    if row.digest_enabled != enabled:
        record("reminders.digest", actor=actor, object_type="users", object_id=actor.id,
               changes={"digest_enabled": [row.digest_enabled, enabled]})
        row.digest_enabled = enabled
    return row
