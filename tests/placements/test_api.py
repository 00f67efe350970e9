"""The outcome endpoints of API v1: shapes, status codes, isolation between organisations."""
from datetime import date

import pytest
import sqlalchemy as sa

from caseflow.database import unit_of_work
from caseflow.extensions import db
from caseflow.participants.models import Participant, StatusChange, Task
from caseflow.placements.models import Placement

PLACEMENT = {"type": "apprenticeship", "employer_name": "Elektro Yilmaz GmbH", "job_title": "Auszubildender Elektroniker",
             "start_date": "2024-08-01", "weekly_hours": 39.5, "permanent": False, "matches_qualification": True,
             "evidence": "contract_seen"}


def test_record_and_read_placements(api_as, counsellor, participant, enrolment):
    api = api_as(counsellor)
    r = api.post(f"/participants/{participant.id}/placements", json={**PLACEMENT, "enrolment_id": enrolment.id})
    assert r.status_code == 201, r.json
    body = r.json
    assert {k: body[k] for k in ("type", "employer_name", "start_date", "end_date", "weekly_hours", "country",
                                 "enrolment_id", "version", "permanent")} == {
        "type": "apprenticeship", "employer_name": "Elektro Yilmaz GmbH", "start_date": "2024-08-01",
        "end_date": None, "weekly_hours": 39.5, "country": "DE", "enrolment_id": enrolment.id, "version": 1,
        "permanent": False}
    assert isinstance(body["employer_id"], int)
    status = db.session.execute(sa.select(StatusChange.date, StatusChange.status, StatusChange.placement_id)
                                .where(StatusChange.source == "placement")).one()
    assert tuple(status) == (date(2024, 8, 1), "employed", body["id"])

    listed = api.get(f"/participants/{participant.id}/placements").json
    assert listed["total"] == 1 and listed["page"] == 1 and listed["items"][0]["id"] == body["id"]
    assert api.get(f"/placements/{body['id']}").json == body
    org_list = api.get("/placements?type=apprenticeship&from=2024-08-01&to=2024-08-31").json
    assert [i["id"] for i in org_list["items"]] == [body["id"]]
    assert api.get("/placements?type=internship").json["total"] == 0


def test_validation_answers_422_with_fields(api_as, counsellor, participant):
    api = api_as(counsellor)
    # what cannot be read is refused by the schema, each field with its message ...
    r = api.post(f"/participants/{participant.id}/placements",
                 json={**PLACEMENT, "type": "volunteering", "weekly_hours": "80", "start_date": "1.1.2023"})
    assert r.status_code == 422
    assert set(r.json["error"]["fields"]) == {"type", "weekly_hours", "start_date"}
    assert r.json["error"]["code"] == "validation_error"
    # ... and the rules by the service, again naming every field at once
    r = api.post(f"/participants/{participant.id}/placements",
                 json={**PLACEMENT, "weekly_hours": 80, "start_date": "2023-01-01", "country": "XX"})
    assert r.status_code == 422
    assert set(r.json["error"]["fields"]) == {"weekly_hours", "start_date", "country"}
    r = api.post(f"/participants/{participant.id}/placements", data="not json", content_type="application/json")
    assert r.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Placement)) == 0


def test_patch_with_version(api_as, counsellor, participant):
    api = api_as(counsellor)
    created = api.post(f"/participants/{participant.id}/placements", json=PLACEMENT).json
    r = api.patch(f"/placements/{created['id']}", json={"version": created["version"], "job_title": "Elektroniker",
                                                        "start_date": "2024-09-01"})
    assert r.status_code == 200
    assert (r.json["job_title"], r.json["version"]) == ("Elektroniker", 2)
    stale = api.patch(f"/placements/{created['id']}", json={"version": 1, "job_title": "Aushilfe"})
    assert stale.status_code == 409
    assert api.patch(f"/placements/{created['id']}", json={"job_title": "x"}).status_code == 422
    assert api.get(f"/placements/{created['id']}").json["job_title"] == "Elektroniker"
    assert db.session.scalar(sa.select(StatusChange.date).where(StatusChange.source == "placement")) == date(2024, 9, 1)
    ended = api.post(f"/placements/{created['id']}/end", json={"version": 2, "end_date": "2025-01-31",
                                                                "status_after_end": "unemployed"})
    assert ended.status_code == 200 and ended.json["end_date"] == "2025-01-31"


def test_exit_re_entry_and_follow_up(api_as, counsellor, participant, enrolment):
    api = api_as(counsellor)
    r = api.post(f"/participants/{participant.id}/exit", json={"exit_date": "2024-08-31", "reason": "completed",
                                                               "close_enrolments_as": "dropped_out"})
    assert r.status_code == 201, r.json
    assert r.json["participant"]["status"] == "exited" and r.json["participant"]["exit_date"] == "2024-08-31"
    assert r.json["closed_enrolments"] == [{"id": enrolment.id, "status": "dropped_out", "end_date": "2024-08-31"}]
    assert sorted((t["kind"], t["due_date"]) for t in r.json["tasks"]) == [
        ("four_week_check", "2024-09-28"), ("six_month_follow_up", "2025-02-28")]
    assert api.post(f"/participants/{participant.id}/exit",
                    json={"exit_date": "2024-09-01", "reason": "completed"}).status_code == 409

    f = api.post(f"/participants/{participant.id}/follow-ups",
                 json={"kind": "six_months", "date": "2025-03-02", "status": "unknown", "improved_situation": False})
    assert f.status_code == 201
    assert f.json["status"] == "unknown" and f.json["improved_situation"] is None
    assert api.get(f"/participants/{participant.id}/follow-ups").json["total"] == 1
    preview = api.get(f"/participants/{participant.id}/esf-preview").json
    assert preview["status_upon_leaving"] == "unemployed" and preview["reference_day"] == "2024-09-28"

    r = api.post(f"/participants/{participant.id}/re-entry", json={"date": "2025-04-01"})
    assert r.status_code == 201
    assert r.json["participant"] == {"id": participant.id, "status": "active", "entry_date": "2024-03-01",
                                     "exit_date": None, "exit_reason": None, "version": r.json["participant"]["version"]}
    assert api.post(f"/participants/{participant.id}/re-entry", json={"date": "2025-04-02"}).status_code == 409
    assert api.get(f"/participants/{participant.id}/exits").json["total"] == 1


def test_certificates(api_as, counsellor, participant, enrolment):
    api = api_as(counsellor)
    r = api.post(f"/participants/{participant.id}/certificates",
                 json={"date": "2024-06-30", "title": "Schweißerprüfung ISO 9606-1", "issuing_body": "DVS",
                       "enrolment_id": enrolment.id})
    assert r.status_code == 201
    assert r.json == {"id": r.json["id"], "participant_id": participant.id, "date": "2024-06-30",
                      "title": "Schweißerprüfung ISO 9606-1", "issuing_body": "DVS", "enrolment_id": enrolment.id}
    assert api.post(f"/participants/{participant.id}/certificates", json={"date": "2024-06-30"}).status_code == 422
    assert api.get(f"/participants/{participant.id}/certificates").json["items"] == [r.json]


@pytest.mark.parametrize("method, path, payload", [
    ("post", "/participants/{pid}/placements", PLACEMENT),
    ("get", "/participants/{pid}/placements", None),
    ("post", "/participants/{pid}/exit", {"exit_date": "2024-08-31", "reason": "completed"}),
    ("post", "/participants/{pid}/re-entry", {"date": "2024-09-01"}),
    ("post", "/participants/{pid}/certificates", {"date": "2024-06-30", "title": "B1"}),
    ("get", "/participants/{pid}/certificates", None),
    ("post", "/participants/{pid}/follow-ups", {"date": "2024-06-30", "status": "employed"}),
    ("get", "/participants/{pid}/follow-ups", None),
    ("get", "/placements/{plid}", None),
    ("patch", "/placements/{plid}", {"version": 1, "job_title": "x"}),
    ("post", "/placements/{plid}/end", {"version": 1, "end_date": "2024-12-31", "status_after_end": "unemployed"}),
])
def test_other_organisation_404_and_non_casework_403(api_as, counsellor, other_counsellor, analyst, admin,
                                                     participant, method, path, payload):
    from caseflow.placements import services
    placement = services.record_placement(participant, {**PLACEMENT, "start_date": date(2024, 8, 1)}, actor=counsellor)
    url = path.format(pid=participant.id, plid=placement.id)
    call = lambda api: getattr(api, method)(url, **({"json": payload} if payload is not None else {}))  # noqa: E731
    assert call(api_as(other_counsellor)).status_code == 404
    assert call(api_as(analyst)).status_code == 403
    assert call(api_as(admin)).status_code == 403
    db.session.expire_all()
    p = db.session.get(Participant, participant.id)
    assert p.status == "active"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Task)) == 0
    assert db.session.get(Placement, placement.id).job_title == PLACEMENT["job_title"]


def test_other_organisation_sees_none_of_our_placements(api_as, counsellor, other_counsellor, participant):
    api_as(counsellor).post(f"/participants/{participant.id}/placements", json=PLACEMENT)
    assert api_as(other_counsellor).get("/placements").json["total"] == 0
    assert api_as(other_counsellor).get("/placements?type=bad").status_code == 422


def test_openapi_describes_the_outcome_endpoints(client, counsellor, api_as):
    doc = client.get("/api/v1/openapi.json").json
    for path in ("/participants/{participant_id}/placements", "/participants/{participant_id}/exit",
                 "/participants/{participant_id}/re-entry", "/participants/{participant_id}/certificates",
                 "/participants/{participant_id}/follow-ups", "/placements/{placement_id}"):
        assert path in doc["paths"], path
    assert "close_enrolments_as" in doc["components"]["schemas"]["Exit"]["properties"]
    assert doc["components"]["schemas"]["Placement"]["properties"]["type"]["enum"] == [
        "employment", "marginal_employment", "self_employment", "apprenticeship", "internship"]


def test_anonymised_cases_take_no_new_outcomes(api_as, counsellor, participant):
    from caseflow.models_base import utcnow
    with unit_of_work():
        participant.anonymised_at = utcnow()
    api = api_as(counsellor)
    assert api.post(f"/participants/{participant.id}/placements", json=PLACEMENT).status_code == 404
    assert api.post(f"/participants/{participant.id}/exit",
                    json={"exit_date": "2024-08-31", "reason": "completed"}).status_code == 404
    assert api.get(f"/participants/{participant.id}/placements").status_code == 200


def test_a_patch_that_changes_nothing_keeps_the_version(api_as, counsellor, participant, patch_rule):
    """The rule of every PATCH (patch_rule in tests/conftest.py): read-only fields and the current
    values change nothing, so nothing is written."""
    api = api_as(counsellor)
    created = api.post(f"/participants/{participant.id}/placements", json=PLACEMENT).json
    sent_back = {k: v for k, v in created.items() if k != "version"}
    body = patch_rule(api, f"/placements/{created['id']}", version=1, same=sent_back,
                      change={"job_title": "Elektroniker"}, actions=("placement.update",))
    assert body == created
