"""The caseload's tools in Chromium, on a desk (1366 px) and a phone (390 px): the header's quick
search finds an exited case of a colleague without the name reaching the address, the caseload's
hint widens a filtered search, a filter set is saved, applied and deleted, and the list is exported
as XLSX. Every page on the way fits the screen and passes axe-core."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from caseflow.database import unit_of_work
from tests.browser.support import assert_accessible, login, this_legs_share
from tests.conftest import PASSWORD
from tests.factories import ParticipantFactory, UserFactory

pytestmark = pytest.mark.browser


def _fits(page) -> None:
    scroll, viewport = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= viewport, f"{page.url} scrolls sideways: {scroll} px content in a {viewport} px window"


@pytest.fixture
def demirs(org, counsellor):
    """Two Demirs: the counsellor's own (active) and a colleague's exited case."""
    colleague = UserFactory(organisation=org, role="counsellor", name="Kollegin Kraus")
    today = date.today()
    own = ParticipantFactory(organisation=org, counsellor=counsellor, last_name="Demir", first_name="Zeynep",
                             entry_date=today - timedelta(days=40), search_key="demir zeynep")
    exited = ParticipantFactory(organisation=org, counsellor=colleague, last_name="Demir", first_name="Emre",
                                entry_date=today - timedelta(days=400), search_key="demir emre")
    ParticipantFactory(organisation=org, counsellor=counsellor, last_name="Abdi", first_name="Hodan",
                       entry_date=today - timedelta(days=20), search_key="abdi hodan")
    with unit_of_work():
        exited.status, exited.exit_date = "exited", today - timedelta(days=30)
    return own, exited


@pytest.mark.parametrize("width", this_legs_share([1366, 390]))  # one width per leg
def test_quick_search_hint_saved_filter_and_export(page, live_server, counsellor, demirs, width):
    own, exited = demirs
    page.set_viewport_size({"width": width, "height": 800})
    login(page, live_server, counsellor.email, PASSWORD)

    # the header's quick search, from another page: the whole organisation, exited included
    page.goto(f"{live_server.url}/account")
    search = page.get_by_role("search", name="Schnellsuche")
    search.get_by_label("Alle Teilnehmenden suchen (auch ausgeschiedene)").fill("demir")
    with page.expect_navigation():
        search.get_by_role("button", name="Suchen").click()
    assert page.url == f"{live_server.url}/caseload?status=all&counsellor=all"
    assert "demir" not in page.evaluate("document.referrer + location.href").lower()
    assert page.get_by_role("link", name="Demir, Emre").is_visible()
    assert page.get_by_role("link", name="Demir, Zeynep").is_visible()
    assert page.get_by_role("link", name="Abdi, Hodan").count() == 0
    _fits(page)
    assert_accessible(page, f"quick search results at {width} px")

    # narrowed to the counsellor's own active cases: the hint says what is hidden and widens again
    page.goto(f"{live_server.url}/caseload?status=active")
    page.select_option("#counsellor", str(counsellor.id))
    with page.expect_navigation():
        page.locator("form.filters").first.get_by_role("button", name="Anzeigen").click()
    assert page.get_by_role("link", name="Demir, Emre").count() == 0
    hint = page.locator(".search-hint")
    assert "1 weitere in anderen Fallbeständen oder unter den ausgeschiedenen Fällen" in hint.inner_text()
    _fits(page)
    assert_accessible(page, f"caseload with the hint at {width} px")
    with page.expect_navigation():
        hint.get_by_role("link").click()
    assert page.get_by_role("link", name="Demir, Emre").is_visible()

    # save these filters, apply them from the list, delete them
    page.get_by_label("Diese Filter speichern als").fill("Alle Fälle")
    with page.expect_navigation():
        page.get_by_role("button", name="Filter speichern").click()
    assert "Filter als „Alle Fälle“ gespeichert." in page.locator(".flashes").inner_text()
    saved = page.get_by_role("region", name="Gespeicherte Filter")
    _fits(page)
    assert_accessible(page, f"caseload with a saved filter at {width} px")
    page.goto(f"{live_server.url}/caseload")
    with page.expect_navigation():
        saved.get_by_role("link", name="Alle Fälle").click()
    assert page.url == f"{live_server.url}/caseload?status=all&counsellor=all"

    # the export of the list as it is filtered
    with page.expect_download() as download:
        page.get_by_role("link", name="Diese Liste exportieren (XLSX)").click()
    assert download.value.suggested_filename.endswith(".xlsx")

    with page.expect_navigation():
        saved.get_by_role("button", name="Löschen Alle Fälle").click()
    assert saved.get_by_role("link", name="Alle Fälle").count() == 0
