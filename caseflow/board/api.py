"""API v1 of the working day: editing tasks and reassigning a case with its tasks (interfaces.md:
`PATCH /participants/{id}/tasks/{task_id}`, `POST /participants/{id}/reassign`)."""
from __future__ import annotations

import functools

from caseflow.api.blueprint import bp
from caseflow.api.schemas import Date, Flag, Id, Schema, Text, Version, errors, fields
from caseflow.api.support import api_user
from caseflow.errors import NotFound
from caseflow.participants import tasks
from caseflow.participants.access import get_participant_for, get_record_for
from caseflow.participants.api import TaskSchema  # one schema for the task resource
from caseflow.participants.models import Task
from caseflow.translation import gettext as _
from caseflow.validation import MAX_ID


class TaskPatchSchema(Schema):
    version = Version()
    title = Text(max_length=300, metadata={"description": "only tasks of kind manual; Caseflow's own keep theirs"})
    due_date = Date(metadata={"description": "reschedule: today or later"})
    assignee_id = Id(metadata={"description": "an active counsellor or team lead of the organisation"})
    done = Flag(metadata={"description": "true completes the task, false reopens it"})


class ReassignSchema(Schema):
    counsellor_id = Id(required=True)
    move_tasks = Flag(load_default=True, metadata={"description": "move the case's open tasks too (default true)"})
    version = Version()


class HandoverSchema(Schema):
    id = fields.Integer(attribute="participant_id", dump_only=True)
    case_number = fields.String(dump_only=True)
    counsellor_id = fields.Integer(dump_only=True)
    tasks_moved = fields.Integer(dump_only=True)
    version = fields.Integer(dump_only=True)


def _ids_that_can_exist(*ids: int) -> None:
    """An id beyond what the databases store cannot exist: 404, not a database error."""
    if any(i > MAX_ID for i in ids):
        raise NotFound(_("No such record."))


@functools.cache  # once per process: the API blueprint is module-global
def register_routes() -> None:
    """Adds the routes to the API blueprint (once per process: the blueprint is module-global)."""

    @bp.route("/participants/<int:participant_id>/tasks/<int:task_id>", methods=["PATCH"],
              endpoint="tasks_patch")
    @bp.arguments(TaskPatchSchema)
    @bp.response(200, TaskSchema)
    @errors(400, 403, 404, 409, 422)
    def tasks_patch(data, participant_id: int, task_id: int):
        """Edit, reschedule, reassign, complete or reopen a task"""
        actor = api_user()
        _ids_that_can_exist(participant_id, task_id)
        _, task = get_record_for(actor, participant_id, Task, task_id, for_update=True)
        version = data.pop("version")
        return tasks.update_task(task, data, version=version, actor=actor)

    @bp.route("/participants/<int:participant_id>/reassign", methods=["POST"], endpoint="participants_reassign")
    @bp.arguments(ReassignSchema)
    @bp.response(200, HandoverSchema)
    @errors(400, 403, 404, 409, 422)
    def participants_reassign(data, participant_id: int):
        """Hand a case to another counsellor, with its open tasks unless move_tasks is false"""
        actor = api_user()
        _ids_that_can_exist(participant_id)
        participant = get_participant_for(actor, participant_id, for_update=True, allow_anonymised=False)
        return tasks.reassign_case(participant, counsellor_id=data["counsellor_id"], actor=actor,
                                   move_tasks=data["move_tasks"], version=data["version"])
