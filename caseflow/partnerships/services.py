"""The partnership's verbs: grouping organisations, the partners' measure catalogue, referrals
(consent gate, data packet, accept / decline, withdrawal), and the keyed match hashes.

Decisions:
- Who is a partner: two organisations are partners on a day when both are members of one
  partnership on that day (memberships are dated; an organisation may belong to several).
- The data packet is read live from the referring case, never copied, while the referral is
  pending and the participant's `partner_sharing` consent is live: withdrawing the consent hides it
  at once (and `withdraw_pending_referrals` marks pending referrals `withdrawn`). Special categories
  (disability, minority) are in the packet only while a `special_categories` consent is live too.
- Accepting opens a case in the receiving organisation through `register_participant`, so the
  duplicate check runs first (409 `possible_duplicate` unless confirmed). The packet does not hold
  gender and nationality (data minimisation); the partner records them from the person at intake.
- Every step writes an audit entry for the sending and for the receiving organisation.
- Match hashes: HMAC under PSEUDONYM_KEY of ("partnership-match", partnership id, the
  duplicate-check skeleton of the names, birth date): the database holds no readable
  cross-organisation index, and another partnership's hashes do not compare.
"""
from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa

from caseflow.accounts.models import Organisation
from caseflow.audit.services import record
from caseflow.crypto import pseudonym
from caseflow.database import plain_rows, transactional
from caseflow.errors import Conflict, DomainError, Forbidden, NotFound
from caseflow.extensions import db
from caseflow.measures.models import Enrolment, Measure
from caseflow.models_base import utcnow
from caseflow.participants.access import get_participant_for, require_casework
from caseflow.participants.models import Participant, StatusChange
from caseflow.participants.names import duplicate_key
from caseflow.participants.queries import languages_of, qualifications_of
from caseflow.partnerships.models import MatchHash, Partnership, PartnershipMembership, Referral
from caseflow.privacy.models import Consent
from caseflow.translation import gettext as _
from caseflow.validation import MAX_ID, Checker
from caseflow.vocabulary import UNFINISHED_ENROLMENT_STATUSES

REASON_MAX = 2000
DECLINE_REASON_MAX = 500
PACKET_FIELDS = ("first_name", "last_name", "date_of_birth", "phone", "email", "street", "postcode", "city",
                 "languages", "foreign_qualifications", "labour_status")
SPECIAL_FIELDS = ("disability", "minority")


# --- partnerships ----------------------------------------------------------------------------------

def _require_admin(actor) -> None:
    if actor is not None and actor.role != "admin":
        raise Forbidden(_("Only administrators may do this."))


def organisation_named(name: str) -> Organisation:
    org = db.session.scalar(sa.select(Organisation).where(Organisation.name == (name or "").strip()))
    if org is None:
        raise NotFound(_("There is no organisation named %(name)s.", name=name))
    return org


@transactional
def create_partnership(name: str, organisation_ids: list[int], *, joined_on: date | None = None,
                       actor=None) -> Partnership:
    """Groups organisations into a new partnership (admins; actor None: the command line).
    Raises Forbidden, DomainError (name, organisations), Conflict `duplicate_name`."""
    _require_admin(actor)
    check = Checker({"name": name}, summary=_("Please correct the marked fields."))
    clean_name = check.text("name", required=True, max_length=200)
    ids = sorted(set(organisation_ids))
    known = set(db.session.scalars(sa.select(Organisation.id).where(Organisation.id.in_(ids)))) if ids else set()
    check.require(len(ids) >= 2 and known == set(ids), "organisation_ids",
                  _("Choose at least two organisations."))
    check.done()
    if db.session.scalar(sa.select(Partnership.id).where(Partnership.name == clean_name)):
        raise Conflict(_("A partnership of this name exists already."), code="duplicate_name")
    partnership = Partnership(name=clean_name)
    db.session.add(partnership)
    db.session.flush()
    start = joined_on or date.today()
    for org_id in ids:
        db.session.add(PartnershipMembership(partnership_id=partnership.id, organisation_id=org_id, joined_on=start))
    record("partnership.create", actor=actor, obj=partnership,
           changes={"name": [None, clean_name], "organisation_ids": [None, ids], "joined_on": [None, start.isoformat()]})
    db.session.flush()
    refresh_match_hashes(partnership.id)
    return partnership


@transactional
def end_membership(partnership_id: int, organisation_id: int, left_on: date, *, actor=None) -> PartnershipMembership:
    """Ends an organisation's current membership on `left_on` (inclusive). Raises Forbidden, NotFound,
    DomainError."""
    _require_admin(actor)
    membership = db.session.scalar(sa.select(PartnershipMembership).where(
        PartnershipMembership.partnership_id == partnership_id,
        PartnershipMembership.organisation_id == organisation_id,
        PartnershipMembership.left_on.is_(None)).with_for_update())
    if membership is None:
        raise NotFound(_("This organisation is not a member of the partnership."))
    if left_on < membership.joined_on:
        raise DomainError.field("left_on", _("The membership cannot end before it began."))
    membership.left_on = left_on
    record("partnership.leave", actor=actor, object_type="partnership", object_id=partnership_id,
           organisation_id=organisation_id, changes={"left_on": [None, left_on.isoformat()]})
    return membership


def _current(on: date | sa.BindParameter[date]):
    return sa.and_(PartnershipMembership.joined_on <= on,
                   sa.or_(PartnershipMembership.left_on.is_(None), PartnershipMembership.left_on >= on))


@functools.cache
def _partnerships_statement() -> sa.Select:
    """Built once per process (bound parameters `organisation_id` and `on`): every case file asks
    (issue 19)."""
    return (sa.select(Partnership).join(PartnershipMembership)
            .where(PartnershipMembership.organisation_id == sa.bindparam("organisation_id"),
                   _current(sa.bindparam("on", type_=sa.Date)))
            .order_by(Partnership.name).distinct())


def partnerships_of(organisation_id: int, on: date | None = None) -> list[Partnership]:
    on = on or date.today()
    return list(db.session.scalars(_partnerships_statement(), {"organisation_id": organisation_id, "on": on}))


def partnership_rows(organisation_id: int) -> list[Any]:
    """`partnerships_of` today, as plain rows of the partnerships' columns (for the case file)."""
    return list(plain_rows(_partnerships_statement(), {"organisation_id": organisation_id, "on": date.today()}))


def all_partnerships() -> list[tuple[Partnership, list[tuple[PartnershipMembership, str]]]]:
    """Every partnership with its memberships and the organisations' names (two queries)."""
    partnerships = list(db.session.scalars(sa.select(Partnership).order_by(Partnership.name)))
    rows = db.session.execute(sa.select(PartnershipMembership, Organisation.name).join(
        Organisation, Organisation.id == PartnershipMembership.organisation_id).order_by(
        Organisation.name, PartnershipMembership.joined_on)).all()
    by_partnership: dict[int, list] = {}
    for membership, name in rows:
        by_partnership.setdefault(membership.partnership_id, []).append((membership, name))
    return [(p, by_partnership.get(p.id, [])) for p in partnerships]


def shared_partnership_id(org_a: int, org_b: int, on: date | None = None) -> int | None:
    """A partnership both organisations belong to on `on` (the lowest id), or None."""
    on = on or date.today()
    a = sa.select(PartnershipMembership.partnership_id).where(
        PartnershipMembership.organisation_id == org_a, _current(on))
    return db.session.scalar(sa.select(sa.func.min(PartnershipMembership.partnership_id)).where(
        PartnershipMembership.organisation_id == org_b, _current(on),
        PartnershipMembership.partnership_id.in_(a)))


def partner_organisations(organisation_id: int, on: date | None = None) -> list[Organisation]:
    """The organisations that are partners of `organisation_id` on `on` (today)."""
    on = on or date.today()
    mine = sa.select(PartnershipMembership.partnership_id).where(
        PartnershipMembership.organisation_id == organisation_id, _current(on))
    ids = sa.select(PartnershipMembership.organisation_id).where(
        PartnershipMembership.partnership_id.in_(mine), _current(on),
        PartnershipMembership.organisation_id != organisation_id)
    return list(db.session.scalars(sa.select(Organisation).where(Organisation.id.in_(ids), Organisation.active)
                                   .order_by(Organisation.name)))


# --- the partners' measure catalogue ---------------------------------------------------------------

def partner_catalogue(actor, *, on: date | None = None) -> list[dict[str, Any]]:
    """The current and coming measures of the actor's partners: title, type, dates, free places,
    location and the organisation's name; never a participant. Two queries."""
    require_casework(actor)
    on = on or date.today()
    partners = {o.id: o.name for o in partner_organisations(actor.organisation_id, on)}
    if not partners:
        return []
    taken = (sa.select(Enrolment.measure_id, sa.func.count().label("n")).where(
        Enrolment.status.in_(UNFINISHED_ENROLMENT_STATUSES), Enrolment.waitlisted_at.is_(None))
        .group_by(Enrolment.measure_id).subquery())
    rows = db.session.execute(sa.select(Measure, sa.func.coalesce(taken.c.n, 0)).outerjoin(
        taken, taken.c.measure_id == Measure.id).where(
        Measure.organisation_id.in_(partners), Measure.active,
        sa.or_(Measure.end_date.is_(None), Measure.end_date >= on)).order_by(Measure.start_date, Measure.title)).all()
    return [{"id": m.id, "organisation_id": m.organisation_id, "organisation": partners[m.organisation_id],
             "title": m.title, "type": m.type, "start_date": m.start_date, "end_date": m.end_date,
             "location": m.location,
             "free_places": None if m.capacity is None else max(m.capacity - n, 0)} for m, n in rows]


# --- consent ---------------------------------------------------------------------------------------

def has_live_consent(participant_id: int, purpose: str) -> bool:
    return (db.session.scalar(sa.select(sa.func.count()).select_from(Consent).where(
        Consent.participant_id == participant_id, Consent.purpose == purpose,
        Consent.withdrawn_on.is_(None))) or 0) > 0


# --- referrals -------------------------------------------------------------------------------------

def _consent_required() -> Conflict:
    return Conflict(_("This participant has no valid consent to sharing with partner organisations. "
                      "Record the consent first."), code="consent_required")


@transactional
def refer_participant(participant_id: int, data: Mapping[str, Any], *, actor) -> Referral:
    """Refers a participant of the actor's organisation to a partner organisation (optionally to one
    of its measures). Raises NotFound, Conflict `consent_required` / `restricted`, DomainError."""
    participant = get_participant_for(actor, participant_id, for_update=True, allow_anonymised=False)
    if not has_live_consent(participant.id, "partner_sharing"):
        raise _consent_required()
    check = Checker(data, summary=_("Please correct the marked fields."))
    reason = check.text("reason", required=True, max_length=REASON_MAX)
    to_org = check.integer("organisation_id", required=True)
    measure_id = check.integer("measure_id")
    partnership_id = None
    if to_org is not None:
        partnership_id = (shared_partnership_id(participant.organisation_id, to_org)
                          if to_org != participant.organisation_id and 1 <= to_org <= MAX_ID else None)
        check.require(partnership_id is not None, "organisation_id", _("Choose a partner organisation."))
    if measure_id is not None and partnership_id is not None:
        measure = db.session.get(Measure, measure_id) if 1 <= measure_id <= MAX_ID else None
        check.require(measure is not None and measure.organisation_id == to_org and measure.active,
                      "measure_id", _("Choose a current measure of the partner organisation."))
    check.done()
    assert partnership_id is not None and to_org is not None
    pending = db.session.scalar(sa.select(Referral.id).where(
        Referral.participant_id == participant.id, Referral.to_organisation_id == to_org, Referral.status == "pending"))
    if pending:
        raise Conflict(_("This participant has a pending referral to this organisation already."),
                       code="already_referred")
    referral = Referral(partnership_id=partnership_id, participant_id=participant.id,
                        from_organisation_id=participant.organisation_id, to_organisation_id=to_org,
                        measure_id=measure_id, reason=reason, status="pending", referred_by_id=actor.id)
    db.session.add(referral)
    db.session.flush()
    changes = {"to_organisation_id": [None, to_org], "measure_id": [None, measure_id], "status": [None, "pending"]}
    record("referral.create", actor=actor, obj=referral, participant_id=participant.id,
           organisation_id=participant.organisation_id, changes=changes)
    record("referral.receive", actor=actor, obj=referral, organisation_id=to_org, changes=changes)
    return referral


def get_referral_for(actor, referral_id: int, *, for_update: bool = False) -> Referral:
    """A referral sent or received by the actor's organisation; NotFound otherwise."""
    require_casework(actor)
    if not isinstance(referral_id, int) or not 1 <= referral_id <= MAX_ID:
        raise NotFound(_("No such referral."))
    stmt = sa.select(Referral).where(Referral.id == referral_id, sa.or_(
        Referral.from_organisation_id == actor.organisation_id, Referral.to_organisation_id == actor.organisation_id))
    if for_update:
        stmt = stmt.with_for_update()
    referral = db.session.scalar(stmt)
    if referral is None:
        raise NotFound(_("No such referral."))
    return referral


def referrals_for(actor, direction: str, *, status: str | None = None) -> sa.Select:
    require_casework(actor)
    column = Referral.to_organisation_id if direction == "incoming" else Referral.from_organisation_id
    stmt = sa.select(Referral).where(column == actor.organisation_id)
    if status:
        stmt = stmt.where(Referral.status == status)
    return stmt.order_by(Referral.created_at.desc(), Referral.id.desc())


def packet_visible(referral: Referral, actor) -> bool:
    """The receiving organisation sees the packet while the referral is pending and consent is live."""
    return (referral.to_organisation_id == actor.organisation_id and referral.status == "pending"
            and has_live_consent(referral.participant_id, "partner_sharing"))


def _current_labour_status(participant: Participant) -> str:
    latest = db.session.scalar(sa.select(StatusChange.status).where(
        StatusChange.participant_id == participant.id).order_by(StatusChange.date.desc(), StatusChange.id.desc()).limit(1))
    return latest or participant.labour_status_at_entry


def build_packet(participant: Participant) -> dict[str, Any]:
    """Exactly the fields chosen for the purpose (PACKET_FIELDS; SPECIAL_FIELDS only under a live
    special_categories consent)."""
    packet: dict[str, Any] = {name: getattr(participant, name) for name in PACKET_FIELDS[:8]}
    packet["languages"] = [{"language": r.language, "level": r.level} for r in languages_of(participant.id)]
    packet["foreign_qualifications"] = [
        {"title": q.title, "country": q.country, "isced": q.isced, "recognition_status": q.recognition_status}
        for q in qualifications_of(participant.id)]
    packet["labour_status"] = _current_labour_status(participant)
    if packet["labour_status"] == "unemployed" and participant.unemployed_since is not None:
        # part of the labour status: the partner's case needs it for long-term unemployment (ESF+)
        packet["unemployed_since"] = participant.unemployed_since
    if has_live_consent(participant.id, "special_categories") and participant.special_categories_consent_date:
        packet["disability"] = participant.disability
        packet["minority"] = participant.minority
    return packet


@transactional
def read_packet(referral: Referral, *, actor) -> dict[str, Any]:
    """The data packet for the receiving organisation (audited as a view of personal data).
    Raises NotFound (not the receiver), Conflict `consent_required` / `not_pending`."""
    if referral.to_organisation_id != actor.organisation_id:
        raise NotFound(_("No such referral."))
    if referral.status != "pending":
        raise Conflict(_("The data packet is only shown while the referral is pending."), code="not_pending")
    if not has_live_consent(referral.participant_id, "partner_sharing"):
        raise _consent_required()
    participant = db.session.get(Participant, referral.participant_id)
    if participant is None or participant.anonymised_at is not None:
        raise _consent_required()
    record("referral.packet_view", actor=actor, obj=referral, organisation_id=actor.organisation_id)
    return build_packet(participant)


def _decide(referral_id: int, actor) -> Referral:
    if actor.role not in ("counsellor", "team_lead"):
        raise Forbidden(_("Your role does not give access to personal data of participants."))
    referral = get_referral_for(actor, referral_id, for_update=True)
    if referral.to_organisation_id != actor.organisation_id:
        raise Forbidden(_("Only the receiving organisation decides on a referral."))
    if referral.status != "pending":
        raise Conflict(_("This referral has been decided already."), code="not_pending")
    return referral


def _audit_both(action: str, referral: Referral, *, actor, changes: dict) -> None:
    record(action, actor=actor, obj=referral, organisation_id=referral.to_organisation_id,
           participant_id=referral.accepted_participant_id, changes=changes)
    record(action, actor=actor, obj=referral, organisation_id=referral.from_organisation_id,
           participant_id=referral.participant_id, changes=changes)


@transactional
def accept_referral(referral_id: int, data: Mapping[str, Any], *, actor) -> Referral:
    """Opens a case in the receiving organisation with the packet as its master data (plus what the
    partner records at intake: gender, nationality, entry date), linked to the referring case.
    The duplicate check runs first: Conflict `possible_duplicate` unless `confirm_not_duplicate`.
    Raises Forbidden, NotFound, Conflict `not_pending` / `consent_required`, DomainError."""
    from caseflow.participants.services import register_participant
    referral = _decide(referral_id, actor)
    if not has_live_consent(referral.participant_id, "partner_sharing"):
        raise _consent_required()
    # The packet leaves gender and nationality out (data minimisation); the new case needs them, so
    # the partner asks the person: a missing one is named as such, not as a generic required field.
    check = Checker(data, summary=_("Please correct the marked fields."))
    for name in ("gender", "nationality"):
        check.require(bool(data.get(name)), name,
                      _("Not in the shared data: ask the person and choose it."))
    check.done()
    source = db.session.get(Participant, referral.participant_id)
    assert source is not None
    packet = build_packet(source)
    values: dict[str, Any] = {k: packet[k] for k in PACKET_FIELDS[:8]}
    values.update({
        "languages": packet["languages"], "foreign_qualifications": packet["foreign_qualifications"],
        "labour_status_at_entry": packet["labour_status"],
        "entry_date": data.get("entry_date") or date.today(),
        "gender": data.get("gender"), "nationality": data.get("nationality"),
        "confirm_not_duplicate": data.get("confirm_not_duplicate") is True,
    })
    if packet["labour_status"] == "unemployed":
        values["unemployed_since"] = data.get("unemployed_since") or packet.get("unemployed_since")
    if "disability" in packet:
        values.update(disability=packet["disability"], minority=packet["minority"],
                      special_categories_consent_date=source.special_categories_consent_date)
    if actor.role == "counsellor":
        values["counsellor_id"] = actor.id
    new_case = register_participant(values, actor=actor)
    referral.status = "accepted"
    referral.accepted_participant_id = new_case.id
    referral.decided_by_id = actor.id
    referral.decided_at = utcnow()
    _audit_both("referral.accept", referral, actor=actor,
                changes={"status": ["pending", "accepted"], "accepted_participant_id": [None, new_case.id]})
    return referral


@transactional
def decline_referral(referral_id: int, reason: str | None, *, actor) -> Referral:
    """Declines with a reason. Raises Forbidden, NotFound, Conflict `not_pending`, DomainError."""
    referral = _decide(referral_id, actor)
    check = Checker({"reason": reason}, summary=_("Please correct the marked fields."))
    clean = check.text("reason", required=True, max_length=DECLINE_REASON_MAX)
    check.done()
    referral.status = "declined"
    referral.decline_reason = clean
    referral.decided_by_id = actor.id
    referral.decided_at = utcnow()
    _audit_both("referral.decline", referral, actor=actor,
                changes={"status": ["pending", "declined"], "decline_reason": [None, clean]})
    return referral


def withdraw_pending_referrals(participant_id: int, purpose: str, *, actor) -> None:
    """The consent hook (called inside privacy's withdraw_consent unit): once no partner_sharing
    consent is live, the participant's pending referrals end as `withdrawn` (audited on both sides)."""
    if purpose != "partner_sharing" or has_live_consent(participant_id, "partner_sharing"):
        return
    for referral in db.session.scalars(sa.select(Referral).where(
            Referral.participant_id == participant_id, Referral.status == "pending").with_for_update()):
        referral.status = "withdrawn"
        referral.decided_at = utcnow()
        _audit_both("referral.withdraw", referral, actor=actor,
                    changes={"status": ["pending", "withdrawn"], "cause": [None, "consent_withdrawn"]})
    db.session.execute(sa.delete(MatchHash).where(MatchHash.participant_id == participant_id))


def placement_outcome(referral: Referral) -> list[dict[str, Any]]:
    """What the sender may see of the partner's placements in the accepted case: type and start date."""
    from caseflow.placements.models import Placement
    if referral.status != "accepted" or referral.accepted_participant_id is None:
        return []
    return [{"type": t, "start_date": d} for t, d in db.session.execute(
        sa.select(Placement.type, Placement.start_date).where(
            Placement.participant_id == referral.accepted_participant_id).order_by(Placement.start_date))]


def organisation_names(ids) -> dict[int, str]:
    ids = set(ids)
    if not ids:
        return {}
    return {org_id: name for org_id, name in db.session.execute(
        sa.select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids)))}


def referrals_of_participant(participant_id: int) -> list[Referral]:
    return list(db.session.scalars(sa.select(Referral).where(sa.or_(
        Referral.participant_id == participant_id, Referral.accepted_participant_id == participant_id))
        .order_by(Referral.created_at.desc())))


@functools.cache
def _referrals_with_names_statement() -> sa.Select:
    """Built once per process (the participant's id is the bound parameter `participant_id`): two
    fresh aliases of Organisation made building the statement and its cache key cost over half a
    millisecond on every case file view (issue 19)."""
    sender, receiver = sa.orm.aliased(Organisation), sa.orm.aliased(Organisation)
    participant_id: sa.BindParameter[int] = sa.bindparam("participant_id")
    return (sa.select(Referral, sender.name.label("from_name"), receiver.name.label("to_name"))
            .join(sender, sender.id == Referral.from_organisation_id)
            .join(receiver, receiver.id == Referral.to_organisation_id)
            .where(sa.or_(Referral.participant_id == participant_id,
                          Referral.accepted_participant_id == participant_id))
            .order_by(Referral.created_at.desc()))


def referrals_of_participant_with_names(participant_id: int) -> tuple[list[Any], dict[int, str]]:
    """The participant's referrals (newest first; plain rows of their columns, for display) and
    {organisation id: name} of both ends, in one statement."""
    rows = plain_rows(_referrals_with_names_statement(), {"participant_id": participant_id}).all()
    names: dict[int, str] = {}
    for row in rows:
        names[row.from_organisation_id], names[row.to_organisation_id] = row.from_name, row.to_name
    return list(rows), names


# --- knowing the same person: keyed match hashes ---------------------------------------------------

def match_hash(partnership_id: int, first_name: str | None, last_name: str | None, born: date) -> str:
    return pseudonym("partnership-match", partnership_id, duplicate_key(first_name, last_name), born.isoformat())


def refresh_match_hashes(partnership_id: int, participant_ids: list[int] | None = None) -> None:
    """(Re)computes the hashes of the member organisations' participants (all, or the given ones)
    who have a live partner_sharing consent; part of the caller's unit."""
    members = sa.select(PartnershipMembership.organisation_id).where(
        PartnershipMembership.partnership_id == partnership_id, _current(date.today()))
    consenting = sa.select(Consent.participant_id).where(
        Consent.purpose == "partner_sharing", Consent.withdrawn_on.is_(None))
    stmt = sa.select(Participant.id, Participant.organisation_id, Participant.first_name, Participant.last_name,
                     Participant.date_of_birth).where(
        Participant.organisation_id.in_(members), Participant.anonymised_at.is_(None),
        Participant.date_of_birth.is_not(None), Participant.id.in_(consenting))
    delete = sa.delete(MatchHash).where(MatchHash.partnership_id == partnership_id)
    if participant_ids is not None:
        stmt = stmt.where(Participant.id.in_(participant_ids))
        delete = delete.where(MatchHash.participant_id.in_(participant_ids))
    db.session.execute(delete)
    db.session.add_all(MatchHash(partnership_id=partnership_id, participant_id=pid, organisation_id=org,
                                 hash=match_hash(partnership_id, first, last, born))
                       for pid, org, first, last, born in db.session.execute(stmt))


def refresh_participant_hashes(participant_id: int, **_kw: Any) -> None:
    """Hook after registration, a change of master data or a consent: recompute this person's hashes."""
    participant = db.session.get(Participant, participant_id)
    if participant is None:
        return
    for partnership in partnerships_of(participant.organisation_id):
        refresh_match_hashes(partnership.id, [participant_id])


def likely_partner_matches(participant: Participant, partnerships: Sequence[Any] | None = None) -> list[str]:
    """Names of partner organisations that may already know this person (never their data): computed
    from this case's names and birth date hashed under each shared partnership's derivation
    (`partnerships`: the organisation's current ones, or their rows, when the caller has them already)."""
    if participant.date_of_birth is None or participant.anonymised_at is not None:
        return []
    names: set[str] = set()
    if partnerships is None:
        partnerships = partnerships_of(participant.organisation_id)
    for partnership in partnerships:
        wanted = match_hash(partnership.id, participant.first_name, participant.last_name, participant.date_of_birth)
        partners = sa.select(PartnershipMembership.organisation_id).where(
            PartnershipMembership.partnership_id == partnership.id, _current(date.today()))
        names.update(db.session.scalars(sa.select(Organisation.name).join(
            MatchHash, MatchHash.organisation_id == Organisation.id).where(
            MatchHash.partnership_id == partnership.id, MatchHash.hash == wanted,
            MatchHash.organisation_id != participant.organisation_id, MatchHash.organisation_id.in_(partners))))
    return sorted(names)


def on_consent_changed(participant_id: int, purpose: str, *, actor) -> None:
    """privacy.services.consent_hooks: partner_sharing recorded or withdrawn."""
    if purpose != "partner_sharing":
        return
    withdraw_pending_referrals(participant_id, purpose, actor=actor)
    refresh_participant_hashes(participant_id)
