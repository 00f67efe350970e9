"""Server-side sessions: renewal at login, logout invalidating copied cookies, timeouts,
password changes and deactivation ending sessions."""
from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from caseflow.accounts.models import ApiToken, UserSession
from caseflow.accounts.passwords import verify_password
from caseflow.database import unit_of_work
from caseflow.extensions import db
from tests.accounts.conftest import COOKIE, age_sessions, csrf_from, post_login, session_cookie
from tests.conftest import PASSWORD

NEW_PASSWORD = "Velvet-Orchard-Compass-73"


def _opens_account(app, cookie_value: str) -> bool:
    """Whether a fresh browser holding only a copy of this cookie gets into /account."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, cookie_value)
    response = thief.get("/account")
    if response.status_code == 302:
        assert "/login" in response.headers["Location"]
        return False
    assert response.status_code == 200
    return True


def _session_rows() -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(UserSession))


def test_session_is_renewed_at_login(app, client, counsellor):
    client.get("/login")
    before = session_cookie(client)
    assert before  # the login form's CSRF token lives in the pre-login session
    post_login(client, counsellor.email, PASSWORD)
    after = session_cookie(client)
    assert after and after != before
    assert _opens_account(app, after)
    assert not _opens_account(app, before)


def test_pre_login_session_contents_are_dropped_at_login(client, counsellor):
    # A fixated session (e.g. a planted CSRF token) must not survive the login.
    client.get("/login")
    with client.session_transaction() as s:
        s["planted"] = "by-attacker"
    post_login(client, counsellor.email, PASSWORD)
    with client.session_transaction() as s:
        assert "planted" not in s
        assert "sid" in s


def test_logout_is_post_only_and_needs_csrf(client, auth, counsellor):
    auth.login(counsellor)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/account").status_code == 200


def test_logout_invalidates_a_copied_cookie_on_the_server(app, client, auth, counsellor):
    auth.login(counsellor)
    copied = session_cookie(client)
    assert _opens_account(app, copied)
    response = auth.logout()
    assert response.status_code == 302
    assert _session_rows() == 0
    assert not _opens_account(app, copied)
    assert client.get("/account").status_code == 302


def test_idle_timeout_thirty_minutes(app, client, auth, counsellor):
    auth.login(counsellor)
    age_sessions(last_seen=timedelta(minutes=29))
    assert client.get("/account").status_code == 200
    age_sessions(last_seen=timedelta(minutes=31))
    response = client.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert _session_rows() == 0


def test_activity_keeps_the_session_alive(client, auth, counsellor):
    auth.login(counsellor)
    age_sessions(last_seen=timedelta(minutes=25))
    assert client.get("/account").status_code == 200  # touches last_seen_at
    age_sessions(last_seen=timedelta(minutes=25))
    assert client.get("/account").status_code == 200


def test_absolute_timeout_twelve_hours_despite_activity(client, auth, counsellor):
    auth.login(counsellor)
    age_sessions(created=timedelta(hours=11, minutes=50))
    assert client.get("/account").status_code == 200
    age_sessions(created=timedelta(minutes=11))
    response = client.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert _session_rows() == 0


def test_expired_session_says_so_on_the_login_page(client, auth, counsellor):
    auth.login(counsellor)
    age_sessions(last_seen=timedelta(hours=1))
    response = client.get("/account", headers={"Accept-Language": "en"}, follow_redirects=True)
    assert "Your session has ended" in response.get_data(as_text=True)


def _change_password(client, current: str, new: str):
    return client.post("/account", data={"current_password": current, "new_password": new,
                                         "csrf_token": csrf_from(client, "/account")},
                       headers={"Accept-Language": "en"})


def test_password_change_ends_other_sessions_and_keeps_this_one(app, client, second_client, counsellor):
    post_login(client, counsellor.email, PASSWORD)
    post_login(second_client, counsellor.email, PASSWORD)
    assert _session_rows() == 2
    response = _change_password(client, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert second_client.get("/account").status_code == 302
    assert _session_rows() == 1
    db.session.refresh(counsellor)
    assert verify_password(counsellor.password_hash, NEW_PASSWORD)
    assert counsellor.password_hash.startswith("$argon2id$")
    fresh = app.test_client()
    assert post_login(fresh, counsellor.email, PASSWORD).status_code != 302
    assert post_login(fresh, counsellor.email, NEW_PASSWORD).status_code == 302


def test_password_change_with_wrong_current_or_weak_new_password_changes_nothing(client, counsellor):
    post_login(client, counsellor.email, PASSWORD)
    old_hash = counsellor.password_hash
    wrong = _change_password(client, "not-my-password-at-all", NEW_PASSWORD)
    assert wrong.status_code == 400
    assert "The current password is not correct." in wrong.get_data(as_text=True)
    weak = _change_password(client, PASSWORD, "short")
    assert "at least 12 characters" in weak.get_data(as_text=True)
    common = _change_password(client, PASSWORD, "password1234")
    assert "too common" in common.get_data(as_text=True)
    db.session.refresh(counsellor)
    assert counsellor.password_hash == old_hash


def test_deactivation_ends_sessions_and_revokes_tokens(app, client, auth, admin, team_lead, counsellor, api_as):
    victim_browser = app.test_client()
    post_login(victim_browser, counsellor.email, PASSWORD)
    api = api_as(counsellor)
    assert api.get("/me").status_code == 200

    auth.login(admin)
    # A counsellor is deactivated through the handover (their cases need a new owner).
    token = csrf_from(client, f"/staff/{counsellor.id}/handover")
    response = client.post(f"/staff/{counsellor.id}/handover", data={
        "csrf_token": token, "successor_id": str(team_lead.id), "version": str(counsellor.version)})
    assert response.status_code == 302, response.get_data(as_text=True)

    db.session.expire_all()
    assert db.session.get(type(counsellor), counsellor.id).active is False
    assert victim_browser.get("/account").status_code == 302
    assert _session_rows() == 1  # only the admin's own
    assert api.get("/me").status_code == 401
    assert db.session.scalar(sa.select(ApiToken.revoked_at)) is not None
    # Reactivating does not bring the old token back.
    counsellor = db.session.get(type(counsellor), counsellor.id)
    with unit_of_work():
        counsellor.active = True
    assert api.get("/me").status_code == 401


def test_session_cookie_flags(client, counsellor):
    response = post_login(client, counsellor.email, PASSWORD)
    header = next(v for v in response.headers.getlist("Set-Cookie") if v.startswith(COOKIE + "="))
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header


def test_another_session_is_ended_from_the_account_page(client, second_client, counsellor):
    """The account page lists the other session with a button whose accessible name begins with its
    visible text (WCAG 2.5.3) and names the device; pressing it signs that browser out and says so,
    and this session's own row can only be ended by logging out."""
    post_login(client, counsellor.email, PASSWORD)
    post_login(second_client, counsellor.email, PASSWORD,
               headers={"User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"})
    page = client.get("/account").get_data(as_text=True)
    buttons = re.findall(r'<button type="submit">Diese Sitzung beenden<span class="visually-hidden"> '
                         r'\((.+?)\)</span></button>', page)
    assert len(buttons) == 1 and "Firefox" in buttons[0], buttons  # the other one; this one is only marked
    assert "aria-label" not in page.split("Aktive Sitzungen", 1)[1].split("</table>", 1)[0]
    other = re.search(r'name="session_id" value="([^"]+)"', page).group(1)
    ended = client.post("/account/sessions/end", follow_redirects=True,
                        data={"session_id": other, "csrf_token": csrf_from(client, "/account")})
    assert "Die Sitzung wurde beendet." in ended.get_data(as_text=True)
    assert second_client.get("/account").status_code == 302
    assert client.get("/account").status_code == 200 and _session_rows() == 1
