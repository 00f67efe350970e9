"""Another organisation's participant does not exist (404) on every page and endpoint, sub-resources
included; analysts and admins get 403 on personal data."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from caseflow.extensions import db
from caseflow.participants.models import Note, Participant
from caseflow.participants.services import add_goal, add_note, add_task


@pytest.fixture
def foreign(other_counsellor, register):
    """A participant of the other organisation with a note, a goal and a task."""
    p = register(actor=other_counsellor, first_name="Fremd")
    note = add_note(p, {"date": date.today(), "kind": "phone", "text": "secret"}, actor=other_counsellor)
    goal = add_goal(p, {"title": "Goal"}, actor=other_counsellor)
    task = add_task(p, {"title": "Task", "due_date": date.today()}, actor=other_counsellor)
    return {"pid": p.id, "note": note.id, "goal": goal.id, "task": task.id}


API_CALLS = [
    ("get", "/participants/{pid}", None),
    ("patch", "/participants/{pid}", {"version": 1, "phone": "1"}),
    ("get", "/participants/{pid}/status-changes", None),
    ("post", "/participants/{pid}/status-changes", {"date": "2025-05-01", "status": "employed"}),
    ("get", "/participants/{pid}/notes", None),
    ("post", "/participants/{pid}/notes", {"date": "2025-05-01", "kind": "phone", "text": "x"}),
    ("patch", "/participants/{pid}/notes/{note}", {"version": 1, "text": "x"}),
    ("get", "/participants/{pid}/goals", None),
    ("post", "/participants/{pid}/goals", {"title": "x"}),
    ("patch", "/participants/{pid}/goals/{goal}", {"version": 1, "status": "dropped"}),
    ("get", "/participants/{pid}/tasks", None),
    ("post", "/participants/{pid}/tasks", {"title": "x", "due_date": "2025-05-01"}),
    ("patch", "/participants/{pid}/tasks/{task}", {"version": 1, "done": True}),
]


def _call(api, method, path, body):
    call = getattr(api, method)
    return call(path, json=body) if body is not None else call(path)


def test_api_answers_404_for_another_organisation(api_as, counsellor, team_lead, foreign):
    for user in (counsellor, team_lead):
        api = api_as(user)
        answers = {(m, p): _call(api, m, p.format(**foreign), b) for m, p, b in API_CALLS}
        assert {k: r.status_code for k, r in answers.items() if r.status_code != 404} == {}
        assert {r.get_json()["error"]["code"] for r in answers.values()} == {"not_found"}
    db.session.expire_all()
    assert db.session.get(Note, foreign["note"]).text == "secret"


def test_api_answers_403_for_analysts_and_admins(api_as, analyst, admin, foreign):
    for user in (analyst, admin):
        api = api_as(user)
        answers = {(m, p): _call(api, m, p.format(**foreign), b).status_code for m, p, b in API_CALLS}
        assert {k: v for k, v in answers.items() if v != 403} == {}


def test_api_list_and_search_leave_out_other_organisations(api_as, counsellor, foreign):
    body = api_as(counsellor).get("/participants?q=fremd").get_json()
    assert body["total"] == 0 and body["items"] == []


PAGES = [
    ("get", "/participants/{pid}", None),
    ("get", "/participants/{pid}/edit", None),
    ("post", "/participants/{pid}/edit", {"first_name": "X"}),
    ("post", "/participants/{pid}/notes", {"note-date": "2025-05-01", "note-kind": "phone", "note-text": "x"}),
    ("get", "/participants/{pid}/notes/{note}/edit", None),
    ("post", "/participants/{pid}/notes/{note}/edit", {"date": "2025-05-01", "kind": "phone", "text": "x", "version": "1"}),
    ("post", "/participants/{pid}/status-changes", {"status-date": "2025-05-01", "status-status": "employed"}),
    ("post", "/participants/{pid}/goals", {"goal-title": "x"}),
    ("get", "/participants/{pid}/goals/{goal}/edit", None),
    ("post", "/participants/{pid}/goals/{goal}/edit", {"title": "x", "status": "open", "version": "1"}),
    ("post", "/participants/{pid}/tasks", {"title": "x", "due_date": "2025-05-01"}),
    ("post", "/participants/{pid}/tasks/{task}/done", {"version": "1"}),
]


def test_pages_answer_404_for_another_organisation(client, auth, counsellor, foreign):
    auth.login(counsellor)
    token = auth.csrf_token("/caseload")
    answers = {}
    for method, path, body in PAGES:
        url = path.format(**foreign)
        response = client.get(url) if method == "get" else client.post(url, data=dict(body, csrf_token=token))
        answers[(method, path)] = response.status_code
    assert {k: v for k, v in answers.items() if v != 404} == {}
    db.session.expire_all()
    assert db.session.get(Note, foreign["note"]).text == "secret"
    assert db.session.get(Participant, foreign["pid"]).first_name == "Fremd"


def test_team_lead_cannot_reassign_another_organisations_participant(client, auth, team_lead, foreign):
    auth.login(team_lead)
    assert client.get(f"/participants/{foreign['pid']}/reassign").status_code == 404


def test_caseload_and_search_leave_out_other_organisations(client, auth, counsellor, team_lead, foreign, search,
                                                           register):
    number = db.session.scalar(sa.select(Participant.case_number).where(Participant.id == foreign["pid"]))
    own = register(first_name="Fremd")  # the same name in our own organisation: the search does find things
    for user in (counsellor, team_lead):
        auth.login(user)
        for term, filters in (("", {"counsellor": "all", "status": "all"}), ("fremd", {"counsellor": "all", "status": "all"}),
                              (number, {"status": "all"}), ("CF-", {"counsellor": "all", "status": "all"})):
            answer = search(term, **filters)
            assert answer.status_code == 302
            html = client.get(answer.headers["Location"]).get_data(as_text=True)
            assert f'href="/participants/{foreign["pid"]}"' not in html
            rows = html.split("<tbody>")[1]
            assert number not in rows
            assert (own.case_number in rows) == (term != number)
        auth.logout()


def test_duplicate_candidates_never_come_from_another_organisation(api_as, counsellor, other_counsellor, register):
    register(actor=other_counsellor)
    from tests.participants.conftest import valid_data
    assert api_as(counsellor).post("/participants", json=valid_data()).status_code == 201


@pytest.mark.parametrize("path", ["/caseload", "/participants/new", "/participants/{pid}"])
def test_pages_answer_403_for_analysts_and_admins(client, auth, analyst, admin, foreign, path):
    for user in (analyst, admin):
        auth.login(user)
        assert client.get(path.format(**foreign)).status_code == 403
        auth.logout()
