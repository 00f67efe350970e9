"""Outcomes: placements, exits and re-entries, certificates and follow-ups.

Every function is one unit of work (`@transactional`): it takes a participant already loaded through
`caseflow.participants.access.get_participant_for` (or an object loaded through `access.py` of this
domain) without a lock, locks what it changes in the one lock order (measures, the participant, the
participant's records), checks the business rules with a `Checker`, writes the change and its audit
entry, and commits at the end of the outermost unit. Rule violations raise `DomainError` (422 with
field messages), `Conflict` (409), or `NotFound` (404) for an employer or enrolment the account
cannot see (another organisation's).

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
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import format_date
from sqlalchemy.orm import joinedload

from caseflow.audit.services import apply_changes, diff, record, record_changes, snapshot
from caseflow.database import lock_rows, transactional
from caseflow.errors import Conflict, NotFound
from caseflow.extensions import db
from caseflow.i18n import format_day
from caseflow.measures.models import Employer, Enrolment, Measure
from caseflow.measures.services import close_enrolments_for_exit, exit_closings
from caseflow.models_base import utcnow
from caseflow.participants.access import get_participant_for
from caseflow.participants.models import Participant, StatusChange, Task
from caseflow.placements import contracts
from caseflow.placements.contracts import ContractUpload
from caseflow.placements.models import Certificate, Exit, FollowUp, Placement, ReEntry
from caseflow.placements.vocabulary import ENROLMENT_CLOSINGS, EVIDENCE_KINDS, FOLLOW_UP_KINDS, IMPROVEMENT_KINDS
from caseflow.translation import gettext as _
from caseflow.validation import MAX_ID, Checker, check_version
from caseflow.vocabulary import (
    EXIT_REASONS,
    FOLLOW_UP_STATUSES,
    LABOUR_STATUSES,
    PLACEMENT_STATUS,
    PLACEMENT_TYPES,
    UNFINISHED_ENROLMENT_STATUSES,
)

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


def _lock_participant(participant: Participant, actor) -> Participant:
    """The participant again, locked for this unit (refusing restricted and anonymised cases)."""
    return get_participant_for(actor, participant.id, for_update=True, allow_anonymised=False)


def _participant_enrolment(participant: Participant, check: Checker, field: str = "enrolment_id") -> int | None:
    """The enrolment id of `field`: one of this participant's. Another organisation's (or none)
    does not exist for the account (404); another participant's is a field error."""
    enrolment_id = check.integer(field, minimum=1)
    if enrolment_id is None:
        return None
    owner = None if enrolment_id > MAX_ID else db.session.execute(
        sa.select(Participant.id, Participant.organisation_id).join(Enrolment, Enrolment.participant_id == Participant.id)
        .where(Enrolment.id == enrolment_id)).first()
    if owner is None or owner.organisation_id != participant.organisation_id:
        raise NotFound(_("No such enrolment."))
    check.require(owner.id == participant.id, field, _("Choose one of this participant's enrolments."))
    return enrolment_id if check.ok(field) else None


def _hours(check: Checker) -> Decimal | None:
    value = check.values.get("weekly_hours")
    if value is None:
        return None
    message = _("Enter the weekly hours as a number from 1 to 60.")
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        check.add("weekly_hours", message)
        return None
    hours = Decimal(str(value))
    if not hours.is_finite() or hours < 1 or hours > 60:
        check.add("weekly_hours", message)
        return None
    return hours.quantize(Decimal("0.1"))


def _country(check: Checker) -> str:
    from caseflow.i18n import valid_country_codes
    value = check.values.get("country")
    if value in (None, ""):
        return "DE"
    if not isinstance(value, str) or value.upper() not in valid_country_codes():
        check.add("country", _("Use an ISO 3166-1 alpha-2 country code such as DE."))
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

def _resolve_employer(participant: Participant, check: Checker, actor) -> tuple[Employer | None, str | None]:
    """(directory employer, its name) from `employer_id` or `employer_name`. An employer the account
    cannot see (another organisation's) is 404. A new name creates an Employer of the participant's
    organisation on the spot, unless the directory has one of that name already (case-insensitive)."""
    employer_id = check.integer("employer_id", minimum=1)
    if employer_id is not None:
        employer = None if employer_id > MAX_ID else db.session.scalar(sa.select(Employer).where(
            Employer.id == employer_id, Employer.organisation_id == participant.organisation_id))
        if employer is None:
            raise NotFound(_("No such employer."))
        return employer, employer.name
    name = check.text("employer_name", max_length=200)
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

def _validate_placement(participant: Participant, data: Mapping[str, Any], check: Checker,
                        current: Placement | None = None) -> dict[str, Any]:
    """Checks the placement fields present in `data` (all of them when creating)."""
    clean: dict[str, Any] = {"type": check.choice("type", PLACEMENT_TYPES, required=True),
                             "job_title": check.text("job_title", max_length=200),
                             "occupation": check.text("occupation", max_length=200)}
    start = check.date("start_date", required=True, not_before=participant.entry_date,
                       before_message=_("The placement cannot start before the participant's entry (%(date)s).",
                                        date=format_day(participant.entry_date)))
    clean["start_date"] = start
    clean["end_date"] = check.date("end_date", not_before=start, before_message=_("The end cannot be before the start."))
    clean["weekly_hours"] = _hours(check)
    clean["permanent"] = _yes_no_or_unknown(check, "permanent")
    clean["matches_qualification"] = _yes_no_or_unknown(check, "matches_qualification")
    clean["country"] = _country(check)
    clean["evidence"] = check.choice("evidence", EVIDENCE_KINDS)
    clean["enrolment_id"] = _participant_enrolment(participant, check)
    return clean


def _yes_no_or_unknown(check: Checker, name: str) -> bool | None:
    return None if check.values.get(name) is None else check.boolean(name)


def _merged(data: Mapping[str, Any], current: Placement | None) -> dict[str, Any]:
    """`data` over the current placement's values (what a change does not name stays)."""
    values = {name: getattr(current, name) for name in PLACEMENT_FIELDS} if current is not None else {}
    values.update(data)
    return values


@transactional
def record_placement(participant: Participant, data: Mapping[str, Any], *, actor,
                     contract: ContractUpload | None = None) -> Placement:
    """Records a placement and, in the same transaction, the status change its type implies on its
    start date. Recordable before and after the exit. With `contract`, the employment contract is
    stored as the placement's evidence in the same transaction (contracts.py): a refused file leaves
    no placement, a refused placement no file; the evidence, when not given, becomes "contract seen".

    `data`: type, employer_id (of the participant's organisation) or employer_name (a new or existing
    directory entry), job_title, occupation, start_date, end_date, weekly_hours (1–60), permanent,
    country (ISO, default DE), matches_qualification, enrolment_id (this participant's), evidence,
    optional status_after_end (adds the status that follows on the day after a known end date).
    Raises DomainError (422) naming every bad field, NotFound for another organisation's employer
    or enrolment.
    """
    participant = _lock_participant(participant, actor)
    check = Checker(data)
    clean = _validate_placement(participant, data, check)
    status_after = check.choice("status_after_end", LABOUR_STATUSES)
    if status_after:
        check.require(clean["end_date"] is not None, "status_after_end",
                      _("Give the end date together with the status that follows."))
    employer, employer_name = _resolve_employer(participant, check, actor) if check.ok("employer_id") else (None, None)
    if clean["type"] != "self_employment" and check.ok("employer_id", "employer_name"):
        check.require(employer is not None, "employer_name",
                      _("Choose an employer of the directory or enter a new one."))
    check.done()
    if contract is not None and clean["evidence"] is None:
        clean["evidence"] = "contract_seen"
    placement = Placement(participant_id=participant.id, employer_id=employer.id if employer else None,
                          employer_name=employer_name, created_by_id=getattr(actor, "id", None), **clean)
    db.session.add(placement)
    db.session.flush()
    status = PLACEMENT_STATUS[placement.type]
    if status:
        _add_status(participant, placement.start_date, status, "placement", actor, placement.id)
    if status_after and placement.end_date:
        _add_status(participant, placement.end_date + timedelta(days=1), status_after, "placement_end",
                    actor, placement.id)
    changes = snapshot(placement, PLACEMENT_FIELDS)
    if status:
        changes["status_change"] = [None, f"{placement.start_date.isoformat()} {status}"]
    record("placement.create", actor=actor, obj=placement, participant_id=participant.id,
           organisation_id=participant.organisation_id, changes=changes)
    if contract is not None:
        contracts.attach(placement, participant, contract, actor=actor)
    return placement


@transactional
def update_placement(placement: Placement, participant: Participant, data: Mapping[str, Any], *,
                     version: Any, actor, contract: ContractUpload | None = None) -> Placement:
    """Changes the fields present in `data` after comparing `version` (409 when stale). The status
    changes the placement added follow: a new type or start date replaces its start status change
    (re-recorded now, so that it is the latest record of its day); a new end date moves the status
    that follows to the day after it; clearing the end date removes it. With `contract`, a contract
    is added to the placement's evidence in the same transaction (as in record_placement). Nothing
    to change: nothing is written (no audit entry, the version stays)."""
    participant = _lock_participant(participant, actor)
    lock_rows(Placement, [placement.id])
    check_version(placement, version)
    check = Checker(_merged(data, placement))
    clean = _validate_placement(participant, data, check, current=placement)
    if "employer_id" in data or "employer_name" in data:
        sent = Checker(data)
        employer, employer_name = _resolve_employer(participant, sent, actor)
        for name, messages in sent.fields.items():
            for message in messages:
                check.add(name, message)
        if clean["type"] != "self_employment":
            check.require(employer is not None, "employer_name",
                          _("Choose an employer of the directory or enter a new one."))
        clean["employer_id"], clean["employer_name"] = (employer.id if employer else None), employer_name
    check.done()
    if contract is not None and clean["evidence"] is None:
        clean["evidence"] = "contract_seen"
    changes = diff(placement, clean)
    if not changes:
        if contract is not None:
            contracts.attach(placement, participant, contract, actor=actor)
        return placement
    linked = _placement_status_changes(placement)
    apply_changes(placement, clean)
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
    record_changes("placement.update", changes, actor=actor, obj=placement, participant_id=participant.id,
                   organisation_id=participant.organisation_id)
    if contract is not None:
        contracts.attach(placement, participant, contract, actor=actor)
    return placement


@transactional
def end_placement(placement: Placement, participant: Participant, *, end_date: Any, status_after: Any,
                  version: Any, actor) -> Placement:
    """Ends a placement on `end_date` and records `status_after` (a labour-market status) on the day
    after it. Ending again corrects both. Raises Conflict when `version` is stale."""
    participant = _lock_participant(participant, actor)
    lock_rows(Placement, [placement.id])
    check_version(placement, version)
    check = Checker({"end_date": end_date, "status_after_end": status_after})
    end = check.date("end_date", required=True, not_before=placement.start_date,
                     before_message=_("The end cannot be before the start."))
    status = check.choice("status_after_end", LABOUR_STATUSES, required=True)
    check.done()
    assert end is not None and status is not None
    changes = diff(placement, {"end_date": end})
    placement.end_date = end
    existing = _placement_status_changes(placement).get("placement_end")
    if existing is not None:
        db.session.delete(existing)
    _add_status(participant, end + timedelta(days=1), status, "placement_end", actor, placement.id)
    changes["status_after_end"] = [existing.status if existing else None, status]
    record("placement.end", actor=actor, obj=placement, participant_id=participant.id,
           organisation_id=participant.organisation_id, changes=changes)
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


def _closing_plan(enrolments: list[Enrolment], exit_date: date, close_as: Any, check: Checker) -> dict[int, str]:
    """{enrolment id: closing status} from `close_as`: None (defaults), one status for all, or a
    mapping of enrolment id to status (missing ids take the default)."""
    plan = {e.id: default_closing_status(e, exit_date) for e in enrolments}
    field = "close_enrolments_as"
    if close_as in (None, ""):
        return plan
    if isinstance(close_as, str):
        if close_as not in ENROLMENT_CLOSINGS:
            check.add(field, _("Choose one of the offered values."))
            return plan
        return {e.id: close_as for e in enrolments}
    if not isinstance(close_as, Mapping):
        check.add(field, _("Give one status for all open enrolments or one per enrolment id."))
        return plan
    for key, status in close_as.items():
        enrolment_id = int(key) if isinstance(key, (int, str)) and str(key).isascii() and str(key).isdigit() else None
        if enrolment_id not in plan:
            check.add(field, _("Enrolment %(id)s is not an open enrolment of this participant.", id=str(key)[:20]))
        elif not isinstance(status, str) or status not in ENROLMENT_CLOSINGS:
            check.add(field, _("Choose one of the offered values."))
        else:
            plan[enrolment_id] = status
    return plan


@transactional
def exit_participant(participant: Participant, *, exit_date: Any, reason: Any, close_enrolments_as: Any = None,
                     actor) -> ExitResult:
    """Records the exit: the participant becomes `exited` with this exit date and reason; every open
    enrolment (planned or active) is closed as the counsellor confirmed (see `_closing_plan`) by the
    measures service `close_enrolments_for_exit`, in this unit; the counsellor gets the tasks "4-week
    check" (exit + 28 days) and "six-month follow-up" (exit + 6 calendar months). Locks the open
    enrolments' measures, then the participant. Raises Conflict when the participant has exited
    already, DomainError for a bad date (before the entry or the last re-entry) or reason."""
    lock_rows(Measure, {e.measure_id for e in open_enrolments(participant)})
    participant = _lock_participant(participant, actor)
    if participant.status == "exited":
        raise Conflict(_("This participant has exited already. Record a re-entry first."), code="already_exited")
    check = Checker({"exit_date": exit_date, "reason": reason})
    last_re_entry = db.session.scalar(sa.select(sa.func.max(ReEntry.date)).where(
        ReEntry.participant_id == participant.id))
    day = check.date("exit_date", required=True, not_before=participant.entry_date, not_after=_today(),
                     before_message=_("The exit cannot be before the entry (%(date)s).",
                                      date=format_day(participant.entry_date)),
                     after_message=_("The date cannot be in the future."))
    if day and last_re_entry and check.ok("exit_date"):
        check.require(day >= last_re_entry, "exit_date",
                      _("The exit cannot be before the re-entry (%(date)s).", date=format_day(last_re_entry)))
    why = check.choice("reason", EXIT_REASONS, required=True)
    enrolments = open_enrolments(participant)
    plan = _closing_plan(enrolments, day or participant.entry_date, close_enrolments_as, check)
    for enrolment in enrolments:
        if day and plan[enrolment.id] not in exit_closings(enrolment, day):
            if enrolment.start_date and enrolment.start_date > day:
                check.add("close_enrolments_as", _("An enrolment that starts after the exit can only be cancelled."))
            elif enrolment.status == "active":
                check.add("close_enrolments_as", _("An active enrolment is completed or dropped out, not cancelled."))
            else:
                check.add("close_enrolments_as", _("An enrolment on the waiting list can only be cancelled."))
    check.done()
    assert day is not None and why is not None

    exit_row = Exit(participant_id=participant.id, exit_date=day, reason=why,
                    created_by_id=getattr(actor, "id", None))
    db.session.add(exit_row)
    # the measures domain's own service: end date, waiting list, a freed place passed on, audit
    closed = close_enrolments_for_exit(participant, plan, exit_date=day, actor=actor)
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
    return ExitResult(exit_row, closed, tasks)


@transactional
def re_enter_participant(participant: Participant, *, re_entry_date: Any, actor) -> ReEntry:
    """Reopens an exited case on `re_entry_date` (not before the last exit): the participant is
    `active` again, the first entry date stays, the exit date is cleared (the final exit is the next
    one). Open follow-up tasks of the previous exit are removed; the next exit creates new ones.
    Raises Conflict when the participant is not exited."""
    participant = _lock_participant(participant, actor)
    if participant.status != "exited":
        raise Conflict(_("Only an exited participant can re-enter."), code="not_exited")
    check = Checker({"date": re_entry_date})
    day = check.date("date", required=True, not_before=participant.exit_date, not_after=_today(),
                     before_message=_("The re-entry cannot be before the last exit (%(date)s).",
                                      date=format_day(participant.exit_date)),
                     after_message=_("The date cannot be in the future."))
    check.done()
    assert day is not None
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
    return re_entry


# --- certificates ----------------------------------------------------------------------------------

@transactional
def record_certificate(participant: Participant, data: Mapping[str, Any], *, actor) -> Certificate:
    """Records a qualification gained: date (from the entry date on, not in the future), title,
    issuing body, the enrolment it came from (this participant's; another organisation's is 404).
    Recordable after the exit."""
    participant = _lock_participant(participant, actor)
    check = Checker(data)
    day = check.date("date", required=True, not_before=participant.entry_date, not_after=_today(),
                     before_message=_("A qualification gained in the programme cannot be dated before the entry "
                                      "(%(date)s).", date=format_day(participant.entry_date)),
                     after_message=_("The date cannot be in the future."))
    title = check.text("title", required=True, max_length=200)
    issuing_body = check.text("issuing_body", max_length=200)
    enrolment_id = _participant_enrolment(participant, check)
    check.done()
    certificate = Certificate(participant_id=participant.id, date=day, title=title, issuing_body=issuing_body,
                              enrolment_id=enrolment_id, created_by_id=getattr(actor, "id", None))
    db.session.add(certificate)
    db.session.flush()
    record("certificate.create", actor=actor, obj=certificate, participant_id=participant.id,
           organisation_id=participant.organisation_id,
           changes=snapshot(certificate, ("date", "title", "issuing_body", "enrolment_id")))
    return certificate


# --- follow-ups ------------------------------------------------------------------------------------

def improvement_applies(participant: Participant) -> bool:
    """Whether an improved situation can be recorded: only for people employed at entry."""
    return participant.labour_status_at_entry in ("employed", "self_employed")


# The funder counts a six-month follow-up only about six months after the exit, and a four-week check
# only around exit + 28 days (the reference day of the status upon leaving).
SIX_MONTHS_EARLIEST = 5            # months after the exit
FOUR_WEEKS_WINDOW = (14, 42)       # days after the exit


def _check_follow_up_date(check: Checker, kind: str, day: date, exit_date: date) -> None:
    if kind == "six_months":
        earliest = add_months(exit_date, SIX_MONTHS_EARLIEST)
        if day < earliest:
            check.add("date", _("A six-month follow-up is dated about six months after the exit: not before "
                                "%(date)s (exit + 5 months).", date=format_date(earliest, "medium")))
    elif kind == "four_weeks":
        start, end = (exit_date + timedelta(days=d) for d in FOUR_WEEKS_WINDOW)
        if not start <= day <= end:
            check.add("date", _("A four-week check is dated around four weeks after the exit: between %(start)s "
                                "and %(end)s.", start=format_date(start, "medium"),
                      end=format_date(end, "medium")))


def follow_up_kind_of_task(participant: Participant, task_id: int) -> str | None:
    """The follow-up kind a task stands for (`four_weeks` for a four-week check task, `six_months`
    for a six-month follow-up task), when `task_id` is one of `participant`'s tasks; None otherwise."""
    task_kind = db.session.scalar(sa.select(Task.kind).where(Task.id == task_id,
                                                             Task.participant_id == participant.id))
    return next((kind for kind, tk in TASK_KIND_FOR_FOLLOW_UP.items() if tk == task_kind), None)


@transactional
def record_follow_up(participant: Participant, data: Mapping[str, Any], *, actor) -> FollowUp:
    """Records a follow-up after the exit: kind (`six_months`, or `four_weeks`), date (not before the
    exit, not in the future), status (a labour-market status, or `unknown` when the person could not
    be reached — never recorded as unemployed), and for people employed at entry whether the
    situation improved and how (stable contract, full time, higher skills, promotion; a pay rise
    alone is no improvement, so it is no option). A known status is added to the status history on
    the follow-up date. Completes the open task of the same kind. The latest six-month follow-up is
    the one that counts. Raises Conflict while the participant has not exited."""
    participant = _lock_participant(participant, actor)
    if participant.status != "exited" or participant.exit_date is None:
        raise Conflict(_("A follow-up is recorded after the exit."), code="not_exited")
    # the API's default kind is six_months (interfaces.md); a form sends "" when nothing was chosen
    check = Checker({**data, "kind": data.get("kind", "six_months")})
    kind = check.choice("kind", FOLLOW_UP_KINDS, required=True)
    day = check.date("date", required=True, not_before=participant.exit_date, not_after=_today(),
                     before_message=_("The follow-up cannot be before the exit (%(date)s).",
                                      date=format_day(participant.exit_date)),
                     after_message=_("The date cannot be in the future."))
    if day is not None and kind is not None:
        _check_follow_up_date(check, kind, day, participant.exit_date)
    status = check.choice("status", FOLLOW_UP_STATUSES, required=True)
    improved = _yes_no_or_unknown(check, "improved_situation")
    how = check.choice("improvement_kind", IMPROVEMENT_KINDS)
    if improved or how:
        if not improvement_applies(participant):
            check.add("improved_situation", _("An improved situation is recorded only for people employed at entry."))
        elif status not in ("employed", "self_employed"):
            check.add("improved_situation", _("An improved situation needs a status of employed or self-employed."))
        elif improved is False and how:
            check.add("improvement_kind", _("Leave this empty when the situation did not improve."))
        else:
            # interfaces.md: the kind is optional; improved without a kind is counted as improved
            # and its kind stays unknown (NULL), shown as "kind not recorded".
            improved = True
    check.done()
    assert kind is not None and day is not None and status is not None
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
    return follow_up
