"""JSON API v1: participants, their labour-market status history, progress notes, goals and tasks.

One marshmallow schema per resource parses the request, serialises the answer and is what the
OpenAPI document shows (caseflow/api/schemas.py). The schemas convert (types, codes, lengths); the
services judge (caseflow/participants/services.py). Field names, enums and status codes follow
docs/interfaces.md exactly. Every endpoint loads the participant through access.py (analysts and
admins 403, other organisations 404) and calls the same services as the web pages.
"""
from __future__ import annotations

from typing import Any

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
from caseflow.api.support import api_user, page_answer, page_answer_from
from caseflow.extensions import db
from caseflow.participants import services
from caseflow.participants.access import get_participant_for, get_record_for, visible_participants
from caseflow.participants.models import Goal, Note, Participant, StatusChange, Task
from caseflow.participants.queries import languages_of, qualifications_of
from caseflow.participants.search import ranked_page, searches
from caseflow.participants.services import TEXT_LIMITS
from caseflow.participants.vocabulary import (
    ANSWERS,
    BERLIN_DISTRICTS,
    GOAL_STATUSES,
    PARTICIPANT_STATUSES,
    RECOGNITION_STATUSES,
    STATUS_SOURCES,
    TASK_KINDS,
)
from caseflow.vocabulary import GENDERS, GERMAN_LEVELS, LABOUR_STATUSES, NOTE_KINDS, RESIDENCE_STATUSES


class _Boolean(Flag):
    """A JSON boolean in a body: true or false only (not "true", and not 1 or 0, which Flag's set
    membership would take for True and False)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


def _boolean(**kwargs: Any) -> Flag:
    return _Boolean(**kwargs)


class _Answer(fields.Field):
    """A three-valued answer: `"yes"`, `"no"`, `"declined"`; a JSON boolean is read as yes/no
    (clients written before issue 18 keep working). Answers the three-valued form."""

    default_error_messages = {"invalid": 'Send "yes", "no", "declined" or a boolean.'}

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return value

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, str) and value in ANSWERS:
            return value
        raise self.make_error("invalid")


def _answer(description: str) -> fields.Field:
    return _Answer(metadata={"description": description, "type": "string", "enum": list(ANSWERS),
                             "x-also-accepts": "boolean (true = yes, false = no)"})


def _read_only_id(**kwargs: Any) -> fields.Integer:
    return fields.Integer(dump_only=True, **kwargs)


# --- participants --------------------------------------------------------------------------------

class LanguageSchema(Schema):
    language = Text(max_length=20, metadata={"description": "ISO 639-1 code"})
    level = Text(max_length=TEXT_LIMITS["language_level"], metadata={"description": "native, A1–C2 or a short note"})


class QualificationSchema(Schema):
    title = Text(max_length=TEXT_LIMITS["qualification_title"])
    country = Text(max_length=20, metadata={"description": "ISO 3166-1 alpha-2 code"})
    isced = fields.Integer(strict=True, allow_none=True, metadata={"minimum": 0, "maximum": 8})
    recognition_status = Choice(RECOGNITION_STATUSES, allow_none=True,
                                metadata={"description": "default not_applied"})


class _MasterDataSchema(Schema):
    """The master data a client may send; nothing required (a PATCH sends what changes)."""

    first_name = Text(max_length=TEXT_LIMITS["first_name"])
    last_name = Text(max_length=TEXT_LIMITS["last_name"])
    date_of_birth = Date(metadata={"description": "before entry_date"})
    gender = Choice(GENDERS)
    nationality = Text(max_length=20, metadata={"description": "ISO 3166-1 alpha-2 code or 'stateless'"})
    country_of_birth = Text(max_length=20, metadata={"description": "ISO 3166-1 alpha-2 code"})
    residence_status = Choice(RESIDENCE_STATUSES, allow_none=True)
    work_permission = _boolean(allow_none=True, metadata={"description": "may work in Germany; null = unknown"})
    arrival_year = fields.Integer(strict=True, allow_none=True, metadata={"description": "year of arrival in Germany"})
    preferred_language = Text(max_length=20, metadata={"description": "ISO 639-1 code"})
    foreign_background = _answer("yes / no / declined (a boolean is read as yes/no); default no")
    disability = _answer("yes only with special_categories_consent_date; no / declined; a boolean is read as yes/no")
    minority = _answer("yes only with special_categories_consent_date; no / declined; a boolean is read as yes/no")
    homeless = _answer("yes / no / declined (a boolean is read as yes/no); default no")
    special_categories_consent_date = Date(allow_none=True, metadata={
        "description": "the date of the explicit consent to record special-category data (GDPR Art. 9)"})
    entry_date = Date()
    labour_status_at_entry = Choice(LABOUR_STATUSES)
    unemployed_since = Date(allow_none=True, metadata={
        "description": "required when unemployed at entry, not after entry_date, otherwise empty"})
    education_isced = fields.Integer(strict=True, allow_none=True, metadata={"minimum": 0, "maximum": 8})
    german_level = Choice(GERMAN_LEVELS, allow_none=True)
    counsellor_id = Id(allow_none=True, metadata={
        "description": "an active case worker of the organisation; defaults to the creating counsellor"})
    phone = Text(max_length=TEXT_LIMITS["phone"])
    email = Text(max_length=TEXT_LIMITS["email"])
    street = Text(max_length=TEXT_LIMITS["street"])
    postcode = Text(max_length=TEXT_LIMITS["postcode"])
    city = Text(max_length=TEXT_LIMITS["city"])
    district = Choice(BERLIN_DISTRICTS, allow_none=True, metadata={"description": "Berlin borough"})
    languages = fields.List(fields.Nested(LanguageSchema), allow_none=True,
                            metadata={"description": "replaces the list when sent"})
    foreign_qualifications = fields.List(fields.Nested(QualificationSchema), allow_none=True,
                                         metadata={"description": "replaces the list when sent"})


class ParticipantSchema(_MasterDataSchema):
    """A participant: the body of a registration and every answer about one participant."""

    id = _read_only_id()
    case_number = fields.String(dump_only=True, metadata={"example": "CF-2026-000123"})
    organisation_id = _read_only_id()
    version = _read_only_id()
    status = Choice(PARTICIPANT_STATUSES, dump_only=True)
    exit_date = Date(dump_only=True, allow_none=True)
    age_at_entry = _read_only_id(metadata={"description": "completed years on the entry date"})

    first_name = Text(max_length=TEXT_LIMITS["first_name"], required=True)
    last_name = Text(max_length=TEXT_LIMITS["last_name"], required=True)
    date_of_birth = Date(required=True, metadata={"description": "before entry_date"})
    gender = Choice(GENDERS, required=True)
    nationality = Text(max_length=20, required=True,
                       metadata={"description": "ISO 3166-1 alpha-2 code or 'stateless'"})
    entry_date = Date(required=True)
    labour_status_at_entry = Choice(LABOUR_STATUSES, required=True)
    confirm_not_duplicate = _boolean(load_only=True, metadata={
        "description": "register although possible duplicates exist (otherwise 409 possible_duplicate)"})


SPECIAL_FIELDS = ("disability", "minority", "special_categories_consent_date", "languages", "foreign_qualifications")


class ParticipantSummarySchema(ParticipantSchema):
    """A participant in a list or search: without special categories, languages and qualifications."""

    class Meta(ParticipantSchema.Meta):
        exclude = SPECIAL_FIELDS


class ParticipantPatchSchema(_MasterDataSchema):
    """A change of master data: only the fields sent change."""

    version = Version()


class ParticipantListArgs(PageArgs):
    q = Text(max_length=100, metadata={
        "description": "name, case number, phone number or e-mail address; case- and accent-insensitive "
                       "(muller and mueller find Müller); best matches first (whole words, then word starts)"})
    status = Choice(PARTICIPANT_STATUSES)


class _FullParticipant:
    """A participant with its languages and qualifications, as ParticipantSchema shows it."""

    def __init__(self, participant: Participant) -> None:
        self._participant = participant
        self.languages = languages_of(participant.id)
        self.foreign_qualifications = qualifications_of(participant.id)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._participant, name)


@bp.route("/participants", methods=["GET"])
@bp.arguments(ParticipantListArgs, location="query")
@bp.response(200, page_of(ParticipantSummarySchema))
@errors(403, 422)
def list_participants(args):
    """The participants of the account's organisation

    Analysts and admins: 403.
    """
    scope = visible_participants(api_user()).where(Participant.anonymised_at.is_(None))
    if args.get("status"):
        scope = scope.where(Participant.status == args["status"])
    if not searches(args.get("q")):
        return page_answer(scope.order_by(Participant.id), args)
    # best matches first, then by id; counted up to web.SEARCH_TOTAL_CAP (search.ranked_page)
    ids, total, capped = ranked_page(scope, args["q"], page=args["page"], per_page=args["per_page"])
    found = {p.id: p for p in db.session.scalars(
        visible_participants(api_user()).where(Participant.id.in_(ids)))} if ids else {}
    return page_answer_from([found[i] for i in ids if i in found], args, total, capped)


@bp.route("/participants", methods=["POST"])
@bp.arguments(ParticipantSchema)
@bp.response(201, ParticipantSchema)
@errors(400, 403, 409, 422)
def create_participant(data):
    """Register a participant

    409 possible_duplicate with error.candidates (ids) and error.matches (each id with its reasons)
    for a person of the same organisation with a similar name and the same date of birth, or the
    same name and a date of birth one typo away (docs/domain.md), unless confirm_not_duplicate is
    true.
    """
    return _FullParticipant(services.register_participant(data, actor=api_user()))


@bp.route("/participants/<int:participant_id>", methods=["GET"])
@bp.response(200, ParticipantSchema)
@errors(403, 404)
def get_participant(participant_id: int):
    """One participant (the read is written to the access log)"""
    actor = api_user()
    participant = get_participant_for(actor, participant_id)
    services.record_case_view(participant, actor=actor)
    return _FullParticipant(participant)


@bp.route("/participants/<int:participant_id>", methods=["PATCH"])
@bp.arguments(ParticipantPatchSchema)
@bp.response(200, ParticipantSchema)
@errors(400, 403, 404, 409, 422)
def patch_participant(data, participant_id: int):
    """Change master data (send the version read; 409 when stale)"""
    actor = api_user()
    participant = get_participant_for(actor, participant_id, writable=True, allow_anonymised=False)
    version = data.pop("version")
    return _FullParticipant(services.update_participant(participant, data, version=version, actor=actor))


# --- the case history ----------------------------------------------------------------------------

def _records_of(participant_id: int, model: Any, args: dict[str, Any], *order_by: Any) -> dict[str, Any]:
    """One page of a participant's notes, goals, tasks or status changes."""
    participant = get_participant_for(api_user(), participant_id)
    return page_answer(sa.select(model).where(model.participant_id == participant.id).order_by(*order_by), args)


def _participant_for_writing(participant_id: int) -> Participant:
    return get_participant_for(api_user(), participant_id, writable=True, allow_anonymised=False)


class StatusChangeSchema(Schema):
    id = _read_only_id()
    participant_id = _read_only_id()
    date = Date(required=True, metadata={"description": "not before the entry date"})
    status = Choice(LABOUR_STATUSES, required=True)
    source = Choice(STATUS_SOURCES, dump_only=True)
    placement_id = _read_only_id(allow_none=True)


@bp.route("/participants/<int:participant_id>/status-changes", methods=["GET"])
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_of(StatusChangeSchema))
@errors(403, 404, 422)
def list_status_changes(args, participant_id: int):
    """The participant's labour-market status history (the entry status first)"""
    return _records_of(participant_id, StatusChange, args, StatusChange.date, StatusChange.id)


@bp.route("/participants/<int:participant_id>/status-changes", methods=["POST"])
@bp.arguments(StatusChangeSchema)
@bp.response(201, StatusChangeSchema)
@errors(400, 403, 404, 409, 422)
def create_status_change(data, participant_id: int):
    """Add a labour-market status"""
    participant = _participant_for_writing(participant_id)
    return services.add_status_change(participant, date_=data["date"], status=data["status"], actor=api_user())


class NoteSchema(Schema):
    id = _read_only_id()
    participant_id = _read_only_id()
    date = Date(required=True, metadata={"description": "the day of the contact, not in the future"})
    kind = Choice(NOTE_KINDS, required=True)
    minutes = fields.Integer(strict=True, allow_none=True, metadata={"minimum": 0, "maximum": 1440})
    enrolment_id = Id(allow_none=True, metadata={
        "description": "optional: one of this participant's enrolments; the note's minutes then count towards "
                       "that enrolment's hours of participation"})
    text = Text(max_length=TEXT_LIMITS["note_text"], required=True)
    author_id = _read_only_id(allow_none=True)
    version = _read_only_id()


class NotePatchSchema(Schema):
    """A correction; the earlier text is kept in the note's history."""

    version = Version()
    date = Date()
    kind = Choice(NOTE_KINDS)
    minutes = fields.Integer(strict=True, allow_none=True, metadata={"minimum": 0, "maximum": 1440})
    enrolment_id = Id(allow_none=True)
    text = Text(max_length=TEXT_LIMITS["note_text"])


@bp.route("/participants/<int:participant_id>/notes", methods=["GET"])
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_of(NoteSchema))
@errors(403, 404, 422)
def list_notes(args, participant_id: int):
    """The participant's progress notes, newest first"""
    return _records_of(participant_id, Note, args, Note.date.desc(), Note.id.desc())


@bp.route("/participants/<int:participant_id>/notes", methods=["POST"])
@bp.arguments(NoteSchema)
@bp.response(201, NoteSchema)
@errors(400, 403, 404, 409, 422)
def create_note(data, participant_id: int):
    """Add a progress note"""
    return services.add_note(_participant_for_writing(participant_id), data, actor=api_user())


@bp.route("/participants/<int:participant_id>/notes/<int:note_id>", methods=["PATCH"])
@bp.arguments(NotePatchSchema)
@bp.response(200, NoteSchema)
@errors(400, 403, 404, 409, 422)
def patch_note(data, participant_id: int, note_id: int):
    """Correct a note (send the version read; 409 when stale)"""
    actor = api_user()
    _, note = get_record_for(actor, participant_id, Note, note_id, writable=True)
    version = data.pop("version")
    return services.correct_note(note, data, version=version, actor=actor)


class GoalSchema(Schema):
    id = _read_only_id()
    participant_id = _read_only_id()
    title = Text(max_length=TEXT_LIMITS["goal_title"], required=True)
    target_date = Date(allow_none=True)
    status = Choice(GOAL_STATUSES, allow_none=True, metadata={"description": "default open"})
    next_steps = Text(max_length=TEXT_LIMITS["next_steps"])
    version = _read_only_id()


class GoalPatchSchema(Schema):
    version = Version()
    title = Text(max_length=TEXT_LIMITS["goal_title"])
    target_date = Date(allow_none=True)
    status = Choice(GOAL_STATUSES)
    next_steps = Text(max_length=TEXT_LIMITS["next_steps"])


@bp.route("/participants/<int:participant_id>/goals", methods=["GET"])
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_of(GoalSchema))
@errors(403, 404, 422)
def list_goals(args, participant_id: int):
    """The goals of the participant's integration plan"""
    return _records_of(participant_id, Goal, args, Goal.id)


@bp.route("/participants/<int:participant_id>/goals", methods=["POST"])
@bp.arguments(GoalSchema)
@bp.response(201, GoalSchema)
@errors(400, 403, 404, 409, 422)
def create_goal(data, participant_id: int):
    """Add a goal to the integration plan"""
    return services.add_goal(_participant_for_writing(participant_id), data, actor=api_user())


@bp.route("/participants/<int:participant_id>/goals/<int:goal_id>", methods=["PATCH"])
@bp.arguments(GoalPatchSchema)
@bp.response(200, GoalSchema)
@errors(400, 403, 404, 409, 422)
def patch_goal(data, participant_id: int, goal_id: int):
    """Change a goal (send the version read; 409 when stale)"""
    actor = api_user()
    _, goal = get_record_for(actor, participant_id, Goal, goal_id, writable=True)
    version = data.pop("version")
    return services.update_goal(goal, data, version=version, actor=actor)


class TaskSchema(Schema):
    id = _read_only_id()
    participant_id = _read_only_id()
    title = Text(max_length=TEXT_LIMITS["task_title"], required=True)
    due_date = Date(required=True)
    assignee_id = Id(allow_none=True, metadata={"description": "a case worker of the organisation; "
                                                               "defaults to the calling account"})
    kind = Choice(TASK_KINDS, dump_only=True)
    done = fields.Boolean(dump_only=True)
    done_at = Timestamp(dump_only=True, allow_none=True)
    version = _read_only_id()


@bp.route("/participants/<int:participant_id>/tasks", methods=["GET"])
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_of(TaskSchema))
@errors(403, 404, 422)
def list_tasks(args, participant_id: int):
    """The participant's tasks, by due date"""
    return _records_of(participant_id, Task, args, Task.due_date, Task.id)


@bp.route("/participants/<int:participant_id>/tasks", methods=["POST"])
@bp.arguments(TaskSchema)
@bp.response(201, TaskSchema)
@errors(400, 403, 404, 409, 422)
def create_task(data, participant_id: int):
    """Add a task"""
    return services.add_task(_participant_for_writing(participant_id), data, actor=api_user())


