"""Structured request logs: one JSON line per request with its id, endpoint, route, method, status
and duration; never a name, a query string or a path with the values sent (issue 19, item 5)."""
from __future__ import annotations

import json
import logging

from caseflow.logging_setup import JsonFormatter, log_format

CANARY = "Zzyzxopscanary"


def _json_lines(caplog) -> list[dict]:
    formatter = JsonFormatter()
    return [json.loads(formatter.format(r)) for r in caplog.records]


def test_production_logs_are_json_by_default(make_app, monkeypatch):
    monkeypatch.delenv("LOG_FORMAT", raising=False)
    app = make_app()
    assert log_format(app) == "text"
    app.config["ENV_NAME"] = "production"
    assert log_format(app) == "json"
    app.config["LOG_FORMAT"] = "text"
    assert log_format(app) == "text"


def test_each_request_is_one_json_line_without_the_canary(client, auth, api_as, counsellor, org, caplog):
    from tests.factories import ParticipantFactory
    caplog.set_level(logging.DEBUG)
    participant = ParticipantFactory(organisation=org, first_name=CANARY, last_name=CANARY + "son")
    auth.login(counsellor)
    assert client.get(f"/participants/{participant.id}", headers={"X-Request-ID": "req-canary-0001"}).status_code == 200
    assert client.get(f"/caseload?q={CANARY}&sort=name").status_code in (200, 302)
    api = api_as(counsellor)
    assert api.get(f"/participants?q={CANARY.lower()}").status_code == 200
    assert api.patch(f"/participants/{participant.id}", json={"version": 999, "first_name": CANARY}).status_code == 409

    lines = _json_lines(caplog)
    text = "\n".join(json.dumps(line) for line in lines)
    assert CANARY.lower() not in text.lower()
    requests = [line for line in lines if line.get("event") == "request"]
    case_file = next(line for line in requests if line.get("request_id") == "req-canary-0001")
    assert case_file["endpoint"] == "participants.case_file"
    assert case_file["route"] == "/participants/<int:participant_id>"
    assert case_file["method"] == "GET" and case_file["status"] == 200
    assert case_file["duration_ms"] >= 0
    assert case_file["logger"] == "caseflow.request" and case_file["level"] == "INFO"
    api_line = next(line for line in requests if line.get("endpoint", "").startswith("api.")
                    and line["method"] == "PATCH")
    assert api_line["status"] == 409
    assert all("?" not in (line.get("route") or "") for line in requests)
    assert f"/participants/{participant.id}" not in text  # the route pattern only, never the path sent


def test_an_unexpected_error_is_logged_with_the_request_id(client, auth, counsellor, org, caplog, monkeypatch):
    from caseflow.privacy import views
    from tests.factories import ParticipantFactory
    participant = ParticipantFactory(organisation=org, first_name=CANARY)

    def broken(*args, **kwargs):
        raise RuntimeError("export broke")

    monkeypatch.setattr(views.services, "export_participant", broken)
    auth.login(counsellor)
    caplog.set_level(logging.INFO)
    response = client.get(f"/participants/{participant.id}/export", headers={"X-Request-ID": "req-broken-0001"})
    assert response.status_code == 500
    assert response.headers["X-Request-ID"] == "req-broken-0001"
    lines = _json_lines(caplog)
    error = next(line for line in lines if line.get("exc_type") == "RuntimeError")
    assert error["request_id"] == "req-broken-0001"
    assert CANARY.lower() not in json.dumps(lines).lower()
