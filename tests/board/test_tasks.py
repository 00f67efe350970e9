"""Tasks can be edited, rescheduled, handed over, completed and reopened, each audited; a case's
open tasks move with it when it is reassigned (through the services and the API)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from caseflow.audit.models import AuditEntry
from caseflow.errors import Conflict, DomainError, Forbidden
from caseflow.extensions import db
from caseflow.notifications.models import Notification
from caseflow.participants import tasks
from caseflow.participants.models import Participant, Task
from tests.board.factories import TaskFactory
from tests.factories import ParticipantFactory


def _audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def test_edit_reschedule_and_hand_over_are_audited_and_the_assignee_is_told(make_case, counsellor, colleague):
    case = make_case()
    task = TaskFactory(participant=case, due_date=date.today())
    tasks.update_task(task, {"title": "Send the CV to Firma Kranich", "due_date": (date.today() + timedelta(days=10)), "assignee_id": colleague.id},
                      version=1, actor=counsellor)
    db.session.expire_all()
    task = db.session.get(Task, task.id)
    assert (task.title, task.due_date, task.assignee_id, task.version) == (
        "Send the CV to Firma Kranich", (date.today() + timedelta(days=10)), colleague.id, 2)
    [update] = _audit("task.update")
    assert update.changes["due_date"] == [date.today().isoformat(), (date.today() + timedelta(days=10)).isoformat()]
    assert update.changes["title"][1] == "Send the CV to Firma Kranich"
    assert update.participant_id == case.id and update.actor_id == counsellor.id
    [handover] = _audit("task.reassign")
    assert handover.changes == {"assignee_id": [counsellor.id, colleague.id]}
    [told] = db.session.scalars(sa.select(Notification)).all()
    assert (told.user_id, told.kind, told.task_id) == (colleague.id, "task_assigned", task.id)


def test_complete_and_reopen_are_audited(make_case, counsellor):
    task = TaskFactory(participant=make_case())
    tasks.complete_task(task, version=1, actor=counsellor)
    assert db.session.get(Task, task.id).done_at is not None
    with pytest.raises(Conflict):
        tasks.complete_task(db.session.get(Task, task.id), version=2, actor=counsellor)
    tasks.reopen_task(db.session.get(Task, task.id), version=2, actor=counsellor)
    assert db.session.get(Task, task.id).done_at is None
    assert [len(_audit("task.complete")), len(_audit("task.reopen"))] == [1, 1]


def test_bad_edits_change_nothing_and_name_every_field(make_case, counsellor, other_counsellor):
    task = TaskFactory(participant=make_case(), due_date=date.today())
    with pytest.raises(DomainError) as caught:
        tasks.update_task(task, {"title": " ", "due_date": date.today() - timedelta(days=1),
                                 "assignee_id": other_counsellor.id}, version=1, actor=counsellor)
    assert set(caught.value.fields) == {"title", "due_date", "assignee_id"}
    db.session.expire_all()
    assert db.session.get(Task, task.id).version == 1
    assert _audit("task.update") == []


def test_stale_version_is_a_conflict(make_case, counsellor):
    task = TaskFactory(participant=make_case())
    with pytest.raises(Conflict) as caught:
        tasks.update_task(task, {"due_date": (date.today() + timedelta(days=10))}, version=7, actor=counsellor)
    assert caught.value.code == "stale_version"


def test_generated_tasks_keep_their_kind_and_title_but_can_be_rescheduled(make_case, counsellor, colleague):
    task = TaskFactory(participant=make_case(), kind="six_month_follow_up", title="six-month follow-up")
    with pytest.raises(DomainError) as caught:
        tasks.update_task(task, {"title": "Something else"}, version=1, actor=counsellor)
    assert "title" in caught.value.fields
    tasks.update_task(db.session.get(Task, task.id), {"due_date": (date.today() + timedelta(days=10)), "assignee_id": colleague.id},
                      version=1, actor=counsellor)
    db.session.expire_all()
    task = db.session.get(Task, task.id)
    assert (task.kind, task.title, task.due_date) == ("six_month_follow_up", "six-month follow-up", (date.today() + timedelta(days=10)))


def test_reassigning_a_case_moves_its_open_tasks(make_case, counsellor, colleague, team_lead):
    case = make_case()
    open_tasks = [TaskFactory(participant=case), TaskFactory(participant=case, kind="four_week_check")]
    done = TaskFactory(participant=case, done_at=db.func.now())
    other_case_task = TaskFactory(participant=make_case())
    handover = tasks.reassign_case(case, counsellor_id=colleague.id, actor=team_lead, version=1)
    assert handover.tasks_moved == 2
    db.session.expire_all()
    assert db.session.get(Participant, case.id).counsellor_id == colleague.id
    assert [db.session.get(Task, t.id).assignee_id for t in open_tasks] == [colleague.id, colleague.id]
    assert db.session.get(Task, done.id).assignee_id == counsellor.id
    assert db.session.get(Task, other_case_task.id).assignee_id == counsellor.id
    assert len(_audit("task.reassign")) == 2 and len(_audit("participant.reassign")) == 1
    told = db.session.scalars(sa.select(Notification).where(Notification.kind == "case_reassigned")).one()
    assert (told.user_id, told.params) == (colleague.id, {"tasks": 2})


def test_the_tasks_can_stay(make_case, counsellor, colleague, team_lead):
    case = make_case()
    task = TaskFactory(participant=case)
    assert tasks.reassign_case(case, counsellor_id=colleague.id, actor=team_lead, move_tasks=False).tasks_moved == 0
    db.session.expire_all()
    assert db.session.get(Task, task.id).assignee_id == counsellor.id


def test_a_refused_reassignment_moves_no_task(make_case, counsellor, team_lead, other_counsellor):
    case = make_case()
    task = TaskFactory(participant=case)
    with pytest.raises(DomainError):
        tasks.reassign_case(case, counsellor_id=other_counsellor.id, actor=team_lead)
    with pytest.raises(Forbidden):
        tasks.reassign_case(case, counsellor_id=counsellor.id, actor=counsellor)
    db.session.expire_all()
    assert db.session.get(Task, task.id).assignee_id == counsellor.id
    assert _audit("task.reassign") == []


def test_bulk_reassignment_answers_per_case(make_case, colleague, team_lead, other_org):
    mine = [make_case(), make_case()]
    TaskFactory(participant=mine[0])
    foreign = ParticipantFactory(organisation=other_org)
    results = tasks.reassign_cases([mine[0].id, foreign.id, mine[1].id], counsellor_id=colleague.id, actor=team_lead)
    assert [(r.participant_id, r.ok, r.tasks_moved) for r in results] == [
        (mine[0].id, True, 1), (foreign.id, False, 0), (mine[1].id, True, 0)]
    assert results[1].case_number is None  # another organisation's case does not exist
    db.session.expire_all()
    assert [db.session.get(Participant, p.id).counsellor_id for p in mine] == [colleague.id, colleague.id]


# --- API ---------------------------------------------------------------------------------------------

def test_api_patch_task(api_as, make_case, counsellor, colleague):
    case = make_case()
    task = TaskFactory(participant=case)
    api = api_as(counsellor)
    url = f"/participants/{case.id}/tasks/{task.id}"
    answer = api.patch(url, json={"version": 1, "due_date": (date.today() + timedelta(days=10)).isoformat(), "assignee_id": colleague.id})
    assert answer.status_code == 200, answer.json
    assert answer.json["due_date"] == (date.today() + timedelta(days=10)).isoformat() and answer.json["assignee_id"] == colleague.id
    assert answer.json["version"] == 2 and answer.json["done"] is False
    assert api.patch(url, json={"version": 1, "done": True}).status_code == 409
    assert api.patch(url, json={"done": True}).status_code == 422
    done = api.patch(url, json={"version": 2, "done": True})
    assert done.status_code == 200 and done.json["done"] is True
    reopened = api.patch(url, json={"version": 3, "done": False})
    assert reopened.status_code == 200 and reopened.json["done"] is False
    assert api.patch(url, json={"version": 4, "due_date": "30.11.2026"}).status_code == 422
    assert api.patch(f"/participants/{case.id}/tasks/2147483648", json={"version": 1}).status_code == 404


def test_api_reassign_moves_tasks_by_default(api_as, make_case, colleague, team_lead, counsellor):
    case = make_case()
    task = TaskFactory(participant=case)
    answer = api_as(team_lead).post(f"/participants/{case.id}/reassign", json={"counsellor_id": colleague.id, "version": 1})
    assert answer.status_code == 200, answer.json
    assert answer.json["tasks_moved"] == 1 and answer.json["counsellor_id"] == colleague.id
    db.session.expire_all()
    assert db.session.get(Task, task.id).assignee_id == colleague.id
    denied = api_as(counsellor).post(f"/participants/{case.id}/reassign", json={"counsellor_id": counsellor.id, "version": 2})
    assert denied.status_code == 403
    stale = api_as(team_lead).post(f"/participants/{case.id}/reassign", json={"counsellor_id": counsellor.id, "version": 1})
    assert stale.status_code == 409


def test_the_reassign_page_moves_the_tasks_unless_told_not_to(client, auth, make_case, colleague, team_lead, counsellor):
    moving, staying = make_case(), make_case()
    t1, t2 = TaskFactory(participant=moving), TaskFactory(participant=staying)
    auth.login(team_lead)
    page = client.get(f"/participants/{moving.id}/reassign").get_data(as_text=True)
    assert 'name="move_tasks"' in page and "checked" in page
    token = auth.csrf_token(f"/participants/{moving.id}/reassign")
    assert client.post(f"/participants/{moving.id}/reassign", data={
        "csrf_token": token, "counsellor_id": str(colleague.id), "version": "1", "move_tasks": "y"}).status_code == 302
    assert client.post(f"/participants/{staying.id}/reassign", data={
        "csrf_token": token, "counsellor_id": str(colleague.id), "version": "1"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Task, t1.id).assignee_id == colleague.id
    assert db.session.get(Task, t2.id).assignee_id == counsellor.id
    assert db.session.get(Participant, staying.id).counsellor_id == colleague.id


def test_api_patch_that_changes_nothing_keeps_the_version(api_as, make_case, counsellor, patch_rule):
    case = make_case()
    task = TaskFactory(participant=case, assignee_id=counsellor.id)
    due = task.due_date.isoformat()
    patch_rule(api_as(counsellor), f"/participants/{case.id}/tasks/{task.id}", version=1,
               same={"title": task.title, "due_date": due, "assignee_id": counsellor.id, "kind": "manual"},
               change={"title": "Call the job centre"}, actions=("task.update",))


def test_the_task_page_shows_the_case_header(client, auth, org, counsellor, count_queries):
    """Editing a task is about one case: the form sits under the case header, whose facts come with
    the participant's row, and the page's statements do not grow with the case's history."""
    from tests.case_header import add_history, assert_case_header, statements_of
    quiet, busy = (ParticipantFactory(organisation=org, counsellor_id=counsellor.id, last_name=name)
                   for name in ("Ruhig", "Beschäftigt"))
    paths = {}
    for p, n in ((quiet, 1), (busy, 5)):
        add_history(p, org, counsellor, n)
        paths[p.id] = f"/participants/{p.id}/tasks/{TaskFactory(participant=p, title='Lebenslauf schicken').id}/edit"
    auth.login(counsellor)
    quiet_counts, _ = statements_of(client, count_queries, [paths[quiet.id]])
    with count_queries() as q:
        html = client.get(paths[busy.id]).get_data(as_text=True)
    assert [q.count] == quiet_counts
    assert_case_header(html, busy, "Aufgabe bearbeiten")
    with_facts = [s for s in q.statements if "AS last_contact" in s]
    assert len(with_facts) == 1 and "participants.case_number" in with_facts[0]
    assert "Lebenslauf schicken" in html and f'href="/participants/{busy.id}#tasks"' in html

    # a refused save: the form again under the header, its title saying so; a valid one saves
    token = auth.csrf_token(paths[busy.id])
    refused = client.post(paths[busy.id], data={"csrf_token": token, "title": "Lebenslauf schicken",
                                                "due_date": "kein Datum", "assignee_id": str(counsellor.id),
                                                "version": "1"})
    assert refused.status_code == 422  # as every refused form of the case file
    html = refused.get_data(as_text=True)
    assert_case_header(html, busy, "Aufgabe bearbeiten")
    assert "<title>Fehler: Aufgabe bearbeiten – " in html
    saved = client.post(paths[busy.id], data={"csrf_token": token, "title": "Lebenslauf schicken",
                                              "due_date": (date.today() + timedelta(days=3)).isoformat(),
                                              "assignee_id": str(counsellor.id), "version": "1"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"/participants/{busy.id}#tasks")
