"""Data protection endpoints of API v1: subject-access export, anonymisation, consents and the
restriction of processing. One schema per resource (caseflow/api/schemas.py)."""
from __future__ import annotations

from typing import Any

from flask import jsonify

from caseflow.api.blueprint import bp
from caseflow.api.schemas import Choice, Date, Id, Schema, Text, Timestamp, errors, fields, page_of
from caseflow.api.support import api_user
from caseflow.audit.services import ACCESS_ACTIONS
from caseflow.participants.access import get_participant_for
from caseflow.privacy import services
from caseflow.privacy.models import CONSENT_FORMS, CONSENT_PURPOSES, Consent


class ConsentSchema(Schema):
    id = Id(dump_only=True)
    participant_id = Id(dump_only=True)
    purpose = fields.String(dump_only=True, metadata={"enum": list(CONSENT_PURPOSES)})
    given_on = fields.Date(dump_only=True)
    form = fields.String(dump_only=True, metadata={"enum": list(CONSENT_FORMS)})
    witness = fields.String(dump_only=True, allow_none=True, metadata={"description": "set for oral_witnessed"})
    notice_version = fields.String(dump_only=True)
    notice_language = fields.String(dump_only=True, metadata={"description": "ISO 639-1"})
    withdrawn_on = fields.Date(dump_only=True, allow_none=True)
    valid = fields.Method("_valid", dump_only=True, metadata={"type": "boolean"})

    def _valid(self, consent: Consent) -> bool:
        return consent.withdrawn_on is None


class ConsentCreateSchema(Schema):
    purpose = Choice(CONSENT_PURPOSES, required=True)
    given_on = Date(required=True)
    form = Choice(CONSENT_FORMS, required=True)
    witness = Text(max_length=200, metadata={"description": "required for oral_witnessed"})
    notice_version = Text(max_length=40, required=True)
    notice_language = Text(max_length=8, required=True, metadata={"description": "ISO 639-1"})


class ConsentWithdrawSchema(Schema):
    withdrawn_on = Date(required=True)


class ReasonSchema(Schema):
    reason = Text(max_length=services.REASON_MAX, required=True,
                  metadata={"description": "why; do not write the person's name here (it is cut out before "
                                           "the reason is kept)"})


class AnonymiseResultSchema(Schema):
    id = Id(dump_only=True)
    case_number = fields.String(dump_only=True)
    anonymised_at = Timestamp(dump_only=True)


class RestrictionSchema(Schema):
    id = Id(dump_only=True)
    restricted_at = Timestamp(dump_only=True, allow_none=True)
    restriction_reason = fields.String(dump_only=True, allow_none=True)
    version = fields.Integer(dump_only=True)


class AccessLogEntrySchema(Schema):
    at = fields.String(metadata={"format": "date-time"})
    action = fields.String(metadata={"enum": list(ACCESS_ACTIONS)})
    by = fields.String(allow_none=True)


class SubjectAccessExportSchema(Schema):
    """Everything held about one participant (GDPR Art. 15/20). `records` has one key per table
    holding rows about the participant (found from the schema), each a list of rows."""
    format = fields.String(required=True, metadata={"const": "caseflow-subject-access/1"})
    generated_at = fields.String(metadata={"format": "date-time"})
    case_number = fields.String(required=True)
    participant = fields.Dict(required=True)
    records = fields.Dict(keys=fields.String(), values=fields.List(fields.Dict()), required=True)
    access_log = fields.List(fields.Nested(AccessLogEntrySchema), required=True)


@bp.route("/participants/<int:participant_id>/export", methods=["GET"])
@bp.response(200, SubjectAccessExportSchema)
@errors(403, 404)
def participant_export(participant_id: int):
    """Subject-access export (GDPR Art. 15/20); written to the access log"""
    participant = get_participant_for(api_user(), participant_id)
    # Answered as built (the export's own, complete structure), not re-serialised.
    return jsonify(services.export_participant(participant, actor=api_user(), channel="api"))


@bp.route("/participants/<int:participant_id>/anonymise", methods=["POST"])
@bp.arguments(ReasonSchema)
@bp.response(200, AnonymiseResultSchema)
@errors(400, 403, 404, 409, 422)
def participant_anonymise(data: dict[str, Any], participant_id: int):
    """Anonymise a participant for good (team leads only; idempotent)"""
    return services.anonymise_participant(participant_id, data["reason"], actor=api_user())


@bp.route("/participants/<int:participant_id>/consents", methods=["GET"])
@bp.response(200, page_of(ConsentSchema))
@errors(403, 404)
def consent_list(participant_id: int):
    """Consent records (all of them, on one page)"""
    participant = get_participant_for(api_user(), participant_id)
    items = services.consents_of(participant)
    return {"items": items, "page": 1, "per_page": max(len(items), 1), "total": len(items)}


@bp.route("/participants/<int:participant_id>/consents", methods=["POST"])
@bp.arguments(ConsentCreateSchema)
@bp.response(201, ConsentSchema)
@errors(400, 403, 404, 409, 422)
def consent_create(data: dict[str, Any], participant_id: int):
    """Record a consent"""
    return services.record_consent(participant_id, services.ConsentData(
        purpose=data["purpose"], given_on=data["given_on"], form=data["form"], witness=data.get("witness"),
        notice_version=data["notice_version"], notice_language=data["notice_language"]), actor=api_user())


@bp.route("/consents/<int:consent_id>/withdraw", methods=["POST"])
@bp.arguments(ConsentWithdrawSchema)
@bp.response(200, ConsentSchema)
@errors(400, 403, 404, 409, 422)
def consent_withdraw(data: dict[str, Any], consent_id: int):
    """Withdraw a consent; withdrawing the last special-category consent clears disability and minority"""
    return services.withdraw_consent(consent_id, data["withdrawn_on"], actor=api_user())


@bp.route("/participants/<int:participant_id>/restriction", methods=["POST"])
@bp.arguments(ReasonSchema)
@bp.response(200, RestrictionSchema)
@errors(400, 403, 404, 409, 422)
def restriction_set(data: dict[str, Any], participant_id: int):
    """Restrict processing (GDPR Art. 18; team leads only): the case becomes read-only and leaves the reports"""
    return services.restrict_processing(participant_id, data["reason"], actor=api_user())


@bp.route("/participants/<int:participant_id>/restriction/lift", methods=["POST"])
@bp.response(200, RestrictionSchema)
@errors(403, 404, 409)
def restriction_lift(participant_id: int):
    """Lift the restriction (team leads only)"""
    return services.lift_restriction(participant_id, actor=api_user())
