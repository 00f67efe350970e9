"""The OpenAPI 3 document of API v1, assembled from each domain's OPENAPI_PATHS and OPENAPI_SCHEMAS."""
from __future__ import annotations

import re
from typing import Any

ERROR_RESPONSES = {
    "400": {"description": "Malformed JSON", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
    "401": {"description": "No token or a bad one", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
    "403": {"description": "The role may not do this", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
    "404": {"description": "No such object, or not visible to this account", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
    "409": {"description": "Stale version or state conflict", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
    "422": {"description": "Invalid field values", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
    "429": {"description": "Throttled", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
}


def errors(*codes: str) -> dict[str, Any]:
    return {c: ERROR_RESPONSES[c] for c in codes}


def ok(schema_ref: str, status: str = "200", description: str = "OK") -> dict[str, Any]:
    return {status: {"description": description,
                     "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}}}}


def page_of(schema_ref: str) -> dict[str, Any]:
    return {"200": {"description": "A page of results", "content": {"application/json": {"schema": {
        "allOf": [{"$ref": "#/components/schemas/Page"},
                  {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": f"#/components/schemas/{schema_ref}"}}}}]}}}}}


def body(schema_ref: str) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}}}


PAGE_PARAMS = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}},
]


def id_param(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer"}}


BASE_SCHEMAS = {
    "Error": {"type": "object", "required": ["error"], "properties": {"error": {
        "type": "object", "required": ["code", "message"],
        "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                       "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
                       "candidates": {"type": "array", "items": {"type": "integer"}}}}}},
    "Page": {"type": "object", "required": ["items", "page", "per_page", "total"],
             "properties": {"items": {"type": "array"}, "page": {"type": "integer"},
                            "per_page": {"type": "integer", "maximum": 200}, "total": {"type": "integer"}}},
}



def _route(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", path)


def build_document(path_parts: list[dict], schema_parts: list[dict]) -> dict[str, Any]:
    """The document flask-smorest generates from the routes' schemas, with paths relative to the
    server URL `/api/v1`, plus the hand-written parts of routes not yet described by schemas."""
    from caseflow.extensions import api_docs

    generated = api_docs.spec.to_dict()
    paths: dict[str, Any] = {}
    for path, item in generated.get("paths", {}).items():
        paths[path.removeprefix("/api/v1") or "/"] = item
    schemas = dict(BASE_SCHEMAS)
    schemas.update(generated.get("components", {}).get("schemas", {}))
    for part in path_parts:
        for path in part:
            # A hand-written part replaces what flask-smorest documented of the same route (an
            # operation without answers), even when it names the path's parameters differently.
            for other in [p for p in paths if _route(p) == _route(path)]:
                del paths[other]
        paths.update(part)
    for part in schema_parts:
        schemas.update(part)
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
