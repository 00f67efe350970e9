"""API v1: placements, exit, re-entry, certificates and follow-ups (docs/interfaces.md).

Every endpoint loads the participant through `get_participant_for` (another organisation's → 404,
analysts and admins → 403) and calls the same services as the web pages.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import jsonify, request

from caseflow.api.blueprint import bp
from caseflow.api.openapi import PAGE_PARAMS, body, errors, id_param, ok, page_of
from caseflow.api.support import api_user, iso, json_body, paginated
from caseflow.errors import DomainError
from caseflow.participants.access import get_participant_for, require_casework
from caseflow.placements import indicators, services
from caseflow.placements.access import get_placement_for
from caseflow.placements.models import Certificate, Exit, FollowUp, Placement, ReEntry
from caseflow.placements.queries import PlacementFilters, organisation_placements
from caseflow.vocabulary import EXIT_REASONS, FOLLOW_UP_STATUSES, LABOUR_STATUSES, PLACEMENT_TYPES

PLACEMENT_INPUT = ("type", "employer_id", "employer_name", "job_title", "occupation", "start_date", "end_date",
                   "weekly_hours", "permanent", "country", "matches_qualification", "enrolment_id", "evidence")


# --- shapes ----------------------------------------------------------------------------------------

def placement_json(p: Placement) -> dict[str, Any]:
    return {"id": p.id, "participant_id": p.participant_id, "type": p.type, "employer_id": p.employer_id,
            "employer_name": p.employer_name, "job_title": p.job_title, "occupation": p.occupation,
            "start_date": iso(p.start_date), "end_date": iso(p.end_date),
            "weekly_hours": float(p.weekly_hours) if p.weekly_hours is not None else None,
            "permanent": p.permanent, "country": p.country, "matches_qualification": p.matches_qualification,
            "enrolment_id": p.enrolment_id, "evidence": p.evidence, "version": p.version}


def participant_state(participant) -> dict[str, Any]:
    return {"id": participant.id, "status": participant.status, "entry_date": iso(participant.entry_date),
            "exit_date": iso(participant.exit_date), "exit_reason": participant.exit_reason,
            "version": participant.version}


def exit_json(e: Exit) -> dict[str, Any]:
    return {"id": e.id, "participant_id": e.participant_id, "exit_date": iso(e.exit_date), "reason": e.reason}


def certificate_json(c: Certificate) -> dict[str, Any]:
    return {"id": c.id, "participant_id": c.participant_id, "date": iso(c.date), "title": c.title,
            "issuing_body": c.issuing_body, "enrolment_id": c.enrolment_id}


def follow_up_json(f: FollowUp) -> dict[str, Any]:
    return {"id": f.id, "participant_id": f.participant_id, "kind": f.kind, "date": iso(f.date),
            "status": f.status, "improved_situation": f.improved_situation,
            "improvement_kind": f.improvement_kind}


def _picked(data: dict, names) -> dict[str, Any]:
    return {k: data[k] for k in names if k in data}


def _int_arg(name: str) -> int | None:
    raw = request.args.get(name)
    if raw in (None, ""):
        return None
    try:
        return int(raw)
    except ValueError:
        raise DomainError.field(name, "Must be a whole number.") from None


# --- placements ------------------------------------------------------------------------------------

@bp.post("/participants/<int:participant_id>/placements")
def outcomes_record_placement(participant_id: int):
    participant = get_participant_for(api_user(), participant_id, for_update=True, allow_anonymised=False)
    data = json_body()
    placement = services.record_placement(
        participant, _picked(data, PLACEMENT_INPUT + ("status_after_end",)), actor=api_user())
    return jsonify(placement_json(placement)), 201


@bp.get("/participants/<int:participant_id>/placements")
def outcomes_participant_placements(participant_id: int):
    participant = get_participant_for(api_user(), participant_id)
    stmt = (sa.select(Placement).where(Placement.participant_id == participant.id)
            .order_by(Placement.start_date.desc(), Placement.id.desc()))
    return jsonify(paginated(stmt, placement_json))


@bp.get("/placements")
def outcomes_placements():
    user = api_user()
    require_casework(user)
    from caseflow.api.support import parse_date
    filters = PlacementFilters(
        date_from=parse_date(request.args.get("from"), "from", required=False),
        date_to=parse_date(request.args.get("to"), "to", required=False),
        type=request.args.get("type") or None, measure_id=_int_arg("measure_id"),
        counsellor_id=_int_arg("counsellor_id"), employer_id=_int_arg("employer_id"))
    if filters.type and filters.type not in PLACEMENT_TYPES:
        raise DomainError.field("type", "Unknown placement type.")
    return jsonify(paginated(organisation_placements(user.organisation_id, filters), placement_json))


@bp.get("/placements/<int:placement_id>")
def outcomes_placement(placement_id: int):
    placement, _participant = get_placement_for(api_user(), placement_id)
    return jsonify(placement_json(placement))


@bp.patch("/placements/<int:placement_id>")
def outcomes_update_placement(placement_id: int):
    placement, participant = get_placement_for(api_user(), placement_id, for_update=True)
    data = json_body()
    if "version" not in data:
        raise DomainError.field("version", "Send the version you read.")
    placement = services.update_placement(placement, participant, _picked(data, PLACEMENT_INPUT),
                                          version=data["version"], actor=api_user())
    return jsonify(placement_json(placement))


@bp.post("/placements/<int:placement_id>/end")
def outcomes_end_placement(placement_id: int):
    placement, participant = get_placement_for(api_user(), placement_id, for_update=True)
    data = json_body()
    placement = services.end_placement(placement, participant, end_date=data.get("end_date"),
                                       status_after=data.get("status_after_end"),
                                       version=data.get("version"), actor=api_user())
    return jsonify(placement_json(placement))


# --- exit and re-entry -----------------------------------------------------------------------------

@bp.post("/participants/<int:participant_id>/exit")
def outcomes_exit(participant_id: int):
    participant = get_participant_for(api_user(), participant_id, for_update=True, allow_anonymised=False)
    data = json_body()
    result = services.exit_participant(participant, exit_date=data.get("exit_date"), reason=data.get("reason"),
                                       close_enrolments_as=data.get("close_enrolments_as"), actor=api_user())
    return jsonify({**exit_json(result.exit),
                    "closed_enrolments": [{"id": e.id, "status": e.status, "end_date": iso(e.end_date)}
                                          for e in result.closed_enrolments],
                    "tasks": [{"id": t.id, "kind": t.kind, "title": t.title, "due_date": iso(t.due_date),
                               "assignee_id": t.assignee_id} for t in result.tasks],
                    "participant": participant_state(participant)}), 201


@bp.get("/participants/<int:participant_id>/exits")
def outcomes_exits(participant_id: int):
    participant = get_participant_for(api_user(), participant_id)
    stmt = sa.select(Exit).where(Exit.participant_id == participant.id).order_by(Exit.exit_date.desc(), Exit.id.desc())
    return jsonify(paginated(stmt, exit_json))


@bp.post("/participants/<int:participant_id>/re-entry")
def outcomes_re_entry(participant_id: int):
    participant = get_participant_for(api_user(), participant_id, for_update=True, allow_anonymised=False)
    data = json_body()
    re_entry = services.re_enter_participant(participant, re_entry_date=data.get("date"), actor=api_user())
    return jsonify({"id": re_entry.id, "participant_id": participant.id, "date": iso(re_entry.date),
                    "participant": participant_state(participant)}), 201


@bp.get("/participants/<int:participant_id>/re-entries")
def outcomes_re_entries(participant_id: int):
    participant = get_participant_for(api_user(), participant_id)
    stmt = sa.select(ReEntry).where(ReEntry.participant_id == participant.id).order_by(ReEntry.date.desc(), ReEntry.id.desc())
    return jsonify(paginated(stmt, lambda r: {"id": r.id, "participant_id": r.participant_id, "date": iso(r.date)}))


# --- certificates and follow-ups -------------------------------------------------------------------

@bp.post("/participants/<int:participant_id>/certificates")
def outcomes_record_certificate(participant_id: int):
    participant = get_participant_for(api_user(), participant_id, for_update=True, allow_anonymised=False)
    data = json_body()
    certificate = services.record_certificate(
        participant, _picked(data, ("date", "title", "issuing_body", "enrolment_id")), actor=api_user())
    return jsonify(certificate_json(certificate)), 201


@bp.get("/participants/<int:participant_id>/certificates")
def outcomes_certificates(participant_id: int):
    participant = get_participant_for(api_user(), participant_id)
    stmt = (sa.select(Certificate).where(Certificate.participant_id == participant.id)
            .order_by(Certificate.date.desc(), Certificate.id.desc()))
    return jsonify(paginated(stmt, certificate_json))


@bp.post("/participants/<int:participant_id>/follow-ups")
def outcomes_record_follow_up(participant_id: int):
    participant = get_participant_for(api_user(), participant_id, for_update=True, allow_anonymised=False)
    data = json_body()
    follow_up = services.record_follow_up(
        participant, _picked(data, ("kind", "date", "status", "improved_situation", "improvement_kind")),
        actor=api_user())
    return jsonify(follow_up_json(follow_up)), 201


@bp.get("/participants/<int:participant_id>/follow-ups")
def outcomes_follow_ups(participant_id: int):
    participant = get_participant_for(api_user(), participant_id)
    stmt = (sa.select(FollowUp).where(FollowUp.participant_id == participant.id)
            .order_by(FollowUp.date.desc(), FollowUp.id.desc()))
    return jsonify(paginated(stmt, follow_up_json))


@bp.get("/participants/<int:participant_id>/esf-preview")
def outcomes_esf_preview(participant_id: int):
    participant = get_participant_for(api_user(), participant_id)
    preview = indicators.leaving_preview(participant)
    if preview is None:
        return jsonify({"participant_id": participant.id, "exited": False})
    return jsonify({"participant_id": participant.id, "exited": True, "exit_date": iso(preview.exit_date),
                    "reference_day": iso(preview.reference_day),
                    "status_upon_leaving": preview.status_upon_leaving, "provisional": preview.provisional,
                    "qualification_gained": preview.qualification_gained,
                    "six_month_status": preview.six_month_status,
                    "improved_situation": preview.improved_situation})


# --- OpenAPI ---------------------------------------------------------------------------------------

_DATE = {"type": "string", "format": "date"}
_NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}
_LABOUR = list(LABOUR_STATUSES)
_PID = [id_param("participant_id")]

OPENAPI_SCHEMAS = {
    "Placement": {"type": "object", "properties": {
        "id": {"type": "integer", "readOnly": True}, "participant_id": {"type": "integer", "readOnly": True},
        "type": {"type": "string", "enum": list(PLACEMENT_TYPES)},
        "employer_id": {"type": ["integer", "null"], "description": "an employer of the organisation's directory"},
        "employer_name": {"type": ["string", "null"], "maxLength": 200,
                          "description": "without employer_id: the directory entry of that name (case-insensitive), "
                                         "created on the spot when there is none. Required except for self_employment."},
        "job_title": {"type": ["string", "null"], "maxLength": 200},
        "occupation": {"type": ["string", "null"], "maxLength": 200},
        "start_date": {**_DATE, "description": "not before the participant's entry date"},
        "end_date": {**_NULLABLE_DATE, "description": "not before start_date"},
        "weekly_hours": {"type": ["number", "null"], "minimum": 1, "maximum": 60},
        "permanent": {"type": ["boolean", "null"], "description": "true: permanent; false: fixed-term"},
        "country": {"type": "string", "default": "DE", "description": "ISO 3166-1 alpha-2"},
        "matches_qualification": {"type": ["boolean", "null"]},
        "enrolment_id": {"type": ["integer", "null"], "description": "one of this participant's enrolments"},
        "evidence": {"type": ["string", "null"], "enum": ["self_reported", "employer_confirmed", "contract_seen", None]},
        "version": {"type": "integer", "readOnly": True}}},
    "PlacementCreate": {"type": "object", "required": ["type", "start_date"], "description":
        "Adds the matching status change on start_date in the same transaction: employment, marginal_employment "
        "and apprenticeship → employed; self_employment → self_employed; internship → none. May be recorded "
        "after the exit.",
        "allOf": [{"$ref": "#/components/schemas/Placement"}],
        "properties": {"status_after_end": {"type": "string", "enum": _LABOUR,
                                            "description": "with end_date: the status that follows, "
                                                           "recorded on the day after end_date"}}},
    "PlacementPatch": {"type": "object", "required": ["version"], "description":
        "Changes the fields sent. The placement's status changes follow (type or start date re-record the "
        "start status change; a new end date moves the status that follows to the day after it).",
        "allOf": [{"$ref": "#/components/schemas/Placement"}],
        "properties": {"version": {"type": "integer"}}},
    "PlacementEnd": {"type": "object", "required": ["end_date", "status_after_end", "version"], "properties": {
        "end_date": _DATE, "version": {"type": "integer"},
        "status_after_end": {"type": "string", "enum": _LABOUR,
                             "description": "recorded on the day AFTER end_date (the end date is the last "
                                            "working day, so the status on it is still the placement's)"}}},
    "ExitCreate": {"type": "object", "required": ["exit_date", "reason"], "properties": {
        "exit_date": {**_DATE, "description": "not before the entry date, nor before the last re-entry"},
        "reason": {"type": "string", "enum": list(EXIT_REASONS)},
        "close_enrolments_as": {
            "description": "How the open enrolments (planned, active) are closed. Omitted: active ones become "
                           "completed, planned ones (and any that would start after the exit) cancelled. A string "
                           "closes all of them so; an object maps enrolment ids to a status (unnamed ones take "
                           "the default). An enrolment starting after the exit can only be cancelled.",
            "oneOf": [{"type": "string", "enum": ["completed", "dropped_out", "cancelled"]},
                      {"type": "object", "additionalProperties": {
                          "type": "string", "enum": ["completed", "dropped_out", "cancelled"]}}]}}},
    "Exit": {"type": "object", "properties": {
        "id": {"type": "integer"}, "participant_id": {"type": "integer"}, "exit_date": _DATE,
        "reason": {"type": "string", "enum": list(EXIT_REASONS)},
        "closed_enrolments": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "integer"}, "status": {"type": "string"}, "end_date": _NULLABLE_DATE}}},
        "tasks": {"type": "array", "description": "the tasks created: four_week_check (exit + 28 days) and "
                                                  "six_month_follow_up (exit + 6 calendar months)",
                  "items": {"type": "object", "properties": {
                      "id": {"type": "integer"}, "kind": {"type": "string"}, "title": {"type": "string"},
                      "due_date": _DATE, "assignee_id": {"type": ["integer", "null"]}}}},
        "participant": {"$ref": "#/components/schemas/ParticipantState"}}},
    "ParticipantState": {"type": "object", "properties": {
        "id": {"type": "integer"}, "status": {"type": "string", "enum": ["active", "exited"]},
        "entry_date": _DATE, "exit_date": _NULLABLE_DATE, "exit_reason": {"type": ["string", "null"]},
        "version": {"type": "integer"}}},
    "ReEntryCreate": {"type": "object", "required": ["date"], "properties": {
        "date": {**_DATE, "description": "not before the last exit"}}},
    "ReEntry": {"type": "object", "properties": {
        "id": {"type": "integer"}, "participant_id": {"type": "integer"}, "date": _DATE,
        "participant": {"$ref": "#/components/schemas/ParticipantState"}}},
    "Certificate": {"type": "object", "required": ["date", "title"], "properties": {
        "id": {"type": "integer", "readOnly": True}, "participant_id": {"type": "integer", "readOnly": True},
        "date": {**_DATE, "description": "from the entry date on, not in the future"},
        "title": {"type": "string", "maxLength": 200}, "issuing_body": {"type": ["string", "null"], "maxLength": 200},
        "enrolment_id": {"type": ["integer", "null"], "description": "one of this participant's enrolments"}}},
    "FollowUp": {"type": "object", "required": ["date", "status"], "properties": {
        "id": {"type": "integer", "readOnly": True}, "participant_id": {"type": "integer", "readOnly": True},
        "kind": {"type": "string", "enum": ["six_months", "four_weeks"], "default": "six_months"},
        "date": {**_DATE, "description": "not before the exit, not in the future"},
        "status": {"type": "string", "enum": list(FOLLOW_UP_STATUSES),
                   "description": "'unknown' when the person could not be reached (never recorded as unemployed)"},
        "improved_situation": {"type": ["boolean", "null"],
                               "description": "only for participants employed or self-employed at entry, "
                                              "with status employed or self_employed"},
        "improvement_kind": {"type": ["string", "null"],
                             "enum": ["stable_contract", "full_time", "higher_skills", "promotion", None],
                             "description": "required when improved_situation is true; a pay rise alone is no "
                                            "improvement"}}},
    "EsfPreview": {"type": "object", "properties": {
        "participant_id": {"type": "integer"}, "exited": {"type": "boolean"}, "exit_date": _DATE,
        "reference_day": {**_DATE, "description": "exit_date + 28 days"},
        "status_upon_leaving": {"type": ["string", "null"], "enum": _LABOUR + [None],
                                "description": "the latest status record on or before reference_day "
                                               "(same day: the one recorded last)"},
        "provisional": {"type": "boolean"}, "qualification_gained": {"type": "boolean"},
        "six_month_status": {"type": ["string", "null"]}, "improved_situation": {"type": ["boolean", "null"]}}},
}

_W = errors("400", "401", "403", "404", "409", "422")
_R = errors("401", "403", "404")

OPENAPI_PATHS = {
    "/participants/{participant_id}/placements": {
        "parameters": _PID,
        "post": {"summary": "Record a placement (adds the matching status change)",
                 "requestBody": body("PlacementCreate"),
                 "responses": {**ok("Placement", "201", "Created"), **_W}},
        "get": {"summary": "The participant's placements", "parameters": PAGE_PARAMS,
                "responses": {**page_of("Placement"), **_R}}},
    "/placements": {"get": {
        "summary": "The organisation's placements",
        "parameters": PAGE_PARAMS + [
            {"name": "from", "in": "query", "schema": _DATE, "description": "start date on or after"},
            {"name": "to", "in": "query", "schema": _DATE, "description": "start date on or before"},
            {"name": "type", "in": "query", "schema": {"type": "string", "enum": list(PLACEMENT_TYPES)}},
            {"name": "measure_id", "in": "query", "schema": {"type": "integer"}},
            {"name": "counsellor_id", "in": "query", "schema": {"type": "integer"}},
            {"name": "employer_id", "in": "query", "schema": {"type": "integer"}}],
        "responses": {**page_of("Placement"), **errors("401", "403", "422")}}},
    "/placements/{placement_id}": {
        "parameters": [id_param("placement_id")],
        "get": {"summary": "One placement", "responses": {**ok("Placement"), **_R}},
        "patch": {"summary": "Change a placement (send the version you read)", "requestBody": body("PlacementPatch"),
                  "responses": {**ok("Placement"), **_W}}},
    "/placements/{placement_id}/end": {
        "parameters": [id_param("placement_id")],
        "post": {"summary": "End a placement and record the status that follows (on the day after the end)",
                 "requestBody": body("PlacementEnd"), "responses": {**ok("Placement"), **_W}}},
    "/participants/{participant_id}/exit": {
        "parameters": _PID,
        "post": {"summary": "Record the exit: status exited, open enrolments closed, follow-up tasks created "
                            "(409 when exited already)",
                 "requestBody": body("ExitCreate"), "responses": {**ok("Exit", "201", "Created"), **_W}}},
    "/participants/{participant_id}/exits": {
        "parameters": _PID,
        "get": {"summary": "Every exit of the participant", "parameters": PAGE_PARAMS,
                "responses": {**page_of("Exit"), **_R}}},
    "/participants/{participant_id}/re-entry": {
        "parameters": _PID,
        "post": {"summary": "Re-entry: back to active, the first entry date stays, the exit date is cleared "
                            "(409 when not exited)",
                 "requestBody": body("ReEntryCreate"), "responses": {**ok("ReEntry", "201", "Created"), **_W}}},
    "/participants/{participant_id}/re-entries": {
        "parameters": _PID,
        "get": {"summary": "Every re-entry of the participant", "parameters": PAGE_PARAMS,
                "responses": {**page_of("ReEntry"), **_R}}},
    "/participants/{participant_id}/certificates": {
        "parameters": _PID,
        "post": {"summary": "Record a qualification gained", "requestBody": body("Certificate"),
                 "responses": {**ok("Certificate", "201", "Created"), **_W}},
        "get": {"summary": "The participant's certificates", "parameters": PAGE_PARAMS,
                "responses": {**page_of("Certificate"), **_R}}},
    "/participants/{participant_id}/follow-ups": {
        "parameters": _PID,
        "post": {"summary": "Record a follow-up after the exit (completes the matching task; the latest "
                            "six-month follow-up counts; 409 while not exited)",
                 "requestBody": body("FollowUp"), "responses": {**ok("FollowUp", "201", "Created"), **_W}},
        "get": {"summary": "The participant's follow-ups", "parameters": PAGE_PARAMS,
                "responses": {**page_of("FollowUp"), **_R}}},
    "/participants/{participant_id}/esf-preview": {
        "parameters": _PID,
        "get": {"summary": "What the ESF+ result indicators will count for this participant",
                "responses": {**ok("EsfPreview"), **_R}}},
}

from caseflow.api.core import add_legacy_openapi  # noqa: E402  (until this module's routes have schemas)

add_legacy_openapi(OPENAPI_PATHS, OPENAPI_SCHEMAS)
