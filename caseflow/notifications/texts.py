"""The words of each notification kind, rendered in the reader's language when shown."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import format_date

from caseflow.translation import gettext as _
from caseflow.translation import lazy_gettext as _l
from caseflow.vocabulary import SYSTEM_TASK_TITLES

KIND_LABELS = {
    "no_contact": _l("No contact"),
    "follow_up_due": _l("Follow-up due"),
    "escalation": _l("Overdue in your team"),
    "case_reassigned": _l("Case handed to you"),
    "task_assigned": _l("Task handed to you"),
}


def _day(value: Any) -> str:
    try:
        return format_date(date.fromisoformat(value), "medium")
    except (TypeError, ValueError):
        return "—"


def notification_text(kind: str, params: dict[str, Any] | None) -> str:
    p = params or {}
    if kind == "no_contact":
        return _("No contact recorded for %(days)s days (last: %(day)s).", days=p.get("days", 30), day=_day(p.get("since")))
    if kind == "follow_up_due":
        what = SYSTEM_TASK_TITLES.get(p.get("task_kind", ""), _l("Follow-up"))
        return _("%(what)s due on %(day)s.", what=str(what), day=_day(p.get("due_date")))
    if kind == "escalation":
        return _("A task of your organisation is overdue by more than %(days)s days (due %(day)s).",
                 days=p.get("days", 14), day=_day(p.get("due_date")))
    if kind == "case_reassigned":
        return _("A case was handed to you, with %(n)s open tasks.", n=p.get("tasks", 0))
    if kind == "task_assigned":
        return _("A colleague handed you a task due on %(day)s.", day=_day(p.get("due_date")))
    return str(KIND_LABELS.get(kind, kind))
