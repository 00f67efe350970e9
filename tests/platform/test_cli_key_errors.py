"""docs/interfaces.md, "Command line": a command that fails prints one clear line on standard error and
exits non-zero, also when the failure is a document key (DOCUMENT_KEY) rather than a domain rule."""
from __future__ import annotations

import base64
import io

import pytest


def _key(byte: bytes) -> str:
    return base64.urlsafe_b64encode(byte * 32).decode()


@pytest.mark.parametrize("value", ["short", "not base64!"])
def test_rotate_key_with_a_malformed_document_key_fails_in_one_line(app, monkeypatch, value):
    monkeypatch.setitem(app.config, "DOCUMENT_KEY", value)
    result = app.test_cli_runner().invoke(args=["documents", "rotate-key"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.exception
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "DOCUMENT_KEY" in lines[0], result.stderr


def test_rotate_key_without_the_old_key_fails_in_one_line(app, monkeypatch, api_as, counsellor):
    from tests.factories import ParticipantFactory
    participant = ParticipantFactory(organisation=counsellor.organisation)
    monkeypatch.setitem(app.config, "DOCUMENT_KEY", _key(b"o"))
    api = api_as(counsellor)
    r = api.client.post(
        f"/api/v1/participants/{participant.id}/documents", headers=api.headers,
        data={"kind": "cv", "title": "CV", "date": "2024-03-01",
              "file": (io.BytesIO(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"), "cv.pdf")},
        content_type="multipart/form-data")
    assert r.status_code == 201, r.json
    # The operator drops the old key before rotating: the chunks under it cannot be read.
    monkeypatch.setitem(app.config, "DOCUMENT_KEY", _key(b"n"))
    result = app.test_cli_runner().invoke(args=["documents", "rotate-key"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.exception
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "DOCUMENT_KEY" in lines[0], result.stderr
