"""The data completeness report: each check, the case link, pagination with constant queries."""
from __future__ import annotations

from datetime import date, timedelta

from caseflow.reports import queries as q
from caseflow.reports import services

TODAY = date(2025, 6, 30)


def issues_of(team_lead, **kw):
    result = services.completeness_report(actor=team_lead, page=1, per_page=50, today=TODAY, **kw)
    return {r.case_number: [k for k in q.COMPLETENESS_ISSUES if getattr(r, k)] for r in result["items"]}, result


def test_each_check(history, team_lead):
    h = history
    ok = h.participant(education_isced=3)
    no_isced = h.participant(education_isced=None)
    no_start = h.participant(education_isced=3, unemployed_since=None)
    # exited 2 months ago, nothing recorded after the exit: no 4-week status
    silent = h.exit(h.participant(education_isced=3), TODAY - timedelta(days=60))
    # a status record within exit + 28 days, or a four-week follow-up, is enough
    with_status = h.exit(h.participant(education_isced=3), TODAY - timedelta(days=60))
    h.status(with_status, TODAY - timedelta(days=40), "employed")
    with_check = h.exit(h.participant(education_isced=3), TODAY - timedelta(days=60))
    h.follow_up(with_check, TODAY - timedelta(days=30), "unemployed", kind="four_weeks")
    # the 4-week window is not over yet
    recent = h.exit(h.participant(education_isced=3), TODAY - timedelta(days=20))
    # exited 8 months ago: six-month follow-up overdue unless recorded
    overdue = h.exit(h.participant(education_isced=3), date(2024, 10, 15))
    h.follow_up(overdue, date(2024, 11, 1), "employed", kind="four_weeks")
    followed = h.exit(h.participant(education_isced=3), date(2024, 10, 15))
    h.follow_up(followed, date(2024, 11, 1), "employed", kind="four_weeks")
    h.follow_up(followed, date(2025, 4, 15), "employed")
    # 6 months and 30 days ago is the limit
    just_in_time = h.exit(h.participant(education_isced=3), date(2024, 11, 30))
    h.status(just_in_time, date(2024, 12, 1), "unemployed")
    found, result = issues_of(team_lead)
    assert found == {
        no_isced.case_number: ["no_isced"],
        no_start.case_number: ["unemployed_without_start"],
        silent.case_number: ["no_four_week_status"],
        overdue.case_number: ["follow_up_overdue"],
    }
    assert result["counts"] == {"any": 4, "no_isced": 1, "unemployed_without_start": 1,
                                "no_four_week_status": 1, "follow_up_overdue": 1, "declined_answer": 0}
    only, _ = issues_of(team_lead, issue="follow_up_overdue")
    assert list(only) == [overdue.case_number]
    assert ok.case_number not in found and recent.case_number not in found


def test_other_organisations_are_not_listed(history, other_history, team_lead):
    other_history.participant(education_isced=None)
    found, _ = issues_of(team_lead)
    assert found == {}


def test_page_lists_and_paginates_with_constant_queries(client, auth, team_lead, history, count_queries):
    auth.login(team_lead)
    history.participant(education_isced=None, first_name="=HYPERLINK(1)")
    with count_queries() as few:
        page = client.get("/reports/completeness")
    assert page.status_code == 200
    assert "=HYPERLINK(1)" in page.get_data(as_text=True)
    for _ in range(30):
        history.participant(education_isced=None)
    with count_queries() as many:
        html = client.get("/reports/completeness?per_page=10&page=2").get_data(as_text=True)
    assert few.count == many.count
    assert 'rel="next"' in html and 'rel="prev"' in html


def test_total_is_the_count_of_the_check_and_the_report_sends_two_statements(history, team_lead, count_queries):
    """The list's total is the count of the check asked for (or of any check): those counts use the
    same conditions as the list, so the report does not count the list once more."""
    h = history
    for _ in range(3):
        h.participant(education_isced=None)
    h.participant(education_isced=3, unemployed_since=None)
    h.participant(education_isced=3)
    services.completeness_report(actor=team_lead, page=1, per_page=2, today=TODAY)  # facts brought up to date
    with count_queries() as sent:
        result = services.completeness_report(actor=team_lead, page=2, per_page=2, today=TODAY)
    assert sent.count == 2
    assert result["total"] == result["counts"]["any"] == 4
    assert len(result["items"]) == 2
    narrowed = services.completeness_report(actor=team_lead, page=1, per_page=50, today=TODAY, issue="no_isced")
    assert narrowed["total"] == narrowed["counts"]["no_isced"] == len(narrowed["items"]) == 3
    past_the_end = services.completeness_report(actor=team_lead, page=3, per_page=2, today=TODAY)
    assert past_the_end["items"] == [] and past_the_end["total"] == 4
