"""Data protection endpoints of API v1: subject-access export, anonymisation, consents and the
restriction of processing."""
from __future__ import annotations

from flask import jsonify

from caseflow.api.blueprint import bp
from caseflow.api.openapi import body, errors, id_param, ok
from caseflow.api.support import api_user, iso, json_body, parse_date
from caseflow.audit.services import ACCESS_ACTIONS
from caseflow.errors import DomainError
from caseflow.participants.access import get_participant_for
from caseflow.privacy import services
from caseflow.privacy.models import CONSENT_FORMS, CONSENT_PURPOSES, Consent


def consent_json(c: Consent) -> dict:
    return {"id": c.id, "participant_id": c.participant_id, "purpose": c.purpose, "given_on": iso(c.given_on),
            "form": c.form, "witness": c.witness, "notice_version": c.notice_version,
            "notice_language": c.notice_language, "withdrawn_on": iso(c.withdrawn_on),
            "valid": c.withdrawn_on is None}


def _text(data: dict, name: str, *, required: bool = True) -> str | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise DomainError.field(name, "This field is required." if value is None else "Must be a string.")
    return value


@bp.get("/participants/<int:participant_id>/export")
def participant_export(participant_id: int):
    participant = get_participant_for(api_user(), participant_id)
    return jsonify(services.export_participant(participant, actor=api_user(), channel="api"))


@bp.post("/participants/<int:participant_id>/anonymise")
def participant_anonymise(participant_id: int):
    data = json_body()
    reason = _text(data, "reason")
    participant = services.anonymise_participant(participant_id, reason, actor=api_user())
    return jsonify({"id": participant.id, "case_number": participant.case_number,
                    "anonymised_at": participant.anonymised_at.isoformat()})


@bp.get("/participants/<int:participant_id>/consents")
def consent_list(participant_id: int):
    participant = get_participant_for(api_user(), participant_id)
    items = [consent_json(c) for c in services.consents_of(participant)]
    return jsonify({"items": items, "page": 1, "per_page": max(len(items), 1), "total": len(items)})


@bp.post("/participants/<int:participant_id>/consents")
def consent_create(participant_id: int):
    data = json_body()
    consent = services.record_consent(participant_id, services.ConsentData(
        purpose=_text(data, "purpose"), given_on=parse_date(data.get("given_on"), "given_on"),
        form=_text(data, "form"), witness=_text(data, "witness", required=False),
        notice_version=_text(data, "notice_version"), notice_language=_text(data, "notice_language")),
        actor=api_user())
    return jsonify(consent_json(consent)), 201


@bp.post("/consents/<int:consent_id>/withdraw")
def consent_withdraw(consent_id: int):
    data = json_body()
    consent = services.withdraw_consent(consent_id, parse_date(data.get("withdrawn_on"), "withdrawn_on"),
                                        actor=api_user())
    return jsonify(consent_json(consent))


@bp.post("/participants/<int:participant_id>/restriction")
def restriction_set(participant_id: int):
    data = json_body()
    participant = services.restrict_processing(participant_id, _text(data, "reason"), actor=api_user())
    return jsonify({"id": participant.id, "restricted_at": participant.restricted_at.isoformat(),
                    "restriction_reason": participant.restriction_reason, "version": participant.version})


@bp.post("/participants/<int:participant_id>/restriction/lift")
def restriction_lift(participant_id: int):
    participant = services.lift_restriction(participant_id, actor=api_user())
    return jsonify({"id": participant.id, "restricted_at": None, "version": participant.version})


PID = [id_param("participant_id")]

OPENAPI_SCHEMAS = {
    "SubjectAccessExport": {
        "type": "object", "required": ["format", "case_number", "participant", "records", "access_log"],
        "description": "Everything held about one participant (GDPR Art. 15/20). `records` has one key per "
                       "table holding rows about the participant (found from the schema), each a list of rows.",
        "properties": {
            "format": {"type": "string", "const": "caseflow-subject-access/1"},
            "generated_at": {"type": "string", "format": "date-time"},
            "case_number": {"type": "string"},
            "participant": {"type": "object"},
            "records": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "object"}}},
            "access_log": {"type": "array", "items": {"type": "object", "properties": {
                "at": {"type": "string", "format": "date-time"},
                "action": {"type": "string", "enum": list(ACCESS_ACTIONS)},
                "by": {"type": ["string", "null"]}}}},
        }},
    "AnonymiseRequest": {"type": "object", "required": ["reason"], "properties": {
        "reason": {"type": "string", "description": "why; the person's own name is cut out before it is kept"}}},
    "AnonymiseResult": {"type": "object", "properties": {
        "id": {"type": "integer"}, "case_number": {"type": "string"},
        "anonymised_at": {"type": "string", "format": "date-time"}}},
    "Consent": {"type": "object", "properties": {
        "id": {"type": "integer"}, "participant_id": {"type": "integer"},
        "purpose": {"type": "string", "enum": list(CONSENT_PURPOSES)},
        "given_on": {"type": "string", "format": "date"},
        "form": {"type": "string", "enum": list(CONSENT_FORMS)},
        "witness": {"type": ["string", "null"], "description": "required for oral_witnessed"},
        "notice_version": {"type": "string"}, "notice_language": {"type": "string", "description": "ISO 639-1"},
        "withdrawn_on": {"type": ["string", "null"], "format": "date"}, "valid": {"type": "boolean"}}},
    "ConsentCreate": {"type": "object", "required": ["purpose", "given_on", "form", "notice_version", "notice_language"],
                      "properties": {"purpose": {"type": "string", "enum": list(CONSENT_PURPOSES)},
                                     "given_on": {"type": "string", "format": "date"},
                                     "form": {"type": "string", "enum": list(CONSENT_FORMS)},
                                     "witness": {"type": "string"}, "notice_version": {"type": "string"},
                                     "notice_language": {"type": "string"}}},
    "ConsentWithdraw": {"type": "object", "required": ["withdrawn_on"],
                        "properties": {"withdrawn_on": {"type": "string", "format": "date"}}},
    "RestrictionRequest": {"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string"}}},
    "Restriction": {"type": "object", "properties": {
        "id": {"type": "integer"}, "restricted_at": {"type": ["string", "null"], "format": "date-time"},
        "restriction_reason": {"type": ["string", "null"]}, "version": {"type": "integer"}}},
}

OPENAPI_PATHS = {
    "/participants/{participant_id}/export": {"get": {
        "summary": "Subject-access export (GDPR Art. 15/20); written to the access log",
        "parameters": PID, "responses": {**ok("SubjectAccessExport"), **errors("401", "403", "404")}}},
    "/participants/{participant_id}/anonymise": {"post": {
        "summary": "Anonymise a participant for good (team leads only; idempotent)", "parameters": PID,
        "requestBody": body("AnonymiseRequest"),
        "responses": {**ok("AnonymiseResult"), **errors("400", "401", "403", "404", "409", "422")}}},
    "/participants/{participant_id}/consents": {
        "get": {"summary": "Consent records", "parameters": PID,
                "responses": {"200": {"description": "All consent records (one page)"}, **errors("401", "403", "404")}},
        "post": {"summary": "Record a consent", "parameters": PID, "requestBody": body("ConsentCreate"),
                 "responses": {**ok("Consent", "201", "Created"), **errors("400", "401", "403", "404", "409", "422")}}},
    "/consents/{consent_id}/withdraw": {"post": {
        "summary": "Withdraw a consent; withdrawing the last special-category consent clears disability and minority",
        "parameters": [id_param("consent_id")], "requestBody": body("ConsentWithdraw"),
        "responses": {**ok("Consent"), **errors("400", "401", "403", "404", "409", "422")}}},
    "/participants/{participant_id}/restriction": {"post": {
        "summary": "Restrict processing (GDPR Art. 18; team leads only): the case becomes read-only and leaves the reports",
        "parameters": PID, "requestBody": body("RestrictionRequest"),
        "responses": {**ok("Restriction"), **errors("400", "401", "403", "404", "409", "422")}}},
    "/participants/{participant_id}/restriction/lift": {"post": {
        "summary": "Lift the restriction (team leads only)", "parameters": PID,
        "responses": {**ok("Restriction"), **errors("401", "403", "404", "409")}}},
}

from caseflow.api.core import add_legacy_openapi  # noqa: E402  (until this module's routes have schemas)

add_legacy_openapi(OPENAPI_PATHS, OPENAPI_SCHEMAS)
