"""Issue 19's target for the case file: its first view (the overview section) is sent in a constant
number of SQL statements, at most 12, however long the history is."""
from __future__ import annotations

import time
from datetime import date, timedelta

from caseflow.database import SEARCH_COLUMN
from caseflow.measures.services import EnrolmentInput, enrol_participant
from caseflow.participants import services
from caseflow.placements.services import record_certificate, record_placement
from caseflow.privacy.services import ConsentData, record_consent
from tests.factories import EmployerFactory, MeasureFactory

MAX_STATEMENTS = 11


def _grow_history(participant, actor, org, n: int) -> None:
    """n records of every kind the overview and its summary header read: notes, status changes,
    goals, tasks, consents, enrolments, placements and certificates."""
    start = date(2025, 3, 2)
    for i in range(n):
        day = start + timedelta(days=i)
        services.add_note(participant, {"date": day, "kind": "meeting", "text": f"Gespräch {i}", "minutes": 30},
                          actor=actor)
        services.add_status_change(participant, date_=day, status="unemployed" if i % 2 else "inactive",
                                   actor=actor)
        services.add_goal(participant, {"title": f"Ziel {i}", "status": "open"}, actor=actor)
        services.add_task(participant, {"title": f"Anruf {i}", "due_date": day + timedelta(days=30)}, actor=actor)
        record_consent(participant.id, ConsentData(purpose="case_management", given_on=day, form="written",
                                                   notice_version="v1", notice_language="de"), actor=actor)
        measure = MeasureFactory(organisation=org, start_date=date(2025, 1, 1), end_date=date(2026, 12, 31))
        enrol_participant(participant, measure, EnrolmentInput(start_date=day, status="completed",
                                                              end_date=day + timedelta(days=1)), actor=actor)
        employer = EmployerFactory(organisation=org)
        record_placement(participant, {"type": "internship", "employer_id": employer.id, "start_date": day,
                                       "end_date": day + timedelta(days=2)}, actor=actor)
        record_certificate(participant, {"date": day, "title": f"Kurs {i}"}, actor=actor)


def _overview(client, participant, count_queries):
    client.get(f"/participants/{participant.id}")          # the login's first request settles its session
    with count_queries() as counted:
        started = time.perf_counter()
        response = client.get(f"/participants/{participant.id}")
        elapsed = time.perf_counter() - started
    assert response.status_code == 200
    return counted, elapsed, response.get_data(as_text=True)


def test_case_file_overview_in_at_most_12_statements_whatever_the_history(
        client, auth, counsellor, org, register, count_queries, capsys):
    short, long_ = register(last_name="Kurz"), register(last_name="Lang", first_name="Lea")
    _grow_history(short, counsellor, org, 1)
    _grow_history(long_, counsellor, org, 20)
    auth.login(counsellor)

    few, few_time, few_html = _overview(client, short, count_queries)
    many, many_time, many_html = _overview(client, long_, count_queries)

    # the overview's recent notes: the newest five, whatever the length of the history
    assert "Gespräch 0" in few_html
    assert "Gespräch 19" in many_html and "Gespräch 15" in many_html and "Gespräch 14" not in many_html
    assert many.count == few.count, many.statements
    assert many.count <= MAX_STATEMENTS, "\n".join(many.statements)
    # none names the folded search key: PostgreSQL would plan it anew on every view
    # (database._planned_for_its_values) instead of keeping its cached plan
    assert not [s for s in many.statements if SEARCH_COLUMN in s]
    with capsys.disabled():
        print(f"\ncase file overview: {few.count} statements ({few_time * 1000:.1f} ms, 8 records) / "
              f"{many.count} statements ({many_time * 1000:.1f} ms, 160 records)")


def _header(html: str) -> str:
    return html.split('class="case-header"')[1].split("</header>")[0]


def test_each_case_file_shows_its_own_records_through_the_statements_built_once(client, auth, counsellor, register):
    """The case file's statements are built once per process with the participant's id as a bound
    parameter (issue 19): each case file must still show its own header facts, goals, tasks, notes
    and consent, never the first one's."""
    from caseflow.participants.summary import summary_statement

    first, second = register(last_name="Erste"), register(last_name="Zweite", first_name="Zoe")
    services.add_note(first, {"date": date(2025, 3, 2), "kind": "meeting", "text": "Gespräch mit Erste",
                              "minutes": 30}, actor=counsellor)
    services.add_goal(first, {"title": "Ziel von Erste", "status": "open"}, actor=counsellor)
    record_consent(first.id, ConsentData(purpose="case_management", given_on=date(2025, 3, 1), form="written",
                                         notice_version="v1", notice_language="de"), actor=counsellor)
    services.add_task(second, {"title": "Rückruf Zweite", "due_date": date.today() + timedelta(days=10)},
                      actor=counsellor)
    auth.login(counsellor)

    first_page = client.get(f"/participants/{first.id}").get_data(as_text=True)
    statement = summary_statement()
    second_page = client.get(f"/participants/{second.id}").get_data(as_text=True)

    first_header, second_header = _header(first_page), _header(second_page)
    assert "02.03.2025" in first_header and "Rückruf Zweite" not in first_header
    assert "Rückruf Zweite" in second_header and "02.03.2025" not in second_header
    assert "erteilt" in first_header and "fehlt" in second_header
    assert "Gespräch mit Erste" in first_page and "Ziel von Erste" in first_page
    assert "Gespräch mit Erste" not in second_page and "Ziel von Erste" not in second_page
    assert "Rückruf Zweite" in second_page.split("</header>", 1)[1]       # the overview's task list
    assert "Rückruf Zweite" not in first_page
    assert summary_statement() is statement
