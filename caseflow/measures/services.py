"""Measures, enrolments, attendance and employers: the verbs. Each public function is one unit of
work (`@transactional`, caseflow/database.py): it checks the business rules with a `Checker`, writes,
audits in the same transaction, and commits at the end of the outermost unit (a service called by
another service, e.g. the exit closing enrolments, only flushes).

Locks are taken inside the unit, in the one order of docs/architecture.md: the measure, then the
participant(s) in id order, then the participant's records (the enrolment).

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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from caseflow.audit.services import apply_changes, diff, record, record_changes, snapshot
from caseflow.database import lock_rows, transactional, unit_of_work
from caseflow.errors import Conflict, DomainError, Forbidden, NotFound
from caseflow.extensions import db
from caseflow.i18n import format_day
from caseflow.measures.access import get_measure_for, may_work_with_measure, require_measure_manager
from caseflow.measures.details import DetailsContext, clean_details, details_for_api
from caseflow.measures.models import Attendance, AttendanceSession, Employer, Enrolment, Measure
from caseflow.measures.vocabulary import COMPANY_SIZES, NACE_SECTIONS
from caseflow.models_base import utcnow
from caseflow.participants.access import get_participant_for, require_casework
from caseflow.participants.models import Participant, Task
from caseflow.translation import gettext as _
from caseflow.validation import Checker, check_version
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
# Durations: a session or a note lasts at most a day; an enrolment's own recorded participation at
# most 2,000 hours (the longest measures, e.g. a year's qualification, stay below it).
SESSION_MAX_MINUTES = 1440
KEEP: Any = object()  # "leave as it is" for an optional argument that may be set to None
ENROLMENT_MAX_MINUTES = 2000 * 60
MEASURE_FIELDS = ("title", "type", "start_date", "end_date", "capacity", "location", "description", "active")
EMPLOYER_FIELDS = ("name", "nace_section", "size", "district", "contact_person", "contact_phone",
                   "contact_email", "notes")


def today() -> date:
    return date.today()


# --- measures --------------------------------------------------------------------------------------

def _clean_measure(data: Mapping[str, Any]) -> dict[str, Any]:
    check = Checker(data, summary=_("Please correct the marked fields."))
    clean: dict[str, Any] = {
        "title": check.text("title", required=True, max_length=200),
        "type": check.choice("type", MEASURE_TYPES, required=True),
        "start_date": check.date("start_date", required=True),
    }
    clean["end_date"] = check.date("end_date", not_before=clean["start_date"],
                                   before_message=_("The end cannot be before the start."))
    clean["capacity"] = check.integer("capacity", minimum=1, maximum=10000)
    clean["location"] = check.text("location", max_length=200)
    clean["description"] = check.text("description", max_length=5000)
    clean["active"] = check.boolean("active", default=True)
    check.done()
    return clean


@transactional
def create_measure(data: Mapping[str, Any], *, organisation_id: int | None, actor) -> Measure:
    """Creates a measure of `organisation_id` (team leads: always their own). Raises Forbidden for
    other roles, DomainError (422) for invalid fields, NotFound (404) for an unknown organisation."""
    require_measure_manager(actor)
    if actor.role == "team_lead":
        organisation_id = actor.organisation_id
    if organisation_id is None:
        raise DomainError.field("organisation_id", _("Choose the providing organisation."))
    from caseflow.accounts.models import Organisation
    if db.session.get(Organisation, organisation_id) is None:
        raise NotFound(_("No such organisation."))
    clean = _clean_measure(data)
    measure = Measure(organisation_id=organisation_id, **clean)
    db.session.add(measure)
    db.session.flush()
    record("measure.create", actor=actor, obj=measure, organisation_id=organisation_id,
           changes=snapshot(measure, MEASURE_FIELDS))
    return measure


@transactional
def update_measure(measure: Measure, data: Mapping[str, Any], *, version: Any, actor) -> Measure:
    """Changes a measure (fields absent from `data` stay). Stale version → 409; a raised capacity
    moves people from the waiting list onto the new places. Nothing to change: nothing is written
    (no audit entry, the version stays)."""
    require_measure_manager(actor, measure)
    lock_rows(Measure, [measure.id])
    check_version(measure, version)
    merged = {f: getattr(measure, f) for f in MEASURE_FIELDS}
    merged.update({k: v for k, v in data.items() if k in MEASURE_FIELDS})
    clean = _clean_measure(merged)
    if clean["type"] != measure.type and db.session.scalar(
            sa.select(Enrolment.id).where(Enrolment.measure_id == measure.id).limit(1)):
        raise DomainError.field("type", _("The type cannot change once participants are enrolled."))
    changes = apply_changes(measure, clean)
    if not changes:
        return measure
    record_changes("measure.update", changes, actor=actor, obj=measure, organisation_id=measure.organisation_id)
    _fill_free_places(measure, actor)
    return measure


# --- capacity and the waiting list -----------------------------------------------------------------

def places_taken(measure_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Enrolment).where(
        Enrolment.measure_id == measure_id, Enrolment.status.in_(UNFINISHED_ENROLMENT_STATUSES),
        Enrolment.waitlisted_at.is_(None))) or 0


def fill_free_places(measure_ids: Iterable[int], *, actor) -> None:
    """Moves the waiting lists of `measure_ids` onto the places that came free when another domain
    removed enrolments (an import's undo deletes the ones it created). The caller's unit of work
    locked these measures before any participant or enrolment (lock_rows(Measure, …): the lock
    order), as every service here does."""
    for measure in db.session.scalars(sa.select(Measure).where(Measure.id.in_(sorted(set(measure_ids))))
                                      .order_by(Measure.id)):
        _fill_free_places(measure, actor)


def _fill_free_places(measure: Measure, actor) -> list[Enrolment]:
    """Moves the first ones of the waiting list onto free places (part of the caller's unit, which
    holds the measure's lock)."""
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
    # the participant's organisation, not the measure's: a partner organisation's participant
    # (issue 17) gets the task in their own organisation, from their own counsellor
    cases = {pid: (cid, oid) for pid, cid, oid in db.session.execute(
        sa.select(Participant.id, Participant.counsellor_id, Participant.organisation_id)
        .where(Participant.id.in_([e.participant_id for e in moved])))}
    counsellors = {pid: cid for pid, (cid, _oid) in cases.items()}
    for enrolment in moved:
        enrolment.waitlisted_at = None
        owner = cases[enrolment.participant_id][1]
        record("enrolment.place_offered", actor=actor, obj=enrolment, participant_id=enrolment.participant_id,
               organisation_id=owner, changes={"waitlisted": [True, False]})
        db.session.add(Task(organisation_id=owner, participant_id=enrolment.participant_id,
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
    minutes: int | None = None


def _check_dates_and_status(participant: Participant, values: Mapping[str, Any]) -> Checker:
    """Checks status, start_date, end_date and dropout_reason of `values`; returns the Checker (its
    errors not raised yet, so that the caller can add its own)."""
    check = Checker(values, summary=_("Please correct the marked fields."))
    status = check.choice("status", ENROLMENT_STATUSES, required=True)
    start = check.date("start_date", not_before=participant.entry_date,
                       before_message=_("The start cannot be before the participant's entry (%(date)s).",
                                        date=format_day(participant.entry_date)))
    end = check.date("end_date", not_before=start, before_message=_("The end cannot be before the start."))
    reason = check.text("dropout_reason", max_length=500)
    if check.ok("start_date"):
        check.require(start is not None or status not in ("active", "completed", "dropped_out"), "start_date",
                      _("An enrolment that has started needs its start date."))
        check.require(start is not None or end is None, "start_date", _("Enter the start with the end."))
    if status == "dropped_out" and check.ok("dropout_reason"):
        check.require(bool(reason), "dropout_reason", _("Say why the participant dropped out."))
    check.integer("minutes", minimum=0, maximum=ENROLMENT_MAX_MINUTES)
    return check


def _already_enrolled() -> Conflict:
    return Conflict(_("This participant already has an unfinished enrolment in this measure."),
                    code="already_enrolled")


def _enrol(participant: Participant, measure: Measure, data: EnrolmentInput, *, actor,
           across: bool = False) -> Enrolment:
    """Checks every rule, then adds the enrolment (flushed, not committed). `across`: a partner
    organisation's measure, whose sharing basis the caller has checked (enrol_across_organisations)."""
    if across:
        if measure.organisation_id == participant.organisation_id or data.details:
            raise DomainError.field("measure_id", _("Choose a measure of a partner organisation."))
    elif not may_work_with_measure(actor, measure) or measure.organisation_id != participant.organisation_id:
        raise DomainError.field("measure_id", _("Choose a measure of your organisation."))
    if not measure.active:
        raise DomainError.field("measure_id", _("This measure is not open for enrolment."))
    if participant.status == "exited" and data.status in UNFINISHED_ENROLMENT_STATUSES:
        raise Conflict(_("The participant has left the programme; record a re-entry first."),
                       code="participant_exited")
    _check_dates_and_status(participant, {"status": data.status, "start_date": data.start_date,
                                          "end_date": data.end_date, "dropout_reason": data.dropout_reason,
                                          "minutes": data.minutes}).done()
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
        waitlisted_at=waitlisted_at, details=details or None, minutes=data.minutes,
        created_by_id=getattr(actor, "id", None),
        **columns)
    enrolment.measure = measure
    db.session.add(enrolment)
    db.session.flush()
    changes = snapshot(enrolment, ("measure_id", "status", "start_date", "end_date", "dropout_reason",
                                   "minutes", "host_employer_id", "linked_enrolment_id"))
    if waitlisted_at:
        changes["waitlisted"] = [None, True]
    if details:
        changes["details"] = [None, details]
    record("enrolment.create", actor=actor, obj=enrolment, participant_id=participant.id,
           organisation_id=participant.organisation_id, changes=changes)
    return enrolment


def enrol_participant(participant: Participant, measure: Measure, data: EnrolmentInput, *, actor) -> Enrolment:
    """Enrols `participant` (loaded through get_participant_for, without a lock) in `measure`.

    Locks the measure, then the participant (the one lock order), inside the unit. Raises
    DomainError (422) for invalid fields or details, Conflict (409) for a second unfinished enrolment
    or an exited participant. A full measure puts the enrolment on the waiting list (status
    `planned`, `waitlisted_at` set) instead of refusing it.
    """
    with unit_of_work():
        # The measure's lock serialises enrolments into one measure, so that two cannot take the last
        # place; the participant's lock keeps a second enrolment of the same person out.
        lock_rows(Measure, [measure.id])
        participant = get_participant_for(actor, participant.id, for_update=True)
        try:
            return _enrol(participant, measure, data, actor=actor)
        except IntegrityError:
            # Two requests raced past the check; the partial unique index kept the second one out.
            raise _already_enrolled() from None


def enrol_across_organisations(participant: Participant, measure: Measure, data: EnrolmentInput, *,
                               actor) -> Enrolment:
    """Enrols the actor's own `participant` in a partner organisation's `measure` (issue 17).
    measures knows nothing of partnerships: the caller (caseflow/partnerships/sharing.py) has
    checked the sharing basis (an accepted referral or a data-sharing agreement) and the consent.
    The same rules, locks and audit entry as enrol_participant; no type details (they would point
    at the partner's rows)."""
    with unit_of_work():
        lock_rows(Measure, [measure.id])
        participant = get_participant_for(actor, participant.id, for_update=True)
        try:
            return _enrol(participant, measure, data, actor=actor, across=True)
        except IntegrityError:
            raise _already_enrolled() from None


@transactional
def change_enrolment(enrolment: Enrolment, changes: Mapping[str, Any], *, version: Any, actor) -> Enrolment:
    """Changes status, dates, drop-out reason and details (`changes` holds only what changes;
    `details` is merged into the stored details). Locks the measure, the participant (refusing a
    restricted case, 409) and the enrolment, in that order. Raises Conflict (409) for a stale
    version, a transition that is not allowed or activating a waiting enrolment; DomainError (422)
    for invalid values."""
    lock_rows(Measure, [enrolment.measure.id])
    participant = get_participant_for(actor, enrolment.participant_id, for_update=True)
    apply_enrolment_change(enrolment, participant, changes, version=version, actor=actor)
    return enrolment


@transactional
def apply_enrolment_change(enrolment: Enrolment, participant: Participant, changes: Mapping[str, Any], *,
                           version: Any, actor) -> dict[str, list[Any]]:
    """change_enrolment once the caller has authorised `actor` and locked the measure and the
    participant (the lock order): the partner organisation providing the measure records an
    outcome through caseflow/partnerships/sharing.py, which cannot load the case itself. Answers
    the changes as audited ({} when nothing changed: nothing written, the version stays)."""
    measure = enrolment.measure
    lock_rows(Enrolment, [enrolment.id])
    check_version(enrolment, version)
    unknown = set(changes) - {"status", "start_date", "end_date", "dropout_reason", "details", "minutes"}
    if unknown:
        raise DomainError(_("These fields cannot be changed: %(names)s.", names=", ".join(sorted(unknown))),
                          code="validation_error", fields={n: [_("Cannot be changed.")] for n in unknown})
    old_status = enrolment.status
    status = changes.get("status", old_status)
    if status not in ENROLMENT_STATUSES:
        raise DomainError.field("status", _("Choose one of the offered values."))
    if status != old_status and status not in TRANSITIONS[old_status]:
        allowed = ", ".join(sorted(TRANSITIONS[old_status])) or _("none (final)")
        raise Conflict(_("An enrolment that is %(old)s cannot become %(new)s. Allowed: %(allowed)s.",
                         old=ENROLMENT_STATUSES[old_status], new=ENROLMENT_STATUSES[status], allowed=allowed),
                       code="invalid_transition", fields={"status": [_("This change of status is not allowed.")]})
    if status == "active" and enrolment.waitlisted_at is not None:
        raise Conflict(_("This enrolment is still on the waiting list; it can start once a place is free."),
                       code="waitlisted", fields={"status": [_("Still on the waiting list.")]})
    values = {"status": status, "start_date": changes.get("start_date", enrolment.start_date),
              "end_date": changes.get("end_date", enrolment.end_date),
              "dropout_reason": changes.get("dropout_reason", enrolment.dropout_reason) if status == "dropped_out"
              else None, "minutes": changes.get("minutes", enrolment.minutes)}
    check = _check_dates_and_status(participant, values)
    raw = changes.get("details")
    if raw is not None and not isinstance(raw, Mapping):
        check.add("details", _("details must be an object."))
    check.done()
    new_values: dict[str, Any] = {"status": status, "start_date": values["start_date"], "end_date": values["end_date"],
                                  "dropout_reason": (values["dropout_reason"] or "").strip() or None,
                                  "minutes": values["minutes"]}
    if "details" in changes:
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
        return audit_changes
    apply_changes(enrolment, new_values)
    record_changes("enrolment.update", audit_changes, actor=actor, obj=enrolment, participant_id=participant.id,
                   organisation_id=participant.organisation_id)
    if frees_place:
        _fill_free_places(measure, actor)
    return audit_changes


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


@transactional
def close_enrolments_for_exit(participant: Participant, plan: Mapping[int, str], *, exit_date: date,
                              actor) -> list[Enrolment]:
    """Closes the participant's unfinished enrolments when they leave the programme on `exit_date`,
    each as `plan` says ({enrolment id: status}, each one of `exit_closings`): the end is set to the
    exit day unless it ends earlier, the waiting list is left, and a freed place goes to the next one
    waiting. Locks the measures, then the participant (the caller, the exit, holds it already).
    Raises Conflict (409) for a closing that is not allowed or an enrolment that is not open."""
    enrolments = list(db.session.scalars(sa.select(Enrolment).options(sa.orm.joinedload(Enrolment.measure))
                                         .where(Enrolment.id.in_(list(plan)),
                                                Enrolment.participant_id == participant.id)
                                         .order_by(Enrolment.id)))
    lock_rows(Measure, {e.measure_id for e in enrolments})
    participant = get_participant_for(actor, participant.id, for_update=True)
    lock_rows(Enrolment, [e.id for e in enrolments])
    if {e.id for e in enrolments} != set(plan):
        raise Conflict(_("This participant's enrolments changed in the meantime. Reload and try again."))
    for enrolment in enrolments:
        status = plan[enrolment.id]
        old = enrolment.status
        allowed = exit_closings(enrolment, exit_date)
        if status not in allowed:
            raise Conflict(_("An enrolment that is %(old)s cannot become %(new)s. Allowed: %(allowed)s.",
                             old=ENROLMENT_STATUSES[old], new=ENROLMENT_STATUSES.get(status, status),
                             allowed=", ".join(sorted(allowed)) or _("none (final)")), code="invalid_transition")
        frees_place = old in UNFINISHED_ENROLMENT_STATUSES and enrolment.waitlisted_at is None
        changes: dict[str, Any] = {"status": [old, status]}
        enrolment.status = status
        enrolment.waitlisted_at = None
        starts_after_exit = enrolment.start_date is not None and enrolment.start_date > exit_date
        if not starts_after_exit and (enrolment.end_date is None or enrolment.end_date > exit_date):
            changes["end_date"] = [enrolment.end_date.isoformat() if enrolment.end_date else None,
                                   exit_date.isoformat()]
            enrolment.end_date = exit_date
        record("enrolment.close_at_exit", actor=actor, obj=enrolment, participant_id=participant.id,
               organisation_id=participant.organisation_id, changes=changes)
        if frees_place:
            _fill_free_places(enrolment.measure, actor)
    return enrolments


@dataclass
class BulkResult:
    participant_id: int
    label: str              # case number (never a name: results may be shown or logged in bulk)
    outcome: str            # enrolled, waitlisted, refused
    reason: str = ""
    enrolment_id: int | None = None


@transactional
def bulk_enrol(measure: Measure, participant_ids: Iterable[int], data: EnrolmentInput, *, actor) -> list[BulkResult]:
    """Enrols several participants of the actor's organisation in one step; each is checked by the
    same rules as enrol_participant and refused alone (with the reason) when one fails. Places are
    given in the order of `participant_ids`; the rest go onto the waiting list. Locks the measure,
    then the participants in id order (the one lock order), inside the unit."""
    wanted = list(dict.fromkeys(participant_ids))
    lock_rows(Measure, [measure.id])
    loaded: dict[int, Participant | str] = {}
    for pid in sorted(wanted):
        try:
            loaded[pid] = get_participant_for(actor, pid, for_update=True)
        except (NotFound, Forbidden):
            loaded[pid] = _("No such participant.")
        except DomainError as exc:
            loaded[pid] = exc.message
    results: list[BulkResult] = []
    for pid in wanted:
        participant = loaded[pid]
        if isinstance(participant, str):
            results.append(BulkResult(pid, f"#{pid}", "refused", participant))
            continue
        try:
            enrolment = _enrol(participant, measure, data, actor=actor)
        except IntegrityError:
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
    return results


# --- attendance ------------------------------------------------------------------------------------

@transactional
def add_session(measure: Measure, *, session_date: date | None, topic: str | None, actor,
                minutes: int | None = None) -> AttendanceSession:
    """Adds a session (one per measure and day) to a measure of the actor's organisation; `minutes`,
    its duration (optional, 1 to 1,440), is credited to everyone marked present."""
    if not may_work_with_measure(actor, measure):
        raise NotFound(_("No such measure."))
    lock_rows(Measure, [measure.id])
    check = Checker({"date": session_date, "topic": topic, "minutes": minutes})
    day = check.date("date", required=True, not_before=measure.start_date, not_after=measure.end_date,
                     before_message=_("The session must lie within the measure's dates."),
                     after_message=_("The session must lie within the measure's dates."))
    topic = check.text("topic", max_length=200)
    minutes = check.integer("minutes", minimum=1, maximum=SESSION_MAX_MINUTES)
    check.done()
    assert day is not None
    if db.session.scalar(sa.select(AttendanceSession.id).where(
            AttendanceSession.measure_id == measure.id, AttendanceSession.date == day)):
        raise DomainError.field("date", _("There is a session on this day already."), status=409)
    session = AttendanceSession(measure_id=measure.id, date=day, topic=topic, minutes=minutes)
    db.session.add(session)
    db.session.flush()
    record("attendance_session.create", actor=actor, obj=session, organisation_id=measure.organisation_id,
           changes={"measure_id": [None, measure.id], "date": [None, day.isoformat()], "minutes": [None, minutes]})
    return session


def session_roster(session: AttendanceSession) -> sa.Select:
    """The enrolments that can attend `session`: holding a place, started on or before that day,
    not ended before it. Restricted (GDPR Art. 18) and anonymised cases are read-only and are left
    off the roster, so no attendance (nor an attendance task) is written for them."""
    writable = sa.orm.aliased(Participant)
    # a partner organisation's participant (issue 17) is not on the provider's roster: the provider
    # records their attendance with the data packet only (caseflow/partnerships/sharing.py)
    provider = sa.select(Measure.organisation_id).where(Measure.id == session.measure_id).scalar_subquery()
    return (sa.select(Enrolment).where(
        sa.exists().where(writable.id == Enrolment.participant_id, writable.restricted_at.is_(None),
                          writable.anonymised_at.is_(None), writable.organisation_id == provider),
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


@transactional
def record_attendance(session: AttendanceSession, present: Mapping[int, bool], *, actor,
                      minutes: Any = KEEP) -> list[Enrolment]:
    """Stores who was present at `session` ({enrolment id: present}) for the enrolments on its
    roster (and, when `minutes` is given, the session's duration: None or 1 to 1,440), then raises
    the low-attendance task where a rate fell below 80 %. Returns the
    enrolments for which a task was created. Locks the measure (the enrolments it changes belong to
    many participants, whose rows are not locked: attendance changes none of theirs)."""
    measure = db.session.get(Measure, session.measure_id)
    if measure is None or not may_work_with_measure(actor, measure):
        raise NotFound(_("No such measure."))
    lock_rows(Measure, [measure.id])
    roster = {e.id: e for e in db.session.scalars(session_roster(session))}
    strangers = set(present) - set(roster)
    if strangers:
        raise DomainError.field("present", _("Some of these enrolments cannot attend this session."))
    duration_change: dict[str, Any] = {}
    if minutes is not KEEP:
        check = Checker({"minutes": minutes})
        minutes = check.integer("minutes", minimum=1, maximum=SESSION_MAX_MINUTES)
        check.done()
        if minutes != session.minutes:
            duration_change = {"minutes": [session.minutes, minutes]}
            session.minutes = minutes
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
                    "absent": [None, sum(1 for v in present.values() if not v)], **duration_change})
    return _attendance_alerts(measure, [roster[i] for i in present], actor=actor)


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

def _clean_employer(data: Mapping[str, Any]) -> dict[str, Any]:
    check = Checker(data, summary=_("Please correct the marked fields."))
    clean: dict[str, Any] = {"name": check.text("name", required=True, max_length=200)}
    for name, limit in (("district", 60), ("contact_person", 200), ("contact_phone", 40),
                        ("contact_email", 254), ("notes", 5000)):
        clean[name] = check.text(name, max_length=limit)
    if clean["contact_email"]:
        check.require("@" in clean["contact_email"], "contact_email", _("Enter a valid email address."))
    clean["nace_section"] = check.choice("nace_section", NACE_SECTIONS)
    clean["size"] = check.choice("size", COMPANY_SIZES)
    check.done()
    return clean


@transactional
def create_employer(data: Mapping[str, Any], *, actor) -> Employer:
    """Adds a company to the actor's organisation's employer directory."""
    require_casework(actor)
    clean = _clean_employer(data)
    employer = Employer(organisation_id=actor.organisation_id, **clean)
    db.session.add(employer)
    db.session.flush()
    record("employer.create", actor=actor, obj=employer, changes=snapshot(employer, ("name", "nace_section", "size", "district")))
    return employer


@transactional
def update_employer(employer: Employer, data: Mapping[str, Any], *, version: Any, actor) -> Employer:
    """Changes the fields present in `data`. Stale version → 409. Nothing to change: nothing is
    written (no audit entry, the version stays)."""
    require_casework(actor)
    lock_rows(Employer, [employer.id])
    check_version(employer, version)
    merged = {f: getattr(employer, f) for f in EMPLOYER_FIELDS}
    merged.update({k: v for k, v in data.items() if k in EMPLOYER_FIELDS})
    clean = _clean_employer(merged)
    record_changes("employer.update", apply_changes(employer, clean), actor=actor, obj=employer)
    return employer


def measure_for_enrolment_form(actor, measure_id: Any) -> Measure:
    """The measure chosen on an enrolment form or API call: 404 when it is not one the actor can
    see (another organisation's measure does not exist for them, as everywhere)."""
    if isinstance(measure_id, bool) or not isinstance(measure_id, int):
        raise DomainError.field("measure_id", _("Choose a measure of your organisation."))
    return get_measure_for(actor, measure_id)
