"""`GET /me`, the domain API modules, and the OpenAPI document."""
from __future__ import annotations

import importlib
import importlib.util

from flask import jsonify

from caseflow.api.blueprint import bp
from caseflow.api.support import api_user

# Each domain that has an API keeps it in caseflow/<domain>/api.py with an OPENAPI_PATHS dict.
API_MODULES = ("participants", "measures", "placements", "reports", "privacy")
_loaded = [importlib.import_module(f"caseflow.{name}.api") for name in API_MODULES
           if importlib.util.find_spec(f"caseflow.{name}.api") is not None]


@bp.get("/me")
def me():
    user = api_user()
    return jsonify(id=user.id, email=user.email, name=user.name, role=user.role,
                   organisation_id=user.organisation_id)


@bp.get("/openapi.json")
def openapi():
    from caseflow.api.openapi import build_document
    return jsonify(build_document([getattr(m, "OPENAPI_PATHS", {}) for m in _loaded],
                                  [getattr(m, "OPENAPI_SCHEMAS", {}) for m in _loaded]))
