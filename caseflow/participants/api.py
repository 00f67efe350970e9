"""JSON API v1: participants, their labour-market status history, progress notes, goals and tasks.

Field names, enums and status codes follow docs/interfaces.md exactly. Every endpoint
loads the participant through access.py (analysts/admins 403, other organisations 404) and calls
the same services as the web pages.
"""
from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import jsonify, request

from caseflow.api.blueprint import bp
from caseflow.api.openapi import PAGE_PARAMS, body, errors, id_param, ok, page_of
from caseflow.api.support import api_user, iso, json_body, paginated, parse_date
from caseflow.errors import DomainError, FieldErrors
from caseflow.participants import services
from caseflow.participants.access import get_participant_for, get_record_for, require_casework, visible_participants
from caseflow.participants.models import Goal, Note, Participant, StatusChange, Task
from caseflow.participants.queries import languages_of, qualifications_of, search
from caseflow.vocabulary import GENDERS, GERMAN_LEVELS, LABOUR_STATUSES, NOTE_KINDS, RESIDENCE_STATUSES

STRING_FIELDS = ("first_name", "last_name", "gender", "nationality", "country_of_birth", "residence_status",
                 "preferred_language", "labour_status_at_entry", "german_level", "phone", "email", "street",
                 "postcode", "city", "district")
DATE_FIELDS = ("date_of_birth", "entry_date", "unemployed_since", "special_categories_consent_date")
INT_FIELDS = ("arrival_year", "education_isced", "counsellor_id")
BOOL_FIELDS = ("foreign_background", "disability", "minority", "homeless")
LIST_FIELDS = ("first_name", "last_name", "date_of_birth", "gender", "nationality", "country_of_birth",
               "residence_status", "work_permission", "arrival_year", "preferred_language",
               "foreign_background", "homeless", "entry_date", "labour_status_at_entry", "unemployed_since",
               "education_isced", "german_level", "counsellor_id", "phone", "email", "street", "postcode",
               "city", "district")


# --- parsing -------------------------------------------------------------------------------------

class _Parser:
    """Converts JSON values to Python types, collecting one message per bad field."""

    def __init__(self, raw: dict[str, Any]) -> None:
        self.raw, self.errors = raw, FieldErrors()

    def fail(self, name: str, message: str) -> None:
        self.errors.add(name, message)

    def string(self, name: str) -> Any:
        value = self.raw.get(name)
        if value is not None and not isinstance(value, str):
            self.fail(name, "Use a string.")
        return value

    def date(self, name: str) -> date | None:
        try:
            return parse_date(self.raw.get(name), name, required=False)
        except DomainError as exc:
            self.fail(name, exc.message)
            return None

    def integer(self, name: str) -> Any:
        value = self.raw.get(name)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            self.fail(name, "Use a whole number.")
        return value

    def boolean(self, name: str, *, nullable: bool = False) -> Any:
        value = self.raw.get(name)
        if value is None:
            return None if nullable else False
        if not isinstance(value, bool):
            self.fail(name, "Use true or false.")
        return value

    def done(self) -> None:
        self.errors.raise_if_any("Please correct the marked fields.")


def _participant_input(raw: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    parser = _Parser(raw)
    data: dict[str, Any] = {}
    present = (lambda n: n in raw) if partial else (lambda n: True)
    for name in STRING_FIELDS:
        if present(name):
            data[name] = parser.string(name)
    for name in DATE_FIELDS:
        if present(name):
            data[name] = parser.date(name)
    for name in INT_FIELDS:
        if present(name):
            data[name] = parser.integer(name)
    for name in BOOL_FIELDS:
        if present(name):
            data[name] = parser.boolean(name)
    if present("work_permission"):
        data["work_permission"] = parser.boolean("work_permission", nullable=True)
    for name in ("languages", "foreign_qualifications"):
        if name in raw:
            data[name] = raw[name] if raw[name] is not None else []
    parser.done()
    return data


# --- serialising ---------------------------------------------------------------------------------

def participant_json(p: Participant, *, full: bool = True, languages=None, qualifications=None) -> dict[str, Any]:
    """A participant as the API shows it; `full=False` (lists, search) leaves out special categories."""
    data: dict[str, Any] = {"id": p.id, "case_number": p.case_number, "organisation_id": p.organisation_id,
                            "version": p.version, "status": p.status, "exit_date": iso(p.exit_date),
                            "age_at_entry": p.age_at_entry}
    for name in LIST_FIELDS:
        value = getattr(p, name)
        data[name] = iso(value) if isinstance(value, date) else value
    if full:
        data["disability"] = p.disability
        data["minority"] = p.minority
        data["special_categories_consent_date"] = iso(p.special_categories_consent_date)
        data["languages"] = [{"language": r.language, "level": r.level} for r in languages or []]
        data["foreign_qualifications"] = [{"title": q.title, "country": q.country, "isced": q.isced,
                                           "recognition_status": q.recognition_status} for q in qualifications or []]
    return data


def _full_json(p: Participant) -> dict[str, Any]:
    return participant_json(p, languages=languages_of(p.id), qualifications=qualifications_of(p.id))


def status_change_json(c: StatusChange) -> dict[str, Any]:
    return {"id": c.id, "participant_id": c.participant_id, "date": iso(c.date), "status": c.status,
            "source": c.source, "placement_id": c.placement_id}


def note_json(n: Note) -> dict[str, Any]:
    return {"id": n.id, "participant_id": n.participant_id, "date": iso(n.date), "kind": n.kind,
            "minutes": n.minutes, "text": n.text, "author_id": n.author_id, "version": n.version}


def goal_json(g: Goal) -> dict[str, Any]:
    return {"id": g.id, "participant_id": g.participant_id, "title": g.title, "target_date": iso(g.target_date),
            "status": g.status, "next_steps": g.next_steps, "version": g.version}


def task_json(t: Task) -> dict[str, Any]:
    return {"id": t.id, "participant_id": t.participant_id, "title": t.title, "due_date": iso(t.due_date),
            "assignee_id": t.assignee_id, "kind": t.kind, "done": t.done_at is not None,
            "done_at": t.done_at.isoformat() if t.done_at else None, "version": t.version}


# --- participants --------------------------------------------------------------------------------

@bp.get("/participants")
def list_participants():
    actor = api_user()
    stmt = visible_participants(actor).where(Participant.anonymised_at.is_(None))
    stmt = search(stmt, request.args.get("q"))
    if request.args.get("status") in ("active", "exited"):
        stmt = stmt.where(Participant.status == request.args["status"])
    stmt = stmt.order_by(Participant.id)
    return jsonify(paginated(stmt, lambda p: participant_json(p, full=False)))


@bp.post("/participants")
def create_participant():
    actor = api_user()
    require_casework(actor)
    raw = json_body()
    data = _participant_input(raw, partial=False)
    data["confirm_not_duplicate"] = raw.get("confirm_not_duplicate") is True
    participant = services.register_participant(data, actor=actor)
    return jsonify(_full_json(participant)), 201


@bp.get("/participants/<int:participant_id>")
def get_participant(participant_id: int):
    actor = api_user()
    participant = get_participant_for(actor, participant_id)
    services.record_case_view(participant, actor=actor)  # the access log, as for the case file page
    return jsonify(_full_json(participant))


@bp.patch("/participants/<int:participant_id>")
def patch_participant(participant_id: int):
    actor = api_user()
    participant = get_participant_for(actor, participant_id, for_update=True, allow_anonymised=False)
    raw = json_body()
    data = _participant_input(raw, partial=True)
    participant = services.update_participant(participant, data, version=raw.get("version"), actor=actor)
    return jsonify(_full_json(participant))


# --- status history ------------------------------------------------------------------------------

def _records_of(participant_id: int, model, serialise, *order_by):
    """One page of a participant's notes, goals, tasks or status changes, as JSON."""
    participant = get_participant_for(api_user(), participant_id)
    stmt = sa.select(model).where(model.participant_id == participant.id).order_by(*order_by)
    return jsonify(paginated(stmt, serialise))


@bp.get("/participants/<int:participant_id>/status-changes")
def list_status_changes(participant_id: int):
    return _records_of(participant_id, StatusChange, status_change_json, StatusChange.date, StatusChange.id)


@bp.post("/participants/<int:participant_id>/status-changes")
def create_status_change(participant_id: int):
    actor = api_user()
    participant = get_participant_for(actor, participant_id, for_update=True, allow_anonymised=False)
    raw = json_body()
    parser = _Parser(raw)
    change_date, status = parser.date("date"), parser.string("status")
    parser.done()
    change = services.add_status_change(participant, date_=change_date, status=status, actor=actor)
    return jsonify(status_change_json(change)), 201


# --- notes ---------------------------------------------------------------------------------------

def _note_input(raw: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    parser, data = _Parser(raw), {}
    if not partial or "date" in raw:
        data["date"] = parser.date("date")
    for name in ("kind", "text"):
        if not partial or name in raw:
            data[name] = parser.string(name)
    if not partial or "minutes" in raw:
        data["minutes"] = parser.integer("minutes")
    parser.done()
    return data


@bp.get("/participants/<int:participant_id>/notes")
def list_notes(participant_id: int):
    return _records_of(participant_id, Note, note_json, Note.date.desc(), Note.id.desc())


@bp.post("/participants/<int:participant_id>/notes")
def create_note(participant_id: int):
    actor = api_user()
    participant = get_participant_for(actor, participant_id, for_update=True, allow_anonymised=False)
    note = services.add_note(participant, _note_input(json_body(), partial=False), actor=actor)
    return jsonify(note_json(note)), 201


@bp.patch("/participants/<int:participant_id>/notes/<int:note_id>")
def patch_note(participant_id: int, note_id: int):
    actor = api_user()
    _, note = get_record_for(actor, participant_id, Note, note_id, for_update=True)
    raw = json_body()
    note = services.correct_note(note, _note_input(raw, partial=True), version=raw.get("version"), actor=actor)
    return jsonify(note_json(note))


# --- goals ---------------------------------------------------------------------------------------

def _goal_input(raw: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    parser, data = _Parser(raw), {}
    for name in ("title", "status", "next_steps"):
        if not partial or name in raw:
            data[name] = parser.string(name)
    if not partial or "target_date" in raw:
        data["target_date"] = parser.date("target_date")
    parser.done()
    return data


@bp.get("/participants/<int:participant_id>/goals")
def list_goals(participant_id: int):
    return _records_of(participant_id, Goal, goal_json, Goal.id)


@bp.post("/participants/<int:participant_id>/goals")
def create_goal(participant_id: int):
    actor = api_user()
    participant = get_participant_for(actor, participant_id, for_update=True, allow_anonymised=False)
    goal = services.add_goal(participant, _goal_input(json_body(), partial=False), actor=actor)
    return jsonify(goal_json(goal)), 201


@bp.patch("/participants/<int:participant_id>/goals/<int:goal_id>")
def patch_goal(participant_id: int, goal_id: int):
    actor = api_user()
    _, goal = get_record_for(actor, participant_id, Goal, goal_id, for_update=True)
    raw = json_body()
    goal = services.update_goal(goal, _goal_input(raw, partial=True), version=raw.get("version"), actor=actor)
    return jsonify(goal_json(goal))


# --- tasks ---------------------------------------------------------------------------------------

@bp.get("/participants/<int:participant_id>/tasks")
def list_tasks(participant_id: int):
    return _records_of(participant_id, Task, task_json, Task.due_date, Task.id)


@bp.post("/participants/<int:participant_id>/tasks")
def create_task(participant_id: int):
    actor = api_user()
    participant = get_participant_for(actor, participant_id, for_update=True, allow_anonymised=False)
    raw = json_body()
    parser = _Parser(raw)
    data = {"title": parser.string("title"), "due_date": parser.date("due_date"),
            "assignee_id": parser.integer("assignee_id")}
    parser.done()
    task = services.add_task(participant, data, actor=actor)
    return jsonify(task_json(task)), 201


@bp.patch("/participants/<int:participant_id>/tasks/<int:task_id>")
def patch_task(participant_id: int, task_id: int):
    actor = api_user()
    _, task = get_record_for(actor, participant_id, Task, task_id, for_update=True)
    raw = json_body()
    if raw.get("done") is not True:
        raise DomainError.field("done", "Send \"done\": true to complete the task.")
    task = services.complete_task(task, version=raw.get("version"), actor=actor)
    return jsonify(task_json(task))


# --- OpenAPI -------------------------------------------------------------------------------------

_date = {"type": "string", "format": "date"}
_nullable_date = {"type": ["string", "null"], "format": "date"}
_codes = ("401", "403", "404")

OPENAPI_SCHEMAS = {
    "ParticipantInput": {"type": "object", "required": [
        "first_name", "last_name", "date_of_birth", "gender", "nationality", "entry_date", "labour_status_at_entry"],
        "properties": {
            "first_name": {"type": "string", "minLength": 1, "maxLength": 100},
            "last_name": {"type": "string", "minLength": 1, "maxLength": 100},
            "date_of_birth": {**_date, "description": "before entry_date"},
            "gender": {"type": "string", "enum": list(GENDERS)},
            "nationality": {"type": "string", "description": "ISO 3166-1 alpha-2 code or 'stateless'"},
            "country_of_birth": {"type": ["string", "null"], "description": "ISO 3166-1 alpha-2 code"},
            "residence_status": {"type": ["string", "null"], "enum": list(RESIDENCE_STATUSES) + [None]},
            "work_permission": {"type": ["boolean", "null"]},
            "arrival_year": {"type": ["integer", "null"]},
            "preferred_language": {"type": ["string", "null"], "description": "ISO 639-1 code"},
            "foreign_background": {"type": "boolean", "default": False},
            "disability": {"type": "boolean", "default": False,
                           "description": "true only with special_categories_consent_date"},
            "minority": {"type": "boolean", "default": False,
                         "description": "true only with special_categories_consent_date"},
            "homeless": {"type": "boolean", "default": False},
            "special_categories_consent_date": _nullable_date,
            "entry_date": _date,
            "labour_status_at_entry": {"type": "string", "enum": list(LABOUR_STATUSES)},
            "unemployed_since": {**_nullable_date,
                                 "description": "required when unemployed at entry, not after entry_date, otherwise empty"},
            "education_isced": {"type": ["integer", "null"], "minimum": 0, "maximum": 8},
            "german_level": {"type": ["string", "null"], "enum": list(GERMAN_LEVELS) + [None]},
            "counsellor_id": {"type": ["integer", "null"],
                              "description": "an account of the same organisation; defaults to the creating counsellor"},
            "phone": {"type": ["string", "null"]}, "email": {"type": ["string", "null"]},
            "street": {"type": ["string", "null"]}, "postcode": {"type": ["string", "null"]},
            "city": {"type": ["string", "null"]},
            "district": {"type": ["string", "null"], "enum": list(services.BERLIN_DISTRICTS) + [None]},
            "languages": {"type": "array", "items": {"type": "object", "properties": {
                "language": {"type": "string"}, "level": {"type": ["string", "null"]}}}},
            "foreign_qualifications": {"type": "array", "items": {"type": "object", "properties": {
                "title": {"type": "string"}, "country": {"type": ["string", "null"]},
                "isced": {"type": ["integer", "null"]},
                "recognition_status": {"type": "string", "enum": list(services.RECOGNITION_STATUSES)}}}},
            "confirm_not_duplicate": {"type": "boolean", "description": "register although possible duplicates exist"},
        }},
    "Participant": {"allOf": [{"$ref": "#/components/schemas/ParticipantInput"}, {"type": "object", "properties": {
        "id": {"type": "integer"}, "case_number": {"type": "string", "example": "CF-2026-000123"},
        "organisation_id": {"type": "integer"}, "version": {"type": "integer"},
        "status": {"type": "string", "enum": ["active", "exited"]}, "exit_date": _nullable_date,
        "age_at_entry": {"type": "integer"}}}],
        "description": "Lists and search results leave out disability, minority, special_categories_consent_date, "
                       "languages and foreign_qualifications."},
    "StatusChangeInput": {"type": "object", "required": ["date", "status"], "properties": {
        "date": _date, "status": {"type": "string", "enum": list(LABOUR_STATUSES)}}},
    "StatusChange": {"type": "object", "properties": {
        "id": {"type": "integer"}, "participant_id": {"type": "integer"}, "date": _date,
        "status": {"type": "string", "enum": list(LABOUR_STATUSES)},
        "source": {"type": "string", "enum": ["entry", "manual", "placement", "placement_end", "follow_up"]},
        "placement_id": {"type": ["integer", "null"]}}},
    "NoteInput": {"type": "object", "required": ["date", "kind", "text"], "properties": {
        "date": _date, "kind": {"type": "string", "enum": list(NOTE_KINDS)}, "text": {"type": "string"},
        "minutes": {"type": ["integer", "null"], "minimum": 0, "maximum": 1440}}},
    "Note": {"type": "object", "properties": {
        "id": {"type": "integer"}, "participant_id": {"type": "integer"}, "date": _date,
        "kind": {"type": "string", "enum": list(NOTE_KINDS)}, "minutes": {"type": ["integer", "null"]},
        "text": {"type": "string"}, "author_id": {"type": ["integer", "null"]}, "version": {"type": "integer"}}},
    "NotePatch": {"type": "object", "required": ["version"], "properties": {
        "version": {"type": "integer"}, "date": _date, "kind": {"type": "string", "enum": list(NOTE_KINDS)},
        "text": {"type": "string"}, "minutes": {"type": ["integer", "null"]}},
        "description": "A correction; the earlier text is kept in the note's history."},
    "GoalInput": {"type": "object", "required": ["title"], "properties": {
        "title": {"type": "string", "maxLength": 300}, "target_date": _nullable_date,
        "status": {"type": "string", "enum": list(services.GOAL_STATUSES)}, "next_steps": {"type": ["string", "null"]},
        "version": {"type": "integer", "description": "required for PATCH"}}},
    "Goal": {"type": "object", "properties": {
        "id": {"type": "integer"}, "participant_id": {"type": "integer"}, "title": {"type": "string"},
        "target_date": _nullable_date, "status": {"type": "string", "enum": list(services.GOAL_STATUSES)},
        "next_steps": {"type": ["string", "null"]}, "version": {"type": "integer"}}},
    "TaskInput": {"type": "object", "required": ["title", "due_date"], "properties": {
        "title": {"type": "string", "maxLength": 300}, "due_date": _date,
        "assignee_id": {"type": ["integer", "null"], "description": "defaults to the calling account"}}},
    "TaskDone": {"type": "object", "required": ["version", "done"], "properties": {
        "version": {"type": "integer"}, "done": {"type": "boolean", "enum": [True]}}},
    "Task": {"type": "object", "properties": {
        "id": {"type": "integer"}, "participant_id": {"type": "integer"}, "title": {"type": "string"},
        "due_date": _date, "assignee_id": {"type": ["integer", "null"]}, "kind": {"type": "string"},
        "done": {"type": "boolean"}, "done_at": {"type": ["string", "null"], "format": "date-time"},
        "version": {"type": "integer"}}},
}

OPENAPI_SCHEMAS["ParticipantPatch"] = {
    "type": "object", "required": ["version"], "description": "Only the fields sent change.",
    "properties": {**{k: v for k, v in OPENAPI_SCHEMAS["ParticipantInput"]["properties"].items()
                      if k != "confirm_not_duplicate"}, "version": {"type": "integer"}}}

_pid = id_param("participant_id")


def _sub(name: str, schema: str, input_schema: str, summary: str) -> dict[str, Any]:
    return {f"/participants/{{participant_id}}/{name}": {
        "parameters": [_pid],
        "get": {"summary": f"List the participant's {summary}", "parameters": PAGE_PARAMS,
                "responses": {**page_of(schema), **errors(*_codes)}},
        "post": {"summary": f"Add to the participant's {summary}", "requestBody": body(input_schema),
                 "responses": {**ok(schema, "201", "Created"), **errors("400", *_codes, "409", "422")}},
    }}


OPENAPI_PATHS = {
    "/participants": {
        "get": {"summary": "The participants of the account's organisation",
                "description": "q searches by name or case number, case- and accent-insensitive "
                               "(muller and mueller find Müller). Analysts and admins: 403.",
                "parameters": [{"name": "q", "in": "query", "schema": {"type": "string"}},
                               {"name": "status", "in": "query", "schema": {"type": "string", "enum": ["active", "exited"]}},
                               *PAGE_PARAMS],
                "responses": {**page_of("Participant"), **errors("401", "403")}},
        "post": {"summary": "Register a participant",
                 "description": "409 possible_duplicate with error.candidates (ids) for a person of the same "
                                "organisation with the same date of birth and a similar name, unless "
                                "confirm_not_duplicate is true.",
                 "requestBody": body("ParticipantInput"),
                 "responses": {**ok("Participant", "201", "Created"), **errors("400", "401", "403", "409", "422")}},
    },
    "/participants/{participant_id}": {
        "parameters": [_pid],
        "get": {"summary": "One participant", "responses": {**ok("Participant"), **errors(*_codes)}},
        "patch": {"summary": "Change master data (send the version read; 409 when stale)",
                  "requestBody": body("ParticipantPatch"),
                  "responses": {**ok("Participant"), **errors("400", *_codes, "409", "422")}},
    },
    **_sub("status-changes", "StatusChange", "StatusChangeInput", "labour-market status history"),
    **_sub("notes", "Note", "NoteInput", "progress notes"),
    **_sub("goals", "Goal", "GoalInput", "integration plan goals"),
    **_sub("tasks", "Task", "TaskInput", "tasks"),
    "/participants/{participant_id}/notes/{note_id}": {
        "parameters": [_pid, id_param("note_id")],
        "patch": {"summary": "Correct a note", "requestBody": body("NotePatch"),
                  "responses": {**ok("Note"), **errors("400", *_codes, "409", "422")}}},
    "/participants/{participant_id}/goals/{goal_id}": {
        "parameters": [_pid, id_param("goal_id")],
        "patch": {"summary": "Change a goal", "requestBody": body("GoalInput"),
                  "responses": {**ok("Goal"), **errors("400", *_codes, "409", "422")}}},
    "/participants/{participant_id}/tasks/{task_id}": {
        "parameters": [_pid, id_param("task_id")],
        "patch": {"summary": "Complete a task", "requestBody": body("TaskDone"),
                  "responses": {**ok("Task"), **errors("400", *_codes, "409", "422")}}},
}

from caseflow.api.core import add_legacy_openapi  # noqa: E402  (until this module's routes have schemas)

add_legacy_openapi(OPENAPI_PATHS, OPENAPI_SCHEMAS)
