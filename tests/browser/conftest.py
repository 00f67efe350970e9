"""Browser tests: a live Caseflow server and headless Chromium driven by Playwright (sync API).

`live_server` serves the session's test app (tests/conftest.py `app`, same test database) from a
werkzeug server on 127.0.0.1 and a free port, in a daemon thread. Data a test creates with
factories or services and commits is visible to the server at once.

`page` is a Playwright Page in a fresh browser context (no cookies shared between tests). The
context asks for German (`de-DE`, Europe/Berlin), as a browser in a Berlin office would; switch the
language through the page's own switch when a test needs English.

Only Debian's Chromium at /usr/bin/chromium is used; Playwright never downloads a browser. Without
it the browser tests are skipped with the reason shown, except when CASEFLOW_REQUIRE_BROWSER=1 (CI),
where a missing browser fails the run.

Why the table clean-up of tests/conftest.py cannot deadlock with the server thread: every request
runs in an app context of its own and Flask-SQLAlchemy removes its session (connection back to the
pool, transaction rolled back) when that context ends, so the server holds no transaction or lock
between requests. The `page` fixture closes its context and then waits until no request is in
flight any more before the test's clean-up (TRUNCATE on PostgreSQL, DELETE on SQLite) runs.
"""
from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# Console messages of these kinds are collected per page (see support.console_problems).
CONSOLE_PROBLEMS = ("Content Security Policy", "Refused to")


def _require_browser() -> bool:
    return os.environ.get("CASEFLOW_REQUIRE_BROWSER") == "1"


def _browser_unavailable(reason: str):
    if _require_browser():
        pytest.fail(f"{reason} (CASEFLOW_REQUIRE_BROWSER=1: the browser leg may not be skipped; "
                    "install Debian's chromium: apt-get install chromium chromium-driver)", pytrace=False)
    pytest.skip(f"{reason}; install Debian's chromium to run the browser tests")


class _QuietHandler(WSGIRequestHandler):
    """Request lines are noise in test output; errors are still logged."""

    def log_request(self, *args, **kwargs) -> None:
        pass


@dataclass
class LiveServer:
    url: str
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _in_flight: int = field(default=0, repr=False)

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Waits until the server is answering no request (so no request holds a transaction)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if self._in_flight == 0:
                    return
            time.sleep(0.01)
        raise AssertionError(f"the live server still answers {self._in_flight} request(s) after {timeout} s")


class _CountingMiddleware:
    """Counts the requests in flight, so that tests can wait for the server to go quiet."""

    def __init__(self, app, server: LiveServer):
        self.app, self.server = app, server

    def __call__(self, environ, start_response):
        with self.server._lock:
            self.server._in_flight += 1
        try:
            # The whole body is produced here, so "in flight" covers the entire request.
            body = self.app(environ, start_response)
            try:
                return list(body)
            finally:
                if hasattr(body, "close"):
                    body.close()
        finally:
            with self.server._lock:
                self.server._in_flight -= 1


@pytest.fixture(scope="session")
def live_server(app):
    server_info = LiveServer(url="")
    server = make_server("127.0.0.1", 0, _CountingMiddleware(app, server_info), threaded=True,
                         request_handler=_QuietHandler)
    server_info.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, name="caseflow-live-server", daemon=True)
    thread.start()
    try:
        yield server_info
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def _playwright():
    if not CHROMIUM.exists():
        _browser_unavailable(f"{CHROMIUM} is missing")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - requirements-dev.txt pins it
        _browser_unavailable(f"Playwright is not installed ({exc})")
    manager = sync_playwright().start()
    try:
        yield manager
    finally:
        manager.stop()


@pytest.fixture(scope="session")
def browser(_playwright):
    try:
        instance = _playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                               headless=True)
    except Exception as exc:  # a broken install must say so, not hang or pass
        _browser_unavailable(f"{CHROMIUM} does not start: {exc}")
    try:
        yield instance
    finally:
        instance.close()


@pytest.fixture
def page(browser, live_server):
    from tests.browser import support

    context = browser.new_context(locale="de-DE", timezone_id="Europe/Berlin", base_url=live_server.url)
    context.set_default_timeout(10_000)
    try:
        new_page = context.new_page()
        support.watch_console(new_page)
        yield new_page
    finally:
        context.close()
        live_server.wait_idle()
