"""Partner measures (issue 17, item 3): a counsellor enrols their own participant directly into a
partner's measure under an accepted referral or a data-sharing agreement; the partner sees that
enrolment with the data packet only, records attendance and completion; consent gates it all."""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from caseflow.audit.models import AuditEntry
from caseflow.extensions import db
from caseflow.measures.models import Attendance, Enrolment
from caseflow.measures.services import attendance_rates
from caseflow.partnerships import sharing
from caseflow.partnerships.models import DataSharingAgreement
from caseflow.privacy.models import Consent
from caseflow.privacy.services import withdraw_consent
from tests.factories import OrganisationFactory, UserFactory
from tests.partnerships.conftest import consent
from tests.partnerships.test_referrals import PACKET_KEYS, refer


def agree(api, partner_org, **extra):
    return api.post("/data-sharing-agreements", json={"partner_organisation_id": partner_org.id,
                                                      "valid_from": (date.today() - timedelta(days=30)).isoformat(),
                                                      "reference": "DSA 2026/04", **extra})


def enrol(api, participant, measure, **extra):
    return api.post(f"/participants/{participant.id}/partner-enrolments",
                    json={"measure_id": measure.id, "status": "active",
                          "start_date": (date.today() - timedelta(days=7)).isoformat(), **extra})


def test_agreements_are_recorded_by_team_leads_for_their_partners_and_audited_on_both_sides(
        partnership, team_lead, counsellor, org, other_org, api_as):
    assert agree(api_as(counsellor), other_org).status_code == 403
    stranger = OrganisationFactory(name="Fremd e.V.")
    r = agree(api_as(team_lead), stranger)
    assert r.status_code == 422 and "partner_organisation_id" in r.json["error"]["fields"]
    r = agree(api_as(team_lead), other_org, valid_until=(date.today() - timedelta(days=31)).isoformat())
    assert r.status_code == 422 and "valid_until" in r.json["error"]["fields"]
    r = agree(api_as(team_lead), other_org)
    assert r.status_code == 201, r.json
    row = db.session.get(DataSharingAgreement, r.json["id"])
    assert (row.organisation_a_id, row.organisation_b_id) == tuple(sorted((org.id, other_org.id)))
    orgs = set(db.session.scalars(sa.select(AuditEntry.organisation_id).where(
        AuditEntry.action == "data_sharing_agreement.create")))
    assert orgs == {org.id, other_org.id}
    assert api_as(counsellor).get("/data-sharing-agreements").json["total"] == 1


def test_no_consent_no_basis_refused(partnership, referred_person, counsellor, team_lead, other_org,
                                     partner_measure, api_as):
    r = enrol(api_as(counsellor), referred_person, partner_measure)
    assert r.status_code == 409 and r.json["error"]["code"] == "consent_required"
    consent(referred_person, counsellor)
    r = enrol(api_as(counsellor), referred_person, partner_measure)
    assert r.status_code == 409 and r.json["error"]["code"] == "no_sharing_basis"
    # an agreement that ended yesterday is no basis
    agree(api_as(team_lead), other_org, valid_until=(date.today() - timedelta(days=1)).isoformat())
    assert enrol(api_as(counsellor), referred_person, partner_measure).json["error"]["code"] == "no_sharing_basis"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Enrolment)) == 0


def test_not_a_partner_measure_is_422_and_anothers_participant_404(partnership, consenting, counsellor,
                                                                    other_counsellor, org, api_as):
    from tests.factories import MeasureFactory
    own = MeasureFactory(organisation=org)
    r = enrol(api_as(counsellor), consenting, own)
    assert r.status_code == 422 and "measure_id" in r.json["error"]["fields"]
    assert enrol(api_as(other_counsellor), consenting, own).status_code == 404


def test_enrolment_under_an_accepted_referral(partnership, consenting, counsellor, other_counsellor, other_org,
                                              partner_measure, api_as):
    referral_id = refer(api_as(counsellor), consenting, other_org).json["id"]
    api_as(other_counsellor).post(f"/referrals/{referral_id}/accept", json={"gender": "female", "nationality": "BA"})
    r = enrol(api_as(counsellor), consenting, partner_measure)
    assert r.status_code == 201, r.json
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "partner_enrolment.receive"))
    assert entry.organisation_id == other_org.id and entry.changes["basis"] == [None, "referral"]


def test_partner_sees_packet_only_records_attendance_and_completion(
        partnership, consenting, counsellor, team_lead, other_counsellor, org, other_org, partner_measure, api_as):
    agree(api_as(team_lead), other_org)
    r = enrol(api_as(counsellor), consenting, partner_measure)
    assert r.status_code == 201, r.json
    enrolment_id = r.json["id"]
    partner = api_as(other_counsellor)

    # the provider: listed without personal data, the detail with exactly the packet
    listed = partner.get("/partner-enrolments").json
    assert [i["id"] for i in listed["items"]] == [enrolment_id]
    assert not {"participant_id", "first_name", "packet"} & set(listed["items"][0])
    detail = partner.get(f"/partner-enrolments/{enrolment_id}").json
    assert set(detail["packet"]) == PACKET_KEYS and detail["packet"]["last_name"] == "Hodžić"
    assert "participant_id" not in detail
    # never the full case: the case file, its enrolment and the measure's own roster stay closed
    assert partner.get(f"/participants/{consenting.id}").status_code == 404
    assert partner.get(f"/enrolments/{enrolment_id}").status_code == 404
    assert api_as(counsellor).get(f"/partner-enrolments/{enrolment_id}").status_code == 404

    day = (date.today() - timedelta(days=2)).isoformat()
    r = partner.post(f"/partner-enrolments/{enrolment_id}/attendance", json={"date": day, "present": True})
    assert r.status_code == 201, r.json
    r = partner.post(f"/partner-enrolments/{enrolment_id}/attendance",
                     json={"date": (date.today() - timedelta(days=30)).isoformat(), "present": True})
    assert r.status_code == 422  # before the enrolment started
    assert attendance_rates([enrolment_id]) == {enrolment_id: (1, 1)}

    version = partner.get(f"/partner-enrolments/{enrolment_id}").json["version"]
    r = partner.patch(f"/partner-enrolments/{enrolment_id}",
                      json={"version": version, "status": "completed", "end_date": date.today().isoformat()})
    assert r.status_code == 200, r.json
    assert r.json["status"] == "completed"
    # the sender sees the outcome in their own case
    own = api_as(counsellor).get(f"/enrolments/{enrolment_id}").json
    assert own["status"] == "completed" and own["end_date"] == date.today().isoformat()
    for action in ("partner_enrolment.attendance",):
        orgs = set(db.session.scalars(sa.select(AuditEntry.organisation_id).where(AuditEntry.action == action)))
        assert orgs == {org.id, other_org.id}
    sender_side = db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.action == "enrolment.update", AuditEntry.organisation_id == org.id))
    assert sender_side is not None and sender_side.changes["status"] == ["active", "completed"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "partner_enrolment.outcome", AuditEntry.organisation_id == other_org.id)) == 1


def test_withdrawal_hides_the_packet_and_stops_recording(partnership, consenting, counsellor, team_lead,
                                                         other_counsellor, other_org, partner_measure, api_as):
    agree(api_as(team_lead), other_org)
    enrolment_id = enrol(api_as(counsellor), consenting, partner_measure).json["id"]
    consent_id = db.session.scalar(sa.select(Consent.id).where(Consent.participant_id == consenting.id))
    withdraw_consent(consent_id, date.today(), actor=counsellor)
    partner = api_as(other_counsellor)
    assert partner.get(f"/partner-enrolments/{enrolment_id}").json["packet"] is None
    r = partner.post(f"/partner-enrolments/{enrolment_id}/attendance",
                     json={"date": date.today().isoformat(), "present": True})
    assert r.status_code == 409 and r.json["error"]["code"] == "consent_required"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attendance)) == 0


def test_partner_enrolment_stays_off_the_providers_own_roster_and_measure_page(
        partnership, consenting, counsellor, team_lead, other_org, partner_measure, auth, api_as):
    agree(api_as(team_lead), other_org)
    assert enrol(api_as(counsellor), consenting, partner_measure).status_code == 201
    provider = UserFactory(role="counsellor", organisation=other_org, email="p@bruecke.example")
    auth.login(provider)
    page = auth.client.get(f"/measures/{partner_measure.id}")
    assert page.status_code == 200 and "Hodžić" not in page.get_data(as_text=True)
    assert sharing.get_partner_enrolment_for(provider, db.session.scalar(sa.select(Enrolment.id))) is not None


def test_a_restricted_case_is_read_only_for_the_partner_too(partnership, consenting, counsellor, team_lead,
                                                            other_counsellor, other_org, partner_measure, api_as):
    from caseflow.models_base import utcnow
    agree(api_as(team_lead), other_org)
    enrolment_id = enrol(api_as(counsellor), consenting, partner_measure).json["id"]
    consenting.restricted_at, consenting.restriction_reason = utcnow(), "contests accuracy"
    db.session.commit()
    partner = api_as(other_counsellor)
    assert partner.get(f"/partner-enrolments/{enrolment_id}").json["packet"] is None
    r = partner.post(f"/partner-enrolments/{enrolment_id}/attendance", json={"date": date.today().isoformat(), "present": True})
    assert (r.status_code, r.json["error"]["code"]) == (409, "restricted")
    r = partner.patch(f"/partner-enrolments/{enrolment_id}", json={"version": 1, "status": "completed"})
    assert (r.status_code, r.json["error"]["code"]) == (409, "restricted")


def test_a_freed_place_is_offered_in_the_participants_own_organisation(
        partnership, consenting, counsellor, team_lead, other_counsellor, org, other_org, api_as):
    from caseflow.participants.models import Task
    from tests.factories import MeasureFactory, ParticipantFactory
    full = MeasureFactory(organisation=other_org, title="Kochkurs", type="matching", start_date=date(2024, 1, 1),
                          end_date=date(2099, 12, 31), capacity=1)
    own = ParticipantFactory(organisation=other_org, counsellor_id=other_counsellor.id)
    taken = api_as(other_counsellor).post(f"/participants/{own.id}/enrolments", json={
        "measure_id": full.id, "status": "active", "start_date": (date.today() - timedelta(days=5)).isoformat()})
    assert taken.status_code == 201, taken.json
    agree(api_as(team_lead), other_org)
    waiting = enrol(api_as(counsellor), consenting, full, status="planned", start_date=None)
    assert waiting.status_code == 201, waiting.json
    assert db.session.get(Enrolment, waiting.json["id"]).waitlisted_at is not None
    r = api_as(other_counsellor).patch(f"/enrolments/{taken.json['id']}", json={
        "version": taken.json["version"], "status": "completed", "end_date": date.today().isoformat()})
    assert r.status_code == 200, r.json
    task = db.session.scalar(sa.select(Task).where(Task.kind == "place_offered"))
    assert (task.organisation_id, task.participant_id, task.assignee_id) == (org.id, consenting.id, counsellor.id)


def test_a_partner_outcome_that_changes_nothing_keeps_the_version_and_is_not_audited(
        partnership, consenting, counsellor, team_lead, other_counsellor, other_org, partner_measure, api_as,
        patch_rule):
    agree(api_as(team_lead), other_org)
    enrolment_id = enrol(api_as(counsellor), consenting, partner_measure).json["id"]
    path, partner = f"/partner-enrolments/{enrolment_id}", api_as(other_counsellor)
    # the sender's side (enrolment.update) and the provider's (partner_enrolment.outcome) alike
    for action in ("enrolment.update", "partner_enrolment.outcome"):
        version = partner.get(path).json["version"]
        patch_rule(partner, path, version=version, same={"status": "active"},
                   change={"status": "active", "end_date": (date.today() + timedelta(days=30 + version)).isoformat()},
                   actions=(action,))
