"""Two-factor sign-in: set-up with a QR code drawn on the server, login with a code, no replay,
recovery codes, throttling of wrong codes, mandatory set-up, reset by a team lead, key rotation."""
from __future__ import annotations

import base64
import re
import time

import pyotp
import pytest
import sqlalchemy as sa

from caseflow import crypto
from caseflow.accounts import two_factor
from caseflow.accounts.models import LoginThrottle, RecoveryCode, User, UserSession
from caseflow.audit.models import AuditEntry
from caseflow.database import unit_of_work
from caseflow.errors import DomainError
from caseflow.extensions import db
from tests.accounts.conftest import csrf_from, post_login
from tests.conftest import PASSWORD

EN = {"headers": {"Accept-Language": "en"}}


def _actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))


def _set_up(client, user) -> tuple[str, list[str]]:
    """Logs in, sets up the second factor through the pages, logs out; answers (secret, recovery codes)."""
    assert post_login(client, user.email, PASSWORD).status_code == 302
    page = client.get("/account/two-factor", **EN).get_data(as_text=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    done = client.post("/account/two-factor", data={"csrf_token": token, "code": pyotp.TOTP(secret).now()}, **EN)
    assert done.status_code == 200, done.get_data(as_text=True)
    codes = re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", done.get_data(as_text=True))
    client.post("/logout", data={"csrf_token": csrf_from(client, "/account")})
    return secret, codes


def _code_step(client, code: str, **kw):
    token = csrf_from(client, "/login/code")
    return client.post("/login/code", data={"csrf_token": token, "code": code}, **kw)


def _logged_in(client) -> bool:
    return client.get("/account").status_code == 200


def _next_code(secret: str) -> str:
    """The code of the next 30-second step (accepted for clock drift): the current step was used
    by the set-up itself, and a code is never accepted twice."""
    return pyotp.TOTP(secret).at(time.time() + 30)


def _previous_step_code(secret: str) -> str:
    """A code of a step that is still accepted (clock drift) but not the current one."""
    return pyotp.TOTP(secret).at(time.time() - 30)


def test_set_up_shows_a_server_drawn_qr_code_and_the_secret_and_stores_it_encrypted(client, counsellor):
    post_login(client, counsellor.email, PASSWORD)
    page = client.get("/account/two-factor", **EN)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert re.search(r'<img src="data:image/png;base64,[A-Za-z0-9+/=]+" alt="QR code', html)
    assert "<script>" not in html and "http" not in html.split("<main", 1)[1].split("</main>")[0].replace(
        "http://localhost", "")
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    db.session.expire_all()
    user = db.session.get(User, counsellor.id)
    assert user.totp_secret is not None and secret.encode() not in user.totp_secret
    assert base64.b32encode(base64.b32decode(secret)).decode().rstrip("=") == secret.rstrip("=")
    assert user.totp_enabled_at is None  # pending until the first code
    # Reloading keeps the same secret (an app may already show it).
    again = client.get("/account/two-factor").get_data(as_text=True)
    assert secret in again.replace(" ", "")


def test_a_wrong_first_code_does_not_turn_it_on(client, counsellor):
    post_login(client, counsellor.email, PASSWORD)
    token = csrf_from(client, "/account/two-factor")
    response = client.post("/account/two-factor", data={"csrf_token": token, "code": "000000"}, **EN)
    assert response.status_code == 400 and "This code is not correct" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, counsellor.id).totp_enabled_at is None


def test_login_with_a_code_then_the_same_code_is_refused(app, client, counsellor):
    secret, codes = _set_up(client, counsellor)
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = db.session.scalars(sa.select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10 and all(h.startswith("$argon2id$") for h in stored)
    assert not any(code in h for code in codes for h in stored)

    first = post_login(client, counsellor.email, PASSWORD)
    assert first.status_code == 302 and first.headers["Location"].endswith("/login/code")
    assert not _logged_in(client)  # the password alone opens nothing
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UserSession)) == 0
    code = _next_code(secret)
    assert _code_step(client, code).status_code == 302
    assert _logged_in(client)

    other = app.test_client()
    post_login(other, counsellor.email, PASSWORD)
    replay = _code_step(other, code, **EN)
    assert replay.status_code == 401
    assert "not correct, or it has been used already" in replay.get_data(as_text=True)
    assert not _logged_in(other)
    # An earlier step than the one used is refused too.
    assert _code_step(other, _previous_step_code(secret)).status_code == 401


def test_a_recovery_code_works_once(app, client, counsellor):
    _, codes = _set_up(client, counsellor)
    post_login(client, counsellor.email, PASSWORD)
    assert _code_step(client, codes[3].upper()).status_code == 302
    assert "login.recovery_code_used" in _actions()
    other = app.test_client()
    post_login(other, counsellor.email, PASSWORD)
    assert _code_step(other, codes[3]).status_code == 401
    assert _code_step(other, codes[4]).status_code == 302
    assert two_factor.unused_recovery_codes(counsellor) == 8


def test_wrong_codes_count_toward_the_login_throttle(app, client, counsellor):
    secret, _ = _set_up(client, counsellor)
    post_login(client, counsellor.email, PASSWORD)
    statuses = [_code_step(client, "123456").status_code for _ in range(4)]
    assert statuses == [401] * 4
    # Together with a wrong password the window is full: locked, for the password step as well.
    post_login(client, counsellor.email, "Wrong-Password-Here-1")
    locked = post_login(app.test_client(), counsellor.email, PASSWORD, **EN)
    assert locked.status_code == 429
    assert "login.code_failure" in _actions() and "login.lockout" in _actions()
    throttle = db.session.scalar(sa.select(LoginThrottle))
    assert throttle.failures == 5


def test_five_wrong_codes_lock_even_the_right_code_out(app, client, counsellor):
    secret, _ = _set_up(client, counsellor)
    post_login(client, counsellor.email, PASSWORD)
    statuses = [_code_step(client, "123456", **EN).status_code for _ in range(5)]
    assert statuses == [401, 401, 401, 401, 429]
    other = app.test_client()
    assert post_login(other, counsellor.email, PASSWORD).status_code == 429
    assert not _logged_in(other)


def test_mandatory_set_up_for_team_leads(app, client, team_lead, counsellor, api_as, monkeypatch):
    monkeypatch.setitem(app.config, "REQUIRE_2FA_ROLES", ("team_lead", "admin"))
    assert post_login(client, team_lead.email, PASSWORD).status_code == 302
    for path in ("/caseload", "/account", "/staff"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].endswith("/account/two-factor"), path
    assert client.get("/account/two-factor").status_code == 200
    # API tokens are unaffected (already a second secret).
    assert api_as(team_lead).get("/me").status_code == 200
    # A counsellor is not led there …
    other = app.test_client()
    post_login(other, counsellor.email, PASSWORD)
    assert other.get("/caseload").status_code == 200
    # … unless the organisation requires it.
    with unit_of_work():
        counsellor.organisation.require_2fa = True
    assert other.get("/caseload").headers["Location"].endswith("/account/two-factor")
    # Once set up, the team lead works normally (and cannot turn it off).
    page = client.get("/account/two-factor").get_data(as_text=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    client.post("/account/two-factor", data={"csrf_token": csrf_from(client, "/account/two-factor"),
                                             "code": pyotp.TOTP(secret).now()})
    assert client.get("/caseload").status_code == 200
    assert "Turn two-factor sign-in off" not in client.get("/account", **EN).get_data(as_text=True)


def test_team_lead_resets_a_counsellors_second_factor(app, client, auth, team_lead, counsellor):
    browser = app.test_client()
    secret, _ = _set_up(browser, counsellor)
    post_login(browser, counsellor.email, PASSWORD)
    _code_step(browser, _next_code(secret))
    assert _logged_in(browser)

    auth.login(team_lead)
    token = csrf_from(client, f"/staff/{counsellor.id}")
    assert client.post(f"/staff/{counsellor.id}/reset-two-factor", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    user = db.session.get(User, counsellor.id)
    assert user.totp_enabled_at is None and user.totp_secret is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)) == 0
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "user.2fa_reset"))
    assert entry.actor_id == team_lead.id and entry.object_id == counsellor.id
    assert not _logged_in(browser)  # their sessions ended
    assert post_login(browser, counsellor.email, PASSWORD).status_code == 302 and _logged_in(browser)


def test_team_lead_cannot_reset_another_organisations_second_factor(client, auth, team_lead, other_counsellor):
    with unit_of_work():
        other_counsellor.totp_enabled_at = other_counsellor.created_at
    auth.login(team_lead)
    token = csrf_from(client, "/account")
    assert client.post(f"/staff/{other_counsellor.id}/reset-two-factor", data={"csrf_token": token}).status_code == 404
    db.session.expire_all()
    assert db.session.get(User, other_counsellor.id).totp_enabled_at is not None


def test_rotate_totp_secrets_reencrypts_under_the_newest_key(app, client, counsellor, monkeypatch):
    secret, _ = _set_up(client, counsellor)
    db.session.expire_all()
    old_key_id = db.session.get(User, counsellor.id).totp_key_id
    assert old_key_id == crypto.current_key_id()
    new_key = base64.urlsafe_b64encode(b"n" * 32).decode()
    monkeypatch.setitem(app.config, "DOCUMENT_KEY", f"{new_key},{app.config['DOCUMENT_KEY']}")
    assert two_factor.rotate_totp_secrets() == 1
    assert two_factor.rotate_totp_secrets() == 0  # resumable: nothing left
    db.session.expire_all()
    user = db.session.get(User, counsellor.id)
    assert user.totp_key_id != old_key_id
    assert two_factor.secret_of(user) == secret
    post_login(client, counsellor.email, PASSWORD)
    assert _code_step(client, _next_code(secret)).status_code == 302


def test_turning_it_off_needs_the_password(client, counsellor):
    _set_up(client, counsellor)
    post_login(client, counsellor.email, PASSWORD)
    user = db.session.get(User, counsellor.id)
    with pytest.raises(DomainError):
        two_factor.turn_off(user, password="wrong")
    assert two_factor.unused_recovery_codes(user) == 10
    two_factor.turn_off(user, password=PASSWORD)
    assert "user.2fa_disabled" in _actions()


def test_code_step_needs_the_password_step_first_and_expires(client, counsellor, monkeypatch):
    assert client.get("/login/code").headers["Location"].endswith("/login")
    secret, _ = _set_up(client, counsellor)
    post_login(client, counsellor.email, PASSWORD)
    assert client.get("/login/code").status_code == 200
    later = time.time() + 301
    monkeypatch.setattr(time, "time", lambda: later)
    assert client.get("/login/code").headers["Location"].endswith("/login")
