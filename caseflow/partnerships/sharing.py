"""Partner measures (issue 17, item 3): data-sharing agreements between two organisations, and a
counsellor's direct enrolment of their own participant into a partner organisation's measure.

Decisions:
- The basis: an accepted referral between the person's case and the measure's organisation (either
  direction), or a data-sharing agreement between the two organisations in force on the day of the
  enrolment. Both need the participant's live `partner_sharing` consent (409 `consent_required`).
- The enrolment is an ordinary row of `enrolments` in the referring organisation's case: its
  counsellors see and change it as any other (measures.access.get_enrolment_for). The providing
  organisation never loads the case: it reaches the enrolment through `get_partner_enrolment_for`
  (the one loader of this object kind) and sees the data packet only (build_packet), while the
  consent is live; withdrawing the consent hides the packet and stops its recording.
- The provider records attendance (on the measure's sessions, so the rates in the case file count
  it) and the outcome (status, end date, drop-out reason) through measures' own rules.
- Every step writes an audit entry for both organisations.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from caseflow.audit.services import record
from caseflow.database import lock_rows, transactional
from caseflow.errors import Conflict, DomainError, Forbidden, NotFound
from caseflow.extensions import db
from caseflow.measures import services as measures
from caseflow.measures.models import Attendance, AttendanceSession, Enrolment, Measure
from caseflow.participants.access import get_participant_for, require_casework
from caseflow.participants.models import Participant
from caseflow.partnerships.models import DataSharingAgreement, Referral
from caseflow.partnerships.services import (
    _consent_required,
    build_packet,
    has_live_consent,
    partner_organisations,
    shared_partnership_id,
)
from caseflow.translation import gettext as _
from caseflow.validation import MAX_ID, Checker

REFERENCE_MAX = 200
PARTNER_OUTCOME_STATUSES = ("active", "completed", "dropped_out")
ATTENDING_STATUSES = ("active", "completed", "dropped_out")


# --- data-sharing agreements ------------------------------------------------------------------------

def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _in_force(on: date):
    return sa.and_(DataSharingAgreement.valid_from <= on,
                   sa.or_(DataSharingAgreement.valid_until.is_(None), DataSharingAgreement.valid_until >= on))


def agreement_in_force(org_a: int, org_b: int, on: date | None = None) -> DataSharingAgreement | None:
    low, high = _pair(org_a, org_b)
    return db.session.scalar(sa.select(DataSharingAgreement).where(
        DataSharingAgreement.organisation_a_id == low, DataSharingAgreement.organisation_b_id == high,
        _in_force(on or date.today())).order_by(DataSharingAgreement.id).limit(1))


def agreements_for(actor) -> sa.Select:
    """Administrators: every agreement; team leads and counsellors: their organisation's."""
    stmt = sa.select(DataSharingAgreement)
    if actor.role != "admin":
        require_casework(actor)
        stmt = stmt.where(sa.or_(DataSharingAgreement.organisation_a_id == actor.organisation_id,
                                 DataSharingAgreement.organisation_b_id == actor.organisation_id))
    return stmt.order_by(DataSharingAgreement.valid_from.desc(), DataSharingAgreement.id.desc())


@transactional
def record_agreement(data: Mapping[str, Any], *, actor) -> DataSharingAgreement:
    """Records a dated data-sharing agreement between two partner organisations: administrators for
    any two, team leads for their own organisation and one of its partners (`organisation_id` is
    then their own, or left out). Raises Forbidden, DomainError (422)."""
    if actor is None or actor.role not in ("admin", "team_lead"):
        raise Forbidden(_("Only administrators and team leads record data-sharing agreements."))
    check = Checker(data, summary=_("Please correct the marked fields."))
    own = data.get("organisation_id")
    if actor.role == "team_lead":
        check.require(own in (None, actor.organisation_id), "organisation_id",
                      _("A team lead records agreements of their own organisation."))
        own = actor.organisation_id
    partner = data.get("partner_organisation_id")
    check.require(isinstance(own, int), "organisation_id", _("Choose an organisation."))
    check.require(isinstance(partner, int), "partner_organisation_id", _("Choose the partner organisation."))
    valid_from = check.date("valid_from", required=True)
    valid_until = check.date("valid_until", not_before=valid_from,
                             before_message=_("The agreement cannot end before it begins."))
    reference = check.text("reference", required=True, max_length=REFERENCE_MAX)
    if isinstance(own, int) and isinstance(partner, int) and check.ok("partner_organisation_id"):
        check.require(own != partner and shared_partnership_id(own, partner) is not None,
                      "partner_organisation_id", _("Choose a current partner organisation."))
    check.done()
    assert isinstance(own, int) and isinstance(partner, int) and valid_from is not None
    low, high = _pair(own, partner)
    agreement = DataSharingAgreement(organisation_a_id=low, organisation_b_id=high, valid_from=valid_from,
                                     valid_until=valid_until, reference=reference, recorded_by_id=actor.id)
    db.session.add(agreement)
    db.session.flush()
    changes = {"organisations": [None, [low, high]], "valid_from": [None, valid_from.isoformat()],
               "valid_until": [None, valid_until.isoformat() if valid_until else None],
               "reference": [None, reference]}
    for org_id in (low, high):
        record("data_sharing_agreement.create", actor=actor, obj=agreement, organisation_id=org_id, changes=changes)
    return agreement


# --- enrolling into a partner's measure -------------------------------------------------------------

def accepted_referral_between(participant_id: int, organisation_id: int) -> Referral | None:
    """An accepted referral that links this case with `organisation_id`: sent from it to that
    organisation, or the referral from that organisation that opened this case."""
    return db.session.scalar(sa.select(Referral).where(Referral.status == "accepted", sa.or_(
        sa.and_(Referral.participant_id == participant_id, Referral.to_organisation_id == organisation_id),
        sa.and_(Referral.accepted_participant_id == participant_id,
                Referral.from_organisation_id == organisation_id))).order_by(Referral.id).limit(1))


def sharing_basis(participant: Participant, organisation_id: int, on: date | None = None) -> dict[str, Any] | None:
    """{"basis": "referral", "referral_id": …} or {"basis": "agreement", "agreement_id": …}, or None."""
    referral = accepted_referral_between(participant.id, organisation_id)
    if referral is not None:
        return {"basis": "referral", "referral_id": referral.id}
    agreement = agreement_in_force(participant.organisation_id, organisation_id, on)
    if agreement is not None:
        return {"basis": "agreement", "agreement_id": agreement.id}
    return None


def _partner_measure(actor, measure_id: Any) -> Measure:
    partners = [o.id for o in partner_organisations(actor.organisation_id)]
    measure = None
    if isinstance(measure_id, int) and 1 <= measure_id <= MAX_ID and partners:
        measure = db.session.scalar(sa.select(Measure).where(
            Measure.id == measure_id, Measure.organisation_id.in_(partners), Measure.active))
    if measure is None:
        raise DomainError.field("measure_id", _("Choose a measure of a partner organisation."))
    return measure


@transactional
def enrol_in_partner_measure(participant_id: int, data: Mapping[str, Any], *, actor) -> Enrolment:
    """Enrols the actor's own participant into a partner organisation's measure. Raises NotFound
    (not the actor's participant), DomainError (422: no partner measure, dates, status), Conflict
    `consent_required` (no live partner_sharing consent), `no_sharing_basis` (neither an accepted
    referral nor an agreement in force), `already_enrolled`, `participant_exited`."""
    require_casework(actor)
    participant = get_participant_for(actor, participant_id, writable=True, allow_anonymised=False)
    if not has_live_consent(participant.id, "partner_sharing"):
        raise _consent_required()
    measure = _partner_measure(actor, data.get("measure_id"))
    basis = sharing_basis(participant, measure.organisation_id)
    if basis is None:
        raise Conflict(_("Enrolling into a partner's measure needs an accepted referral to this partner or a "
                         "data-sharing agreement with it."), code="no_sharing_basis")
    enrolment = measures.enrol_across_organisations(participant, measure, measures.EnrolmentInput(
        start_date=data.get("start_date"), end_date=data.get("end_date"), status=data.get("status") or "planned"),
        actor=actor)
    record("partner_enrolment.receive", actor=actor, obj=enrolment, organisation_id=measure.organisation_id,
           changes={"measure_id": [None, measure.id], "status": [None, enrolment.status],
                    "from_organisation_id": [None, participant.organisation_id], **{
                        k: [None, v] for k, v in basis.items()}})
    return enrolment


# --- the providing organisation's side ----------------------------------------------------------------

def partner_enrolments_for(actor) -> sa.Select:
    """The enrolments of other organisations' participants in the actor's organisation's measures
    (the provider's side), newest first, with their measures."""
    require_casework(actor)
    return (sa.select(Enrolment).join(Measure, Measure.id == Enrolment.measure_id)
            .join(Participant, Participant.id == Enrolment.participant_id)
            .where(Measure.organisation_id == actor.organisation_id,
                   Participant.organisation_id != actor.organisation_id)
            .options(contains_eager(Enrolment.measure))
            .order_by(Enrolment.created_at.desc(), Enrolment.id.desc()))


def get_partner_enrolment_for(actor, enrolment_id: int) -> Enrolment:
    """A partner's participant's enrolment in one of the actor's organisation's measures; NotFound
    otherwise (the sender's own enrolments are loaded through measures.access.get_enrolment_for)."""
    if not isinstance(enrolment_id, int) or not 1 <= enrolment_id <= MAX_ID:
        raise NotFound(_("No such enrolment."))
    enrolment = db.session.scalar(partner_enrolments_for(actor).where(Enrolment.id == enrolment_id))
    if enrolment is None:
        raise NotFound(_("No such enrolment."))
    return enrolment


def packet_shown(enrolment: Enrolment) -> bool:
    participant = db.session.get(Participant, enrolment.participant_id)
    return (participant is not None and participant.anonymised_at is None and participant.restricted_at is None
            and has_live_consent(enrolment.participant_id, "partner_sharing"))


@transactional
def read_partner_packet(enrolment: Enrolment, *, actor) -> dict[str, Any] | None:
    """The data packet of a partner enrolment for the provider (audited), or None once the consent
    is withdrawn (or the case restricted or anonymised)."""
    if enrolment.measure.organisation_id != actor.organisation_id:
        raise NotFound(_("No such enrolment."))
    if not packet_shown(enrolment):
        return None
    record("partner_enrolment.packet_view", actor=actor, obj=enrolment, organisation_id=actor.organisation_id)
    participant = db.session.get(Participant, enrolment.participant_id)
    assert participant is not None
    return build_packet(participant)


def _lock_for_provider(enrolment_id: int, actor) -> tuple[Enrolment, Participant]:
    """The lock order (measure, participant, then the enrolment in the measures service); refuses
    once the consent is gone (409 consent_required) or the case is restricted (409 restricted)."""
    if actor.role not in ("counsellor", "team_lead"):
        raise Forbidden(_("Your role does not give access to personal data of participants."))
    enrolment = get_partner_enrolment_for(actor, enrolment_id)
    lock_rows(Measure, [enrolment.measure_id])
    participant = lock_rows(Participant, [enrolment.participant_id])[0]
    if participant.restricted_at is not None:
        raise Conflict(_("Processing of this case is restricted; it is read-only."), code="restricted")
    if participant.anonymised_at is not None or not has_live_consent(participant.id, "partner_sharing"):
        raise _consent_required()
    return enrolment, participant


def _audit_sender(action: str, enrolment: Enrolment, participant: Participant, *, actor, changes: dict) -> None:
    record(action, actor=actor, obj=enrolment, organisation_id=participant.organisation_id,
           participant_id=participant.id, changes=changes)


@transactional
def record_partner_attendance(enrolment_id: int, day: Any, present: Any, *, actor) -> Attendance:
    """The provider records whether the partner's participant attended on `day` (the measure's
    session of that day, added when missing). Raises NotFound, Conflict `consent_required`,
    DomainError (the day outside the measure or the enrolment)."""
    enrolment, participant = _lock_for_provider(enrolment_id, actor)
    measure = enrolment.measure
    check = Checker({"date": day, "present": present}, summary=_("Please correct the marked fields."))
    session_day = check.date("date", required=True, not_before=measure.start_date, not_after=measure.end_date,
                             before_message=_("The session must lie within the measure's dates."),
                             after_message=_("The session must lie within the measure's dates."))
    check.require(isinstance(present, bool), "present", _("Say whether the participant attended."))
    if session_day is not None and check.ok("date"):
        check.require(enrolment.waitlisted_at is None and enrolment.status in ATTENDING_STATUSES
                      and enrolment.start_date is not None and enrolment.start_date <= session_day
                      and (enrolment.end_date is None or enrolment.end_date >= session_day), "date",
                      _("The enrolment has not started on this day or has ended before it."))
    check.done()
    assert session_day is not None
    session = db.session.scalar(sa.select(AttendanceSession).where(
        AttendanceSession.measure_id == measure.id, AttendanceSession.date == session_day))
    if session is None:
        session = measures.add_session(measure, session_date=session_day, topic=None, actor=actor)
    row = db.session.scalar(sa.select(Attendance).where(Attendance.session_id == session.id,
                                                        Attendance.enrolment_id == enrolment.id))
    old = None if row is None else row.present
    if row is None:
        row = Attendance(session_id=session.id, enrolment_id=enrolment.id, present=bool(present))
        db.session.add(row)
    else:
        row.present = bool(present)
    db.session.flush()
    changes = {"date": [None, session_day.isoformat()], "present": [old, bool(present)]}
    record("partner_enrolment.attendance", actor=actor, obj=enrolment, organisation_id=measure.organisation_id,
           changes=changes)
    _audit_sender("partner_enrolment.attendance", enrolment, participant, actor=actor, changes=changes)
    return row


@transactional
def record_partner_outcome(enrolment_id: int, changes: Mapping[str, Any], *, version: Any, actor) -> Enrolment:
    """The provider records the start, completion or drop-out of a partner's enrolment (`status`
    one of active, completed, dropped_out; `start_date`, `end_date`, `dropout_reason`), under the
    measures' transition and date rules. Raises NotFound, Conflict (`consent_required`,
    `stale_version`, `invalid_transition`), DomainError."""
    enrolment, participant = _lock_for_provider(enrolment_id, actor)
    unknown = set(changes) - {"status", "start_date", "end_date", "dropout_reason"}
    if unknown:
        raise DomainError(_("These fields cannot be changed: %(names)s.", names=", ".join(sorted(unknown))),
                          code="validation_error", fields={n: [_("Cannot be changed.")] for n in unknown})
    if changes.get("status") not in PARTNER_OUTCOME_STATUSES:
        raise DomainError.field("status", _("Choose one of the offered values."))
    before = enrolment.status
    if not measures.apply_enrolment_change(enrolment, participant, changes, version=version, actor=actor):
        return enrolment  # nothing changed: nothing written on either side, the version stays
    record("partner_enrolment.outcome", actor=actor, obj=enrolment, organisation_id=enrolment.measure.organisation_id,
           changes={"status": [before, enrolment.status],
                    "end_date": [None, enrolment.end_date.isoformat() if enrolment.end_date else None]})
    return enrolment
