"""Documents and data protection: the stored bytes are not the plain bytes (nowhere in the database
file or dump), key rotation keeps every document readable, the subject-access export carries the
files, anonymisation and retention leave no document and no trace, retention per kind, consent
forms kept as proof."""
from __future__ import annotations

import io
import json
import subprocess
import zipfile
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from caseflow import crypto
from caseflow.audit.models import AuditEntry
from caseflow.documents import services, storage
from caseflow.documents.models import ContractGap, Document, DocumentChunk, DocumentFile
from caseflow.extensions import db
from caseflow.privacy.models import Consent
from caseflow.privacy.services import anonymise_participant, run_retention
from tests.documents.conftest import MARKER, docx, pdf, upload
from tests.factories import ParticipantFactory

KEY_B = "QkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkI="


def _database_bytes(app) -> bytes:
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        with db.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        path = Path(url.database)
        return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
    return subprocess.run(["pg_dump", "--data-only", dsn], check=True, capture_output=True).stdout


def test_marker_is_nowhere_in_the_database_file_or_dump(app, api_as, counsellor, participant):
    api = api_as(counsellor)
    title = "Arbeitsvertrag-Titel-im-Klartext"
    assert upload(api, participant.id, pdf(size=1_500_000), title=title).status_code == 201
    assert upload(api, participant.id, docx(), filename="cv.docx", kind="cv", title="CV").status_code == 201
    db.session.remove()
    dump = _database_bytes(app)
    assert title.encode() in dump  # the check can see what is stored in the clear …
    assert MARKER not in dump      # … and the content is not


def test_key_rotation_keeps_every_document_readable_and_resumes(app, api_as, counsellor, participant):
    api = api_as(counsellor)
    old_key = app.config["DOCUMENT_KEY"]
    contents = [pdf(size=2_200_000), pdf(b"second")]
    ids = [upload(api, participant.id, c, filename=f"{i}.pdf", title=f"D{i}").json["id"] for i, c in enumerate(contents)]
    old_id = crypto.parse_keys(old_key)[0].id
    app.config["DOCUMENT_KEY"] = f"{KEY_B},{old_key}"
    try:
        new_id = crypto.current_key_id()
        assert storage.chunks_not_under(new_id) == 4
        # an interrupted run: one batch committed, then it stops
        from caseflow.database import unit_of_work
        with unit_of_work():
            assert storage.reencrypt_batch(1) == 1
        assert storage.chunks_not_under(new_id) == 3
        result = app.test_cli_runner().invoke(args=["documents", "rotate-key", "--batch", "2"])
        assert result.exit_code == 0, result.output
        assert "Re-encrypted 3 chunks" in result.output
        assert "Re-encrypted 0 TOTP secrets" in result.output  # rotate-key also covers the accounts' secrets
        assert set(db.session.scalars(sa.select(DocumentChunk.key_id))) == {new_id} != {old_id}
        # the old key can go: every document still reads
        app.config["DOCUMENT_KEY"] = KEY_B
        for doc_id, content in zip(ids, contents, strict=True):
            assert api.get(f"/documents/{doc_id}/content").data == content
        again = app.test_cli_runner().invoke(args=["documents", "rotate-key"])
        assert "Re-encrypted 0 chunks" in again.output
    finally:
        app.config["DOCUMENT_KEY"] = old_key


def test_export_contains_the_files(auth, client, api_as, counsellor, participant):
    api = api_as(counsellor)
    first = pdf(size=1_200_000)
    doc_id = upload(api, participant.id, first, filename="Vertrag Müller.pdf").json["id"]
    api.client.post(f"/api/v1/documents/{doc_id}/versions", headers=api.headers,
                    data={"file": (io.BytesIO(pdf(b"v2")), "v2.pdf")}, content_type="multipart/form-data")
    r = api.get(f"/participants/{participant.id}/export/archive")
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/zip"
    assert r.headers["Content-Disposition"].startswith("attachment;")
    with zipfile.ZipFile(io.BytesIO(r.data)) as archive:
        data = json.loads(archive.read("export.json"))
        files = {f["path"]: f for f in data["files"]}
        assert archive.read(f"documents/{doc_id}-1-Vertrag_Muller.pdf") == first
        assert archive.read(f"documents/{doc_id}-2-v2.pdf") == pdf(b"v2")
    assert len(files) == 2
    assert [d["title"] for d in data["records"]["documents"]] == ["Arbeitsvertrag"]
    assert {f["filename"] for f in data["records"]["document_files"]} == {"Vertrag Müller.pdf", "v2.pdf"}
    assert "document_chunks" not in data["records"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "case.export")) == 1
    # the page and the command line give the same archive
    auth.login(counsellor)
    assert client.get(f"/participants/{participant.id}/export.zip").status_code == 200


def _rows_mentioning(needles: list[str]) -> list[str]:
    found = []
    for table in db.metadata.sorted_tables:
        cols = [c for c in table.columns if isinstance(c.type, (sa.String, sa.Text, sa.JSON))]
        if not cols:
            continue
        for row in db.session.execute(sa.select(*cols)).mappings():
            text = json.dumps({k: v for k, v in row.items()}, ensure_ascii=False, default=str)
            found += [f"{table.name}: {n}" for n in needles if n in text]
    return found


def test_anonymisation_leaves_no_document_and_no_trace(api_as, counsellor, team_lead, participant, placement):
    api = api_as(counsellor)
    title, filename = "Vertrag-Spur-4711", "spur-4711.pdf"
    doc_id = upload(api, participant.id, pdf(size=1_100_000), filename=filename, title=title,
                    linked_type="placement", linked_id=str(placement.id)).json["id"]
    api.get(f"/documents/{doc_id}/content")
    other = ParticipantFactory(organisation=participant.organisation)
    kept = upload(api, other.id, pdf(b"someone else"), title="Nicht betroffen").json["id"]
    services.record_contract_gap(placement, participant, "to_follow", actor=counsellor)
    digest = db.session.scalar(sa.select(DocumentFile.sha256).join(Document).where(Document.id == doc_id))

    anonymise_participant(participant.id, "request of the person", actor=team_lead)

    assert db.session.scalars(sa.select(Document.id)).all() == [kept]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DocumentFile)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DocumentChunk)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ContractGap)) == 0
    assert _rows_mentioning([title, filename, digest, "spur-4711"]) == []


def test_retention_deletes_the_documents_too(api_as, counsellor, org):
    old = ParticipantFactory(organisation=org, status="exited", exit_date=date(2010, 1, 31), exit_reason="completed")
    upload(api_as(counsellor), old.id, pdf(), title="Alt")
    assert run_retention() == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DocumentChunk)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0


def test_retention_per_kind(api_as, counsellor, org, participant):
    api = api_as(counsellor)
    id_doc = upload(api, participant.id, pdf(b"id"), kind="id_document", title="Pass").json["id"]
    contract = upload(api, participant.id, pdf(b"c"), kind="contract", title="Vertrag").json["id"]
    exited = ParticipantFactory(organisation=org, status="exited", exit_date=date.today() - timedelta(days=400),
                                exit_reason="completed")
    cv = upload(api, exited.id, pdf(b"cv"), kind="cv", title="CV").json["id"]
    kept_cv = upload(api, participant.id, pdf(b"cv2"), kind="cv", title="CV aktiv").json["id"]
    from caseflow.models_base import utcnow
    db.session.execute(sa.update(Document).where(Document.id == id_doc).values(created_at=utcnow() - timedelta(days=91)))
    db.session.commit()
    assert services.purge_expired_documents(dry_run=True) == 2
    assert services.purge_expired_documents() == 2
    assert sorted(db.session.scalars(sa.select(Document.id))) == sorted([contract, kept_cv])
    assert cv not in db.session.scalars(sa.select(Document.id)).all()
    assert set(db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.action == "document.purge"))) \
        == {"document.purge"}


def test_consent_form_is_kept_as_proof(api_as, counsellor, team_lead, participant):
    consent = Consent(participant_id=participant.id, purpose="case_management", given_on=date(2024, 3, 1),
                      form="written", notice_version="1", notice_language="de")
    db.session.add(consent)
    db.session.commit()
    doc_id = upload(api_as(counsellor), participant.id, pdf(b"signed"), kind="consent_form", title="Einwilligung",
                    linked_type="consent", linked_id=str(consent.id)).json["id"]
    lead = api_as(team_lead)
    r = lead.client.delete(f"/api/v1/documents/{doc_id}", headers=lead.headers)
    assert r.status_code == 409 and r.json["error"]["code"] == "kept_as_proof"
    consent.withdrawn_on = date.today() - timedelta(days=30)
    db.session.commit()
    r = lead.client.delete(f"/api/v1/documents/{doc_id}", headers=lead.headers)
    assert r.status_code == 409 and str(date.today().year + 3) in r.json["error"]["message"]
    consent.withdrawn_on = date(date.today().year - 4, 6, 1)
    db.session.commit()
    assert lead.client.delete(f"/api/v1/documents/{doc_id}", headers=lead.headers).status_code == 204


@pytest.mark.parametrize("kind", ["contract"])
def test_export_command_writes_the_zip(app, api_as, counsellor, participant, tmp_path, kind):
    upload(api_as(counsellor), participant.id, pdf(), kind=kind)
    target = tmp_path / "export.zip"
    result = app.test_cli_runner().invoke(args=["documents", "export", participant.case_number, "--output", str(target)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(target) as archive:
        assert any(n.startswith("documents/") for n in archive.namelist())


def test_printable_export_names_the_documents_and_their_downloads(client, auth, api_as, counsellor, participant):
    api = api_as(counsellor)
    doc_id = upload(api, participant.id, pdf(), title="Arbeitsvertrag").json["id"]
    api.get(f"/documents/{doc_id}/content")
    auth.login(counsellor)
    html = client.get(f"/participants/{participant.id}/export?lang=de").get_data(as_text=True)
    assert "Dokument heruntergeladen" in html
    assert "Dateien der Dokumente (alle Fassungen)" in html and "Arbeitsvertrag" in html
    assert "document_chunks" not in html
