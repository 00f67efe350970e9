"""GET /healthz, GET /readyz, GET /metrics (docs/interfaces.md, "Operations")."""
from __future__ import annotations

import hashlib
import hmac
import logging
from pathlib import Path

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, jsonify, request

from caseflow.extensions import csrf, db, limiter
from caseflow.ops import metrics

bp = Blueprint("ops", __name__)
csrf.exempt(bp)
log = logging.getLogger("caseflow.ops")
ROOT = Path(__file__).resolve().parent.parent.parent
_HEADS = "caseflow.migration_heads"


def _plain(view):
    """Open to everyone, exempt from rate limits, and answered over plain HTTP in production too:
    the load balancer and the service manager ask the app directly, not through the TLS proxy
    (flask-talisman reads this attribute per view)."""
    view.talisman_view_options = {"force_https": False}
    return limiter.exempt(view)


@bp.get("/healthz")
@_plain
def healthz():
    """The process is up and answers requests; touches no database."""
    return jsonify(status="ok")


def migration_heads() -> frozenset[str]:
    """The head revision(s) of migrations/, read once per app."""
    heads = current_app.extensions.get(_HEADS)
    if heads is None:
        from alembic.config import Config
        from alembic.script import ScriptDirectory
        heads = frozenset(ScriptDirectory.from_config(Config(str(ROOT / "alembic.ini"))).get_heads())
        current_app.extensions[_HEADS] = heads
    return heads


@bp.get("/readyz")
@_plain
def readyz():
    """200 when the database answers and its schema is at the migrations' head; else 503. The
    answer names which check failed, never why in detail (that goes to the log)."""
    checks = {"database": "ok", "migrations": "ok"}
    try:
        with db.engine.connect() as conn:
            try:
                current = frozenset(conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars())
            except sa.exc.ProgrammingError:
                current = frozenset()
            except sa.exc.OperationalError as exc:
                # SQLite reports a missing table as an OperationalError; a lost server too
                if "no such table" not in str(exc.orig):
                    raise
                current = frozenset()
    except sa.exc.SQLAlchemyError as exc:
        log.warning("readiness: the database is unreachable (%s)", type(exc).__name__)
        checks = {"database": "unreachable", "migrations": "unknown"}
    else:
        if current != migration_heads():
            log.warning("readiness: the schema is at %s, the migrations' head is %s",
                        sorted(current) or "nothing", sorted(migration_heads()))
            checks["migrations"] = "not_at_head"
    ready = all(v == "ok" for v in checks.values())
    response = jsonify(status="ready" if ready else "not_ready", checks=checks)
    response.status_code = 200 if ready else 503
    return response


def _token_matches(sent: str, expected: str) -> bool:
    """Compared as SHA-256 digests with compare_digest: constant time, and no length leaks either."""
    return hmac.compare_digest(hashlib.sha256(sent.encode()).digest(), hashlib.sha256(expected.encode()).digest())


@bp.get("/metrics", endpoint="metrics")
@_plain
def metrics_view():
    """Prometheus text. Without METRICS_TOKEN the endpoint does not exist (404); a missing or wrong
    bearer token answers 401."""
    expected = current_app.config.get("METRICS_TOKEN")
    if not expected:
        return Response("Not Found\n", status=404, mimetype="text/plain")
    scheme, _, sent = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not _token_matches(sent.strip(), expected):
        return Response("Unauthorized\n", status=401, mimetype="text/plain",
                        headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    from caseflow.database import reports_engine
    metrics.observe_pool("primary", db.engine.pool)
    replica = reports_engine()
    if replica is not None:
        metrics.observe_pool("reports", replica.pool)
    return Response(metrics.exposition(), mimetype=None, content_type=metrics.CONTENT_TYPE)
