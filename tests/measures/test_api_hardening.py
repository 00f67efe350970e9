"""Issue 20 in the measures and outcomes API: no input gives a 500. Unknown enum values and wrong
JSON types are 422 with the field named; ids beyond what the databases store are 404 or 422; another
organisation's measure, employer or enrolment is 404 wherever it is named (one rule); a version sent
as a string is refused. Nothing is written by a refused request."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from caseflow.extensions import db
from caseflow.measures.models import Employer, Enrolment, Measure
from caseflow.placements.models import Certificate, Placement
from tests.factories import EmployerFactory, EnrolmentFactory

HUGE = (2**31, 2**63, 10**30)
PLACEMENT = {"type": "employment", "employer_name": "Bäckerei Kaya", "start_date": "2024-06-01"}


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.mark.parametrize("query", ["type=foo", "type=", "active=maybe", "per_page=201", "page=0",
                                   "page=9223372036854775807", "per_page=%C2%B2"])
def test_measure_list_filters_refuse_unknown_values(api_as, counsellor, measure, query):
    response = api_as(counsellor).get(f"/measures?{query}")
    assert response.status_code == 422, response.json
    assert response.json["error"]["code"] == "validation_error" and response.json["error"]["fields"]


@pytest.mark.parametrize("body, field", [
    ({"type": ["matching"]}, "type"),
    ({"type": {"a": 1}}, "type"),
    ({"title": {"a": 1}}, "title"),
    ({"title": "Kurs\u0000"}, "title"),
    ({"title": "Kurs \ud800"}, "title"),
    ({"capacity": ["x"]}, "capacity"),
    ({"capacity": 2**63}, "capacity"),
    ({"capacity": True}, "capacity"),
    ({"start_date": 20250101}, "start_date"),
    ({"organisation_id": 2**31}, "organisation_id"),
    ({"active": "yes"}, "active"),
])
def test_measure_body_of_the_wrong_type_is_422(api_as, admin, org, body, field):
    measure = {"title": "Werkstatt", "type": "coaching", "start_date": "2025-01-01", "organisation_id": org.id}
    response = api_as(admin).post("/measures", json={**measure, **body})
    assert response.status_code == 422, response.json
    assert field in response.json["error"]["fields"]
    assert count(Measure) == 0


def test_unknown_organisation_for_a_new_measure_is_404(api_as, admin):
    response = api_as(admin).post("/measures", json={"title": "Werkstatt", "type": "coaching",
                                                     "start_date": "2025-01-01", "organisation_id": 999999})
    assert response.status_code == 404
    assert count(Measure) == 0


@pytest.mark.parametrize("body, field", [
    ({"status": {"a": 1}}, "status"),
    ({"status": ["active"]}, "status"),
    ({"status": "finished"}, "status"),
    ({"version": "1"}, "version"),
    ({"version": 2**63}, "version"),
    ({"details": ["x"]}, "details"),
    ({"end_date": "2024-13-01"}, "end_date"),
    ({"dropout_reason": "a\u0000b"}, "dropout_reason"),
])
def test_enrolment_patch_of_the_wrong_type_is_422(api_as, counsellor, participant, measure, body, field):
    from datetime import date
    enrolment = EnrolmentFactory(participant=participant, measure=measure, status="planned",
                                 start_date=date(2024, 4, 1))
    response = api_as(counsellor).patch(f"/enrolments/{enrolment.id}", json={"version": 1, **body})
    assert response.status_code == 422, response.json
    assert field in response.json["error"]["fields"]
    db.session.expire_all()
    assert db.session.get(Enrolment, enrolment.id).version == 1


@pytest.mark.parametrize("measure_id, status", [(2**31, 422), (2**63, 422), (10**30, 422), ("1", 422),
                                                (True, 422), (999999, 404)])
def test_enrolment_into_a_measure_that_cannot_exist(api_as, counsellor, participant, measure_id, status):
    response = api_as(counsellor).post(f"/participants/{participant.id}/enrolments", json={"measure_id": measure_id})
    assert response.status_code == status, response.json
    assert count(Enrolment) == 0


@pytest.mark.parametrize("body, field", [({"size": ["x"]}, "size"), ({"size": "giant"}, "size"),
                                         ({"nace_section": {"a": 1}}, "nace_section"),
                                         ({"name": "Bau\u0000GmbH"}, "name"), ({"name": ["Bau"]}, "name")])
def test_employer_body_of_the_wrong_type_is_422(api_as, counsellor, body, field):
    response = api_as(counsellor).post("/employers", json={"name": "Bau GmbH", **body})
    assert response.status_code == 422, response.json
    assert field in response.json["error"]["fields"]
    assert count(Employer) == 0


def test_employer_list_refuses_a_nul_in_the_search(api_as, counsellor):
    assert api_as(counsellor).get("/employers?q=a%00b").status_code == 422


# --- placements ------------------------------------------------------------------------------------

def test_placement_patch_refuses_a_version_sent_as_a_string(api_as, counsellor, participant):
    api = api_as(counsellor)
    created = api.post(f"/participants/{participant.id}/placements", json=PLACEMENT).json
    for version in ("2", "1", 1.0, None, True, 2**63):
        response = api.patch(f"/placements/{created['id']}", json={"version": version, "job_title": "x"})
        assert response.status_code == 422, (version, response.json)
        assert "version" in response.json["error"]["fields"]
    db.session.expire_all()
    assert db.session.get(Placement, created["id"]).job_title is None


@pytest.mark.parametrize("body, field", [({"type": ["employment"]}, "type"), ({"weekly_hours": "30"}, "weekly_hours"),
                                         ({"weekly_hours": [30]}, "weekly_hours"), ({"permanent": "yes"}, "permanent"),
                                         ({"employer_id": 2**31}, "employer_id"), ({"enrolment_id": 2**63}, "enrolment_id"),
                                         ({"employer_name": "Kita\u0000"}, "employer_name"),
                                         ({"evidence": {"a": 1}}, "evidence")])
def test_placement_body_of_the_wrong_type_is_422(api_as, counsellor, participant, body, field):
    response = api_as(counsellor).post(f"/participants/{participant.id}/placements", json={**PLACEMENT, **body})
    assert response.status_code == 422, response.json
    assert field in response.json["error"]["fields"]
    assert count(Placement) == 0


def test_exit_refuses_a_closing_plan_of_the_wrong_shape(api_as, counsellor, participant):
    response = api_as(counsellor).post(f"/participants/{participant.id}/exit", json={
        "exit_date": "2024-08-31", "reason": "completed", "close_enrolments_as": ["completed"]})
    assert response.status_code == 422 and "close_enrolments_as" in response.json["error"]["fields"]


def test_another_organisations_ids_are_404_everywhere(api_as, counsellor, participant, other_org, other_participant,
                                                      other_measure, other_counsellor):
    api = api_as(counsellor)
    foreign_employer = EmployerFactory(organisation=other_org, name="Fremd GmbH")
    foreign_enrolment = EnrolmentFactory(participant=other_participant, measure=other_measure)
    assert api.post(f"/participants/{participant.id}/enrolments",
                    json={"measure_id": other_measure.id}).status_code == 404
    assert api.post(f"/participants/{participant.id}/placements",
                    json={**PLACEMENT, "employer_id": foreign_employer.id}).status_code == 404
    assert api.post(f"/participants/{participant.id}/placements",
                    json={**PLACEMENT, "enrolment_id": foreign_enrolment.id}).status_code == 404
    assert api.post(f"/participants/{participant.id}/certificates",
                    json={"date": "2024-06-30", "title": "B1", "enrolment_id": foreign_enrolment.id}).status_code == 404
    for query in (f"measure_id={other_measure.id}", f"employer_id={foreign_employer.id}",
                  f"counsellor_id={other_counsellor.id}", "measure_id=999999"):
        assert api.get(f"/placements?{query}").status_code == 404, query
    assert api.get(f"/employers/{foreign_employer.id}").status_code == 404
    assert count(Placement) == 0 and count(Certificate) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Enrolment)
                             .where(Enrolment.participant_id == participant.id)) == 0


@pytest.mark.parametrize("name", ["measure_id", "employer_id", "counsellor_id"])
@pytest.mark.parametrize("value", [str(n) for n in HUGE] + ["-1", "²", "1e3", "0x10"])
def test_placement_list_ids_out_of_range_are_422(api_as, counsellor, name, value):
    response = api_as(counsellor).get("/placements", query_string={name: value})
    assert response.status_code == 422, response.json
    assert name in response.json["error"]["fields"]


@pytest.mark.parametrize("query", ["type=foo", "from=2024-02-30", "to=yesterday", "per_page=500"])
def test_placement_list_refuses_bad_filters(api_as, counsellor, query):
    assert api_as(counsellor).get(f"/placements?{query}").status_code == 422
