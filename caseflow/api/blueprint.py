"""The JSON API v1 blueprint: bearer-token authentication, rate limit, the error shape."""
from __future__ import annotations

import hashlib

from flask import current_app, g, request

from caseflow.accounts.services import user_for_token
from caseflow.api.schemas import CaseflowBlueprint
from caseflow.errors import DomainError
from caseflow.extensions import csrf, limiter

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


@bp.before_request
def authenticate():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    user = user_for_token(token.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        raise DomainError("A valid bearer token is required.", code="unauthorized", status=401)
    g.api_user = user
    return None
