"""Every URL of the app is protected: anonymous → login (web) or 401 JSON (API), a role that is not
allowed → 403. The cases are built from app.url_map, so routes added later are covered too."""
from __future__ import annotations

import re

import pytest
from werkzeug.routing import AnyConverter, FloatConverter, IntegerConverter, UUIDConverter

import config as settings
from caseflow import create_app
from tests.conftest import PASSWORD

# Open to everyone, by design.
PUBLIC = {"static", "accounts.login", "accounts.language", "accounts.index", "api.openapi",
          # operations (tests/ops): no data; /metrics answers 404 without METRICS_TOKEN, 401 without it
          "ops.healthz", "ops.readyz", "ops.metrics",
          # the login's second step, "forgot your password?" and the mailed links (issue 12)
          "accounts.login_code", "accounts.forgot_password", "accounts.link", "accounts.choose_password",
          # calendar_feed.feed: a calendar program reads it; its secret address is the authorisation.
          "calendar_feed.feed"}
# Web views that any signed-in account may open (so they carry no required_roles), by design.
LOGIN_ONLY = {"accounts.account", "accounts.logout", "accounts.end_session", "accounts.two_factor_setup",
              "accounts.new_recovery_codes", "accounts.two_factor_off"}
ROLES = ("counsellor", "team_lead", "analyst", "admin", "coordinator")
DUMMY = ((IntegerConverter, 1), (FloatConverter, 1.5), (UUIDConverter, "00000000-0000-0000-0000-000000000001"))


def _rules():
    # A throw-away app only to enumerate the routes at collection time.
    config = settings.TestingConfig()
    config.SQLALCHEMY_DATABASE_URI = "sqlite://"
    application = create_app(config)
    for rule in sorted(application.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        methods = sorted(rule.methods - {"HEAD", "OPTIONS"})
        view = application.view_functions[rule.endpoint]
        yield rule, methods, getattr(view, "required_roles", None)


def _url(rule) -> str:
    values = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        if isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        else:
            values[name] = next((v for kind, v in DUMMY if isinstance(converter, kind)), "x1")
    path = rule.rule
    for name, value in values.items():
        path = re.sub(rf"<(?:[^:<>]+:)?{name}>", str(value), path)
    return path


RULES = list(_rules())
PROTECTED = [(rule.endpoint, _url(rule), method, roles) for rule, methods, roles in RULES
             if rule.endpoint not in PUBLIC for method in methods]


def _id(case) -> str:
    return f"{case[2]} {case[1]}"


def _request(client, method: str, url: str, csrf: str):
    kwargs = {"data": {"csrf_token": csrf}} if method != "GET" else {}
    return client.open(url, method=method, **kwargs)


def test_every_web_view_declares_its_roles_or_is_login_only_by_design():
    undeclared = sorted(rule.endpoint for rule, _, roles in RULES
                        if not rule.endpoint.startswith("api.") and rule.endpoint not in PUBLIC
                        and rule.endpoint not in LOGIN_ONLY and not roles)
    assert undeclared == [], "use roles_required/casework_required on these views (or add them to LOGIN_ONLY)"
    for endpoint in LOGIN_ONLY:  # the exceptions must still exist and must not be public
        assert any(rule.endpoint == endpoint for rule, _, _ in RULES)


def test_the_public_list_is_accurate():
    endpoints = {rule.endpoint for rule, _, _ in RULES}
    assert endpoints >= PUBLIC


@pytest.mark.parametrize("case", PROTECTED, ids=_id)
def test_anonymous_is_sent_to_login_or_gets_401(client, auth, case):
    endpoint, url, method, _roles = case
    csrf = auth.csrf_token("/login")  # so that POSTs fail on authentication, not on CSRF
    response = _request(client, method, url, csrf)
    if endpoint.startswith("api."):
        assert response.status_code == 401
        assert response.is_json
        assert response.json["error"]["code"] == "unauthorized"
        assert set(response.json["error"]) >= {"code", "message"}
    else:
        assert response.status_code == 302, response.status_code
        assert "/login" in response.headers["Location"]


FORBIDDEN = [(endpoint, url, method, roles, role) for endpoint, url, method, roles in PROTECTED
             if roles for role in ROLES if role not in roles]


@pytest.mark.parametrize("case", FORBIDDEN, ids=lambda c: f"{c[4]} {c[2]} {c[1]}")
def test_role_not_allowed_gets_403(app, org, case):
    from tests.accounts.conftest import csrf_from, post_login
    from tests.factories import UserFactory
    endpoint, url, method, roles, role = case
    user = UserFactory(role=role, organisation=org if role in ("counsellor", "team_lead") else None)
    client = app.test_client()
    assert post_login(client, user.email, PASSWORD).status_code == 302
    csrf = csrf_from(client, "/account")
    if endpoint.startswith("api."):
        from caseflow.accounts.services import create_token
        token = create_token(user, actor=None)
        response = client.open(url, method=method, headers={"Authorization": f"Bearer {token}"},
                               json={} if method != "GET" else None)
        assert response.status_code == 403
        assert response.json["error"]["code"] == "forbidden"
    else:
        response = _request(client, method, url, csrf)
        assert response.status_code == 403, response.status_code


def test_a_page_of_every_allowed_role_opens(app, org):
    """The other side of the coin: the roles a view declares do get in (GET pages without ids)."""
    from tests.accounts.conftest import post_login
    from tests.factories import UserFactory
    clients = {}
    for role in ROLES:
        user = UserFactory(role=role, organisation=org if role in ("counsellor", "team_lead") else None)
        clients[role] = app.test_client()
        post_login(clients[role], user.email, PASSWORD)
    checked = 0
    for rule, methods, roles in RULES:
        if roles and "GET" in methods and not rule.arguments and not rule.endpoint.startswith("api."):
            for role in roles:
                response = clients[role].get(rule.rule)
                # Not refused; a page may still want query parameters (422) or redirect elsewhere.
                assert response.status_code not in (401, 403, 404) and response.status_code < 500, \
                    (role, rule.rule, response.status_code)
                if response.status_code == 302:
                    assert "/login" not in response.headers["Location"], (role, rule.rule)
                checked += 1
    assert checked >= 4
