"""Import in a real browser: a team lead downloads the template, fills it in, uploads a file with
two bad rows, sees the errors by sheet, row and column, fixes them, imports and finds the cases.
Every import page passes axe-core's WCAG 2.1 A/AA rules. With CASEFLOW_SCREENSHOTS=1 the pages
are also saved to docs/screenshots/ at 1366 and 390 px."""
from __future__ import annotations

import io
import os
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from caseflow.extensions import db
from caseflow.participants.models import Participant
from caseflow.vocabulary import NOTE_KINDS
from tests.browser.support import assert_accessible, assert_phone_layout, login
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _shoot(page, name: str) -> None:
    if os.environ.get("CASEFLOW_SCREENSHOTS") != "1":
        return
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"imports-{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def _fill(template: bytes, *, bad: bool) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(template))
    people = wb["Teilnehmende"]
    rows = [("K-101", "Leyla", "Karimi", date(1991, 4, 12), "weiblich", "AF", date(2024, 2, 5), "arbeitslos", date(2023, 5, 1)),
            ("K-102", "" if bad else "Omar", "Farouk", date(1987, 9, 30), "männlich", "SY", date(2024, 2, 12), "nicht erwerbstätig", None),
            ("K-103", "Oksana", "Kovalenko", "31.02.1995" if bad else "28.02.1995", "weiblich", "UA", date(2024, 3, 1), "arbeitslos", date(2024, 1, 1))]
    header = [c.value for c in people[1]]
    for ext, first, last, born, gender, nat, entry, status, since in rows:
        values = {"Externe ID": ext, "Vorname": first, "Nachname": last, "Geburtsdatum": born, "Geschlecht": gender,
                  "Staatsangehörigkeit": nat, "Eintrittsdatum": entry, "Erwerbsstatus bei Eintritt": status,
                  "Arbeitslos seit": since}
        people.append([values.get(h) for h in header])
    notes = wb["Verlaufsnotizen"]
    with force_locale("de"):
        meeting = str(NOTE_KINDS["meeting"])   # as the template's drop-down offers it
    notes.append(["K-101", "06.02.2024", meeting, "Erstgespräch, Lebenslauf besprochen", 60])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _upload(page, live_server, content: bytes, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    page.goto(f"{live_server.url}/imports")
    page.locator("input[type=file]").set_input_files(str(path))
    with page.expect_navigation():
        page.get_by_role("button", name="Datei prüfen").click()


def test_team_lead_imports_a_workbook(page, live_server, org, team_lead, tmp_path):
    login(page, live_server, team_lead.email, PASSWORD)
    with page.expect_navigation():
        page.get_by_role("link", name="Import", exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text() == "Import aus einer Tabelle"
    assert_accessible(page, "import start page")
    _shoot(page, "start")

    with page.expect_download() as download:
        page.get_by_role("link", name="Vorlage mit deutschen Spaltenüberschriften (XLSX)").click()
    template = Path(download.value.path()).read_bytes()

    # --- two bad rows: the check lists them and writes nothing ----------------------------------------
    _upload(page, live_server, _fill(template, bad=True), tmp_path, "teilnehmende.xlsx")
    table = page.locator("table.import-errors")
    assert table.is_visible()
    cells = [[c.strip() for c in row.locator("td").all_inner_texts()] for row in table.locator("tbody tr").all()]
    assert ["Teilnehmende", "3", "Vorname", "Dieses Feld ist erforderlich."] in cells
    assert any(r[:3] == ["Teilnehmende", "4", "Geburtsdatum"] for r in cells)
    assert page.get_by_role("button", name="Jetzt importieren").count() == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Participant)) == 0
    assert_accessible(page, "check with errors")
    assert_phone_layout(page, "check with errors")   # a card per error
    _shoot(page, "errors")

    # --- fixed: a clean check, then the import -------------------------------------------------------------
    _upload(page, live_server, _fill(template, bad=False), tmp_path, "teilnehmende-korrigiert.xlsx")
    assert "Anzulegende Datensätze" in page.locator("main").inner_text()
    assert_accessible(page, "clean check")
    _shoot(page, "checked")
    with page.expect_navigation():
        page.get_by_role("button", name="Jetzt importieren").click()
    assert "importiert" in page.locator("main dl.facts").first.inner_text()
    assert_accessible(page, "imported")
    page.goto(f"{live_server.url}/imports")
    assert page.locator("main table tbody tr").count() == 2
    assert_phone_layout(page, "earlier imports")
    page.go_back()
    _shoot(page, "imported")

    # --- the cases are there ----------------------------------------------------------------------------------
    with page.expect_navigation():
        page.get_by_role("link", name="Fallübersicht öffnen").click()
    names = page.locator("main").inner_text()
    for name in ("Karimi", "Farouk", "Kovalenko"):
        assert name in names
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Participant)) == 3
