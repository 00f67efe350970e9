"""docs/interfaces.md: "The OpenAPI document the project serves must describe all of it" -- the
multipart uploads too, with every field a client sends."""
from __future__ import annotations


def _multipart_properties(doc, path):
    body = doc["paths"][path]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in body, body
    schema = body["multipart/form-data"]["schema"]
    if "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return set(schema["properties"])


def test_openapi_describes_the_import_upload_as_multipart_with_file_and_dry_run(client):
    doc = client.get("/api/v1/openapi.json").json
    assert {"file", "dry_run"} <= _multipart_properties(doc, "/imports")


def test_openapi_describes_every_field_of_the_document_upload(client):
    doc = client.get("/api/v1/openapi.json").json
    assert {"file", "kind", "title", "date", "linked_type", "linked_id"} <= _multipart_properties(
        doc, "/participants/{participant_id}/documents")
