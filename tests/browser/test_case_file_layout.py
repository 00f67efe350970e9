"""The case file and the caseload as a counsellor works with them, on a desk (1366 px) and on a
phone (390 px): no page scrolls sideways, axe-core finds nothing, the summary header stays in view,
each section has its own address.

Screenshots: with CASEFLOW_SCREENSHOTS=<suffix> set (e.g. "" or "-after"), the test that walks the
two pages also saves docs/screenshots/{case-file,caseload}-{1366,390}<suffix>.png.
"""
from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from caseflow.extensions import db
from caseflow.measures.models import Enrolment
from caseflow.participants import services
from caseflow.participants.models import Note, Task
from tests.browser.support import assert_accessible, assert_tables_are_cards, login, this_legs_share
from tests.conftest import PASSWORD
from tests.factories import EnrolmentFactory, MeasureFactory, ParticipantFactory

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WIDTHS = (1366, 390)


def _screenshot(page, name: str) -> None:
    suffix = os.environ.get("CASEFLOW_SCREENSHOTS")
    if suffix is None:
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}{suffix}.png"), full_page=True)


@pytest.fixture
def busy_caseload(org, counsellor):
    """A counsellor's caseload as it looks after a few months: names from many languages, one case
    with notes, tasks and a measure."""
    today = date.today()
    names = [("Çelik", "Emre"), ("Demir", "Zeynep"), ("Cohen", "Dana"), ("Østergaard", "Mia"),
             ("Łukasiewicz", "Piotr"), ("Şahin", "Ayşe"), ("Schewtschenko", "Olena"), ("Abdi", "Hodan"),
             ("Nguyen", "Thi Lan"), ("Zaman", "Farid")]
    people = []
    for i, (last, first) in enumerate(names):
        people.append(ParticipantFactory(organisation=org, counsellor=counsellor, last_name=last,
                                         first_name=first, entry_date=today - timedelta(days=20 + 15 * i),
                                         search_key=f"{last} {first}".lower()))
    main = people[6]
    measure = MeasureFactory(organisation=org, title="Jobmatching Neukölln",
                             start_date=today - timedelta(days=400), end_date=today + timedelta(days=300))
    EnrolmentFactory(participant=main, measure=measure, status="active", start_date=today - timedelta(days=100))
    main.phone = "+49 30 1234567"
    for days, kind, text in ((90, "meeting", "Erstgespräch: Zeugnisse aus Kyjiw mitgebracht, Anerkennung besprochen."),
                             (40, "phone", "Rückruf wegen Sprachkurs B2, Anmeldung läuft."),
                             (12, "meeting", "Bewerbungsunterlagen überarbeitet; zwei Stellen bei Pflegediensten.")):
        services.add_note(main, {"date": today - timedelta(days=days), "kind": kind, "minutes": 45, "text": text},
                          actor=counsellor)
    services.add_task(main, {"title": "Anerkennungsbescheid nachreichen", "due_date": today + timedelta(days=5),
                             "assignee_id": None}, actor=counsellor)
    services.add_task(main, {"title": "Termin Jobcenter vorbereiten", "due_date": today + timedelta(days=12),
                             "assignee_id": None}, actor=counsellor)
    return main


@pytest.mark.parametrize("width", WIDTHS)
def test_case_file_and_caseload_fit_the_screen(page, live_server, counsellor, busy_caseload, width):
    page.set_viewport_size({"width": width, "height": 900})
    login(page, live_server, counsellor.email, PASSWORD)
    page.goto(f"{live_server.url}/caseload")
    _screenshot(page, f"caseload-{width}")
    page.goto(f"{live_server.url}/participants/{busy_caseload.id}")
    _screenshot(page, f"case-file-{width}")
    # the summary header and the sections
    header = page.locator("header.case-header")
    assert busy_caseload.case_number in header.inner_text()
    assert "Jobmatching Neukölln" in header.inner_text() and "Anerkennungsbescheid" in header.inner_text()
    if width == 1366:
        page.mouse.wheel(0, 2000)
        page.wait_for_timeout(100)
        assert header.bounding_box()["y"] <= 1   # stays in view while the page scrolls
    with page.expect_navigation():
        page.get_by_role("navigation", name="Bereiche der Fallakte").get_by_role("link", name="Verlauf").click()
    assert page.url.endswith(f"/participants/{busy_caseload.id}/timeline")


def _fits(page) -> None:
    scroll, viewport = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll <= viewport, f"{page.url} scrolls sideways: {scroll} px content in a {viewport} px window"


def _pages_of(page, live_server, participant_id: int) -> list[str]:
    menu = [a.get_attribute("href") for a in page.locator("#main-menu a").all()]
    case = f"/participants/{participant_id}"
    enrolment_id, measure_id = db.session.execute(sa.select(Enrolment.id, Enrolment.measure_id)
                                                  .where(Enrolment.participant_id == participant_id)).one()
    note_id = db.session.scalar(sa.select(sa.func.min(Note.id)).where(Note.participant_id == participant_id))
    task_id = db.session.scalar(sa.select(sa.func.min(Task.id)).where(Task.participant_id == participant_id))
    return menu + [case] + [f"{case}/{s}" for s in ("timeline", "measures", "placements", "data-protection",
                                                   "master-data", "edit", "note/new", "task/new", "enrolments/new",
                                                   f"enrolments/new?measure_id={measure_id}", "placements/new",
                                                   "exit", "certificates/new", "documents/new",
                                                   "partner-enrolments/new", f"notes/{note_id}/edit",
                                                   f"tasks/{task_id}/edit", "appointments", "referrals/new",
                                                   "consents")] + [
        f"/enrolments/{enrolment_id}", "/account"]


# each leg checks both roles and both widths, in two of the four pairs (support.this_legs_share)
@pytest.mark.parametrize(("width", "role"), this_legs_share(
    [(1366, "counsellor"), (1366, "team_lead"), (390, "team_lead"), (390, "counsellor")]))
def test_every_page_fits_and_passes_axe(page, live_server, request, busy_caseload, role, width):
    user = request.getfixturevalue(role)
    page.set_viewport_size({"width": width, "height": 800})
    login(page, live_server, user.email, PASSWORD)
    page.goto(f"{live_server.url}/caseload")
    team_lead_only = [f"/participants/{busy_caseload.id}/{s}" for s in ("restriction", "anonymise")]
    for path in _pages_of(page, live_server, busy_caseload.id) + (team_lead_only if role == "team_lead" else []):
        page.goto(f"{live_server.url}{path}")
        _fits(page)
        if width < 600:
            # every page, not only the case file's sections: its tables are cards, words whole
            # (the few real grids are listed in support.GRID_TABLES)
            assert_tables_are_cards(page)
        assert_accessible(page, f"{path} at {width} px as {role}")


def test_the_menu_folds_on_a_phone_and_errors_are_summarised_in_view(page, live_server, counsellor, busy_caseload):
    page.set_viewport_size({"width": 390, "height": 800})
    login(page, live_server, counsellor.email, PASSWORD)
    page.goto(f"{live_server.url}/caseload")
    toggle = page.get_by_role("button", name="Menü")
    assert toggle.is_visible() and not page.locator("#main-menu").is_visible()
    toggle.click()
    assert page.locator("#main-menu").is_visible() and toggle.get_attribute("aria-expanded") == "true"
    # a note without text: the error summary is at the top, in view and focused, linking the field
    page.goto(f"{live_server.url}/participants/{busy_caseload.id}/note/new")
    form = page.locator("form#note-form")
    form.get_by_label("Art des Kontakts").select_option("phone")
    with page.expect_navigation():
        form.get_by_role("button", name="Notiz hinzufügen").click()
    summary = page.locator("[data-error-summary]")
    assert summary.is_visible() and summary.evaluate("el => el === document.activeElement")
    box = summary.bounding_box()
    assert box["y"] + box["height"] <= 800 + page.evaluate("window.scrollY")
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.id") == "note-text"
    assert_accessible(page, "note form with errors at 390 px")
    page.locator("#note-text").fill("Telefonat: Unterlagen kommen nächste Woche.")
    with page.expect_navigation():
        form.get_by_role("button", name="Notiz hinzufügen").click()
    assert page.url.endswith("/timeline") and "Unterlagen kommen" in page.locator("main").inner_text()
