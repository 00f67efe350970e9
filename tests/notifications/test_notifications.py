"""The hourly checks (no contact for 30 days, follow-ups due, escalation after 14 days overdue)
notify once per event; the list page, the header's count, mark as read; the API."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from caseflow.extensions import db
from caseflow.notifications.checks import run_checks
from caseflow.notifications.models import Notification
from tests.board.factories import NoteFactory, TaskFactory
from tests.factories import ParticipantFactory

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 30)


@pytest.fixture
def case(org, counsellor):
    return ParticipantFactory(organisation=org, counsellor_id=counsellor.id, entry_date=TODAY - timedelta(days=5))


def _notes(kind=None):
    stmt = sa.select(Notification).order_by(Notification.id)
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    return db.session.scalars(stmt).all()


def test_escalation_after_more_than_14_days(case, counsellor, team_lead, other_org):
    from tests.factories import UserFactory
    UserFactory(role="team_lead", organisation=other_org)                 # another organisation's lead: never
    fourteen = TaskFactory(participant=case, due_date=TODAY - timedelta(days=14))
    fifteen = TaskFactory(participant=case, due_date=TODAY - timedelta(days=15))
    run_checks(NOW)
    [escalation] = _notes("escalation")
    assert (escalation.user_id, escalation.task_id) == (team_lead.id, fifteen.id)
    assert fourteen.id not in [n.task_id for n in _notes("escalation")]
    run_checks(NOW + timedelta(hours=1))                                 # once per event
    assert len(_notes("escalation")) == 1
    run_checks(NOW + timedelta(days=1))                                  # the next day the other one too
    assert sorted(n.task_id for n in _notes("escalation")) == sorted([fourteen.id, fifteen.id])


def test_no_contact_for_30_days_and_follow_ups_due(org, counsellor, case):
    quiet = ParticipantFactory(organisation=org, counsellor_id=counsellor.id, entry_date=TODAY - timedelta(days=90))
    NoteFactory(participant=quiet, date=TODAY - timedelta(days=30))
    recent = ParticipantFactory(organisation=org, counsellor_id=counsellor.id, entry_date=TODAY - timedelta(days=90))
    NoteFactory(participant=recent, date=TODAY - timedelta(days=29))
    due = TaskFactory(participant=case, kind="four_week_check", due_date=TODAY)
    TaskFactory(participant=case, kind="six_month_follow_up", due_date=TODAY + timedelta(days=1))
    assert run_checks(NOW) == "no_contact 1, follow_up_due 1, escalation 0"
    [silence] = _notes("no_contact")
    assert (silence.user_id, silence.participant_id) == (counsellor.id, quiet.id)
    [follow_up] = _notes("follow_up_due")
    assert follow_up.task_id == due.id
    assert run_checks(NOW) == "no_contact 0, follow_up_due 0, escalation 0"
    # A contact, then 30 quiet days again: notified anew.
    NoteFactory(participant=quiet, date=TODAY)
    run_checks(NOW + timedelta(days=30))
    # quiet again; `recent` and `case` crossed their 30 days meanwhile
    assert sorted(n.participant_id for n in _notes("no_contact")) == sorted([quiet.id, quiet.id, recent.id, case.id])


def test_list_page_count_and_mark_read(client, auth, counsellor, case, other_counsellor):
    TaskFactory(participant=case, kind="four_week_check", due_date=TODAY)
    NoteFactory(participant=case, date=TODAY - timedelta(days=40))
    run_checks(NOW)
    auth.login(counsellor)
    html = client.get("/notifications").get_data(as_text=True)
    assert 'class="notifications-link"' in html and '2<span class="visually-hidden"> ungelesen' in html
    assert case.case_number in html and case.first_name not in html
    # the header counts each account's own (its statement is built once per process: issue 19)
    auth.logout()
    auth.login(other_counsellor)
    assert "ungelesen" not in client.get("/notifications").get_data(as_text=True)
    auth.logout()
    auth.login(counsellor)
    first = _notes()[0]
    token = auth.csrf_token("/notifications")
    assert client.post(f"/notifications/{first.id}/read", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Notification, first.id).read_at is not None
    assert '1<span class="visually-hidden"> ungelesen' in client.get("/notifications").get_data(as_text=True)
    client.post("/notifications/read-all", data={"csrf_token": token})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)
                             .where(Notification.read_at.is_(None))) == 0
    assert client.post(f"/notifications/{first.id}/read", data={}).status_code in (302, 400)


def test_the_header_count_comes_with_the_login_and_is_counted_afresh_after_a_change(
        app, client, auth, counsellor, case, count_queries):
    from flask import g
    from flask_login import login_user

    from caseflow.notifications import services
    from caseflow.notifications.views import unread_notifications

    TaskFactory(participant=case, kind="four_week_check", due_date=TODAY)
    NoteFactory(participant=case, date=TODAY - timedelta(days=40))
    run_checks(NOW)
    auth.login(counsellor)
    with count_queries() as q:
        html = client.get("/account").get_data(as_text=True)
    assert '2<span class="visually-hidden"> ungelesen' in html
    # No statement of its own: the count is part of the login's statement.
    assert not [s for s in q.statements if "FROM user_sessions" not in s and "notifications" in s], q.statements
    assert any("FROM user_sessions" in s and "FROM notifications" in s for s in q.statements)

    # A service that changes the account's notifications in a request drops the figure read with
    # the login: the page it renders counts afresh.
    with app.test_request_context("/"):
        login_user(db.session.get(type(counsellor), counsellor.id))
        g.login_figures = {services.UNREAD: 2}
        assert unread_notifications() == 2
        services.mark_all_read(actor=counsellor)
        assert unread_notifications() == 0
        g.login_figures = {services.UNREAD: 0}
        assert services.notify(counsellor.id, "escalation", event_key="fresh-one", participant_id=case.id)
        assert unread_notifications() == 1


def test_api(api_as, counsellor, team_lead, case):
    TaskFactory(participant=case, kind="four_week_check", due_date=TODAY)
    TaskFactory(participant=case, due_date=TODAY - timedelta(days=20))
    run_checks(NOW)
    page = api_as(counsellor).get("/notifications?per_page=10")
    assert page.status_code == 200
    assert page.json["total"] == 1 and page.json["items"][0]["kind"] == "follow_up_due"
    assert page.json["items"][0]["read"] is False and "fällig" in page.json["items"][0]["text"]
    nid = page.json["items"][0]["id"]
    assert api_as(team_lead).post(f"/notifications/{nid}/read").status_code == 404   # not theirs
    read = api_as(counsellor).post(f"/notifications/{nid}/read")
    assert read.status_code == 200 and read.json["read"] is True
    assert api_as(counsellor).get("/notifications?per_page=201").status_code == 422
    assert api_as(counsellor).post("/notifications/2147483648/read").status_code == 404
    lead = api_as(team_lead).get("/notifications").json
    assert [i["kind"] for i in lead["items"]] == ["escalation"]
