"""Helpers for browser tests: log in through the real form, check a page with axe-core.

    from tests.browser.support import assert_accessible, login

    def test_something(page, live_server, counsellor):
        login(page, live_server, counsellor.email, PASSWORD)
        assert_accessible(page, "caseload")
"""
from __future__ import annotations

import os
import weakref
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe

# The WCAG 2.0 and 2.1 success criteria of levels A and AA: what the project promises.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

_axe = Axe()
_console: weakref.WeakKeyDictionary[object, list[str]] = weakref.WeakKeyDictionary()


def watch_console(page) -> None:
    """Collects what the browser reports as blocked by the Content-Security-Policy (an inline style
    or script, a third-party request) and uncaught script errors. The `page` fixture calls it."""
    problems: list[str] = []
    _console[page] = problems

    def on_console(message) -> None:
        if message.type == "error" and ("Content Security Policy" in message.text or "Refused to" in message.text):
            problems.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"{page.url}: script error: {error}"))


def console_problems(page) -> list[str]:
    return list(_console.get(page, []))


def login(page, live_server, email: str, password: str) -> None:
    """Logs in through the login form, as a person would: fills email and password, presses the
    submit button, and waits for the answer. Leaves the page on wherever the app sent it."""
    page.goto(f"{live_server.url}/login")
    form = page.locator("form:has(input[name=password])")
    form.locator("input[name=email]").fill(email)
    form.locator("input[name=password]").fill(password)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def _describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v.get('impact')}): {v['help']} [{v.get('helpUrl', '')}]")
        for node in v.get("nodes", [])[:10]:
            target = " ".join(str(t) for t in node.get("target", []))
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    at {target}: {summary}")
        if len(v.get("nodes", [])) > 10:
            lines.append(f"    … and {len(v['nodes']) - 10} more elements")
    return "\n".join(lines)


def assert_accessible(page, name: str) -> None:
    """Runs axe-core on the page as it is now, restricted to WCAG 2.0/2.1 A and AA, and fails with
    the list of violations (rule, help, elements). Also fails when the browser blocked something
    under the Content-Security-Policy or a script error occurred on this page, since a page whose
    styles were refused is not what people see in production.

    axe is injected with page.evaluate (DevTools protocol), which the page's CSP does not apply to,
    so the tests run under the real CSP (no bypass_csp).

    A click on a link does not wait for the page it opens (Playwright 1.65): wrap it in
    `page.expect_navigation()`. Waiting for the load here covers a page that has begun to arrive."""
    page.wait_for_load_state("load")
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS},
                                      "resultTypes": ["violations"]})
    violations = results.response["violations"]
    problems = console_problems(page)
    message = []
    if violations:
        message.append(f"axe-core found {len(violations)} WCAG 2.1 A/AA violation(s) on the {name} page "
                       f"({page.url}):\n{_describe(violations)}")
    if problems:
        message.append(f"the browser reported problems (on the {name} page or before it in this test):\n"
                       + "\n".join(f"- {p}" for p in problems))
    assert not message, "\n".join(message)


SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def save_screenshot(page, name: str) -> None:
    """docs/screenshots/<name>.png, only when CASEFLOW_SCREENSHOTS is set: a normal test run leaves
    the repository's files alone."""
    if os.environ.get("CASEFLOW_SCREENSHOTS") is None:
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
