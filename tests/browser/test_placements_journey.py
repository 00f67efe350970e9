"""Outcomes in a real browser: a counsellor records a placement with a new employer, exits the
participant, later records the six-month follow-up; the case file shows the status upon leaving.
The placement and exit forms pass axe-core's WCAG 2.1 A/AA rules (also while showing errors)."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from caseflow.extensions import db
from caseflow.measures.models import Employer
from caseflow.participants.models import Participant, Task
from tests.browser.support import assert_accessible, assert_phone_layout, login
from tests.conftest import PASSWORD
from tests.factories import EnrolmentFactory, MeasureFactory, ParticipantFactory

pytestmark = pytest.mark.browser


def test_placement_exit_and_follow_up_journey(page, live_server, org, counsellor):
    participant = ParticipantFactory(organisation=org, counsellor=counsellor, entry_date=date(2024, 3, 1),
                                     labour_status_at_entry="unemployed", first_name="Leyla", last_name="Karimi")
    EnrolmentFactory(participant=participant, measure=MeasureFactory(organisation=org, title="Berufssprachkurs B2"),
                     status="active", start_date=date(2024, 3, 15))
    case_file = f"{live_server.url}/participants/{participant.id}"
    outcomes_section = case_file + "/placements"  # where saving any outcome leads back to
    login(page, live_server, counsellor.email, PASSWORD)

    # --- a placement with an employer that is not in the directory yet ---------------------------
    page.goto(case_file + "/placements")
    with page.expect_navigation():
        page.get_by_role("link", name="Vermittlung erfassen").click()
    # the form sits under the case's summary header, whose h1 is the person's name
    assert "Leyla Karimi" in page.get_by_role("heading", level=1).inner_text()
    assert page.get_by_role("heading", level=2, name="Vermittlung erfassen").is_visible()
    assert_accessible(page, "placement form")
    form = page.locator("main form")
    form.locator("select[name=type]").select_option("employment")
    form.locator("input[name=employer_name]").fill("Kiezküche Reuterplatz GmbH")
    form.locator("input[name=job_title]").fill("Beiköchin")
    form.locator("input[name=start_date]").fill("2024-09-02")
    form.locator("input[name=weekly_hours]").fill("75")
    with page.expect_navigation():
        form.get_by_role("button", name="Vermittlung erfassen").click()
    # too many hours: the message sits next to the field, the page stays accessible
    assert page.locator("#weekly_hours-error").is_visible()
    assert_accessible(page, "placement form with an error")
    page.locator("main form input[name=weekly_hours]").fill("30")
    with page.expect_navigation():
        page.locator("main form").get_by_role("button", name="Vermittlung erfassen").click()
    assert page.url == outcomes_section
    assert "Kiezküche Reuterplatz GmbH" in page.locator("#outcomes").locator("..").inner_text()
    assert db.session.scalar(sa.select(Employer.organisation_id).where(Employer.name == "Kiezküche Reuterplatz GmbH")) == org.id

    # --- the exit ------------------------------------------------------------------------------------
    with page.expect_navigation():
        page.get_by_role("link", name="Austritt erfassen").click()
    assert_accessible(page, "exit form")
    form = page.locator("main form")
    form.locator("input[name=exit_date]").fill("2024-08-31")
    form.locator("select[name=reason]").select_option("completed")
    assert form.get_by_label("Berufssprachkurs B2").input_value() == "completed"
    with page.expect_navigation():
        form.get_by_role("button", name="Austritt erfassen").click()
    assert page.url == outcomes_section
    db.session.expire_all()
    assert db.session.get(Participant, participant.id).status == "exited"
    assert sorted(db.session.scalars(sa.select(Task.kind).where(Task.participant_id == participant.id))) == [
        "four_week_check", "six_month_follow_up"]

    # --- six months later: the follow-up ----------------------------------------------------------
    with page.expect_navigation():
        page.get_by_role("link", name="Nachbefragung erfassen").click()
    assert page.get_by_role("heading", level=2, name="Nachbefragung erfassen").is_visible()
    assert_accessible(page, "follow-up form")
    form = page.locator("main form")
    form.locator("select[name=kind]").select_option("six_months")
    form.locator("input[name=date]").fill("2025-03-03")
    form.locator("select[name=status]").select_option("employed")
    with page.expect_navigation():
        form.get_by_role("button", name="Nachbefragung erfassen").click()
    assert page.url == outcomes_section

    # the placement began within exit + 28 days: employed upon leaving
    status = page.locator("[data-testid=status-upon-leaving]").inner_text()
    assert status.startswith("beschäftigt")
    assert "28.09.2024" in status
    outcomes = page.locator("section:has(#outcomes)").inner_text()
    assert "Sechs-Monats-Nachbefragung" in outcomes
    db.session.expire_all()
    done = dict(db.session.execute(sa.select(Task.kind, Task.done_at).where(Task.participant_id == participant.id)).all())
    assert done["six_month_follow_up"] is not None and done["four_week_check"] is None

    # the organisation's placement list and the employer's placements
    with page.expect_navigation():
        page.locator("header").get_by_role("link", name="Vermittlungen").click()
    assert "Kiezküche Reuterplatz GmbH" in page.locator("main table").inner_text()
    assert_accessible(page, "placement list")
    assert_phone_layout(page, "placement list")
    with page.expect_navigation():
        page.locator("main table").get_by_role("link", name="Kiezküche Reuterplatz GmbH").click()
    assert "Leyla Karimi" in page.locator("main table").inner_text()
    assert_accessible(page, "employer placements")
    assert_phone_layout(page, "employer placements")
