"""The partnership in a real browser: a counsellor of one organisation refers a participant to a
partner's measure; a counsellor of the partner accepts (a case opens there); the first sees the
outcome. Every page passes axe-core's WCAG 2.1 A/AA rules; on a phone (390 px) the lists of
referrals, partners' measures, agreements and partner enrolments are cards."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from caseflow.extensions import db
from caseflow.partnerships import services
from caseflow.partnerships.models import Referral
from tests.browser.support import assert_accessible, assert_phone_layout, login, save_screenshot
from tests.conftest import PASSWORD
from tests.factories import MeasureFactory, ParticipantFactory
from tests.partnerships.conftest import consent

pytestmark = pytest.mark.browser


def test_refer_accept_and_see_the_outcome(page, live_server, org, other_org, counsellor, other_counsellor):
    services.create_partnership("ProIntegration", [org.id, other_org.id], joined_on=date(2024, 1, 1))
    measure = MeasureFactory(organisation=other_org, title="Gründungscoaching", type="startup_coaching",
                             start_date=date(2024, 1, 1), end_date=date(2099, 12, 31), capacity=10,
                             location="Spandau")
    person = ParticipantFactory(organisation=org, counsellor_id=counsellor.id, first_name="Lejla",
                                last_name="Hodžić", email="lejla@example.org")
    consent(person, counsellor)

    # --- the referring counsellor -------------------------------------------------------------------
    login(page, live_server, counsellor.email, PASSWORD)
    page.goto(f"{live_server.url}/partner-measures")
    assert "Gründungscoaching" in page.locator("main").inner_text()
    assert_accessible(page, "partners' measures")
    assert_phone_layout(page, "partners' measures")
    page.goto(f"{live_server.url}/participants/{person.id}")
    with page.expect_navigation():
        page.get_by_role("link", name="An eine Partnerorganisation zuweisen").click()
    assert_accessible(page, "refer")
    form = page.locator("main form")
    form.locator("select[name=organisation_id]").select_option(str(other_org.id))
    form.locator("select[name=measure_id]").select_option(str(measure.id))
    with page.expect_navigation():
        form.get_by_role("button", name="Zuweisung senden").click()
    assert page.locator("#reason-error").is_visible()
    assert_accessible(page, "refer with an error")
    page.locator("main form textarea[name=reason]").fill("Möchte sich mit einem Catering selbstständig machen")
    with page.expect_navigation():
        page.locator("main form").get_by_role("button", name="Zuweisung senden").click()
    assert "Die Zuweisung wurde an die Partnerorganisation gesendet." in page.locator(".flashes").inner_text()
    referral = db.session.scalar(sa.select(Referral))

    # --- the partner's counsellor accepts -----------------------------------------------------------
    page.context.clear_cookies()
    login(page, live_server, other_counsellor.email, PASSWORD)
    page.goto(f"{live_server.url}/referrals")
    assert_accessible(page, "referrals received")
    with page.expect_navigation():
        page.get_by_role("link", name=f"Zuweisung {referral.id}").click()
    main = page.locator("main").inner_text()
    assert "Lejla" in main and "Gründungscoaching" in main
    assert_accessible(page, "referral with the packet")
    accept = page.locator("form[action$='/accept']")
    accept.locator("select[name=gender]").select_option("female")
    accept.locator("select[name=nationality]").select_option("BA")
    with page.expect_navigation():
        accept.get_by_role("button", name="Zuweisung annehmen").click()
    assert "Die Zuweisung wurde angenommen" in page.locator(".flashes").inner_text()
    db.session.expire_all()
    referral = db.session.get(Referral, referral.id)
    assert page.url.endswith(f"/participants/{referral.accepted_participant_id}")

    # --- the referring counsellor sees the outcome --------------------------------------------------
    page.context.clear_cookies()
    login(page, live_server, counsellor.email, PASSWORD)
    page.goto(f"{live_server.url}/referrals?direction=outgoing")
    assert "angenommen" in page.locator("main table").inner_text()
    assert_phone_layout(page, "referrals sent")
    with page.expect_navigation():
        page.get_by_role("link", name=f"Zuweisung {referral.id}").click()
    assert "angenommen" in page.locator("main").inner_text()
    assert_accessible(page, "referral sent, accepted")
    page.set_viewport_size({"width": 390, "height": 844})
    save_screenshot(page, "partnership-referral-sent-390")


def test_enrol_in_a_partners_measure_and_the_partner_records_attendance(page, live_server, org, other_org, counsellor,
                                                                         team_lead, other_counsellor):
    from datetime import timedelta

    from caseflow.measures.models import Attendance, Enrolment
    from caseflow.partnerships import sharing

    today = date.today()
    services.create_partnership("ProIntegration", [org.id, other_org.id], joined_on=date(2024, 1, 1))
    sharing.record_agreement({"partner_organisation_id": other_org.id, "valid_from": today - timedelta(days=30),
                              "reference": "DSA 2026/04"}, actor=team_lead)
    measure = MeasureFactory(organisation=other_org, title="Gründungscoaching", type="startup_coaching",
                             start_date=date(2024, 1, 1), end_date=date(2099, 12, 31), capacity=10)
    person = ParticipantFactory(organisation=org, counsellor_id=counsellor.id, first_name="Lejla",
                                last_name="Hodžić", email="lejla@example.org")
    consent(person, counsellor)

    # --- the team lead sees the agreement; the counsellor enrols from the case file -------------------
    login(page, live_server, team_lead.email, PASSWORD)
    page.goto(f"{live_server.url}/data-sharing-agreements")
    assert "DSA 2026/04" in page.locator("main table").inner_text()
    assert_accessible(page, "data-sharing agreements")
    assert_phone_layout(page, "data-sharing agreements")
    page.context.clear_cookies()
    login(page, live_server, counsellor.email, PASSWORD)
    page.goto(f"{live_server.url}/participants/{person.id}")
    with page.expect_navigation():
        page.get_by_role("link", name="Zu einer Maßnahme einer Partnerorganisation anmelden").click()
    assert_accessible(page, "enrol in a partner's measure")
    form = page.locator("main form")
    form.locator("select[name=measure_id]").select_option(str(measure.id))
    form.locator("select[name=status]").select_option("active")
    form.locator("input[name=start_date]").fill((today - timedelta(days=3)).isoformat())
    with page.expect_navigation():
        form.get_by_role("button", name="Zur Maßnahme anmelden").click()
    assert "Die Person wurde zur Maßnahme der Partnerorganisation angemeldet." in page.locator(".flashes").inner_text()
    enrolment = db.session.scalar(sa.select(Enrolment))

    # --- the partner's counsellor sees the packet only and records attendance -----------------------
    page.context.clear_cookies()
    login(page, live_server, other_counsellor.email, PASSWORD)
    page.goto(f"{live_server.url}/partner-enrolments")
    assert_accessible(page, "partner enrolments")
    assert_phone_layout(page, "partner enrolments")
    with page.expect_navigation():
        page.get_by_role("link", name=f"Öffnen (Teilnahme {enrolment.id})").click()
    main = page.locator("main").inner_text()
    assert "Lejla" in main and "Gründungscoaching" in main
    assert_accessible(page, "partner enrolment with the packet")
    attendance = page.locator("form[action$='/attendance']")
    attendance.locator("input[name=date]").fill(today.isoformat())
    with page.expect_navigation():
        attendance.get_by_role("button", name="Anwesenheit erfassen").click()
    assert "Anwesenheit erfasst." in page.locator(".flashes").inner_text()
    assert "1 von 1 Terminen" in page.locator("main").inner_text()
    assert db.session.scalar(sa.select(Attendance.present)) is True
