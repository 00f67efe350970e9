"""Security headers on every response; HSTS and secure cookies in production."""
from __future__ import annotations

import pytest

from config import ProductionConfig


def _csp(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    directives = {}
    for part in policy.split(";"):
        name, _, value = part.strip().partition(" ")
        directives[name] = value
    return directives


def _assert_secure_headers(response) -> None:
    csp = _csp(response)
    assert csp["default-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert csp["base-uri"] == "'none'"
    # No inline script anywhere: script-src falls back to default-src 'self' or is 'self' itself.
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]
    assert csp.get("script-src", "'self'") == "'self'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("same-origin", "no-referrer", "strict-origin-when-cross-origin")
    assert response.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("path, status", [
    ("/login", 200),
    ("/", 302),
    ("/account", 302),
    ("/no-such-page", 404),
    ("/api/v1/me", 401),
    ("/api/v1/openapi.json", 200),
    ("/static/css/caseflow.css", 200),
])
def test_anonymous_responses_carry_security_headers(client, path, status):
    response = client.get(path)
    assert response.status_code == status
    _assert_secure_headers(response)
    assert "Strict-Transport-Security" not in response.headers  # development/testing over http


def test_authenticated_pages_are_not_cached(client, auth, counsellor, admin, app):
    auth.login(counsellor)
    for path in ("/account", "/caseload", "/reports/"):
        response = client.get(path)
        assert response.status_code == 200, path
        _assert_secure_headers(response)
        assert "no-store" in response.headers["Cache-Control"], path
    admin_client = app.test_client()
    from tests.accounts.conftest import post_login
    from tests.conftest import PASSWORD
    post_login(admin_client, admin.email, PASSWORD)
    for path in ("/admin", "/admin/organisations", "/staff"):
        response = admin_client.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response.headers["Cache-Control"], path


def test_api_responses_are_not_cached(api_as, counsellor):
    response = api_as(counsellor).get("/me")
    _assert_secure_headers(response)
    assert "no-store" in response.headers["Cache-Control"]


def test_error_pages_carry_headers_and_no_stack_trace(client, auth, analyst):
    auth.login(analyst)
    response = client.get("/caseload")
    assert response.status_code == 403
    _assert_secure_headers(response)
    assert "Traceback" not in response.get_data(as_text=True)


def test_unexpected_error_is_a_friendly_500(app, client, monkeypatch):
    import caseflow.accounts.views as views

    def broken():
        raise RuntimeError("secret internals")

    monkeypatch.setitem(app.view_functions, "accounts.login", broken)
    response = client.get("/login")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "secret internals" not in body and "Traceback" not in body
    _assert_secure_headers(response)
    assert views  # the real view is restored by monkeypatch


def test_production_sends_hsts_and_secure_cookies(make_app, monkeypatch, counsellor):
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    monkeypatch.setenv("DOCUMENT_KEY", "k" * 43 + "=")
    monkeypatch.setenv("PSEUDONYM_KEY", "p" * 40)
    prod = make_app(ProductionConfig())
    assert prod.config["SESSION_COOKIE_SECURE"] is True
    assert prod.config["SESSION_COOKIE_HTTPONLY"] is True
    assert prod.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert prod.debug is False
    client = prod.test_client()
    # Plain http is sent to https.
    redirect = client.get("/login", base_url="http://caseflow.example")
    assert redirect.status_code in (301, 302) and redirect.headers["Location"].startswith("https://")
    response = client.get("/login", base_url="https://caseflow.example")
    assert response.status_code == 200
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
    _assert_secure_headers(response)
    set_cookie = response.headers.get("Set-Cookie", "")
    assert "Secure" in set_cookie and "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie


def test_production_app_does_not_change_other_apps(make_app, monkeypatch, client):
    # Regression: a shared Talisman instance made every app of the process production-like.
    monkeypatch.setenv("SECRET_KEY", "x" * 64)
    monkeypatch.setenv("DOCUMENT_KEY", "k" * 43 + "=")
    monkeypatch.setenv("PSEUDONYM_KEY", "p" * 40)
    make_app(ProductionConfig())
    response = client.get("/login")
    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response.headers
