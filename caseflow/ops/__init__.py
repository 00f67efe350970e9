"""Operations: liveness and readiness checks, Prometheus metrics, request ids and the request log.

    GET /healthz   the process is up (no database access)
    GET /readyz    the database answers and its schema is at the migrations' head: 200, else 503
    GET /metrics   Prometheus text; `Authorization: Bearer METRICS_TOKEN` (unset token: 404)

All three are open without a login, exempt from rate limits, and answer no data. See
docs/operations.md.
"""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Call first in create_app (after logging): the request timer must start before any other
    before_request function and the request log must see the final status."""
    from caseflow.ops import request_log, views

    request_log.init_app(app)
    app.register_blueprint(views.bp)
