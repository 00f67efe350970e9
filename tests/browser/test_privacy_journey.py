"""Data protection in a real browser: a counsellor records a consent; a team lead exports the case
(the printable subject-access page) and then anonymises it. The consent and export pages pass
axe-core's WCAG 2.1 A/AA rules (the consent form also while showing an error)."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from caseflow.extensions import db
from caseflow.participants.models import Participant
from caseflow.privacy.models import Consent
from tests.browser.support import assert_accessible, assert_phone_layout, login
from tests.conftest import PASSWORD
from tests.factories import ParticipantFactory

pytestmark = pytest.mark.browser


def test_consent_export_and_anonymisation_journey(page, live_server, org, counsellor, team_lead):
    participant = ParticipantFactory(organisation=org, counsellor_id=counsellor.id, first_name="Leyla",
                                     last_name="Zzyzxbrowser", email="leyla@example.org")
    case_file = f"{live_server.url}/participants/{participant.id}"

    # --- a counsellor records a consent ------------------------------------------------------------
    login(page, live_server, counsellor.email, PASSWORD)
    page.goto(case_file + "/data-protection")
    panel = page.locator("section.privacy-panel")
    assert "Datenschutz" in panel.inner_text()
    assert panel.get_by_role("link", name="Anonymisieren").count() == 0   # team leads only
    with page.expect_navigation():
        panel.get_by_role("link", name="Einwilligungen").click()
    assert_accessible(page, "consent")
    form = page.locator("main form").last
    form.locator("select[name=purpose]").select_option("special_categories")
    form.locator("input[name=given_on]").fill("2025-01-10")
    form.locator("select[name=form]").select_option("oral_witnessed")
    form.locator("input[name=notice_version]").fill("2025-01")
    with page.expect_navigation():
        form.get_by_role("button", name="Einwilligung erfassen").click()
    # oral consent without a witness: the message sits next to the field
    assert page.locator("#witness-error").is_visible()
    assert_accessible(page, "consent with an error")
    form = page.locator("main form").last
    form.locator("input[name=witness]").fill("Ines Zeugin")
    with page.expect_navigation():
        form.get_by_role("button", name="Einwilligung erfassen").click()
    assert "Einwilligung erfasst." in page.locator(".flashes").inner_text()
    consent = db.session.scalar(sa.select(Consent).where(Consent.participant_id == participant.id))
    assert (consent.purpose, consent.witness) == ("special_categories", "Ines Zeugin")
    db.session.expire_all()
    assert db.session.get(Participant, participant.id).special_categories_consent_date == date(2025, 1, 10)

    # --- a team lead exports, then anonymises -------------------------------------------------------
    page.context.clear_cookies()
    login(page, live_server, team_lead.email, PASSWORD)
    page.goto(case_file + "/data-protection")
    with page.expect_navigation():
        page.locator("section.privacy-panel").get_by_role("link", name="Datenauskunft").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Auskunft über die Daten, die wir über Sie gespeichert haben"
    assert "Zzyzxbrowser" in page.locator("article").inner_text()
    assert "Ines Zeugin" in page.locator("article").inner_text()
    assert_accessible(page, "export")
    assert_phone_layout(page, "export")   # every record a card

    page.goto(case_file + "/data-protection")
    with page.expect_navigation():
        page.locator("section.privacy-panel").get_by_role("link", name="Anonymisieren").click()
    form = page.locator("main form").last
    form.locator("textarea[name=reason]").fill("Löschantrag vom 3. März")
    form.locator("input[name=confirm]").check()
    with page.expect_navigation():
        form.get_by_role("button", name="Jetzt anonymisieren").click()
    assert page.url == case_file
    assert "Zzyzxbrowser" not in page.locator("main").inner_text()
    db.session.expire_all()
    anonymised = db.session.get(Participant, participant.id)
    assert anonymised.anonymised_at is not None and anonymised.last_name is None
