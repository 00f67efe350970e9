"""Issue 20 in the case file: no input answers 500. Ids no database row can have answer 404 (paths)
or 422 (fields); wrong JSON types answer 422; NUL bytes, other control characters and lone
surrogates are refused with 422 and never reach the database — on SQLite and PostgreSQL alike."""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from caseflow.audit.models import AuditEntry
from caseflow.extensions import db
from caseflow.participants.models import Goal, Note, Participant, ParticipantLanguage, Task
from tests.participants.conftest import valid_data
from tests.participants.test_web import post_form, registration_form

HUGE = [2**31, 2**31 + 1, 2**63 - 1, 2**63, 2**64, 10**30]
UNSAFE = ["a\x00b", "\x00", "Haddad\x07", "x\x1b[31m", "\ud800", "a\udfffb"]


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


@pytest.fixture
def case(register, counsellor):
    from datetime import date

    from caseflow.participants import services
    p = register()
    note = services.add_note(p, {"date": date.today(), "kind": "phone", "text": "first"}, actor=counsellor)
    goal = services.add_goal(p, {"title": "Goal"}, actor=counsellor)
    task = services.add_task(p, {"title": "Task", "due_date": date.today()}, actor=counsellor)
    return {"pid": p.id, "note": note.id, "goal": goal.id, "task": task.id}


def raw_post(api, path, body: str):
    """Posts a JSON text as it is (json.dumps escapes a lone surrogate as \\ud800, as a client would)."""
    return api.client.post("/api/v1" + path, data=body, content_type="application/json", headers=api.headers)


# --- ids out of range ------------------------------------------------------------------------------

def test_ids_beyond_any_column_in_api_paths_are_404(api_as, counsellor, case):
    api = api_as(counsellor)
    for big in HUGE:
        for method, path, body in [
            ("get", f"/participants/{big}", None),
            ("patch", f"/participants/{big}", {"version": 1, "phone": "1"}),
            ("get", f"/participants/{big}/notes", None),
            ("post", f"/participants/{big}/notes", {"date": "2025-05-01", "kind": "phone", "text": "x"}),
            ("patch", f"/participants/{case['pid']}/notes/{big}", {"version": 1, "text": "x"}),
            ("patch", f"/participants/{case['pid']}/goals/{big}", {"version": 1, "status": "dropped"}),
            ("patch", f"/participants/{case['pid']}/tasks/{big}", {"version": 1, "done": True}),
            ("get", f"/participants/{big}/status-changes", None),
        ]:
            response = getattr(api, method)(path, json=body) if body else getattr(api, method)(path)
            assert response.status_code == 404, (method, path, response.status_code)
            assert response.get_json()["error"]["code"] == "not_found"


def test_ids_beyond_any_column_in_json_are_422(api_as, counsellor, team_lead, case):
    api = api_as(counsellor)
    for big in HUGE:
        response = api.post("/participants", json=valid_data(counsellor_id=big, confirm_not_duplicate=True))
        assert response.status_code == 422 and "counsellor_id" in response.get_json()["error"]["fields"], big
        response = api.patch(f"/participants/{case['pid']}", json={"version": 1, "counsellor_id": big})
        assert response.status_code == 422 and "counsellor_id" in response.get_json()["error"]["fields"], big
        response = api.post(f"/participants/{case['pid']}/tasks",
                            json={"title": "x", "due_date": "2025-07-01", "assignee_id": big})
        assert response.status_code == 422 and "assignee_id" in response.get_json()["error"]["fields"], big
        response = api.patch(f"/participants/{case['pid']}/notes/{case['note']}", json={"version": big, "text": "y"})
        assert response.status_code in (409, 422), big
    assert api.get("/participants?page=9223372036854775807").status_code == 422
    assert count(Participant) == 1 and count(Task) == 1


def test_ids_beyond_any_column_in_pages_and_forms_are_refused(client, auth, counsellor, team_lead, case):
    auth.login(team_lead)
    pid = case["pid"]
    for big in HUGE:
        assert client.get(f"/participants/{big}").status_code == 404
        assert client.get(f"/participants/{pid}/notes/{big}/edit").status_code == 404
        assert client.get(f"/caseload?counsellor={big}&measure={big}").status_code == 200
        response = post_form(client, auth, f"/participants/{pid}/reassign", {"counsellor_id": str(big), "version": "1"})
        assert response.status_code == 422, big
        response = post_form(client, auth, f"/participants/{pid}/tasks",
                             {"title": "x", "due_date": "2025-07-01", "assignee_id": str(big)},
                             token_path=f"/participants/{pid}", prefix="task")
        assert response.status_code == 422, big
        response = post_form(client, auth, "/participants/new", registration_form(counsellor_id=str(big)))
        assert response.status_code == 422, big
    # digits of other scripts are not numbers here
    for odd in ("²", "٣", "１"):
        assert client.get(f"/caseload?counsellor={odd}&measure={odd}").status_code == 200
        response = post_form(client, auth, f"/participants/{pid}/reassign", {"counsellor_id": odd, "version": "1"})
        assert response.status_code == 422
    assert count(Participant) == 1 and count(Task) == 1
    assert db.session.get(Participant, pid).counsellor_id == counsellor.id


# --- wrong JSON types -------------------------------------------------------------------------------

WRONG_TYPES = [
    ("post", "/participants", {"first_name": ["x"]}, "first_name"),
    ("post", "/participants", {"gender": {"a": 1}}, "gender"),
    ("post", "/participants", {"labour_status_at_entry": ["unemployed"]}, "labour_status_at_entry"),
    ("post", "/participants", {"date_of_birth": 19900517}, "date_of_birth"),
    ("post", "/participants", {"education_isced": 6.5}, "education_isced"),
    ("post", "/participants", {"arrival_year": "2016"}, "arrival_year"),
    ("post", "/participants", {"counsellor_id": "1"}, "counsellor_id"),
    ("post", "/participants", {"counsellor_id": True}, "counsellor_id"),
    ("post", "/participants", {"homeless": 1}, "homeless"),
    ("post", "/participants", {"minority": 0}, "minority"),
    ("post", "/participants", {"work_permission": 1.0}, "work_permission"),
    ("post", "/participants", {"languages": "de"}, "languages"),
    ("post", "/participants", {"languages": [1, 2]}, "languages"),
    ("post", "/participants", {"languages": [{"language": ["de"]}]}, "languages"),
    ("post", "/participants", {"foreign_qualifications": {"title": "x"}}, "foreign_qualifications"),
    ("post", "/participants", {"foreign_qualifications": [{"title": "x", "isced": "6"}]}, "foreign_qualifications"),
    ("post", "/participants", {"confirm_not_duplicate": "true"}, "confirm_not_duplicate"),
    ("post", "/participants/{pid}/status-changes", {"date": "2025-06-01", "status": {"a": 1}}, "status"),
    ("post", "/participants/{pid}/notes", {"date": "2025-04-01", "kind": ["phone"], "text": "x"}, "kind"),
    ("post", "/participants/{pid}/notes", {"date": "2025-04-01", "kind": "phone", "text": 5}, "text"),
    ("post", "/participants/{pid}/goals", {"title": {"x": 1}}, "title"),
    ("post", "/participants/{pid}/tasks", {"title": "x", "due_date": "2025-07-01", "assignee_id": "1"}, "assignee_id"),
    ("patch", "/participants/{pid}", {"version": "1", "phone": "1"}, "version"),
    ("patch", "/participants/{pid}", {"version": [1]}, "version"),
    ("patch", "/participants/{pid}/notes/{note}", {"version": 1.0, "text": "x"}, "version"),
    ("patch", "/participants/{pid}/goals/{goal}", {"version": 1, "status": ["dropped"]}, "status"),
    # (the full task PATCH of the workday API takes done=false as "reopen", and its Flag takes the
    # strings "true"/"false" that query strings need; "yes" and numbers are refused)
    ("patch", "/participants/{pid}/tasks/{task}", {"version": 1, "done": "yes"}, "done"),
    ("patch", "/participants/{pid}/tasks/{task}", {"version": 1, "done": 1}, "done"),
]


def test_wrong_json_types_are_422_on_the_field(api_as, counsellor, case):
    api = api_as(counsellor)
    wrong = []
    for method, path, override, field in WRONG_TYPES:
        body = valid_data(**override) if path == "/participants" else override
        response = getattr(api, method)(path.format(**case), json=body)
        fields = (response.get_json() or {}).get("error", {}).get("fields", {})
        if response.status_code != 422 or not any(k == field or k.startswith(field + ".") for k in fields):
            wrong.append((method, path, override, response.status_code, fields))
    assert wrong == []
    assert count(Participant) == 1 and count(Note) == 1 and count(Goal) == 1 and count(Task) == 1


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "null", "{nope", "[" * 10000 + "]" * 10000])
def test_a_body_that_is_not_a_json_object_is_400(api_as, counsellor, case, body):
    api = api_as(counsellor)
    for path in ("/participants", f"/participants/{case['pid']}/notes"):
        response = raw_post(api, path, body)
        assert response.status_code == 400 and response.get_json()["error"]["code"] == "malformed_json"


def test_unknown_filter_values_are_422(api_as, counsellor):
    api = api_as(counsellor)
    for query in ("status=foo", "status=Active", "per_page=0", "page=0", "page=²", "per_page=abc"):
        assert api.get(f"/participants?{query}").status_code == 422, query


# --- NUL bytes, control characters, lone surrogates -------------------------------------------------

def test_unsafe_text_in_json_is_422_and_never_stored(api_as, counsellor, case):
    api = api_as(counsellor)
    pid = case["pid"]
    for text in UNSAFE:
        calls = [
            ("post", "/participants", valid_data(first_name=text, confirm_not_duplicate=True), "first_name"),
            ("post", "/participants", valid_data(last_name=text, confirm_not_duplicate=True), "last_name"),
            ("post", "/participants", valid_data(street=text, confirm_not_duplicate=True), "street"),
            ("post", "/participants", valid_data(languages=[{"language": "de", "level": text}],
                                                 confirm_not_duplicate=True), "languages"),
            ("post", "/participants", valid_data(foreign_qualifications=[{"title": text}],
                                                 confirm_not_duplicate=True), "foreign_qualifications"),
            ("patch", f"/participants/{pid}", {"version": 1, "last_name": text}, "last_name"),
            ("post", f"/participants/{pid}/notes", {"date": "2025-04-01", "kind": "phone", "text": text}, "text"),
            ("patch", f"/participants/{pid}/notes/{case['note']}", {"version": 1, "text": text}, "text"),
            ("post", f"/participants/{pid}/goals", {"title": text}, "title"),
            ("post", f"/participants/{pid}/goals", {"title": "x", "next_steps": text}, "next_steps"),
            ("post", f"/participants/{pid}/tasks", {"title": text, "due_date": "2025-07-01"}, "title"),
        ]
        for method, path, body, field in calls:
            if method == "post":
                response = raw_post(api, path, json.dumps(body))
            else:
                response = api.client.patch("/api/v1" + path, data=json.dumps(body), content_type="application/json",
                                            headers=api.headers)
            fields = response.get_json()["error"].get("fields", {})
            assert response.status_code == 422, (text, path, response.status_code)
            assert any(k == field or k.startswith(field + ".") for k in fields), (text, path, fields)
        if not any("\ud800" <= c <= "\udfff" for c in text):  # (a URL cannot carry a lone surrogate)
            response = api.get("/participants", query_string={"q": text})
            assert response.status_code == 422 and "q" in response.get_json()["error"]["fields"]
    assert count(Participant) == 1 and count(Note) == 1 and count(Goal) == 1 and count(Task) == 1
    assert count(ParticipantLanguage) == 2
    assert db.session.get(Participant, pid).version == 1 and db.session.get(Note, case["note"]).text == "first"
    assert not [e for e in db.session.scalars(sa.select(AuditEntry)) if "\x00" in json.dumps(e.changes or {})]


def test_unsafe_text_in_forms_is_422_and_never_stored(client, auth, counsellor, case):
    auth.login(counsellor)
    pid = case["pid"]
    for text in ("a\x00b", "Haddad\x07"):
        response = post_form(client, auth, "/participants/new",
                             registration_form(first_name=text, confirm_not_duplicate="y"))
        # The platform's request guard refuses unsafe text in any form field before the view runs
        # (one rule for every form); what matters here is the 422 and that nothing is stored.
        assert response.status_code == 422
        response = post_form(client, auth, f"/participants/{pid}/notes",
                             {"date": "2025-04-01", "kind": "phone", "text": text},
                             token_path=f"/participants/{pid}", prefix="note")
        assert response.status_code == 422
        response = post_form(client, auth, f"/participants/{pid}/goals", {"title": text},
                             token_path=f"/participants/{pid}", prefix="goal")
        assert response.status_code == 422
        response = post_form(client, auth, "/caseload", {"q": text}, token_path="/caseload")
        assert response.status_code == 422
    assert count(Participant) == 1 and count(Note) == 1 and count(Goal) == 1
    from caseflow.accounts.models import UserSession
    assert not db.session.scalars(sa.select(UserSession.caseload_search).where(
        UserSession.caseload_search.is_not(None))).all()
