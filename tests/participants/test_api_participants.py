"""POST/GET/PATCH /participants: field rules, duplicates, search, versions, audit, roles."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from caseflow.audit.models import AuditEntry
from caseflow.extensions import db
from caseflow.participants.models import ForeignQualification, Participant, ParticipantLanguage, StatusChange
from caseflow.participants.vocabulary import ANSWER_FIELDS
from tests.participants.conftest import valid_data


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_registration_answers_201_with_every_field(api_as, counsellor):
    response = api_as(counsellor).post("/participants", json=valid_data())
    assert response.status_code == 201
    body = response.get_json()
    assert re.fullmatch(r"CF-\d{4}-\d{6}", body["case_number"])
    assert body["status"] == "active" and body["exit_date"] is None and body["version"] == 1
    assert body["counsellor_id"] == counsellor.id  # defaults to the creating counsellor
    assert body["organisation_id"] == counsellor.organisation_id
    for key, value in valid_data().items():
        expected = {True: "yes", False: "no"}[value] if key in ANSWER_FIELDS else value
        assert body[key] == expected, key
    # three-valued since issue 18: a boolean sent is answered as "yes"/"no", nothing sent is "no"
    assert body["foreign_background"] == "yes"
    assert body["disability"] == "no" and body["minority"] == "no" and body["homeless"] == "no"


def test_registration_writes_entry_status_age_and_audit(api_as, counsellor):
    body = api_as(counsellor).post("/participants", json=valid_data()).get_json()
    participant = db.session.get(Participant, body["id"])
    assert participant.age_at_entry == 34 and participant.birth_year == 1990
    changes = db.session.scalars(sa.select(StatusChange).where(StatusChange.participant_id == participant.id)).all()
    assert [(c.date.isoformat(), c.status, c.source) for c in changes] == [("2025-03-01", "unemployed", "entry")]
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "participant.create"))
    assert entry.actor_id == counsellor.id and entry.participant_id == participant.id
    assert entry.changes["last_name"] == [None, "Haddad"]
    assert entry.changes["languages"][1][0]["language"] == "ar"


def test_case_numbers_are_consecutive_and_unique(api_as, counsellor):
    api = api_as(counsellor)
    numbers = [api.post("/participants", json=valid_data(first_name=f"Name{n}", date_of_birth=f"19{70 + n}-01-01"))
               .get_json()["case_number"] for n in range(3)]
    values = [int(n[-6:]) for n in numbers]
    assert values == [values[0], values[0] + 1, values[0] + 2]


BAD_FIELDS = [
    ({"first_name": ""}, "first_name"),
    ({"first_name": "x" * 101}, "first_name"),
    ({"last_name": None}, "last_name"),
    ({"last_name": 12}, "last_name"),
    ({"date_of_birth": "2025-03-01"}, "date_of_birth"),          # not before entry
    ({"date_of_birth": "2026-13-01"}, "date_of_birth"),
    ({"date_of_birth": "17.05.1990"}, "date_of_birth"),
    ({"gender": "x"}, "gender"),
    ({"gender": None}, "gender"),
    ({"nationality": "XX"}, "nationality"),
    ({"nationality": "syria"}, "nationality"),
    ({"country_of_birth": "ZZ"}, "country_of_birth"),
    ({"residence_status": "citizen"}, "residence_status"),
    ({"work_permission": "yes"}, "work_permission"),
    ({"arrival_year": 1850}, "arrival_year"),
    ({"arrival_year": 1985}, "arrival_year"),                     # before birth
    ({"preferred_language": "xx"}, "preferred_language"),
    ({"foreign_background": "true"}, "foreign_background"),
    ({"homeless": "maybe"}, "homeless"),
    ({"disability": "yes"}, "disability"),                        # without consent date
    ({"disability": True}, "disability"),                         # without consent date
    ({"minority": True}, "minority"),
    ({"special_categories_consent_date": "2999-01-01"}, "special_categories_consent_date"),
    ({"entry_date": None}, "entry_date"),
    ({"labour_status_at_entry": "jobless"}, "labour_status_at_entry"),
    ({"unemployed_since": None}, "unemployed_since"),              # unemployed without a start
    ({"unemployed_since": "2025-03-02"}, "unemployed_since"),      # after entry
    ({"labour_status_at_entry": "employed"}, "unemployed_since"),  # must be empty otherwise
    ({"education_isced": 9}, "education_isced"),
    ({"education_isced": "6"}, "education_isced"),
    ({"german_level": "B3"}, "german_level"),
    ({"email": "not-an-address"}, "email"),
    ({"district": "Hamburg-Mitte"}, "district"),
    ({"phone": "1" * 41}, "phone"),
    ({"languages": [{"language": "xx"}]}, "languages"),
    ({"foreign_qualifications": [{"title": "", "country": "SY"}]}, "foreign_qualifications"),
    ({"foreign_qualifications": [{"title": "MSc", "recognition_status": "done"}]}, "foreign_qualifications"),
]


def test_invalid_field_answers_422_on_that_field_and_saves_nothing(api_as, counsellor):
    # One test over all cases: each case is a request, not a fresh database (keeps the suite fast).
    api = api_as(counsellor)
    wrong = []
    for override, field in BAD_FIELDS:
        response = api.post("/participants", json=valid_data(**override))
        error = (response.get_json() or {}).get("error", {})
        # an error inside a list names the row and field: foreign_qualifications.0.recognition_status
        named = [name for name in error.get("fields", {}) if name == field or name.startswith(field + ".")]
        if response.status_code != 422 or error.get("code") != "validation_error" or not named:
            wrong.append((override, response.status_code, error))
    assert wrong == []
    assert count(Participant) == 0 and count(StatusChange) == 0
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEntry.participant_id.is_not(None))) == 0


def test_counsellor_of_another_organisation_is_rejected(api_as, counsellor, other_counsellor):
    response = api_as(counsellor).post("/participants", json=valid_data(counsellor_id=other_counsellor.id))
    assert response.status_code == 422
    assert "counsellor_id" in response.get_json()["error"]["fields"]


def test_special_categories_with_consent_date_are_kept(api_as, counsellor):
    body = api_as(counsellor).post("/participants", json=valid_data(
        disability=True, minority=True, special_categories_consent_date="2025-02-20")).get_json()
    assert body["disability"] == "yes" and body["minority"] == "yes"
    assert body["special_categories_consent_date"] == "2025-02-20"


def test_malformed_json_is_400(api_as, counsellor):
    response = api_as(counsellor).post("/participants", data="{nope", content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize("first, last", [
    ("Amira", "Haddad"), ("AMIRA", "haddad"), ("Haddad", "Amira"), ("Amira", "Hadad"),
])
def test_possible_duplicate_answers_409_with_candidates(api_as, counsellor, register, first, last):
    existing = register()
    response = api_as(counsellor).post("/participants", json=valid_data(first_name=first, last_name=last))
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "possible_duplicate" and error["candidates"] == [existing.id]
    assert count(Participant) == 1


@pytest.mark.parametrize("stored, entered", [
    (("Olena", "Kovalenko"), ("Olena", "Kowalenko")),
    (("Mohammed", "Rahimi"), ("Muhammad", "Rahimi")),
    (("Jusuf", "Özdemir"), ("Yusuf", "Oezdemir")),
    (("Jana", "Müller"), ("Jana", "Muller")),
    (("Ali", "Al-Hassan"), ("Ali", "Alhassan")),
])
def test_transliteration_variants_are_possible_duplicates(api_as, counsellor, register, stored, entered):
    existing = register(first_name=stored[0], last_name=stored[1])
    response = api_as(counsellor).post("/participants", json=valid_data(first_name=entered[0], last_name=entered[1]))
    assert response.status_code == 409
    assert response.get_json()["error"]["candidates"] == [existing.id]


def test_no_duplicate_for_other_birth_date_other_name_or_other_organisation(api_as, counsellor, other_counsellor, register):
    register()
    register(actor=other_counsellor)  # same person in another organisation: not our business
    api = api_as(counsellor)
    # (a birth date one day off is a typo the check catches: tests/participants/test_duplicates.py)
    assert api.post("/participants", json=valid_data(date_of_birth="1990-05-20")).status_code == 201
    assert api.post("/participants", json=valid_data(first_name="Samir")).status_code == 201
    assert api_as(other_counsellor).post("/participants", json=valid_data(first_name="Amira", last_name="Kaya")).status_code == 201


def test_confirm_not_duplicate_registers_anyway(api_as, counsellor, register):
    register()
    response = api_as(counsellor).post("/participants", json=valid_data(confirm_not_duplicate=True))
    assert response.status_code == 201
    assert count(Participant) == 2


@pytest.mark.parametrize("query", ["muller", "mueller", "Müller", "MÜLLER", "jana müll"])
def test_search_folds_case_and_umlauts(api_as, counsellor, register, query):
    wanted = register(first_name="Jana", last_name="Müller")
    register(first_name="Jan", last_name="Maler", date_of_birth="1991-01-01")
    body = api_as(counsellor).get("/participants", query_string={"q": query}).get_json()
    assert [item["id"] for item in body["items"]] == [wanted.id]


def test_search_by_case_number_and_list_leaves_out_special_categories(api_as, counsellor, register):
    p = register(disability=True, special_categories_consent_date="2025-01-01")
    register(first_name="Other", date_of_birth="1980-01-01")
    body = api_as(counsellor).get("/participants", query_string={"q": p.case_number}).get_json()
    assert body["total"] == 1 and body["items"][0]["case_number"] == p.case_number
    assert "disability" not in body["items"][0] and "minority" not in body["items"][0]
    assert "special_categories_consent_date" not in body["items"][0]


def test_list_is_paginated_and_refuses_pages_above_200(api_as, counsellor, register):
    for n in range(3):
        register(first_name=f"P{n}", date_of_birth=f"198{n}-01-01")
    body = api_as(counsellor).get("/participants?per_page=2&page=2").get_json()
    assert body["page"] == 2 and body["per_page"] == 2 and body["total"] == 3 and len(body["items"]) == 1
    assert api_as(counsellor).get("/participants?per_page=200").get_json()["per_page"] == 200
    # The document says at most 200: more is refused, not silently cut (issue 20, one rule everywhere).
    response = api_as(counsellor).get("/participants?per_page=5000")
    assert response.status_code == 422 and "per_page" in response.get_json()["error"]["fields"]


def test_patch_changes_fields_and_audits_old_and_new(api_as, counsellor, register):
    p = register()
    response = api_as(counsellor).patch(f"/participants/{p.id}", json={"version": 1, "last_name": "Haddad-Nasser",
                                                                        "german_level": "B2"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["version"] == 2 and body["last_name"] == "Haddad-Nasser" and body["first_name"] == "Amira"
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "participant.update"))
    assert entry.changes["last_name"] == ["Haddad", "Haddad-Nasser"]
    assert entry.changes["german_level"] == ["B1", "B2"]
    assert api_as(counsellor).get("/participants?q=nasser").get_json()["total"] == 1


def test_patch_with_stale_version_is_409_and_writes_nothing(api_as, counsellor, register):
    p = register()
    api = api_as(counsellor)
    assert api.patch(f"/participants/{p.id}", json={"version": 1, "phone": "030 1"}).status_code == 200
    response = api.patch(f"/participants/{p.id}", json={"version": 1, "phone": "030 2"})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "stale_version"
    assert api.get(f"/participants/{p.id}").get_json()["phone"] == "030 1"


def test_patch_without_version_is_rejected(api_as, counsellor, register):
    p = register()
    response = api_as(counsellor).patch(f"/participants/{p.id}", json={"phone": "030 2"})
    assert response.status_code == 422 and "version" in response.get_json()["error"]["fields"]


def test_patch_validates_the_merged_record(api_as, counsellor, register):
    p = register()
    response = api_as(counsellor).patch(f"/participants/{p.id}", json={"version": 1, "labour_status_at_entry": "employed"})
    assert response.status_code == 422 and "unemployed_since" in response.get_json()["error"]["fields"]
    response = api_as(counsellor).patch(f"/participants/{p.id}", json={"version": 1, "minority": True})
    assert response.status_code == 422 and "minority" in response.get_json()["error"]["fields"]


def test_patch_of_entry_moves_the_entry_status_record(api_as, counsellor, register):
    p = register()
    api_as(counsellor).patch(f"/participants/{p.id}", json={
        "version": 1, "entry_date": "2025-04-01", "labour_status_at_entry": "inactive", "unemployed_since": None})
    history = api_as(counsellor).get(f"/participants/{p.id}/status-changes").get_json()["items"]
    assert [(h["date"], h["status"], h["source"]) for h in history] == [("2025-04-01", "inactive", "entry")]


def test_patch_replaces_languages_and_qualifications(api_as, counsellor, register):
    p = register()
    body = api_as(counsellor).patch(f"/participants/{p.id}", json={
        "version": 1, "languages": [{"language": "de", "level": "B1"}], "foreign_qualifications": []}).get_json()
    assert body["languages"] == [{"language": "de", "level": "B1"}] and body["foreign_qualifications"] == []
    assert count(ParticipantLanguage) == 1 and count(ForeignQualification) == 0


@pytest.mark.parametrize("role_fixture", ["analyst", "admin"])
def test_analysts_and_admins_get_403(request, api_as, register, role_fixture):
    p = register()
    api = api_as(request.getfixturevalue(role_fixture))
    assert api.get("/participants").status_code == 403
    assert api.post("/participants", json=valid_data()).status_code == 403
    assert api.get(f"/participants/{p.id}").status_code == 403
    assert api.patch(f"/participants/{p.id}", json={"version": 1}).status_code == 403
    for sub in ("status-changes", "notes", "goals", "tasks"):
        assert api.get(f"/participants/{p.id}/{sub}").status_code == 403


def test_openapi_describes_the_participant_endpoints(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    for path in ("/participants", "/participants/{participant_id}", "/participants/{participant_id}/status-changes",
                 "/participants/{participant_id}/notes"):
        assert path in doc["paths"]
    schemas = doc["components"]["schemas"]
    fields = schemas["Participant"]["properties"]
    assert "special_categories_consent_date" in fields and "confirm_not_duplicate" in fields
    assert set(schemas["Participant"]["required"]) == {
        "first_name", "last_name", "date_of_birth", "gender", "nationality", "entry_date", "labour_status_at_entry"}
    assert "version" in schemas["ParticipantPatch"]["required"]
    # lists leave out special categories, and the document says so
    assert "disability" not in schemas["ParticipantSummary"]["properties"]
    post = doc["paths"]["/participants"]["post"]
    assert {"201", "400", "403", "409", "422"} <= set(post["responses"])


def test_reading_one_participant_writes_the_access_log(api_as, counsellor, register):
    p = register()
    assert api_as(counsellor).get(f"/participants/{p.id}").status_code == 200
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "case.view"))
    assert entry.participant_id == p.id and entry.actor_id == counsellor.id


# A PATCH that changes nothing writes nothing (patch_rule in tests/conftest.py): sending only the
# read-only fields once raised the version (the derived search key, loaded deferred, was written
# again even when equal), which made every other client's next PATCH a 409.

def test_a_patch_that_changes_nothing_keeps_the_version(api_as, counsellor, register, patch_rule):
    p = register()
    api = api_as(counsellor)
    read = api.get(f"/participants/{p.id}").get_json()
    read_only = {k: read[k] for k in ("id", "case_number", "organisation_id", "status", "exit_date", "age_at_entry")}
    patch_rule(api, f"/participants/{p.id}", version=1, same=read_only, change={"phone": "030 1"},
               actions=("participant.update",))
    sent_back = {k: v for k, v in api.get(f"/participants/{p.id}").get_json().items() if k != "version"}
    body = patch_rule(api, f"/participants/{p.id}", version=2, same=sent_back, change={"german_level": "B2"},
                      actions=("participant.update",))
    assert body == {**sent_back, "version": 2}


def test_a_change_of_fields_and_lists_together_raises_the_version_by_one(api_as, counsellor, register):
    p = register()
    body = api_as(counsellor).patch(f"/participants/{p.id}", json={
        "version": 1, "last_name": "Haddad-Nasser", "entry_date": "2025-04-01",
        "languages": [{"language": "de", "level": "B1"}]}).get_json()
    assert body["version"] == 2
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "participant.update"))
    assert entry.changes["version"] == [1, 2] and set(entry.changes) == {"last_name", "entry_date", "languages",
                                                                         "version"}
