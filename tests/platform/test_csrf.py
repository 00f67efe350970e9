"""CSRF protection on every form: a POST without a valid token is refused (400) and changes nothing."""
from __future__ import annotations

import sqlalchemy as sa

from caseflow.accounts.models import LoginAttempt, Organisation, User, UserSession
from caseflow.extensions import db
from tests.accounts.conftest import csrf_from, post_login
from tests.conftest import PASSWORD

NEW_PASSWORD = "Velvet-Orchard-Compass-73"


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_csrf_is_on_in_the_test_settings(app):
    assert app.config.get("WTF_CSRF_ENABLED", True) is True


def test_login_without_token_is_refused(client, counsellor):
    client.get("/login")
    response = client.post("/login", data={"email": counsellor.email, "password": PASSWORD})
    assert response.status_code == 400
    assert _count(LoginAttempt) == 0 and _count(UserSession) == 0
    assert client.get("/account").status_code == 302


def test_password_change_without_or_with_a_foreign_token_is_refused(app, client, counsellor):
    post_login(client, counsellor.email, PASSWORD)
    old_hash = counsellor.password_hash
    data = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    assert client.post("/account", data=data).status_code == 400
    # A token from another browser's session does not do either.
    other = app.test_client()
    foreign = csrf_from(other, "/login")
    assert client.post("/account", data={**data, "csrf_token": foreign}).status_code == 400
    assert client.post("/account", data={**data, "csrf_token": "forged"}).status_code == 400
    db.session.refresh(counsellor)
    assert counsellor.password_hash == old_hash


def test_admin_forms_without_token_change_nothing(client, auth, admin, counsellor):
    auth.login(admin)
    assert client.post("/admin/organisations", data={"name": "Neue Organisation e.V."}).status_code == 400
    assert client.post("/staff", data={"name": "X", "email": "x@x.example", "role": "admin",
                                       "password": NEW_PASSWORD}).status_code == 400
    assert client.post(f"/staff/{counsellor.id}", data={"name": "X", "role": "counsellor",
                                                        "version": counsellor.version}).status_code == 400
    assert _count(Organisation) == 1 and _count(User) == 2
    db.session.refresh(counsellor)
    assert counsellor.active and counsellor.name == "Aylin Demir"


def test_csrf_failure_is_a_friendly_page(client):
    client.get("/login")
    response = client.post("/login", data={}, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "The request could not be understood" in body and "Traceback" not in body
    assert "The form has expired" in body


def test_api_with_a_bearer_token_needs_no_csrf_token_but_cookies_alone_get_nothing(client, auth, api_as, counsellor):
    api = api_as(counsellor)
    assert api.get("/me").status_code == 200
    auth.login(counsellor)  # a browser session alone is no API credential
    assert client.get("/api/v1/me").status_code == 401
