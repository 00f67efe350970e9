"""The case file's verbs: registering and editing participants, their status history, progress
notes, integration plan (goals), tasks and reassignment.

Every function is one unit of work (`@transactional`, caseflow/database.py): it checks the rules of
interfaces.md with a `Checker` (caseflow/validation.py), locks the participant's row (lock order:
participant, then its records), writes, and adds the audit entry to the same transaction; on any
error nothing is written. Rule violations raise DomainError (422 with `fields`), Conflict (409:
stale version, possible duplicate) or Forbidden (403). Values arrive already typed (dates as `date`,
numbers as `int`): the forms and the API schemas convert, the services judge.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email

from caseflow.accounts.models import User
from caseflow.audit.services import apply_changes, record, record_access, record_changes, snapshot
from caseflow.database import lock_ids, lock_rows, transactional
from caseflow.errors import Conflict, Forbidden
from caseflow.extensions import db
from caseflow.i18n import format_day, valid_country_codes, valid_language_codes
from caseflow.models_base import utcnow
from caseflow.participants.access import require_casework
from caseflow.participants.case_numbers import next_case_number
from caseflow.participants.duplicates import possible_duplicates
from caseflow.participants.models import (
    ForeignQualification,
    Goal,
    Note,
    NoteRevision,
    Participant,
    ParticipantLanguage,
    StatusChange,
    Task,
)
from caseflow.participants.names import duplicate_key, search_key
from caseflow.participants.queries import languages_of, note_enrolment_choices, qualifications_of
from caseflow.participants.vocabulary import (
    ANSWER_FIELDS,
    ANSWERS,
    BERLIN_DISTRICTS,
    GOAL_STATUSES,
    RECOGNITION_STATUSES,
)
from caseflow.translation import gettext as _
from caseflow.validation import MAX_ID, Checker, check_version, text_message, unsafe_text
from caseflow.vocabulary import CASEWORK_ROLES, GENDERS, GERMAN_LEVELS, LABOUR_STATUSES, NOTE_KINDS, RESIDENCE_STATUSES

# Master-data fields a registration or an edit may set (nothing else is taken from the input).
MASTER_FIELDS = (
    "first_name", "last_name", "date_of_birth", "gender", "nationality", "country_of_birth",
    "residence_status", "work_permission", "arrival_year", "preferred_language",
    "foreign_background", "disability", "minority", "homeless", "special_categories_consent_date",
    "entry_date", "labour_status_at_entry", "unemployed_since", "education_isced", "german_level",
    "counsellor_id", "phone", "email", "street", "postcode", "city", "district",
)
BOOLEAN_FIELDS = ANSWER_FIELDS  # three-valued since issue 18: yes / no / declined (booleans read as yes/no)
SPECIAL_CATEGORY_FIELDS = ("disability", "minority", "special_categories_consent_date")
# The longest text each field takes (the API schemas document the same limits).
TEXT_LIMITS = {"first_name": 100, "last_name": 100, "phone": 40, "email": 254, "street": 200,
               "postcode": 10, "city": 100, "language_level": 20, "qualification_title": 200,
               "note_text": 20000, "goal_title": 300, "next_steps": 5000, "task_title": 300}
NOTE_MAX_MINUTES = 1440


def age_on(born: date, on: date) -> int:
    """Completed years on `on` (on the 18th birthday the person is 18)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def answer(check: Checker, name: str) -> str:
    """A three-valued answer (`yes`, `no`, `declined`); a boolean is read as yes/no, nothing as no."""
    value = check.values.get(name)
    if value is None or value == "":
        return "no"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and value in ANSWERS:
        return value
    check.add(name, _("Answer yes, no or declined."))
    return "no"


def _checker(values: Mapping[str, Any]) -> Checker:
    return Checker(values, summary=_("Please correct the marked fields."))


def _colleague(organisation_id: int, user_id: int | None) -> User | None:
    """The organisation's active case worker `user_id`, or None."""
    if user_id is None or not 1 <= user_id <= MAX_ID:
        return None
    return db.session.scalar(sa.select(User).where(
        User.id == user_id, User.organisation_id == organisation_id, User.active,
        User.role.in_(CASEWORK_ROLES)))


def _colleague_id(check: Checker, name: str, organisation_id: int) -> int | None:
    user_id = check.integer(name)
    check.require(user_id is None or _colleague(organisation_id, user_id) is not None, name,
                  _("Choose an active counsellor of your organisation."))
    return user_id


def _code(check: Checker, name: str, allowed: Any, message: str, *, required: bool = False) -> str | None:
    """A code from a list too long to name in the message (countries, languages)."""
    value = check.text(name, required=required, max_length=20)
    check.require(value is None or value in allowed, name, message)
    return value


def _lock(participant: Participant) -> None:
    """Locks the participant's row for the rest of the unit (lock order: participant, then its records)."""
    lock_ids(Participant, [participant.id])


def _add_to_case(participant: Participant, obj: Any, action: str, fields: tuple[str, ...], *, actor: User) -> Any:
    """Adds a status change, note, goal or task of `participant` with its audit entry (the values of
    `fields`)."""
    db.session.add(obj)
    record(action, actor=actor, obj=obj, participant_id=participant.id,
           organisation_id=participant.organisation_id, changes=snapshot(obj, fields))
    return obj


# --- master data ---------------------------------------------------------------------------------

def _master_data(check: Checker, *, organisation_id: int, today: date) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in ("first_name", "last_name"):
        data[name] = check.text(name, required=True, max_length=TEXT_LIMITS[name])
    for name in ("phone", "email", "street", "postcode", "city"):
        data[name] = check.text(name, max_length=TEXT_LIMITS[name])

    dob = data["date_of_birth"] = check.date(
        "date_of_birth", required=True, not_after=today,
        after_message=_("The date of birth cannot be in the future."))
    check.require(dob is None or dob.year >= 1900, "date_of_birth", _("Check the year of birth."))
    entry = data["entry_date"] = check.date("entry_date", required=True)
    check.require(entry is None or entry.year >= 2000, "entry_date", _("Check the entry date."))
    if dob and entry:
        check.require(dob < entry, "date_of_birth", _("The date of birth must be before the entry date."))

    data["gender"] = check.choice("gender", GENDERS, required=True)
    countries = valid_country_codes()
    data["nationality"] = _code(check, "nationality", countries | {"stateless"},
                                _("Use an ISO 3166-1 alpha-2 country code or 'stateless'."), required=True)
    data["country_of_birth"] = _code(check, "country_of_birth", countries,
                                     _("Use an ISO 3166-1 alpha-2 country code."))
    data["residence_status"] = check.choice("residence_status", RESIDENCE_STATUSES)
    data["preferred_language"] = _code(check, "preferred_language", valid_language_codes(),
                                       _("Use an ISO 639-1 language code."))
    data["district"] = check.choice("district", BERLIN_DISTRICTS)

    arrival = data["arrival_year"] = check.integer("arrival_year")
    in_range = arrival is None or check.require(
        1900 <= arrival <= today.year, "arrival_year",
        _("Enter a year between %(first)s and %(last)s.", first=1900, last=today.year))
    if arrival is not None and in_range and dob:
        check.require(arrival >= dob.year, "arrival_year", _("The year of arrival cannot be before the year of birth."))

    for name in ANSWER_FIELDS:
        data[name] = answer(check, name)
    data["work_permission"] = None if check.values.get("work_permission") is None else check.boolean("work_permission")

    consent = data["special_categories_consent_date"] = check.date(
        "special_categories_consent_date", not_after=today,
        after_message=_("The consent date cannot be in the future."))
    for name in ("disability", "minority"):
        # declining to answer records nothing about the person: only "yes" needs the consent
        check.require(data[name] != "yes" or consent is not None, name,
                      _("Record this only with the date of the participant's explicit consent."))

    status = data["labour_status_at_entry"] = check.choice("labour_status_at_entry", LABOUR_STATUSES, required=True)
    since = data["unemployed_since"] = check.date("unemployed_since")
    if status == "unemployed":
        if since is None:
            check.require(False, "unemployed_since", _("Enter since when the person has been unemployed."))
        elif entry and since > entry:
            check.require(False, "unemployed_since", _("Unemployment cannot start after the entry date."))
        elif dob and since < dob:
            check.require(False, "unemployed_since", _("Unemployment cannot start before the date of birth."))
    elif status is not None:
        check.require(since is None, "unemployed_since",
                      _("Leave this empty unless the person was unemployed at entry."))

    isced = data["education_isced"] = check.integer("education_isced")
    check.require(isced is None or 0 <= isced <= 8, "education_isced", _("Use an ISCED level from 0 to 8."))
    data["german_level"] = check.choice("german_level", GERMAN_LEVELS)

    if data["email"]:
        try:
            data["email"] = validate_email(data["email"], check_deliverability=False).normalized
        except EmailNotValidError:
            check.require(False, "email", _("Enter a valid email address."))

    data["counsellor_id"] = _colleague_id(check, "counsellor_id", organisation_id)
    return data


def _rows(check: Checker, name: str, rows: Any) -> list[Mapping[str, Any]]:
    if not isinstance(rows, list) or not all(isinstance(row, Mapping) for row in rows):
        check.require(False, name, _("Send a list of objects."))
        return []
    return rows


def _row_text(check: Checker, name: str, value: Any) -> str | None:
    """A text value of a language or qualification row (the errors are on the list's field)."""
    if value is None:
        return None
    if not isinstance(value, str):
        check.require(False, name, _("Enter text."))
        return None
    if unsafe_text(value):
        check.require(False, name, text_message())
        return None
    return value.strip() or None


def _languages(check: Checker, rows: Any) -> list[dict[str, Any]]:
    name = "languages"
    valid = valid_language_codes()
    cleaned: list[dict[str, Any]] = []
    seen: set[str] = set()
    for row in _rows(check, name, rows):
        code = _row_text(check, name, row.get("language"))
        level = _row_text(check, name, row.get("level"))
        if code is None and level is None:
            continue
        if not check.require(code in valid, name, _("Use an ISO 639-1 language code.")):
            continue
        if not check.require(code not in seen, name, _("Each language only once.")):
            continue
        if not check.require(level is None or len(level) <= TEXT_LIMITS["language_level"], name,
                             _("Use at most %(max)s characters.", max=TEXT_LIMITS["language_level"])):
            continue
        seen.add(str(code))
        cleaned.append({"language": code, "level": level})
    return cleaned


def _qualifications(check: Checker, rows: Any) -> list[dict[str, Any]]:
    name = "foreign_qualifications"
    countries = valid_country_codes()
    cleaned: list[dict[str, Any]] = []
    for row in _rows(check, name, rows):
        title = _row_text(check, name, row.get("title"))
        country = _row_text(check, name, row.get("country"))
        isced = row.get("isced")
        status = row.get("recognition_status") or "not_applied"
        if title is None and country is None and isced is None:
            continue
        if not check.require(title is not None and len(title) <= TEXT_LIMITS["qualification_title"], name,
                             _("Each qualification needs a title of 1 to 200 characters.")):
            continue
        if not check.require(country is None or country in countries, name,
                             _("Use an ISO 3166-1 alpha-2 country code.")):
            continue
        if not check.require(isced is None or (isinstance(isced, int) and not isinstance(isced, bool)
                                               and 0 <= isced <= 8), name, _("Use an ISCED level from 0 to 8.")):
            continue
        if not check.require(status in RECOGNITION_STATUSES, name, _("Choose one of the listed values.")):
            continue
        cleaned.append({"title": title, "country": country, "isced": isced, "recognition_status": status})
    return cleaned


def clean_languages(rows: Any) -> list[dict[str, Any]]:
    """The valid language rows of `rows`; DomainError with every problem (for imports and forms)."""
    check = _checker({})
    cleaned = _languages(check, rows)
    check.done()
    return cleaned


def clean_qualifications(rows: Any) -> list[dict[str, Any]]:
    """The valid foreign-qualification rows of `rows`; DomainError with every problem."""
    check = _checker({})
    cleaned = _qualifications(check, rows)
    check.done()
    return cleaned


def clean_master_data(values: Mapping[str, Any], *, organisation_id: int, today: date | None = None) -> dict[str, Any]:
    """The complete, valid master data (MASTER_FIELDS) from `values`; DomainError with every field error."""
    check = _checker(values)
    data = _master_data(check, organisation_id=organisation_id, today=today or date.today())
    check.done()
    return data


def _clean_all(values: Mapping[str, Any], *, organisation_id: int, languages: Any,
               qualifications: Any) -> tuple[dict[str, Any], list[dict[str, Any]] | None, list[dict[str, Any]] | None]:
    """Master data, languages and qualifications checked together so every error shows at once
    (None for a list that was not sent: it stays as it is)."""
    check = _checker(values)
    data = _master_data(check, organisation_id=organisation_id, today=date.today())
    cleaned_languages = None if languages is None else _languages(check, languages)
    cleaned_qualifications = None if qualifications is None else _qualifications(check, qualifications)
    check.done()
    return data, cleaned_languages, cleaned_qualifications


def find_possible_duplicates(organisation_id: int, date_of_birth: date, first_name: str, last_name: str,
                             *, exclude_id: int | None = None) -> list[int]:
    """Ids of the organisation's participants who may be this person (duplicates.py says who and why)."""
    return [m.id for m in possible_duplicates(organisation_id, date_of_birth, first_name, last_name,
                                              exclude_id=exclude_id)]


def _replace_children(participant: Participant, languages: list[dict[str, Any]] | None,
                      qualifications: list[dict[str, Any]] | None) -> dict[str, list]:
    """Replaces the participant's languages and qualifications (a list that is None stays); the
    changes for the audit entry."""
    changes: dict[str, list] = {}
    if languages is not None:
        old_languages = languages_of(participant.id)
        languages_before: list[dict[str, Any]] = [{"language": r.language, "level": r.level} for r in old_languages]
        if languages_before != languages:
            for language in old_languages:
                db.session.delete(language)
            db.session.flush()
            db.session.add_all(ParticipantLanguage(participant_id=participant.id, **row) for row in languages)
            changes["languages"] = [languages_before or None, languages or None]
    if qualifications is not None:
        old_qualifications = qualifications_of(participant.id)
        before = [{"title": r.title, "country": r.country, "isced": r.isced,
                   "recognition_status": r.recognition_status} for r in old_qualifications]
        if before != qualifications:
            for qualification in old_qualifications:
                db.session.delete(qualification)
            db.session.flush()
            db.session.add_all(ForeignQualification(participant_id=participant.id, **row) for row in qualifications)
            changes["foreign_qualifications"] = [before or None, qualifications or None]
    return changes


def _organisation_id(actor: User) -> int:
    if actor.organisation_id is None:  # require_casework lets only organisations' case workers in
        raise Forbidden(_("Your role does not give access to personal data of participants."))
    return actor.organisation_id


@transactional
def register_participant(data: Mapping[str, Any], *, actor: User) -> Participant:
    """Registers a participant: case number, entry status record, audit entry.

    Raises DomainError (422, every invalid field), Conflict `possible_duplicate` (409, with
    `candidates`) unless `data["confirm_not_duplicate"]` is true, Forbidden for non-casework roles.
    """
    require_casework(actor)
    organisation_id = _organisation_id(actor)
    values = dict(data)
    if values.get("counsellor_id") is None and actor.role == "counsellor":
        values["counsellor_id"] = actor.id
    clean, languages, qualifications = _clean_all(
        values, organisation_id=organisation_id, languages=values.get("languages") or [],
        qualifications=values.get("foreign_qualifications") or [])

    if values.get("confirm_not_duplicate") is not True:
        matches = possible_duplicates(organisation_id, clean["date_of_birth"], clean["first_name"],
                                      clean["last_name"])
        if matches:
            raise Conflict(_("A participant with a similar name and date of birth is registered already. Check "
                             "the candidates, or confirm that this is a different person."),
                           code="possible_duplicate", candidates=[m.id for m in matches],
                           matches=[m.as_json() for m in matches])

    participant = Participant(organisation_id=organisation_id, **clean)
    participant.birth_year = clean["date_of_birth"].year
    participant.age_at_entry = age_on(clean["date_of_birth"], clean["entry_date"])
    participant.duplicate_key = duplicate_key(clean["first_name"], clean["last_name"])
    # Taken last, just before the insert, so the counter row stays locked for the shortest time.
    participant.case_number = next_case_number(date.today().year)
    participant.search_key = search_key(participant.case_number, clean["first_name"], clean["last_name"],
                                        clean.get("phone"), clean.get("email"))
    db.session.add(participant)
    db.session.flush()
    db.session.add(StatusChange(participant_id=participant.id, date=participant.entry_date,
                                status=participant.labour_status_at_entry, source="entry",
                                created_by_id=actor.id))
    _replace_children(participant, languages or [], qualifications or [])
    changes = snapshot(participant, ("case_number",) + MASTER_FIELDS)
    if languages:
        changes["languages"] = [None, languages]
    if qualifications:
        changes["foreign_qualifications"] = [None, qualifications]
    record("participant.create", actor=actor, obj=participant, participant_id=participant.id,
           organisation_id=participant.organisation_id, changes=changes)
    return participant


# Whether a participant's consent to special categories was withdrawn with none live since: the data
# protection domain (above this one) registers that question at start-up. A withdrawn consent cannot
# be bypassed by typing a consent date into the master data again.
_SPECIAL_CONSENT_WITHDRAWN: list[Callable[[int], bool]] = []


def special_consent_withdrawn_source(func: Callable[[int], bool]) -> Callable[[int], bool]:
    if func not in _SPECIAL_CONSENT_WITHDRAWN:
        _SPECIAL_CONSENT_WITHDRAWN.append(func)
    return func


def _refuse_special_categories_after_withdrawal(participant: Participant, clean: Mapping[str, Any]) -> None:
    named = [n for n in ("disability", "minority") if clean.get(n) == "yes"]
    if not named or not any(withdrawn(participant.id) for withdrawn in _SPECIAL_CONSENT_WITHDRAWN):
        return
    check = Checker({})
    for name in named:
        check.add(name, _("The consent to special categories was withdrawn. Record a new consent under data "
                          "protection before recording this again."))
    check.done()


@transactional
def update_participant(participant: Participant, data: Mapping[str, Any], *, version: Any,
                       actor: User) -> Participant:
    """Changes master data: the fields present in `data` (others stay). The `version` sent must be
    the current one (Conflict `stale_version` otherwise, nothing written). Nothing to change:
    nothing is written (no audit entry, the version stays)."""
    require_casework(actor)
    _lock(participant)
    check_version(participant, version)
    values = {name: getattr(participant, name) for name in MASTER_FIELDS}
    values.update({k: v for k, v in data.items() if k in MASTER_FIELDS})
    clean, languages, qualifications = _clean_all(
        values, organisation_id=participant.organisation_id,
        languages=(data["languages"] or []) if "languages" in data else None,
        qualifications=(data["foreign_qualifications"] or []) if "foreign_qualifications" in data else None)
    _refuse_special_categories_after_withdrawal(participant, clean)

    entry_before = (participant.entry_date, participant.labour_status_at_entry)
    # The lists first: replacing them flushes, and a flush after the participant's own changes would
    # write its row twice (two UPDATEs: the version raised by two). From here on, every change to
    # the row is made before the next query's autoflush, so it is one UPDATE.
    children = _replace_children(participant, languages, qualifications)
    changes = {**apply_changes(participant, clean), **children}
    if not changes:
        # nothing is written: the derived keys below would be, even when equal (search_key is
        # loaded deferred), and raise the version for nothing
        return participant
    changes["version"] = [participant.version, participant.version + 1]
    born, entered = clean["date_of_birth"], clean["entry_date"]
    participant.birth_year = born.year
    participant.age_at_entry = age_on(born, entered)
    participant.duplicate_key = duplicate_key(clean["first_name"], clean["last_name"])
    participant.search_key = search_key(participant.case_number, clean["first_name"], clean["last_name"],
                                        clean.get("phone"), clean.get("email"))
    participant.updated_at = utcnow()
    if entry_before != (participant.entry_date, participant.labour_status_at_entry):
        entry_record = db.session.scalar(sa.select(StatusChange).where(
            StatusChange.participant_id == participant.id, StatusChange.source == "entry"))
        if entry_record is not None:
            entry_record.date, entry_record.status = participant.entry_date, participant.labour_status_at_entry
    record_changes("participant.update", changes, actor=actor, obj=participant, participant_id=participant.id,
                   organisation_id=participant.organisation_id)
    return participant


def changes_since(participant: Participant, version: int) -> list[dict[str, Any]]:
    """What others changed after `version`: [{"at", "actor", "fields": {name: [old, new]}}], oldest first."""
    from caseflow.audit.models import AuditEntry
    rows = db.session.execute(
        sa.select(AuditEntry, User.name).outerjoin(User, User.id == AuditEntry.actor_id)
        .where(AuditEntry.participant_id == participant.id,
               AuditEntry.action.in_(("participant.update", "participant.reassign")))
        .order_by(AuditEntry.id)).all()
    result = []
    for entry, name in rows:
        changes = dict(entry.changes or {})
        before = (changes.pop("version", None) or [None])[0]
        if before is not None and before >= version:
            result.append({"at": entry.at, "actor": name, "fields": changes})
    return result


@transactional
def reassign_participant(participant: Participant, *, counsellor_id: int | None, actor: User,
                         version: Any = None) -> Participant:
    """A team lead hands a case to another counsellor of the organisation."""
    if actor.role != "team_lead":
        raise Forbidden(_("Only team leads reassign participants."))
    _lock(participant)
    if version is not None:
        check_version(participant, version)
    check = _checker({"counsellor_id": counsellor_id})
    check.require(counsellor_id is not None, "counsellor_id", _("Choose an active counsellor of your organisation."))
    _colleague_id(check, "counsellor_id", participant.organisation_id)
    check.done()
    if counsellor_id != participant.counsellor_id:
        changes = {"counsellor_id": [participant.counsellor_id, counsellor_id],
                   "version": [participant.version, participant.version + 1]}
        participant.counsellor_id = counsellor_id
        participant.updated_at = utcnow()
        record("participant.reassign", actor=actor, obj=participant, participant_id=participant.id,
               organisation_id=participant.organisation_id, changes=changes)
    return participant


@transactional
def record_case_view(participant: Participant, *, actor: User) -> None:
    """The access log: who opened which case file, when."""
    record_access("case.view", actor=actor, obj=participant, participant_id=participant.id,
                  organisation_id=participant.organisation_id)


# --- labour-market status history ---------------------------------------------------------------

@transactional
def add_status_change(participant: Participant, *, date_: date | None, status: str | None,
                      actor: User) -> StatusChange:
    """Adds a dated labour-market status. Not before the entry date (the entry status is the first
    record); dates after an exit are fine (results are measured after leaving)."""
    require_casework(actor)
    _lock(participant)
    check = _checker({"date": date_, "status": status})
    day = check.date("date", required=True, not_before=participant.entry_date,
                     not_after=date.today() + timedelta(days=366),
                     before_message=_("A status change cannot be dated before the entry date (%(date)s).",
                                      date=format_day(participant.entry_date)),
                     after_message=_("Check the date."))
    status = check.choice("status", LABOUR_STATUSES, required=True)
    check.done()
    return _add_to_case(participant, StatusChange(participant_id=participant.id, date=day, status=status,
                                                  source="manual", created_by_id=actor.id),
                        "status_change.create", ("date", "status"), actor=actor)


# --- progress notes ------------------------------------------------------------------------------

def _clean_note(values: Mapping[str, Any], participant_id: int | None = None) -> dict[str, Any]:
    """The note's values, judged; `enrolment_id` must be one of the participant's enrolments (the
    import, which has no participant yet, sends none)."""
    check = _checker(values)
    day = check.date("date", required=True, not_after=date.today(),
                     after_message=_("A note records a contact that has happened: the date cannot be in the future."))
    kind = check.choice("kind", NOTE_KINDS, required=True)
    text = check.text("text", required=True, max_length=TEXT_LIMITS["note_text"])
    minutes = check.integer("minutes")
    check.require(minutes is None or 0 <= minutes <= NOTE_MAX_MINUTES, "minutes",
                  _("Enter the duration in minutes (0 to 1440)."))
    enrolment_id = check.integer("enrolment_id")
    if enrolment_id is not None and check.ok("enrolment_id"):
        check.require(participant_id is not None and enrolment_id in dict(note_enrolment_choices(participant_id)),
                      "enrolment_id",
                      _("Choose one of this participant's enrolments."))
    check.done()
    return {"date": day, "kind": kind, "text": (text or "").replace("\r\n", "\n"), "minutes": minutes,
            "enrolment_id": enrolment_id}


@transactional
def add_note(participant: Participant, data: Mapping[str, Any], *, actor: User) -> Note:
    require_casework(actor)
    _lock(participant)
    clean = _clean_note(data, participant.id)
    return _add_to_case(participant, Note(participant_id=participant.id, author_id=actor.id, **clean),
                        "note.create", ("date", "kind", "minutes", "enrolment_id", "text"), actor=actor)


def _lock_owner(obj: Note | Goal | Task) -> None:
    if obj.participant_id is not None:
        lock_rows(Participant, [obj.participant_id])


@transactional
def correct_note(note: Note, data: Mapping[str, Any], *, version: Any, actor: User) -> Note:
    """Corrects a note; the earlier text is kept as a NoteRevision."""
    require_casework(actor)
    _lock_owner(note)
    check_version(note, version)
    clean = _clean_note({"date": note.date, "kind": note.kind, "minutes": note.minutes, "text": note.text,
                         "enrolment_id": note.enrolment_id, **data}, note.participant_id)
    earlier_text = note.text
    changes = apply_changes(note, clean)
    if "text" in changes:
        db.session.add(NoteRevision(note_id=note.id, text=earlier_text, replaced_by_id=actor.id))
    record_changes("note.update", changes, actor=actor, obj=note, participant_id=note.participant_id)
    return note


# --- integration plan ----------------------------------------------------------------------------

def _clean_goal(values: Mapping[str, Any]) -> dict[str, Any]:
    check = _checker({**values, "status": values.get("status") or "open"})
    clean = {"title": check.text("title", required=True, max_length=TEXT_LIMITS["goal_title"]),
             "target_date": check.date("target_date"),
             "status": check.choice("status", GOAL_STATUSES, required=True),
             "next_steps": check.text("next_steps", max_length=TEXT_LIMITS["next_steps"])}
    check.done()
    return clean


@transactional
def add_goal(participant: Participant, data: Mapping[str, Any], *, actor: User) -> Goal:
    require_casework(actor)
    _lock(participant)
    return _add_to_case(participant, Goal(participant_id=participant.id, **_clean_goal(data)),
                        "goal.create", ("title", "target_date", "status", "next_steps"), actor=actor)


@transactional
def update_goal(goal: Goal, data: Mapping[str, Any], *, version: Any, actor: User) -> Goal:
    require_casework(actor)
    _lock_owner(goal)
    check_version(goal, version)
    current = {"title": goal.title, "target_date": goal.target_date, "status": goal.status,
               "next_steps": goal.next_steps}
    clean = _clean_goal({**current, **data})
    record_changes("goal.update", apply_changes(goal, clean), actor=actor, obj=goal, participant_id=goal.participant_id)
    return goal


# --- tasks ---------------------------------------------------------------------------------------

@transactional
def add_task(participant: Participant, data: Mapping[str, Any], *, actor: User) -> Task:
    """A task about the participant, assigned to a case worker of the organisation (default: the actor)."""
    require_casework(actor)
    _lock(participant)
    check = _checker({**data, "assignee_id": data.get("assignee_id") or actor.id})
    title = check.text("title", required=True, max_length=TEXT_LIMITS["task_title"])
    due = check.date("due_date", required=True)
    assignee_id = _colleague_id(check, "assignee_id", participant.organisation_id)
    check.done()
    return _add_to_case(participant, Task(organisation_id=participant.organisation_id, participant_id=participant.id,
                                          title=title, due_date=due, assignee_id=assignee_id, kind="manual"),
                        "task.create", ("title", "due_date", "assignee_id"), actor=actor)


# Completing, reopening, rescheduling and handing on a task: caseflow/participants/tasks.py.
