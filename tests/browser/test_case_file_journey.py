"""A case from registration to the four-week check, in Chromium on a desk (1366 px) and on a phone
(390 px): register → duplicate warning → enrol → note with an error, then fixed → placement → exit →
follow-up opened from its task. Wherever the app answers with a warning or an error, it is in the
viewport where it happens; every page on the way passes axe-core."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from caseflow.extensions import db
from caseflow.participants.models import Participant, Task
from caseflow.participants.services import register_participant
from caseflow.placements.models import FollowUp, Placement
from tests.browser.support import assert_accessible, login, this_legs_share
from tests.conftest import PASSWORD
from tests.factories import MeasureFactory

pytestmark = pytest.mark.browser

HEIGHT = 800


def _in_view(page, locator, what: str) -> None:
    """`locator` is visible and wholly (or, when taller than the window, from its top) in the viewport."""
    assert locator.is_visible(), f"{what} is not visible"
    box = locator.bounding_box()
    assert box is not None and 0 <= box["y"] < HEIGHT, f"{what} is outside the viewport: {box}"
    assert box["y"] + min(box["height"], HEIGHT) <= HEIGHT + 1, f"{what} is cut off by the viewport: {box}"


def _submit(page, form, name: str) -> None:
    with page.expect_navigation():
        form.get_by_role("button", name=name, exact=True).click()


def _action(page, name: str) -> None:
    """One of the summary header's actions."""
    with page.expect_navigation():
        page.locator("header.case-header").get_by_role("link", name=name, exact=True).click()


@pytest.mark.parametrize("width", this_legs_share([1366, 390]))  # one width per leg
def test_from_registration_to_the_four_week_check(page, live_server, counsellor, org, width):
    today = date.today()
    existing = register_participant({
        "first_name": "Mohammed", "last_name": "Al-Hassan", "date_of_birth": date(1990, 5, 17), "gender": "male",
        "nationality": "SY", "entry_date": today - timedelta(days=300), "labour_status_at_entry": "inactive",
    }, actor=counsellor)
    MeasureFactory(organisation=org, title="Pflegehilfe kompakt", start_date=today - timedelta(days=400),
                   end_date=today + timedelta(days=300))
    page.set_viewport_size({"width": width, "height": HEIGHT})
    login(page, live_server, counsellor.email, PASSWORD)

    # --- register: the duplicate warning (Muhammad Alhassan may be Mohammed Al-Hassan) is in view ------
    page.goto(f"{live_server.url}/participants/new")
    form = page.locator("main form")
    form.locator("#first_name").fill("Muhammad")
    form.locator("#last_name").fill("Alhassan")
    form.locator("#date_of_birth").fill("1990-05-17")
    form.locator("#gender").select_option("male")
    form.locator("#nationality").select_option("SY")
    form.locator("#entry_date").fill((today - timedelta(days=200)).isoformat())
    form.locator("#labour_status_at_entry").select_option("inactive")
    _submit(page, form, "Erfassen")
    warning = page.locator(".duplicate-warning")
    _in_view(page, warning, "the duplicate warning")
    assert warning.get_by_role("link", name="Mohammed Al-Hassan").get_attribute("href") == \
        f"/participants/{existing.id}"
    assert_accessible(page, f"registration with the duplicate warning at {width} px")
    warning.get_by_label("Ich habe die Treffer geprüft: Es handelt sich um eine andere Person.").check()
    _submit(page, page.locator("main form"), "Erfassen")
    case = db.session.scalar(sa.select(Participant).where(Participant.last_name == "Alhassan"))
    assert case is not None and page.url.endswith(f"/participants/{case.id}")
    assert_accessible(page, f"new case file at {width} px")

    # --- enrol ----------------------------------------------------------------------------------------
    _action(page, "Zur Maßnahme anmelden")
    chooser = page.get_by_label("Maßnahme", exact=True)
    assert chooser.input_value() == ""                            # "please choose", nothing preset
    chooser.select_option(index=1)
    with page.expect_navigation():
        page.get_by_role("button", name="Weiter").click()
    enrol = page.locator("main form[method=post]")
    enrol.get_by_label("Status").select_option("active")
    enrol.get_by_label("Beginn").fill((today - timedelta(days=150)).isoformat())
    assert_accessible(page, f"enrolment form at {width} px")
    _submit(page, enrol, "Zur Maßnahme anmelden")
    page.goto(f"{live_server.url}/participants/{case.id}")
    assert "Pflegehilfe kompakt" in page.locator("header.case-header").inner_text()

    # --- a note without text: the error is in view at once; then fixed ------------------------------
    _action(page, "Notiz")
    note = page.locator("form#note-form")
    note.get_by_label("Art des Kontakts").select_option("meeting")
    _submit(page, note, "Notiz hinzufügen")
    summary = page.locator("[data-error-summary]")
    _in_view(page, summary, "the note's error summary")
    assert summary.evaluate("el => el === document.activeElement")
    assert "Dieses Feld ist erforderlich." in page.locator("#note-text-error").inner_text()
    assert_accessible(page, f"note form with an error at {width} px")
    page.locator("#note-text").fill("Vorstellungsgespräch beim Pflegedienst vorbereitet.")
    _submit(page, note, "Notiz hinzufügen")
    assert page.url.endswith(f"/participants/{case.id}/timeline")
    assert "Vorstellungsgespräch beim Pflegedienst" in page.locator("main").inner_text()

    # --- placement ------------------------------------------------------------------------------------
    page.goto(f"{live_server.url}/participants/{case.id}")
    _action(page, "Vermittlung")
    placement = page.locator("main form")
    assert placement.get_by_label("Art").input_value() == ""      # "please choose", nothing preset
    placement.get_by_label("Art").select_option("employment")
    placement.get_by_label("Beginn").fill((today - timedelta(days=35)).isoformat())
    placement.get_by_label("oder ein neuer Arbeitgeber").fill("Pflegedienst Sonnenschein")
    assert_accessible(page, f"placement form at {width} px")
    _submit(page, placement, "Vermittlung erfassen")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Placement)
                             .where(Placement.participant_id == case.id)) == 1

    # --- exit -----------------------------------------------------------------------------------------
    _action(page, "Austritt")
    leaving = page.locator("main form")
    leaving.get_by_label("Austrittsdatum").fill((today - timedelta(days=30)).isoformat())
    leaving.get_by_label("Grund").select_option("completed")
    assert_accessible(page, f"exit form at {width} px")
    _submit(page, leaving, "Austritt erfassen")
    assert "Der 4-Wochen-Check und die Sechs-Monats-Nachbefragung" in page.locator("main").inner_text()

    # --- the four-week check, opened from its task: the kind comes from the task ----------------------
    page.goto(f"{live_server.url}/participants/{case.id}")
    check = db.session.scalar(sa.select(Task).where(Task.participant_id == case.id,
                                                    Task.kind == "four_week_check"))
    with page.expect_navigation():
        page.locator(f"a[href$='follow-ups/new?task={check.id}']").first.click()
    follow_up = page.locator("main form")
    assert follow_up.get_by_label("Art").input_value() == "four_weeks"
    follow_up.get_by_label("Datum").fill(today.isoformat())
    _submit(page, follow_up, "Nachbefragung erfassen")          # the status is still to be chosen
    error = page.locator("#status-error")
    _in_view(page, page.locator("[data-error-summary]"), "the follow-up's error summary")
    assert error.inner_text() == "Dieses Feld ist erforderlich."
    assert_accessible(page, f"follow-up form with an error at {width} px")
    page.locator("main form").get_by_label("Status zu diesem Zeitpunkt").select_option("employed")
    _submit(page, page.locator("main form"), "Nachbefragung erfassen")
    assert "Nachbefragung erfasst." in page.locator("main").inner_text()
    recorded = db.session.scalar(sa.select(FollowUp).where(FollowUp.participant_id == case.id))
    assert (recorded.kind, recorded.status) == ("four_weeks", "employed")
    assert_accessible(page, f"case file after the follow-up at {width} px")


def test_typed_data_survives_the_language_switch_and_leaving_warns(page, live_server, counsellor):
    case = register_participant({
        "first_name": "Farid", "last_name": "Zaman", "date_of_birth": date(1985, 2, 1), "gender": "male",
        "nationality": "AF", "entry_date": date.today() - timedelta(days=60), "labour_status_at_entry": "inactive",
    }, actor=counsellor)
    page.set_viewport_size({"width": 1366, "height": HEIGHT})
    login(page, live_server, counsellor.email, PASSWORD)
    page.goto(f"{live_server.url}/participants/{case.id}/note/new")
    note = page.locator("form#note-form")
    note.get_by_label("Art des Kontakts").select_option("phone")
    note.get_by_label("Notiz").fill("Rückruf: Zeugnisse liegen vor.")

    # a link away from the changed form asks first (the browser's own "leave page?" dialog)
    dialogs: list[str] = []

    def stay(dialog) -> None:
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.once("dialog", stay)
    page.get_by_role("link", name="Abbrechen").click()
    page.wait_for_timeout(300)
    assert dialogs == ["beforeunload"] and page.url.endswith("/note/new")

    # the language switch keeps what was typed, says so, and the page is in English
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    note = page.locator("form#note-form")
    assert page.locator("html").get_attribute("lang") == "en"
    assert note.locator("#note-text").input_value() == "Rückruf: Zeugnisse liegen vor."
    assert note.get_by_label("Kind of contact").input_value() == "phone"
    kept = page.locator("[data-kept-entries]")
    assert kept.is_visible() and "still here" in kept.inner_text()
    assert page.evaluate("sessionStorage.length") == 0            # nothing left behind in the tab
    assert_accessible(page, "note form after the language switch")
    with page.expect_navigation():
        note.get_by_role("button", name="Add note").click()
    assert "Rückruf: Zeugnisse liegen vor." in page.locator("main").inner_text()


def test_without_script_the_language_switch_and_the_forms_still_work(browser, live_server, counsellor):
    case = register_participant({
        "first_name": "Hodan", "last_name": "Abdi", "date_of_birth": date(1992, 7, 9), "gender": "female",
        "nationality": "SO", "entry_date": date.today() - timedelta(days=60), "labour_status_at_entry": "inactive",
    }, actor=counsellor)
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": HEIGHT},
                                  locale="de-DE")
    try:
        page = context.new_page()
        login(page, live_server, counsellor.email, PASSWORD)
        page.goto(f"{live_server.url}/participants/{case.id}/note/new")
        with page.expect_navigation():
            page.get_by_role("button", name="English").click()
        note = page.locator("form#note-form")
        note.get_by_label("Kind of contact").select_option("meeting")
        note.locator("#note-text").fill("Erstgespräch.")
        with page.expect_navigation():
            note.get_by_role("button", name="Add note").click()
        assert page.url.endswith(f"/participants/{case.id}/timeline")
        assert "Erstgespräch." in page.locator("main").inner_text()
    finally:
        context.close()
