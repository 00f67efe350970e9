"""The case file in a real browser: a counsellor registers a participant, is warned about a possible
duplicate (a transliteration variant of someone registered already), confirms, adds a note and a
status change and sees both on the timeline. The caseload, the registration form with errors shown
and the case file pass axe-core's WCAG 2.1 A/AA rules."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from caseflow.extensions import db
from caseflow.participants.models import Participant
from caseflow.participants.services import register_participant, update_participant
from tests.browser.support import assert_accessible, assert_phone_layout, login
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_register_with_duplicate_warning_then_note_and_status_change(page, live_server, counsellor):
    existing = register_participant({
        "first_name": "Mohammed", "last_name": "Al-Hassan", "date_of_birth": date(1988, 4, 12), "gender": "male",
        "nationality": "SY", "entry_date": date(2025, 1, 15), "labour_status_at_entry": "inactive",
    }, actor=counsellor)

    login(page, live_server, counsellor.email, PASSWORD)
    page.goto(f"{live_server.url}/caseload")
    assert page.get_by_role("heading", level=1).inner_text() == "Meine Fälle"
    assert page.get_by_role("link", name="Al-Hassan, Mohammed").is_visible()
    assert_accessible(page, "caseload")

    # --- registration: first with mistakes ---------------------------------------------------------
    page.goto(f"{live_server.url}/participants/new")
    form = page.locator("main form")
    form.locator("#first_name").fill("Muhammad")
    form.locator("#last_name").fill("Alhassan")
    form.locator("#date_of_birth").fill("1988-04-12")
    form.locator("#gender").select_option("male")
    form.locator("#nationality").select_option("SY")
    form.locator("#entry_date").fill("2025-09-01")
    form.locator("#labour_status_at_entry").select_option("unemployed")   # without "unemployed since"
    form.locator("#languages-0-language").select_option("ar")
    form.locator("#languages-0-level").fill("Muttersprache")
    with page.expect_navigation():
        form.get_by_role("button", name="Erfassen", exact=True).click()
    error = page.locator("#unemployed_since-error")
    assert error.inner_text() == "Geben Sie an, seit wann die Person arbeitslos ist."
    assert page.locator("#unemployed_since").get_attribute("aria-invalid") == "true"
    assert_accessible(page, "registration form with errors")

    # --- corrected: the duplicate warning appears ------------------------------------------------
    form.locator("#unemployed_since").fill("2024-11-01")
    with page.expect_navigation():
        form.get_by_role("button", name="Erfassen", exact=True).click()
    warning = page.locator(".duplicate-warning")
    assert warning.get_by_role("heading").inner_text() == "Möglicherweise bereits erfasst"
    assert warning.get_by_role("link", name="Mohammed Al-Hassan").get_attribute("href") == f"/participants/{existing.id}"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Participant)) == 1
    assert_accessible(page, "registration form with duplicate warning")
    warning.get_by_label("Ich habe die Treffer geprüft: Es handelt sich um eine andere Person.").check()
    with page.expect_navigation():
        page.locator("main form").get_by_role("button", name="Erfassen", exact=True).click()

    created = db.session.scalar(sa.select(Participant).where(Participant.last_name == "Alhassan"))
    assert created is not None and page.url.endswith(f"/participants/{created.id}")
    assert created.case_number in page.get_by_role("heading", level=1).inner_text()

    # --- a progress note and a status change ----------------------------------------------------
    page.goto(f"{live_server.url}/participants/{created.id}/note/new")
    note = page.locator("form#note-form")
    note.get_by_label("Datum").fill(date.today().isoformat())
    note.get_by_label("Art des Kontakts").select_option("meeting")
    note.get_by_label("Dauer", exact=True).fill("40")  # minutes when no unit is typed
    note.get_by_label("Notiz").fill("Erstgespräch im Büro.\nZeugnisse aus Damaskus mitgebracht.")
    with page.expect_navigation():
        note.get_by_role("button", name="Notiz hinzufügen").click()
    page.goto(f"{live_server.url}/participants/{created.id}/status/new")
    status = page.locator("form#status-form")
    status.get_by_label("Erwerbsstatus").select_option("education_or_training")
    status.get_by_label("Seit").fill("2025-10-01")
    with page.expect_navigation():
        status.get_by_role("button", name="Statusänderung erfassen").click()
    page.goto(f"{live_server.url}/participants/{created.id}/timeline")

    timeline = page.locator("ol.timeline")
    items = timeline.locator("li")
    texts = [items.nth(i).inner_text() for i in range(items.count())]
    # Newest first: today's note, the status change of 2025-10-01, the entry of 2025-09-01.
    assert "Notiz (" in texts[0] and "40 Min." in texts[0], texts
    assert "Erstgespräch im Büro.\nZeugnisse aus Damaskus mitgebracht." in texts[0]
    assert "Erwerbsstatus:" in texts[1] and texts[-1].startswith("01.09.2025") and "Eintritt" in texts[-1], texts
    assert_accessible(page, "case file")


def test_edit_and_note_correction_pages_are_accessible(page, live_server, counsellor, team_lead):
    from caseflow.participants.services import add_goal, add_note
    participant = register_participant({
        "first_name": "Olena", "last_name": "Kovalenko", "date_of_birth": date(1991, 2, 3), "gender": "female",
        "nationality": "UA", "entry_date": date(2025, 3, 1), "labour_status_at_entry": "inactive",
        "disability": True, "special_categories_consent_date": date(2025, 3, 1),
    }, actor=counsellor)
    note = add_note(participant, {"date": date(2025, 3, 2), "kind": "phone", "text": "Erstes Telefonat"},
                    actor=counsellor)
    goal = add_goal(participant, {"title": "Deutsch B2"}, actor=counsellor)
    login(page, live_server, team_lead.email, PASSWORD)
    for path, name in ((f"/participants/{participant.id}/edit", "edit master data"),
                       (f"/participants/{participant.id}/notes/{note.id}/edit", "note correction"),
                       (f"/participants/{participant.id}/goals/{goal.id}/edit", "goal"),
                       (f"/participants/{participant.id}/reassign", "reassignment")):
        page.goto(f"{live_server.url}{path}")
        assert page.get_by_role("heading", level=1).is_visible()
        assert_accessible(page, name)


def test_caseload_search_in_the_browser_keeps_the_name_out_of_the_address(page, live_server, counsellor):
    """Typing a name and pressing "Anzeigen" (Enter) in Chromium: the list narrows, the address bar
    and the history hold no name, the status says what is searched; "Suche aufheben" shows all."""
    for first, last, born in (("Mohammed", "Al-Hassan", date(1988, 4, 12)), ("Jan", "Maler", date(1990, 1, 1))):
        register_participant({"first_name": first, "last_name": last, "date_of_birth": born, "gender": "male",
                              "nationality": "SY", "entry_date": date(2025, 1, 15),
                              "labour_status_at_entry": "inactive"}, actor=counsellor)
    login(page, live_server, counsellor.email, PASSWORD)
    page.goto(f"{live_server.url}/caseload")
    page.fill("#q", "hassan")
    with page.expect_navigation():  # the POST, then the redirect to the same address
        page.keyboard.press("Enter")
    assert page.url == f"{live_server.url}/caseload"
    assert "hassan" not in page.evaluate("document.referrer + location.href").lower()
    assert page.get_by_role("status").inner_text() == "Suche: „hassan“ – 1 Treffer"
    assert page.get_by_role("link", name="Al-Hassan, Mohammed").is_visible()
    assert page.get_by_role("link", name="Maler, Jan").count() == 0
    assert_accessible(page, "caseload with an active search")
    with page.expect_navigation():
        page.get_by_role("button", name="Suche aufheben").click()
    assert page.get_by_role("link", name="Maler, Jan").is_visible()
    assert "Suche:" not in page.locator("main").inner_text()


def test_someone_else_saved_first_the_changes_read_as_cards_on_a_phone(page, live_server, counsellor):
    """Two people edit the same master data: the second save is refused and lists what changed in
    the meantime, field by field; on a phone (390 px) a card per field, each value named."""
    person = register_participant({"first_name": "Olena", "last_name": "Koval", "date_of_birth": date(1990, 5, 2),
                                   "gender": "female", "nationality": "UA", "entry_date": date(2025, 2, 1),
                                   "labour_status_at_entry": "inactive"}, actor=counsellor)
    login(page, live_server, counsellor.email, PASSWORD)
    page.goto(f"{live_server.url}/participants/{person.id}/edit")
    update_participant(person, {"phone": "+49 30 1234567"}, version=person.version, actor=counsellor)  # a colleague
    with page.expect_navigation():
        page.locator("main form[data-warn-unsaved] button.primary[type=submit]").click()
    conflict = page.locator("section[aria-labelledby=conflict-heading]")
    assert "Jemand anderes hat zuerst gespeichert" in conflict.inner_text()
    assert "+49 30 1234567" in conflict.locator("table").inner_text()
    assert_phone_layout(page, "edit form after someone else saved first")
