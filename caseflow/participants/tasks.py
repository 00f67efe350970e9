"""Managing tasks: edit the title, reschedule, hand to a colleague, complete and reopen, each
audited; and the rule that a case's open tasks move with it when it is reassigned.

The verbs add to participants/services.py (add_task, reassign_participant), whose
rules they share: an assignee is an active counsellor or team lead of the task's organisation;
only team leads reassign cases. Caseflow's own tasks (4-week checks, six-month follow-ups,
attendance alerts, free places) keep their kind, and with it their title in the reader's language:
their title cannot be edited, their date and assignee can.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from caseflow.accounts.models import User
from caseflow.audit.services import record
from caseflow.database import lock_rows, transactional, unit_of_work
from caseflow.errors import Conflict, DomainError, Forbidden, NotFound
from caseflow.extensions import db
from caseflow.models_base import utcnow
from caseflow.notifications.services import notify
from caseflow.participants.access import get_participant_for, require_casework
from caseflow.participants.models import Participant, Task
from caseflow.translation import gettext as _
from caseflow.validation import Checker, check_version
from caseflow.vocabulary import CASEWORK_ROLES

TASK_FIELDS = ("title", "due_date", "assignee_id", "done")
TITLE_MAX = 300


def _colleague(organisation_id: int, user_id: int | None) -> User | None:
    if user_id is None:
        return None
    return db.session.scalar(sa.select(User).where(
        User.id == user_id, User.organisation_id == organisation_id, User.active,
        User.role.in_(CASEWORK_ROLES)))


def _colleague_message() -> str:
    return _("Choose an active counsellor of your organisation.")


def _participant_of(task: Task) -> Participant | None:
    return db.session.get(Participant, task.participant_id) if task.participant_id else None


def _tell_assignee(task: Task, *, actor: User) -> None:
    if task.assignee_id is not None and task.assignee_id != actor.id:
        notify(task.assignee_id, "task_assigned", participant_id=task.participant_id, task_id=task.id,
               event_key=f"task_assigned:{task.id}:{task.version}", params={"due_date": task.due_date.isoformat()})


@transactional
def update_task(task: Task, data: Mapping[str, Any], *, version: Any, actor: User,
                today: date | None = None) -> Task:
    """Changes any of `title`, `due_date`, `assignee_id`, `done` (True completes, False reopens)
    of `task`. One audit entry per kind of change: `task.update` (title, due date), `task.reassign`
    (assignee), `task.complete`, `task.reopen`. 422 with every bad field at once, 409 when stale,
    when completing a done task (`already_done`) or reopening an open one (`not_done`)."""
    require_casework(actor)
    if task.organisation_id != actor.organisation_id:
        raise NotFound(_("No such record."))
    if task.participant_id is not None:  # lock order: participant, then its records
        lock_rows(Participant, [task.participant_id])
    check_version(task, version)
    today = today or date.today()
    check = Checker(data, summary=_("Please correct the marked fields."))
    changes: dict[str, list[Any]] = {}
    if "title" in data:
        title = check.text("title", required=True, max_length=TITLE_MAX)
        if title is not None and title != task.title:
            check.require(task.kind == "manual", "title",
                          _("Caseflow made this task; its title stays. Change its date or assignee instead."))
            changes["title"] = [task.title, title]
    if "due_date" in data:
        due = check.date("due_date", required=True)
        if due is not None and due != task.due_date:
            check.require(due >= today, "due_date", _("Choose today or a later day."))
            changes["due_date"] = [task.due_date.isoformat(), due.isoformat()]
    assignee_change: list[Any] | None = None
    if "assignee_id" in data:
        assignee_id = check.integer("assignee_id", required=True)
        if assignee_id is not None and assignee_id != task.assignee_id and check.require(
                _colleague(task.organisation_id, assignee_id) is not None, "assignee_id", _colleague_message()):
            assignee_change = [task.assignee_id, assignee_id]
    done: bool | None = None
    if "done" in data and data["done"] is not None:
        done = check.boolean("done")
    check.done()
    if done is True and task.done_at is not None:
        raise Conflict(_("This task is done already."), code="already_done")
    if done is False and task.done_at is None:
        raise Conflict(_("This task is open."), code="not_done")
    participant_id, org_id = task.participant_id, task.organisation_id
    if changes:
        if "title" in changes:
            task.title = changes["title"][1]
        if "due_date" in changes:
            task.due_date = date.fromisoformat(changes["due_date"][1])
        record("task.update", actor=actor, obj=task, participant_id=participant_id, organisation_id=org_id,
               changes=changes)
    if assignee_change:
        task.assignee_id = assignee_change[1]
        record("task.reassign", actor=actor, obj=task, participant_id=participant_id, organisation_id=org_id,
               changes={"assignee_id": assignee_change})
    if done is True and task.done_at is None:
        task.done_at = utcnow()
        record("task.complete", actor=actor, obj=task, participant_id=participant_id, organisation_id=org_id,
               changes={"done_at": [None, task.done_at.isoformat()]})
    elif done is False and task.done_at is not None:
        record("task.reopen", actor=actor, obj=task, participant_id=participant_id, organisation_id=org_id,
               changes={"done_at": [task.done_at.isoformat(), None]})
        task.done_at = None
    db.session.flush()
    if assignee_change:
        _tell_assignee(task, actor=actor)
    return task


def reschedule_task(task: Task, due_date: date | None, *, version: Any, actor: User) -> Task:
    return update_task(task, {"due_date": due_date}, version=version, actor=actor)


def reassign_task(task: Task, assignee_id: int | None, *, version: Any, actor: User) -> Task:
    return update_task(task, {"assignee_id": assignee_id}, version=version, actor=actor)


def complete_task(task: Task, *, version: Any, actor: User) -> Task:
    if task.done_at is not None:
        raise Conflict(_("This task is done already."), code="already_done")
    return update_task(task, {"done": True}, version=version, actor=actor)


def reopen_task(task: Task, *, version: Any, actor: User) -> Task:
    if task.done_at is None:
        raise Conflict(_("This task is open."), code="not_done")
    return update_task(task, {"done": False}, version=version, actor=actor)


# --- tasks move with their case -------------------------------------------------------------------

def open_tasks_of(participant_id: int) -> list[Task]:
    return list(db.session.scalars(sa.select(Task).where(Task.participant_id == participant_id,
                                                         Task.done_at.is_(None)).order_by(Task.due_date, Task.id)))


def move_open_tasks(participant: Participant, to_user_id: int, *, actor: User,
                    task_ids: Iterable[int] | None = None) -> int:
    """Hands the case's open tasks (all, or those of `task_ids`) to `to_user_id`, one `task.reassign`
    audit entry each; returns how many moved. Joins the caller's unit of work."""
    wanted = None if task_ids is None else set(task_ids)
    moved = 0
    with unit_of_work():
        tasks = lock_rows(Task, [t.id for t in open_tasks_of(participant.id)
                                 if wanted is None or t.id in wanted])
        for task in tasks:
            if task.assignee_id == to_user_id or task.done_at is not None:
                continue
            record("task.reassign", actor=actor, obj=task, participant_id=participant.id,
                   organisation_id=participant.organisation_id,
                   changes={"assignee_id": [task.assignee_id, to_user_id], "reason": [None, "case_reassigned"]})
            task.assignee_id = to_user_id
            moved += 1
    return moved


@dataclass
class Handover:
    participant_id: int
    case_number: str
    counsellor_id: int | None
    tasks_moved: int
    version: int


def reassign_case(participant: Participant, *, counsellor_id: Any, actor: User, move_tasks: bool = True,
                  task_ids: Iterable[int] | None = None, version: Any = None) -> Handover:
    """Hands a case to another counsellor of the organisation (team leads only) and, unless
    `move_tasks` is False, its open tasks with it (all of them, or those of `task_ids`). One unit of
    work: the case and its tasks move together or not at all. The new counsellor is notified."""
    if actor.role != "team_lead":
        raise Forbidden(_("Only team leads reassign participants."))
    with unit_of_work():
        if version is not None:
            check_version(participant, version)
        if isinstance(counsellor_id, bool) or not isinstance(counsellor_id, int) \
                or _colleague(participant.organisation_id, counsellor_id) is None:
            raise DomainError.field("counsellor_id", _colleague_message())
        if participant.restricted_at is not None:
            raise Conflict(_("Processing of this case is restricted; it is read-only."), code="restricted")
        moved = move_open_tasks(participant, counsellor_id, actor=actor, task_ids=task_ids) if move_tasks else 0
        changed = participant.counsellor_id != counsellor_id
        from caseflow.participants.services import reassign_participant
        reassign_participant(participant, counsellor_id=counsellor_id, actor=actor)
        if (changed or moved) and counsellor_id != actor.id:
            notify(counsellor_id, "case_reassigned", participant_id=participant.id,
                   event_key=f"case_reassigned:{participant.id}:{participant.version}", params={"tasks": moved})
        return Handover(participant.id, participant.case_number, participant.counsellor_id, moved, participant.version)


@dataclass
class BulkResult:
    participant_id: int
    case_number: str | None
    ok: bool
    message: str
    tasks_moved: int = 0


def reassign_cases(participant_ids: Iterable[int], *, counsellor_id: int, actor: User,
                   move_tasks: bool = True) -> list[BulkResult]:
    """Reassigns each case on its own (one unit of work per case, so one refused case does not
    hold back the others) and answers a result per case, in the order given."""
    if actor.role != "team_lead":
        raise Forbidden(_("Only team leads reassign participants."))
    if actor.organisation_id is None or _colleague(actor.organisation_id, counsellor_id) is None:
        raise DomainError.field("counsellor_id", _colleague_message())
    results = []
    for pid in dict.fromkeys(participant_ids):
        try:
            participant = get_participant_for(actor, pid, for_update=True, allow_anonymised=False)
        except DomainError as exc:  # another organisation's case (404), a restricted one (409)
            results.append(BulkResult(pid, None, False, exc.message))
            continue
        case_number = participant.case_number
        try:
            handover = reassign_case(participant, counsellor_id=counsellor_id, actor=actor, move_tasks=move_tasks)
        except DomainError as exc:
            results.append(BulkResult(pid, case_number, False, exc.message))
            continue
        results.append(BulkResult(pid, case_number, True, _("Reassigned."), handover.tasks_moved))
    return results
