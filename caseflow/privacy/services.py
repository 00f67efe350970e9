"""Data protection verbs: consent, restriction of processing, subject-access export,
anonymisation and retention. Each is one unit of work (caseflow/database.py): it checks, writes and
audits; the unit commits once, or rolls everything back when anything fails.

Decisions taken here (see also the record of processing page):
- Consent: counsellors and team leads record and withdraw. Several records for one purpose may
  exist (a renewed notice); a purpose is covered while at least one of its records is not withdrawn.
  Withdrawal stays possible on a restricted case: it only takes data away.
- Restriction (Art. 18) is set and lifted by team leads: it is a formal decision of the
  organisation, and lifting it means informing the person first (Art. 18(3)).
- Anonymisation refuses a restricted case (409): the person may need the data for a legal claim
  (Art. 18(1)(c)); lift the restriction first. Retention leaves restricted cases alone for the
  same reason.
- The anonymisation keeps its reason in the audit entry, with the person's own name, email, phone
  and birth date cut out of it, so that the act stays explainable without the data.
"""
from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import current_app

from caseflow.audit.services import record
from caseflow.database import plain_rows, transactional, unit_of_work
from caseflow.errors import Conflict, DomainError, Forbidden, NotFound
from caseflow.extensions import db
from caseflow.models_base import utcnow
from caseflow.participants.access import get_participant_for
from caseflow.participants.models import Participant
from caseflow.privacy.anonymisation import Identifiers, scrub_participant_data
from caseflow.privacy.export import build_export
from caseflow.privacy.models import CONSENT_FORMS, CONSENT_PURPOSES, Consent
from caseflow.translation import gettext as _
from caseflow.validation import REQUIRED, Checker, check_version

REASON_MAX = 500

# Called as hook(participant_id, purpose, actor=...) inside the unit of work of every consent
# recorded or withdrawn; higher domains (partnerships) register here at start-up.
consent_hooks: list[Any] = []


def _consent_changed(participant_id: int, purpose: str, *, actor) -> None:
    db.session.flush()
    for hook in consent_hooks:
        hook(participant_id, purpose, actor=actor)


def _require_team_lead(actor) -> None:
    if actor is None or actor.role != "team_lead":
        raise Forbidden(_("Only team leads may do this."))


def _today() -> date:
    return date.today()


# --- consent ---------------------------------------------------------------------------------------

@dataclass
class ConsentData:
    purpose: str
    given_on: date | None
    form: str
    notice_version: str
    notice_language: str
    witness: str | None = None


def _validate_consent(data: ConsentData) -> Checker:
    from caseflow.i18n import valid_language_codes
    errors = Checker({}, summary=_("Please correct the marked fields."))
    # nothing chosen or entered: the one required-field message, as everywhere
    for name in ("purpose", "given_on", "form", "notice_language"):
        if getattr(data, name) in (None, ""):
            errors.add(name, str(REQUIRED))
    if data.purpose and data.purpose not in CONSENT_PURPOSES:
        errors.add("purpose", _("Choose one of: %(values)s.", values=", ".join(CONSENT_PURPOSES)))
    if data.given_on is not None and data.given_on > _today():
        errors.add("given_on", _("The date of the consent cannot be in the future."))
    if data.form and data.form not in CONSENT_FORMS:
        errors.add("form", _("Choose one of: %(values)s.", values=", ".join(CONSENT_FORMS)))
    witness = (data.witness or "").strip()
    if data.form == "oral_witnessed" and not witness:
        errors.add("witness", _("Oral consent needs the name of the witness."))
    elif len(witness) > 200:
        errors.add("witness", _("At most %(n)s characters.", n=200))
    version = (data.notice_version or "").strip()
    if not version or len(version) > 40:
        errors.add("notice_version", _("Enter the version of the privacy notice (1 to 40 characters)."))
    if data.notice_language and data.notice_language not in valid_language_codes():
        errors.add("notice_language", _("Choose the language of the privacy notice."))
    return errors


def _valid_special_consents(participant_id: int) -> list[Consent]:
    return list(db.session.scalars(sa.select(Consent).where(
        Consent.participant_id == participant_id, Consent.purpose == "special_categories",
        Consent.withdrawn_on.is_(None)).order_by(Consent.given_on.desc(), Consent.id.desc())))


def special_consent_withdrawn(participant_id: int) -> bool:
    """True when the participant's consent to special categories was recorded and withdrawn, with
    none live now (participants.services refuses to record disability or minority then)."""
    withdrawn = sa.func.count().filter(Consent.withdrawn_on.is_not(None))
    live = sa.func.count().filter(Consent.withdrawn_on.is_(None))
    row = db.session.execute(sa.select(withdrawn.label("withdrawn"), live.label("live")).where(
        Consent.participant_id == participant_id, Consent.purpose == "special_categories")).one()
    return bool(row.withdrawn) and not row.live


@transactional
def record_consent(participant_id: int, data: ConsentData, *, actor) -> Consent:
    """Records a consent. Raises NotFound/Forbidden (access), Conflict 'restricted', DomainError (fields)."""
    participant = get_participant_for(actor, participant_id, for_update=True, allow_anonymised=False)
    _validate_consent(data).done()
    consent = Consent(participant_id=participant.id, purpose=data.purpose, given_on=data.given_on,
                      form=data.form, notice_version=data.notice_version.strip(),
                      notice_language=data.notice_language,
                      witness=(data.witness or "").strip() if data.form == "oral_witnessed" else None,
                      recorded_by_id=actor.id)
    db.session.add(consent)
    db.session.flush()
    record("consent.record", actor=actor, obj=consent, participant_id=participant.id,
           changes={"purpose": [None, consent.purpose], "given_on": [None, consent.given_on.isoformat()],
                    "form": [None, consent.form], "notice_version": [None, consent.notice_version],
                    "notice_language": [None, consent.notice_language]})
    if data.purpose == "special_categories":
        newest = max(c.given_on for c in _valid_special_consents(participant.id))
        if participant.special_categories_consent_date != newest:
            record("participant.update", actor=actor, obj=participant, participant_id=participant.id,
                   changes={"special_categories_consent_date": [
                       _iso(participant.special_categories_consent_date), newest.isoformat()]})
            participant.special_categories_consent_date = newest
    _consent_changed(participant.id, consent.purpose, actor=actor)
    return consent


def _iso(value):
    return value.isoformat() if value else None


@transactional
def withdraw_consent(consent_id: int, withdrawn_on: date | None, *, actor) -> Consent:
    """Marks a consent withdrawn. Withdrawing the last special-category consent clears disability,
    minority and special_categories_consent_date (audited). Raises NotFound, Conflict, DomainError."""
    consent = db.session.get(Consent, consent_id)
    if consent is None:
        raise NotFound(_("No such consent."))
    # Withdrawal only removes data, so it stays possible on a restricted case.
    participant = get_participant_for(actor, consent.participant_id, allow_anonymised=False)
    db.session.refresh(consent, with_for_update=True)
    if consent.withdrawn_on is not None:
        raise Conflict(_("This consent has been withdrawn already."), code="already_withdrawn")
    if withdrawn_on is None:
        raise DomainError.field("withdrawn_on", _("Enter the date of the withdrawal."))
    if withdrawn_on > _today():
        raise DomainError.field("withdrawn_on", _("The date of the withdrawal cannot be in the future."))
    if withdrawn_on < consent.given_on:
        raise DomainError.field("withdrawn_on", _("The withdrawal cannot be before the consent was given."))
    consent.withdrawn_on = withdrawn_on
    record("consent.withdraw", actor=actor, obj=consent, participant_id=participant.id,
           changes={"withdrawn_on": [None, withdrawn_on.isoformat()]})
    _consent_changed(participant.id, consent.purpose, actor=actor)
    if consent.purpose == "special_categories":
        db.session.flush()
        remaining = _valid_special_consents(participant.id)
        wanted: dict[str, Any]
        if remaining:
            wanted = {"special_categories_consent_date": remaining[0].given_on}
        else:
            wanted = {"disability": "no", "minority": "no", "special_categories_consent_date": None}
        changes = {k: [_iso(getattr(participant, k)) if k.endswith("date") else getattr(participant, k),
                       _iso(v) if k.endswith("date") else v]
                   for k, v in wanted.items() if getattr(participant, k) != v}
        if changes:
            for k, v in wanted.items():
                setattr(participant, k, v)
            record("participant.special_categories_cleared" if not remaining else "participant.update",
                   actor=actor, obj=participant, participant_id=participant.id, changes=changes)
    return consent


@functools.cache
def _consents_statement() -> sa.Select:
    """A participant's consents, newest first (bound parameter `participant_id`): built once per
    process, as every case file reads them for its header (issue 19)."""
    return (sa.select(Consent).where(Consent.participant_id == sa.bindparam("participant_id"))
            .order_by(Consent.given_on.desc(), Consent.id.desc()))


def consents_of(participant) -> list[Consent]:
    return list(db.session.scalars(_consents_statement(), {"participant_id": participant.id}))


def consent_rows(participant) -> list[Any]:
    """`consents_of` as plain rows of their columns (for the case file's summary header)."""
    return list(plain_rows(_consents_statement(), {"participant_id": participant.id}))


def consent_status(consents: Sequence[Any]) -> dict[str, Any]:
    """{purpose: the newest valid consent or None} for every purpose (`consents`: Consents, or
    their plain rows; the answer holds the same kind)."""
    status: dict[str, Any] = {p: None for p in CONSENT_PURPOSES}
    for c in sorted(consents, key=lambda c: (c.given_on, c.id)):
        if c.withdrawn_on is None:
            status[c.purpose] = c
    return status


# --- restriction of processing -------------------------------------------------------------------

@transactional
def restrict_processing(participant_id: int, reason: str, *, actor, version: int | None = None) -> Participant:
    """Restricts processing (Art. 18). Team leads only. Raises Forbidden, NotFound, Conflict, DomainError."""
    _require_team_lead(actor)
    participant = get_participant_for(actor, participant_id, allow_anonymised=False)
    if participant.restricted_at is not None:
        raise Conflict(_("Processing of this case is restricted already."), code="restricted")
    if version is not None:
        check_version(participant, version)
    reason = (reason or "").strip()
    if not reason or len(reason) > REASON_MAX:
        raise DomainError.field("reason", _("Enter a reason of 1 to %(n)s characters.", n=REASON_MAX))
    participant.restricted_at = utcnow()
    participant.restriction_reason = reason
    record("participant.restrict", actor=actor, obj=participant, participant_id=participant.id,
           changes={"restricted_at": [None, participant.restricted_at.isoformat()],
                    "restriction_reason": [None, reason]})
    return participant


@transactional
def lift_restriction(participant_id: int, *, actor, version: int | None = None) -> Participant:
    """Lifts a restriction. Team leads only. Raises Forbidden, NotFound, Conflict."""
    _require_team_lead(actor)
    participant = get_participant_for(actor, participant_id, allow_anonymised=False)
    if participant.restricted_at is None:
        raise Conflict(_("Processing of this case is not restricted."), code="not_restricted")
    if version is not None:
        check_version(participant, version)
    record("participant.lift_restriction", actor=actor, obj=participant, participant_id=participant.id,
           changes={"restricted_at": [participant.restricted_at.isoformat(), None],
                    "restriction_reason": [participant.restriction_reason, None]})
    participant.restricted_at = None
    participant.restriction_reason = None
    return participant


# --- subject access --------------------------------------------------------------------------------

def participant_by_case_number(case_number: str) -> Participant:
    """For the command line, which acts without an account. Raises NotFound."""
    participant = db.session.scalar(sa.select(Participant).where(
        Participant.case_number == (case_number or "").strip().upper()))
    if participant is None:
        raise NotFound(_("There is no participant with case number %(number)s.", number=case_number))
    return participant


@transactional
def export_participant(participant: Participant, *, actor, channel: str = "json") -> dict[str, Any]:
    """Everything held about `participant`, and the access-log entry 'case.export' for it.

    The caller has loaded the participant through get_participant_for (web/API) or by case
    number (command line, actor None).
    """
    record("case.export", actor=actor, obj=participant, participant_id=participant.id,
           organisation_id=participant.organisation_id, changes={"channel": [None, channel]})
    db.session.flush()
    data = build_export(participant)
    return data


# --- anonymisation ---------------------------------------------------------------------------------

def _anonymise(participant: Participant, reason: str, *, actor) -> bool:
    """Scrubs and audits (in the caller's unit of work); False when it was anonymised already."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError.field("reason", _("Enter the reason for the anonymisation."))
    if participant.restricted_at is not None:
        raise Conflict(_("Processing of this case is restricted; lift the restriction before anonymising."),
                       code="restricted")
    already = participant.anonymised_at is not None
    safe_reason = Identifiers(participant).scrub(reason)[:REASON_MAX]
    scrub_participant_data(participant)
    if not already:
        participant.anonymised_at = utcnow()
        record("participant.anonymise", actor=actor, obj=participant, participant_id=participant.id,
               organisation_id=participant.organisation_id,
               changes={"reason": [None, safe_reason], "anonymised_at": [None, participant.anonymised_at.isoformat()]})
    return not already


@transactional
def anonymise_participant(participant_id: int, reason: str, *, actor) -> Participant:
    """Team leads anonymise a participant of their organisation (idempotent).
    Raises Forbidden (other roles), NotFound, Conflict 'restricted', DomainError (no reason)."""
    _require_team_lead(actor)
    participant = get_participant_for(actor, participant_id)
    if participant.restricted_at is None:
        participant = get_participant_for(actor, participant_id, for_update=True)
    _anonymise(participant, reason, actor=actor)
    return participant


@transactional
def anonymise_by_case_number(case_number: str, reason: str) -> tuple[Participant, bool]:
    """The command line's anonymisation (no account). Returns (participant, newly anonymised)."""
    participant = participant_by_case_number(case_number)
    db.session.refresh(participant, with_for_update=True)
    done = _anonymise(participant, reason, actor=None)
    return participant, done


# --- retention ---------------------------------------------------------------------------------------

def retention_cutoff(today: date | None = None, years: int | None = None) -> date:
    """Exits strictly before this date are past the retention period."""
    today = today or _today()
    years = current_app.config["RETENTION_YEARS"] if years is None else years
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February in a year that has none
        return today.replace(year=today.year - years, day=28)


def _past_retention(today: date | None) -> tuple:
    """Finally exited before the retention cutoff and not anonymised yet (restricted or not)."""
    return (Participant.status == "exited", Participant.exit_date < retention_cutoff(today),
            Participant.anonymised_at.is_(None))


def retention_due(today: date | None = None) -> sa.Select:
    """Participants whose final exit is older than RETENTION_YEARS and who are not anonymised yet.
    Restricted cases wait until the restriction is lifted."""
    return sa.select(Participant).where(*_past_retention(today), Participant.restricted_at.is_(None))


def retention_summary(today: date | None = None) -> dict[str, Any]:
    """The cases due (count, oldest exit) and those held back by a restriction, in one query."""
    due = Participant.restricted_at.is_(None)
    count, oldest, held = db.session.execute(
        sa.select(sa.func.count().filter(due), sa.func.min(Participant.exit_date).filter(due),
                  sa.func.count().filter(~due))
        .where(*_past_retention(today))).one()
    return {"count": count, "oldest_exit": oldest, "held_restricted": held,
            "cutoff": retention_cutoff(today), "years": current_app.config["RETENTION_YEARS"]}


def run_retention(*, dry_run: bool = False, actor=None, today: date | None = None) -> int:
    """Anonymises every participant past the retention period (or only counts them). Idempotent:
    anonymised participants are not selected again. One unit of work per participant, so an
    interrupted run keeps what it did."""
    if actor is not None and actor.role != "admin":
        raise Forbidden(_("Only administrators may run the retention."))
    if dry_run:
        return db.session.scalar(sa.select(sa.func.count()).select_from(retention_due(today).subquery())) or 0
    ids = list(db.session.scalars(retention_due(today).with_only_columns(Participant.id).order_by(Participant.id)))
    years = current_app.config["RETENTION_YEARS"]
    done = 0
    for participant_id in ids:
        with unit_of_work():  # one per participant: an interrupted run keeps what it did
            participant = db.session.scalar(sa.select(Participant).where(Participant.id == participant_id)
                                            .with_for_update())
            if participant is None or participant.anonymised_at is not None or participant.restricted_at is not None:
                continue
            _anonymise(participant, f"retention period of {years} years after the final exit", actor=actor)
        done += 1
    if done and actor is not None:
        with unit_of_work():
            record("retention.run", actor=actor, organisation_id=None, changes={"anonymised": [None, done]})
    return done
