"""The outcome pages: forms with CSRF, errors next to fields, access rules, the lists."""
import re
from datetime import date

import sqlalchemy as sa

from caseflow.extensions import db
from caseflow.measures.models import Employer, Enrolment
from caseflow.participants.models import Participant, Task
from caseflow.placements import services
from caseflow.placements.models import FollowUp, Placement
from tests.factories import ParticipantFactory
from tests.placements.helpers import history


def post_form(client, auth, path, data):
    return client.post(path, data={"csrf_token": auth.csrf_token(path), **data})


def test_record_placement_with_a_new_employer(client, auth, counsellor, participant, enrolment, org):
    auth.login(counsellor)
    path = f"/participants/{participant.id}/placements/new"
    page = client.get(path)
    assert page.status_code == 200 and "Jobmatching Neukölln" in page.get_data(as_text=True)
    # the enrolment's start in the reader's date format (German by default), not ISO
    assert f"Jobmatching Neukölln ({enrolment.start_date:%d.%m.%Y})" in page.get_data(as_text=True)
    r = post_form(client, auth, path, {"type": "employment", "employer_id": "", "employer_name": "Kita Sonnenschein",
                                       "job_title": "Erzieherhelferin", "start_date": "2024-09-01", "weekly_hours": "30",
                                       "contract": "permanent", "country": "DE", "matches_qualification": "yes",
                                       "enrolment_id": str(enrolment.id), "evidence": "contract_seen"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/participants/{participant.id}/placements")
    placement = db.session.scalar(sa.select(Placement))
    employer = db.session.get(Employer, placement.employer_id)
    assert (employer.name, employer.organisation_id) == ("Kita Sonnenschein", org.id)
    assert (placement.permanent, placement.matches_qualification, placement.enrolment_id) == (True, True, enrolment.id)
    assert history(participant)[-1] == (date(2024, 9, 1), "employed", "placement")
    case_file = client.get(f"/participants/{participant.id}/placements").get_data(as_text=True)
    assert "Kita Sonnenschein" in case_file and "Erzieherhelferin" in case_file


def test_bad_input_is_shown_next_to_the_field_and_nothing_is_saved(client, auth, counsellor, participant):
    auth.login(counsellor)
    path = f"/participants/{participant.id}/placements/new"
    r = post_form(client, auth, path, {"type": "employment", "employer_name": "Kita", "start_date": "2024-01-01",
                                       "weekly_hours": "70", "country": "DE"})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert 'id="weekly_hours-error"' in html
    # no employer at all: the summary names the field "Arbeitgeber", not its label "oder ein neuer …"
    r = post_form(client, auth, path, {"type": "employment", "start_date": "2024-06-01", "country": "DE"})
    summary = r.get_data(as_text=True).split("data-error-summary", 1)[1].split("</div>", 1)[0]
    assert r.status_code == 422 and '<a href="#employer_name">Arbeitgeber: ' in summary, summary
    r = post_form(client, auth, path, {"type": "employment", "employer_name": "Kita", "start_date": "2024-01-01",
                                       "weekly_hours": "20", "country": "DE"})
    assert r.status_code == 422 and 'id="start_date-error"' in r.get_data(as_text=True)
    # the entry date it names is written as the reader writes dates, not as stored
    assert f"({participant.entry_date:%d.%m.%Y})" in r.get_data(as_text=True)
    assert participant.entry_date.isoformat() not in r.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Placement)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Employer)) == 0


def test_weekly_hours_take_either_decimal_mark_and_show_the_readers(client, auth, counsellor, participant):
    """Weekly hours are a text field (inputmode decimal), not the browser's number field, which reads
    the decimal mark of the browser's language: 38,5 and 38.5 both mean 38.5 hours, the edit form
    shows 38,5 on a German page and 38.5 on an English one, and a word is refused in place."""
    from decimal import Decimal
    auth.login(counsellor)
    path = f"/participants/{participant.id}/placements/new"
    page = client.get(path).get_data(as_text=True)
    field = re.search(r'<input[^>]*id="weekly_hours"[^>]*>', page).group(0)
    assert 'type="text"' in field and 'inputmode="decimal"' in field
    refused = post_form(client, auth, path, {"type": "employment", "employer_name": "Kita", "start_date": "2024-06-01",
                                             "weekly_hours": "achtunddreißig", "country": "DE"})
    assert refused.status_code == 422 and 'value="achtunddreißig"' in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Placement)) == 0
    saved = post_form(client, auth, path, {"type": "employment", "employer_name": "Kita", "start_date": "2024-06-01",
                                           "weekly_hours": " 38,5 ", "country": "DE"})
    assert saved.status_code == 302
    placement = db.session.scalar(sa.select(Placement))
    assert placement.weekly_hours == Decimal("38.5")
    edit = client.get(f"/placements/{placement.id}/edit").get_data(as_text=True)
    assert re.search(r'<input[^>]*id="weekly_hours"[^>]*value="38,5"', edit)
    client.post("/language", data={"lang": "en", "next": "/", "csrf_token": auth.csrf_token("/account")})
    edit = client.get(f"/placements/{placement.id}/edit").get_data(as_text=True)
    assert re.search(r'<input[^>]*id="weekly_hours"[^>]*value="38.5"', edit)
    changed = post_form(client, auth, f"/placements/{placement.id}/edit",
                        {"version": str(placement.version), "type": "employment", "employer_name": "Kita",
                         "start_date": "2024-06-01", "weekly_hours": "20.5", "country": "DE"})
    assert changed.status_code == 302
    db.session.expire_all()
    assert db.session.get(Placement, placement.id).weekly_hours == Decimal("20.5")


def test_post_without_csrf_is_refused(client, auth, counsellor, participant):
    auth.login(counsellor)
    r = client.post(f"/participants/{participant.id}/exit", data={"exit_date": "2024-08-31", "reason": "completed"})
    assert r.status_code in (400, 422)
    assert db.session.get(Participant, participant.id).status == "active"


def test_exit_form_closes_enrolments_as_confirmed(client, auth, counsellor, participant, enrolment):
    auth.login(counsellor)
    path = f"/participants/{participant.id}/exit"
    assert "Jobmatching Neukölln" in client.get(path).get_data(as_text=True)
    r = post_form(client, auth, path, {"exit_date": "2024-08-31", "reason": "dropped_out",
                                       f"close_{enrolment.id}": "dropped_out"})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Enrolment, enrolment.id).status == "dropped_out"
    assert db.session.get(Participant, participant.id).status == "exited"
    assert {t.kind for t in db.session.scalars(sa.select(Task))} == {"four_week_check", "six_month_follow_up"}
    # exited: the exit page sends back to the case file; re-entry and follow-up are open
    assert client.get(path).status_code == 302
    assert client.get(f"/participants/{participant.id}/follow-ups/new").status_code == 200


def test_follow_up_and_re_entry_forms(client, auth, counsellor, employed_participant):
    p = employed_participant
    services.exit_participant(p, exit_date=date(2024, 8, 31), reason="completed", actor=counsellor)
    auth.login(counsellor)
    path = f"/participants/{p.id}/follow-ups/new"
    html = client.get(path).get_data(as_text=True)
    assert "improve" in html.lower() or "verbessert" in html
    r = post_form(client, auth, path, {"kind": "six_months", "date": "2025-03-01", "status": "employed",
                                       "improved_situation": "yes", "improvement_kind": "pay_rise"})
    assert r.status_code == 422 and 'id="improvement_kind-error"' in r.get_data(as_text=True)
    # the kind is optional: improved without a kind is saved and shown as "kind not recorded"
    r = post_form(client, auth, path, {"kind": "six_months", "date": "2025-03-01", "status": "employed",
                                       "improved_situation": "yes", "improvement_kind": ""})
    assert r.status_code == 302
    assert db.session.execute(sa.select(FollowUp.improved_situation, FollowUp.improvement_kind)).one() == (True, None)
    assert "Art nicht erfasst" in client.get(f"/participants/{p.id}/placements").get_data(as_text=True)
    r = post_form(client, auth, path, {"kind": "six_months", "date": "2025-03-02", "status": "employed",
                                       "improved_situation": "yes", "improvement_kind": "full_time"})
    assert r.status_code == 302
    assert "full_time" in db.session.scalars(sa.select(FollowUp.improvement_kind)).all()
    r = post_form(client, auth, f"/participants/{p.id}/re-entry", {"date": "2025-04-01"})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Participant, p.id).status == "active"


def test_certificate_form(client, auth, counsellor, participant):
    auth.login(counsellor)
    r = post_form(client, auth, f"/participants/{participant.id}/certificates/new",
                  {"date": "2024-05-02", "title": "Sachkunde §34a GewO", "issuing_body": "IHK Berlin"})
    assert r.status_code == 302


def test_stale_edit_shows_who_saved_first_and_changes_nothing(client, auth, counsellor, participant):
    placement = services.record_placement(participant, {"type": "employment", "employer_name": "Kita",
                                                        "start_date": date(2024, 6, 1)}, actor=counsellor)
    auth.login(counsellor)
    path = f"/placements/{placement.id}/edit"
    token = auth.csrf_token(path)
    services.update_placement(placement, participant, {"job_title": "Köchin"}, version=1, actor=counsellor)
    r = client.post(path, data={"csrf_token": token, "version": "1", "type": "employment", "employer_name": "Kita",
                                "start_date": "2024-06-01", "job_title": "Koch", "country": "DE"})
    assert r.status_code == 409  # the form again, saying who saved first
    assert "Someone else saved" in r.get_data(as_text=True) or "zuerst gespeichert" in r.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Placement, placement.id).job_title == "Köchin"


def test_end_form(client, auth, counsellor, participant):
    placement = services.record_placement(participant, {"type": "employment", "employer_name": "Kita",
                                                        "start_date": date(2024, 6, 1)}, actor=counsellor)
    auth.login(counsellor)
    r = post_form(client, auth, f"/placements/{placement.id}/end",
                  {"version": "1", "end_date": "2024-10-31", "status_after_end": "unemployed"})
    assert r.status_code == 302
    assert history(participant)[-1] == (date(2024, 11, 1), "unemployed", "placement_end")


def test_other_organisation_gets_404_and_analyst_403(client, auth, counsellor, other_counsellor, analyst,
                                                      participant, employer):
    placement = services.record_placement(participant, {"type": "employment", "employer_id": employer.id,
                                                        "start_date": date(2024, 6, 1)}, actor=counsellor)
    paths = [f"/participants/{participant.id}/placements/new", f"/participants/{participant.id}/exit",
             f"/participants/{participant.id}/certificates/new", f"/placements/{placement.id}/edit",
             f"/placements/{placement.id}/end", f"/employers/{employer.id}/placements"]
    auth.login(other_counsellor)
    for path in paths:
        assert client.get(path).status_code == 404, path
    assert "Kita" not in client.get("/placements").get_data(as_text=True)
    auth.logout()
    auth.login(analyst)
    for path in paths + ["/placements"]:
        assert client.get(path).status_code == 403, path


def test_placement_list_filters_and_constant_queries(client, auth, counsellor, team_lead, org, measure,
                                                     employer, count_queries):
    from tests.factories import EnrolmentFactory
    def make(n, **kw):
        for i in range(n):
            person = ParticipantFactory(organisation=org, counsellor=counsellor)
            enrol = EnrolmentFactory(participant=person, measure=measure)
            services.record_placement(person, {"type": "employment", "employer_id": employer.id,
                                               "start_date": date(2024, 6, i + 1), "enrolment_id": enrol.id,
                                               **kw}, actor=counsellor)
    make(2)
    auth.login(team_lead)
    with count_queries() as few:
        assert client.get("/placements").status_code == 200
    with count_queries() as emp_few:
        assert client.get(f"/employers/{employer.id}/placements").status_code == 200
    make(6, type="internship")
    with count_queries() as many:
        html = client.get("/placements").get_data(as_text=True)
    assert many.count <= few.count
    assert html.count("Vivantes Klinikum Neukölln") >= 8
    filtered = client.get(f"/placements?type=internship&measure_id={measure.id}&counsellor_id={counsellor.id}"
                          f"&employer_id={employer.id}&date_from=2024-06-01&date_to=2024-06-03").get_data(as_text=True)
    assert filtered.count("<tr>") == 1 + 3   # header + three internships starting 1–3 June
    with count_queries() as emp:
        page = client.get(f"/employers/{employer.id}/placements")
    assert page.status_code == 200 and emp.count <= emp_few.count  # first request may also touch the session
    assert page.get_data(as_text=True).count("<tr>") == 1 + 8


def test_case_file_shows_outcomes_and_the_status_upon_leaving_in_constant_queries(
        client, auth, counsellor, participant, count_queries):
    services.record_placement(participant, {"type": "employment", "employer_name": "Kita Sonnenschein",
                                            "start_date": date(2024, 9, 20)}, actor=counsellor)
    services.exit_participant(participant, exit_date=date(2024, 8, 31), reason="completed", actor=counsellor)
    auth.login(counsellor)
    client.get(f"/participants/{participant.id}/placements")
    with count_queries() as few:
        html = client.get(f"/participants/{participant.id}/placements").get_data(as_text=True)
    assert 'data-testid="status-upon-leaving"' in html
    # the placement from 20 September is within exit + 28 days (28 September): employed upon leaving
    section = html.split('data-testid="status-upon-leaving"')[1].split("</dd>")[0]
    assert "beschäftigt" in section or "employed" in section
    assert "Kita Sonnenschein" in html
    for day in range(1, 6):
        services.record_placement(participant, {"type": "internship", "employer_name": f"Praxis {day}",
                                                "start_date": date(2024, 10, day)}, actor=counsellor)
        services.record_certificate(participant, {"date": date(2024, 5, day), "title": f"Kurs {day}"},
                                    actor=counsellor)
    client.get(f"/participants/{participant.id}/placements")
    with count_queries() as many:
        html = client.get(f"/participants/{participant.id}/placements").get_data(as_text=True)
    assert "Praxis 5" in html and "Kurs 5" in html
    assert many.count <= few.count


def test_outcome_forms_show_the_case_header_in_a_constant_number_of_statements(client, auth, counsellor, org,
                                                                               count_queries):
    """The outcome forms are pages about one case, like the note form: they show the case file's
    summary header, whose facts come with the participant's row, so their statements do not grow
    with the case's history (a short and a long one send the same)."""
    from tests.case_header import add_history, assert_case_header, case_header_of, statements_of

    short = ParticipantFactory(organisation=org, counsellor=counsellor, last_name="Kurz")
    long = ParticipantFactory(organisation=org, counsellor=counsellor, last_name="Lang")
    add_history(short, org, counsellor, 1)
    add_history(long, org, counsellor, 5)
    auth.login(counsellor)

    def active(p):
        placement = db.session.scalar(sa.select(sa.func.min(Placement.id)).where(Placement.participant_id == p.id))
        return [f"/participants/{p.id}/placements/new", f"/participants/{p.id}/exit",
                f"/participants/{p.id}/certificates/new", f"/placements/{placement}/edit",
                f"/placements/{placement}/end"]

    short_counts, _ = statements_of(client, count_queries, active(short))
    long_counts, pages = statements_of(client, count_queries, active(long))
    assert long_counts == short_counts
    for html, heading in zip(pages, ["Vermittlung erfassen", "Austritt erfassen", "Qualifikation erfassen",
                                     "Vermittlung bearbeiten", "Vermittlung beenden"], strict=True):
        assert_case_header(html, long, heading)
        assert "Eintritt am 01.03.2024" in html           # the dates the form is checked against stay
    assert "Anruf 0" in case_header_of(pages[0])          # the next task

    for p in (short, long):
        services.exit_participant(p, exit_date=date(2024, 8, 31), reason="completed", actor=counsellor)

    def exited(p):
        return [f"/participants/{p.id}/follow-ups/new", f"/participants/{p.id}/re-entry"]

    short_counts, _ = statements_of(client, count_queries, exited(short))
    long_counts, pages = statements_of(client, count_queries, exited(long))
    assert long_counts == short_counts
    for html, heading in zip(pages, ["Nachbefragung erfassen", "Wiedereintritt erfassen"], strict=True):
        assert_case_header(html, long, heading)
        assert "Austritt am 31.08.2024" in html

    # a refused post: the form again under the header, its title saying so as the record forms do
    path = f"/participants/{long.id}/follow-ups/new"
    r = post_form(client, auth, path, {"kind": "six_months", "date": "", "status": "employed"})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert_case_header(html, long, "Nachbefragung erfassen")
    assert "<title>Fehler: Nachbefragung erfassen – " in html
