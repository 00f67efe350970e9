"""Helpers for the account tests: CSRF tokens from a page, moving recorded times into the past."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from caseflow.accounts.models import LoginAttempt, LoginThrottle, UserSession
from caseflow.database import unit_of_work
from caseflow.extensions import db

COOKIE = "caseflow_session"


def csrf_from(client, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def post_login(client, email: str, password: str, **kw):
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": csrf_from(client, "/login")}, **kw)


def session_cookie(client) -> str | None:
    cookie = client.get_cookie(COOKIE)
    return cookie.value if cookie else None


def age_login_attempts(by: timedelta) -> None:
    """Moves every recorded login attempt `by` into the past (instead of sleeping)."""
    with unit_of_work():
        for attempt in db.session.scalars(sa.select(LoginAttempt)):
            attempt.at = attempt.at - by
        for row in db.session.scalars(sa.select(LoginThrottle)):
            row.window_started_at = row.window_started_at - by
            if row.locked_until is not None:
                row.locked_until = row.locked_until - by


def age_sessions(*, created: timedelta = timedelta(0), last_seen: timedelta = timedelta(0)) -> None:
    with unit_of_work():
        for row in db.session.scalars(sa.select(UserSession)):
            row.created_at = row.created_at - created
            row.last_seen_at = row.last_seen_at - last_seen


@pytest.fixture
def second_client(app):
    """Another browser of the same person."""
    return app.test_client()


def hidden_inputs(html: str) -> dict[str, str]:
    """The hidden fields a browser would send back with the page's form(s)."""
    fields = {}
    for tag in re.findall(r"<input[^>]*>", html):
        if 'type="hidden"' in tag:
            name = re.search(r'name="([^"]+)"', tag)
            value = re.search(r'value="([^"]*)"', tag)
            if name and name.group(1) not in ("lang", "next"):
                fields[name.group(1)] = value.group(1) if value else ""
    return fields


def submit_form(client, path: str, data: dict, **kw):
    """GETs `path` and POSTs its hidden fields (CSRF token, version …) plus `data` back."""
    page = client.get(path, **kw)
    assert page.status_code == 200, page.status_code
    return client.post(path, data={**hidden_inputs(page.get_data(as_text=True)), **data}, **kw)
