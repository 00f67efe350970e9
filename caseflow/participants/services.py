"""The case file's verbs: registering and editing participants, their status history, progress
notes, integration plan (goals), tasks and reassignment.

Every function is one unit of work: it validates against the rules of interfaces.md, writes, adds the
audit entry to the same transaction and commits once. Rule violations raise DomainError (422 with
`fields`), Conflict (409: stale version, possible duplicate) or Forbidden (403). Values arrive
already typed (dates as `date`, numbers as `int`); the API and the forms convert them.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from caseflow.accounts.models import User
from caseflow.audit.services import diff, record, snapshot
from caseflow.errors import Conflict, DomainError, FieldErrors, Forbidden
from caseflow.extensions import db
from caseflow.i18n import valid_country_codes, valid_language_codes
from caseflow.models_base import utcnow
from caseflow.participants.access import require_casework
from caseflow.participants.case_numbers import next_case_number
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
from caseflow.participants.names import duplicate_key, search_key, similar_names
from caseflow.participants.queries import languages_of, qualifications_of
from caseflow.vocabulary import CASEWORK_ROLES, GENDERS, GERMAN_LEVELS, LABOUR_STATUSES, NOTE_KINDS, RESIDENCE_STATUSES

BERLIN_DISTRICTS = (
    "Charlottenburg-Wilmersdorf", "Friedrichshain-Kreuzberg", "Lichtenberg", "Marzahn-Hellersdorf",
    "Mitte", "Neukölln", "Pankow", "Reinickendorf", "Spandau", "Steglitz-Zehlendorf",
    "Tempelhof-Schöneberg", "Treptow-Köpenick",
)
RECOGNITION_STATUSES = ("not_applied", "pending", "full", "partial", "none")
GOAL_STATUSES = ("open", "achieved", "dropped")

# Master-data fields a registration or an edit may set (nothing else is taken from the input).
MASTER_FIELDS = (
    "first_name", "last_name", "date_of_birth", "gender", "nationality", "country_of_birth",
    "residence_status", "work_permission", "arrival_year", "preferred_language",
    "foreign_background", "disability", "minority", "homeless", "special_categories_consent_date",
    "entry_date", "labour_status_at_entry", "unemployed_since", "education_isced", "german_level",
    "counsellor_id", "phone", "email", "street", "postcode", "city", "district",
)
BOOLEAN_FIELDS = ("foreign_background", "disability", "minority", "homeless")
SPECIAL_CATEGORY_FIELDS = ("disability", "minority", "special_categories_consent_date")
TEXT_LIMITS = {"first_name": 100, "last_name": 100, "phone": 40, "email": 254, "street": 200,
               "postcode": 10, "city": 100}


def age_on(born: date, on: date) -> int:
    """Completed years on `on` (on the 18th birthday the person is 18)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


class _Errors(FieldErrors):
    """Every field error at once, under the case file's summary message."""

    def raise_if_any(self, message: str | None = None) -> None:
        super().raise_if_any(message or _("Please correct the marked fields."))


def _clean_text(value: Any) -> str | None:
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def _colleague(organisation_id: int, user_id: int | None) -> User | None:
    if user_id is None:
        return None
    return db.session.scalar(sa.select(User).where(
        User.id == user_id, User.organisation_id == organisation_id, User.active,
        User.role.in_(CASEWORK_ROLES)))


def _commit() -> None:
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise Conflict(_("Someone else saved this record in the meantime. Nothing was changed."),
                       code="stale_version") from None


def _check_version(obj: Any, version: Any) -> None:
    if not isinstance(version, int) or isinstance(version, bool):
        raise DomainError.field("version", _("Send the version you read."))
    if obj.version != version:
        raise Conflict(_("Someone else saved this record in the meantime. Nothing was changed."),
                       code="stale_version", current_version=obj.version)


def _add_to_case(participant: Participant, obj: Any, action: str, fields: tuple[str, ...], *, actor: User):
    """Adds a status change, note, goal or task of `participant` with its audit entry (the values of
    `fields`) and commits."""
    db.session.add(obj)
    record(action, actor=actor, obj=obj, participant_id=participant.id,
           organisation_id=participant.organisation_id, changes=snapshot(obj, fields))
    db.session.commit()
    return obj


# --- master data ---------------------------------------------------------------------------------

def clean_master_data(values: Mapping[str, Any], *, organisation_id: int, today: date | None = None) -> dict[str, Any]:
    """The complete, valid master data (MASTER_FIELDS) from `values`; DomainError with every field error."""
    today = today or date.today()
    errors = _Errors()
    data: dict[str, Any] = {}
    for name in MASTER_FIELDS:
        value = values.get(name)
        if isinstance(value, str):
            value = _clean_text(value)
        data[name] = value

    for name in ("first_name", "last_name"):
        if not data[name]:
            errors.add(name, _("This field is required."))
        elif len(data[name]) > 100:
            errors.add(name, _("Use at most %(max)s characters.", max=100))
    for name, limit in TEXT_LIMITS.items():
        if name not in ("first_name", "last_name") and data[name] and len(data[name]) > limit:
            errors.add(name, _("Use at most %(max)s characters.", max=limit))

    dob, entry = data["date_of_birth"], data["entry_date"]
    if dob is None:
        errors.add("date_of_birth", _("This field is required."))
    elif dob > today:
        errors.add("date_of_birth", _("The date of birth cannot be in the future."))
    elif dob.year < 1900:
        errors.add("date_of_birth", _("Check the year of birth."))
    if entry is None:
        errors.add("entry_date", _("This field is required."))
    elif entry.year < 2000:
        errors.add("entry_date", _("Check the entry date."))
    if dob and entry and "date_of_birth" not in errors and dob >= entry:
        errors.add("date_of_birth", _("The date of birth must be before the entry date."))

    if data["gender"] is None:
        errors.add("gender", _("This field is required."))
    elif data["gender"] not in GENDERS:
        errors.add("gender", _("Choose one of the listed values."))

    countries = valid_country_codes()
    if data["nationality"] is None:
        errors.add("nationality", _("This field is required."))
    elif data["nationality"] != "stateless" and data["nationality"] not in countries:
        errors.add("nationality", _("Use an ISO 3166-1 alpha-2 country code or 'stateless'."))
    if data["country_of_birth"] is not None and data["country_of_birth"] not in countries:
        errors.add("country_of_birth", _("Use an ISO 3166-1 alpha-2 country code."))
    if data["residence_status"] is not None and data["residence_status"] not in RESIDENCE_STATUSES:
        errors.add("residence_status", _("Choose one of the listed values."))
    if data["preferred_language"] is not None and data["preferred_language"] not in valid_language_codes():
        errors.add("preferred_language", _("Use an ISO 639-1 language code."))
    if data["district"] is not None and data["district"] not in BERLIN_DISTRICTS:
        errors.add("district", _("Choose one of the Berlin boroughs."))

    arrival = data["arrival_year"]
    if arrival is not None:
        if not isinstance(arrival, int) or isinstance(arrival, bool) or not 1900 <= arrival <= today.year:
            errors.add("arrival_year", _("Enter a year between %(first)s and %(last)s.", first=1900, last=today.year))
        elif dob and arrival < dob.year:
            errors.add("arrival_year", _("The year of arrival cannot be before the year of birth."))

    for name in BOOLEAN_FIELDS:
        if data[name] is None:
            data[name] = False
        elif not isinstance(data[name], bool):
            errors.add(name, _("Use true or false."))
    if data["work_permission"] is not None and not isinstance(data["work_permission"], bool):
        errors.add("work_permission", _("Use true, false or null."))

    consent = data["special_categories_consent_date"]
    if consent is not None and consent > today:
        errors.add("special_categories_consent_date", _("The consent date cannot be in the future."))
    for name in ("disability", "minority"):
        if data[name] is True and consent is None:
            errors.add(name, _("Record this only with the date of the participant's explicit consent."))

    status = data["labour_status_at_entry"]
    since = data["unemployed_since"]
    if status is None:
        errors.add("labour_status_at_entry", _("This field is required."))
    elif status not in LABOUR_STATUSES:
        errors.add("labour_status_at_entry", _("Choose one of the listed values."))
    elif status == "unemployed":
        if since is None:
            errors.add("unemployed_since", _("Enter since when the person has been unemployed."))
        elif entry and since > entry:
            errors.add("unemployed_since", _("Unemployment cannot start after the entry date."))
        elif dob and since < dob:
            errors.add("unemployed_since", _("Unemployment cannot start before the date of birth."))
    elif since is not None:
        errors.add("unemployed_since", _("Leave this empty unless the person was unemployed at entry."))

    isced = data["education_isced"]
    if isced is not None and (not isinstance(isced, int) or isinstance(isced, bool) or not 0 <= isced <= 8):
        errors.add("education_isced", _("Use an ISCED level from 0 to 8."))
    if data["german_level"] is not None and data["german_level"] not in GERMAN_LEVELS:
        errors.add("german_level", _("Use a CEFR level from A1 to C2."))

    if data["email"] and "email" not in errors:
        try:
            data["email"] = validate_email(data["email"], check_deliverability=False).normalized
        except EmailNotValidError:
            errors.add("email", _("Enter a valid email address."))

    counsellor_id = data["counsellor_id"]
    if counsellor_id is not None and (not isinstance(counsellor_id, int) or isinstance(counsellor_id, bool) \
                or _colleague(organisation_id, counsellor_id) is None):
        errors.add("counsellor_id", _("Choose an active counsellor of your organisation."))
    errors.raise_if_any()
    return data


def clean_languages(rows: Any) -> list[dict[str, Any]]:
    errors = _Errors()
    if not isinstance(rows, list):
        errors.add("languages", _("Send a list."))
        errors.raise_if_any()
    valid = valid_language_codes()
    cleaned, seen = [], set()
    for row in rows:
        if not isinstance(row, Mapping):
            errors.add("languages", _("Send a list of objects."))
            continue
        code = _clean_text(row.get("language"))
        level = _clean_text(row.get("level"))
        if code is None and level is None:
            continue
        if code not in valid:
            errors.add("languages", _("Use an ISO 639-1 language code."))
        elif code in seen:
            errors.add("languages", _("Each language only once."))
        elif level and len(level) > 20:
            errors.add("languages", _("Use at most %(max)s characters.", max=20))
        else:
            seen.add(code)
            cleaned.append({"language": code, "level": level})
    errors.raise_if_any()
    return cleaned


def clean_qualifications(rows: Any) -> list[dict[str, Any]]:
    errors = _Errors()
    if not isinstance(rows, list):
        errors.add("foreign_qualifications", _("Send a list."))
        errors.raise_if_any()
    countries = valid_country_codes()
    cleaned = []
    for row in rows:
        if not isinstance(row, Mapping):
            errors.add("foreign_qualifications", _("Send a list of objects."))
            continue
        title = _clean_text(row.get("title"))
        country = _clean_text(row.get("country"))
        isced = row.get("isced")
        status = _clean_text(row.get("recognition_status")) or "not_applied"
        if title is None and country is None and isced in (None, ""):
            continue
        if not title or len(title) > 200:
            errors.add("foreign_qualifications", _("Each qualification needs a title of 1 to 200 characters."))
        elif country is not None and country not in countries:
            errors.add("foreign_qualifications", _("Use an ISO 3166-1 alpha-2 country code."))
        elif isced not in (None, "") and (not isinstance(isced, int) or isinstance(isced, bool) or not 0 <= isced <= 8):
            errors.add("foreign_qualifications", _("Use an ISCED level from 0 to 8."))
        elif status not in RECOGNITION_STATUSES:
            errors.add("foreign_qualifications", _("Choose one of the listed values."))
        else:
            cleaned.append({"title": title, "country": country,
                            "isced": None if isced in (None, "") else isced, "recognition_status": status})
    errors.raise_if_any()
    return cleaned


def find_possible_duplicates(organisation_id: int, date_of_birth: date, first_name: str, last_name: str,
                             *, exclude_id: int | None = None) -> list[int]:
    """Ids of the organisation's participants born the same day with a similar name."""
    key = duplicate_key(first_name, last_name)
    stmt = sa.select(Participant.id, Participant.duplicate_key).where(
        Participant.organisation_id == organisation_id, Participant.date_of_birth == date_of_birth,
        Participant.anonymised_at.is_(None)).order_by(Participant.id)
    if exclude_id is not None:
        stmt = stmt.where(Participant.id != exclude_id)
    return [pid for pid, other in db.session.execute(stmt) if similar_names(key, other)]


def _replace_children(participant: Participant, languages, qualifications) -> dict[str, list]:
    changes: dict[str, list] = {}
    if languages is not None:
        old = languages_of(participant.id)
        before = [{"language": r.language, "level": r.level} for r in old]
        if before != languages:
            for row in old:
                db.session.delete(row)
            db.session.flush()
            db.session.add_all(ParticipantLanguage(participant_id=participant.id, **row) for row in languages)
            changes["languages"] = [before or None, languages or None]
    if qualifications is not None:
        old = qualifications_of(participant.id)
        before = [{"title": r.title, "country": r.country, "isced": r.isced,
                   "recognition_status": r.recognition_status} for r in old]
        if before != qualifications:
            for row in old:
                db.session.delete(row)
            db.session.flush()
            db.session.add_all(ForeignQualification(participant_id=participant.id, **row) for row in qualifications)
            changes["foreign_qualifications"] = [before or None, qualifications or None]
    return changes


def _clean_all(values: Mapping[str, Any], *, organisation_id: int, languages: Any, qualifications: Any):
    """Master data, languages and qualifications checked together so every error shows at once."""
    errors = _Errors()
    results: list[Any] = []
    for check, arg in ((lambda v: clean_master_data(v, organisation_id=organisation_id), values),
                       (clean_languages, languages), (clean_qualifications, qualifications)):
        if arg is None:
            results.append(None)
            continue
        try:
            results.append(check(arg))
        except DomainError as exc:
            for name, messages in exc.fields.items():
                for message in messages:
                    errors.add(name, message)
            results.append(None)
    errors.raise_if_any()
    return results


def register_participant(data: Mapping[str, Any], *, actor: User) -> Participant:
    """Registers a participant: case number, entry status record, audit entry.

    Raises DomainError (422, every invalid field), Conflict `possible_duplicate` (409, with
    `candidates`) unless `data["confirm_not_duplicate"]` is true, Forbidden for non-casework roles.
    """
    require_casework(actor)
    values = dict(data)
    if values.get("counsellor_id") is None and actor.role == "counsellor":
        values["counsellor_id"] = actor.id
    clean, languages, qualifications = _clean_all(
        values, organisation_id=actor.organisation_id, languages=values.get("languages") or [],
        qualifications=values.get("foreign_qualifications") or [])

    if values.get("confirm_not_duplicate") is not True:
        candidates = find_possible_duplicates(actor.organisation_id, clean["date_of_birth"],
                                              clean["first_name"], clean["last_name"])
        if candidates:
            raise Conflict(_("A participant with the same date of birth and a similar name is registered "
                             "already. Check the candidates, or confirm that this is a different person."),
                           code="possible_duplicate", candidates=candidates)

    participant = Participant(organisation_id=actor.organisation_id, **clean)
    participant.birth_year = clean["date_of_birth"].year
    participant.age_at_entry = age_on(clean["date_of_birth"], clean["entry_date"])
    participant.duplicate_key = duplicate_key(clean["first_name"], clean["last_name"])
    # Taken last, just before the insert, so the counter row stays locked for the shortest time.
    participant.case_number = next_case_number(date.today().year)
    participant.search_key = search_key(participant.case_number, clean["first_name"], clean["last_name"])
    db.session.add(participant)
    db.session.flush()
    db.session.add(StatusChange(participant_id=participant.id, date=participant.entry_date,
                                status=participant.labour_status_at_entry, source="entry",
                                created_by_id=actor.id))
    _replace_children(participant, languages, qualifications)
    changes = snapshot(participant, ("case_number",) + MASTER_FIELDS)
    if languages:
        changes["languages"] = [None, languages]
    if qualifications:
        changes["foreign_qualifications"] = [None, qualifications]
    record("participant.create", actor=actor, obj=participant, participant_id=participant.id,
           organisation_id=participant.organisation_id, changes=changes)
    db.session.commit()
    return participant


def update_participant(participant: Participant, data: Mapping[str, Any], *, version: Any,
                       actor: User) -> Participant:
    """Changes master data: the fields present in `data` (others stay). The `version` sent must be
    the current one (Conflict `stale_version` otherwise, nothing written)."""
    require_casework(actor)
    _check_version(participant, version)
    values = {name: getattr(participant, name) for name in MASTER_FIELDS}
    values.update({k: v for k, v in data.items() if k in MASTER_FIELDS})
    clean, languages, qualifications = _clean_all(
        values, organisation_id=participant.organisation_id,
        languages=(data["languages"] or []) if "languages" in data else None,
        qualifications=(data["foreign_qualifications"] or []) if "foreign_qualifications" in data else None)

    changes = diff(participant, clean)
    entry_before = (participant.entry_date, participant.labour_status_at_entry)
    for name, value in clean.items():
        setattr(participant, name, value)
    participant.birth_year = participant.date_of_birth.year
    participant.age_at_entry = age_on(participant.date_of_birth, participant.entry_date)
    participant.duplicate_key = duplicate_key(participant.first_name, participant.last_name)
    participant.search_key = search_key(participant.case_number, participant.first_name, participant.last_name)
    if entry_before != (participant.entry_date, participant.labour_status_at_entry):
        entry_record = db.session.scalar(sa.select(StatusChange).where(
            StatusChange.participant_id == participant.id, StatusChange.source == "entry"))
        if entry_record is not None:
            entry_record.date, entry_record.status = participant.entry_date, participant.labour_status_at_entry
    changes.update(_replace_children(participant, languages, qualifications))
    if changes:
        participant.updated_at = utcnow()
        changes["version"] = [participant.version, participant.version + 1]
        record("participant.update", actor=actor, obj=participant, participant_id=participant.id,
               organisation_id=participant.organisation_id, changes=changes)
    _commit()
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


def reassign_participant(participant: Participant, *, counsellor_id: int, actor: User,
                         version: Any = None) -> Participant:
    """A team lead hands a case to another counsellor of the organisation."""
    if actor.role != "team_lead":
        raise Forbidden(_("Only team leads reassign participants."))
    if version is not None:
        _check_version(participant, version)
    colleague = _colleague(participant.organisation_id, counsellor_id)
    if colleague is None:
        raise DomainError.field("counsellor_id", _("Choose an active counsellor of your organisation."))
    if colleague.id != participant.counsellor_id:
        changes = {"counsellor_id": [participant.counsellor_id, colleague.id],
                   "version": [participant.version, participant.version + 1]}
        participant.counsellor_id = colleague.id
        participant.updated_at = utcnow()
        record("participant.reassign", actor=actor, obj=participant, participant_id=participant.id,
               organisation_id=participant.organisation_id, changes=changes)
        _commit()
    return participant


def record_case_view(participant: Participant, *, actor: User) -> None:
    """The access log: who opened which case file, when."""
    record("case.view", actor=actor, obj=participant, participant_id=participant.id,
           organisation_id=participant.organisation_id)
    db.session.commit()


# --- labour-market status history ---------------------------------------------------------------

def add_status_change(participant: Participant, *, date_: date | None, status: str | None,
                      actor: User) -> StatusChange:
    """Adds a dated labour-market status. Not before the entry date (the entry status is the first
    record); dates after an exit are fine (results are measured after leaving)."""
    require_casework(actor)
    errors = _Errors()
    if date_ is None:
        errors.add("date", _("This field is required."))
    elif date_ < participant.entry_date:
        errors.add("date", _("A status change cannot be dated before the entry date (%(date)s).",
                             date=participant.entry_date.isoformat()))
    elif date_ > date.today() + timedelta(days=366):
        errors.add("date", _("Check the date."))
    if status is None:
        errors.add("status", _("This field is required."))
    elif status not in LABOUR_STATUSES:
        errors.add("status", _("Choose one of the listed values."))
    errors.raise_if_any()
    return _add_to_case(participant, StatusChange(participant_id=participant.id, date=date_, status=status,
                                                  source="manual", created_by_id=actor.id),
                        "status_change.create", ("date", "status"), actor=actor)


# --- progress notes ------------------------------------------------------------------------------

def _clean_note(data: Mapping[str, Any]) -> dict[str, Any]:
    errors = _Errors()
    note_date, kind, text, minutes = data.get("date"), data.get("kind"), _clean_text(data.get("text")), data.get("minutes")
    if note_date is None:
        errors.add("date", _("This field is required."))
    elif note_date > date.today():
        errors.add("date", _("A note records a contact that has happened: the date cannot be in the future."))
    if kind is None:
        errors.add("kind", _("This field is required."))
    elif kind not in NOTE_KINDS:
        errors.add("kind", _("Choose one of the listed values."))
    if not text:
        errors.add("text", _("This field is required."))
    elif len(text) > 20000:
        errors.add("text", _("Use at most %(max)s characters.", max=20000))
    if minutes is not None and (not isinstance(minutes, int) or isinstance(minutes, bool) or not 0 <= minutes <= 1440):
        errors.add("minutes", _("Enter the duration in minutes (0 to 1440)."))
    errors.raise_if_any()
    return {"date": note_date, "kind": kind, "text": text.replace("\r\n", "\n"), "minutes": minutes}


def add_note(participant: Participant, data: Mapping[str, Any], *, actor: User) -> Note:
    require_casework(actor)
    clean = _clean_note(data)
    return _add_to_case(participant, Note(participant_id=participant.id, author_id=actor.id, **clean),
                        "note.create", ("date", "kind", "minutes", "text"), actor=actor)


def correct_note(note: Note, data: Mapping[str, Any], *, version: Any, actor: User) -> Note:
    """Corrects a note; the earlier text is kept as a NoteRevision."""
    require_casework(actor)
    _check_version(note, version)
    clean = _clean_note({"date": note.date, "kind": note.kind, "minutes": note.minutes, "text": note.text, **data})
    changes = diff(note, clean)
    if changes:
        if "text" in changes:
            db.session.add(NoteRevision(note_id=note.id, text=note.text, replaced_by_id=actor.id))
        for name, value in clean.items():
            setattr(note, name, value)
        record("note.update", actor=actor, obj=note, participant_id=note.participant_id, changes=changes)
    _commit()
    return note


# --- integration plan ----------------------------------------------------------------------------

def _clean_goal(data: Mapping[str, Any]) -> dict[str, Any]:
    errors = _Errors()
    title = _clean_text(data.get("title"))
    status = data.get("status") or "open"
    next_steps = _clean_text(data.get("next_steps"))
    if not title:
        errors.add("title", _("This field is required."))
    elif len(title) > 300:
        errors.add("title", _("Use at most %(max)s characters.", max=300))
    if status not in GOAL_STATUSES:
        errors.add("status", _("Choose one of the listed values."))
    if next_steps and len(next_steps) > 5000:
        errors.add("next_steps", _("Use at most %(max)s characters.", max=5000))
    errors.raise_if_any()
    return {"title": title, "target_date": data.get("target_date"), "status": status, "next_steps": next_steps}


def add_goal(participant: Participant, data: Mapping[str, Any], *, actor: User) -> Goal:
    require_casework(actor)
    return _add_to_case(participant, Goal(participant_id=participant.id, **_clean_goal(data)),
                        "goal.create", ("title", "target_date", "status", "next_steps"), actor=actor)


def update_goal(goal: Goal, data: Mapping[str, Any], *, version: Any, actor: User) -> Goal:
    require_casework(actor)
    _check_version(goal, version)
    current = {"title": goal.title, "target_date": goal.target_date, "status": goal.status,
               "next_steps": goal.next_steps}
    clean = _clean_goal({**current, **data})
    changes = diff(goal, clean)
    if changes:
        for name, value in clean.items():
            setattr(goal, name, value)
        record("goal.update", actor=actor, obj=goal, participant_id=goal.participant_id, changes=changes)
    _commit()
    return goal


# --- tasks ---------------------------------------------------------------------------------------

def add_task(participant: Participant, data: Mapping[str, Any], *, actor: User) -> Task:
    require_casework(actor)
    errors = _Errors()
    title = _clean_text(data.get("title"))
    due = data.get("due_date")
    assignee_id = data.get("assignee_id") or actor.id
    if not title:
        errors.add("title", _("This field is required."))
    elif len(title) > 300:
        errors.add("title", _("Use at most %(max)s characters.", max=300))
    if due is None:
        errors.add("due_date", _("This field is required."))
    if _colleague(participant.organisation_id, assignee_id) is None:
        errors.add("assignee_id", _("Choose an active counsellor of your organisation."))
    errors.raise_if_any()
    return _add_to_case(participant, Task(organisation_id=participant.organisation_id, participant_id=participant.id,
                                          title=title, due_date=due, assignee_id=assignee_id, kind="manual"),
                        "task.create", ("title", "due_date", "assignee_id"), actor=actor)


def complete_task(task: Task, *, version: Any, actor: User) -> Task:
    require_casework(actor)
    _check_version(task, version)
    if task.done_at is not None:
        raise Conflict(_("This task is done already."), code="already_done")
    task.done_at = utcnow()
    record("task.complete", actor=actor, obj=task, participant_id=task.participant_id,
           changes={"done_at": [None, task.done_at.isoformat()]})
    _commit()
    return task

