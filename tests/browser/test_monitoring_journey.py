"""The monitoring export in a real browser (issue 18): a team lead exports the file for a year, sees
one blocking record, fixes it through the link, and exports again; every page passes axe-core.
Also: the ESF+ report's chart labels, measured by the browser, all lie inside their charts."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from tests.browser.support import assert_accessible, assert_phone_layout, login
from tests.conftest import PASSWORD
from tests.factories import ParticipantFactory

pytestmark = pytest.mark.browser

XSD = etree.XMLSchema(etree.parse(str(Path(__file__).parents[2] / "caseflow" / "reports" / "monitoring.xsd")))
NS = {"m": "urn:caseflow:monitoring:1"}


def _people(org, other_org):
    ParticipantFactory(organisation=org, first_name="Leyla", last_name="Karimi", entry_date=date(2024, 3, 1),
                       education_isced=3)
    blocking = ParticipantFactory(organisation=org, first_name="Omar", last_name="Haddad",
                                  entry_date=date(2024, 5, 1), education_isced=None)
    ParticipantFactory(organisation=other_org, first_name="Olena", last_name="Bondarenko",
                       entry_date=date(2024, 6, 1), education_isced=None)
    return blocking


def _show_year(page, live_server):
    page.goto(f"{live_server.url}/reports/monitoring")
    form = page.locator("main form.filters").first
    form.locator("input[name=from]").fill("2024-01-01")
    form.locator("input[name=to]").fill("2024-12-31")
    with page.expect_navigation():
        form.get_by_role("button", name="Bericht anzeigen").click()


def _export_xml(page) -> etree._Element:
    form = page.locator("form:has(button:text-is('Exportieren'))")
    form.locator("select[name=format]").select_option("xml")
    with page.expect_download() as info:
        form.get_by_role("button", name="Exportieren").click()
    download = info.value
    assert download.suggested_filename.endswith(".xml")
    document = etree.parse(download.path())
    XSD.assertValid(document)
    return document.getroot()


def test_team_lead_exports_sees_the_blocking_record_fixes_it_and_exports_again(page, live_server, org, other_org,
                                                                                team_lead):
    blocking = _people(org, other_org)
    login(page, live_server, team_lead.email, PASSWORD)
    _show_year(page, live_server)
    main = page.locator("main")
    assert "Blockierende Datensätze (Pflichtangaben beim Eintritt fehlen): 1" in main.inner_text()
    table = page.locator("section[aria-labelledby=blocking-heading] table")
    assert table.locator("tbody tr").count() == 1  # the other organisation's person is not here
    assert "Omar Haddad" in table.inner_text() and "Olena" not in main.inner_text()
    assert_accessible(page, "monitoring export with a blocking record")
    assert_phone_layout(page, "monitoring export with a blocking record")

    first = _export_xml(page)
    assert len(first.findall("m:participant", NS)) == 1  # the blocking record is left out
    assert "Haddad" not in etree.tostring(first, encoding="unicode")

    with page.expect_navigation():
        table.get_by_role("link", name=blocking.case_number).click()
    assert page.url.endswith(f"/participants/{blocking.id}/edit")
    page.locator("select[name=education_isced]").select_option("2")
    with page.expect_navigation():
        page.locator("main form button.primary[type=submit]").click()
    assert "Haddad" in page.locator("main").inner_text()

    _show_year(page, live_server)
    assert "Blockierende Datensätze (Pflichtangaben beim Eintritt fehlen): 0" in main.inner_text()
    assert page.locator("section[aria-labelledby=blocking-heading]").count() == 0
    assert_accessible(page, "monitoring export without blocking records")
    second = _export_xml(page)
    records = second.findall("m:participant", NS)
    assert len(records) == 2 and all(r.get("complete") == "true" for r in records)
    assert sorted(r.findtext("m:entry/m:educationIsced", namespaces=NS) for r in records) == ["2", "3"]


def test_esf_chart_labels_lie_inside_their_charts(page, live_server, org, other_org, team_lead):
    _people(org, other_org)
    login(page, live_server, team_lead.email, PASSWORD)
    for path in ("/reports/esf?from=2024-01-01&to=2024-12-31",
                 "/reports/placements?from=2024-01-01&to=2024-12-31"):
        page.goto(live_server.url + path)
        outside = page.evaluate("""() => {
            const problems = [];
            for (const svg of document.querySelectorAll('svg.chart')) {
                const box = svg.viewBox.baseVal;
                for (const text of svg.querySelectorAll('text')) {
                    const b = text.getBBox();
                    const m = text.getCTM() && text.transform.baseVal.consolidate();
                    let x0 = b.x, y0 = b.y, x1 = b.x + b.width, y1 = b.y + b.height;
                    if (m) {  // a slanted label: the corners of its box, turned
                        const t = m.matrix, xs = [], ys = [];
                        for (const [x, y] of [[x0, y0], [x1, y0], [x0, y1], [x1, y1]]) {
                            xs.push(t.a * x + t.c * y + t.e); ys.push(t.b * x + t.d * y + t.f);
                        }
                        x0 = Math.min(...xs); x1 = Math.max(...xs); y0 = Math.min(...ys); y1 = Math.max(...ys);
                    }
                    if (x0 < box.x - 0.5 || y0 < box.y - 0.5 || x1 > box.x + box.width + 0.5
                            || y1 > box.y + box.height + 0.5) {
                        problems.push(text.textContent + ' ' + [x0, y0, x1, y1].map(Math.round).join(','));
                    }
                }
            }
            return problems;
        }""")
        assert page.locator("svg.chart").count() == 2
        assert outside == [], f"{path}: labels outside their chart: {outside}"
