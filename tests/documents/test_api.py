"""Documents through API v1 (and the same services the pages use): identical bytes back, type read
from the content, size limit, access rules, audit, replace, link, delete."""
from __future__ import annotations

import hashlib
import io

import pytest
import sqlalchemy as sa

from caseflow.audit.models import AuditEntry
from caseflow.documents.models import Document, DocumentChunk, DocumentFile
from caseflow.extensions import db
from caseflow.models_base import utcnow
from tests.documents.conftest import EXE, HTML, JPEG, MARKER, PNG, docx, heic, ods, odt, pdf, upload, xlsx


def test_upload_and_download_give_identical_bytes(api_as, counsellor, participant):
    api = api_as(counsellor)
    content = pdf(size=2_500_000)  # three chunks
    r = upload(api, participant.id, content, filename="Arbeitsvertrag Größe.pdf")
    assert r.status_code == 201, r.json
    body = r.json
    assert body["kind"] == "contract" and body["title"] == "Arbeitsvertrag" and body["date"] == "2024-08-20"
    assert body["filename"] == "Arbeitsvertrag Größe.pdf" and body["content_type"] == "application/pdf"
    assert body["size"] == len(content) and body["sha256"] == hashlib.sha256(content).hexdigest()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DocumentChunk)) == 3

    got = api.get(f"/documents/{body['id']}/content")
    assert got.status_code == 200
    assert got.data == content
    assert got.headers["Content-Disposition"] == (
        "attachment; filename=\"Arbeitsvertrag_Grosse.pdf\"; filename*=UTF-8''Arbeitsvertrag%20Gr%C3%B6%C3%9Fe.pdf")
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert got.headers["Cache-Control"] == "no-store"
    assert got.headers["Content-Type"] == "application/pdf"


def test_stored_chunks_are_encrypted_and_bound_to_their_place(api_as, counsellor, participant):
    api = api_as(counsellor)
    doc_id = upload(api, participant.id, pdf()).json["id"]
    chunk = db.session.scalar(sa.select(DocumentChunk))
    assert MARKER not in chunk.data and b"%PDF" not in chunk.data
    assert len(chunk.key_id) == 8
    # a chunk copied into another file's place does not decrypt there
    second = upload(api, participant.id, pdf(b"other"), filename="b.pdf").json["id"]
    other = db.session.scalar(sa.select(DocumentChunk).join(DocumentFile).where(DocumentFile.document_id == second))
    other.data = chunk.data
    db.session.commit()
    with pytest.raises(Exception, match="cannot be decrypted"):
        api.get(f"/documents/{second}/content")
    assert api.get(f"/documents/{doc_id}/content").status_code == 200


@pytest.mark.parametrize(("content", "name", "mime"), [
    (JPEG, "foto.jpg", "image/jpeg"), (PNG, "scan.png", "image/png"), (heic(), "IMG_0001.HEIC", "image/heic"),
    (docx(), "cv.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (xlsx(), "liste.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (odt(), "brief.odt", "application/vnd.oasis.opendocument.text"),
    (ods(), "liste.ods", "application/vnd.oasis.opendocument.spreadsheet"),
    ("Übersetzung: Zeugnis der Berufsschule\n".encode(), "notiz.txt", "text/plain; charset=utf-8"),
    (pdf(), "no-extension", "application/pdf"),
])
def test_accepted_types_are_read_from_the_content(api_as, counsellor, participant, content, name, mime):
    r = upload(api_as(counsellor), participant.id, content, filename=name, kind="other")
    assert r.status_code == 201, r.json
    assert r.json["content_type"] == mime


@pytest.mark.parametrize(("content", "name"), [
    (HTML, "vertrag.pdf"),                              # an HTML page renamed .pdf
    (HTML, "vertrag.txt"),                              # … or .txt
    (EXE, "vertrag.pdf"),                               # an executable
    (EXE, "setup.exe"),
    (b"#!/bin/sh\nrm -rf /\n", "script.txt"),           # a script is text, but not accepted
    (b"\xff\xfe" + "nicht UTF-8".encode("utf-16-le"), "text.txt"),
    (b"plain words\x00with a NUL", "text.txt"),
    (zipped := __import__("tests.documents.conftest", fromlist=["zipped"]).zipped({"a.txt": b"x"}), "x.docx"),
    (JPEG, "bild.pdf"),                                 # the name says PDF, the content is JPEG
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "logo.png"),
])
def test_other_types_are_refused(api_as, counsellor, participant, content, name):
    r = upload(api_as(counsellor), participant.id, content, filename=name)
    assert r.status_code == 422, r.json
    assert r.json["error"]["fields"]["file"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DocumentChunk)) == 0


def test_text_that_breaks_utf8_after_the_first_chunk_is_refused(api_as, counsellor, participant):
    content = b"a" * (1024 * 1024 + 10) + b"\xc3\x28"
    r = upload(api_as(counsellor), participant.id, content, filename="long.txt")
    assert r.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DocumentChunk)) == 0


def test_macro_documents_are_refused(api_as, counsellor, participant):
    from tests.documents.conftest import zipped
    content = zipped({"[Content_Types].xml": b"<T/>", "word/document.xml": b"<d/>", "word/vbaProject.bin": b"x"})
    r = upload(api_as(counsellor), participant.id, content, filename="cv.docm")
    assert r.status_code == 422 and r.json["error"]["code"] == "unsupported_type"
    assert "Makros" in r.json["error"]["message"]  # German is the default language


def test_size_limit_answers_413_with_a_clear_message(app, api_as, counsellor, participant):
    api = api_as(counsellor)
    app.config["MAX_DOCUMENT_MB"] = 1
    try:
        r = upload(api, participant.id, pdf(size=1024 * 1024 + 1))
        assert r.status_code == 413
        assert r.json["error"]["code"] == "too_large" and "1 MB" in r.json["error"]["message"]
        # a body far beyond the limit is refused before it is read
        r = upload(api, participant.id, pdf(size=3 * 1024 * 1024))
        assert r.status_code == 413 and "1 MB" in r.json["error"]["message"]
        assert upload(api, participant.id, pdf(size=1024 * 1024)).status_code == 201
    finally:
        app.config["MAX_DOCUMENT_MB"] = 20
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 1


def test_uploads_beyond_the_app_wide_body_limit_are_allowed(app, api_as, counsellor, participant):
    """The platform sets MAX_CONTENT_LENGTH (about 1 MB) for every request; document uploads set
    their own limit."""
    before = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    try:
        assert upload(api_as(counsellor), participant.id, pdf(size=3 * 1024 * 1024)).status_code == 201
    finally:
        app.config["MAX_CONTENT_LENGTH"] = before  # the app is shared by the whole session


def test_duplicate_upload_is_refused(api_as, counsellor, participant):
    api = api_as(counsellor)
    first = upload(api, participant.id, pdf()).json["id"]
    r = upload(api, participant.id, pdf(), filename="again.pdf", title="Noch einmal")
    assert r.status_code == 409 and r.json["error"]["code"] == "duplicate_document"
    assert r.json["error"]["document_id"] == first


def test_other_organisations_document_is_404_and_analysts_403(api_as, counsellor, other_counsellor, analyst,
                                                               admin, participant, foreign_participant):
    doc_id = upload(api_as(counsellor), participant.id, pdf()).json["id"]
    foreign = api_as(other_counsellor)
    assert foreign.get(f"/documents/{doc_id}").status_code == 404
    assert foreign.get(f"/documents/{doc_id}/content").status_code == 404
    assert foreign.get(f"/participants/{participant.id}/documents").status_code == 404
    assert upload(foreign, participant.id, pdf(b"x")).status_code == 404
    for user in (analyst, admin):
        api = api_as(user)
        assert api.get(f"/documents/{doc_id}").status_code == 403
        assert api.get(f"/documents/{doc_id}/content").status_code == 403
        assert upload(api, participant.id, pdf(b"y")).status_code == 403
    assert api_as(counsellor).get("/documents/2147483648").status_code == 404
    assert api_as(counsellor).get("/participants/2147483648/documents").status_code == 404
    assert upload(api_as(counsellor), 2147483648, pdf(b"z")).status_code == 404


def test_downloads_and_views_are_in_the_access_log(api_as, counsellor, participant):
    api = api_as(counsellor)
    doc_id = upload(api, participant.id, pdf()).json["id"]
    api.get(f"/documents/{doc_id}")
    api.get(f"/documents/{doc_id}/content")
    entries = db.session.execute(sa.select(AuditEntry.action, AuditEntry.participant_id, AuditEntry.actor_id)
                                 .where(AuditEntry.action.startswith("document.")).order_by(AuditEntry.id)).all()
    assert [e.action for e in entries] == ["document.upload", "document.view", "document.download"]
    assert all(e.participant_id == participant.id and e.actor_id == counsellor.id for e in entries)


def test_restricted_case_refuses_uploads_and_downloads_except_for_the_team_lead(api_as, counsellor, team_lead,
                                                                                participant):
    doc_id = upload(api_as(counsellor), participant.id, pdf()).json["id"]
    participant.restricted_at = utcnow()
    participant.restriction_reason = "Art. 18"
    db.session.commit()
    api = api_as(counsellor)
    assert api.get(f"/documents/{doc_id}/content").status_code == 409
    assert upload(api, participant.id, pdf(b"new")).status_code == 409
    lead = api_as(team_lead)
    assert lead.get(f"/documents/{doc_id}/content").status_code == 200
    assert upload(lead, participant.id, pdf(b"new")).status_code == 201


def test_replace_keeps_the_old_version(api_as, counsellor, participant):
    api = api_as(counsellor)
    doc_id = upload(api, participant.id, pdf(b"v1")).json["id"]
    r = api.client.post(f"/api/v1/documents/{doc_id}/versions", headers=api.headers,
                        data={"file": (io.BytesIO(pdf(b"v2")), "vertrag-v2.pdf")}, content_type="multipart/form-data")
    assert r.status_code == 201
    assert [v["number"] for v in r.json["versions"]] == [1, 2] and r.json["filename"] == "vertrag-v2.pdf"
    assert api.get(f"/documents/{doc_id}/content").data == pdf(b"v2")
    assert api.get(f"/documents/{doc_id}/content?version=1").data == pdf(b"v1")


def test_link_to_a_record_of_the_participant_only(api_as, counsellor, participant, placement, foreign_participant):
    from caseflow.placements.models import Placement
    api = api_as(counsellor)
    r = upload(api, participant.id, pdf(), linked_type="placement", linked_id=str(placement.id))
    assert r.status_code == 201 and (r.json["linked_type"], r.json["linked_id"]) == ("placement", placement.id)
    foreign = Placement(participant_id=foreign_participant.id, type="employment", start_date=placement.start_date)
    db.session.add(foreign)
    db.session.commit()
    r = upload(api, participant.id, pdf(b"2"), linked_type="placement", linked_id=str(foreign.id))
    assert r.status_code == 422 and "linked_id" in r.json["error"]["fields"]
    r = upload(api, participant.id, pdf(b"3"), linked_type="placement")
    assert r.status_code == 422 and "linked_id" in r.json["error"]["fields"]


def test_patch_and_delete(api_as, counsellor, team_lead, participant, placement):
    api = api_as(counsellor)
    doc = upload(api, participant.id, pdf()).json
    r = api.patch(f"/documents/{doc['id']}", json={"version": doc["version"], "linked_type": "placement",
                                                   "linked_id": placement.id, "title": "Vertrag"})
    assert r.status_code == 200 and r.json["linked_id"] == placement.id and r.json["title"] == "Vertrag"
    assert api.patch(f"/documents/{doc['id']}", json={"version": doc["version"], "title": "x"}).status_code == 409
    assert api.client.delete(f"/api/v1/documents/{doc['id']}", headers=api.headers).status_code == 403
    lead = api_as(team_lead)
    assert lead.client.delete(f"/api/v1/documents/{doc['id']}", headers=lead.headers).status_code == 204
    for model in (Document, DocumentFile, DocumentChunk):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(model)) == 0
    assert db.session.scalar(sa.select(AuditEntry.action).order_by(AuditEntry.id.desc()).limit(1)) == "document.delete"


def test_list_is_paginated(api_as, counsellor, participant):
    api = api_as(counsellor)
    for i in range(3):
        assert upload(api, participant.id, pdf(str(i).encode()), title=f"Doc {i}").status_code == 201
    r = api.get(f"/participants/{participant.id}/documents?per_page=2")
    assert r.status_code == 200 and r.json["total"] == 3 and len(r.json["items"]) == 2
    assert api.get(f"/participants/{participant.id}/documents?per_page=201").status_code == 422


def test_openapi_describes_the_document_routes(api_as, counsellor):
    doc = api_as(counsellor).get("/openapi.json").json
    assert "/participants/{participant_id}/documents" in doc["paths"]
    assert "multipart/form-data" in doc["paths"]["/participants/{participant_id}/documents"]["post"]["requestBody"]["content"]
    assert "/documents/{document_id}/content" in doc["paths"]


def test_a_patch_that_changes_nothing_keeps_the_version(api_as, counsellor, participant, patch_rule):
    """The rule of every PATCH (patch_rule in tests/conftest.py): read-only fields and the current
    values change nothing, so nothing is written."""
    api = api_as(counsellor)
    created = upload(api, participant.id, pdf()).json
    sent_back = {k: v for k, v in created.items() if k != "version"}
    body = patch_rule(api, f"/documents/{created['id']}", version=1, same=sent_back,
                      change={"title": "Arbeitsvertrag (Kopie)"}, actions=("document.update",))
    assert body == created
