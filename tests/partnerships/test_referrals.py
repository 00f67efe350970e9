"""Referrals between partner organisations, through the API and the services: consent gate, the
exact data packet, accept (a linked case, duplicate check first), decline, withdrawal of consent."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from caseflow.audit.models import AuditEntry
from caseflow.extensions import db
from caseflow.participants.models import Participant, ParticipantLanguage
from caseflow.participants.names import duplicate_key
from caseflow.partnerships.models import Referral
from caseflow.privacy.models import Consent
from caseflow.privacy.services import withdraw_consent
from tests.factories import OrganisationFactory, ParticipantFactory, UserFactory
from tests.partnerships.conftest import consent

# the shared participant is unemployed: since when belongs to the labour status
PACKET_KEYS = {"first_name", "last_name", "date_of_birth", "phone", "email", "street", "postcode", "city",
               "languages", "foreign_qualifications", "labour_status", "unemployed_since"}


def refer(api, participant, to_org, **extra):
    return api.post(f"/participants/{participant.id}/referrals",
                    json={"organisation_id": to_org.id, "reason": "Needs start-up coaching", **extra})


def test_no_consent_is_refused_and_nothing_written(partnership, referred_person, counsellor, other_org, api_as):
    r = refer(api_as(counsellor), referred_person, other_org)
    assert r.status_code == 409 and r.json["error"]["code"] == "consent_required"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Referral)) == 0


def test_only_a_current_partner_can_be_chosen(partnership, consenting, counsellor, api_as):
    stranger = OrganisationFactory(name="Fremd e.V.")
    r = refer(api_as(counsellor), consenting, stranger)
    assert r.status_code == 422 and "organisation_id" in r.json["error"]["fields"]
    r = refer(api_as(counsellor), consenting, consenting.organisation)
    assert r.status_code == 422


def test_another_organisations_participant_is_404(partnership, consenting, other_counsellor, org, api_as):
    assert refer(api_as(other_counsellor), consenting, org).status_code == 404


def test_measure_must_belong_to_the_partner(partnership, consenting, counsellor, other_org, api_as):
    from tests.factories import MeasureFactory
    own = MeasureFactory(organisation=consenting.organisation)
    r = refer(api_as(counsellor), consenting, other_org, measure_id=own.id)
    assert r.status_code == 422 and "measure_id" in r.json["error"]["fields"]


def test_packet_holds_exactly_the_listed_fields(partnership, consenting, counsellor, other_counsellor, other_org,
                                                partner_measure, api_as):
    db.session.add(ParticipantLanguage(participant_id=consenting.id, language="bs", level="native"))
    db.session.commit()
    r = refer(api_as(counsellor), consenting, other_org, measure_id=partner_measure.id)
    assert r.status_code == 201, r.json
    referral_id = r.json["id"]
    incoming = api_as(other_counsellor).get("/referrals?direction=incoming").json
    assert [i["id"] for i in incoming["items"]] == [referral_id]
    assert incoming["items"][0]["participant_id"] is None  # the sender's case id is not theirs to know
    detail = api_as(other_counsellor).get(f"/referrals/{referral_id}").json
    packet = detail["packet"]
    # No special_categories consent: disability stays out although the case records it.
    assert set(packet) == PACKET_KEYS
    assert packet["first_name"] == "Lejla" and packet["date_of_birth"] == "1991-04-09"
    assert packet["languages"] == [{"language": "bs", "level": "native"}]
    assert packet["labour_status"] == "unemployed"
    assert packet["unemployed_since"] == consenting.unemployed_since.isoformat()
    # The sender reads no packet; the partner reads it only while pending.
    assert api_as(counsellor).get(f"/referrals/{referral_id}").json["packet"] is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "referral.packet_view", AuditEntry.organisation_id == other_org.id)) == 1


def test_special_categories_only_under_their_consent(partnership, consenting, counsellor, other_counsellor,
                                                     other_org, api_as):
    consent(consenting, counsellor, "special_categories")
    referral_id = refer(api_as(counsellor), consenting, other_org).json["id"]
    packet = api_as(other_counsellor).get(f"/referrals/{referral_id}").json["packet"]
    assert set(packet) == PACKET_KEYS | {"disability", "minority"} and packet["disability"] == "yes"


def test_accept_opens_a_linked_case_and_the_sender_sees_it(partnership, consenting, counsellor, other_counsellor,
                                                           org, other_org, api_as):
    referral_id = refer(api_as(counsellor), consenting, other_org).json["id"]
    partner = api_as(other_counsellor)
    # Gender and nationality are not in the packet: the partner records them at intake.
    r = partner.post(f"/referrals/{referral_id}/accept", json={})
    assert r.status_code == 422 and {"gender", "nationality"} <= set(r.json["error"]["fields"])
    r = partner.post(f"/referrals/{referral_id}/accept", json={"gender": "female", "nationality": "BA"})
    assert r.status_code == 200, r.json
    new_case = db.session.get(Participant, r.json["participant_id"])
    assert new_case.organisation_id == other_org.id and new_case.id != consenting.id
    assert (new_case.first_name, new_case.last_name, new_case.date_of_birth) == ("Lejla", "Hodžić", date(1991, 4, 9))
    assert new_case.disability == "no"  # no special-category consent: not carried over
    assert partner.get(f"/participants/{new_case.id}").status_code == 200
    referral = db.session.get(Referral, referral_id)
    assert referral.status == "accepted" and referral.accepted_participant_id == new_case.id
    sent = api_as(counsellor).get(f"/referrals/{referral_id}").json
    assert sent["status"] == "accepted" and sent["participant_id"] == consenting.id and sent["placements"] == []
    # The packet is gone once decided; a second decision is a conflict.
    assert partner.get(f"/referrals/{referral_id}").json["packet"] is None
    assert partner.post(f"/referrals/{referral_id}/decline", json={"reason": "x"}).status_code == 409
    # Audited on both sides.
    orgs = set(db.session.scalars(sa.select(AuditEntry.organisation_id).where(AuditEntry.action == "referral.accept")))
    assert orgs == {org.id, other_org.id}


def test_accept_runs_the_duplicate_check_first(partnership, consenting, counsellor, other_counsellor, other_org,
                                               api_as):
    ParticipantFactory(organisation=other_org, first_name="Lejla", last_name="Hodzic", date_of_birth=date(1991, 4, 9),
                       duplicate_key=duplicate_key("Lejla", "Hodzic"))
    referral_id = refer(api_as(counsellor), consenting, other_org).json["id"]
    partner = api_as(other_counsellor)
    body = {"gender": "female", "nationality": "BA"}
    r = partner.post(f"/referrals/{referral_id}/accept", json=body)
    assert r.status_code == 409 and r.json["error"]["code"] == "possible_duplicate"
    assert db.session.get(Referral, referral_id).status == "pending"
    r = partner.post(f"/referrals/{referral_id}/accept", json={**body, "confirm_not_duplicate": True})
    assert r.status_code == 200


def test_sender_cannot_decide_and_outsiders_see_nothing(partnership, consenting, counsellor, other_org, api_as):
    referral_id = refer(api_as(counsellor), consenting, other_org).json["id"]
    assert api_as(counsellor).post(f"/referrals/{referral_id}/accept", json={}).status_code == 403
    outsider = UserFactory(role="counsellor", organisation=OrganisationFactory(name="Dritte gGmbH"))
    assert api_as(outsider).get(f"/referrals/{referral_id}").status_code == 404
    assert api_as(outsider).post(f"/referrals/{referral_id}/decline", json={"reason": "no"}).status_code == 404
    assert api_as(counsellor).get("/referrals/99999999999").status_code == 404


def test_decline_with_a_reason(partnership, consenting, counsellor, other_counsellor, org, other_org, api_as):
    referral_id = refer(api_as(counsellor), consenting, other_org).json["id"]
    partner = api_as(other_counsellor)
    r = partner.post(f"/referrals/{referral_id}/decline", json={"reason": "  "})
    assert r.status_code == 422
    r = partner.post(f"/referrals/{referral_id}/decline", json={"reason": "No places before spring"})
    assert r.status_code == 200 and r.json["status"] == "declined"
    sent = api_as(counsellor).get("/referrals?direction=outgoing").json["items"][0]
    assert sent["status"] == "declined" and sent["decline_reason"] == "No places before spring"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Participant).where(
        Participant.organisation_id == other_org.id)) == 0


def test_withdrawal_stops_pending_referrals_and_hides_the_packet(partnership, consenting, counsellor,
                                                                 other_counsellor, org, other_org, api_as):
    referral_id = refer(api_as(counsellor), consenting, other_org).json["id"]
    consent_id = db.session.scalar(sa.select(Consent.id).where(Consent.participant_id == consenting.id))
    withdraw_consent(consent_id, date.today(), actor=counsellor)
    referral = db.session.get(Referral, referral_id)
    assert referral.status == "withdrawn"
    partner = api_as(other_counsellor)
    assert partner.get(f"/referrals/{referral_id}").json["packet"] is None
    assert partner.post(f"/referrals/{referral_id}/accept", json={"gender": "female", "nationality": "BA"}
                        ).status_code == 409
    assert refer(api_as(counsellor), consenting, other_org).json["error"]["code"] == "consent_required"
    orgs = set(db.session.scalars(sa.select(AuditEntry.organisation_id).where(AuditEntry.action == "referral.withdraw")))
    assert orgs == {org.id, other_org.id}


def test_a_second_pending_referral_to_the_same_partner_is_refused(partnership, consenting, counsellor, other_org,
                                                                   api_as):
    assert refer(api_as(counsellor), consenting, other_org).status_code == 201
    r = refer(api_as(counsellor), consenting, other_org)
    assert r.status_code == 409 and r.json["error"]["code"] == "already_referred"


def test_analysts_never_read_referrals(partnership, analyst, api_as):
    assert api_as(analyst).get("/referrals").status_code == 403
