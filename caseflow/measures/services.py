"""Measures, enrolments, attendance and employers: the verbs. Each public function is one unit of
work: it checks the business rules, writes, audits in the same transaction and commits once.

Rules kept here (issue 4):
- Enrolment statuses move only along TRANSITIONS; completed, dropped out and cancelled are final.
  An enrolment that has started ends as completed or dropped out, never as cancelled.
- Start not before the participant's entry date, end not before start, a reason when dropping out,
  one unfinished (planned/active) enrolment per participant and measure (409, also enforced by a
  partial unique index, whose violation in a race is turned into the same 409).
- Capacity: planned and active enrolments that are not on the waiting list take a place. When the
  measure is full, a new enrolment is stored as `planned` with `waitlisted_at` set: the waiting list
  is ordered by that time. When a place becomes free (an enrolment ends or is cancelled, or the
  capacity is raised), the first on the waiting list moves onto it automatically (still `planned`)
  and their counsellor gets a task to tell them and agree the start. A waiting enrolment cannot be
  made active before it has a place.
- Attendance: rate = sessions present / sessions recorded for the enrolment. When an active
  enrolment's rate falls below 80 %, one task (kind `attendance`) is created for the participant's
  counsellor; `attendance_alerted_at` keeps it from being created again until the rate has
  recovered to 80 % or more.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from caseflow.audit.services import diff, record, snapshot
from caseflow.errors import Conflict, DomainError, FieldErrors, Forbidden, NotFound
from caseflow.extensions import db
from caseflow.measures.access import get_measure_for, may_work_with_measure, require_measure_manager
from caseflow.measures.details import COMPANY_SIZE_LABELS, NACE_LABELS, DetailsContext, clean_details, details_for_api
from caseflow.measures.models import Attendance, AttendanceSession, Employer, Enrolment, Measure
from caseflow.models_base import utcnow
from caseflow.participants.access import get_participant_for, require_casework
from caseflow.participants.models import Participant, Task
from caseflow.vocabulary import ENROLMENT_STATUSES, MEASURE_TYPES, UNFINISHED_ENROLMENT_STATUSES

TRANSITIONS: dict[str, frozenset[str]] = {
    "planned": frozenset({"active", "cancelled"}),
    "active": frozenset({"completed", "dropped_out"}),
    "completed": frozenset(),
    "dropped_out": frozenset(),
    "cancelled": frozenset(),
}
FINAL_STATUSES = frozenset({"completed", "dropped_out", "cancelled"})
ATTENDANCE_THRESHOLD = 0.8
MEASURE_FIELDS = ("title", "type", "start_date", "end_date", "capacity", "location", "description", "active")
EMPLOYER_FIELDS = ("name", "nace_section", "size", "district", "contact_person", "contact_phone",
                   "contact_email", "notes")


def today() -> date:
    return date.today()


# --- measures --------------------------------------------------------------------------------------

def _clean_measure(data: dict[str, Any]) -> dict[str, Any]:
    errors = FieldErrors()
    clean: dict[str, Any] = {}
    title = (data.get("title") or "").strip() if isinstance(data.get("title"), (str, type(None))) else None
    if not title or len(title) > 200:
        errors.add("title", _("Enter a title of 1 to 200 characters."))
    clean["title"] = title
    if data.get("type") not in MEASURE_TYPES:
        errors.add("type", _("Unknown measure type; use one of: %(types)s.", types=", ".join(MEASURE_TYPES)))
    clean["type"] = data.get("type")
    for name in ("start_date", "end_date"):
        value = data.get(name)
        if value is not None and not isinstance(value, date):
            errors.add(name, _("Use the date format YYYY-MM-DD."))
            value = None
        clean[name] = value
    if clean["start_date"] is None and "start_date" not in errors:
        errors.add("start_date", _("Enter the start date."))
    if clean["start_date"] and clean["end_date"] and clean["end_date"] < clean["start_date"]:
        errors.add("end_date", _("The end cannot be before the start."))
    capacity = data.get("capacity")
    if capacity is not None and (isinstance(capacity, bool) or not isinstance(capacity, int)
                                 or not 1 <= capacity <= 10000):
        errors.add("capacity", _("Enter a number of places from 1 to 10,000, or leave it empty for no limit."))
    clean["capacity"] = capacity
    for name, limit in (("location", 200), ("description", 5000)):
        value = data.get(name)
        if value is not None and not isinstance(value, str):
            errors.add(name, _("Enter text."))
            continue
        value = (value or "").strip() or None
        if value and len(value) > limit:
            errors.add(name, _("At most %(n)s characters.", n=limit))
        clean[name] = value
    active = data.get("active", True)
    if not isinstance(active, bool):
        errors.add("active", _("Enter true or false."))
    clean["active"] = active
    errors.raise_if_any(_("Please correct the marked fields."))
    return clean


def create_measure(data: dict[str, Any], *, organisation_id: int | None, actor) -> Measure:
    """Creates a measure of `organisation_id` (team leads: always their own). Raises Forbidden for
    other roles, DomainError (422) for invalid fields."""
    require_measure_manager(actor)
    if actor.role == "team_lead":
        organisation_id = actor.organisation_id
    if organisation_id is None:
        raise DomainError.field("organisation_id", _("Choose the providing organisation."))
    from caseflow.accounts.models import Organisation
    if db.session.get(Organisation, organisation_id) is None:
        raise DomainError.field("organisation_id", _("Unknown organisation."))
    clean = _clean_measure(data)
    measure = Measure(organisation_id=organisation_id, **clean)
    db.session.add(measure)
    db.session.flush()
    record("measure.create", actor=actor, obj=measure, organisation_id=organisation_id,
           changes=snapshot(measure, MEASURE_FIELDS))
    db.session.commit()
    return measure


def update_measure(measure: Measure, data: dict[str, Any], *, version: int, actor) -> Measure:
    """Changes a measure (fields absent from `data` stay). Stale version → 409; a raised capacity
    moves people from the waiting list onto the new places."""
    require_measure_manager(actor, measure)
    if measure.version != version:
        raise Conflict(_("Someone else changed this measure in the meantime. Reload it and try again."),
                       code="stale_version")
    merged = {f: getattr(measure, f) for f in MEASURE_FIELDS}
    merged.update({k: v for k, v in data.items() if k in MEASURE_FIELDS})
    clean = _clean_measure(merged)
    if clean["type"] != measure.type and db.session.scalar(
            sa.select(Enrolment.id).where(Enrolment.measure_id == measure.id).limit(1)):
        raise DomainError.field("type", _("The type cannot change once participants are enrolled."))
    changes = diff(measure, clean)
    for name, value in clean.items():
        setattr(measure, name, value)
    record("measure.update", actor=actor, obj=measure, organisation_id=measure.organisation_id, changes=changes)
    _fill_free_places(measure, actor)
    db.session.commit()
    return measure


# --- capacity and the waiting list -----------------------------------------------------------------

def places_taken(measure_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Enrolment).where(
        Enrolment.measure_id == measure_id, Enrolment.status.in_(UNFINISHED_ENROLMENT_STATUSES),
        Enrolment.waitlisted_at.is_(None))) or 0


def _fill_free_places(measure: Measure, actor) -> list[Enrolment]:
    """Moves the first ones of the waiting list onto free places (no commit)."""
    db.session.flush()
    free = None if measure.capacity is None else measure.capacity - places_taken(measure.id)
    if free is not None and free <= 0:
        return []
    stmt = (sa.select(Enrolment).where(Enrolment.measure_id == measure.id, Enrolment.status == "planned",
                                       Enrolment.waitlisted_at.is_not(None))
            .order_by(Enrolment.waitlisted_at, Enrolment.id))
    if free is not None:
        stmt = stmt.limit(free)
    moved = list(db.session.scalars(stmt))
    if not moved:
        return []
    counsellors = dict(db.session.execute(sa.select(Participant.id, Participant.counsellor_id).where(
        Participant.id.in_([e.participant_id for e in moved]))).all())
    for enrolment in moved:
        enrolment.waitlisted_at = None
        record("enrolment.place_offered", actor=actor, obj=enrolment, participant_id=enrolment.participant_id,
               organisation_id=measure.organisation_id, changes={"waitlisted": [True, False]})
        db.session.add(Task(organisation_id=measure.organisation_id, participant_id=enrolment.participant_id,
                            kind="place_offered", due_date=today() + timedelta(days=7),
                            assignee_id=counsellors.get(enrolment.participant_id),
                            title_params={"measure": measure.title},
                            title=_("A place in “%(measure)s” is free: tell the participant and agree the start.",
                                    measure=measure.title)[:300]))
    return moved


# --- enrolments ------------------------------------------------------------------------------------

@dataclass
class EnrolmentInput:
    start_date: date | None = None
    end_date: date | None = None
    status: str = "planned"
    dropout_reason: str | None = None
    details: dict | None = None


def _check_dates_and_status(participant: Participant, status: str, start: date | None, end: date | None,
                            dropout_reason: str | None) -> None:
    errors: dict[str, list[str]] = {}
    if status not in ENROLMENT_STATUSES:
        errors["status"] = [_("Unknown status; use one of: %(values)s.", values=", ".join(ENROLMENT_STATUSES))]
    if start is None and status in ("active", "completed", "dropped_out"):
        errors["start_date"] = [_("An enrolment that has started needs its start date.")]
    if start is not None and start < participant.entry_date:
        errors["start_date"] = [_("The start cannot be before the participant's entry (%(date)s).",
                                  date=participant.entry_date.isoformat())]
    if start is not None and end is not None and end < start:
        errors["end_date"] = [_("The end cannot be before the start.")]
    if end is not None and start is None:
        errors["start_date"] = [_("Enter the start with the end.")]
    if status == "dropped_out" and not (dropout_reason or "").strip():
        errors["dropout_reason"] = [_("Say why the participant dropped out.")]
    if dropout_reason and len(dropout_reason) > 500:
        errors["dropout_reason"] = [_("At most %(n)s characters.", n=500)]
    if errors:
        raise DomainError(_("Please correct the marked fields."), code="validation_error", fields=errors)


def _already_enrolled() -> Conflict:
    return Conflict(_("This participant already has an unfinished enrolment in this measure."),
                    code="already_enrolled")


def _enrol(participant: Participant, measure: Measure, data: EnrolmentInput, *, actor) -> Enrolment:
    """Checks every rule, then adds the enrolment (flushed, not committed)."""
    if not may_work_with_measure(actor, measure) or measure.organisation_id != participant.organisation_id:
        raise DomainError.field("measure_id", _("Choose a measure of your organisation."))
    if not measure.active:
        raise DomainError.field("measure_id", _("This measure is not open for enrolment."))
    if participant.status == "exited" and data.status in UNFINISHED_ENROLMENT_STATUSES:
        raise Conflict(_("The participant has left the programme; record a re-entry first."),
                       code="participant_exited")
    _check_dates_and_status(participant, data.status, data.start_date, data.end_date, data.dropout_reason)
    details, columns = clean_details(measure.type, data.details, DetailsContext(
        organisation_id=participant.organisation_id, participant_id=participant.id, today=today()))
    unfinished = data.status in UNFINISHED_ENROLMENT_STATUSES
    waitlisted_at = None
    if unfinished:
        if db.session.scalar(sa.select(Enrolment.id).where(
                Enrolment.participant_id == participant.id, Enrolment.measure_id == measure.id,
                Enrolment.status.in_(UNFINISHED_ENROLMENT_STATUSES))):
            raise _already_enrolled()
        if measure.capacity is not None and places_taken(measure.id) >= measure.capacity:
            waitlisted_at = utcnow()
    enrolment = Enrolment(
        participant_id=participant.id, measure_id=measure.id,
        status="planned" if waitlisted_at else data.status,
        start_date=data.start_date, end_date=data.end_date,
        dropout_reason=(data.dropout_reason or "").strip() or None if data.status == "dropped_out" else None,
        waitlisted_at=waitlisted_at, details=details or None, created_by_id=getattr(actor, "id", None),
        **columns)
    enrolment.measure = measure
    db.session.add(enrolment)
    db.session.flush()
    changes = snapshot(enrolment, ("measure_id", "status", "start_date", "end_date", "dropout_reason",
                                   "host_employer_id", "linked_enrolment_id"))
    if waitlisted_at:
        changes["waitlisted"] = [None, True]
    if details:
        changes["details"] = [None, details]
    record("enrolment.create", actor=actor, obj=enrolment, participant_id=participant.id,
           organisation_id=participant.organisation_id, changes=changes)
    return enrolment


def _commit_enrolment() -> None:
    try:
        db.session.commit()
    except IntegrityError:
        # Two requests raced past the check; the partial unique index kept the second one out.
        db.session.rollback()
        raise _already_enrolled() from None


def enrol_participant(participant: Participant, measure: Measure, data: EnrolmentInput, *, actor) -> Enrolment:
    """Enrols `participant` (loaded through get_participant_for) in `measure`.

    Raises DomainError (422) for invalid fields or details, Conflict (409) for a second unfinished
    enrolment or an exited participant. A full measure puts the enrolment on the waiting list
    (status `planned`, `waitlisted_at` set) instead of refusing it.
    """
    if measure.capacity is not None:
        # Serialises enrolments into one measure so that two cannot take the last place (PostgreSQL).
        db.session.execute(sa.select(Measure.id).where(Measure.id == measure.id).with_for_update())
    try:
        enrolment = _enrol(participant, measure, data, actor=actor)
    except IntegrityError:
        db.session.rollback()
        raise _already_enrolled() from None
    _commit_enrolment()
    return enrolment


def change_enrolment(enrolment: Enrolment, changes: dict[str, Any], *, version: int, actor) -> Enrolment:
    """Changes status, dates, drop-out reason and details (`changes` holds only what changes;
    `details` is merged into the stored details). Raises Conflict (409) for a stale version, a
    transition that is not allowed or activating a waiting enrolment; DomainError (422) for
    invalid values."""
    if enrolment.version != version:
        raise Conflict(_("Someone else changed this enrolment in the meantime. Reload it and try again."),
                       code="stale_version")
    participant = db.session.get(Participant, enrolment.participant_id)
    measure = enrolment.measure
    unknown = set(changes) - {"status", "start_date", "end_date", "dropout_reason", "details"}
    if unknown:
        raise DomainError(_("These fields cannot be changed: %(names)s.", names=", ".join(sorted(unknown))),
                          code="validation_error", fields={n: [_("Cannot be changed.")] for n in unknown})
    old_status = enrolment.status
    status = changes.get("status", old_status)
    if status not in ENROLMENT_STATUSES:
        raise DomainError.field("status", _("Unknown status; use one of: %(values)s.",
                                            values=", ".join(ENROLMENT_STATUSES)))
    if status != old_status and status not in TRANSITIONS[old_status]:
        allowed = ", ".join(sorted(TRANSITIONS[old_status])) or _("none (final)")
        raise Conflict(_("An enrolment that is %(old)s cannot become %(new)s. Allowed: %(allowed)s.",
                         old=ENROLMENT_STATUSES[old_status], new=ENROLMENT_STATUSES[status], allowed=allowed),
                       code="invalid_transition", fields={"status": [_("This change of status is not allowed.")]})
    if status == "active" and enrolment.waitlisted_at is not None:
        raise Conflict(_("This enrolment is still on the waiting list; it can start once a place is free."),
                       code="waitlisted", fields={"status": [_("Still on the waiting list.")]})
    start = changes.get("start_date", enrolment.start_date)
    end = changes.get("end_date", enrolment.end_date)
    reason = changes.get("dropout_reason", enrolment.dropout_reason)
    _check_dates_and_status(participant, status, start, end, reason if status == "dropped_out" else None)
    new_values: dict[str, Any] = {"status": status, "start_date": start, "end_date": end,
                                  "dropout_reason": (reason or "").strip() or None if status == "dropped_out" else None}
    if "details" in changes:
        raw = changes["details"]
        if raw is not None and not isinstance(raw, dict):
            raise DomainError.field("details", _("details must be an object."))
        merged = {**details_for_api(enrolment), **(raw or {})}
        merged = {k: v for k, v in merged.items() if v is not None}
        details, columns = clean_details(measure.type, merged, DetailsContext(
            organisation_id=participant.organisation_id, participant_id=participant.id, today=today(),
            enrolment_id=enrolment.id))
        new_values["details"] = details or None
        new_values.update(columns)
    audit_changes = diff(enrolment, new_values)
    frees_place = (old_status in UNFINISHED_ENROLMENT_STATUSES and status in FINAL_STATUSES
                   and enrolment.waitlisted_at is None)
    if status == "cancelled" and enrolment.waitlisted_at is not None:
        enrolment.waitlisted_at = None
        audit_changes["waitlisted"] = [True, False]
    if not audit_changes:
        return enrolment
    for name, value in new_values.items():
        setattr(enrolment, name, value)
    record("enrolment.update", actor=actor, obj=enrolment, participant_id=participant.id,
           organisation_id=participant.organisation_id, changes=audit_changes)
    if frees_place:
        _fill_free_places(measure, actor)
    db.session.commit()
    return enrolment


def exit_closings(enrolment: Enrolment, exit_date: date) -> set[str]:
    """How an unfinished enrolment may be closed when its participant exits on `exit_date`: an
    active one is completed or dropped out; a planned one is cancelled, or completed / dropped out
    when it had in fact started (holding a place, starting by the exit: planned → active → status)."""
    if enrolment.status == "active":
        return {"completed", "dropped_out"}
    if enrolment.status != "planned":
        return set()   # final already
    started = (enrolment.start_date is not None and enrolment.start_date <= exit_date
               and enrolment.waitlisted_at is None)
    return {"cancelled", "completed", "dropped_out"} if started else {"cancelled"}


def close_for_exit(enrolment: Enrolment, *, status: str, end_date: date, actor) -> None:
    """Closes an unfinished enrolment when its participant leaves the programme, inside the
    caller's unit of work (no commit): `status` must be one of `exit_closings`, the end is set to
    the exit day unless it ends earlier, the waiting list is left, and a freed place goes to the
    next one waiting. Raises Conflict for a transition that is not allowed."""
    old = enrolment.status
    allowed = exit_closings(enrolment, end_date)
    if status not in allowed:
        raise Conflict(_("An enrolment that is %(old)s cannot become %(new)s. Allowed: %(allowed)s.",
                         old=ENROLMENT_STATUSES[old], new=ENROLMENT_STATUSES.get(status, status),
                         allowed=", ".join(sorted(allowed)) or _("none (final)")), code="invalid_transition")
    frees_place = old in UNFINISHED_ENROLMENT_STATUSES and enrolment.waitlisted_at is None
    changes = {"status": [old, status]}
    enrolment.status = status
    enrolment.waitlisted_at = None
    starts_after_exit = enrolment.start_date is not None and enrolment.start_date > end_date
    if not starts_after_exit and (enrolment.end_date is None or enrolment.end_date > end_date):
        changes["end_date"] = [enrolment.end_date.isoformat() if enrolment.end_date else None, end_date.isoformat()]
        enrolment.end_date = end_date
    record("enrolment.close_at_exit", actor=actor, obj=enrolment, participant_id=enrolment.participant_id,
           organisation_id=getattr(actor, "organisation_id", None), changes=changes)
    if frees_place:
        _fill_free_places(enrolment.measure, actor)


@dataclass
class BulkResult:
    participant_id: int
    label: str              # case number (never a name: results may be shown or logged in bulk)
    outcome: str            # enrolled, waitlisted, refused
    reason: str = ""
    enrolment_id: int | None = None


def bulk_enrol(measure: Measure, participant_ids: Iterable[int], data: EnrolmentInput, *, actor) -> list[BulkResult]:
    """Enrols several participants of the actor's organisation in one step; each is checked by the
    same rules as enrol_participant and refused alone (with the reason) when one fails. Places are
    given in the order of `participant_ids`; the rest go onto the waiting list."""
    if measure.capacity is not None:
        db.session.execute(sa.select(Measure.id).where(Measure.id == measure.id).with_for_update())
    results: list[BulkResult] = []
    seen: set[int] = set()
    for pid in participant_ids:
        if pid in seen:
            continue
        seen.add(pid)
        try:
            participant = get_participant_for(actor, pid, for_update=True)
        except (NotFound, Forbidden):
            results.append(BulkResult(pid, f"#{pid}", "refused", _("No such participant.")))
            continue
        except DomainError as exc:
            results.append(BulkResult(pid, f"#{pid}", "refused", exc.message))
            continue
        try:
            enrolment = _enrol(participant, measure, data, actor=actor)
        except IntegrityError:
            db.session.rollback()
            raise _already_enrolled() from None
        except DomainError as exc:
            reason = "; ".join(m for msgs in exc.fields.values() for m in msgs) or exc.message
            results.append(BulkResult(pid, participant.case_number, "refused", reason))
            continue
        outcome = "waitlisted" if enrolment.waitlisted_at else "enrolled"
        results.append(BulkResult(pid, participant.case_number, outcome, enrolment_id=enrolment.id))
    record("enrolment.bulk", actor=actor, obj=measure, organisation_id=measure.organisation_id,
           changes={"enrolled": [None, sum(r.outcome == "enrolled" for r in results)],
                    "waitlisted": [None, sum(r.outcome == "waitlisted" for r in results)],
                    "refused": [None, sum(r.outcome == "refused" for r in results)]})
    _commit_enrolment()
    return results


# --- attendance ------------------------------------------------------------------------------------

def add_session(measure: Measure, *, session_date: date | None, topic: str | None, actor) -> AttendanceSession:
    """Adds a session (one per measure and day) to a measure of the actor's organisation."""
    if not may_work_with_measure(actor, measure):
        raise NotFound(_("No such measure."))
    if session_date is None:
        raise DomainError.field("date", _("Enter the date of the session."))
    if session_date < measure.start_date or (measure.end_date and session_date > measure.end_date):
        raise DomainError.field("date", _("The session must lie within the measure's dates."))
    topic = (topic or "").strip() or None
    if topic and len(topic) > 200:
        raise DomainError.field("topic", _("At most %(n)s characters.", n=200))
    if db.session.scalar(sa.select(AttendanceSession.id).where(
            AttendanceSession.measure_id == measure.id, AttendanceSession.date == session_date)):
        raise DomainError.field("date", _("There is a session on this day already."), status=409)
    session = AttendanceSession(measure_id=measure.id, date=session_date, topic=topic)
    db.session.add(session)
    db.session.flush()
    record("attendance_session.create", actor=actor, obj=session, organisation_id=measure.organisation_id,
           changes={"measure_id": [None, measure.id], "date": [None, session_date.isoformat()]})
    db.session.commit()
    return session


def session_roster(session: AttendanceSession) -> sa.Select:
    """The enrolments that can attend `session`: holding a place, started on or before that day,
    not ended before it. Restricted (GDPR Art. 18) and anonymised cases are read-only and are left
    off the roster, so no attendance (nor an attendance task) is written for them."""
    writable = sa.orm.aliased(Participant)
    return (sa.select(Enrolment).where(
        sa.exists().where(writable.id == Enrolment.participant_id, writable.restricted_at.is_(None),
                          writable.anonymised_at.is_(None)),
        Enrolment.measure_id == session.measure_id, Enrolment.waitlisted_at.is_(None),
        Enrolment.status.in_(("active", "completed", "dropped_out")),
        Enrolment.start_date <= session.date,
        sa.or_(Enrolment.end_date.is_(None), Enrolment.end_date >= session.date)))


def attendance_rates(enrolment_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """{enrolment id: (sessions present, sessions recorded)} in one query."""
    ids = list(enrolment_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(Attendance.enrolment_id, sa.func.count(),
                  sa.func.sum(sa.case((Attendance.present, 1), else_=0)))
        .where(Attendance.enrolment_id.in_(ids)).group_by(Attendance.enrolment_id))
    return {eid: (int(present or 0), int(total)) for eid, total, present in rows}


def rate(pair: tuple[int, int] | None) -> float | None:
    if not pair or not pair[1]:
        return None
    return pair[0] / pair[1]


def record_attendance(session: AttendanceSession, present: dict[int, bool], *, actor) -> list[Enrolment]:
    """Stores who was present at `session` ({enrolment id: present}) for the enrolments on its
    roster, then raises the low-attendance task where a rate fell below 80 %. Returns the
    enrolments for which a task was created."""
    measure = db.session.get(Measure, session.measure_id)
    if not may_work_with_measure(actor, measure):
        raise NotFound(_("No such measure."))
    roster = {e.id: e for e in db.session.scalars(session_roster(session))}
    strangers = set(present) - set(roster)
    if strangers:
        raise DomainError.field("present", _("Some of these enrolments cannot attend this session."))
    existing = {a.enrolment_id: a for a in db.session.scalars(
        sa.select(Attendance).where(Attendance.session_id == session.id))}
    for enrolment_id, was_present in present.items():
        row = existing.get(enrolment_id)
        if row is None:
            db.session.add(Attendance(session_id=session.id, enrolment_id=enrolment_id, present=bool(was_present)))
        else:
            row.present = bool(was_present)
    db.session.flush()
    record("attendance.record", actor=actor, object_type="attendance_sessions", object_id=session.id,
           organisation_id=measure.organisation_id,
           changes={"present": [None, sum(1 for v in present.values() if v)],
                    "absent": [None, sum(1 for v in present.values() if not v)]})
    alerted = _attendance_alerts(measure, [roster[i] for i in present], actor=actor)
    db.session.commit()
    return alerted


def _attendance_alerts(measure: Measure, enrolments: list[Enrolment], *, actor) -> list[Enrolment]:
    rates = attendance_rates(e.id for e in enrolments)
    low = [e for e in enrolments if e.status == "active" and (r := rate(rates.get(e.id))) is not None
           and r < ATTENDANCE_THRESHOLD]
    for e in enrolments:
        r = rate(rates.get(e.id))
        if e.attendance_alerted_at is not None and r is not None and r >= ATTENDANCE_THRESHOLD:
            e.attendance_alerted_at = None
    new = [e for e in low if e.attendance_alerted_at is None]
    if not new:
        return []
    participants = {p.id: p for p in db.session.scalars(
        sa.select(Participant).where(Participant.id.in_([e.participant_id for e in new])))}
    for e in new:
        e.attendance_alerted_at = utcnow()
        p = participants[e.participant_id]
        present, total = rates[e.id]
        db.session.add(Task(
            organisation_id=measure.organisation_id, participant_id=p.id, kind="attendance",
            assignee_id=p.counsellor_id, due_date=today(),
            title_params={"measure": measure.title, "present": present, "total": total},
            title=_("Attendance in “%(measure)s” has fallen to %(present)s of %(total)s sessions.",
                    measure=measure.title, present=present, total=total)[:300]))
        record("enrolment.attendance_alert", actor=actor, obj=e, participant_id=p.id,
               organisation_id=measure.organisation_id,
               changes={"attendance_rate": [None, round(present / total, 3)]})
    return new


# --- employers -------------------------------------------------------------------------------------

def _clean_employer(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    limits = {"name": 200, "district": 60, "contact_person": 200, "contact_phone": 40,
              "contact_email": 254, "notes": 5000}
    for name, limit in limits.items():
        value = data.get(name)
        if value is not None and not isinstance(value, str):
            errors[name] = [_("Enter text.")]
            continue
        value = (value or "").strip() or None
        if value and len(value) > limit:
            errors[name] = [_("At most %(n)s characters.", n=limit)]
        clean[name] = value
    if not clean.get("name") and "name" not in errors:
        errors["name"] = [_("Enter the company's name.")]
    if clean.get("contact_email") and "@" not in clean["contact_email"]:
        errors["contact_email"] = [_("Enter a valid email address.")]
    for name, allowed in (("nace_section", NACE_LABELS), ("size", COMPANY_SIZE_LABELS)):
        value = data.get(name) or None
        if value is not None and value not in allowed:
            errors[name] = [_("Choose one of: %(values)s.", values=", ".join(allowed))]
        clean[name] = value
    if errors:
        raise DomainError(_("Please correct the marked fields."), code="validation_error", fields=errors)
    return clean


def create_employer(data: dict[str, Any], *, actor) -> Employer:
    """Adds a company to the actor's organisation's employer directory."""
    require_casework(actor)
    clean = _clean_employer(data)
    employer = Employer(organisation_id=actor.organisation_id, **clean)
    db.session.add(employer)
    db.session.flush()
    record("employer.create", actor=actor, obj=employer, changes=snapshot(employer, ("name", "nace_section", "size", "district")))
    db.session.commit()
    return employer


def update_employer(employer: Employer, data: dict[str, Any], *, version: int, actor) -> Employer:
    if employer.version != version:
        raise Conflict(_("Someone else changed this employer in the meantime. Reload it and try again."),
                       code="stale_version")
    merged = {f: getattr(employer, f) for f in EMPLOYER_FIELDS}
    merged.update({k: v for k, v in data.items() if k in EMPLOYER_FIELDS})
    clean = _clean_employer(merged)
    changes = diff(employer, clean)
    for name, value in clean.items():
        setattr(employer, name, value)
    record("employer.update", actor=actor, obj=employer, changes=changes)
    db.session.commit()
    return employer


def measure_for_enrolment_form(actor, measure_id: Any) -> Measure:
    """The measure chosen on an enrolment form or API call: 422 on measure_id when it is not one
    the actor can enrol into."""
    try:
        measure = get_measure_for(actor, int(measure_id))
    except (TypeError, ValueError, NotFound):
        raise DomainError.field("measure_id", _("Choose a measure of your organisation.")) from None
    return measure
