"""API v1: placements, exit, re-entry, certificates and follow-ups (docs/interfaces.md).

One schema per resource parses the request, serialises the answer and is what the OpenAPI document
shows. Every endpoint loads the participant through `get_participant_for` (another organisation's →
404, analysts and admins → 403) without a lock and calls the same services as the web pages, which
lock what they change and judge every business rule.
"""
from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import marshmallow as ma
import sqlalchemy as sa

from caseflow.accounts.queries import counsellor_choices
from caseflow.api.blueprint import bp
from caseflow.api.schemas import (
    Choice,
    Date,
    Flag,
    Id,
    PageArgs,
    QueryId,
    Schema,
    Text,
    Version,
    errors,
    fields,
    page_of,
)
from caseflow.api.support import api_user, page_answer
from caseflow.errors import NotFound
from caseflow.measures.access import get_employer_for
from caseflow.participants.access import get_participant_for, require_casework
from caseflow.placements import indicators, services
from caseflow.placements.access import get_placement_for
from caseflow.placements.models import Certificate, Exit, FollowUp, Placement, ReEntry
from caseflow.placements.queries import PlacementFilters, measure_choices, organisation_placements
from caseflow.placements.vocabulary import ENROLMENT_CLOSINGS, EVIDENCE_KINDS, FOLLOW_UP_KINDS, IMPROVEMENT_KINDS
from caseflow.translation import gettext as _
from caseflow.translation import lazy_gettext as _l
from caseflow.vocabulary import EXIT_REASONS, FOLLOW_UP_STATUSES, LABOUR_STATUSES, PLACEMENT_TYPES


def _participant(participant_id: int, *, writing: bool = False):
    """The participant of the path, without a lock (the service locks it); a write refuses an
    anonymised case (404)."""
    return get_participant_for(api_user(), participant_id, allow_anonymised=not writing)


# --- field types of this domain --------------------------------------------------------------------

class Hours(fields.Float):
    """Weekly hours as a JSON number (no string, no boolean); the service judges the range."""

    default_error_messages = {"invalid": _l("Enter the weekly hours as a number from 1 to 60."),
                              "special": _l("Enter the weekly hours as a number from 1 to 60."),
                              "too_large": _l("Enter the weekly hours as a number from 1 to 60."),
                              "null": _l("This field may not be empty.")}

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ma.ValidationError(str(self.error_messages["invalid"]))
        number = super()._deserialize(value, attr, data, **kwargs)
        return Decimal(str(number))

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> float | None:
        return None if value is None else float(value)


class ClosingPlan(fields.Field):
    """`close_enrolments_as`: one closing status for all open enrolments, or {enrolment id: status}."""

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> Any:
        if isinstance(value, str) or value is None:
            return value
        if isinstance(value, Mapping) and all(isinstance(v, str) for v in value.values()):
            return dict(value)
        raise ma.ValidationError(_("Give one status for all open enrolments or one per enrolment id."))


CLOSING_PLAN_DOC = {
    "description": "How the open enrolments (planned, active) are closed. Omitted: active ones become "
                   "completed, planned ones (and any that would start after the exit) cancelled. A string "
                   "closes all of them so; an object maps enrolment ids to a status (unnamed ones take the "
                   "default). An enrolment starting after the exit can only be cancelled.",
    "oneOf": [{"type": "string", "enum": list(ENROLMENT_CLOSINGS)},
              {"type": "object", "additionalProperties": {"type": "string", "enum": list(ENROLMENT_CLOSINGS)}}],
}


# --- placements ------------------------------------------------------------------------------------

class PlacementSchema(Schema):
    id = Id(dump_only=True)
    participant_id = Id(dump_only=True)
    type = Choice(PLACEMENT_TYPES, required=True, metadata={
        "description": "adds the matching status change on start_date: employment, marginal_employment and "
                       "apprenticeship → employed; self_employment → self_employed; internship → none"})
    employer_id = Id(allow_none=True, metadata={"description": "an employer of the organisation's directory "
                                                              "(another organisation's: 404)"})
    employer_name = Text(max_length=200, allow_none=True, metadata={
        "description": "without employer_id: the directory entry of that name (case-insensitive), created on "
                       "the spot when there is none. Required except for self_employment."})
    job_title = Text(max_length=200, allow_none=True)
    occupation = Text(max_length=200, allow_none=True)
    start_date = Date(required=True, metadata={"description": "not before the participant's entry date"})
    end_date = Date(allow_none=True, metadata={"description": "not before start_date"})
    weekly_hours = Hours(allow_none=True, metadata={"minimum": 1, "maximum": 60})
    permanent = Flag(allow_none=True, metadata={"description": "true: permanent; false: fixed-term"})
    country = Text(max_length=2, allow_none=True, metadata={"description": "ISO 3166-1 alpha-2, default DE"})
    matches_qualification = Flag(allow_none=True)
    enrolment_id = Id(allow_none=True, metadata={"description": "one of this participant's enrolments"})
    evidence = Choice(EVIDENCE_KINDS, allow_none=True)
    version = fields.Integer(dump_only=True)


class PlacementCreateSchema(PlacementSchema):
    status_after_end = Choice(LABOUR_STATUSES, load_only=True, allow_none=True, metadata={
        "description": "with end_date: the status that follows, recorded on the day after end_date"})


class PlacementPatchSchema(PlacementSchema):
    type = Choice(PLACEMENT_TYPES)
    start_date = Date()
    version = Version()


class PlacementEndSchema(Schema):
    end_date = Date(required=True)
    status_after_end = Choice(LABOUR_STATUSES, required=True, metadata={
        "description": "recorded on the day AFTER end_date (the end date is the last working day, so the "
                       "status on it is still the placement's)"})
    version = Version()


class PlacementListArgs(PageArgs):
    from_ = Date(data_key="from", metadata={"description": "start date on or after"})
    to = Date(metadata={"description": "start date on or before"})
    type = Choice(PLACEMENT_TYPES)
    measure_id = QueryId(metadata={"description": "a measure of the organisation, or one that led to one of "
                                                  "its placements (otherwise 404)"})
    counsellor_id = QueryId(metadata={"description": "a counsellor of the organisation (otherwise 404)"})
    employer_id = QueryId(metadata={"description": "an employer of the organisation (otherwise 404)"})


@bp.route("/participants/<int:participant_id>/placements", methods=["POST"])
@bp.arguments(PlacementCreateSchema)
@bp.response(201, PlacementSchema)
@errors(400, 403, 404, 409, 422)
def outcomes_record_placement(data: dict[str, Any], participant_id: int):
    """Record a placement (adds the matching status change; may be recorded after the exit)"""
    return services.record_placement(_participant(participant_id, writing=True), data, actor=api_user())


@bp.route("/participants/<int:participant_id>/placements", methods=["GET"])
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_of(PlacementSchema))
@errors(403, 404, 422)
def outcomes_participant_placements(args: dict[str, Any], participant_id: int):
    """The participant's placements"""
    participant = _participant(participant_id)
    return page_answer(sa.select(Placement).where(Placement.participant_id == participant.id)
                 .order_by(Placement.start_date.desc(), Placement.id.desc()), args)


@bp.route("/placements", methods=["GET"])
@bp.arguments(PlacementListArgs, location="query")
@bp.response(200, page_of(PlacementSchema))
@errors(403, 404, 422)
def outcomes_placements(args: dict[str, Any]):
    """The organisation's placements. A measure, counsellor or employer the account cannot see is 404."""
    user = api_user()
    require_casework(user)
    org_id = user.organisation_id
    if args.get("measure_id") and args["measure_id"] not in dict(measure_choices(org_id)):
        raise NotFound(_("No such measure."))
    if args.get("counsellor_id") and args["counsellor_id"] not in dict(counsellor_choices(org_id, active_only=False)):
        raise NotFound(_("No such account."))
    if args.get("employer_id"):
        get_employer_for(user, args["employer_id"])
    filters = PlacementFilters(date_from=args.get("from_"), date_to=args.get("to"), type=args.get("type"),
                               measure_id=args.get("measure_id"), counsellor_id=args.get("counsellor_id"),
                               employer_id=args.get("employer_id"))
    return page_answer(organisation_placements(org_id, filters), args)


@bp.route("/placements/<int:placement_id>", methods=["GET"])
@bp.response(200, PlacementSchema)
@errors(403, 404)
def outcomes_placement(placement_id: int):
    """One placement"""
    return get_placement_for(api_user(), placement_id)[0]


@bp.route("/placements/<int:placement_id>", methods=["PATCH"])
@bp.arguments(PlacementPatchSchema)
@bp.response(200, PlacementSchema)
@errors(400, 403, 404, 409, 422)
def outcomes_update_placement(data: dict[str, Any], placement_id: int):
    """Change a placement (send the version you read). The placement's status changes follow (type or
    start date re-record the start status change; a new end date moves the status that follows)."""
    placement, participant = get_placement_for(api_user(), placement_id, writing=True)
    version = data.pop("version")
    return services.update_placement(placement, participant, data, version=version, actor=api_user())


@bp.route("/placements/<int:placement_id>/end", methods=["POST"])
@bp.arguments(PlacementEndSchema)
@bp.response(200, PlacementSchema)
@errors(400, 403, 404, 409, 422)
def outcomes_end_placement(data: dict[str, Any], placement_id: int):
    """End a placement and record the status that follows (on the day after the end)"""
    placement, participant = get_placement_for(api_user(), placement_id, writing=True)
    return services.end_placement(placement, participant, end_date=data["end_date"],
                                  status_after=data["status_after_end"], version=data["version"],
                                  actor=api_user())


# --- exit and re-entry -----------------------------------------------------------------------------

class ParticipantStateSchema(Schema):
    id = Id(dump_only=True)
    status = Choice(("active", "exited"), dump_only=True)
    entry_date = Date(dump_only=True)
    exit_date = Date(dump_only=True, allow_none=True)
    exit_reason = Choice(EXIT_REASONS, dump_only=True, allow_none=True)
    version = fields.Integer(dump_only=True)


class ClosedEnrolmentSchema(Schema):
    id = Id(dump_only=True)
    status = fields.String(dump_only=True)
    end_date = Date(dump_only=True, allow_none=True)


class CreatedTaskSchema(Schema):
    id = Id(dump_only=True)
    kind = fields.String(dump_only=True)
    title = fields.String(dump_only=True)
    due_date = Date(dump_only=True)
    assignee_id = Id(dump_only=True, allow_none=True)


class ExitSchema(Schema):
    id = Id(dump_only=True)
    participant_id = Id(dump_only=True)
    exit_date = Date(required=True, metadata={"description": "not before the entry date, nor before the last "
                                                            "re-entry, not in the future"})
    reason = Choice(EXIT_REASONS, required=True)
    close_enrolments_as = ClosingPlan(load_only=True, allow_none=True, metadata=CLOSING_PLAN_DOC)
    closed_enrolments = fields.List(fields.Nested(ClosedEnrolmentSchema), dump_only=True)
    tasks = fields.List(fields.Nested(CreatedTaskSchema), dump_only=True, metadata={
        "description": "the tasks created: four_week_check (exit + 28 days) and six_month_follow_up "
                       "(exit + 6 calendar months)"})
    participant = fields.Nested(ParticipantStateSchema, dump_only=True)


class ReEntrySchema(Schema):
    id = Id(dump_only=True)
    participant_id = Id(dump_only=True)
    date = Date(required=True, metadata={"description": "not before the last exit, not in the future"})
    participant = fields.Nested(ParticipantStateSchema, dump_only=True)


@bp.route("/participants/<int:participant_id>/exit", methods=["POST"])
@bp.arguments(ExitSchema)
@bp.response(201, ExitSchema)
@errors(400, 403, 404, 409, 422)
def outcomes_exit(data: dict[str, Any], participant_id: int):
    """Record the exit: status exited, open enrolments closed, follow-up tasks created (409 when
    exited already)"""
    participant = _participant(participant_id, writing=True)
    result = services.exit_participant(participant, exit_date=data["exit_date"], reason=data["reason"],
                                       close_enrolments_as=data.get("close_enrolments_as"), actor=api_user())
    return {"id": result.exit.id, "participant_id": participant.id, "exit_date": result.exit.exit_date,
            "reason": result.exit.reason, "closed_enrolments": result.closed_enrolments, "tasks": result.tasks,
            "participant": participant}


# docs/interfaces.md: "Every list endpoint is GET on the same path" as its POST (`/exit`), and
# `/exits` as before; flask-smorest documents both paths of the one view.
@bp.route("/participants/<int:participant_id>/exits", methods=["GET"])
@bp.route("/participants/<int:participant_id>/exit", methods=["GET"], endpoint="outcomes_exit_list")
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_of(ExitSchema))
@errors(403, 404, 422)
def outcomes_exits(args: dict[str, Any], participant_id: int):
    """Every exit of the participant"""
    participant = _participant(participant_id)
    return page_answer(sa.select(Exit).where(Exit.participant_id == participant.id)
                 .order_by(Exit.exit_date.desc(), Exit.id.desc()), args)


@bp.route("/participants/<int:participant_id>/re-entry", methods=["POST"])
@bp.arguments(ReEntrySchema)
@bp.response(201, ReEntrySchema)
@errors(400, 403, 404, 409, 422)
def outcomes_re_entry(data: dict[str, Any], participant_id: int):
    """Re-entry: back to active, the first entry date stays, the exit date is cleared (409 when not
    exited)"""
    participant = _participant(participant_id, writing=True)
    re_entry = services.re_enter_participant(participant, re_entry_date=data["date"], actor=api_user())
    return {"id": re_entry.id, "participant_id": participant.id, "date": re_entry.date, "participant": participant}


@bp.route("/participants/<int:participant_id>/re-entries", methods=["GET"])
@bp.route("/participants/<int:participant_id>/re-entry", methods=["GET"], endpoint="outcomes_re_entry_list")
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_of(ReEntrySchema))
@errors(403, 404, 422)
def outcomes_re_entries(args: dict[str, Any], participant_id: int):
    """Every re-entry of the participant"""
    participant = _participant(participant_id)
    return page_answer(sa.select(ReEntry).where(ReEntry.participant_id == participant.id)
                 .order_by(ReEntry.date.desc(), ReEntry.id.desc()), args)


# --- certificates and follow-ups -------------------------------------------------------------------

class CertificateSchema(Schema):
    id = Id(dump_only=True)
    participant_id = Id(dump_only=True)
    date = Date(required=True, metadata={"description": "from the entry date on, not in the future"})
    title = Text(max_length=200, required=True)
    issuing_body = Text(max_length=200, allow_none=True)
    enrolment_id = Id(allow_none=True, metadata={"description": "one of this participant's enrolments"})


class FollowUpSchema(Schema):
    id = Id(dump_only=True)
    participant_id = Id(dump_only=True)
    kind = Choice(FOLLOW_UP_KINDS, load_default="six_months")
    date = Date(required=True, metadata={"description": "not before the exit, not in the future"})
    status = Choice(FOLLOW_UP_STATUSES, required=True, metadata={
        "description": "'unknown' when the person could not be reached (never recorded as unemployed)"})
    improved_situation = Flag(allow_none=True, metadata={
        "description": "only for participants employed or self-employed at entry, with status employed or "
                       "self_employed"})
    improvement_kind = Choice(IMPROVEMENT_KINDS, allow_none=True, metadata={
        "description": "required when improved_situation is true; a pay rise alone is no improvement"})


class EsfPreviewSchema(Schema):
    participant_id = Id(dump_only=True)
    exited = fields.Boolean(dump_only=True)
    exit_date = Date(dump_only=True)
    reference_day = Date(dump_only=True, metadata={"description": "exit_date + 28 days"})
    status_upon_leaving = Choice(LABOUR_STATUSES, dump_only=True, allow_none=True, metadata={
        "description": "the latest status record on or before reference_day (same day: the one recorded last)"})
    provisional = fields.Boolean(dump_only=True)
    qualification_gained = fields.Boolean(dump_only=True)
    six_month_status = fields.String(dump_only=True, allow_none=True)
    improved_situation = fields.Boolean(dump_only=True, allow_none=True)


@bp.route("/participants/<int:participant_id>/certificates", methods=["POST"])
@bp.arguments(CertificateSchema)
@bp.response(201, CertificateSchema)
@errors(400, 403, 404, 409, 422)
def outcomes_record_certificate(data: dict[str, Any], participant_id: int):
    """Record a qualification gained"""
    return services.record_certificate(_participant(participant_id, writing=True), data, actor=api_user())


@bp.route("/participants/<int:participant_id>/certificates", methods=["GET"])
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_of(CertificateSchema))
@errors(403, 404, 422)
def outcomes_certificates(args: dict[str, Any], participant_id: int):
    """The participant's certificates"""
    participant = _participant(participant_id)
    return page_answer(sa.select(Certificate).where(Certificate.participant_id == participant.id)
                 .order_by(Certificate.date.desc(), Certificate.id.desc()), args)


@bp.route("/participants/<int:participant_id>/follow-ups", methods=["POST"])
@bp.arguments(FollowUpSchema)
@bp.response(201, FollowUpSchema)
@errors(400, 403, 404, 409, 422)
def outcomes_record_follow_up(data: dict[str, Any], participant_id: int):
    """Record a follow-up after the exit (completes the matching task; the latest six-month follow-up
    counts; 409 while not exited)"""
    return services.record_follow_up(_participant(participant_id, writing=True), data, actor=api_user())


@bp.route("/participants/<int:participant_id>/follow-ups", methods=["GET"])
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_of(FollowUpSchema))
@errors(403, 404, 422)
def outcomes_follow_ups(args: dict[str, Any], participant_id: int):
    """The participant's follow-ups"""
    participant = _participant(participant_id)
    return page_answer(sa.select(FollowUp).where(FollowUp.participant_id == participant.id)
                 .order_by(FollowUp.date.desc(), FollowUp.id.desc()), args)


@bp.route("/participants/<int:participant_id>/esf-preview", methods=["GET"])
@bp.response(200, EsfPreviewSchema)
@errors(403, 404)
def outcomes_esf_preview(participant_id: int):
    """What the ESF+ result indicators will count for this participant"""
    participant = _participant(participant_id)
    preview = indicators.leaving_preview(participant)
    if preview is None:
        return {"participant_id": participant.id, "exited": False}
    return {"participant_id": participant.id, "exited": True, **vars(preview)}
