"""Issue 20: no input gives a 500, every error answer carries the security headers, the limits are
keyed right. Each finding of the outside test is reproduced here, on both databases."""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

import config as settings
from caseflow.extensions import db
from caseflow.participants.models import Participant
from tests.factories import MeasureFactory, ParticipantFactory

NEW_PARTICIPANT = {"first_name": "Dilan", "last_name": "Aksoy", "date_of_birth": "1991-04-02", "gender": "female",
                   "nationality": "TR", "entry_date": "2025-03-01", "labour_status_at_entry": "inactive"}


def _secure(response) -> None:
    """The headers of caseflow/security.py, on whatever answer."""
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


def _api_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    _secure(response)
    error = response.json["error"]
    assert error["message"]
    if code:
        assert error["code"] == code
    return error


def _participants() -> int:
    db.session.remove()
    return db.session.scalar(sa.select(sa.func.count()).select_from(Participant))


# --- NUL bytes, control characters, lone surrogates -------------------------------------------------

def test_caseload_search_with_a_nul_byte_is_a_proper_422_page(client, auth, counsellor):
    auth.login(counsellor)
    response = client.get("/caseload?q=a%00b")
    assert response.status_code == 422
    _secure(response)
    page = response.get_data(as_text=True)
    assert "<html" in page and "NUL" in page or "Steuerzeichen" in page


@pytest.mark.parametrize("text", ["Di\x00lan", "Di\ud800lan", "Di\x07lan"])
def test_unstorable_characters_in_json_are_422_and_never_reach_the_database(api_as, counsellor, text):
    body = json.dumps({**NEW_PARTICIPANT, "first_name": text})  # \ud800 stays a lone surrogate in JSON
    response = api_as(counsellor).client.post("/api/v1/participants", data=body, content_type="application/json",
                                              headers=api_as(counsellor).headers)
    _api_error(response, 422, "validation_error")
    assert _participants() == 0


def test_unstorable_characters_in_json_keys_query_and_path_are_422(api_as, counsellor):
    api = api_as(counsellor)
    _api_error(api.post("/participants", json={**NEW_PARTICIPANT, "x\x00": 1}), 422, "validation_error")
    _api_error(api.get("/participants?q=%00"), 422, "validation_error")
    _api_error(api.get("/participants/1%00"), 422, "validation_error")
    _api_error(api.get("/reports/esf?from=2024-01-01&to=2024-12-31&ltu_rule=e%00u"), 422, "validation_error")
    assert _participants() == 0


def test_a_form_field_with_a_nul_byte_is_refused_before_csrf_and_the_view(client, auth, counsellor):
    auth.login(counsellor)
    token = auth.csrf_token("/participants/new")
    response = client.post("/participants/new", data={**NEW_PARTICIPANT, "first_name": "Di\x00lan",
                                                      "csrf_token": token})
    assert response.status_code == 422
    _secure(response)
    assert _participants() == 0


# --- ids and numbers out of range -------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/participants/2147483648", "/participants/9223372036854775808",
                                  "/participants/99999999999999999999999999", "/participants/%C2%B2",
                                  "/participants/%D9%A3"])
def test_ids_beyond_the_database_range_or_not_ascii_are_404(api_as, client, auth, counsellor, path):
    _api_error(api_as(counsellor).get(path), 404, "not_found")
    auth.login(counsellor)
    page = client.get(path)
    assert page.status_code == 404
    _secure(page)


def test_the_largest_id_is_a_plain_404(api_as, counsellor):
    _api_error(api_as(counsellor).get("/participants/2147483647"), 404, "not_found")


@pytest.mark.parametrize("query", ["page=9223372036854775807", "per_page=201", "page=0", "per_page=%C2%B2",
                                   "page=abc"])
def test_page_parameters_out_of_range_are_422(api_as, team_lead, query):
    error = _api_error(api_as(team_lead).get("/reports/completeness?" + query), 422, "validation_error")
    assert set(error["fields"]) & {"page", "per_page"}


@pytest.mark.parametrize("name", ["organisation_id", "counsellor_id", "measure_id"])
@pytest.mark.parametrize("value", ["%C2%B2", "9223372036854775808", "2147483648", "-1", "1.5"])
def test_report_filter_ids_out_of_range_are_422(api_as, team_lead, analyst, name, value):
    for user in (team_lead, analyst):
        response = api_as(user).get(f"/reports/placements?from=2024-01-01&to=2024-12-31&{name}={value}")
        assert name in _api_error(response, 422, "validation_error")["fields"]


def test_a_foreign_organisation_counsellor_or_measure_is_404_on_every_report(api_as, team_lead, other_org,
                                                                              other_counsellor):
    foreign_measure = MeasureFactory(organisation=other_org)
    api = api_as(team_lead)
    period = "from=2024-01-01&to=2024-12-31"
    for path in (f"/reports/esf?{period}&organisation_id={other_org.id}",
                 f"/reports/placements?{period}&organisation_id={other_org.id}",
                 f"/reports/completeness?organisation_id={other_org.id}",
                 f"/reports/placements?{period}&counsellor_id={other_counsellor.id}",
                 f"/reports/placements?{period}&measure_id={foreign_measure.id}"):
        _api_error(api.get(path), 404, "not_found")
    own_measure = MeasureFactory(organisation=team_lead.organisation)
    assert api.get(f"/reports/placements?{period}&measure_id={own_measure.id}").status_code == 200
    assert api.get(f"/reports/completeness?organisation_id={team_lead.organisation_id}").status_code == 200


def test_unknown_enum_values_in_report_filters_are_422(api_as, team_lead):
    api = api_as(team_lead)
    _api_error(api.get("/reports/placements?from=2024-01-01&to=2024-12-31&measure_type=foo"), 422)
    _api_error(api.get("/reports/completeness?issue=foo"), 422)


# --- JSON nesting and request size ------------------------------------------------------------------

def test_deeply_nested_json_is_400(api_as, counsellor):
    api = api_as(counsellor)
    for body in ("[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000):
        response = api.client.post("/api/v1/participants", data=body, content_type="application/json",
                                    headers=api.headers)
        _api_error(response, 400, "malformed_json")
    assert _participants() == 0


def test_brackets_inside_strings_do_not_count_as_nesting(api_as, counsellor):
    body = json.dumps({**NEW_PARTICIPANT, "first_name": "[[[[" * 20 + "Dilan"})
    response = api_as(counsellor).client.post("/api/v1/participants", data=body, content_type="application/json",
                                              headers=api_as(counsellor).headers)
    assert response.status_code != 400 or response.json["error"]["code"] != "malformed_json"


def test_a_body_over_the_limit_is_413_in_the_json_shape_and_as_a_page(app, api_as, client, auth, counsellor):
    limit = app.config["MAX_CONTENT_LENGTH"]
    assert limit == 1024 * 1024
    big = json.dumps({**NEW_PARTICIPANT, "notes": "x" * limit})
    api = api_as(counsellor)
    response = api.client.post("/api/v1/participants", data=big, content_type="application/json",
                               headers=api.headers)
    _api_error(response, 413, "too_large")
    auth.login(counsellor)
    token = auth.csrf_token("/participants/new")
    page = client.post("/participants/new", data={**NEW_PARTICIPANT, "first_name": "x" * limit, "csrf_token": token})
    assert page.status_code == 413
    _secure(page)
    assert _participants() == 0


def test_a_route_may_allow_a_larger_body(make_app):
    from caseflow.extensions import csrf
    from caseflow.security import allow_body

    config = settings.TestingConfig()
    config.MAX_CONTENT_LENGTH = 1000
    app = make_app(config)

    @app.post("/upload-test")
    @csrf.exempt
    @allow_body(5000)
    def upload_test():
        from flask import request
        return {"size": len(request.get_data())}

    @app.post("/small-test")
    @csrf.exempt
    def small_test():
        from flask import request
        return {"size": len(request.get_data())}

    client = app.test_client()
    with app.app_context():
        assert client.post("/upload-test", data=b"x" * 4000).json == {"size": 4000}
        assert client.post("/upload-test", data=b"x" * 6000).status_code == 413
        assert client.post("/small-test", data=b"x" * 2000).status_code == 413


# --- error answers: Allow, security headers, the 500 page -------------------------------------------

def test_405_carries_allow_and_the_security_headers(api_as, client, counsellor):
    response = api_as(counsellor).post("/me", json={})
    _api_error(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]
    page = client.delete("/login")
    assert page.status_code == 405
    assert "POST" in page.headers["Allow"]
    _secure(page)


def test_every_error_page_carries_the_security_headers(client, auth, counsellor):
    _secure(client.get("/no-such-page"))
    auth.login(counsellor)
    for path, status in (("/no-such-page", 404), ("/participants/2147483648", 404), ("/caseload?q=%00", 422),
                         ("/audit", 403)):
        response = client.get(path)
        assert response.status_code == status, path
        _secure(response)


def test_the_500_page_and_its_last_resort_carry_the_security_headers(make_app, monkeypatch):
    app = make_app(settings.TestingConfig())

    @app.get("/boom-test")
    def boom_test():
        raise RuntimeError("Zzyzxboom")

    @app.get("/api/v1/boom-test")
    def api_boom_test():
        raise RuntimeError("Zzyzxboom")

    client = app.test_client()
    with app.app_context():
        page = client.get("/boom-test")
        assert page.status_code == 500
        _secure(page)
        _api_error(client.get("/api/v1/boom-test"), 500, "internal_error")
        # The error page itself fails (e.g. the database is gone while the layout loads the user).
        import caseflow.errors
        monkeypatch.setattr(caseflow.errors, "render_template", lambda *a, **k: 1 / 0)
        page = client.get("/boom-test")
        assert page.status_code == 500 and "Error 500" in page.get_data(as_text=True)
        _secure(page)


def test_errors_raised_in_before_request_carry_the_security_headers(api_as, client, counsellor):
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer nonsense"})
    _api_error(response, 401, "unauthorized")
    _api_error(api_as(counsellor).get("/me?x=%00"), 422)


# --- rate limits -------------------------------------------------------------------------------------

def test_rotating_invalid_tokens_are_throttled_per_address(app, client, api_as, counsellor, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_API_AUTH_FAILURES", "5 per minute")
    statuses = [client.get("/api/v1/me", headers={"Authorization": f"Bearer invalid-{n}"}).status_code
                for n in range(8)]
    assert statuses[:5] == [401] * 5
    assert statuses[5:] == [429] * 3
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer invalid-x"})
    _api_error(response, 429, "throttled")
    assert int(response.headers["Retry-After"]) > 0
    # Another address is not affected.
    other = client.get("/api/v1/me", headers=api_as(counsellor).headers, environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200


def test_valid_tokens_do_not_count_as_failures(app, api_as, counsellor, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_API_AUTH_FAILURES", "3 per minute")
    api = api_as(counsellor)
    assert all(api.get("/me").status_code == 200 for _ in range(6))


def test_signed_in_web_requests_count_per_account_anonymous_per_address(app, counsellor, team_lead, monkeypatch):
    from tests.conftest import Auth

    first, second = app.test_client(), app.test_client()  # one address, 127.0.0.1
    Auth(first).login(counsellor)
    Auth(second).login(team_lead)
    monkeypatch.setitem(app.config, "RATELIMIT_WEB", "4 per minute")
    from caseflow.extensions import limiter
    limiter.reset()
    responses = [first.get("/account") for _ in range(5)]
    assert [r.status_code for r in responses] == [200] * 4 + [429]
    # A page carries no X-RateLimit-* headers (browsers ignore them; each costs the storage two
    # round trips); its 429 does, with Retry-After.
    assert not [k for k, _v in responses[0].headers.items() if k.lower().startswith("x-ratelimit")]
    assert responses[-1].headers["X-RateLimit-Limit"] == "4"
    assert responses[-1].headers["X-RateLimit-Remaining"] == "0"
    assert int(responses[-1].headers["Retry-After"]) > 0
    throttled = first.get("/account")
    assert throttled.status_code == 429
    _secure(throttled)
    # The colleague behind the same address has an allowance of their own.
    assert [second.get("/account").status_code for _ in range(4)] == [200] * 4
    # Anonymous requests count per address.
    anonymous = app.test_client()
    assert [anonymous.get("/login").status_code for _ in range(5)] == [200] * 4 + [429]
    other_address = app.test_client()
    assert other_address.get("/login", environ_base={"REMOTE_ADDR": "10.0.0.7"}).status_code == 200


# --- exports with characters a spreadsheet cannot hold ----------------------------------------------

def test_exports_survive_unstorable_characters_already_in_the_database(client, auth, counsellor, dialect, caplog):
    # Written before the guard existed (PostgreSQL cannot store NUL at all; other control characters it can).
    name = "Zzyzx\x00Bad" if dialect == "sqlite" else "Zzyzx\x01Bad"
    ParticipantFactory(organisation=counsellor.organisation, first_name=name, last_name="Quolm\x0bbrecht",
                       education_isced=None)
    auth.login(counsellor)
    for fmt in ("xlsx", "csv"):
        response = client.get(f"/reports/completeness.{fmt}")
        assert response.status_code == 200, fmt
        assert len(response.data) > 100
    from io import BytesIO

    from openpyxl import load_workbook
    sheet = load_workbook(BytesIO(client.get("/reports/completeness.xlsx").data)).active
    # The rows under the frozen header row (the sheet opens with a block naming the report).
    first = int("".join(ch for ch in sheet.freeze_panes if ch.isdigit()))
    names = [row[1] for row in sheet.iter_rows(min_row=first, values_only=True)]
    assert names == ["Zzyzx\ufffdBad Quolm\ufffdbrecht"]
    assert "Zzyzx" not in caplog.text


def test_participant_with_unstorable_characters_is_counted_in_the_completeness_page(client, auth, counsellor):
    ParticipantFactory(organisation=counsellor.organisation, first_name="Ok\x01", education_isced=None)
    auth.login(counsellor)
    assert client.get("/reports/completeness").status_code == 200
