"""The platform in a real browser: a demo counsellor logs in, sees the home page, switches the
language there and back, logs out; the login and home pages pass axe-core's WCAG 2.1 A/AA rules."""
from __future__ import annotations

import re

import pytest
from flask_babel import force_locale, gettext

from caseflow import demo
from tests.browser.support import assert_accessible, login

pytestmark = pytest.mark.browser


def assert_reflows(page, name: str) -> None:
    """WCAG 1.4.10 (AA, not covered by axe): at 320 CSS pixels nothing needs horizontal scrolling."""
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 640})
    try:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"the {name} page is {width} px wide at a 320 px viewport"
    finally:
        page.set_viewport_size(size)


def _translated(text: str, lang: str) -> str:
    with force_locale(lang):
        return gettext(text)


@pytest.fixture
def demo_counsellor():
    ctx = demo.generate(participants=0, seed=1)
    role, email, organisation = next(entry for entry in ctx.logins if entry[0] == "counsellor")
    return email, organisation


def test_login_page_is_accessible_also_with_an_error(page, live_server, demo_counsellor):
    email, _ = demo_counsellor
    page.goto(f"{live_server.url}/login")
    assert page.locator("html").get_attribute("lang") == "de"
    assert_accessible(page, "login")
    assert_reflows(page, "login")

    login(page, live_server, email, "not-the-right-password-at-all")
    alert = page.get_by_role("alert")
    assert alert.inner_text().strip() == _translated("Email or password is not correct.", "de")
    # The email stays filled in, the password does not; the person is still on the login page.
    assert page.locator("input[name=email]").input_value() == email
    assert page.locator("input[name=password]").input_value() == ""
    assert_accessible(page, "login with an error")


def test_counsellor_logs_in_switches_language_and_logs_out(page, live_server, demo_counsellor):
    email, organisation = demo_counsellor
    login(page, live_server, email, demo.DEMO_PASSWORD)

    # Home page, in German (the browser asks for de-DE; German is also the default).
    assert page.url == f"{live_server.url}/caseload"
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == _translated("My caseload", "de")
    assert organisation in page.locator("header").inner_text()
    assert page.locator("html").get_attribute("lang") == "de"
    logout_button = page.get_by_role("button", name="Abmelden")
    assert logout_button.is_visible()
    assert_accessible(page, "home (German)")
    assert_reflows(page, "home")

    # Switch to English: the same page, its text in English.
    with page.expect_navigation():
        page.get_by_role("button", name="English").click()
    assert page.url == f"{live_server.url}/caseload"
    assert page.locator("html").get_attribute("lang") == "en"
    assert heading.inner_text() == "My caseload"
    assert page.get_by_role("button", name="Log out").is_visible()
    assert page.get_by_role("button", name="Abmelden").count() == 0
    assert_accessible(page, "home (English)")

    # And back to German.
    with page.expect_navigation():
        page.get_by_role("button", name="Deutsch").click()
    assert page.locator("html").get_attribute("lang") == "de"
    assert heading.inner_text() == _translated("My caseload", "de")
    assert page.get_by_role("button", name="Abmelden").is_visible()

    # Log out: back on the login page; the home page then asks for a login again.
    with page.expect_navigation():
        page.get_by_role("button", name="Abmelden").click()
    assert page.url.startswith(f"{live_server.url}/login")
    assert page.get_by_role("status").inner_text().strip() == _translated("You have been logged out.", "de")
    assert page.locator("input[name=password]").is_visible()

    page.goto(f"{live_server.url}/caseload")
    assert re.fullmatch(re.escape(f"{live_server.url}/login") + r"(\?.*)?", page.url)
    assert page.get_by_role("button", name="Abmelden").count() == 0
