"""Server-side login sessions.

The signed cookie holds only a random session id; its SHA-256 names a `user_sessions` row. Every
request loads the row (with the account) and checks the idle (30 min) and absolute (12 h) limits.
Logging out, changing the password or deactivating the account deletes rows, so a copied cookie
opens nothing afterwards, on every worker and host.
"""
from __future__ import annotations

import functools
import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app, g, has_request_context, request, session
from sqlalchemy.orm import joinedload

from caseflow.accounts.models import User, UserSession
from caseflow.database import unit_of_work
from caseflow.extensions import db, login_manager
from caseflow.models_base import utcnow

# last_seen_at is written at most this often, so that browsing is not a write per request.
TOUCH_INTERVAL = timedelta(seconds=60)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


# What the cookie keeps when a login ends without a logout (expired, or its row deleted elsewhere):
# the language, the CSRF secret (a form of this very request may already carry its token) and
# pending messages. Everything else belongs to the login (the session id, the caseload's search
# term) and goes, as on login and logout.
_OUTLIVES_THE_LOGIN = ("lang", "csrf_token", "_flashes")


def _forget_the_login() -> None:
    for key in [k for k in session if k not in _OUTLIVES_THE_LOGIN]:
        session.pop(key)


def _purge_expired() -> None:
    """Deletes every login session past its idle or absolute limit, of any account: a session that
    is never used again (a closed laptop) would otherwise keep its row, and its search term, for ever."""
    now, cfg = utcnow(), current_app.config
    db.session.execute(sa.delete(UserSession).where(sa.or_(
        UserSession.last_seen_at < now - cfg["SESSION_IDLE_TIMEOUT"],
        UserSession.created_at < now - cfg["SESSION_ABSOLUTE_TIMEOUT"])))


def describe_device(user_agent: str) -> str:
    """"Firefox on Windows": enough to recognise one's own devices, nothing more is kept."""
    ua = user_agent or ""
    browser = next((name for key, name in (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"),
                                             ("Chrome/", "Chrome"), ("Chromium/", "Chromium"), ("Safari/", "Safari"))
                    if key in ua), None)
    system = next((name for key, name in (("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iPadOS"),
                                            ("Windows", "Windows"), ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"),
                                            ("Linux", "Linux")) if key in ua), None)
    if browser and system:
        return f"{browser} · {system}"
    return browser or system or (ua[:60] if ua else "?")


def start_session(user: User) -> None:
    """Renews the session: the old cookie content is dropped and a new server-side row is made
    (expired ones of everybody are cleared on the way). Runs inside the caller's unit of work."""
    from caseflow.audit.services import client_address
    lang = session.get("lang")
    session.clear()
    _purge_expired()
    raw = secrets.token_urlsafe(32)
    device = describe_device(request.headers.get("User-Agent", "")) if has_request_context() else None
    db.session.add(UserSession(id=_digest(raw), user_id=user.id, device=device[:100] if device else None,
                               address=client_address()))
    session["sid"] = raw
    if lang:
        session["lang"] = lang
    session.permanent = False


def end_session() -> None:
    """Deletes this request's server-side session row and clears the cookie (in the caller's unit)."""
    raw = session.get("sid")
    if raw:
        db.session.execute(sa.delete(UserSession).where(UserSession.id == _digest(raw)))
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def end_all_sessions(user_id: int, *, except_current: bool = False) -> None:
    stmt = sa.delete(UserSession).where(UserSession.user_id == user_id)
    raw = session.get("sid") if except_current and has_request_context() else None
    if raw:
        stmt = stmt.where(UserSession.id != _digest(raw))
    db.session.execute(stmt)


def end_session_by_id(user_id: int, session_id: str) -> bool:
    """Deletes one session row of `user_id` (never another account's); True when there was one."""
    result = db.session.execute(sa.delete(UserSession).where(UserSession.user_id == user_id,
                                                             UserSession.id == session_id))
    return bool(result.rowcount)  # type: ignore[attr-defined]  # a CursorResult for DML


def current_session_id() -> str | None:
    raw = session.get("sid")
    return _digest(raw) if raw else None


def active_sessions(user_id: int) -> list[UserSession]:
    """The account's live sessions, most recently used first."""
    now, cfg = utcnow(), current_app.config
    return list(db.session.scalars(
        sa.select(UserSession).where(UserSession.user_id == user_id,
                                     UserSession.last_seen_at >= now - cfg["SESSION_IDLE_TIMEOUT"],
                                     UserSession.created_at >= now - cfg["SESSION_ABSOLUTE_TIMEOUT"])
        .order_by(UserSession.last_seen_at.desc(), UserSession.id)))


# Figures of higher domains that every page shows, read in the login's own statement instead of
# one statement each (the header's count of unread notifications): name → a function that builds
# a scalar subquery correlated with `user_sessions`. The domains add theirs in init_app
# (architecture.md §5: this layer never imports them); a request finds the values with
# login_figure(), and a service that changes one in the request drops it (forget_login_figure), so
# that the page it renders counts afresh.
_LOGIN_FIGURES: dict[str, Callable[[], Any]] = {}


def add_login_figure(name: str, build: Callable[[], Any]) -> None:
    _LOGIN_FIGURES[name] = build
    _session_statement.cache_clear()


def login_figure(name: str) -> Any:
    """The figure as read with this request's login, or None (no login, or changed since)."""
    return g.get("login_figures", {}).get(name)


def forget_login_figure(name: str) -> None:
    if has_request_context():
        g.get("login_figures", {}).pop(name, None)


@functools.cache
def _session_statement() -> sa.Select:
    """The login's row with its account and organisation, by the bound parameter `id`, and the
    login figures: built once per process, as every signed-in request runs it (issue 19: building
    it and its cache key cost more than sending it)."""
    figures = [build().label(name) for name, build in _LOGIN_FIGURES.items()]
    return (sa.select(UserSession, *figures)
            .options(joinedload(UserSession.user).joinedload(User.organisation))
            .where(UserSession.id == sa.bindparam("id")))


def load_session_user():
    raw = session.get("sid")
    if not raw:
        return None
    found = db.session.execute(_session_statement(), {"id": _digest(raw)}).one_or_none()
    if found is None or not found[0].user.active:
        _forget_the_login()
        return None
    row, figures = found[0], found[1:]
    now = utcnow()
    cfg = current_app.config
    if (now - row.last_seen_at > cfg["SESSION_IDLE_TIMEOUT"]
            or now - row.created_at > cfg["SESSION_ABSOLUTE_TIMEOUT"]):
        with unit_of_work():
            db.session.delete(row)
        _forget_the_login()
        # Kept in the cookie, so the login page the user is redirected to can say why.
        session["session_expired"] = True
        return None
    if now - row.last_seen_at > TOUCH_INTERVAL:
        with unit_of_work():
            row.last_seen_at = now
    g.login_session = row
    g.login_figures = dict(zip(_LOGIN_FIGURES, figures, strict=True))
    return row.user


def caseload_search() -> str:
    """The caseload's name search of the current login ("" when none)."""
    row = g.get("login_session")
    return (row.caseload_search or "") if row is not None else ""


def set_caseload_search(term: str) -> None:
    """Keeps the caseload's name search on the login's server-side row ("" clears it), as one unit
    of work: never in the address, nor in the cookie, which is signed but readable."""
    row = g.get("login_session")
    if row is not None:
        with unit_of_work():
            row.caseload_search = term[:100] or None


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.session_protection = None  # the server-side row is the protection
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    login_manager.request_loader(lambda _request: load_session_user())
    login_manager.user_loader(lambda _id: None)  # never used: no user id is kept in the cookie
