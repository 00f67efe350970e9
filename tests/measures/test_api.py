"""API v1: /measures, /participants/{id}/enrolments, /enrolments/{id} (interfaces.md)."""
from __future__ import annotations

import pytest

from caseflow.database import unit_of_work
from caseflow.extensions import db
from caseflow.measures.models import Enrolment, Measure
from caseflow.vocabulary import MEASURE_TYPES
from tests.factories import EnrolmentFactory, MeasureFactory

NEW_MEASURE = {"title": "Tischlerei-Werkstatt", "type": "low_threshold_qualification",
               "start_date": "2025-02-01", "end_date": "2025-07-31", "capacity": 12}


def test_team_lead_creates_measure(api_as, team_lead, org):
    response = api_as(team_lead).post("/measures", json=NEW_MEASURE)
    assert response.status_code == 201, response.json
    body = response.json
    assert body["type"] == "low_threshold_qualification"
    assert body["organisation_id"] == org.id
    assert body["capacity"] == 12 and body["version"] == 1 and body["active"] is True
    assert api_as(team_lead).get(f"/measures/{body['id']}").json["title"] == "Tischlerei-Werkstatt"


def test_team_lead_cannot_create_for_another_organisation(api_as, team_lead, org, other_org):
    response = api_as(team_lead).post("/measures", json={**NEW_MEASURE, "organisation_id": other_org.id})
    assert response.status_code == 201
    assert response.json["organisation_id"] == org.id


def test_admin_creates_measure_for_named_organisation(api_as, admin, other_org):
    response = api_as(admin).post("/measures", json={**NEW_MEASURE, "organisation_id": other_org.id})
    assert response.status_code == 201
    assert response.json["organisation_id"] == other_org.id
    missing = api_as(admin).post("/measures", json=NEW_MEASURE)
    assert missing.status_code == 422 and "organisation_id" in missing.json["error"]["fields"]


@pytest.mark.parametrize("change, field", [
    ({"type": "yoga"}, "type"),
    ({"end_date": "2025-01-01"}, "end_date"),
    ({"start_date": "01.02.2025"}, "start_date"),
    ({"title": ""}, "title"),
    ({"capacity": 0}, "capacity"),
    ({"capacity": "ten"}, "capacity"),
])
def test_invalid_measure_is_422(api_as, team_lead, change, field):
    response = api_as(team_lead).post("/measures", json={**NEW_MEASURE, **change})
    assert response.status_code == 422
    assert field in response.json["error"]["fields"]
    assert db.session.query(Measure).count() == 0


@pytest.mark.parametrize("role_fixture", ["counsellor", "analyst"])
def test_only_team_leads_and_admins_create_measures(request, api_as, role_fixture):
    user = request.getfixturevalue(role_fixture)
    assert api_as(user).post("/measures", json=NEW_MEASURE).status_code == 403
    assert db.session.query(Measure).count() == 0


def test_malformed_json_is_400(api_as, team_lead, client):
    response = client.post("/api/v1/measures", data="{nope", content_type="application/json",
                           headers=api_as(team_lead).headers)
    assert response.status_code == 400


def test_measure_list_is_scoped_and_paginated(api_as, counsellor, analyst, measure, other_measure):
    # per_page above 200 is refused (422), as the document says, not clamped
    assert api_as(counsellor).get("/measures?per_page=500").status_code == 422
    own = api_as(counsellor).get("/measures?per_page=200").json
    assert [m["id"] for m in own["items"]] == [measure.id]
    assert own["per_page"] == 200 and own["total"] == 1
    assert api_as(counsellor).get(f"/measures/{other_measure.id}").status_code == 404
    everything = api_as(analyst).get("/measures").json
    assert {m["id"] for m in everything["items"]} == {measure.id, other_measure.id}


def test_measure_list_counts_places(api_as, counsellor, measure, make_participant):
    with unit_of_work():
        measure.capacity = 1
    first, second = make_participant(), make_participant()
    api = api_as(counsellor)
    assert api.post(f"/participants/{first.id}/enrolments", json={"measure_id": measure.id, "status": "active",
                                                                   "start_date": "2024-04-01"}).status_code == 201
    assert api.post(f"/participants/{second.id}/enrolments", json={"measure_id": measure.id,
                                                                    "start_date": "2024-04-01"}).status_code == 201
    item = api.get("/measures").json["items"][0]
    assert item["places_taken"] == 1 and item["waiting"] == 1


def test_enrol_and_list(api_as, counsellor, participant, measure):
    api = api_as(counsellor)
    response = api.post(f"/participants/{participant.id}/enrolments", json={
        "measure_id": measure.id, "start_date": "2024-04-01", "end_date": "2024-09-30", "status": "active",
        "details": {"level_start": "A2"}})
    assert response.status_code == 201, response.json
    assert response.json["status"] == "active" and response.json["details"] == {"level_start": "A2"}
    listing = api.get(f"/participants/{participant.id}/enrolments").json
    assert listing["total"] == 1 and listing["items"][0]["measure_id"] == measure.id


def test_second_unfinished_enrolment_is_409(api_as, counsellor, participant, measure):
    api = api_as(counsellor)
    payload = {"measure_id": measure.id, "start_date": "2024-04-01", "status": "planned"}
    assert api.post(f"/participants/{participant.id}/enrolments", json=payload).status_code == 201
    second = api.post(f"/participants/{participant.id}/enrolments", json=payload)
    assert second.status_code == 409 and second.json["error"]["code"] == "already_enrolled"


def test_enrolment_validation_422(api_as, counsellor, participant, measure):
    api = api_as(counsellor)
    before_entry = api.post(f"/participants/{participant.id}/enrolments", json={
        "measure_id": measure.id, "start_date": "2024-02-01", "status": "active"})
    assert before_entry.status_code == 422 and "start_date" in before_entry.json["error"]["fields"]
    backwards = api.post(f"/participants/{participant.id}/enrolments", json={
        "measure_id": measure.id, "start_date": "2024-05-01", "end_date": "2024-04-01"})
    assert "end_date" in backwards.json["error"]["fields"]
    bad_status = api.post(f"/participants/{participant.id}/enrolments", json={
        "measure_id": measure.id, "start_date": "2024-05-01", "status": "finished"})
    assert bad_status.status_code == 422 and "status" in bad_status.json["error"]["fields"]
    bad_details = api.post(f"/participants/{participant.id}/enrolments", json={
        "measure_id": measure.id, "start_date": "2024-05-01", "details": {"level_start": "D9", "colour": 1}})
    assert bad_details.status_code == 422
    assert set(bad_details.json["error"]["fields"]) == {"level_start", "details"}
    unknown_measure = api.post(f"/participants/{participant.id}/enrolments", json={"measure_id": 999999})
    assert unknown_measure.status_code == 404
    assert db.session.query(Enrolment).count() == 0


def test_isolation_between_organisations(api_as, counsellor, other_counsellor, participant, measure,
                                         other_participant, other_measure):
    api = api_as(counsellor)
    assert api.post(f"/participants/{other_participant.id}/enrolments",
                    json={"measure_id": measure.id}).status_code == 404
    assert api.get(f"/participants/{other_participant.id}/enrolments").status_code == 404
    # another organisation's measure does not exist for this one: 404, as everywhere
    into_foreign = api.post(f"/participants/{participant.id}/enrolments", json={"measure_id": other_measure.id})
    assert into_foreign.status_code == 404
    theirs = EnrolmentFactory(participant=other_participant, measure=other_measure)
    assert api.get(f"/enrolments/{theirs.id}").status_code == 404
    assert api.patch(f"/enrolments/{theirs.id}", json={"version": 1, "status": "completed"}).status_code == 404
    db.session.refresh(theirs)
    assert theirs.status == "active"


@pytest.mark.parametrize("role_fixture", ["analyst", "admin"])
def test_enrolments_forbidden_for_analysts_and_admins(request, api_as, role_fixture, participant, measure):
    user = request.getfixturevalue(role_fixture)
    enrolment = EnrolmentFactory(participant=participant, measure=measure)
    api = api_as(user)
    assert api.get(f"/participants/{participant.id}/enrolments").status_code == 403
    assert api.post(f"/participants/{participant.id}/enrolments", json={"measure_id": measure.id}).status_code == 403
    assert api.get(f"/enrolments/{enrolment.id}").status_code == 403
    assert api.patch(f"/enrolments/{enrolment.id}", json={"version": 1, "status": "completed"}).status_code == 403


def test_patch_enrolment_transitions_and_version(api_as, counsellor, participant, measure):
    api = api_as(counsellor)
    created = api.post(f"/participants/{participant.id}/enrolments", json={
        "measure_id": measure.id, "start_date": "2024-04-01", "status": "active"}).json
    done = api.patch(f"/enrolments/{created['id']}", json={"version": created["version"], "status": "completed",
                                                           "end_date": "2024-09-30"})
    assert done.status_code == 200, done.json
    assert done.json["status"] == "completed" and done.json["version"] == created["version"] + 1
    stale = api.patch(f"/enrolments/{created['id']}", json={"version": created["version"], "end_date": "2024-10-01"})
    assert stale.status_code == 409 and stale.json["error"]["code"] == "stale_version"
    back = api.patch(f"/enrolments/{created['id']}", json={"version": done.json["version"], "status": "planned"})
    assert back.status_code == 409 and back.json["error"]["code"] == "invalid_transition"
    no_version = api.patch(f"/enrolments/{created['id']}", json={"status": "planned"})
    assert no_version.status_code == 422
    assert api.get(f"/enrolments/{created['id']}").json["status"] == "completed"


def test_patch_measure_with_version(api_as, team_lead, counsellor, measure):
    api = api_as(team_lead)
    changed = api.patch(f"/measures/{measure.id}", json={"version": measure.version, "capacity": 20})
    assert changed.status_code == 200 and changed.json["capacity"] == 20
    stale = api.patch(f"/measures/{measure.id}", json={"version": measure.version, "capacity": 5})
    assert stale.status_code == 409
    assert api_as(counsellor).patch(f"/measures/{measure.id}", json={"version": 2, "capacity": 3}).status_code == 403


def test_openapi_describes_measures_and_enrolments(client):
    doc = client.get("/api/v1/openapi.json").json
    for path in ("/measures", "/measures/{measure_id}", "/participants/{participant_id}/enrolments",
                 "/enrolments/{enrolment_id}", "/employers", "/employers/{employer_id}"):
        assert path in doc["paths"]
    schemas = doc["components"]["schemas"]
    assert "trainee_partnership" in schemas["Enrolment"]["properties"]["details"]["description"]
    assert schemas["Measure"]["properties"]["type"]["enum"] == list(MEASURE_TYPES)


def test_employer_api(api_as, counsellor, other_counsellor, analyst):
    api = api_as(counsellor)
    created = api.post("/employers", json={"name": "Metallbau Kaya GmbH", "nace_section": "C", "size": "small",
                                           "district": "Spandau", "organisation_id": 999})
    assert created.status_code == 201
    body = created.json
    assert body["organisation_id"] == counsellor.organisation_id
    assert api.post("/employers", json={"name": "", "size": "giant"}).json["error"]["fields"].keys() == {"name", "size"}
    assert api.get("/employers?q=kaya").json["total"] == 1
    assert api_as(other_counsellor).get(f"/employers/{body['id']}").status_code == 404
    assert api_as(analyst).get("/employers").status_code == 403
    changed = api.patch(f"/employers/{body['id']}", json={"version": body["version"], "contact_person": "Frau Kaya"})
    assert changed.status_code == 200 and changed.json["contact_person"] == "Frau Kaya"
    assert api.patch(f"/employers/{body['id']}", json={"version": body["version"], "notes": "x"}).status_code == 409


def test_trainee_partnership_details_through_api(api_as, counsellor, org, participant, employer):
    measure = MeasureFactory(organisation=org, type="trainee_partnership")
    api = api_as(counsellor)
    response = api.post(f"/participants/{participant.id}/enrolments", json={
        "measure_id": measure.id, "start_date": "2024-04-01", "status": "active",
        "details": {"host_employer_id": employer.id, "mentor": "Herr Weber", "contract_start": "2024-04-01",
                    "contract_end": "2025-03-31"}})
    assert response.status_code == 201, response.json
    assert response.json["host_employer_id"] == employer.id
    assert response.json["details"]["mentor"] == "Herr Weber"
    patched = api.patch(f"/enrolments/{response.json['id']}", json={
        "version": response.json["version"], "details": {"midterm_review_date": "2024-10-01",
                                                         "midterm_review_result": "on_track"}})
    assert patched.status_code == 200
    assert patched.json["details"]["host_employer_id"] == employer.id
    assert patched.json["details"]["midterm_review_result"] == "on_track"


def test_restricted_case_is_read_only(api_as, counsellor, participant, measure):
    from caseflow.models_base import utcnow
    with unit_of_work():
        participant.restricted_at = utcnow()
    response = api_as(counsellor).post(f"/participants/{participant.id}/enrolments", json={"measure_id": measure.id})
    assert response.status_code == 409


def test_list_queries_are_constant(api_as, counsellor, participant, measure, org, count_queries):
    api = api_as(counsellor)
    EnrolmentFactory(participant=participant, measure=measure)
    path = f"/participants/{participant.id}/enrolments"

    def run():
        with count_queries() as q:
            assert api.get(path).status_code == 200
            assert api.get("/measures").status_code == 200
        return q.statements

    run()  # the first call also stamps the token's last use
    few = run()
    for _ in range(5):
        EnrolmentFactory(participant=participant, measure=MeasureFactory(organisation=org, type="coaching"))
    more = run()
    assert len(more) == len(few), "\n".join(more)


# A PATCH that changes nothing writes nothing: the version stays (others' version checks keep
# holding) and no audit entry is written; the rule is patch_rule's in tests/conftest.py.

def test_a_measure_patch_that_changes_nothing_keeps_the_version(api_as, team_lead, measure, patch_rule):
    same = {"title": measure.title, "start_date": "2024-01-01", "capacity": None, "active": True}
    patch_rule(api_as(team_lead), f"/measures/{measure.id}", version=1, same=same,
               change={"capacity": 20}, actions=("measure.update",))
    patch_rule(api_as(team_lead), f"/measures/{measure.id}", version=2, same={},
               change={"location": "Neukölln"}, actions=("measure.update",))


def test_an_employer_patch_that_changes_nothing_keeps_the_version(api_as, counsellor, employer, patch_rule):
    same = {"name": employer.name, "nace_section": "F", "size": "small", "id": 99, "organisation_id": 99}  # read-only: left out
    body = patch_rule(api_as(counsellor), f"/employers/{employer.id}", version=1, same=same,
                      change={"contact_person": "Frau Kaya"}, actions=("employer.update",))
    assert body["name"] == employer.name


def test_an_enrolment_patch_that_changes_nothing_keeps_the_version(api_as, counsellor, participant, measure,
                                                                     patch_rule):
    enrolment = EnrolmentFactory(participant=participant, measure=measure)
    same = {"status": "active", "start_date": "2024-03-15", "details": {}}
    patch_rule(api_as(counsellor), f"/enrolments/{enrolment.id}", version=1, same=same,
               change={"end_date": "2025-03-31"}, actions=("enrolment.update",))


def test_a_measure_or_enrolment_read_can_be_sent_back_as_its_patch(api_as, team_lead, counsellor, participant,
                                                                    measure):
    """What a client read, read-only fields included (organisation_id, measure_id, places_taken …), is a
    valid PATCH: the read-only keys are left out, as by every other PATCH (the base schema's rule)."""
    api = api_as(team_lead)
    read = api.get(f"/measures/{measure.id}").get_json()
    assert {"organisation_id", "places_taken", "id"} <= read.keys()
    sent = api.patch(f"/measures/{measure.id}", json={**read, "location": "Wedding"})
    assert sent.status_code == 200, sent.get_json()
    assert (sent.get_json()["location"], sent.get_json()["organisation_id"]) == ("Wedding", measure.organisation_id)
    enrolment = EnrolmentFactory(participant=participant, measure=measure)
    api = api_as(counsellor)
    read = api.get(f"/enrolments/{enrolment.id}").get_json()
    assert "measure_id" in read
    sent = api.patch(f"/enrolments/{enrolment.id}", json={**read, "measure_id": measure.id + 1000})
    assert sent.status_code == 200, sent.get_json()
    assert sent.get_json()["measure_id"] == measure.id
    assert sent.get_json()["version"] == read["version"]  # nothing changed: nothing written
