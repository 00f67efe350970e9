"""Request ids, one log line per request, and the request metrics.

Each request gets an id: the caller's `X-Request-ID` when it is a plain token (a proxy's id, so
its log and ours can be joined), else a new random one; it is echoed in the response's
`X-Request-ID` and carried by every log record written while the request runs.

The request log line (logger `caseflow.request`) holds the request id, the method, the Flask
endpoint and its route pattern (`/participants/<int:participant_id>`), the status and the duration:
never the path as sent, the query string, form data, names or tokens.
"""
from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, g, has_request_context, request

from caseflow.ops import metrics

log = logging.getLogger("caseflow.request")
HEADER = "X-Request-ID"
_SAFE_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def current_request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record written inside a request (None outside)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


def _start() -> None:
    g.request_started = time.perf_counter()
    sent = request.headers.get(HEADER, "")
    g.request_id = sent if _SAFE_ID.fullmatch(sent) else uuid.uuid4().hex


def _finish(response: Response) -> Response:
    started = g.pop("request_started", None)
    if started is None:  # a request that failed before our before_request ran
        return response
    seconds = time.perf_counter() - started
    endpoint = request.endpoint
    rule = request.url_rule.rule if request.url_rule is not None else None
    response.headers[HEADER] = g.request_id
    metrics.observe_request(endpoint, request.method, response.status_code, seconds)
    if endpoint != "ops.metrics":
        from caseflow.extensions import db
        metrics.observe_pool("primary", db.engine.pool)
    log.info("%s %s %s %.1f ms", request.method, rule or "-", response.status_code, seconds * 1000,
             extra={"event": "request", "method": request.method, "endpoint": endpoint or "unmatched",
                    "route": rule, "status": response.status_code,
                    "duration_ms": round(seconds * 1000, 2)})
    return response


def init_app(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_finish)
