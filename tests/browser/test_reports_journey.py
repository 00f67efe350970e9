"""Reports in a real browser: a team lead runs the ESF+ and the placement report for a year,
switches the long-term unemployment rule, opens the participants behind a figure and downloads the
XLSX; an analyst sees all organisations and no names. Every report page passes axe-core."""
from __future__ import annotations

from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.browser.support import assert_accessible, assert_phone_layout, login
from tests.conftest import PASSWORD
from tests.factories import ParticipantFactory

pytestmark = pytest.mark.browser


def _people(org, other_org):
    # under 25 and unemployed for 7 months: long-term unemployed under rule eu, not under rule de
    young = ParticipantFactory(organisation=org, first_name="Leyla", last_name="Karimi", gender="female",
                               date_of_birth=date(2002, 1, 1), entry_date=date(2024, 3, 1),
                               unemployed_since=date(2023, 8, 1))
    ParticipantFactory(organisation=org, first_name="Omar", last_name="Haddad", gender="male",
                       date_of_birth=date(1980, 1, 1), entry_date=date(2024, 5, 1),
                       labour_status_at_entry="employed", unemployed_since=None)
    ParticipantFactory(organisation=other_org, first_name="Olena", last_name="Bondarenko", gender="female",
                       entry_date=date(2024, 6, 1))
    return young


def _total_cell(page, key):
    return page.locator(f"tr[data-indicator='{key}'] td").nth(3).inner_text().strip()


def _run(page, live_server, path, **fields):
    page.goto(f"{live_server.url}{path}")
    form = page.locator("main form.filters")
    form.locator("input[name=from]").fill("2024-01-01")
    form.locator("input[name=to]").fill("2024-12-31")
    for name, value in fields.items():
        form.locator(f"select[name={name}]").select_option(value)
    with page.expect_navigation():
        form.get_by_role("button", name="Bericht anzeigen").click()


def test_team_lead_runs_both_reports_switches_the_rule_and_downloads(page, live_server, org, other_org, team_lead):
    _people(org, other_org)
    login(page, live_server, team_lead.email, PASSWORD)
    page.goto(f"{live_server.url}/reports/")
    assert_accessible(page, "reports overview")

    _run(page, live_server, "/reports/esf", ltu_rule="eu")
    assert _total_cell(page, "total") == "2"  # own organisation only
    assert _total_cell(page, "long_term_unemployed") == "1"
    assert page.locator("svg.chart[role=img]").count() == 2
    assert_accessible(page, "ESF+ report")

    _run(page, live_server, "/reports/esf", ltu_rule="de")
    assert _total_cell(page, "long_term_unemployed") == "0"
    assert _total_cell(page, "unemployed") == "1"

    with page.expect_download() as info:
        page.get_by_role("link", name="Excel (XLSX)").click()
    download = info.value
    assert download.suggested_filename == "esf-2024-01-01-2024-12-31-de.xlsx"
    book = load_workbook(BytesIO(Path(download.path()).read_bytes()), read_only=True)
    rows = list(book.worksheets[0].values)
    assert rows[0][0] == "Gemeinsame ESF+-Indikatoren"  # the header block, then the table
    assert next(r for r in rows if r[0] == "Indikator")[:2] == ("Indikator", "Weiblich")
    assert next(r for r in rows if r[0] == "Alle Teilnehmenden")[1:] == (1, 1, 0, 2)
    assert not any("long_term_unemployed" in str(c) for r in rows for c in r)  # labels, no codes

    # the participants behind a figure, for casework roles
    with page.expect_navigation():
        page.locator("tr[data-indicator='total'] td").nth(0).get_by_role("link").click()
    assert "Leyla Karimi" in page.locator("main").inner_text()
    assert "Olena" not in page.locator("main").inner_text()
    assert_accessible(page, "participants behind an ESF figure")
    assert_phone_layout(page, "participants behind an ESF figure")

    _run(page, live_server, "/reports/placements")
    assert "Vermittlungsquote" in page.locator("main").inner_text()
    assert page.locator("svg.chart[role=img]").count() == 2
    assert_accessible(page, "placement report")
    with page.expect_download() as info:
        page.get_by_role("link", name="Excel (XLSX)").click()
    book = load_workbook(BytesIO(Path(info.value.path()).read_bytes()), read_only=True)
    summary = list(book.worksheets[0].values)
    header = next(i for i, r in enumerate(summary) if r[:2] == ("Kennzahl", "Wert"))
    assert summary[header + 1][1] == 2

    page.goto(f"{live_server.url}/reports/completeness")
    assert "Leyla Karimi" in page.locator("main").inner_text()
    assert_accessible(page, "data completeness")


def test_analyst_sees_all_organisations_and_no_names(page, live_server, org, other_org, analyst):
    _people(org, other_org)
    login(page, live_server, analyst.email, PASSWORD)
    _run(page, live_server, "/reports/esf", ltu_rule="eu")
    assert _total_cell(page, "total") == "3"
    main = page.locator("main").inner_text()
    assert "Leyla" not in main and "Olena" not in main
    assert page.locator("a[href*='/reports/esf/participants']").count() == 0
    assert_accessible(page, "ESF+ report (analyst)")

    _run(page, live_server, "/reports/placements")
    options = page.locator("select[name=organisation_id] option").all_inner_texts()
    assert org.name in options and other_org.name in options
    main = page.locator("main").inner_text()
    assert "< 5" in main and "Leyla" not in main and "Omar" not in main
    assert_accessible(page, "placement report (analyst)")

    page.goto(f"{live_server.url}/reports/")
    assert page.get_by_role("link", name="Datenvollständigkeit").count() == 0


def _figures_in_view(page) -> list[str]:
    """The report tables' figures that lie beyond the screen's right edge: those a reader would
    have to find by scrolling a table sideways."""
    return page.evaluate("""() => [...document.querySelectorAll('main table td.num')]
        .filter(td => td.getBoundingClientRect().right > window.innerWidth + 0.5)
        .map(td => td.closest('tr').querySelector('th').innerText.split('\\n')[0] + ': ' + td.innerText)""")


def test_reports_read_on_a_phone(page, live_server, org, other_org, team_lead):
    """At 390 px the figure tables become one card per row, each figure with its column's name:
    no figure hides beyond the right edge, no word is broken inside, nothing scrolls sideways."""
    _people(org, other_org)
    login(page, live_server, team_lead.email, PASSWORD)
    page.set_viewport_size({"width": 390, "height": 844})
    for path, name in (("/reports/esf", "ESF+ report"), ("/reports/placements", "placement report")):
        _run(page, live_server, path)
        assert _figures_in_view(page) == [], name
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
        assert_accessible(page, f"{name} at 390 px")
    # the placement report's breakdown: a card per group, each figure labelled by its column
    card = page.locator("table.breakdown tbody tr:has(td[data-label])").first
    assert card.evaluate("tr => getComputedStyle(tr).display") == "block"
    labels = card.locator("td").evaluate_all("tds => tds.map(td => td.dataset.label)")
    assert labels[0] == "Aktive Teilnehmende" and labels[-1] == "Vermittlungsquote"
    # the ESF+ table: each figure under the indicator's name, labelled by its gender
    _run(page, live_server, "/reports/esf")
    labels = page.locator("tr[data-indicator='total'] td").evaluate_all("tds => tds.map(td => td.dataset.label)")
    assert labels == ["Weiblich", "Männlich", "Divers", "Gesamt"]
    page.goto(f"{live_server.url}/reports/completeness")
    assert _figures_in_view(page) == []
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page, "data completeness at 390 px")
