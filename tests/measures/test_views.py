"""The web pages: catalogue, measure page, enrolment forms, attendance grid, bulk enrolment, employers."""
from __future__ import annotations

import re
from datetime import date

import pytest

from caseflow.database import unit_of_work
from caseflow.extensions import db
from caseflow.measures.models import Attendance, AttendanceSession, Employer, Enrolment, Measure
from caseflow.participants.models import Task
from tests.factories import EmployerFactory, EnrolmentFactory, MeasureFactory


@pytest.fixture(autouse=True)
def english(client):
    """These tests read the English texts; the German ones are checked by the browser test."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def csrf(client, path):
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or \
        re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, html[:2000]
    return match.group(1)


@pytest.mark.parametrize("role_fixture, status", [("counsellor", 200), ("team_lead", 200), ("admin", 200),
                                                   ("analyst", 403)])
def test_catalogue_by_role(request, client, auth, measure, role_fixture, status):
    auth.login(request.getfixturevalue(role_fixture))
    response = client.get("/measures")
    assert response.status_code == status
    if status == 200:
        assert "Deutsch für den Beruf B1" in response.get_data(as_text=True)


def test_catalogue_shows_only_own_organisation(client, auth, counsellor, measure, other_measure):
    auth.login(counsellor)
    html = client.get("/measures").get_data(as_text=True)
    assert measure.title in html and other_measure.title not in html
    assert client.get(f"/measures/{other_measure.id}").status_code == 404


def test_login_required(client, measure):
    for path in ("/measures", f"/measures/{measure.id}", "/employers", "/measures/new"):
        assert client.get(path).status_code == 302


def test_team_lead_creates_and_edits_measure(client, auth, team_lead, org):
    auth.login(team_lead)
    token = csrf(client, "/measures/new")
    response = client.post("/measures/new", data={
        "csrf_token": token, "title": "Trainee-Partnerschaft Handwerk", "type": "trainee_partnership",
        "start_date": "2025-01-01", "end_date": "2025-12-31", "capacity": "8", "location": "Neukölln",
        "active": "y"})
    assert response.status_code == 302
    measure = db.session.query(Measure).one()
    assert measure.organisation_id == org.id and measure.capacity == 8
    bad = client.post(f"/measures/{measure.id}/edit", data={
        "csrf_token": token, "title": "X", "type": "trainee_partnership", "start_date": "2025-01-01",
        "end_date": "2024-01-01", "version": str(measure.version)})
    assert bad.status_code == 422 and "The end cannot be before the start." in bad.get_data(as_text=True)
    stale = client.post(f"/measures/{measure.id}/edit", data={
        "csrf_token": token, "title": "Neu", "type": "trainee_partnership", "start_date": "2025-01-01",
        "version": str(measure.version + 5)})
    assert stale.status_code == 409 and "Someone else saved this record" in stale.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Measure, measure.id).title == "Trainee-Partnerschaft Handwerk"


def test_counsellor_cannot_create_measures(client, auth, counsellor):
    auth.login(counsellor)
    assert client.get("/measures/new").status_code == 403


def test_measure_page_queries_are_constant(client, auth, counsellor, measure, make_participant, count_queries):
    auth.login(counsellor)

    def page_queries():
        with count_queries() as q:
            assert client.get(f"/measures/{measure.id}").status_code == 200
        return q.count

    EnrolmentFactory(participant=make_participant(), measure=measure)
    few = page_queries()
    for _ in range(6):
        e = EnrolmentFactory(participant=make_participant(), measure=measure)
        with unit_of_work():
            session = AttendanceSession(measure_id=measure.id, date=date(2024, 5, 1 + _))
            db.session.add(session)
            db.session.flush()
            db.session.add(Attendance(session_id=session.id, enrolment_id=e.id, present=True))
    assert page_queries() == few


def test_admin_sees_measure_page_without_names(client, auth, admin, measure, participant):
    EnrolmentFactory(participant=participant, measure=measure)
    auth.login(admin)
    html = client.get(f"/measures/{measure.id}").get_data(as_text=True)
    assert measure.title in html and participant.last_name not in html


def test_enrol_trainee_partnership_through_form(client, auth, counsellor, org, participant, employer):
    measure = MeasureFactory(organisation=org, type="trainee_partnership", title="Trainee 2024")
    auth.login(counsellor)
    choose = client.get(f"/participants/{participant.id}/enrolments/new")
    assert "Trainee 2024" in choose.get_data(as_text=True)
    path = f"/participants/{participant.id}/enrolments/new?measure_id={measure.id}"
    page = client.get(path).get_data(as_text=True)
    assert "Holzbau Kreuzberg GmbH" in page and 'name="mentor"' in page
    # both steps can be left for the case's measures
    back = f'<a href="/participants/{participant.id}/measures">Cancel</a>'
    assert back in page and back in choose.get_data(as_text=True)
    token = csrf(client, path)
    short = client.post(path, data={"csrf_token": token, "measure_id": measure.id, "status": "active",
                                     "start_date": "2024-04-01", "host_employer_id": str(employer.id),
                                     "mentor": "Frau Yilmaz", "contract_start": "2024-04-01",
                                     "contract_end": "2024-06-30"})
    assert short.status_code == 200
    assert "about twelve months" in short.get_data(as_text=True)
    assert db.session.query(Enrolment).count() == 0
    ok = client.post(path, data={"csrf_token": token, "measure_id": measure.id, "status": "active",
                                 "start_date": "2024-04-01", "host_employer_id": str(employer.id),
                                 "mentor": "Frau Yilmaz", "contract_start": "2024-04-01",
                                 "contract_end": "2025-03-31"})
    assert ok.status_code == 302
    enrolment = db.session.query(Enrolment).one()
    assert enrolment.host_employer_id == employer.id
    assert enrolment.details == {"mentor": "Frau Yilmaz", "contract_start": "2024-04-01",
                                 "contract_end": "2025-03-31"}
    shown = client.get(f"/enrolments/{enrolment.id}").get_data(as_text=True)
    assert "Frau Yilmaz" in shown and "Holzbau Kreuzberg GmbH" in shown


def test_enrolment_page_changes_status_and_checks_version(client, auth, counsellor, participant, measure):
    enrolment = EnrolmentFactory(participant=participant, measure=measure, status="active")
    auth.login(counsellor)
    path = f"/enrolments/{enrolment.id}"
    token = csrf(client, path)
    no_reason = client.post(path, data={"csrf_token": token, "version": "1", "status": "dropped_out",
                                        "start_date": "2024-03-15"})
    assert no_reason.status_code == 422
    assert "Say why the participant dropped out." in no_reason.get_data(as_text=True)
    done = client.post(path, data={"csrf_token": token, "version": "1", "status": "completed",
                                   "start_date": "2024-03-15", "end_date": "2024-08-31", "level_start": "A2",
                                   "level_end": "B1"})
    assert done.status_code == 302
    db.session.expire_all()
    enrolment = db.session.get(Enrolment, enrolment.id)
    assert enrolment.status == "completed" and enrolment.details == {"level_start": "A2", "level_end": "B1"}
    stale = client.post(path, data={"csrf_token": token, "version": "1", "status": "completed",
                                    "start_date": "2024-03-15", "end_date": "2024-09-30"})
    assert stale.status_code == 409
    assert "Someone else saved this record" in stale.get_data(as_text=True)
    page = client.get(path).get_data(as_text=True)
    assert 'value="planned"' not in page  # a completed enrolment is not offered "planned"
    back = client.post(path, data={"csrf_token": token, "version": str(enrolment.version), "status": "planned",
                                   "start_date": "2024-03-15"})
    assert back.status_code == 422
    db.session.expire_all()
    assert db.session.get(Enrolment, enrolment.id).status == "completed"


def test_enrolment_of_other_organisation_is_404(client, auth, counsellor, other_participant, other_measure):
    theirs = EnrolmentFactory(participant=other_participant, measure=other_measure)
    auth.login(counsellor)
    assert client.get(f"/enrolments/{theirs.id}").status_code == 404
    assert client.get(f"/participants/{other_participant.id}/enrolments/new").status_code == 404


def test_attendance_grid_records_and_raises_task_once(client, auth, counsellor, measure, make_participant):
    good, poor = make_participant(last_name="Aydin"), make_participant(last_name="Berisha")
    e_good = EnrolmentFactory(participant=good, measure=measure, status="active", start_date=date(2024, 4, 1))
    e_poor = EnrolmentFactory(participant=poor, measure=measure, status="active", start_date=date(2024, 4, 1))
    auth.login(counsellor)
    token = csrf(client, f"/measures/{measure.id}")
    for day in (2, 3):
        response = client.post(f"/measures/{measure.id}/sessions", data={
            "csrf_token": token, "date": f"2024-04-0{day}", "topic": "Bewerbungsschreiben"})
        assert response.status_code == 302
        session_path = response.headers["Location"]
        grid = client.get(session_path).get_data(as_text=True)
        assert "Aydin" in grid and "Berisha" in grid
        # nobody is ticked before anyone is seen
        assert re.findall(r'<input[^>]*name="present_\d+"[^>]*>', grid) and " checked" not in grid
        client.post(session_path, data={"csrf_token": token, f"present_{e_good.id}": "y"})
    tasks = db.session.query(Task).filter_by(kind="attendance").all()
    assert len(tasks) == 1
    assert tasks[0].participant_id == poor.id and tasks[0].assignee_id == counsellor.id
    assert db.session.query(Attendance).filter_by(enrolment_id=e_poor.id, present=False).count() == 2
    # what was recorded shows again: Aydin ticked, Berisha not
    grid = client.get(session_path).get_data(as_text=True)
    assert re.search(rf'<input checked[^>]*name="present_{e_good.id}"', grid)
    assert not re.search(rf'<input checked[^>]*name="present_{e_poor.id}"', grid)
    duplicate = client.post(f"/measures/{measure.id}/sessions", data={"csrf_token": token, "date": "2024-04-02"})
    assert duplicate.status_code == 422


def test_bulk_enrolment_reports_each_participant(client, auth, counsellor, org, make_participant):
    measure = MeasureFactory(organisation=org, type="intercultural_training", capacity=1, title="Interkulturell")
    first, second, already = make_participant(), make_participant(), make_participant()
    EnrolmentFactory(participant=already, measure=MeasureFactory(organisation=org))  # unrelated
    EnrolmentFactory(participant=already, measure=measure, status="completed")
    early = make_participant(entry_date=date(2025, 1, 1))
    auth.login(counsellor)
    path = f"/measures/{measure.id}/bulk"
    token = csrf(client, path)
    response = client.post(path, data={
        "csrf_token": token, "participant_ids": [str(first.id), str(second.id), str(early.id)],
        "case_numbers": "CF-2099-999999", "status": "active", "start_date": "2024-06-01"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.count("bulk-enrolled") == 1 and html.count("bulk-waitlisted") == 1
    assert html.count("bulk-refused") == 2
    assert "before the participant&#39;s entry" in html or "before the participant's entry" in html
    rows = {e.participant_id: e for e in db.session.query(Enrolment).filter_by(measure_id=measure.id)}
    assert rows[first.id].status == "active" and rows[first.id].waitlisted_at is None
    assert rows[second.id].waitlisted_at is not None and early.id not in rows


def test_employer_directory(client, auth, counsellor, other_org, analyst):
    theirs = EmployerFactory(organisation=other_org, name="Fremdfirma AG")
    auth.login(counsellor)
    token = csrf(client, "/employers/new")
    response = client.post("/employers/new", data={"csrf_token": token, "name": "Elektro Özdemir",
                                                   "nace_section": "F", "size": "micro", "district": "Wedding",
                                                   "contact_person": "Herr Özdemir"})
    assert response.status_code == 302
    employer = db.session.query(Employer).filter_by(name="Elektro Özdemir").one()
    assert employer.organisation_id == counsellor.organisation_id
    listing = client.get("/employers").get_data(as_text=True)
    assert "Elektro Özdemir" in listing and "Fremdfirma AG" not in listing
    assert client.get(f"/employers/{theirs.id}").status_code == 404
    edit = client.post(f"/employers/{employer.id}/edit", data={"csrf_token": token, "name": "Elektro Özdemir GmbH",
                                                                "version": str(employer.version)})
    assert edit.status_code == 302
    assert "Elektro Özdemir GmbH" in client.get(f"/employers/{employer.id}").get_data(as_text=True)
    auth.logout()
    auth.login(analyst)
    assert client.get("/employers").status_code == 403


def test_case_file_shows_enrolments_panel_and_timeline(client, auth, counsellor, participant, measure):
    auth.login(counsellor)
    enrolment = EnrolmentFactory(participant=participant, measure=measure, status="active")
    token = csrf(client, f"/enrolments/{enrolment.id}")
    client.post(f"/enrolments/{enrolment.id}", data={"csrf_token": token, "version": "1", "status": "completed",
                                                      "start_date": "2024-03-15", "end_date": "2024-09-01"})
    html = client.get(f"/participants/{participant.id}/measures").get_data(as_text=True)
    assert "enrolments-panel" in html
    assert f"/participants/{participant.id}/enrolments/new" in html
    assert "Enrolled in Deutsch für den Beruf B1" in html or "Deutsch für den Beruf B1" in html


def test_catalogue_and_case_file_queries_are_constant(client, auth, counsellor, org, participant, count_queries):
    auth.login(counsellor)
    case_file = f"/participants/{participant.id}/measures"

    def run():
        with count_queries() as q:
            assert client.get("/measures").status_code == 200
            assert client.get(case_file).status_code == 200
        return q.count

    EnrolmentFactory(participant=participant, measure=MeasureFactory(organisation=org))
    few = run()
    for _ in range(5):
        EnrolmentFactory(participant=participant, measure=MeasureFactory(organisation=org, type="coaching"),
                         status="completed")
    assert run() == few


def test_partial_recognition_offers_adaptation_qualification(client, auth, counsellor, org, participant):
    recognition = MeasureFactory(organisation=org, type="recognition_counselling", title="Anerkennungsberatung")
    adaptation = MeasureFactory(organisation=org, type="adaptation_qualification", title="Anpassung Pflege")
    enrolment = EnrolmentFactory(participant=participant, measure=recognition, status="completed",
                                 details={"application_date": "2024-04-01", "decision_date": "2024-06-01",
                                          "outcome": "partial"})
    auth.login(counsellor)
    html = client.get(f"/enrolments/{enrolment.id}").get_data(as_text=True)
    link = f"/participants/{participant.id}/enrolments/new?measure_id={adaptation.id}&amp;linked={enrolment.id}"
    assert link in html
    form = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert f'<option selected value="{enrolment.id}">' in form or f'value="{enrolment.id}" selected' in form


def test_both_enrolment_steps_show_the_case_header_in_a_constant_number_of_statements(
        client, auth, counsellor, org, participant, measure, make_participant, count_queries):
    """The enrolment pages are forms about one case, like the note form: they show the case file's
    summary header (who the case is, its counsellor, current measure, next task), and its facts
    come with the participant's row, so the statements do not grow with the case's history
    (browser review)."""
    from caseflow.participants.services import add_note, add_task

    busy = make_participant(last_name="Vielbeschäftigt")
    for i in range(4):
        EnrolmentFactory(participant=busy, measure=MeasureFactory(organisation=org, type="coaching"),
                         status="active", start_date=date(2024, 4, 1 + i))
        add_note(busy, {"date": date(2024, 5, 1 + i), "kind": "meeting", "text": f"Gespräch {i}"},
                 actor=counsellor)
        add_task(busy, {"title": f"Anruf {i}", "due_date": date(2030, 1, 1 + i)}, actor=counsellor)
    auth.login(counsellor)

    def pages(p):
        steps = (f"/participants/{p.id}/enrolments/new",
                 f"/participants/{p.id}/enrolments/new?measure_id={measure.id}")
        client.get(steps[0])                      # the login's first request settles its session
        counts, htmls = [], []
        for path in steps:
            with count_queries() as q:
                response = client.get(path)
            assert response.status_code == 200, path
            counts.append(q.count)
            htmls.append(response.get_data(as_text=True))
        return counts, htmls

    quiet_counts, quiet_pages = pages(participant)
    busy_counts, busy_pages = pages(busy)
    assert busy_counts == quiet_counts
    for p, html in [(participant, h) for h in quiet_pages] + [(busy, h) for h in busy_pages]:
        header = html.split('class="case-header"')[1].split("</header>")[0]
        assert p.display_name in header and p.case_number in header
        assert 'aria-label="Sections of the case file"' in html
        assert html.count("<h1") == 1                 # the header's name is the page's one h1
    assert "Anruf 0" in busy_pages[0].split('class="case-header"')[1].split("</header>")[0]  # the next task


def test_german_enrol_actions_do_not_read_like_logging_in(client, auth, counsellor, participant, measure):
    """"Anmelden" alone is the login button; the case file's action and the enrolment form's button
    say what they do (browser review)."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "de"
    assert re.search(r">\s*Anmelden\s*</button>", client.get("/login").get_data(as_text=True))
    auth.login(counsellor)
    bare = re.compile(r">\s*Anmelden\s*<")
    case_file = client.get(f"/participants/{participant.id}/measures").get_data(as_text=True)
    header = case_file.split('class="case-header"')[1].split("</header>")[0]
    enrol = f'href="/participants/{participant.id}/enrolments/new">Zur Maßnahme anmelden</a>'
    assert enrol in header and not bare.search(case_file)
    assert "Zu einer Maßnahme anmelden</a>" in case_file.split("</header>", 2)[2]   # the panel's link
    choose = client.get(f"/participants/{participant.id}/enrolments/new").get_data(as_text=True)
    assert "<h2" in choose and "Zu einer Maßnahme anmelden</h2>" in choose and not bare.search(choose)
    form = client.get(f"/participants/{participant.id}/enrolments/new?measure_id={measure.id}")
    html = form.get_data(as_text=True)
    assert re.search(r">\s*Zur Maßnahme anmelden\s*</button>", html) and not bare.search(html)


def test_the_enrolment_page_shows_the_case_header_in_a_constant_number_of_statements(
        client, auth, counsellor, org, measure, make_participant, count_queries):
    """The enrolment's page is about one case, like the enrolment steps: it shows the case file's
    summary header instead of a 'Participant:' line, its facts come with the participant's row, and
    the statements do not grow with the case's history; the link to the measure stays."""
    from tests.case_header import add_history, assert_case_header, statements_of

    short, long = make_participant(last_name="Kurz"), make_participant(last_name="Lang")
    add_history(short, org, counsellor, 1)
    add_history(long, org, counsellor, 5)
    enrolments = {p.id: EnrolmentFactory(participant=p, measure=measure, status="active", start_date=date(2024, 3, 15))
                  for p in (short, long)}
    auth.login(counsellor)
    short_counts, _ = statements_of(client, count_queries, [f"/enrolments/{enrolments[short.id].id}"])
    long_counts, (html,) = statements_of(client, count_queries, [f"/enrolments/{enrolments[long.id].id}"])
    assert long_counts == short_counts
    assert_case_header(html, long)
    assert '<h2 id="enrolment-heading">Enrolment in Deutsch für den Beruf B1</h2>' in html
    assert '<h3 id="edit">Change the enrolment</h3>' in html
    assert f'href="/measures/{measure.id}"' in html
    assert "Participant:" not in html
    # the participant's row is read once, with the header's facts, by the enrolment's loader
    path = f"/enrolments/{enrolments[long.id].id}"
    with count_queries() as q:
        client.get(path)
    rows = [s for s in q.statements if "participants.case_number" in s.split("FROM", 1)[0]]
    assert len(rows) == 1 and "AS last_contact" in rows[0]

    # a refused change: the page again under the header, its title saying so as the record forms do
    enrolment = enrolments[long.id]
    path = f"/enrolments/{enrolment.id}"
    r = client.post(path, data={"csrf_token": csrf(client, path), "version": str(enrolment.version),
                                "status": "active", "start_date": "2024-03-15", "end_date": "2024-03-01"})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert_case_header(html, long)
    assert "<title>Error: Enrolment in Deutsch für den Beruf B1 – " in html
