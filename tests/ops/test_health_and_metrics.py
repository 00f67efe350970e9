"""GET /healthz, /readyz and /metrics (interfaces.md, "Operations"; issue 19, item 5)."""
from __future__ import annotations

import re

import sqlalchemy as sa

from caseflow.extensions import db
from caseflow.ops import metrics


def test_healthz_answers_without_login_and_without_the_database(make_app, tmp_path):
    broken = make_app(f"sqlite:///{tmp_path}/missing/folder/caseflow.sqlite3")
    response = broken.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}
    assert "Set-Cookie" not in response.headers


def test_readyz_is_200_when_the_database_answers_and_is_at_head(client, at_head):
    response = client.get("/readyz")
    assert response.status_code == 200, response.json
    assert response.json == {"status": "ready", "checks": {"database": "ok", "migrations": "ok"}}


def test_readyz_is_503_when_the_schema_is_behind(client, at_head):
    with db.engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0001'"))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json == {"status": "not_ready", "checks": {"database": "ok", "migrations": "not_at_head"}}


def test_readyz_is_503_without_any_migration_record(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["migrations"] == "not_at_head"


def test_readyz_is_503_when_the_database_is_unreachable(make_app, tmp_path):
    broken = make_app(f"sqlite:///{tmp_path}/missing/folder/caseflow.sqlite3")
    response = broken.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json == {"status": "not_ready", "checks": {"database": "unreachable", "migrations": "unknown"}}


def test_metrics_does_not_exist_without_a_token(client):
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 404


def test_metrics_requires_the_bearer_token(make_app):
    client = make_app(METRICS_TOKEN="s3cret-metrics-token").test_client()
    for header in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Bearer s3cret-metrics-token-x"},
                   {"Authorization": "Basic s3cret-metrics-token"}, {"Authorization": "s3cret-metrics-token"}):
        response = client.get("/metrics", headers=header)
        assert response.status_code == 401, header
        assert "caseflow_http" not in response.get_data(as_text=True)
    ok = client.get("/metrics", headers={"Authorization": "Bearer s3cret-metrics-token"})
    assert ok.status_code == 200
    assert ok.content_type.startswith("text/plain; version=0.0.4")


def test_metrics_count_requests_per_endpoint_never_per_path(make_app, auth, counsellor, org):
    from tests.conftest import Auth
    from tests.factories import ParticipantFactory
    app = make_app(METRICS_TOKEN="tok-123456")
    client = app.test_client()
    participant = ParticipantFactory(organisation=org)
    Auth(client).login(counsellor)
    before = _sample(client, "caseflow_http_requests_total",
                     endpoint="participants.case_file", method="GET", status="200")
    for _ in range(3):
        assert client.get(f"/participants/{participant.id}").status_code == 200
    assert client.get("/no/such/page/path-canary").status_code == 404
    text = client.get("/metrics", headers={"Authorization": "Bearer tok-123456"}).get_data(as_text=True)
    after = _value(text, "caseflow_http_requests_total", endpoint="participants.case_file", method="GET", status="200")
    assert after - before == 3
    assert _value(text, "caseflow_http_request_duration_seconds_count",
                  endpoint="participants.case_file", method="GET") >= 3
    assert _value(text, "caseflow_http_requests_total", endpoint="unmatched", method="GET", status="404") >= 1
    # Labels are endpoint names, never paths (ids); a number could appear inside a timestamp.
    assert "/participants/" not in text and "path-canary" not in text
    assert 'caseflow_db_pool_connections{database="primary",state="checked_out"}' in text or \
        db.engine.dialect.name == "sqlite" and "caseflow_db_pool_connections" in text


def test_the_job_hook_counts_runs_and_failures(make_app):
    client = make_app(METRICS_TOKEN="tok-123456").test_client()
    with metrics.job_run("drill_job"):
        pass
    try:
        with metrics.job_run("drill_job"):
            raise RuntimeError("job broke")
    except RuntimeError:
        pass
    text = client.get("/metrics", headers={"Authorization": "Bearer tok-123456"}).get_data(as_text=True)
    assert _value(text, "caseflow_job_runs_total", job="drill_job", outcome="ok") >= 1
    assert _value(text, "caseflow_job_runs_total", job="drill_job", outcome="failed") >= 1
    assert _value(text, "caseflow_job_last_success_timestamp_seconds", job="drill_job") > 0


def test_a_request_id_is_echoed_or_made(client):
    sent = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a9c2e-0001"})
    assert sent.headers["X-Request-ID"] == "lb-7f3a9c2e-0001"
    made = client.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{32}", made.headers["X-Request-ID"])
    # Something that is not a plain token (could be a log-injection attempt or a name) is replaced.
    odd = client.get("/healthz", headers={"X-Request-ID": "Amira Haddad; forged=1"})
    assert re.fullmatch(r"[0-9a-f]{32}", odd.headers["X-Request-ID"])


def _labels(**labels: str) -> str:
    return ",".join(f'{k}="{v}"' for k, v in labels.items())


def _value(text: str, name: str, **labels: str) -> float:
    wanted = set(_labels(**labels).split(","))
    for line in text.splitlines():
        match = re.fullmatch(rf"{name}\{{(.*)\}} (\S+)", line)
        if match and wanted <= set(match.group(1).split(",")):
            return float(match.group(2))
    return 0.0


def _sample(client, name: str, **labels: str) -> float:
    text = client.get("/metrics", headers={"Authorization": "Bearer tok-123456"}).get_data(as_text=True)
    return _value(text, name, **labels)


def test_production_answers_the_checks_over_plain_http(make_app, monkeypatch, at_head):
    """The load balancer asks the host directly over HTTP; everything else is sent to HTTPS."""
    from config import ProductionConfig
    for name in ("SECRET_KEY", "DOCUMENT_KEY", "PSEUDONYM_KEY"):
        monkeypatch.setenv(name, "eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHg=")
    client = make_app(config=ProductionConfig(), METRICS_TOKEN="tok-123456").test_client()
    assert client.get("/healthz", base_url="http://10.0.0.5:8000").status_code == 200
    assert client.get("/readyz", base_url="http://10.0.0.5:8000").status_code == 200
    assert client.get("/metrics", base_url="http://10.0.0.5:8000",
                      headers={"Authorization": "Bearer tok-123456"}).status_code == 200
    assert client.get("/login", base_url="http://10.0.0.5:8000").status_code in (301, 302)
