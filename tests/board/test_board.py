"""The team lead's board on a hand-made team: every number, the list behind it, the links, a
constant number of queries; bulk reassignment from the list answers per case."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from caseflow.board import queries
from caseflow.extensions import db
from caseflow.participants.models import Participant, Task
from tests.board.factories import NoteFactory, TaskFactory


def ago(days: int) -> date:
    return date.today() - timedelta(days=days)


@pytest.fixture
def team(make_case, counsellor, colleague, team_lead):
    """Aylin (counsellor): four cases; Lena (colleague): one; one case without a counsellor."""
    a1 = make_case(entry_date=ago(10))
    TaskFactory(participant=a1, due_date=ago(3))
    TaskFactory(participant=a1, due_date=ago(1))
    TaskFactory(participant=a1, due_date=ago(30), done_at=sa.func.now())          # done: not overdue
    a2 = make_case(entry_date=ago(100))
    NoteFactory(participant=a2, date=ago(45))                                      # no contact 30+
    TaskFactory(participant=a2, kind="four_week_check", due_date=date.today() + timedelta(days=5))
    a3 = make_case(entry_date=ago(200), education_isced=None)                      # 90+, a data gap
    TaskFactory(participant=a3, kind="attendance", due_date=ago(0))
    a4 = make_case(entry_date=ago(300), status="exited", exit_date=ago(10))
    TaskFactory(participant=a4, kind="six_month_follow_up", due_date=ago(20))      # overdue on an exited case
    l1 = make_case(entry_date=ago(120), counsellor_id=colleague.id)
    NoteFactory(participant=l1, date=ago(65))
    TaskFactory(participant=l1, kind="six_month_follow_up", due_date=date.today() + timedelta(days=20))  # beyond 14 days
    u1 = make_case(entry_date=ago(5), counsellor_id=None)
    return {"a1": a1, "a2": a2, "a3": a3, "a4": a4, "l1": l1, "u1": u1}


def _row(rows, counsellor_id):
    return next(r for r in rows if r.counsellor_id == counsellor_id).counts


def test_the_numbers(team, org, counsellor, colleague, team_lead):
    rows = queries.board(org.id)
    assert _row(rows, counsellor.id) == {"active": 3, "overdue": 3, "follow_ups": 1, "no_contact_30": 2,
                                         "no_contact_60": 1, "no_contact_90": 1, "gaps": 1, "attendance": 1}
    assert _row(rows, colleague.id) == {"active": 1, "overdue": 0, "follow_ups": 0, "no_contact_30": 1,
                                        "no_contact_60": 1, "no_contact_90": 0, "gaps": 0, "attendance": 0}
    assert set(_row(rows, team_lead.id).values()) == {0}
    assert _row(rows, None)["active"] == 1
    assert [r.name for r in rows] == ["Aylin Demir", "Jonas Weber", "Lena Vogel", ""]


@pytest.mark.parametrize(("signal", "expected"), [
    ("overdue", ["a1", "a4"]), ("follow_ups", ["a2"]), ("no_contact_30", ["a2", "a3"]),
    ("no_contact_60", ["a3"]), ("no_contact_90", ["a3"]), ("gaps", ["a3"]), ("attendance", ["a3"]),
    ("active", ["a1", "a2", "a3"]),
])
def test_each_number_lists_its_cases(team, org, counsellor, signal, expected):
    page = queries.case_list(org.id, counsellor=counsellor.id, signal=signal, page=1, per_page=50)
    assert sorted(i["id"] for i in page.items) == sorted(team[k].id for k in expected)


def test_the_board_page_links_each_number_to_its_list(client, auth, team, team_lead, counsellor):
    auth.login(team_lead)
    html = client.get("/board").get_data(as_text=True)
    assert f'href="/board/cases?counsellor={counsellor.id}&amp;signal=overdue"' in html
    listing = client.get(f"/board/cases?counsellor={counsellor.id}&signal=overdue").get_data(as_text=True)
    assert set(re.findall(r'name="participant_ids" value="(\d+)"', listing)) == {str(team["a1"].id), str(team["a4"].id)}
    assert team["a2"].case_number not in listing


def test_only_team_leads_see_the_board(client, auth, counsellor):
    auth.login(counsellor)
    assert client.get("/board").status_code == 403
    assert client.get("/board/cases").status_code == 403


def test_a_counsellor_of_another_organisation_is_no_filter(client, auth, team_lead, other_counsellor):
    auth.login(team_lead)
    assert client.get(f"/board/cases?counsellor={other_counsellor.id}").status_code == 404
    assert client.get("/board/cases?signal=nonsense").status_code == 404


def test_board_queries_do_not_grow_with_the_team(client, auth, team_lead, make_case, count_queries):
    from tests.factories import UserFactory
    auth.login(team_lead)
    client.get("/board")
    with count_queries() as small:
        assert client.get("/board").status_code == 200
    for n in range(6):
        person = UserFactory(role="counsellor", organisation=team_lead.organisation)
        case = make_case(counsellor_id=person.id, entry_date=ago(100 + n))
        TaskFactory(participant=case, due_date=ago(2))
    with count_queries() as large:
        assert client.get("/board").status_code == 200
        assert client.get("/board/cases?signal=overdue").status_code == 200
    with count_queries() as list_only:
        client.get("/board/cases?signal=overdue")
    assert large.count == small.count + list_only.count


def test_bulk_reassignment_from_the_list(client, auth, team, team_lead, colleague):
    auth.login(team_lead)
    token = auth.csrf_token("/board/cases?signal=overdue")
    answer = client.post("/board/reassign", data={
        "csrf_token": token, "participant_ids": [str(team["a1"].id), str(team["a4"].id)],
        "counsellor_id": str(colleague.id), "move_tasks": "y", "next": "/board/cases?signal=overdue"})
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    assert "2 von 2" in html or "2 of 2" in html
    db.session.expire_all()
    assert {db.session.get(Participant, team[k].id).counsellor_id for k in ("a1", "a4")} == {colleague.id}
    moved = db.session.scalars(sa.select(Task.assignee_id).where(
        Task.participant_id.in_([team["a1"].id, team["a4"].id]), Task.done_at.is_(None))).all()
    assert set(moved) == {colleague.id} and len(moved) == 3
