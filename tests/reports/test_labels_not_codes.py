"""Exports and pages that read right (issue 18, item 5): no stored code (`long_term_unemployed`,
`education_or_training`, …) in the visible text of any report page or in any cell of a report
file; measure filters name the organisation (or the start) where titles repeat."""
from __future__ import annotations

import csv
import html
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook

from caseflow.reports import queries as q
from caseflow.vocabulary import LABOUR_STATUSES, MEASURE_TYPES, PLACEMENT_TYPES, RESIDENCE_STATUSES
from tests.factories import MeasureFactory

PERIOD = "from=2024-01-01&to=2024-12-31"
# every stored code that could leak: those with an underscore cannot be an ordinary word
CODES = sorted({c for c in (*q.OUTPUT_KEYS, *q.RESULT_KEYS, *q.COMPLETENESS_ISSUES, *LABOUR_STATUSES,
                            *MEASURE_TYPES, *PLACEMENT_TYPES, *RESIDENCE_STATUSES, *q.BREAKDOWNS,
                            "non_binary", "not_stated", "third_country", "55_plus", "below_18", "18_29",
                            "30_54") if "_" in c})


def visible_text(page: str) -> str:
    """What a reader sees: no tags, attributes, scripts or styles."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def leaked(text: str) -> list[str]:
    return [c for c in CODES if re.search(rf"(?<![\w/=&?-]){re.escape(c)}(?![\w-])", text)]


@pytest.fixture
def varied(history):
    """Participants touching every code the reports name: statuses, ages, ISCED levels, long-term
    unemployment, residence statuses, placements of each type, exits and follow-ups, gaps."""
    measure = history.measure("low_threshold_qualification", "Werkstatt")
    people = []
    for i, (status, residence) in enumerate(zip(LABOUR_STATUSES, list(RESIDENCE_STATUSES) * 2, strict=False)):
        p = history.participant(entry_date=date(2024, 2 + i, 1), labour_status_at_entry=status,
                                unemployed_since=date(2022, 1, 1) if status == "unemployed" else None,
                                date_of_birth=date(1960 + 10 * i, 1, 1), residence_status=residence,
                                education_isced=None if i == 0 else i, gender=("female", "male", "non_binary",
                                                                               "not_stated")[i % 4])
        history.enrol(p, measure)
        people.append(p)
    for p, type_ in zip(people, PLACEMENT_TYPES, strict=False):
        history.placement(p, type_, date(2024, 8, 1))
        history.exit(p, date(2024, 9, 1))
        history.follow_up(p, date(2025, 3, 1), "employed", improved=True)
    return people


def test_report_pages_show_labels_not_codes(client, auth, team_lead, analyst, varied):
    auth.login(team_lead)
    pages = [f"/reports/esf?{PERIOD}", f"/reports/esf?{PERIOD}&ltu_rule=de", f"/reports/placements?{PERIOD}",
             "/reports/completeness", f"/reports/monitoring?{PERIOD}", "/reports/",
             f"/reports/esf/participants?{PERIOD}&indicator=long_term_unemployed&gender=total"]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert leaked(visible_text(response.get_data(as_text=True))) == [], path
    auth.logout()
    auth.login(analyst)
    for path in (f"/reports/esf?{PERIOD}", f"/reports/placements?{PERIOD}", f"/reports/monitoring?{PERIOD}"):
        assert leaked(visible_text(client.get(path).get_data(as_text=True))) == [], path


def test_the_check_finds_a_code_when_one_is_shown():
    assert leaked(visible_text("<td>long_term_unemployed</td>")) == ["long_term_unemployed"]
    assert leaked(visible_text('<a href="?indicator=long_term_unemployed">Langzeitarbeitslos</a>')) == []


@pytest.mark.parametrize("path", [f"/reports/esf.{{fmt}}?{PERIOD}", f"/reports/placements.{{fmt}}?{PERIOD}",
                                  "/reports/completeness.{fmt}"])
def test_report_files_hold_labels_not_codes(client, auth, team_lead, varied, path):
    auth.login(team_lead)
    text = client.get(path.format(fmt="csv")).data.decode("utf-8-sig")
    cells = [c for row in csv.reader(io.StringIO(text), delimiter=";") for c in row]
    book = load_workbook(io.BytesIO(client.get(path.format(fmt="xlsx")).data))
    cells += [str(c) for sheet in book.worksheets for row in sheet.values for c in row if c is not None]
    cells += [sheet.title for sheet in book.worksheets]
    assert len(cells) > 20
    assert leaked("\n".join(cells)) == []


def test_measure_filter_names_the_organisation_where_titles_repeat(client, auth, analyst, team_lead, org,
                                                                   other_org):
    MeasureFactory(organisation=org, title="Deutsch B1")
    MeasureFactory(organisation=other_org, title="Deutsch B1")
    MeasureFactory(organisation=org, title="Bewerbungstraining")
    MeasureFactory(organisation=org, title="Coaching", start_date=date(2024, 2, 1))
    MeasureFactory(organisation=org, title="Coaching", start_date=date(2024, 9, 1))
    auth.login(analyst)
    page = client.get(f"/reports/placements?{PERIOD}").get_data(as_text=True)
    options = re.findall(r"<option[^>]*>([^<]*)</option>", page.split('name="measure_id"')[1].split("</select>")[0])
    options = [html.unescape(o) for o in options]
    assert "Deutsch B1 (Kiezwerk Neukölln e.V.)" in options
    assert "Deutsch B1 (Brückenbau Spandau gGmbH)" in options
    assert "Bewerbungstraining" in options  # a title of its own stays as it is
    assert "Coaching (01.02.2024)" in options and "Coaching (01.09.2024)" in options
    auth.logout()
    auth.login(team_lead)  # own organisation only: one "Deutsch B1", named plainly
    page = client.get(f"/reports/placements?{PERIOD}").get_data(as_text=True)
    options = [html.unescape(o) for o in re.findall(
        r"<option[^>]*>([^<]*)</option>", page.split('name="measure_id"')[1].split("</select>")[0])]
    assert "Deutsch B1" in options and not any("Brückenbau" in o for o in options)


def test_the_placement_reports_months_read_in_the_readers_language(client, auth, team_lead, varied):
    """The monthly trend (chart and table) names its months as the reader writes them ("Feb. 2024",
    "Feb 2024"), not as stored ("2024-02"); the files keep the sortable form."""
    auth.login(team_lead)
    german = visible_text(client.get(f"/reports/placements?{PERIOD}").get_data(as_text=True))
    assert "Feb. 2024" in german and "Dez. 2024" in german
    assert not re.search(r"\b2024-(0[1-9]|1[0-2])\b(?!-)", german)  # no stored month in the text
    client.post("/language", data={"lang": "en", "next": "/", "csrf_token": auth.csrf_token("/reports/")})
    english = visible_text(client.get(f"/reports/placements?{PERIOD}").get_data(as_text=True))
    assert "Feb 2024" in english and "Dec 2024" in english
    csv_text = client.get(f"/reports/placements.csv?{PERIOD}").get_data(as_text=True)
    assert "2024-02" in csv_text
