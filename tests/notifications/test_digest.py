"""The daily digest, sent to a real local SMTP server: the right people, the right counts, no
participant name or case number; once a day; opting out stops it."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from caseflow.notifications.digest import send_digests
from tests.board.factories import NoteFactory, TaskFactory
from tests.factories import ParticipantFactory, UserFactory

TODAY = date(2026, 11, 30)
MORNING = datetime(2026, 11, 30, 6, 5, tzinfo=UTC)  # 07:05 in Berlin


@pytest.fixture
def workload(org, counsellor, team_lead):
    def case(**kw):
        kw.setdefault("organisation", org)
        kw.setdefault("counsellor_id", counsellor.id)
        kw.setdefault("entry_date", TODAY - timedelta(days=10))
        return ParticipantFactory(**kw)
    p1 = case(first_name="Samira", last_name="Okonkwo")
    TaskFactory(participant=p1, due_date=TODAY - timedelta(days=2))                      # overdue
    TaskFactory(participant=p1, due_date=TODAY)                                          # due today
    TaskFactory(participant=p1, kind="four_week_check", due_date=TODAY - timedelta(days=20))  # overdue, > 14 days
    p2 = case(first_name="Tomasz", last_name="Wiśniewski", entry_date=TODAY - timedelta(days=90))
    NoteFactory(participant=p2, date=TODAY - timedelta(days=40))                         # no contact 30 days
    TaskFactory(participant=p2, kind="attendance", due_date=TODAY + timedelta(days=3))
    TaskFactory(participant=p2, due_date=TODAY + timedelta(days=9))                      # nothing yet
    return [p1, p2]


def _counts(text: str) -> dict[str, str]:
    return dict(line[2:].rsplit(": ", 1) for line in text.splitlines() if line.startswith("- "))


def test_digest_reaches_the_right_people_with_counts_and_no_names(smtp_server, workload, counsellor, team_lead, org):
    idle = UserFactory(role="counsellor", organisation=org, email="idle@kiezwerk.example")
    assert send_digests(MORNING) == "sent 2"
    [mail] = smtp_server.to(counsellor.email)
    text = mail.text
    assert _counts(text) == {"Überfällige Aufgaben": "2", "Heute fällige Aufgaben": "1", "Fällige 4-Wochen-Checks": "1",
                             "Hinweise zur Anwesenheit": "1", "Fälle ohne Kontakt seit 30 Tagen": "1"}
    assert "http://127.0.0.1:5000/notifications" in text
    [lead_mail] = smtp_server.to(team_lead.email)
    assert _counts(lead_mail.text) == {"Aufgaben Ihrer Organisation, mehr als 14 Tage überfällig": "1"}
    assert smtp_server.to(idle.email) == []
    everything = "".join(m.message.as_string() + m.text + m.html for m in smtp_server.messages)
    for p in workload:
        assert p.first_name not in everything and p.last_name not in everything and p.case_number not in everything


def test_the_language_is_the_persons(smtp_server, workload, counsellor):
    from caseflow.database import unit_of_work
    from caseflow.extensions import db
    with unit_of_work():
        db.session.merge(counsellor).locale = "en"
    send_digests(MORNING)
    [mail] = smtp_server.to(counsellor.email)
    assert _counts(mail.text)["Tasks overdue"] == "2"
    assert mail.subject == "Caseflow: what is due today"


def test_one_digest_a_day(smtp_server, workload, counsellor):
    send_digests(MORNING)
    assert send_digests(MORNING + timedelta(hours=3)) == "sent 0"
    assert len(smtp_server.to(counsellor.email)) == 1
    send_digests(MORNING + timedelta(days=1))
    assert len(smtp_server.to(counsellor.email)) == 2


def test_opting_out_stops_it(smtp_server, workload, counsellor, client, auth):
    auth.login(counsellor)
    token = auth.csrf_token("/notifications/settings")
    answer = client.post("/notifications/settings", data={"csrf_token": token})  # the box unticked
    assert answer.status_code == 302
    send_digests(MORNING)
    assert smtp_server.to(counsellor.email) == []
    client.post("/notifications/settings", data={"csrf_token": token, "digest_enabled": "y"})
    send_digests(MORNING)
    assert len(smtp_server.to(counsellor.email)) == 1


def test_the_digest_job_waits_for_its_hour(app, smtp_server, workload, counsellor):
    from caseflow.jobs.runner import run_due
    assert run_due(datetime(2026, 11, 30, 5, 0, tzinfo=UTC), only="digest") == []   # 06:00 Berlin
    [result] = run_due(MORNING, only="digest")
    assert result.outcome == "ok" and result.message == "sent 2"
    assert run_due(MORNING + timedelta(minutes=30), only="digest") == []
