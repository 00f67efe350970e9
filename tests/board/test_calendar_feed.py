"""The private calendar feed: parses with icalendar, holds case numbers and no names, shows open
tasks and planned appointments; renewing the address kills the old one; turning it off too."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from icalendar import Calendar

from caseflow.audit.models import AuditEntry
from caseflow.calendar_feed import services
from caseflow.errors import DomainError
from caseflow.extensions import db
from tests.board.factories import TaskFactory

BERLIN = ZoneInfo("Europe/Berlin")


def _feed_url(html: str) -> str:
    match = re.search(r'id="feed-url" type="text" readonly value="([^"]+)"', html)
    assert match, "no feed address shown"
    return match.group(1).replace("http://localhost", "")


def _turn_on(client, auth) -> str:
    token = auth.csrf_token("/notifications/settings")
    answer = client.post("/calendar/feed", data={"csrf_token": token})
    assert answer.status_code == 200
    return _feed_url(answer.get_data(as_text=True))


def test_feed_parses_and_holds_no_names(client, auth, counsellor, make_case, colleague):
    case = make_case(first_name="Fatima", last_name="Yılmaz")
    TaskFactory(participant=case, title="Call Fatima Yılmaz about the contract", due_date=date.today() + timedelta(days=2))
    TaskFactory(participant=case, kind="four_week_check", title="4-week check", due_date=date.today())
    TaskFactory(participant=case, due_date=date.today(), done_at=sa.func.now())                # done: not shown
    TaskFactory(participant=case, due_date=date.today(), assignee_id=colleague.id)              # a colleague's
    starts = datetime.combine(date.today() + timedelta(days=3), datetime.min.time(), tzinfo=BERLIN).replace(hour=10)
    services.plan_appointment(case, {"starts_at": starts, "minutes": 45}, actor=counsellor)
    auth.login(counsellor)
    url = _turn_on(client, auth)
    auth.logout()
    answer = client.get(url)                                   # a calendar program: no login
    assert answer.status_code == 200 and answer.mimetype == "text/calendar"
    body = answer.get_data(as_text=True)
    calendar = Calendar.from_ical(answer.data)
    events = [c for c in calendar.walk("VEVENT")]
    summaries = sorted(str(e["SUMMARY"]) for e in events)
    assert summaries == sorted([f"Aufgabe · {case.case_number}", f"4-Wochen-Check · {case.case_number}",
                                f"Gespräch · {case.case_number}"])
    for name in ("Fatima", "Yılmaz", "Yilmaz", counsellor.name):
        assert name not in body
    appointment = next(e for e in events if str(e["UID"]).startswith("appointment-"))
    assert appointment.decoded("DTSTART") == starts
    assert appointment.decoded("DTEND") - appointment.decoded("DTSTART") == timedelta(minutes=45)


def test_renewal_kills_the_old_address(client, auth, counsellor):
    auth.login(counsellor)
    old = _turn_on(client, auth)
    assert client.get(old).status_code == 200
    new = _turn_on(client, auth)
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    token = auth.csrf_token("/notifications/settings")
    client.post("/calendar/feed/off", data={"csrf_token": token})
    assert client.get(new).status_code == 404
    actions = db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert [a for a in actions if a.startswith("calendar_feed.")] == [
        "calendar_feed.create", "calendar_feed.renew", "calendar_feed.delete"]


def test_the_token_is_not_stored(client, auth, counsellor):
    from caseflow.calendar_feed.models import CalendarFeed
    auth.login(counsellor)
    url = _turn_on(client, auth)
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    stored = db.session.scalar(sa.select(CalendarFeed.token_hash))
    assert token not in stored and len(stored) == 64
    assert client.get("/calendar/not-a-token.ics").status_code == 404


def test_an_appointment_is_planned_ahead(make_case, counsellor):
    case = make_case()
    with pytest.raises(DomainError) as caught:
        services.plan_appointment(case, {"starts_at": datetime.now(BERLIN) - timedelta(hours=1)}, actor=counsellor)
    assert "starts_at" in caught.value.fields


def test_appointment_page(client, auth, counsellor, make_case):
    case = make_case()
    auth.login(counsellor)
    page = client.get(f"/participants/{case.id}/appointments")
    assert page.status_code == 200
    token = auth.csrf_token(f"/participants/{case.id}/appointments")
    day = (date.today() + timedelta(days=7)).isoformat()
    answer = client.post(f"/participants/{case.id}/appointments",
                         data={"csrf_token": token, "day": day, "time": "09:30", "minutes": "60", "kind": "meeting"})
    assert answer.status_code == 302
    assert len(services.planned_appointments(case.id)) == 1
    assert "Termine" in client.get(f"/participants/{case.id}").get_data(as_text=True)


def test_turning_the_feed_on_leaves_the_digest_choice_alone(client, auth, counsellor):
    auth.login(counsellor)
    html = client.post("/calendar/feed", data={"csrf_token": auth.csrf_token("/notifications/settings")}).get_data(as_text=True)
    assert 'id="digest_enabled" name="digest_enabled" type="checkbox" value="y"' in html
    assert re.search(r'<input checked[^>]*id="digest_enabled"', html)


def test_the_appointment_page_shows_the_case_header(client, auth, org, counsellor, count_queries):
    """Planning appointments is about one case: the page sits under the case header, whose facts
    come with the participant's row, and its statements do not grow with the case's history (nor
    with the appointments planned)."""
    from tests.case_header import add_history, assert_case_header, statements_of
    from tests.factories import ParticipantFactory
    quiet, busy = (ParticipantFactory(organisation=org, counsellor_id=counsellor.id, last_name=name)
                   for name in ("Ruhig", "Beschäftigt"))
    for p, n in ((quiet, 1), (busy, 5)):
        add_history(p, org, counsellor, n)
        for i in range(n):
            services.plan_appointment(p, {"starts_at": datetime.now(BERLIN) + timedelta(days=1 + i), "minutes": 30,
                                          "kind": "meeting"}, actor=counsellor)
    auth.login(counsellor)
    busy_id = busy.id
    quiet_counts, _ = statements_of(client, count_queries, [f"/participants/{quiet.id}/appointments"])
    with count_queries() as q:
        html = client.get(f"/participants/{busy_id}/appointments").get_data(as_text=True)
    assert [q.count] == quiet_counts
    assert_case_header(html, busy, "Termine")
    with_facts = [s for s in q.statements if "AS last_contact" in s]
    assert len(with_facts) == 1 and "participants.case_number" in with_facts[0]
    assert html.count("Termin absagen") == 5

    # a refused plan (in the past): the form again under the header, its title saying so
    token = auth.csrf_token(f"/participants/{busy_id}/appointments")
    refused = client.post(f"/participants/{busy_id}/appointments",
                          data={"csrf_token": token, "day": (date.today() - timedelta(days=2)).isoformat(),
                                "time": "09:30", "minutes": "60", "kind": "meeting"})
    assert refused.status_code == 422  # as every refused form of the case file
    html = refused.get_data(as_text=True)
    assert_case_header(html, busy, "Termine")
    assert "<title>Fehler: Termine – " in html
