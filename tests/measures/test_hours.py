"""Hours of participation (issue 18, item 3): durations on enrolments, attendance sessions and
notes, the totals per enrolment, per measure and per participant, on the pages and in the API."""
from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from caseflow.errors import DomainError
from caseflow.extensions import db
from caseflow.measures import queries, services
from caseflow.measures.models import AttendanceSession, Enrolment
from caseflow.participants import services as participant_services
from caseflow.participants.forms import parse_duration
from caseflow.participants.models import Note, Participant
from tests.factories import EnrolmentFactory, MeasureFactory


def csrf(client, path):
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or \
        re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, html[:2000]
    return match.group(1)


@pytest.mark.parametrize("text, bare, minutes", [
    ("90", "minutes", 90), ("90 min", "minutes", 90), ("1,5 h", "minutes", 90), ("1.5h", "minutes", 90),
    ("2 Std.", "minutes", 120), ("1:30", "minutes", 90), ("12 Stunden", "minutes", 720),
    ("12", "hours", 720), ("1,5", "hours", 90), ("90 min", "hours", 90), ("0:45", "hours", 45),
    ("abc", "minutes", None), ("-5", "minutes", None), ("1:75", "minutes", None), ("٣", "minutes", None),
])
def test_typed_durations_become_minutes(text, bare, minutes):
    assert parse_duration(text, bare) == minutes


def _session(measure, day, minutes, present, counsellor):
    session = services.add_session(measure, session_date=day, topic="Bewerbung", minutes=minutes, actor=counsellor)
    services.record_attendance(session, present, actor=counsellor)
    return session


def test_hours_add_up_per_enrolment_measure_and_participant(counsellor, measure, participant, make_participant):
    other = make_participant(last_name="Berisha", entry_date=date(2024, 3, 1))
    mine = services.enrol_participant(participant, measure, services.EnrolmentInput(
        start_date=date(2024, 4, 1), status="active", minutes=600), actor=counsellor)
    theirs = services.enrol_participant(other, measure, services.EnrolmentInput(
        start_date=date(2024, 4, 1), status="active"), actor=counsellor)
    _session(measure, date(2024, 4, 2), 180, {mine.id: True, theirs.id: True}, counsellor)
    _session(measure, date(2024, 4, 3), 240, {mine.id: False, theirs.id: True}, counsellor)
    _session(measure, date(2024, 4, 4), None, {mine.id: True, theirs.id: True}, counsellor)  # no duration
    participant_services.add_note(participant, {"date": date(2024, 4, 5), "kind": "meeting", "text": "Coaching",
                                                "minutes": 45, "enrolment_id": mine.id}, actor=counsellor)
    participant_services.add_note(participant, {"date": date(2024, 4, 6), "kind": "phone", "text": "Termin",
                                                "minutes": 15}, actor=counsellor)

    assert queries.enrolment_minutes([mine.id, theirs.id]) == {mine.id: 600 + 180 + 45, theirs.id: 180 + 240}
    assert queries.measure_minutes(measure.id) == 825 + 420
    assert queries.unlinked_note_minutes(participant.id) == 15
    per_participant = dict(db.session.execute(
        sa.select(Participant.id, queries.participant_minutes()).where(Participant.id.in_([participant.id, other.id]))).all())
    assert per_participant == {participant.id: 825 + 15, other.id: 420}


def test_durations_are_judged(counsellor, measure, participant, make_participant, other_org):
    with pytest.raises(DomainError) as exc:
        services.enrol_participant(participant, measure, services.EnrolmentInput(
            start_date=date(2024, 4, 1), status="active", minutes=-1), actor=counsellor)
    assert "minutes" in exc.value.fields
    with pytest.raises(DomainError) as exc:
        services.add_session(measure, session_date=date(2024, 4, 2), topic=None, minutes=1441, actor=counsellor)
    assert "minutes" in exc.value.fields
    # a note counts only towards one of the participant's own enrolments
    stranger = EnrolmentFactory(participant=make_participant(last_name="Fremd"), measure=measure)
    with pytest.raises(DomainError) as exc:
        participant_services.add_note(participant, {"date": date(2024, 4, 5), "kind": "meeting", "text": "x",
                                                    "minutes": 30, "enrolment_id": stranger.id}, actor=counsellor)
    assert "enrolment_id" in exc.value.fields
    assert db.session.query(Note).count() == 0


def test_pages_take_typed_durations_and_show_hours(client, auth, counsellor, measure, participant):
    enrolment = EnrolmentFactory(participant=participant, measure=measure, status="active",
                                 start_date=date(2024, 4, 1))
    auth.login(counsellor)
    token = csrf(client, f"/measures/{measure.id}")
    response = client.post(f"/measures/{measure.id}/sessions", data={
        "csrf_token": token, "date": "2024-04-02", "topic": "Bewerbung", "minutes": "1,5 h"})
    assert response.status_code == 302
    session = db.session.scalar(sa.select(AttendanceSession).where(AttendanceSession.measure_id == measure.id))
    assert session.minutes == 90
    grid = client.get(response.headers["Location"])
    assert 'value="90"' in grid.get_data(as_text=True)
    client.post(response.headers["Location"], data={"csrf_token": token, "minutes": "2 h",
                                                     f"present_{enrolment.id}": "y"})
    db.session.expire_all()
    assert db.session.get(AttendanceSession, session.id).minutes == 120

    bad = client.post(f"/measures/{measure.id}/sessions", data={
        "csrf_token": token, "date": "2024-04-03", "minutes": "anderthalb"})
    assert bad.status_code == 422 and "1:30" in bad.get_data(as_text=True)

    token = csrf(client, f"/enrolments/{enrolment.id}")
    saved = client.post(f"/enrolments/{enrolment.id}", data={
        "csrf_token": token, "version": str(enrolment.version), "status": "active", "start_date": "2024-04-01",
        "minutes": "10,5"})
    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(Enrolment, enrolment.id).minutes == 630  # a bare number here is hours

    # the case file's measures section and the measure page: 10.5 h recorded + 2 h present = 12.5 h
    case_file = client.get(f"/participants/{participant.id}/measures").get_data(as_text=True)
    assert "12,5 h" in case_file and "Teilnahmestunden insgesamt" in case_file
    page = client.get(f"/measures/{measure.id}").get_data(as_text=True)
    assert page.count("12,5 h") == 2  # the participant's row and the measure's total


def test_note_form_offers_the_participants_enrolments(client, auth, counsellor, measure, participant):
    enrolment = EnrolmentFactory(participant=participant, measure=measure, status="active")
    auth.login(counsellor)
    form = client.get(f"/participants/{participant.id}/note/new").get_data(as_text=True)
    assert f'<option value="{enrolment.id}">Deutsch für den Beruf B1' in form
    token = csrf(client, f"/participants/{participant.id}/note/new")
    response = client.post(f"/participants/{participant.id}/notes", data={
        "csrf_token": token, "note-date": "2024-04-05", "note-kind": "meeting", "note-text": "Sprachcoaching",
        "note-minutes": "1:15", "note-enrolment_id": str(enrolment.id)})
    assert response.status_code == 302
    note = db.session.scalar(sa.select(Note))
    assert (note.minutes, note.enrolment_id) == (75, enrolment.id)


def test_api_enrolment_and_note_durations(api_as, counsellor, measure, participant):
    api = api_as(counsellor)
    created = api.post(f"/participants/{participant.id}/enrolments", json={
        "measure_id": measure.id, "status": "active", "start_date": "2024-04-01", "minutes": 300})
    assert created.status_code == 201, created.json
    body = created.json
    assert body["minutes"] == 300 and body["participation_minutes"] == 300 and body["participation_hours"] == 5.0
    note = api.post(f"/participants/{participant.id}/notes", json={
        "date": "2024-04-05", "kind": "meeting", "text": "Coaching", "minutes": 30, "enrolment_id": body["id"]})
    assert note.status_code == 201 and note.json["enrolment_id"] == body["id"]
    again = api.get(f"/enrolments/{body['id']}").json
    assert again["participation_minutes"] == 330 and again["participation_hours"] == 5.5
    patched = api.patch(f"/enrolments/{body['id']}", json={"version": again["version"], "minutes": 60})
    assert patched.status_code == 200 and patched.json["participation_minutes"] == 90
    for bad in (-5, "90", 1.5, 120001):
        answer = api.patch(f"/enrolments/{body['id']}", json={"version": patched.json["version"], "minutes": bad})
        assert answer.status_code == 422 and "minutes" in answer.json["error"]["fields"], bad
    foreign = api.post(f"/participants/{participant.id}/notes", json={
        "date": "2024-04-05", "kind": "meeting", "text": "x", "enrolment_id": 2**31})
    assert foreign.status_code == 422 and "enrolment_id" in foreign.json["error"]["fields"]


def test_measure_page_and_case_file_queries_stay_constant_with_hours(client, auth, counsellor, org, measure,
                                                                     participant, make_participant, count_queries):
    auth.login(counsellor)

    def run():
        with count_queries() as q:
            assert client.get(f"/measures/{measure.id}").status_code == 200
            assert client.get(f"/participants/{participant.id}/measures").status_code == 200
        return q.count

    EnrolmentFactory(participant=participant, measure=measure, minutes=60)
    few = run()
    for i in range(4):
        e = EnrolmentFactory(participant=make_participant(last_name=f"P{i}"), measure=measure, minutes=30)
        db.session.add(Note(participant_id=e.participant_id, date=date(2024, 5, 1), kind="meeting", text="x",
                            minutes=20, enrolment_id=e.id))
        EnrolmentFactory(participant=participant, measure=MeasureFactory(organisation=org), status="completed",
                         minutes=15)
    db.session.commit()
    assert run() == few
