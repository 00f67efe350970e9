"""JSON API v1: the blueprint (api/blueprint.py), the schema layer (api/schemas.py), `GET /me` and
the OpenAPI document (api/core.py). Each domain adds its routes in its own api.py, imported by the
domain's init_app; `init_app` here registers the blueprint once every domain has added its routes."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from caseflow.api import core
    from caseflow.api.blueprint import bp
    from caseflow.extensions import api_docs

    core.register_routes()
    api_docs.init_app(app)
    api_docs.register_blueprint(bp)
