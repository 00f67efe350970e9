"""The working day in a real browser: a team lead opens the board, follows an overdue number,
reassigns two cases at once and sees their tasks move to the colleague; the board, the list, the
result, the notifications and the reminder settings pass axe-core; the list and the result are
cards on a phone. Screenshots at 1366 and 390 px go to docs/screenshots/ when CASEFLOW_SCREENSHOTS=1."""
from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from caseflow.extensions import db
from caseflow.notifications.checks import run_checks
from caseflow.participants.models import Task
from tests.board.factories import NoteFactory, TaskFactory
from tests.browser.support import assert_accessible, assert_phone_layout, login
from tests.conftest import PASSWORD
from tests.factories import ParticipantFactory, UserFactory

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _shot(page, name: str) -> None:
    if os.environ.get("CASEFLOW_SCREENSHOTS") != "1":
        return
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})


def test_team_lead_reassigns_two_overdue_cases_with_their_tasks(page, live_server, org, counsellor, team_lead):
    colleague = UserFactory(role="counsellor", organisation=org, name="Lena Vogel", email="lena@kiezwerk.example")
    cases = []
    for n, (first, last) in enumerate([("Samir", "Haddad"), ("Olena", "Koval"), ("Bashir", "Rahimi")]):
        case = ParticipantFactory(organisation=org, counsellor_id=counsellor.id, first_name=first, last_name=last,
                                  entry_date=date.today() - timedelta(days=40 + 30 * n), education_isced=3)
        TaskFactory(participant=case, due_date=date.today() - timedelta(days=3 + 10 * n), title="Bewerbung nachfassen")
        TaskFactory(participant=case, kind="four_week_check", title="4-week check", due_date=date.today() + timedelta(days=5))
        cases.append(case)
    NoteFactory(participant=cases[0], date=date.today() - timedelta(days=2))
    quiet = ParticipantFactory(organisation=org, counsellor_id=colleague.id, first_name="Mariam", last_name="Sarwari",
                               entry_date=date.today() - timedelta(days=70), education_isced=4)
    TaskFactory(participant=quiet, due_date=date.today() + timedelta(days=1))
    from datetime import UTC, datetime
    run_checks(datetime.now(UTC))

    login(page, live_server, team_lead.email, PASSWORD)
    with page.expect_navigation():
        page.get_by_role("link", name="Teamübersicht").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Teamübersicht"
    assert_accessible(page, "team board")
    _shot(page, "board")

    # Aylin has three overdue tasks: follow that number.
    with page.expect_navigation():
        page.get_by_role("link", name="Überfällige Aufgaben, Aylin Demir: 3").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Überfällige Aufgaben: Aylin Demir"
    rows = page.locator("tbody tr")
    assert rows.count() == 3
    assert_accessible(page, "case list")
    assert_phone_layout(page, "case list")   # a card per case, its tick box first
    _shot(page, "board-cases")

    page.get_by_label(f"{cases[0].case_number} auswählen").check()
    page.get_by_label(f"{cases[1].case_number} auswählen").check()
    page.get_by_label("Neue Berater*in").select_option(label="Lena Vogel")
    assert page.get_by_label("Offene Aufgaben mit übertragen").is_checked()
    with page.expect_navigation():
        page.get_by_role("button", name="Ausgewählte Fälle neu zuweisen").click()
    assert "2 von 2 Fällen Lena Vogel neu zugewiesen." in page.get_by_role("status").inner_text()
    result_rows = page.locator("tbody tr")
    assert result_rows.count() == 2
    assert all(result_rows.nth(i).locator("td").nth(2).inner_text() == "2" for i in range(2))
    assert_accessible(page, "reassignment result")
    assert_phone_layout(page, "reassignment result")
    _shot(page, "board-reassigned")

    moved = db.session.scalars(sa.select(Task.assignee_id).where(
        Task.participant_id.in_([cases[0].id, cases[1].id]), Task.done_at.is_(None))).all()
    assert sorted(moved) == [colleague.id] * 4
    stayed = db.session.scalars(sa.select(Task.assignee_id).where(Task.participant_id == cases[2].id)).all()
    assert set(stayed) == {counsellor.id}

    # The case file shows the tasks with their new assignee.
    with page.expect_navigation():
        page.get_by_role("link", name=cases[0].case_number).click()
    tasks = page.locator("section:has(h2#tasks) .task-list")
    assert tasks.get_by_text("Lena Vogel").count() == 2

    # Back on the board the numbers moved too.
    page.goto(f"{live_server.url}/board")
    assert page.get_by_role("link", name="Überfällige Aufgaben, Lena Vogel: 2").is_visible()
    assert page.get_by_role("link", name="Überfällige Aufgaben, Aylin Demir: 1").is_visible()


def test_notifications_and_settings_pages(page, live_server, org, counsellor, team_lead):
    case = ParticipantFactory(organisation=org, counsellor_id=counsellor.id, entry_date=date.today() - timedelta(days=45),
                              education_isced=3)
    TaskFactory(participant=case, kind="four_week_check", title="4-week check", due_date=date.today())
    TaskFactory(participant=case, due_date=date.today() - timedelta(days=20), title="Unterlagen anfordern")
    from datetime import UTC, datetime
    run_checks(datetime.now(UTC))
    login(page, live_server, counsellor.email, PASSWORD)
    with page.expect_navigation():
        page.get_by_role("link", name="Benachrichtigungen").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Benachrichtigungen"
    assert page.locator(".notification-list li").count() == 2
    assert_accessible(page, "notifications")
    _shot(page, "notifications")
    with page.expect_navigation():
        page.locator(".notification-list li").first.get_by_role("button", name="Als gelesen markieren").click()
    assert page.locator(".notification-list li.unread").count() == 1
    with page.expect_navigation():
        page.get_by_role("link", name="Erinnerungen einstellen").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Kalender-Abonnement einschalten").click()
    assert page.locator("#feed-url").input_value().startswith(live_server.url.replace("127.0.0.1", "localhost")) or \
        "/calendar/" in page.locator("#feed-url").input_value()
    assert_accessible(page, "reminder settings")
    _shot(page, "reminder-settings")
