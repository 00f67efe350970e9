"""In-app notifications and each account's reminder settings."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from caseflow.extensions import Model
from caseflow.models_base import TZDateTime, enum_column, utcnow

NOTIFICATION_KINDS = ("no_contact", "follow_up_due", "escalation", "case_reassigned", "task_assigned")


class Notification(Model):
    """Something one account should look at. The text is rendered from `kind` and `params` in the
    reader's language; `params` holds counts and ids, never a name."""

    __tablename__ = "notifications"
    __table_args__ = (
        # "Newest first" of one account, and the header's unread count, read in index order.
        sa.Index("ix_notifications_user_id_created_at", "user_id", "created_at", "id"),
        sa.Index("ix_notifications_unread", "user_id", postgresql_where=sa.text("read_at IS NULL"),
                 sqlite_where=sa.text("read_at IS NULL")),
        # A check that runs every hour notifies once per event, not once per run.
        sa.UniqueConstraint("user_id", "event_key", name="notification_event"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(enum_column("notification_kind", NOTIFICATION_KINDS))
    participant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("participants.id", ondelete="CASCADE"), index=True)
    task_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    params: Mapped[dict | None] = mapped_column(sa.JSON, comment="counts and dates shown in the text; never a name")
    event_key: Mapped[str] = mapped_column(sa.String(120), comment="what happened, so that it is notified once")
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(TZDateTime)


class ReminderSettings(Model):
    """An account's choice about the daily e-mail digest (a row only once it was chosen or sent)."""

    __tablename__ = "reminder_settings"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True,
                                         autoincrement=False)
    digest_enabled: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    last_digest_on: Mapped[date | None] = mapped_column(comment="local day of the last digest sent: one a day")
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}


