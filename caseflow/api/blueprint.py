"""The JSON API v1 blueprint: bearer-token authentication, rate limit, the error shape."""
from __future__ import annotations

import hashlib
import time

from flask import current_app, g, request
from limits import parse

from caseflow.accounts.services import user_for_token
from caseflow.api.schemas import CaseflowBlueprint
from caseflow.errors import DomainError
from caseflow.extensions import csrf, limiter
from caseflow.translation import gettext as _

# One blueprint for all of API v1 (endpoints `api.*`); each domain adds its routes in its own api.py,
# which the domain's init_app imports.
bp = CaseflowBlueprint("api", __name__, url_prefix="/api/v1")
# The API authenticates by bearer token only (cookies are ignored), so there is no ambient
# authority for a cross-site request to abuse: CSRF protection is not needed here.
csrf.exempt(bp)

PUBLIC_ENDPOINTS = {"api.openapi"}


def _rate_key() -> str:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return "token:" + hashlib.sha256(header[7:].encode()).hexdigest()[:32]
    return "addr:" + (request.remote_addr or "unknown")


limiter.limit(lambda: current_app.config["RATELIMIT_DEFAULT"], key_func=_rate_key)(bp)


# Failed authentications count per client address as well: a client that sends a new invalid token
# each time is not limited by the per-token limit above. Beyond this many failures a minute, the
# address gets 429 for any token until the window has passed (valid tokens from the same address
# included: nothing can be learnt by guessing, and a real client does not fail that often).
AUTH_FAILURES_DEFAULT = "60 per minute"
_FAILURES = "api-auth-failures"


def _failure_limit():
    return parse(current_app.config.get("RATELIMIT_API_AUTH_FAILURES") or AUTH_FAILURES_DEFAULT)


def _throttled(limit, address: str) -> DomainError:
    stats = limiter.limiter.get_window_stats(limit, _FAILURES, address)
    retry = max(1, int(stats.reset_time - time.time()) + 1)
    error = DomainError(_("Too many failed authentications from this address. Wait a moment and try again."),
                        code="throttled", status=429)
    error.headers["Retry-After"] = str(retry)
    return error


@bp.before_request
def authenticate():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    address = request.remote_addr or "unknown"
    limit = _failure_limit() if limiter.enabled else None
    if limit is not None and not limiter.limiter.test(limit, _FAILURES, address):
        raise _throttled(limit, address)
    header = request.headers.get("Authorization", "")
    scheme, _space, token = header.partition(" ")
    user = user_for_token(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
    if user is None:
        if limit is not None:
            limiter.limiter.hit(limit, _FAILURES, address)
        raise DomainError(_("A valid bearer token is required."), code="unauthorized", status=401)
    g.api_user = user
    return None
