"""Outcomes: placements, exits and re-entries, certificates and follow-ups.

Every function is one unit of work: it takes a participant already loaded through
`caseflow.participants.access.get_participant_for` (or an object loaded through `access.py` of this
domain), validates the business rules, writes the change and its audit entry, and commits once.
Rule violations raise `DomainError` (422 with field messages) or `Conflict` (409).

Status history rules (docs/esf-indicators.md):
- a placement adds the status of `PLACEMENT_STATUS[type]` on its start date (internship: nothing);
- ending a placement adds the status that follows on the DAY AFTER the end date: the end date is the
  last working day, so the status on the end date is still the placement's;
- a follow-up with a known status adds that status on its date (source `follow_up`); a person who
  could not be reached is recorded as `unknown` and adds nothing, never `unemployed`.
"""
from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from caseflow.audit.services import diff, record, snapshot
from caseflow.errors import Conflict, DomainError, FieldErrors
from caseflow.extensions import db
from caseflow.measures.models import Employer, Enrolment
from caseflow.measures.services import close_for_exit, exit_closings
from caseflow.models_base import utcnow
from caseflow.participants.models import Participant, StatusChange, Task
from caseflow.placements.models import Certificate, Exit, FollowUp, Placement, ReEntry
from caseflow.vocabulary import (
    EXIT_REASONS,
    FOLLOW_UP_STATUSES,
    LABOUR_STATUSES,
    PLACEMENT_STATUS,
    PLACEMENT_TYPES,
    UNFINISHED_ENROLMENT_STATUSES,
)

EVIDENCE_KINDS = ("self_reported", "employer_confirmed", "contract_seen")
IMPROVEMENT_KINDS = ("stable_contract", "full_time", "higher_skills", "promotion")
FOLLOW_UP_KINDS = ("four_weeks", "six_months")
ENROLMENT_CLOSING_STATUSES = ("completed", "dropped_out", "cancelled")
# Which task a follow-up of each kind completes.
TASK_KIND_FOR_FOLLOW_UP = {"four_weeks": "four_week_check", "six_months": "six_month_follow_up"}
FOUR_WEEKS = timedelta(days=28)

PLACEMENT_FIELDS = ("type", "employer_id", "employer_name", "job_title", "occupation", "start_date",
                    "end_date", "weekly_hours", "permanent", "country", "matches_qualification",
                    "enrolment_id", "evidence")


def add_months(day: date, months: int) -> date:
    """`day` plus whole calendar months; the last day of the month where the day does not exist
    (2024-08-31 plus 6 months is 2025-02-28)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _today() -> date:
    return date.today()


def _check_version(obj: Any, version: Any) -> None:
    try:
        submitted = int(version)
    except (TypeError, ValueError):
        raise DomainError.field("version", _("The version is missing.")) from None
    if submitted != obj.version:
        raise Conflict(_("Someone else changed this placement in the meantime. Reload it and try again."),
                       code="stale_version")


def _participant_enrolment(participant: Participant, enrolment_id: Any, errors: FieldErrors,
                           field: str = "enrolment_id") -> int | None:
    if enrolment_id in (None, ""):
        return None
    try:
        enrolment_id = int(enrolment_id)
    except (TypeError, ValueError):
        errors.add(field, _("Choose one of this participant's enrolments."))
        return None
    found = db.session.scalar(sa.select(Enrolment.id).where(Enrolment.id == enrolment_id,
                                                            Enrolment.participant_id == participant.id))
    if found is None:
        errors.add(field, _("Choose one of this participant's enrolments."))
        return None
    return found


def _text(value: Any, field: str, errors: FieldErrors, *, required: bool = False,
          max_length: int = 200) -> str | None:
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(field, _("Enter text."))
        return None
    value = value.strip()
    if not value:
        if required:
            errors.add(field, _("This field is required."))
        return None
    if len(value) > max_length:
        errors.add(field, _("At most %(n)s characters.", n=max_length))
        return None
    return value


def _date(value: Any, field: str, errors: FieldErrors, *, required: bool = False) -> date | None:
    if isinstance(value, date):
        return value
    if value in (None, ""):
        if required:
            errors.add(field, _("This field is required."))
        return None
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    errors.add(field, _("Use the date format YYYY-MM-DD."))
    return None


def _bool(value: Any, field: str, errors: FieldErrors) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    errors.add(field, _("Answer yes or no."))
    return None


def _choice(value: Any, field: str, allowed, errors: FieldErrors, *, required: bool = False) -> str | None:
    if value in (None, ""):
        if required:
            errors.add(field, _("This field is required."))
        return None
    if not isinstance(value, str) or value not in allowed:
        errors.add(field, _("Choose one of: %(values)s.", values=", ".join(allowed)))
        return None
    return value


def _hours(value: Any, errors: FieldErrors) -> Decimal | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        errors.add("weekly_hours", _("Enter the weekly hours as a number from 1 to 60."))
        return None
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors.add("weekly_hours", _("Enter the weekly hours as a number from 1 to 60."))
        return None
    if not hours.is_finite() or hours < 1 or hours > 60:
        errors.add("weekly_hours", _("Enter the weekly hours as a number from 1 to 60."))
        return None
    return hours.quantize(Decimal("0.1"))


def _country(value: Any, errors: FieldErrors) -> str:
    from caseflow.i18n import valid_country_codes
    if value in (None, ""):
        return "DE"
    if not isinstance(value, str) or value.upper() not in valid_country_codes():
        errors.add("country", _("Use an ISO 3166-1 alpha-2 country code such as DE."))
        return "DE"
    return value.upper()


# --- status history --------------------------------------------------------------------------------

def _add_status(participant: Participant, day: date, status: str, source: str, actor,
                placement_id: int | None = None) -> StatusChange:
    change = StatusChange(participant_id=participant.id, date=day, status=status, source=source,
                          placement_id=placement_id, created_by_id=getattr(actor, "id", None))
    db.session.add(change)
    return change


def _placement_status_changes(placement: Placement) -> dict[str, StatusChange]:
    rows = db.session.scalars(sa.select(StatusChange).where(StatusChange.placement_id == placement.id)
                              .order_by(StatusChange.id)).all()
    return {row.source: row for row in rows}


# --- employers -------------------------------------------------------------------------------------

def _resolve_employer(participant: Participant, employer_id: Any, new_employer_name: Any,
                      errors: FieldErrors, actor) -> tuple[Employer | None, str | None]:
    """(directory employer, its name). A new name creates an Employer of the participant's
    organisation on the spot, unless the directory has one of that name already (case-insensitive)."""
    if employer_id not in (None, ""):
        try:
            employer_id = int(employer_id)
        except (TypeError, ValueError):
            errors.add("employer_id", _("Choose an employer of the directory."))
            return None, None
        employer = db.session.scalar(sa.select(Employer).where(
            Employer.id == employer_id, Employer.organisation_id == participant.organisation_id))
        if employer is None:
            errors.add("employer_id", _("Choose an employer of the directory."))
            return None, None
        return employer, employer.name
    name = _text(new_employer_name, "employer_name", errors)
    if name is None:
        return None, None
    employer = db.session.scalar(sa.select(Employer).where(
        Employer.organisation_id == participant.organisation_id,
        sa.func.lower(Employer.name) == name.lower()).order_by(Employer.id).limit(1))
    if employer is not None:
        return employer, employer.name
    employer = Employer(organisation_id=participant.organisation_id, name=name)
    db.session.add(employer)
    db.session.flush()
    record("employer.create", actor=actor, obj=employer, organisation_id=participant.organisation_id,
           changes={"name": [None, name], "via": [None, "placement"]})
    return employer, name


# --- placements ------------------------------------------------------------------------------------

def _validate_placement(participant: Participant, data: Mapping[str, Any], errors: FieldErrors,
                        current: Placement | None = None) -> dict[str, Any]:
    """Checks the placement fields present in `data` (all of them when creating)."""
    def value(name):
        return data[name] if name in data else (getattr(current, name) if current is not None else None)

    clean: dict[str, Any] = {}
    clean["type"] = _choice(value("type"), "type", PLACEMENT_TYPES, errors, required=True)
    clean["job_title"] = _text(value("job_title"), "job_title", errors)
    clean["occupation"] = _text(value("occupation"), "occupation", errors)
    start = _date(value("start_date"), "start_date", errors, required=True)
    end = _date(value("end_date"), "end_date", errors)
    if start and start < participant.entry_date:
        errors.add("start_date", _("The placement cannot start before the participant's entry (%(date)s).",
                                   date=participant.entry_date.isoformat()))
    if start and end and end < start:
        errors.add("end_date", _("The end cannot be before the start."))
    clean["start_date"], clean["end_date"] = start, end
    clean["weekly_hours"] = _hours(value("weekly_hours"), errors)
    clean["permanent"] = _bool(value("permanent"), "permanent", errors)
    clean["matches_qualification"] = _bool(value("matches_qualification"), "matches_qualification", errors)
    clean["country"] = _country(value("country"), errors)
    clean["evidence"] = _choice(value("evidence"), "evidence", EVIDENCE_KINDS, errors)
    clean["enrolment_id"] = _participant_enrolment(participant, value("enrolment_id"), errors)
    return clean


def record_placement(participant: Participant, data: Mapping[str, Any], *, actor) -> Placement:
    """Records a placement and, in the same transaction, the status change its type implies on its
    start date. Recordable before and after the exit.

    `data`: type, employer_id (of the participant's organisation) or employer_name (a new or existing
    directory entry), job_title, occupation, start_date, end_date, weekly_hours (1–60), permanent,
    country (ISO, default DE), matches_qualification, enrolment_id (this participant's), evidence,
    optional status_after_end (adds the status that follows on the day after a known end date).
    Raises DomainError (422) naming every bad field.
    """
    errors = FieldErrors()
    clean = _validate_placement(participant, data, errors)
    status_after = _choice(data.get("status_after_end"), "status_after_end", LABOUR_STATUSES, errors)
    if status_after and not clean["end_date"]:
        errors.add("status_after_end", _("Give the end date together with the status that follows."))
    name = data.get("employer_name")
    if clean["type"] != "self_employment" and data.get("employer_id") in (None, "") \
            and (name is None or (isinstance(name, str) and not name.strip())):
        errors.add("employer_name", _("Choose an employer of the directory or enter a new one."))
    errors.raise_if_any()
    employer, employer_name = _resolve_employer(participant, data.get("employer_id"),
                                                data.get("employer_name"), errors, actor)
    errors.raise_if_any()
    placement = Placement(participant_id=participant.id, employer_id=employer.id if employer else None,
                          employer_name=employer_name, created_by_id=getattr(actor, "id", None), **clean)
    db.session.add(placement)
    db.session.flush()
    status = PLACEMENT_STATUS[placement.type]
    if status:
        _add_status(participant, placement.start_date, status, "placement", actor, placement.id)
    if status_after:
        _add_status(participant, placement.end_date + timedelta(days=1), status_after, "placement_end",
                    actor, placement.id)
    changes = snapshot(placement, PLACEMENT_FIELDS)
    if status:
        changes["status_change"] = [None, f"{placement.start_date.isoformat()} {status}"]
    record("placement.create", actor=actor, obj=placement, participant_id=participant.id,
           organisation_id=participant.organisation_id, changes=changes)
    db.session.commit()
    return placement


def update_placement(placement: Placement, participant: Participant, data: Mapping[str, Any], *,
                     version: Any, actor) -> Placement:
    """Changes the fields present in `data` after comparing `version` (409 when stale). The status
    changes the placement added follow: a new type or start date replaces its start status change
    (re-recorded now, so that it is the latest record of its day); a new end date moves the status
    that follows to the day after it; clearing the end date removes it."""
    _check_version(placement, version)
    errors = FieldErrors()
    clean = _validate_placement(participant, data, errors, current=placement)
    errors.raise_if_any()
    if "employer_id" in data or "employer_name" in data:
        employer, employer_name = _resolve_employer(participant, data.get("employer_id"),
                                                    data.get("employer_name"), errors, actor)
        if employer is None and not errors.fields and clean["type"] != "self_employment":
            errors.add("employer_name", _("Choose an employer of the directory or enter a new one."))
        errors.raise_if_any()
        clean["employer_id"], clean["employer_name"] = (employer.id if employer else None), employer_name
    changes = diff(placement, clean)
    if not changes:
        return placement
    linked = _placement_status_changes(placement)
    for name, val in clean.items():
        setattr(placement, name, val)
    wanted = PLACEMENT_STATUS[placement.type]
    start_change = linked.get("placement")
    if start_change is not None and (not wanted or start_change.status != wanted
                                     or start_change.date != placement.start_date):
        db.session.delete(start_change)
        start_change = None
    if wanted and start_change is None:
        _add_status(participant, placement.start_date, wanted, "placement", actor, placement.id)
    end_change = linked.get("placement_end")
    if end_change is not None:
        if placement.end_date is None:
            db.session.delete(end_change)
        elif end_change.date != placement.end_date + timedelta(days=1):
            status_after = end_change.status
            db.session.delete(end_change)
            _add_status(participant, placement.end_date + timedelta(days=1), status_after, "placement_end",
                        actor, placement.id)
    record("placement.update", actor=actor, obj=placement, participant_id=participant.id,
           organisation_id=participant.organisation_id, changes=changes)
    db.session.commit()
    return placement


def end_placement(placement: Placement, participant: Participant, *, end_date: Any, status_after: Any,
                  version: Any, actor) -> Placement:
    """Ends a placement on `end_date` and records `status_after` (a labour-market status) on the day
    after it. Ending again corrects both. Raises Conflict when `version` is stale."""
    _check_version(placement, version)
    errors = FieldErrors()
    end = _date(end_date, "end_date", errors, required=True)
    if end and end < placement.start_date:
        errors.add("end_date", _("The end cannot be before the start."))
    status = _choice(status_after, "status_after_end", LABOUR_STATUSES, errors, required=True)
    errors.raise_if_any()
    changes = diff(placement, {"end_date": end})
    placement.end_date = end
    existing = _placement_status_changes(placement).get("placement_end")
    if existing is not None:
        db.session.delete(existing)
    _add_status(participant, end + timedelta(days=1), status, "placement_end", actor, placement.id)
    changes["status_after_end"] = [existing.status if existing else None, status]
    record("placement.end", actor=actor, obj=placement, participant_id=participant.id,
           organisation_id=participant.organisation_id, changes=changes)
    db.session.commit()
    return placement


# --- exit and re-entry -----------------------------------------------------------------------------

@dataclass
class ExitResult:
    exit: Exit
    closed_enrolments: list[Enrolment]
    tasks: list[Task]


def open_enrolments(participant: Participant) -> list[Enrolment]:
    """The planned and active enrolments, with their measures (the exit form labels its choices
    with them, and closing one may pass its place on)."""
    return list(db.session.scalars(sa.select(Enrolment).options(joinedload(Enrolment.measure)).where(
        Enrolment.participant_id == participant.id,
        Enrolment.status.in_(UNFINISHED_ENROLMENT_STATUSES)).order_by(Enrolment.start_date, Enrolment.id)))


def default_closing_status(enrolment: Enrolment, exit_date: date) -> str:
    """What an open enrolment becomes at the exit unless the counsellor says otherwise: an active
    one is completed, a planned one (or one that would start after the exit) is cancelled."""
    if enrolment.status == "planned" or (enrolment.start_date and enrolment.start_date > exit_date):
        return "cancelled"
    return "completed"


def _closing_plan(enrolments: list[Enrolment], exit_date: date, close_as: Any,
                  errors: FieldErrors) -> dict[int, str]:
    """{enrolment id: closing status} from `close_as`: None (defaults), one status for all, or a
    mapping of enrolment id to status (missing ids take the default)."""
    plan = {e.id: default_closing_status(e, exit_date) for e in enrolments}
    if close_as in (None, ""):
        return plan
    if isinstance(close_as, str):
        if close_as not in ENROLMENT_CLOSING_STATUSES:
            errors.add("close_enrolments_as", _("Choose one of: %(values)s.",
                                                values=", ".join(ENROLMENT_CLOSING_STATUSES)))
            return plan
        return {e.id: close_as for e in enrolments}
    if not isinstance(close_as, Mapping):
        errors.add("close_enrolments_as", _("Give one status for all open enrolments or one per enrolment id."))
        return plan
    for key, status in close_as.items():
        try:
            enrolment_id = int(key)
        except (TypeError, ValueError):
            enrolment_id = None
        if enrolment_id not in plan:
            errors.add("close_enrolments_as", _("Enrolment %(id)s is not an open enrolment of this participant.",
                                                id=key))
            continue
        if status not in ENROLMENT_CLOSING_STATUSES:
            errors.add("close_enrolments_as", _("Choose one of: %(values)s.",
                                                values=", ".join(ENROLMENT_CLOSING_STATUSES)))
            continue
        plan[enrolment_id] = status
    return plan


def exit_participant(participant: Participant, *, exit_date: Any, reason: Any, close_enrolments_as: Any = None,
                     actor) -> ExitResult:
    """Records the exit: the participant becomes `exited` with this exit date and reason; every open
    enrolment (planned or active) is closed as the counsellor confirmed (see `_closing_plan`); the
    counsellor gets the tasks "4-week check" (exit + 28 days) and "six-month follow-up" (exit + 6
    calendar months). Raises Conflict when the participant has exited already, DomainError for a bad
    date (before the entry or the last re-entry) or reason."""
    if participant.status == "exited":
        raise Conflict(_("This participant has exited already. Record a re-entry first."), code="already_exited")
    errors = FieldErrors()
    day = _date(exit_date, "exit_date", errors, required=True)
    why = _choice(reason, "reason", EXIT_REASONS, errors, required=True)
    if day and day < participant.entry_date:
        errors.add("exit_date", _("The exit cannot be before the entry (%(date)s).",
                                  date=participant.entry_date.isoformat()))
    if day and day > _today():
        errors.add("exit_date", _("The date cannot be in the future."))
    last_re_entry = db.session.scalar(sa.select(sa.func.max(ReEntry.date)).where(
        ReEntry.participant_id == participant.id))
    if day and last_re_entry and day < last_re_entry:
        errors.add("exit_date", _("The exit cannot be before the re-entry (%(date)s).", date=last_re_entry.isoformat()))
    enrolments = open_enrolments(participant)
    plan = _closing_plan(enrolments, day or participant.entry_date, close_enrolments_as, errors)
    for enrolment in enrolments:
        if day and plan[enrolment.id] not in exit_closings(enrolment, day):
            if enrolment.start_date and enrolment.start_date > day:
                errors.add("close_enrolments_as", _("An enrolment that starts after the exit can only be cancelled."))
            elif enrolment.status == "active":
                errors.add("close_enrolments_as", _("An active enrolment is completed or dropped out, not cancelled."))
            else:
                errors.add("close_enrolments_as", _("An enrolment on the waiting list can only be cancelled."))
    errors.raise_if_any()

    exit_row = Exit(participant_id=participant.id, exit_date=day, reason=why,
                    created_by_id=getattr(actor, "id", None))
    db.session.add(exit_row)
    closed = []
    for enrolment in enrolments:
        # the measures domain's own transition: end date, waiting list, a freed place passed on, audit
        close_for_exit(enrolment, status=plan[enrolment.id], end_date=day, actor=actor)
        closed.append(enrolment)
    changes = diff(participant, {"status": "exited", "exit_date": day, "exit_reason": why})
    participant.status, participant.exit_date, participant.exit_reason = "exited", day, why
    tasks = [
        Task(organisation_id=participant.organisation_id, participant_id=participant.id,
             title=_("4-week check"), kind="four_week_check", due_date=day + FOUR_WEEKS,
             assignee_id=participant.counsellor_id),
        Task(organisation_id=participant.organisation_id, participant_id=participant.id,
             title=_("six-month follow-up"), kind="six_month_follow_up", due_date=add_months(day, 6),
             assignee_id=participant.counsellor_id),
    ]
    db.session.add_all(tasks)
    db.session.flush()
    record("participant.exit", actor=actor, obj=participant, participant_id=participant.id,
           organisation_id=participant.organisation_id,
           changes={**changes, "closed_enrolments": [None, [e.id for e in closed]]})
    db.session.commit()
    return ExitResult(exit_row, closed, tasks)


def re_enter_participant(participant: Participant, *, re_entry_date: Any, actor) -> ReEntry:
    """Reopens an exited case on `re_entry_date` (not before the last exit): the participant is
    `active` again, the first entry date stays, the exit date is cleared (the final exit is the next
    one). Open follow-up tasks of the previous exit are removed; the next exit creates new ones.
    Raises Conflict when the participant is not exited."""
    if participant.status != "exited":
        raise Conflict(_("Only an exited participant can re-enter."), code="not_exited")
    errors = FieldErrors()
    day = _date(re_entry_date, "date", errors, required=True)
    if day and participant.exit_date and day < participant.exit_date:
        errors.add("date", _("The re-entry cannot be before the last exit (%(date)s).",
                             date=participant.exit_date.isoformat()))
    if day and day > _today():
        errors.add("date", _("The date cannot be in the future."))
    errors.raise_if_any()
    re_entry = ReEntry(participant_id=participant.id, date=day, created_by_id=getattr(actor, "id", None))
    db.session.add(re_entry)
    removed = db.session.execute(sa.delete(Task).where(
        Task.participant_id == participant.id, Task.done_at.is_(None),
        Task.kind.in_(("four_week_check", "six_month_follow_up"))).returning(Task.id)).scalars().all()
    changes = diff(participant, {"status": "active", "exit_date": None, "exit_reason": None})
    participant.status, participant.exit_date, participant.exit_reason = "active", None, None
    db.session.flush()
    record("participant.re_entry", actor=actor, obj=re_entry, participant_id=participant.id,
           organisation_id=participant.organisation_id,
           changes={**changes, "date": [None, day.isoformat()], "removed_tasks": [None, removed]})
    db.session.commit()
    return re_entry


# --- certificates ----------------------------------------------------------------------------------

def record_certificate(participant: Participant, data: Mapping[str, Any], *, actor) -> Certificate:
    """Records a qualification gained: date (from the entry date on, not in the future), title,
    issuing body, the enrolment it came from (this participant's). Recordable after the exit."""
    errors = FieldErrors()
    day = _date(data.get("date"), "date", errors, required=True)
    if day and day < participant.entry_date:
        errors.add("date", _("A qualification gained in the programme cannot be dated before the entry (%(date)s).",
                             date=participant.entry_date.isoformat()))
    if day and day > _today():
        errors.add("date", _("The date cannot be in the future."))
    title = _text(data.get("title"), "title", errors, required=True)
    issuing_body = _text(data.get("issuing_body"), "issuing_body", errors)
    enrolment_id = _participant_enrolment(participant, data.get("enrolment_id"), errors)
    errors.raise_if_any()
    certificate = Certificate(participant_id=participant.id, date=day, title=title, issuing_body=issuing_body,
                              enrolment_id=enrolment_id, created_by_id=getattr(actor, "id", None))
    db.session.add(certificate)
    db.session.flush()
    record("certificate.create", actor=actor, obj=certificate, participant_id=participant.id,
           organisation_id=participant.organisation_id,
           changes=snapshot(certificate, ("date", "title", "issuing_body", "enrolment_id")))
    db.session.commit()
    return certificate


# --- follow-ups ------------------------------------------------------------------------------------

def improvement_applies(participant: Participant) -> bool:
    """Whether an improved situation can be recorded: only for people employed at entry."""
    return participant.labour_status_at_entry in ("employed", "self_employed")


def record_follow_up(participant: Participant, data: Mapping[str, Any], *, actor) -> FollowUp:
    """Records a follow-up after the exit: kind (`six_months`, or `four_weeks`), date (not before the
    exit, not in the future), status (a labour-market status, or `unknown` when the person could not
    be reached — never recorded as unemployed), and for people employed at entry whether the
    situation improved and how (stable contract, full time, higher skills, promotion; a pay rise
    alone is no improvement, so it is no option). A known status is added to the status history on
    the follow-up date. Completes the open task of the same kind. The latest six-month follow-up is
    the one that counts. Raises Conflict while the participant has not exited."""
    if participant.status != "exited" or participant.exit_date is None:
        raise Conflict(_("A follow-up is recorded after the exit."), code="not_exited")
    errors = FieldErrors()
    kind = _choice(data.get("kind") or "six_months", "kind", FOLLOW_UP_KINDS, errors)
    day = _date(data.get("date"), "date", errors, required=True)
    if day and day < participant.exit_date:
        errors.add("date", _("The follow-up cannot be before the exit (%(date)s).",
                             date=participant.exit_date.isoformat()))
    if day and day > _today():
        errors.add("date", _("The date cannot be in the future."))
    status = _choice(data.get("status"), "status", FOLLOW_UP_STATUSES, errors, required=True)
    improved = _bool(data.get("improved_situation"), "improved_situation", errors)
    how = _choice(data.get("improvement_kind"), "improvement_kind", IMPROVEMENT_KINDS, errors)
    if improved or how:
        if not improvement_applies(participant):
            errors.add("improved_situation", _("An improved situation is recorded only for people employed at entry."))
        elif status not in ("employed", "self_employed"):
            errors.add("improved_situation", _("An improved situation needs a status of employed or self-employed."))
        elif improved is False and how:
            errors.add("improvement_kind", _("Leave this empty when the situation did not improve."))
        elif not how:
            errors.add("improvement_kind", _("Say how the situation improved."))
        else:
            improved = True
    errors.raise_if_any()
    if not improvement_applies(participant) or status == "unknown":
        improved, how = None, None
    elif improved is None:
        improved = False  # asked and not reported as improved
    follow_up = FollowUp(participant_id=participant.id, kind=kind, date=day, status=status,
                         improved_situation=improved, improvement_kind=how,
                         created_by_id=getattr(actor, "id", None))
    db.session.add(follow_up)
    if status != "unknown":
        _add_status(participant, day, status, "follow_up", actor)
    tasks = db.session.scalars(sa.select(Task).where(
        Task.participant_id == participant.id, Task.kind == TASK_KIND_FOR_FOLLOW_UP[kind],
        Task.done_at.is_(None))).all()
    for task in tasks:
        task.done_at = utcnow()
    task_ids = [task.id for task in tasks]
    db.session.flush()
    record("follow_up.create", actor=actor, obj=follow_up, participant_id=participant.id,
           organisation_id=participant.organisation_id,
           changes={**snapshot(follow_up, ("kind", "date", "status", "improved_situation", "improvement_kind")),
                    **({"completed_tasks": [None, list(task_ids)]} if task_ids else {})})
    db.session.commit()
    return follow_up
