"""Measures in a real browser: a team lead creates a trainee partnership, a counsellor enrols a
participant with host company and mentor, records attendance and completes the enrolment. The
catalogue, the measure page and the enrolment form pass axe-core's WCAG 2.1 A/AA rules; on a
phone (390 px) the catalogue, the measure's and the employer's page and the bulk enrolment's
result show their tables as cards, and the attendance grid stays a grid that keeps its words whole."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from caseflow.extensions import db
from caseflow.measures.models import Attendance, AttendanceSession, Enrolment, Measure
from tests.browser.support import assert_accessible, assert_phone_layout, login
from tests.conftest import PASSWORD
from tests.factories import EmployerFactory, ParticipantFactory

pytestmark = pytest.mark.browser


def _logout(page) -> None:
    with page.expect_navigation():
        page.locator("header form:has(button[type=submit]) button", has_text="Abmelden").click()


def test_trainee_partnership_journey(page, live_server, org, team_lead, counsellor):
    employer = EmployerFactory(organisation=org, name="Tischlerei Öztürk GmbH", nace_section="C", size="small")
    participant = ParticipantFactory(organisation=org, counsellor_id=counsellor.id, first_name="Hamid",
                                     last_name="Rahimi", entry_date=date(2024, 3, 1))

    # --- the team lead creates the measure ---------------------------------------------------------
    login(page, live_server, team_lead.email, PASSWORD)
    page.goto(f"{live_server.url}/measures")
    assert page.get_by_role("heading", level=1).inner_text() == "Maßnahmen"
    assert_accessible(page, "catalogue")
    with page.expect_navigation():
        page.get_by_role("link", name="Neue Maßnahme").click()
    form = page.locator("main form")
    form.get_by_label("Titel").fill("Trainee-Partnerschaft Handwerk 2024")
    form.get_by_label("Art").select_option("trainee_partnership")
    form.get_by_label("Beginn").fill("2024-01-01")
    form.get_by_label("Enddatum").fill("2025-12-31")
    form.get_by_label("Plätze").fill("6")
    form.get_by_label("Ort").fill("Werkhof Neukölln")
    with page.expect_navigation():
        form.get_by_role("button", name="Speichern").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Trainee-Partnerschaft Handwerk 2024"
    measure = db.session.scalar(sa.select(Measure).where(Measure.title == "Trainee-Partnerschaft Handwerk 2024"))
    assert measure.organisation_id == org.id and measure.type == "trainee_partnership"
    _logout(page)

    # --- the counsellor enrols the participant from the case file -------------------------------
    login(page, live_server, counsellor.email, PASSWORD)
    page.goto(f"{live_server.url}/participants/{participant.id}/measures")
    with page.expect_navigation():
        page.get_by_role("link", name="Zu einer Maßnahme anmelden").click()
    page.get_by_label("Maßnahme", exact=True).select_option(str(measure.id))
    with page.expect_navigation():
        page.get_by_role("button", name="Weiter").click()
    assert_accessible(page, "enrolment form")
    form = page.locator("main form")
    form.get_by_label("Status").select_option("active")
    form.get_by_label("Beginn", exact=True).fill("2024-04-01")
    form.get_by_label("Gastbetrieb").select_option(str(employer.id))
    form.get_by_label("Mentor*in im Betrieb").fill("Meister Öztürk")
    form.get_by_label("Vertragsbeginn").fill("2024-04-01")
    form.get_by_label("Vertragsende").fill("2024-05-31")
    with page.expect_navigation():
        form.get_by_role("button", name="Zur Maßnahme anmelden").click()
    # two months is no trainee partnership: the message sits next to the field
    assert page.locator("#contract_end-error").is_visible()
    assert_accessible(page, "enrolment form with an error")
    page.locator("main form").get_by_label("Vertragsende").fill("2025-03-31")
    with page.expect_navigation():
        page.locator("main form").get_by_role("button", name="Zur Maßnahme anmelden").click()
    enrolment = db.session.scalar(sa.select(Enrolment).where(Enrolment.participant_id == participant.id))
    assert enrolment.status == "active" and enrolment.host_employer_id == employer.id
    assert enrolment.details["mentor"] == "Meister Öztürk"
    assert "Tischlerei Öztürk GmbH" in page.locator("main").inner_text()

    # --- attendance on the measure page -------------------------------------------------------------
    page.goto(f"{live_server.url}/measures/{measure.id}")
    assert "Hamid Rahimi" in page.locator("main").inner_text()
    assert_accessible(page, "measure page")
    sessions = page.locator("section[aria-labelledby=sessions] form")
    sessions.get_by_label("Datum des Termins").fill("2024-04-08")
    sessions.get_by_label("Thema").fill("Arbeitssicherheit")
    with page.expect_navigation():
        sessions.get_by_role("button", name="Termin hinzufügen").click()
    grid = page.locator("main form")
    grid.get_by_label("Hamid Rahimi").check()
    with page.expect_navigation():
        grid.get_by_role("button", name="Anwesenheit speichern").click()
    assert db.session.scalar(sa.select(Attendance.present).where(Attendance.enrolment_id == enrolment.id)) is True

    # --- completing the enrolment -------------------------------------------------------------------
    page.goto(f"{live_server.url}/enrolments/{enrolment.id}")
    form = page.locator("main form")
    form.get_by_label("Status").select_option("completed")
    form.get_by_label("Enddatum", exact=True).fill("2025-03-31")
    with page.expect_navigation():
        form.get_by_role("button", name="Speichern").click()
    db.session.expire_all()
    enrolment = db.session.get(Enrolment, enrolment.id)
    assert enrolment.status == "completed" and enrolment.end_date == date(2025, 3, 31)
    assert enrolment.details["mentor"] == "Meister Öztürk" and enrolment.host_employer_id == employer.id

    # --- the same pages on a phone: tables as cards, the attendance grid a grid with whole words -----
    session_id = db.session.scalar(sa.select(AttendanceSession.id).where(AttendanceSession.measure_id == measure.id))
    for path, name in (("/measures?show=all", "catalogue"), (f"/measures/{measure.id}", "measure page"),
                       (f"/measures/{measure.id}/sessions/{session_id}", "attendance grid"),
                       (f"/employers/{employer.id}", "employer page")):
        page.goto(f"{live_server.url}{path}")
        assert "Hamid Rahimi" in page.locator("main").inner_text() or name == "catalogue"
        assert_phone_layout(page, name)
        if name == "attendance grid":   # it scrolls sideways in a frame that takes the keyboard focus
            assert page.get_by_role("region", name="Haken Sie alle Anwesenden an.").get_attribute("tabindex") == "0"
    # the bulk enrolment's result: Hamid is enrolled already, so refused with the reason
    page.goto(f"{live_server.url}/measures/{measure.id}/bulk")
    form = page.locator("main form")
    form.get_by_label("Weitere Fallnummern").fill(f"{participant.case_number}\nCF-2099-999999")
    form.get_by_label("Beginn").fill("2025-04-01")
    with page.expect_navigation():
        form.get_by_role("button", name="Zur Maßnahme anmelden").click()
    assert page.locator("section[aria-labelledby=bulk-results] tbody tr").count() == 2
    assert_phone_layout(page, "bulk enrolment result")
