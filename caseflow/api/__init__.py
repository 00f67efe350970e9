"""JSON API v1: the blueprint (api/blueprint.py), the schema layer (api/schemas.py), `GET /me` and
the OpenAPI document (api/core.py). Each domain adds its routes in its own api.py (decorators on the
shared blueprint) and names that module from its init_app with `include(app, module)`; `init_app`
here registers the blueprint once every domain has added its routes."""
from __future__ import annotations

from types import ModuleType

from flask import Flask


def include(app: Flask, module: ModuleType) -> None:
    """Records that `module`'s routes are part of this app's API (create_app calls each domain's
    init_app before caseflow.api.init_app registers the blueprint)."""
    app.extensions.setdefault("caseflow_api_modules", []).append(module.__name__)


def init_app(app: Flask) -> None:
    from caseflow.api import core
    from caseflow.api.blueprint import bp
    from caseflow.extensions import api_docs

    core.register_routes()
    api_docs.init_app(app)
    api_docs.register_blueprint(bp)
