"""Accounts in a real browser: a counsellor sets up two-factor sign-in from the account page,
forgets her password, gets the mail (read from a real local SMTP server), chooses a new password
through the link and logs in with the code her app would show (computed from the secret the set-up
page showed). axe-core checks every new page; a team lead's handover and account pages too, and
the administrator's pages; the lists are cards on a phone (390 px).

With CASEFLOW_SCREENSHOTS=1 the login, two-factor set-up and account pages are also saved at
1366 and 390 px to docs/screenshots/.
"""
from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pyotp
import pytest
from flask_babel import force_locale, gettext

from tests.browser.support import assert_accessible, assert_phone_layout, login
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Copper-Meadow-Violin-73"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _de(text: str) -> str:
    with force_locale("de"):
        return gettext(text)


def _screenshot(page, name: str) -> None:
    if os.environ.get("CASEFLOW_SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    try:
        for width in (1366, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(SCREENSHOTS / f"accounts-{name}-{width}.png"), full_page=True)
    finally:
        page.set_viewport_size(size)


@pytest.fixture
def mail_links_to_the_live_server(app, live_server, monkeypatch):
    monkeypatch.setitem(app.config, "CASEFLOW_BASE_URL", live_server.url)


def test_forgot_password_mail_new_password_and_login_with_totp(page, live_server, smtp_server, counsellor,
                                                               mail_links_to_the_live_server):
    # The login page, with its new link.
    page.goto(f"{live_server.url}/login")
    _screenshot(page, "login")
    # Two-factor set-up from the account page.
    login(page, live_server, counsellor.email, PASSWORD)
    page.goto(f"{live_server.url}/account")
    with page.expect_navigation():
        page.get_by_role("link", name=_de("Set up two-factor sign-in")).click()
    assert page.url.endswith("/account/two-factor")
    assert_accessible(page, "two-factor set-up")
    qr = page.get_by_role("img", name=_de("QR code to add Caseflow to an authenticator app"))
    assert qr.get_attribute("src").startswith("data:image/png;base64,")
    _screenshot(page, "two-factor-setup")
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label(_de("Code from the app")).fill(pyotp.TOTP(secret).now())
    with page.expect_navigation():
        page.get_by_role("button", name=_de("Turn on two-factor sign-in")).click()
    assert page.get_by_role("heading", level=1).inner_text() == _de("Your recovery codes")
    assert page.locator(".recovery-codes li").count() == 10
    assert_accessible(page, "recovery codes")
    with page.expect_navigation():
        page.get_by_role("link", name=_de("I have kept the codes")).click()
    assert page.url.endswith("/account")
    assert page.locator("td", has_text="Chromium").count() + page.locator("td", has_text="Chrome").count() >= 1
    assert_accessible(page, "account")
    _screenshot(page, "account")
    with page.expect_navigation():
        page.get_by_role("button", name=_de("Log out")).click()

    # Forgot password → mail → new password.
    page.goto(f"{live_server.url}/login")
    with page.expect_navigation():
        page.get_by_role("link", name=_de("Forgot your password?")).click()
    assert_accessible(page, "forgot password")
    page.get_by_label(_de("Email")).fill(counsellor.email)
    with page.expect_navigation():
        page.get_by_role("button", name=_de("Send link")).click()
    assert page.get_by_role("heading", level=1).inner_text() == _de("Check your email")
    assert_accessible(page, "reset mail sent")
    mail = smtp_server.one(to=counsellor.email)
    url = mail.links()[0]
    assert url.startswith(live_server.url)
    page.goto(url)
    assert page.url.endswith("/password/new")  # the token left the address bar
    assert_accessible(page, "choose a new password")
    page.locator("input#password").fill(NEW_PASSWORD)
    page.get_by_label(_de("Repeat the new password")).fill(NEW_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name=_de("Save password")).click()
    assert page.url.endswith("/login")

    # Login with the new password and the code.
    login(page, live_server, counsellor.email, NEW_PASSWORD)
    assert page.url.endswith("/login/code")
    assert_accessible(page, "login code")
    # The set-up used the current 30-second step; a code is never accepted twice, so the app's next one.
    page.get_by_label(_de("Code")).fill(pyotp.TOTP(secret).at(time.time() + 30))
    with page.expect_navigation():
        page.get_by_role("button", name=_de("Confirm")).click()
    assert page.url == f"{live_server.url}/caseload"

    # The used link now fails with a clear message.
    page.goto(url)
    assert_accessible(page, "used link")
    assert page.get_by_role("alert").inner_text().startswith(re.split(r"\.", _de(
        "This link has been used already. Ask for a new one if you still need it."))[0])


def test_team_lead_pages_are_accessible(page, live_server, team_lead, counsellor):
    login(page, live_server, team_lead.email, PASSWORD)
    page.goto(f"{live_server.url}/staff/{counsellor.id}")
    assert_accessible(page, "staff account")
    with page.expect_navigation():
        page.get_by_role("link", name=_de("Deactivate and hand over cases and tasks")).click()
    assert_accessible(page, "handover")
    page.goto(f"{live_server.url}/staff")
    assert_accessible(page, "staff list with the invitation form")
    assert_phone_layout(page, "staff list")   # a card per account
    page.goto(f"{live_server.url}/audit")
    assert "Angemeldet" in page.locator("main table tbody").inner_text()   # the team lead's login
    assert_phone_layout(page, "audit log")    # a card per entry


def test_admin_pages_on_a_phone(page, live_server, admin, org, other_org, counsellor):
    """The administrator's lists, with a row each, at 390 px: organisations, staff, partnerships
    and scheduled jobs are cards; retention and the record of processing (two columns) fit."""
    from datetime import date

    from caseflow.jobs.runner import run_due
    from caseflow.partnerships import services

    services.create_partnership("ProIntegration", [org.id, other_org.id], joined_on=date(2024, 1, 1))
    run_due(only="expiry")
    login(page, live_server, admin.email, PASSWORD)
    for path, expected in (("/admin/organisations", org.name), ("/staff", counsellor.email),
                           ("/admin/partnerships", other_org.name), ("/admin/jobs", "expiry"),
                           ("/admin/retention", None), ("/privacy/record-of-processing", None)):
        page.goto(f"{live_server.url}{path}")
        assert expected is None or expected in page.locator("main table").first.inner_text(), path
        assert_phone_layout(page, path)
