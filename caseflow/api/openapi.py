"""The OpenAPI 3 document of API v1, as flask-smorest generates it from the routes' schemas."""
from __future__ import annotations

from typing import Any

BASE_SCHEMAS = {
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {
        "type": "object", "required": ["code", "message"],
        "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                       "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
                       "candidates": {"type": "array", "items": {"type": "integer"}},
                       "matches": {"type": "array", "items": {
                           "type": "object", "required": ["id", "reasons"],
                           "properties": {"id": {"type": "integer"},
                                          "reasons": {"type": "array", "items": {"type": "string"}},
                                          "systems": {"type": "array", "items": {"type": "string"}}}}}}}}},
    "Page": {"type": "object", "required": ["items", "page", "per_page", "total"],
             "properties": {"items": {"type": "array"}, "page": {"type": "integer"},
                            "per_page": {"type": "integer", "maximum": 200}, "total": {"type": "integer"}}},
}


def build_document() -> dict[str, Any]:
    """The document flask-smorest generates from the routes' schemas, with paths relative to the
    server URL `/api/v1`."""
    from caseflow.extensions import api_docs

    generated = api_docs.spec.to_dict()
    paths: dict[str, Any] = {}
    for path, item in generated.get("paths", {}).items():
        paths[path.removeprefix("/api/v1") or "/"] = item
    schemas = dict(BASE_SCHEMAS)
    schemas.update(generated.get("components", {}).get("schemas", {}))
    components = {**generated.get("components", {}), "schemas": schemas,
                  "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}}
    return {
        "openapi": generated.get("openapi", "3.1.0"),
        "info": {"title": "Caseflow API", "version": "1",
                 "description": "Case management for labour-market integration programmes. "
                                "Dates are YYYY-MM-DD; ids are integers; lists are paginated."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": dict(sorted(paths.items())),
        "components": components,
    }
