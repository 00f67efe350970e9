"""Documents in a real browser: a counsellor records a placement with the evidence "contract seen",
the case file asks for the contract, she uploads it from there (the upload form works without
JavaScript), sees it on the placement's line and in the documents panel, opens it and downloads
it. Every page passes axe-core's WCAG 2.1 A/AA rules. Screenshots at 1366 and 390 px go to
docs/screenshots/ when CASEFLOW_SCREENSHOTS=1."""
from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from tests.browser.support import assert_accessible, assert_phone_layout, login
from tests.conftest import PASSWORD
from tests.documents.conftest import pdf
from tests.factories import ParticipantFactory

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def shoot(page, name: str) -> None:
    if os.environ.get("CASEFLOW_SCREENSHOTS") != "1":
        return
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"documents-{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def test_contract_for_a_placement_journey(page, live_server, org, counsellor, tmp_path):
    participant = ParticipantFactory(organisation=org, counsellor=counsellor, entry_date=date(2024, 3, 1),
                                     first_name="Leyla", last_name="Karimi")
    case_file = f"{live_server.url}/participants/{participant.id}"
    login(page, live_server, counsellor.email, PASSWORD)

    # --- the placement, recorded with the evidence "contract seen" ------------------------------------
    page.goto(case_file + "/placements")
    with page.expect_navigation():
        page.get_by_role("link", name="Vermittlung erfassen").click()
    form = page.locator("main form")
    form.locator("select[name=type]").select_option("employment")
    form.locator("input[name=employer_name]").fill("Kiezküche Reuterplatz GmbH")
    form.locator("input[name=job_title]").fill("Beiköchin")
    form.locator("input[name=start_date]").fill("2024-09-02")
    form.locator("select[name=evidence]").select_option("contract_seen")
    with page.expect_navigation():
        form.get_by_role("button", name="Vermittlung erfassen").click()
    assert page.url == case_file + "/placements"

    # --- the case file's documents section asks for the contract -------------------------------------
    page.goto(case_file + "/documents")
    evidence = page.get_by_test_id("contract-evidence")
    assert "Vertrag fehlt" in evidence.inner_text() and "Kiezküche Reuterplatz GmbH" in evidence.inner_text()
    assert_accessible(page, "case file with a missing contract")
    with page.expect_navigation():
        evidence.get_by_role("link", name="Vertrag hochladen").click()
    # the form sits under the case's summary header, whose h1 is the person's name
    assert "Leyla Karimi" in page.get_by_role("heading", level=1).inner_text()
    assert page.get_by_role("heading", level=2, name="Dokumente hochladen").is_visible()
    form = page.locator("main form")
    assert form.locator("select[name=kind]").input_value() == "contract"
    assert "Kiezküche" in form.locator("select[name=link] option:checked").inner_text()
    assert "20 MB" in page.locator("#files-hint").inner_text()
    assert_accessible(page, "upload form")
    shoot(page, "upload")

    # a web page renamed .pdf is refused, next to the field
    fake = tmp_path / "Arbeitsvertrag.pdf"
    fake.write_bytes(b"<!DOCTYPE html><html><body>nope</body></html>")
    form.locator("input[name=files]").set_input_files(str(fake))
    form.locator("input[name=title]").fill("Arbeitsvertrag Kiezküche")
    form.locator("input[name=date]").fill("2024-08-20")
    with page.expect_navigation():
        form.get_by_role("button", name="Hochladen").click()
    assert page.locator("#files-error").is_visible()
    assert_accessible(page, "upload form with an error")

    contract = tmp_path / "Arbeitsvertrag Kiezküche.pdf"
    contract.write_bytes(pdf(size=300_000))
    form = page.locator("main form")
    form.locator("input[name=files]").set_input_files(str(contract))
    with page.expect_navigation():
        form.get_by_role("button", name="Hochladen").click()
    assert page.url == case_file + "/documents"

    # --- on the placement's line and in the documents panel ------------------------------------------
    evidence = page.get_by_test_id("contract-evidence")
    assert "Vertrag verknüpft" in evidence.inner_text() and "Arbeitsvertrag Kiezküche" in evidence.inner_text()
    panel = page.locator("#documents-panel")
    assert panel.get_by_role("heading", name="Arbeitsvertrag", exact=True).is_visible()
    assert "Vermittlung: " in panel.locator("#documents-contract + .table-wrap").inner_text()
    assert_accessible(page, "case file with the documents panel")
    assert_phone_layout(page, "case file with the documents panel")
    panel.scroll_into_view_if_needed()
    shoot(page, "case-file")

    # --- the document's page and the download --------------------------------------------------------
    with page.expect_navigation():
        panel.locator("table").get_by_role("link", name="Arbeitsvertrag Kiezküche", exact=True).click()
    # under the case's summary header, whose h1 is the person's name
    assert "Leyla Karimi" in page.get_by_role("heading", level=1).inner_text()
    assert page.get_by_role("heading", level=2, name="Arbeitsvertrag Kiezküche").is_visible()
    assert_accessible(page, "document page")
    assert_phone_layout(page, "document page")   # the versions as cards
    shoot(page, "document")
    with page.expect_download() as info:
        page.locator("main table").get_by_role("link", name="Herunterladen").click()
    download = info.value
    assert download.suggested_filename == "Arbeitsvertrag Kiezküche.pdf"
    assert Path(download.path()).read_bytes() == contract.read_bytes()


def test_contract_uploaded_while_recording_the_placement_journey(page, live_server, org, counsellor, tmp_path):
    """The contract goes in with the placement form itself: a refused file keeps the placement
    unsaved, a good one is on the placement's row and in the documents panel, and downloads
    unchanged from the row."""
    participant = ParticipantFactory(organisation=org, counsellor=counsellor, entry_date=date(2024, 3, 1),
                                     first_name="Leyla", last_name="Karimi")
    case_file = f"{live_server.url}/participants/{participant.id}"
    login(page, live_server, counsellor.email, PASSWORD)

    page.goto(case_file + "/placements")
    with page.expect_navigation():
        page.get_by_role("link", name="Vermittlung erfassen").click()
    form = page.locator("main form")
    assert "20 MB" in page.locator("#contract_file-hint").inner_text()
    assert_accessible(page, "placement form with the contract field")
    shoot(page, "placement-form")

    def fill(contract_path):
        form.locator("select[name=type]").select_option("employment")
        form.locator("input[name=employer_name]").fill("Kiezküche Reuterplatz GmbH")
        form.locator("input[name=job_title]").fill("Beiköchin")
        form.locator("input[name=start_date]").fill("2024-09-02")
        form.locator("input[name=contract_file]").set_input_files(str(contract_path))
        form.locator("input[name=contract_date]").fill("2024-08-20")

    # a web page renamed .pdf: refused next to the field, and the placement is not saved either
    fake = tmp_path / "Arbeitsvertrag.pdf"
    fake.write_bytes(b"<!DOCTYPE html><html><body>nope</body></html>")
    fill(fake)
    with page.expect_navigation():
        form.get_by_role("button", name="Vermittlung erfassen").click()
    assert page.locator("#contract_file-error").is_visible()
    assert "Datei erneut" in form.inner_text()
    assert_accessible(page, "placement form with a refused contract")
    page.goto(case_file + "/placements")
    assert "Noch keine Vermittlungen." in page.locator("main").inner_text()

    with page.expect_navigation():
        page.get_by_role("link", name="Vermittlung erfassen").click()
    form = page.locator("main form")
    contract = tmp_path / "Arbeitsvertrag Kiezküche.pdf"
    contract.write_bytes(pdf(size=300_000))
    fill(contract)
    with page.expect_navigation():
        form.get_by_role("button", name="Vermittlung erfassen").click()
    assert page.url == case_file + "/placements"

    # --- on the placement's row ------------------------------------------------------------------------
    row = page.get_by_test_id("placement-evidence")
    assert "Vertrag eingesehen" in row.inner_text()
    assert "Arbeitsvertrag: Kiezküche Reuterplatz GmbH – Beiköchin" in row.inner_text()
    assert_accessible(page, "placements section with the contract on the row")
    shoot(page, "placement-row")
    with page.expect_download() as info:
        row.get_by_role("link", name="Herunterladen").click()
    download = info.value
    assert download.suggested_filename == "Arbeitsvertrag Kiezküche.pdf"
    assert Path(download.path()).read_bytes() == contract.read_bytes()

    # --- and in the documents panel, as the placement's evidence --------------------------------------
    page.goto(case_file + "/documents")
    evidence = page.get_by_test_id("contract-evidence")
    assert "Vertrag verknüpft" in evidence.inner_text() and "Kiezküche Reuterplatz GmbH" in evidence.inner_text()
    panel = page.locator("#documents-panel")
    assert "Vermittlung: " in panel.locator("#documents-contract + .table-wrap").inner_text()
    assert_accessible(page, "documents section with the contract uploaded with the placement")
    with page.expect_download() as info:
        panel.locator("table").get_by_role("link", name="Herunterladen").click()
    assert Path(info.value.path()).read_bytes() == contract.read_bytes()
