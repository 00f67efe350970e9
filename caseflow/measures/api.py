"""API v1: measures, enrolments and employers (docs/interfaces.md). One schema per resource parses
the request, serialises the answer and is what the OpenAPI document shows; the routes call the same
services as the web pages, which judge every business rule."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import marshmallow as ma
import sqlalchemy as sa

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
from caseflow.measures.queries import enrolment_minutes, measure_counts
from caseflow.measures.vocabulary import COMPANY_SIZES, NACE_SECTIONS
from caseflow.participants.access import get_participant_for
from caseflow.translation import lazy_gettext as _l
from caseflow.validation import MAX_ID
from caseflow.vocabulary import ENROLMENT_STATUSES, MEASURE_TYPES


class Count(fields.Integer):
    """A whole JSON number (no string, no boolean) that both databases can store; the service
    judges its range."""

    default_error_messages = {"invalid": _l("Enter a whole number."),
                              "too_large": _l("Enter a whole number."),
                              "null": _l("This field may not be empty.")}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)

    def _validated(self, value: Any) -> int:
        if isinstance(value, bool) or (isinstance(value, int) and abs(value) > MAX_ID):
            raise self.make_error("invalid")
        return super()._validated(value)

    def make_error(self, key: str, **kwargs: Any) -> ma.ValidationError:
        return ma.ValidationError(str(self.error_messages[key]).format(**kwargs))


@dataclass
class _With:
    """An object with values computed for its answer (counts, rates), loaded for a page at once. (Not
    a tuple: flask-smorest reads a tuple returned by a view as (body, status, headers).)"""

    obj: Any
    extras: dict[str, Any]


class _WithExtras(Schema):
    """Dumps an object, or a `_With`: the object's attributes plus its computed extras."""

    @ma.pre_dump
    def _merge(self, obj: Any, **_kw: Any) -> dict[str, Any]:
        target, extras = (obj.obj, obj.extras) if isinstance(obj, _With) else (obj, {})
        out = {name: getattr(target, name, None) for name in self.dump_fields}
        out.update(extras)
        return out


# --- measures --------------------------------------------------------------------------------------

class MeasureSchema(_WithExtras):
    id = Id(dump_only=True)
    title = Text(max_length=200, required=True)
    type = Choice(MEASURE_TYPES, required=True)
    organisation_id = Id(allow_none=True, metadata={
        "description": "the providing organisation; admins choose it, team leads always create for their own"})
    start_date = Date(required=True)
    end_date = Date(allow_none=True)
    capacity = Count(allow_none=True, metadata={"description": "places, 1 to 10,000; null = unlimited"})
    location = Text(max_length=200, allow_none=True)
    description = Text(max_length=5000, allow_none=True)
    active = Flag(metadata={"description": "open for enrolment (default true)"})
    version = fields.Integer(dump_only=True)
    places_taken = fields.Integer(dump_only=True)
    waiting = fields.Integer(dump_only=True, metadata={"description": "on the waiting list"})


class MeasurePatchSchema(MeasureSchema):
    class Meta(MeasureSchema.Meta):  # keeps the base's unknown = EXCLUDE: what was read may be sent back
        exclude = ("organisation_id",)

    title = Text(max_length=200)
    type = Choice(MEASURE_TYPES)
    start_date = Date()
    version = Version()


class MeasureListArgs(PageArgs):
    type = Choice(MEASURE_TYPES, metadata={"description": "only measures of this type"})
    active = Flag(metadata={"description": "only open (true) or closed (false) measures"})


def _measures_with_counts(measures: list[Measure]) -> list[_With]:
    counts = measure_counts(m.id for m in measures)
    return [_With(m, {k: counts.get(m.id, {}).get(k, 0) for k in ("places_taken", "waiting")}) for m in measures]


@bp.route("/measures", methods=["GET"])
@bp.arguments(MeasureListArgs, location="query")
@bp.response(200, page_of(MeasureSchema))
@errors(403, 422)
def measures_list(args: dict[str, Any]):
    """The measure catalogue (own organisation; analysts and admins: all)"""
    stmt = visible_measures(api_user()).order_by(Measure.start_date.desc(), Measure.id.desc())
    if args.get("type"):
        stmt = stmt.where(Measure.type == args["type"])
    if args.get("active") is not None:
        stmt = stmt.where(Measure.active.is_(args["active"]))
    return page_answer(stmt, args, _measures_with_counts)


@bp.route("/measures", methods=["POST"])
@bp.arguments(MeasureSchema)
@bp.response(201, MeasureSchema)
@errors(400, 403, 404, 422)
def measures_create(data: dict[str, Any]):
    """Create a measure (team leads: own organisation; admins: any, with organisation_id)"""
    user = api_user()
    require_measure_manager(user)
    organisation_id = data.pop("organisation_id", None)
    measure = services.create_measure(data, organisation_id=organisation_id, actor=user)
    return _measures_with_counts([measure])[0]


@bp.route("/measures/<int:measure_id>", methods=["GET"])
@bp.response(200, MeasureSchema)
@errors(404)
def measures_get(measure_id: int):
    """One measure"""
    return _measures_with_counts([get_measure_for(api_user(), measure_id)])[0]


@bp.route("/measures/<int:measure_id>", methods=["PATCH"])
@bp.arguments(MeasurePatchSchema)
@bp.response(200, MeasureSchema)
@errors(400, 403, 404, 409, 422)
def measures_patch(data: dict[str, Any], measure_id: int):
    """Change a measure; a raised capacity moves people off the waiting list"""
    measure = get_measure_for(api_user(), measure_id)
    version = data.pop("version")
    services.update_measure(measure, data, version=version, actor=api_user())
    return _measures_with_counts([measure])[0]


# --- enrolments ------------------------------------------------------------------------------------

def _details_description() -> str:
    lines = [f"{t}: {', '.join(d.name for d in details)}" for t, details in DETAILS.items()]
    return ("The measure type's own details; the keys allowed depend on the measure's type (field errors are "
            "keyed by the detail's name). " + "; ".join(lines))


class AttendanceSchema(Schema):
    present = fields.Integer(dump_only=True)
    recorded = fields.Integer(dump_only=True)
    rate = fields.Float(dump_only=True, allow_none=True)


class EnrolmentSchema(_WithExtras):
    id = Id(dump_only=True)
    participant_id = Id(dump_only=True)
    measure_id = Id(required=True)
    measure_type = Choice(MEASURE_TYPES, dump_only=True)
    status = Choice(ENROLMENT_STATUSES, load_default="planned")
    start_date = Date(allow_none=True)
    end_date = Date(allow_none=True)
    dropout_reason = Text(max_length=500, allow_none=True,
                          metadata={"description": "required when status is dropped_out"})
    waitlisted = fields.Boolean(dump_only=True, metadata={
        "description": "on the waiting list of a full measure (status stays planned)"})
    waitlisted_at = Timestamp(dump_only=True, allow_none=True)
    details = fields.Dict(keys=fields.String(), allow_none=True, metadata={"description": _details_description()})
    host_employer_id = Id(dump_only=True, allow_none=True)
    linked_enrolment_id = Id(dump_only=True, allow_none=True)
    attendance = fields.Nested(AttendanceSchema, dump_only=True)
    minutes = Count(allow_none=True, metadata={
        "description": "participation recorded on the enrolment itself (outside attendance sessions and notes), "
                       "in minutes, 0 to 120,000; optional"})
    participation_minutes = fields.Integer(dump_only=True, metadata={
        "description": "hours of participation in minutes: `minutes`, plus the duration of every attendance "
                       "session the participant was present at, plus the minutes of the notes linked to this "
                       "enrolment"})
    participation_hours = fields.Float(dump_only=True, metadata={"description": "participation_minutes / 60, "
                                                                                 "to two decimals"})
    version = fields.Integer(dump_only=True)


class EnrolmentPatchSchema(EnrolmentSchema):
    class Meta(EnrolmentSchema.Meta):  # keeps the base's unknown = EXCLUDE: what was read may be sent back
        exclude = ("measure_id",)

    status = Choice(ENROLMENT_STATUSES)
    version = Version()


def _enrolments_out(enrolments: list[Enrolment]) -> list[_With]:
    rates = services.attendance_rates(e.id for e in enrolments)
    minutes = enrolment_minutes(e.id for e in enrolments)
    out = []
    for e in enrolments:
        present, total = rates.get(e.id, (0, 0))
        spent = minutes.get(e.id, 0)
        out.append(_With(e, {"measure_type": e.measure.type, "waitlisted": e.waitlisted_at is not None,
                             "details": details_for_api(e), "participation_minutes": spent,
                             "participation_hours": round(spent / 60, 2),
                             "attendance": {"present": present, "recorded": total,
                                            "rate": round(present / total, 3) if total else None}}))
    return out


@bp.route("/participants/<int:participant_id>/enrolments", methods=["POST"])
@bp.arguments(EnrolmentSchema)
@bp.response(201, EnrolmentSchema)
@errors(400, 403, 404, 409, 422)
def enrolments_create(data: dict[str, Any], participant_id: int):
    """Enrol the participant in a measure of their organisation. A full measure puts the enrolment on
    the waiting list (status planned, waitlisted true). 409 when an unfinished enrolment in that
    measure exists; 404 for a measure the account cannot see."""
    user = api_user()
    participant = get_participant_for(user, participant_id)
    measure = services.measure_for_enrolment_form(user, data["measure_id"])
    enrolment = services.enrol_participant(participant, measure, services.EnrolmentInput(
        start_date=data.get("start_date"), end_date=data.get("end_date"), status=data["status"],
        dropout_reason=data.get("dropout_reason"), details=data.get("details"), minutes=data.get("minutes")),
        actor=user)
    return _enrolments_out([enrolment])[0]


@bp.route("/participants/<int:participant_id>/enrolments", methods=["GET"])
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_of(EnrolmentSchema))
@errors(403, 404, 422)
def enrolments_list(args: dict[str, Any], participant_id: int):
    """The participant's enrolments"""
    participant = get_participant_for(api_user(), participant_id)
    stmt = (sa.select(Enrolment).options(sa.orm.joinedload(Enrolment.measure))
            .where(Enrolment.participant_id == participant.id)
            .order_by(Enrolment.start_date.desc().nulls_last(), Enrolment.id.desc()))
    return page_answer(stmt, args, _enrolments_out)


@bp.route("/enrolments/<int:enrolment_id>", methods=["GET"])
@bp.response(200, EnrolmentSchema)
@errors(403, 404)
def enrolments_get(enrolment_id: int):
    """One enrolment"""
    return _enrolments_out([get_enrolment_for(api_user(), enrolment_id)])[0]


@bp.route("/enrolments/<int:enrolment_id>", methods=["PATCH"])
@bp.arguments(EnrolmentPatchSchema)
@bp.response(200, EnrolmentSchema)
@errors(400, 403, 404, 409, 422)
def enrolments_patch(data: dict[str, Any], enrolment_id: int):
    """Change status, dates, drop-out reason or details. Allowed status changes: planned → active or
    cancelled; active → completed or dropped_out; the others are final (409 otherwise). details are
    merged into the stored ones."""
    user = api_user()
    enrolment = get_enrolment_for(user, enrolment_id)
    version = data.pop("version")
    services.change_enrolment(enrolment, data, version=version, actor=user)
    return _enrolments_out([enrolment])[0]


# --- employers -------------------------------------------------------------------------------------

class EmployerSchema(Schema):
    id = Id(dump_only=True)
    organisation_id = Id(dump_only=True)
    name = Text(max_length=200, required=True)
    nace_section = Choice(NACE_SECTIONS, allow_none=True)
    size = Choice(COMPANY_SIZES, allow_none=True)
    district = Text(max_length=60, allow_none=True)
    contact_person = Text(max_length=200, allow_none=True)
    contact_phone = Text(max_length=40, allow_none=True)
    contact_email = Text(max_length=254, allow_none=True)
    notes = Text(max_length=5000, allow_none=True)
    version = fields.Integer(dump_only=True)


class EmployerPatchSchema(EmployerSchema):
    name = Text(max_length=200)
    version = Version()


class EmployerListArgs(PageArgs):
    q = Text(max_length=100, metadata={"description": "part of the company name"})


@bp.route("/employers", methods=["GET"])
@bp.arguments(EmployerListArgs, location="query")
@bp.response(200, page_of(EmployerSchema))
@errors(403, 422)
def employers_list(args: dict[str, Any]):
    """The organisation's employer directory (counsellors and team leads)"""
    stmt = visible_employers(api_user()).order_by(Employer.name, Employer.id)
    if args.get("q"):
        stmt = stmt.where(Employer.name.ilike(f"%{args['q']}%"))
    return page_answer(stmt, args)


@bp.route("/employers", methods=["POST"])
@bp.arguments(EmployerSchema)
@bp.response(201, EmployerSchema)
@errors(400, 403, 422)
def employers_create(data: dict[str, Any]):
    """Add a company to the organisation's employer directory"""
    return services.create_employer(data, actor=api_user())


@bp.route("/employers/<int:employer_id>", methods=["GET"])
@bp.response(200, EmployerSchema)
@errors(403, 404)
def employers_get(employer_id: int):
    """One employer"""
    return get_employer_for(api_user(), employer_id)


@bp.route("/employers/<int:employer_id>", methods=["PATCH"])
@bp.arguments(EmployerPatchSchema)
@bp.response(200, EmployerSchema)
@errors(400, 403, 404, 409, 422)
def employers_patch(data: dict[str, Any], employer_id: int):
    """Change an employer"""
    employer = get_employer_for(api_user(), employer_id)
    version = data.pop("version")
    return services.update_employer(employer, data, version=version, actor=api_user())
