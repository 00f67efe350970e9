"""Checks for the pages about one case that show the case file's summary header
(templates/participants/_case_header.html) above their own content: the header is there, and the
page's statements do not grow with the case's history (its facts come with the participant's row).

    from tests.case_header import add_history, assert_case_header, statements_of

    add_history(busy, org, counsellor, 5)
    quiet_counts, _ = statements_of(client, count_queries, [f"/participants/{quiet.id}/exit"])
    busy_counts, pages = statements_of(client, count_queries, [f"/participants/{busy.id}/exit"])
    assert busy_counts == quiet_counts
    assert_case_header(pages[0], busy)
"""
from __future__ import annotations

from datetime import date

from tests.factories import EnrolmentFactory, MeasureFactory


def add_history(participant, organisation, actor, n: int) -> None:
    """`n` entries of each kind the case file and its header read: enrolments (in measures of their
    own), notes, open tasks, placements (with a new employer each) and qualifications."""
    from caseflow.participants.services import add_note, add_task
    from caseflow.placements import services as outcomes

    for i in range(n):
        EnrolmentFactory(participant=participant, measure=MeasureFactory(organisation=organisation, type="coaching"),
                         status="active", start_date=date(2024, 4, 1 + i))
        add_note(participant, {"date": date(2024, 5, 1 + i), "kind": "meeting", "minutes": 30,
                               "text": f"Gespräch {i}"}, actor=actor)
        add_task(participant, {"title": f"Anruf {i}", "due_date": date(2030, 1, 1 + i)}, actor=actor)
        outcomes.record_placement(participant, {"type": "internship", "employer_name": f"Praxis {participant.id}-{i}",
                                                "start_date": date(2024, 6, 1 + i)}, actor=actor)
        outcomes.record_certificate(participant, {"date": date(2024, 5, 1 + i), "title": f"Kurs {i}"},
                                    actor=actor)


def statements_of(client, count_queries, paths: list[str], status: int = 200) -> tuple[list[int], list[str]]:
    """([statements sent], [page]) for each GET of `paths`, after one GET that settles the login's
    session."""
    client.get(paths[0])
    counts, pages = [], []
    for path in paths:
        with count_queries() as q:
            response = client.get(path)
        assert response.status_code == status, (path, response.status_code)
        counts.append(q.count)
        pages.append(response.get_data(as_text=True))
    return counts, pages


def case_header_of(html: str) -> str:
    return html.split('class="case-header"', 1)[1].split("</header>", 1)[0]


def assert_case_header(html: str, participant, form_heading: str | None = None) -> None:
    """The summary header of `participant` (name and case number in the page's one h1), the
    sections of its case file, and the page's own heading `form_heading` as an h2 under it."""
    assert 'class="case-header"' in html, "no case header"
    header = case_header_of(html)
    assert participant.display_name in header and participant.case_number in header
    assert html.count("<h1") == 1                      # the header's name is the page's one h1
    sections = html.split('class="case-sections"', 1)[1].split("</nav>", 1)[0]
    assert f'href="/participants/{participant.id}"' in sections
    assert f'href="/participants/{participant.id}/timeline"' in sections
    if form_heading is not None:
        assert f'<h2 id="form-heading">{form_heading}</h2>' in html, form_heading
