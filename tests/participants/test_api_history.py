"""Status changes, notes, goals and tasks through the API."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from caseflow.audit.models import AuditEntry
from caseflow.database import unit_of_work
from caseflow.extensions import db
from caseflow.participants.models import NoteRevision


def test_status_history_starts_with_the_entry_status(api_as, counsellor, register):
    p = register()
    api = api_as(counsellor)
    response = api.post(f"/participants/{p.id}/status-changes", json={"date": "2025-06-01", "status": "employed"})
    assert response.status_code == 201
    assert response.get_json()["status"] == "employed" and response.get_json()["source"] == "manual"
    items = api.get(f"/participants/{p.id}/status-changes").get_json()["items"]
    assert [(i["date"], i["status"], i["source"]) for i in items] == [
        ("2025-03-01", "unemployed", "entry"), ("2025-06-01", "employed", "manual")]
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "status_change.create"))
    assert entry.changes == {"date": [None, "2025-06-01"], "status": [None, "employed"]}


def test_status_change_may_be_dated_after_an_exit(api_as, counsellor, register):
    p = register()
    with unit_of_work():
        p.status, p.exit_date = "exited", date(2025, 5, 31)
    response = api_as(counsellor).post(f"/participants/{p.id}/status-changes",
                                       json={"date": "2025-06-20", "status": "employed"})
    assert response.status_code == 201


@pytest.mark.parametrize("body, field", [
    ({"date": "2025-02-28", "status": "employed"}, "date"),   # before entry
    ({"date": "2025-06-01", "status": "working"}, "status"),
    ({"date": "01.06.2025", "status": "employed"}, "date"),
    ({"status": "employed"}, "date"),
    ({"date": "2025-06-01"}, "status"),
])
def test_invalid_status_change_is_422(api_as, counsellor, register, body, field):
    p = register()
    response = api_as(counsellor).post(f"/participants/{p.id}/status-changes", json=body)
    assert response.status_code == 422 and field in response.get_json()["error"]["fields"]


def test_notes_are_added_listed_and_corrected_with_history(api_as, counsellor, register):
    p = register()
    api = api_as(counsellor)
    response = api.post(f"/participants/{p.id}/notes", json={"date": "2025-04-01", "kind": "company_visit",
                                                              "text": "Visited the bakery", "minutes": 90})
    assert response.status_code == 201
    note = response.get_json()
    assert note["kind"] == "company_visit" and note["minutes"] == 90 and note["author_id"] == counsellor.id
    items = api.get(f"/participants/{p.id}/notes").get_json()["items"]
    assert [i["text"] for i in items] == ["Visited the bakery"]
    response = api.patch(f"/participants/{p.id}/notes/{note['id']}", json={"version": 1, "text": "Visited the bakery twice"})
    assert response.status_code == 200 and response.get_json()["version"] == 2
    assert db.session.scalars(sa.select(NoteRevision.text)).all() == ["Visited the bakery"]
    stale = api.patch(f"/participants/{p.id}/notes/{note['id']}", json={"version": 1, "text": "again"})
    assert stale.status_code == 409
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "note.update"))
    assert entry.changes["text"] == ["Visited the bakery", "Visited the bakery twice"]


@pytest.mark.parametrize("body, field", [
    ({"date": "2025-04-01", "kind": "sms", "text": "x"}, "kind"),
    ({"date": "2025-04-01", "kind": "phone", "text": ""}, "text"),
    ({"date": "2025-04-01", "kind": "phone", "text": "x", "minutes": -5}, "minutes"),
    ({"date": "2025-04-01", "kind": "phone", "text": "x", "minutes": "ten"}, "minutes"),
    ({"date": (date.today() + timedelta(days=2)).isoformat(), "kind": "phone", "text": "x"}, "date"),
])
def test_invalid_note_is_422(api_as, counsellor, register, body, field):
    p = register()
    response = api_as(counsellor).post(f"/participants/{p.id}/notes", json=body)
    assert response.status_code == 422 and field in response.get_json()["error"]["fields"]


def test_goals_and_tasks(api_as, counsellor, other_counsellor, register):
    p = register()
    api = api_as(counsellor)
    goal = api.post(f"/participants/{p.id}/goals", json={"title": "Recognition of the pharmacy degree",
                                                          "target_date": "2026-03-31", "next_steps": "Apply"}).get_json()
    assert goal["status"] == "open" and goal["version"] == 1
    assert api.post(f"/participants/{p.id}/goals", json={"title": "x", "status": "maybe"}).status_code == 422
    updated = api.patch(f"/participants/{p.id}/goals/{goal['id']}", json={"version": 1, "status": "achieved"})
    assert updated.status_code == 200 and updated.get_json()["status"] == "achieved"
    assert api.patch(f"/participants/{p.id}/goals/{goal['id']}", json={"version": 1, "status": "dropped"}).status_code == 409

    task = api.post(f"/participants/{p.id}/tasks", json={"title": "Call", "due_date": "2025-07-01"}).get_json()
    assert task["assignee_id"] == counsellor.id and task["done"] is False
    bad = api.post(f"/participants/{p.id}/tasks", json={"title": "Call", "due_date": "2025-07-01",
                                                        "assignee_id": other_counsellor.id})
    assert bad.status_code == 422 and "assignee_id" in bad.get_json()["error"]["fields"]
    done = api.patch(f"/participants/{p.id}/tasks/{task['id']}", json={"version": 1, "done": True})
    assert done.status_code == 200 and done.get_json()["done"] is True
    again = api.patch(f"/participants/{p.id}/tasks/{task['id']}", json={"version": 2, "done": True})
    assert again.status_code == 409
    assert [t["done"] for t in api.get(f"/participants/{p.id}/tasks").get_json()["items"]] == [True]


def test_note_and_goal_patches_that_change_nothing_keep_the_version(api_as, counsellor, register, patch_rule):
    p = register()
    api = api_as(counsellor)
    note = api.post(f"/participants/{p.id}/notes", json={"date": "2025-04-02", "kind": "phone", "text": "Called"}).json
    patch_rule(api, f"/participants/{p.id}/notes/{note['id']}", version=1,
               same={"text": "Called", "kind": "phone", "date": "2025-04-02", "minutes": None},
               change={"minutes": 15}, actions=("note.update",))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NoteRevision)) == 0
    goal = api.post(f"/participants/{p.id}/goals", json={"title": "B2 certificate"}).json
    patch_rule(api, f"/participants/{p.id}/goals/{goal['id']}", version=1,
               same={"title": "B2 certificate", "status": "open"}, change={"status": "achieved"},
               actions=("goal.update",))
