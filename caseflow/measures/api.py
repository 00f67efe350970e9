"""API v1: measures and enrolments (interfaces.md). Calls the same services as the web views."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import jsonify, request
from flask_babel import gettext as _

from caseflow.api.blueprint import bp
from caseflow.api.openapi import PAGE_PARAMS, body, errors, id_param, ok, page_of
from caseflow.api.support import api_user, iso, json_body, paginated, parse_date
from caseflow.errors import DomainError
from caseflow.measures import services
from caseflow.measures.access import (
    get_employer_for,
    get_enrolment_for,
    get_measure_for,
    require_measure_manager,
    visible_employers,
    visible_measures,
)
from caseflow.measures.details import DETAILS, details_for_api
from caseflow.measures.models import Employer, Enrolment, Measure
from caseflow.measures.queries import measure_counts
from caseflow.participants.access import get_participant_for
from caseflow.vocabulary import ENROLMENT_STATUSES, MEASURE_TYPES


def measure_json(m: Measure, counts: dict[int, dict[str, int]] | None = None) -> dict[str, Any]:
    c = (counts or {}).get(m.id, {})
    return {"id": m.id, "title": m.title, "type": m.type, "organisation_id": m.organisation_id,
            "start_date": iso(m.start_date), "end_date": iso(m.end_date), "capacity": m.capacity,
            "location": m.location, "description": m.description, "active": m.active, "version": m.version,
            "places_taken": c.get("places_taken", 0), "waiting": c.get("waiting", 0)}


def enrolment_json(e: Enrolment, rates: dict[int, tuple[int, int]] | None = None) -> dict[str, Any]:
    present, total = (rates or {}).get(e.id, (0, 0))
    return {"id": e.id, "participant_id": e.participant_id, "measure_id": e.measure_id,
            "measure_type": e.measure.type, "status": e.status, "start_date": iso(e.start_date),
            "end_date": iso(e.end_date), "dropout_reason": e.dropout_reason,
            "waitlisted": e.waitlisted_at is not None,
            "waitlisted_at": e.waitlisted_at.isoformat() if e.waitlisted_at else None,
            "details": details_for_api(e), "host_employer_id": e.host_employer_id,
            "linked_enrolment_id": e.linked_enrolment_id,
            "attendance": {"present": present, "recorded": total,
                           "rate": round(present / total, 3) if total else None},
            "version": e.version}


def _sent_version(data: dict[str, Any]) -> int:
    """The `version` the client read (taken out of `data`); 422 when it is missing or no integer."""
    version = data.pop("version", None)
    if isinstance(version, bool) or not isinstance(version, int):
        raise DomainError.field("version", _("Send the version you read."))
    return version


def _measure_data(data: dict[str, Any]) -> dict[str, Any]:
    out = {k: data[k] for k in ("title", "type", "capacity", "location", "description", "active") if k in data}
    for name in ("start_date", "end_date"):
        if name in data:
            out[name] = parse_date(data[name], name, required=(name == "start_date"))
    return out


# --- measures --------------------------------------------------------------------------------------

@bp.get("/measures")
def measures_list():
    stmt = visible_measures(api_user()).order_by(Measure.start_date.desc(), Measure.id.desc())
    if request.args.get("type"):
        stmt = stmt.where(Measure.type == request.args["type"])
    if request.args.get("active") in ("true", "false"):
        stmt = stmt.where(Measure.active.is_(request.args["active"] == "true"))
    counts: dict = {}
    return jsonify(paginated(stmt, lambda m: measure_json(m, counts),
                             prepare=lambda rows: counts.update(measure_counts([m.id for m in rows]))))


@bp.post("/measures")
def measures_create():
    data = json_body()
    user = api_user()
    require_measure_manager(user)
    org_id = data.get("organisation_id")
    if org_id is not None and (isinstance(org_id, bool) or not isinstance(org_id, int)):
        raise DomainError.field("organisation_id", _("Enter the organisation's id."))
    measure = services.create_measure(_measure_data(data), organisation_id=org_id, actor=user)
    return jsonify(measure_json(measure)), 201


@bp.get("/measures/<int:measure_id>")
def measures_get(measure_id: int):
    measure = get_measure_for(api_user(), measure_id)
    return jsonify(measure_json(measure, measure_counts([measure.id])))


@bp.patch("/measures/<int:measure_id>")
def measures_patch(measure_id: int):
    data = json_body()
    measure = get_measure_for(api_user(), measure_id, for_update=True)
    version = _sent_version(data)
    services.update_measure(measure, _measure_data(data), version=version, actor=api_user())
    return jsonify(measure_json(measure, measure_counts([measure.id])))


# --- enrolments ------------------------------------------------------------------------------------

def _enrolment_input(data: dict[str, Any]) -> services.EnrolmentInput:
    status = data.get("status", "planned")
    if not isinstance(status, str):
        raise DomainError.field("status", _("Enter a status."))
    reason = data.get("dropout_reason")
    if reason is not None and not isinstance(reason, str):
        raise DomainError.field("dropout_reason", _("Enter text."))
    return services.EnrolmentInput(
        start_date=parse_date(data.get("start_date"), "start_date", required=False),
        end_date=parse_date(data.get("end_date"), "end_date", required=False),
        status=status, dropout_reason=reason, details=data.get("details"))


@bp.post("/participants/<int:participant_id>/enrolments")
def enrolments_create(participant_id: int):
    user = api_user()
    participant = get_participant_for(user, participant_id, for_update=True)
    data = json_body()
    measure = services.measure_for_enrolment_form(user, data.get("measure_id"))
    enrolment = services.enrol_participant(participant, measure, _enrolment_input(data), actor=user)
    return jsonify(enrolment_json(enrolment)), 201


@bp.get("/participants/<int:participant_id>/enrolments")
def enrolments_list(participant_id: int):
    participant = get_participant_for(api_user(), participant_id)
    stmt = (sa.select(Enrolment).options(sa.orm.joinedload(Enrolment.measure))
            .where(Enrolment.participant_id == participant.id)
            .order_by(Enrolment.start_date.desc().nulls_last(), Enrolment.id.desc()))
    rates: dict = {}
    return jsonify(paginated(stmt, lambda e: enrolment_json(e, rates),
                             prepare=lambda rows: rates.update(services.attendance_rates(e.id for e in rows))))


@bp.get("/enrolments/<int:enrolment_id>")
def enrolments_get(enrolment_id: int):
    enrolment = get_enrolment_for(api_user(), enrolment_id)
    return jsonify(enrolment_json(enrolment, services.attendance_rates([enrolment.id])))


@bp.patch("/enrolments/<int:enrolment_id>")
def enrolments_patch(enrolment_id: int):
    user = api_user()
    enrolment = get_enrolment_for(user, enrolment_id, for_update=True)
    data = json_body()
    version = _sent_version(data)
    changes: dict[str, Any] = {}
    for name, value in data.items():
        if name in ("start_date", "end_date"):
            changes[name] = parse_date(value, name, required=False)
        else:
            changes[name] = value
    services.change_enrolment(enrolment, changes, version=version, actor=user)
    return jsonify(enrolment_json(enrolment, services.attendance_rates([enrolment.id])))


# --- employers ----------------------------------------------------------------------------------------

def employer_json(e) -> dict[str, Any]:
    return {"id": e.id, "organisation_id": e.organisation_id, "name": e.name, "nace_section": e.nace_section,
            "size": e.size, "district": e.district, "contact_person": e.contact_person,
            "contact_phone": e.contact_phone, "contact_email": e.contact_email, "notes": e.notes,
            "version": e.version}


@bp.get("/employers")
def employers_list():
    stmt = visible_employers(api_user()).order_by(Employer.name, Employer.id)
    q = (request.args.get("q") or "").strip()[:100]
    if q:
        stmt = stmt.where(Employer.name.ilike(f"%{q}%"))
    return jsonify(paginated(stmt, employer_json))


@bp.post("/employers")
def employers_create():
    employer = services.create_employer(json_body(), actor=api_user())
    return jsonify(employer_json(employer)), 201


@bp.get("/employers/<int:employer_id>")
def employers_get(employer_id: int):
    return jsonify(employer_json(get_employer_for(api_user(), employer_id)))


@bp.patch("/employers/<int:employer_id>")
def employers_patch(employer_id: int):
    employer = get_employer_for(api_user(), employer_id)
    data = json_body()
    version = _sent_version(data)
    services.update_employer(employer, data, version=version, actor=api_user())
    return jsonify(employer_json(employer))


# --- OpenAPI ---------------------------------------------------------------------------------------

_DETAIL_TYPES = {"text": "string", "longtext": "string", "lines": "array", "int": "integer",
                 "date": "string", "past_date": "string", "bool": "boolean", "choice": "string",
                 "country": "string", "employer": "integer", "enrolment": "integer"}


def _details_schema() -> dict[str, Any]:
    variants = {}
    for measure_type, fields in DETAILS.items():
        props = {}
        for d in fields:
            prop: dict[str, Any] = {"type": _DETAIL_TYPES[d.kind], "description": str(d.label)}
            if d.kind in ("date", "past_date"):
                prop["format"] = "date"
            if d.kind == "choice":
                prop["enum"] = list(d.choices)
            if d.kind == "lines":
                prop["items"] = {"type": "string"}
            props[d.name] = prop
        variants[measure_type] = {"type": "object", "additionalProperties": False, "properties": props}
    return {"type": "object", "description": "The measure type's own details; the keys allowed depend on "
            "the measure's type (see x-by-measure-type). Field errors are keyed by the detail's name.",
            "x-by-measure-type": variants}


_MEASURE_PROPS = {
    "id": {"type": "integer", "readOnly": True}, "title": {"type": "string", "maxLength": 200},
    "type": {"type": "string", "enum": list(MEASURE_TYPES)},
    "organisation_id": {"type": "integer", "description": "providing organisation; admins choose it, "
                        "team leads always create for their own"},
    "start_date": {"type": "string", "format": "date"}, "end_date": {"type": ["string", "null"], "format": "date"},
    "capacity": {"type": ["integer", "null"], "minimum": 1, "description": "places; null = unlimited"},
    "location": {"type": ["string", "null"]}, "description": {"type": ["string", "null"]},
    "active": {"type": "boolean"}, "version": {"type": "integer"},
    "places_taken": {"type": "integer", "readOnly": True}, "waiting": {"type": "integer", "readOnly": True},
}
_ENROLMENT_PROPS = {
    "id": {"type": "integer", "readOnly": True}, "participant_id": {"type": "integer", "readOnly": True},
    "measure_id": {"type": "integer"}, "measure_type": {"type": "string", "readOnly": True},
    "status": {"type": "string", "enum": list(ENROLMENT_STATUSES)},
    "start_date": {"type": ["string", "null"], "format": "date"},
    "end_date": {"type": ["string", "null"], "format": "date"},
    "dropout_reason": {"type": ["string", "null"], "description": "required when status is dropped_out"},
    "waitlisted": {"type": "boolean", "readOnly": True,
                   "description": "on the waiting list of a full measure (status stays planned)"},
    "waitlisted_at": {"type": ["string", "null"], "format": "date-time", "readOnly": True},
    "details": {"$ref": "#/components/schemas/EnrolmentDetails"},
    "host_employer_id": {"type": ["integer", "null"], "readOnly": True},
    "linked_enrolment_id": {"type": ["integer", "null"], "readOnly": True},
    "attendance": {"type": "object", "readOnly": True, "properties": {
        "present": {"type": "integer"}, "recorded": {"type": "integer"}, "rate": {"type": ["number", "null"]}}},
    "version": {"type": "integer"},
}

_EMPLOYER_PROPS = {
    "id": {"type": "integer", "readOnly": True}, "organisation_id": {"type": "integer", "readOnly": True},
    "name": {"type": "string", "maxLength": 200},
    "nace_section": {"type": ["string", "null"], "enum": list("ABCDEFGHIJKLMNOPQRSTU") + [None]},
    "size": {"type": ["string", "null"], "enum": ["micro", "small", "medium", "large", None]},
    "district": {"type": ["string", "null"]}, "contact_person": {"type": ["string", "null"]},
    "contact_phone": {"type": ["string", "null"]}, "contact_email": {"type": ["string", "null"]},
    "notes": {"type": ["string", "null"]}, "version": {"type": "integer"},
}

OPENAPI_SCHEMAS = {
    "Employer": {"type": "object", "properties": _EMPLOYER_PROPS},
    "EmployerCreate": {"type": "object", "required": ["name"], "properties": {
        k: v for k, v in _EMPLOYER_PROPS.items() if k not in ("id", "organisation_id", "version")}},
    "EmployerPatch": {"type": "object", "required": ["version"], "properties": {
        k: v for k, v in _EMPLOYER_PROPS.items() if k not in ("id", "organisation_id")}},
    "Measure": {"type": "object", "properties": _MEASURE_PROPS},
    "MeasureCreate": {"type": "object", "required": ["title", "type", "start_date"],
                      "properties": {k: v for k, v in _MEASURE_PROPS.items()
                                     if k not in ("id", "version", "places_taken", "waiting")}},
    "MeasurePatch": {"type": "object", "required": ["version"],
                     "properties": {k: v for k, v in _MEASURE_PROPS.items()
                                    if k not in ("id", "places_taken", "waiting", "organisation_id")}},
    "EnrolmentDetails": _details_schema(),
    "Enrolment": {"type": "object", "properties": _ENROLMENT_PROPS},
    "EnrolmentCreate": {"type": "object", "required": ["measure_id"], "properties": {
        k: _ENROLMENT_PROPS[k] for k in ("measure_id", "start_date", "end_date", "status", "dropout_reason", "details")}},
    "EnrolmentPatch": {"type": "object", "required": ["version"], "properties": {
        k: _ENROLMENT_PROPS[k] for k in ("version", "start_date", "end_date", "status", "dropout_reason", "details")}},
}

OPENAPI_PATHS = {
    "/employers": {
        "get": {"summary": "The organisation's employer directory (counsellors and team leads)",
                "parameters": PAGE_PARAMS + [{"name": "q", "in": "query", "schema": {"type": "string"},
                                              "description": "part of the company name"}],
                "responses": {**page_of("Employer"), **errors("401", "403")}},
        "post": {"summary": "Add a company to the organisation's employer directory", "requestBody": body("EmployerCreate"),
                 "responses": {**ok("Employer", "201", "Created"), **errors("400", "401", "403", "422")}},
    },
    "/employers/{id}": {
        "parameters": [id_param("id")],
        "get": {"summary": "One employer", "responses": {**ok("Employer"), **errors("401", "403", "404")}},
        "patch": {"summary": "Change an employer", "requestBody": body("EmployerPatch"),
                  "responses": {**ok("Employer"), **errors("400", "401", "403", "404", "409", "422")}},
    },
    "/measures": {
        "get": {"summary": "The measure catalogue (own organisation; analysts and admins: all)",
                "parameters": PAGE_PARAMS + [
                    {"name": "type", "in": "query", "schema": {"type": "string", "enum": list(MEASURE_TYPES)}},
                    {"name": "active", "in": "query", "schema": {"type": "string", "enum": ["true", "false"]}}],
                "responses": {**page_of("Measure"), **errors("401", "403", "422")}},
        "post": {"summary": "Create a measure (team leads: own organisation; admins: any, with organisation_id)",
                 "requestBody": body("MeasureCreate"),
                 "responses": {**ok("Measure", "201", "Created"), **errors("400", "401", "403", "422")}},
    },
    "/measures/{id}": {
        "parameters": [id_param("id")],
        "get": {"summary": "One measure", "responses": {**ok("Measure"), **errors("401", "404")}},
        "patch": {"summary": "Change a measure; a raised capacity moves people off the waiting list",
                  "requestBody": body("MeasurePatch"),
                  "responses": {**ok("Measure"), **errors("400", "401", "403", "404", "409", "422")}},
    },
    "/participants/{id}/enrolments": {
        "parameters": [id_param("id")],
        "get": {"summary": "The participant's enrolments", "parameters": PAGE_PARAMS,
                "responses": {**page_of("Enrolment"), **errors("401", "403", "404")}},
        "post": {"summary": "Enrol the participant in a measure of their organisation. A full measure "
                            "puts the enrolment on the waiting list (status planned, waitlisted true). "
                            "409 when an unfinished enrolment in that measure exists.",
                 "requestBody": body("EnrolmentCreate"),
                 "responses": {**ok("Enrolment", "201", "Created"), **errors("400", "401", "403", "404", "409", "422")}},
    },
    "/enrolments/{id}": {
        "parameters": [id_param("id")],
        "get": {"summary": "One enrolment", "responses": {**ok("Enrolment"), **errors("401", "403", "404")}},
        "patch": {"summary": "Change status, dates, drop-out reason or details. Allowed status changes: "
                             "planned → active or cancelled; active → completed or dropped_out; the others "
                             "are final (409 otherwise). details are merged into the stored ones.",
                  "requestBody": body("EnrolmentPatch"),
                  "responses": {**ok("Enrolment"), **errors("400", "401", "403", "404", "409", "422")}},
    },
}

from caseflow.api.core import add_legacy_openapi  # noqa: E402  (until this module's routes have schemas)

add_legacy_openapi(OPENAPI_PATHS, OPENAPI_SCHEMAS)
