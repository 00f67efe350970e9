"""Referrals between partner organisations (interfaces.md): `POST /participants/{id}/referrals`,
`GET /referrals?direction=incoming|outgoing`, `GET /referrals/{id}`, `POST /referrals/{id}/accept`,
`POST /referrals/{id}/decline`; and the partners' measure catalogue, `GET /partner-measures`."""
from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from caseflow.api.blueprint import bp
from caseflow.api.schemas import (
    Choice,
    Date,
    Flag,
    Id,
    PageArgs,
    Schema,
    Text,
    Timestamp,
    Version,
    errors,
    fields,
    page_of,
)
from caseflow.api.support import api_user, page_answer
from caseflow.partnerships import services, sharing
from caseflow.partnerships.models import REFERRAL_STATUS_CODES, Referral
from caseflow.vocabulary import ENROLMENT_STATUSES, GENDERS, LABOUR_STATUSES, MEASURE_TYPES


class ReferralCreateSchema(Schema):
    organisation_id = Id(required=True, metadata={"description": "the partner organisation"})
    measure_id = Id(load_default=None, allow_none=True, metadata={"description": "one of the partner's measures"})
    reason = Text(max_length=services.REASON_MAX, required=True)


class PacketLanguageSchema(Schema):
    language = fields.String()
    level = fields.String(allow_none=True)


class PacketQualificationSchema(Schema):
    title = fields.String()
    country = fields.String(allow_none=True)
    isced = fields.Integer(allow_none=True)
    recognition_status = fields.String()


class PacketSchema(Schema):
    first_name = fields.String()
    last_name = fields.String()
    date_of_birth = fields.Date()
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    street = fields.String(allow_none=True)
    postcode = fields.String(allow_none=True)
    city = fields.String(allow_none=True)
    languages = fields.List(fields.Nested(PacketLanguageSchema))
    foreign_qualifications = fields.List(fields.Nested(PacketQualificationSchema))
    labour_status = fields.String(metadata={"enum": list(LABOUR_STATUSES)})
    unemployed_since = fields.Date(metadata={"description": "only when the labour status is unemployed"})
    disability = fields.String(metadata={"enum": ["yes", "no", "declined"],
                                         "description": "only with a live special_categories consent"})
    minority = fields.String(metadata={"enum": ["yes", "no", "declined"],
                                       "description": "only with a live special_categories consent"})


class PlacementOutcomeSchema(Schema):
    type = fields.String()
    start_date = fields.Date()


class ReferralSchema(Schema):
    id = Id(dump_only=True)
    status = fields.String(metadata={"enum": list(REFERRAL_STATUS_CODES)})
    direction = fields.Function(lambda r: "incoming" if r.to_organisation_id == api_user().organisation_id
                                else "outgoing", metadata={"enum": ["incoming", "outgoing"]})
    partnership_id = fields.Integer()
    from_organisation_id = fields.Integer()
    to_organisation_id = fields.Integer()
    participant_id = fields.Function(
        lambda r: r.participant_id if r.from_organisation_id == api_user().organisation_id
        else r.accepted_participant_id,
        metadata={"description": "the case of the reader's organisation (the referring one, or the opened one)"})
    measure_id = fields.Integer(allow_none=True)
    reason = fields.String()
    decline_reason = fields.String(allow_none=True)
    created_at = Timestamp()
    decided_at = Timestamp(allow_none=True)
    version = fields.Integer()


class ReferralDetailSchema(ReferralSchema):
    packet = fields.Nested(PacketSchema, allow_none=True, metadata={
        "description": "for the receiving organisation while pending and consented; otherwise null"})
    placements = fields.List(fields.Nested(PlacementOutcomeSchema), metadata={
        "description": "for the referring organisation: the partner's placements in the accepted case"})


class ReferralListArgs(PageArgs):
    direction = Choice(("incoming", "outgoing"), load_default="incoming")
    status = Choice(REFERRAL_STATUS_CODES)


class AcceptSchema(Schema):
    gender = Choice(GENDERS, load_default=None, metadata={"description": "recorded at intake (not in the packet)"})
    nationality = Text(max_length=9, load_default=None, metadata={"description": "recorded at intake"})
    entry_date = Date(load_default=None, metadata={"description": "default today"})
    unemployed_since = Date(load_default=None)
    confirm_not_duplicate = Flag(load_default=False)


class AcceptedSchema(Schema):
    participant_id = fields.Integer()
    status = fields.String()


class DeclineSchema(Schema):
    reason = Text(max_length=services.DECLINE_REASON_MAX, required=True)


class PartnerMeasureSchema(Schema):
    id = fields.Integer()
    organisation_id = fields.Integer()
    organisation = fields.String()
    title = fields.String()
    type = fields.String(metadata={"enum": list(MEASURE_TYPES)})
    start_date = fields.Date()
    end_date = fields.Date(allow_none=True)
    location = fields.String(allow_none=True)
    free_places = fields.Integer(allow_none=True, metadata={"description": "null: no limit"})


@bp.route("/participants/<int:participant_id>/referrals", methods=["POST"])
@bp.arguments(ReferralCreateSchema)
@bp.response(201, ReferralSchema)
@errors(400, 403, 404, 409, 422)
def referral_create(data: dict[str, Any], participant_id: int):
    """Refer a participant to a partner organisation (409 `consent_required` without a live
    `partner_sharing` consent)"""
    return services.refer_participant(participant_id, data, actor=api_user())


@bp.route("/referrals", methods=["GET"])
@bp.arguments(ReferralListArgs, location="query")
@bp.response(200, page_of(ReferralSchema))
@errors(403, 422)
def referral_list(args: dict[str, Any]):
    """Referrals received (incoming) or sent (outgoing) by the account's organisation"""
    stmt = services.referrals_for(api_user(), args["direction"], status=args.get("status"))
    return page_answer(stmt, args)


@bp.route("/referrals/<int:referral_id>", methods=["GET"])
@bp.response(200, ReferralDetailSchema)
@errors(403, 404)
def referral_get(referral_id: int):
    """A referral; the receiving organisation sees the data packet while it is pending"""
    actor = api_user()
    referral = services.get_referral_for(actor, referral_id)
    packet = services.read_packet(referral, actor=actor) if services.packet_visible(referral, actor) else None
    placements = services.placement_outcome(referral) if referral.from_organisation_id == actor.organisation_id else []
    return SimpleNamespace(**{c.name: getattr(referral, c.name) for c in Referral.__table__.columns},
                           packet=packet, placements=placements)


@bp.route("/referrals/<int:referral_id>/accept", methods=["POST"])
@bp.arguments(AcceptSchema)
@bp.response(200, AcceptedSchema)
@errors(400, 403, 404, 409, 422)
def referral_accept(data: dict[str, Any], referral_id: int):
    """Accept: opens a linked case in the receiving organisation (duplicate check first)"""
    referral = services.accept_referral(referral_id, data, actor=api_user())
    return {"participant_id": referral.accepted_participant_id, "status": referral.status}


@bp.route("/referrals/<int:referral_id>/decline", methods=["POST"])
@bp.arguments(DeclineSchema)
@bp.response(200, ReferralSchema)
@errors(400, 403, 404, 409, 422)
def referral_decline(data: dict[str, Any], referral_id: int):
    """Decline with a reason"""
    return services.decline_referral(referral_id, data["reason"], actor=api_user())


@bp.route("/partner-measures", methods=["GET"])
@bp.response(200, page_of(PartnerMeasureSchema))
@errors(403)
def partner_measures():
    """The current and coming measures of the account's partner organisations (no participants)"""
    items = services.partner_catalogue(api_user())
    return {"items": items, "page": 1, "per_page": max(len(items), 1), "total": len(items)}


# --- partner measures: agreements and direct enrolment (issue 17, item 3) ---------------------------

class AgreementCreateSchema(Schema):
    organisation_id = Id(load_default=None, allow_none=True, metadata={
        "description": "admins: one of the two organisations; team leads: their own (default)"})
    partner_organisation_id = Id(required=True)
    valid_from = Date(required=True)
    valid_until = Date(load_default=None, allow_none=True, metadata={"description": "last day; null: open-ended"})
    reference = Text(max_length=sharing.REFERENCE_MAX, required=True)


class AgreementSchema(Schema):
    id = Id(dump_only=True)
    organisation_a_id = fields.Integer()
    organisation_b_id = fields.Integer()
    valid_from = fields.Date()
    valid_until = fields.Date(allow_none=True)
    reference = fields.String()
    created_at = Timestamp()


class PartnerEnrolmentCreateSchema(Schema):
    measure_id = Id(required=True, metadata={"description": "a measure of a partner organisation"})
    status = Choice(("planned", "active"), load_default="planned")
    start_date = Date(load_default=None, allow_none=True)
    end_date = Date(load_default=None, allow_none=True)


class PartnerEnrolmentSchema(Schema):
    id = Id(dump_only=True)
    measure_id = fields.Integer()
    measure_title = fields.Function(lambda e: e.measure.title)
    status = fields.String(metadata={"enum": list(ENROLMENT_STATUSES)})
    start_date = fields.Date(allow_none=True)
    end_date = fields.Date(allow_none=True)
    dropout_reason = fields.String(allow_none=True)
    version = fields.Integer()


class PartnerEnrolmentDetailSchema(PartnerEnrolmentSchema):
    packet = fields.Nested(PacketSchema, allow_none=True, metadata={
        "description": "the data packet, for the providing organisation while the partner_sharing consent is "
                       "live; null once it is withdrawn"})


class PartnerAttendanceSchema(Schema):
    date = Date(required=True)
    present = fields.Boolean(required=True)


class PartnerOutcomeSchema(Schema):
    version = Version()
    status = Choice(sharing.PARTNER_OUTCOME_STATUSES, required=True)
    start_date = Date(allow_none=True)
    end_date = Date(allow_none=True)
    dropout_reason = Text(max_length=500, allow_none=True)


@bp.route("/data-sharing-agreements", methods=["GET"])
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_of(AgreementSchema))
@errors(403, 422)
def agreement_list(args: dict[str, Any]):
    """Data-sharing agreements of the account's organisation (admins: all)"""
    return page_answer(sharing.agreements_for(api_user()), args)


@bp.route("/data-sharing-agreements", methods=["POST"])
@bp.arguments(AgreementCreateSchema)
@bp.response(201, AgreementSchema)
@errors(400, 403, 422)
def agreement_create(data: dict[str, Any]):
    """Record a dated data-sharing agreement between two partner organisations (admins, team leads)"""
    return sharing.record_agreement(data, actor=api_user())


@bp.route("/participants/<int:participant_id>/partner-enrolments", methods=["POST"])
@bp.arguments(PartnerEnrolmentCreateSchema)
@bp.response(201, PartnerEnrolmentSchema)
@errors(400, 403, 404, 409, 422)
def partner_enrolment_create(data: dict[str, Any], participant_id: int):
    """Enrol the participant directly into a partner's measure (409 `consent_required` without a live
    `partner_sharing` consent, `no_sharing_basis` without an accepted referral or agreement)"""
    return sharing.enrol_in_partner_measure(participant_id, data, actor=api_user())


@bp.route("/partner-enrolments", methods=["GET"])
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_of(PartnerEnrolmentSchema))
@errors(403, 422)
def partner_enrolment_list(args: dict[str, Any]):
    """Partner organisations' participants enrolled in the account's organisation's measures (no data packet)"""
    return page_answer(sharing.partner_enrolments_for(api_user()), args)


def _partner_detail(enrolment, actor):
    packet = sharing.read_partner_packet(enrolment, actor=actor)
    return SimpleNamespace(**{c.name: getattr(enrolment, c.name) for c in enrolment.__table__.columns},
                           measure=enrolment.measure, packet=packet)


@bp.route("/partner-enrolments/<int:enrolment_id>", methods=["GET"])
@bp.response(200, PartnerEnrolmentDetailSchema)
@errors(403, 404)
def partner_enrolment_get(enrolment_id: int):
    """A partner's enrolment with the data packet only (audited)"""
    actor = api_user()
    return _partner_detail(sharing.get_partner_enrolment_for(actor, enrolment_id), actor)


@bp.route("/partner-enrolments/<int:enrolment_id>/attendance", methods=["POST"])
@bp.arguments(PartnerAttendanceSchema)
@bp.response(201, PartnerAttendanceSchema)
@errors(400, 403, 404, 409, 422)
def partner_enrolment_attendance(data: dict[str, Any], enrolment_id: int):
    """Record the partner's participant's attendance on a day (409 `consent_required` once withdrawn)"""
    sharing.record_partner_attendance(enrolment_id, data["date"], data["present"], actor=api_user())
    return data


@bp.route("/partner-enrolments/<int:enrolment_id>", methods=["PATCH"])
@bp.arguments(PartnerOutcomeSchema)
@bp.response(200, PartnerEnrolmentSchema)
@errors(400, 403, 404, 409, 422)
def partner_enrolment_outcome(data: dict[str, Any], enrolment_id: int):
    """Record the start, completion or drop-out of a partner's enrolment"""
    version = data.pop("version")
    return sharing.record_partner_outcome(enrolment_id, data, version=version, actor=api_user())
