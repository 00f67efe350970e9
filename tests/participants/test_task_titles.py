"""Caseflow's own tasks (4-week check, six-month follow-up) read in the reader's language, whatever
language they were stored in; a title a person typed is shown as typed."""
from __future__ import annotations

from datetime import date, timedelta

from caseflow.database import unit_of_work
from caseflow.extensions import db
from caseflow.participants.models import Task
from tests.factories import ParticipantFactory


def _task(participant, counsellor, title, kind, due, params=None):
    task = Task(organisation_id=participant.organisation_id, participant_id=participant.id, title=title,
                kind=kind, due_date=due, assignee_id=counsellor.id, title_params=params)
    with unit_of_work():
        db.session.add(task)
    return task


def _pages_read_in(locale, client, auth, counsellor, participant) -> dict[str, str]:
    """The caseload and the case file as `counsellor` sees them with the UI in `locale`."""
    with unit_of_work():
        counsellor.locale = locale
    auth.login(counsellor)
    return {path: client.get(path).get_data(as_text=True) for path in ("/caseload", f"/participants/{participant.id}")}


def test_system_tasks_follow_the_readers_language(client, auth, counsellor):
    participant = ParticipantFactory(organisation=counsellor.organisation, counsellor=counsellor)
    today = date.today()
    # stored in German by a German-speaking colleague's exit
    _task(participant, counsellor, "4-Wochen-Check", "four_week_check", today)
    _task(participant, counsellor, "Sechs-Monats-Nachbefragung", "six_month_follow_up", today + timedelta(days=1))
    _task(participant, counsellor, "Bewerbungsmappe mitbringen", "manual", today)

    for path, html in _pages_read_in("en", client, auth, counsellor, participant).items():
        assert "4-week check" in html, path
        assert "4-Wochen-Check" not in html, path
        assert "Bewerbungsmappe mitbringen" in html, path  # typed by a person: as typed
    assert "six-month follow-up" in client.get(f"/participants/{participant.id}").get_data(as_text=True)

    with unit_of_work():
        counsellor.locale = "de"
    html = client.get(f"/participants/{participant.id}").get_data(as_text=True)
    assert "4-Wochen-Check" in html and "Sechs-Monats-Nachbefragung" in html
    assert "4-week check" not in html


def test_caseload_next_task_column_translates_too(client, auth, counsellor):
    participant = ParticipantFactory(organisation=counsellor.organisation, counsellor=counsellor)
    _task(participant, counsellor, "4-Wochen-Check", "four_week_check", date.today() + timedelta(days=30))
    with unit_of_work():
        counsellor.locale = "en"
    auth.login(counsellor)
    html = client.get("/caseload").get_data(as_text=True)
    # due in a month: not in "My tasks" (this week), only in the participant's row
    assert html.count("4-week check") == 1


def test_tasks_with_values_are_rendered_from_their_kind_and_values(client, auth, counsellor):
    """Attendance alerts and free places carry the measure (and counts) in title_params; a task of
    such a kind from before title_params existed keeps its stored title."""
    participant = ParticipantFactory(organisation=counsellor.organisation, counsellor=counsellor)
    today = date.today()
    _task(participant, counsellor, "Die Anwesenheit in „Deutsch B1“ ist auf 4 von 6 Terminen gefallen.",
          "attendance", today, {"measure": "Deutsch B1", "present": 4, "total": 6})
    _task(participant, counsellor, "In „Bewerbungstraining“ ist ein Platz frei: Person informieren und Beginn vereinbaren.",
          "place_offered", today, {"measure": "Bewerbungstraining"})
    _task(participant, counsellor, "Anwesenheit gesunken (alt)", "attendance", today)  # no values: as stored
    for path, html in _pages_read_in("en", client, auth, counsellor, participant).items():
        assert "Attendance in “Deutsch B1” has fallen to 4 of 6 sessions." in html, path
        assert "A place in “Bewerbungstraining” is free: tell the participant and agree the start." in html, path
        assert "ist auf 4 von 6" not in html and "ist ein Platz frei" not in html, path
        assert "Anwesenheit gesunken (alt)" in html, path


def test_the_caseloads_follow_up_tasks_link_to_their_follow_up_form(app, client, auth, counsellor):
    """Each 4-week check and six-month follow-up in "My tasks" links to the follow-up form of its
    own case and task (the addresses are built once per page, web.id_url); a task of another kind
    has no such link."""
    from flask import url_for
    first = ParticipantFactory(organisation=counsellor.organisation, counsellor=counsellor)
    second = ParticipantFactory(organisation=counsellor.organisation, counsellor=counsellor)
    today = date.today()
    checks = [_task(first, counsellor, "4-Wochen-Check", "four_week_check", today),
              _task(second, counsellor, "Sechs-Monats-Nachbefragung", "six_month_follow_up", today),
              _task(second, counsellor, "4-Wochen-Check", "four_week_check", today + timedelta(days=1))]
    manual = _task(first, counsellor, "Bewerbungsmappe mitbringen", "manual", today)
    auth.login(counsellor)
    html = client.get("/caseload").get_data(as_text=True)
    with app.test_request_context():
        wanted = [url_for("placements.new_follow_up", participant_id=t.participant_id, task=t.id) for t in checks]
        unwanted = url_for("placements.new_follow_up", participant_id=first.id, task=manual.id)
    for address in wanted:
        assert f'href="{address.replace("&", "&amp;")}"' in html, address
    assert unwanted not in html
