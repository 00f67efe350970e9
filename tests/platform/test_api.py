"""API skeleton: bearer tokens, the error shape, malformed JSON, rate limit, OpenAPI document."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import Blueprint, jsonify

import config as settings
from caseflow.accounts.models import ApiToken
from caseflow.api.support import json_body
from caseflow.extensions import csrf, db
from caseflow.models_base import utcnow


def _assert_error_shape(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status
    assert response.is_json
    body = response.json
    assert set(body) == {"error"}
    assert isinstance(body["error"]["code"], str) and body["error"]["code"]
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if code:
        assert body["error"]["code"] == code
    return body["error"]


def test_me_answers_the_tokens_account(api_as, team_lead):
    response = api_as(team_lead).get("/me")
    assert response.status_code == 200
    assert response.json == {"id": team_lead.id, "email": team_lead.email, "name": team_lead.name,
                             "role": "team_lead", "organisation_id": team_lead.organisation_id}


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer nonsense", "Bearer cf_" + "x" * 43,
                                    "Basic dXNlcjpwYXNz", "bearer"])
def test_missing_or_bad_token_is_401(client, counsellor, header):
    headers = {"Authorization": header} if header else {}
    response = client.get("/api/v1/me", headers=headers)
    _assert_error_shape(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_is_401(api_as, counsellor):
    api = api_as(counsellor)
    assert api.get("/me").status_code == 200
    db.session.execute(sa.update(ApiToken).values(revoked_at=utcnow()))
    db.session.commit()
    _assert_error_shape(api.get("/me"), 401, "unauthorized")


def test_token_of_deactivated_account_is_401(api_as, counsellor):
    api = api_as(counsellor)
    counsellor.active = False
    db.session.commit()
    _assert_error_shape(api.get("/me"), 401)


def test_session_cookie_does_not_authenticate_the_api(client, auth, counsellor):
    auth.login(counsellor)
    _assert_error_shape(client.get("/api/v1/me"), 401)


def test_tokens_are_stored_hashed(api_as, counsellor):
    api = api_as(counsellor)
    token = api.headers["Authorization"].split(" ", 1)[1]
    stored = db.session.scalar(sa.select(ApiToken.token_hash))
    assert stored != token and token not in stored and len(stored) == 64


def test_unknown_api_path_and_wrong_method_use_the_error_shape(api_as, counsellor):
    api = api_as(counsellor)
    _assert_error_shape(api.get("/no-such-thing"), 404, "not_found")
    _assert_error_shape(api.post("/me", json={}), 405)


def test_rate_limit_answers_429_with_retry_after(app, api_as, counsellor, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_DEFAULT", "3 per minute")
    api = api_as(counsellor)
    for remaining in (2, 1, 0):
        response = api.get("/me")
        assert response.status_code == 200
        # API clients can pace themselves.
        assert response.headers["X-RateLimit-Limit"] == "3"
        assert response.headers["X-RateLimit-Remaining"] == str(remaining)
    response = api.get("/me")
    _assert_error_shape(response, 429, "throttled")
    assert int(response.headers["Retry-After"]) > 0


def test_openapi_document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json
    assert doc["openapi"].startswith("3.")
    assert doc["info"]["title"] and doc["info"]["version"]
    assert "/me" in doc["paths"] and "get" in doc["paths"]["/me"]
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    assert "Error" in doc["components"]["schemas"]
    # Every $ref points at a schema that exists.
    import json
    import re
    for ref in set(re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', json.dumps(doc))):
        assert ref in doc["components"]["schemas"], ref


def test_openapi_describes_every_api_route(app, client):
    import re
    doc = client.get("/api/v1/openapi.json").json
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.rule.startswith("/api/v1/"):
            # The same path with the same parameter names (<int:measure_id> is {measure_id}).
            path = re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", r"{\1}", rule.rule[len("/api/v1"):])
            assert path in doc["paths"], f"{rule.rule} is not in the OpenAPI document as {path}"
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                operation = doc["paths"][path].get(method.lower())
                assert operation, f"{method} {rule.rule} is not in the OpenAPI document"
                named = {p["name"] for p in [*operation.get("parameters", []), *doc["paths"][path].get("parameters", [])]
                         if p.get("in") == "path"}
                assert named == set(rule.arguments), f"{method} {path}: path parameters {named}"


def test_lists_document_the_422_of_page_and_per_page(client, api_as, counsellor):
    doc = client.get("/api/v1/openapi.json").json
    lists = [(path, method, operation) for path, item in doc["paths"].items() for method, operation in item.items()
             if isinstance(operation, dict)
             and {"page", "per_page"} <= {p.get("name") for p in operation.get("parameters", [])}]
    assert len(lists) > 10
    for path, method, operation in lists:
        assert "422" in operation["responses"], f"{method.upper()} {path} does not document its 422"
    assert api_as(counsellor).get("/participants?per_page=201").status_code == 422


def test_every_schema_has_a_name_of_its_own(make_app):
    import warnings
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        make_app(settings.TestingConfig())
    assert [str(w.message) for w in seen if "Multiple schemas resolved" in str(w.message)] == []


# --- malformed JSON, through a tiny blueprint on an app instance of its own -----------------------

@pytest.fixture
def json_app(make_app):
    probe = Blueprint("json_probe", __name__, url_prefix="/api/probe")
    csrf.exempt(probe)

    @probe.post("/echo")
    def echo():
        return jsonify(json_body())

    config = settings.TestingConfig()
    application = make_app(config)
    application.register_blueprint(probe)
    return application


@pytest.mark.parametrize("body, content_type", [
    ("{not json", "application/json"),
    ("[1, 2]", "application/json"),
    ('"text"', "application/json"),
    ("", "application/json"),
    ("a=b", "application/x-www-form-urlencoded"),
])
def test_malformed_json_is_400_with_the_error_shape(json_app, body, content_type):
    response = json_app.test_client().post("/api/probe/echo", data=body, content_type=content_type)
    _assert_error_shape(response, 400, "malformed_json")


def test_well_formed_json_object_passes(json_app):
    response = json_app.test_client().post("/api/probe/echo", json={"a": 1})
    assert response.status_code == 200 and response.json == {"a": 1}
