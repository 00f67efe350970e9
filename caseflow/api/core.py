"""`GET /me` and `GET /openapi.json`."""
from __future__ import annotations

import functools

from flask import jsonify

from caseflow.api.blueprint import bp
from caseflow.api.schemas import Id, Schema, errors, fields
from caseflow.api.support import api_user
from caseflow.vocabulary import ROLES


class MeSchema(Schema):
    id = Id(dump_only=True)
    email = fields.String(dump_only=True)
    name = fields.String(dump_only=True)
    role = fields.String(dump_only=True, metadata={"enum": list(ROLES)})
    organisation_id = fields.Integer(dump_only=True, allow_none=True)


@functools.cache  # once per process: the API blueprint is module-global
def register_routes() -> None:
    """Adds /me and /openapi.json to the API blueprint (once per process)."""

    @bp.route("/me", methods=["GET"])
    @bp.response(200, MeSchema)
    @errors()
    def me():
        """The token's account"""
        return api_user()

    @bp.route("/openapi.json", methods=["GET"])
    @bp.doc(security=[], summary="This document",
            responses={"200": {"description": "The OpenAPI 3.1 document of API v1",
                               "content": {"application/json": {"schema": {"type": "object"}}}}})
    def openapi():
        from caseflow.api.openapi import build_document
        return jsonify(build_document())
