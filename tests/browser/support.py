"""Helpers for browser tests: log in through the real form, check a page with axe-core.

    from tests.browser.support import assert_accessible, login

    def test_something(page, live_server, counsellor):
        login(page, live_server, counsellor.email, PASSWORD)
        assert_accessible(page, "caseload")
        assert_phone_layout(page, "caseload")   # the same page at 390 px: cards, whole words, axe
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


def this_legs_share(cases: list) -> list:
    """The cases (e.g. screen widths, or width and role pairs) of a parametrised browser test that
    this run of the suite takes. `python3 dev.py test` (and so CI) runs the suite on SQLite and on
    PostgreSQL at once and tells each leg its number (CASEFLOW_TEST_LEG="1/2", "2/2"): the cases
    are dealt out between the legs, so that each runs once and each leg runs the test. What a
    width or role changes is what the browser shows, which does not depend on the database; the
    journey itself still runs on both databases. The layout and axe check of every page costs
    about 35 s per case, and the browser tests were over half of each leg's time (CI: 16.5
    minutes on 2026-12-03). Without the variable (a single leg, or plain pytest) every case runs."""
    leg = os.environ.get("CASEFLOW_TEST_LEG")
    if not leg:
        return list(cases)
    number, count = (int(n) for n in leg.split("/"))
    return [case for n, case in enumerate(cases) if n % count == number - 1]


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


# Tables that stay grids on a phone, where a card per row would be wrong. Such a table keeps its
# words whole and scrolls sideways inside a frame that takes the keyboard focus (tabindex="0",
# role="region"), as axe's rule scrollable-region-focusable asks. (The team board, table.board, is
# not here: its rows are cards of their own style.)
GRID_TABLES = {
    "attendance-grid": "measures/attendance.html: one tick box per participant, ticked down one column",
}


def squeezed_tables(page) -> list[str]:
    """The tables in <main> whose rows are not cards: a table of more than two columns, other than
    the GRID_TABLES, on a phone is a card per row, each value with its column's name (class "stack"),
    not columns squeezed a few letters wide. (A table of two, a name and its value, fits as it is.)
    Each is named by its caption, its section's heading or its class."""
    return page.evaluate("""grids => [...document.querySelectorAll('main table')]
        .filter(t => !grids.some(g => t.classList.contains(g)))
        .filter(t => t.tBodies.length && t.tBodies[0].rows.length && t.tBodies[0].rows[0].cells.length > 2
                     && getComputedStyle(t.tBodies[0].rows[0]).display !== 'block')
        .map(t => t.caption?.innerText || t.closest('section')?.querySelector('h2')?.innerText
                  || t.className || 'a table')""", list(GRID_TABLES))


def broken_words(page) -> list[str]:
    """The words in the tables of <main> that are broken across two lines ("Anerkenn|ungs|beratung",
    "12.11.|2026"). A break at a space, a hyphen, a dash or a slash is between words; text that is
    hidden (a visually hidden caption, the head of a table of cards) does not count."""
    return page.evaluate(r"""() => {
        const hidden = el => {
            for (let e = el; e && e.tagName !== 'MAIN'; e = e.parentElement) {
                const s = getComputedStyle(e);
                if (e.classList.contains('visually-hidden') || s.display === 'none'
                    || (s.position === 'absolute' && s.overflow === 'hidden')) return true;
            }
            return false;
        };
        const broken = [];
        for (const table of document.querySelectorAll('main table')) {
            const walker = document.createTreeWalker(table, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                if (!node.data.trim() || hidden(node.parentElement)) continue;
                for (const m of node.data.matchAll(/[^\s\-\u2010-\u2015\/]{2,}/g)) {
                    const range = document.createRange();
                    range.setStart(node, m.index);
                    range.setEnd(node, m.index + m[0].length);
                    const lines = new Set([...range.getClientRects()].filter(r => r.width > 0)
                                                                     .map(r => Math.round(r.bottom)));
                    if (lines.size > 1) broken.push(m[0]);
                }
            }
        }
        return broken;
    }""")


def assert_tables_are_cards(page) -> None:
    """At a phone's width: every table of more than two columns is cards (see squeezed_tables) and
    no word in a table is broken inside (see broken_words)."""
    width = page.viewport_size["width"]
    squeezed = squeezed_tables(page)
    assert squeezed == [], f"{page.url}: tables that are not cards at {width} px: {squeezed}"
    broken = broken_words(page)
    assert broken == [], f"{page.url}: words broken inside in the tables at {width} px: {broken[:20]}"


def assert_phone_layout(page, name: str, width: int = 390) -> None:
    """The page as it is now (no reload: a page that answered a form stays as it is), at a phone's
    width: nothing scrolls sideways, the tables are cards with their words whole, axe-core finds
    nothing. The window gets its former size back afterwards."""
    size = page.viewport_size
    page.set_viewport_size({"width": width, "height": 844})
    try:
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"the {name} page scrolls sideways at {width} px: {scroll} px of content"
        assert_tables_are_cards(page)
        assert_accessible(page, f"{name} at {width} px")
    finally:
        page.set_viewport_size(size)


SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def save_screenshot(page, name: str) -> None:
    """docs/screenshots/<name>.png, only when CASEFLOW_SCREENSHOTS is set: a normal test run leaves
    the repository's files alone."""
    if os.environ.get("CASEFLOW_SCREENSHOTS") is None:
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
