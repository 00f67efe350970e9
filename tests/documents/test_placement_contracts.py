"""The employment contract inside the placement form and on the placement's row: stored through the
documents service (kind `contract`, linked to the placement) in the placement's own unit of work —
a refused file leaves no placement, a refused placement leaves no file — and shown on the row of the
case file's placements section with the audited download, or the reason why there is none."""
from __future__ import annotations

import io
import re

import sqlalchemy as sa

from caseflow.audit.models import AuditEntry
from caseflow.documents.models import ContractGap, Document, DocumentFile
from caseflow.extensions import db
from caseflow.measures.models import Employer
from caseflow.placements.models import Placement
from tests.documents.conftest import HTML, pdf

FIELDS = {"type": "employment", "employer_id": "", "employer_name": "Kiezküche Reuterplatz GmbH",
          "job_title": "Beiköchin", "start_date": "2024-09-02", "weekly_hours": "30", "contract": "permanent",
          "country": "DE", "matches_qualification": "", "enrolment_id": "", "evidence": ""}


def post_placement(client, auth, path, content: bytes | None, filename="Arbeitsvertrag.pdf", token_from=None,
                   **fields):
    data = {"csrf_token": auth.csrf_token(token_from or path), **FIELDS, "contract_date": "2024-08-20", **fields}
    if content is not None:
        data["contract_file"] = (io.BytesIO(content), filename)
    return client.post(path, data=data, content_type="multipart/form-data")


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def placement_row(html: str, placement_id: int) -> str:
    """The placements table's row of `placement_id` (found by its edit link)."""
    rows = re.findall(r"<tr>(.*?)</tr>", html, re.S)
    return next(r for r in rows if f"/placements/{placement_id}/edit" in r)


def test_a_contract_recorded_with_the_placement_is_on_its_row_and_downloads_unchanged(
        client, auth, counsellor, participant):
    auth.login(counsellor)
    path = f"/participants/{participant.id}/placements/new"
    form = client.get(path).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in form and 'name="contract_file"' in form and "20 MB" in form
    content = pdf(b"Arbeitsvertrag Beik\xc3\xb6chin", size=300_000)
    r = post_placement(client, auth, path, content)
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/participants/{participant.id}/placements")

    placement = db.session.scalar(sa.select(Placement))
    document = db.session.scalar(sa.select(Document))
    assert (document.kind, document.placement_id, document.participant_id) == ("contract", placement.id, participant.id)
    assert document.date.isoformat() == "2024-08-20"
    assert "Kiezküche Reuterplatz GmbH" in document.title and "Beiköchin" in document.title
    assert document.current.filename == "Arbeitsvertrag.pdf" and document.current.size == len(content)
    assert placement.evidence == "contract_seen"  # a contract in hand: the evidence, when none was chosen
    actions = list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions[-2:] == ["placement.create", "document.upload"]

    html = client.get(f"/participants/{participant.id}/placements").get_data(as_text=True)
    row = placement_row(html, placement.id)
    assert document.title in row and "PDF" in row
    download = f"/documents/{document.id}/download"
    assert f'href="{download}"' in row and f'href="/documents/{document.id}"' in row
    answer = client.get(download)
    assert answer.status_code == 200 and answer.data == content
    assert answer.headers["Content-Disposition"].startswith("attachment;")
    assert db.session.scalar(sa.select(AuditEntry.action).order_by(AuditEntry.id.desc()).limit(1)) == "document.download"
    # and in the documents section, as the evidence of the placement
    documents = client.get(f"/participants/{participant.id}/documents").get_data(as_text=True)
    evidence = re.search(r'data-testid="contract-evidence">(.*?)</li>', documents, re.S).group(1)
    assert document.title in evidence


def test_a_refused_file_leaves_no_placement(client, auth, counsellor, participant):
    auth.login(counsellor)
    path = f"/participants/{participant.id}/placements/new"
    r = post_placement(client, auth, path, HTML, filename="vertrag.pdf")
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert 'id="contract_file-error"' in html and "Datei erneut" in html
    assert (count(Placement), count(Document), count(DocumentFile), count(Employer)) == (0, 0, 0, 0)
    assert not db.session.scalar(sa.select(AuditEntry.id).where(AuditEntry.action.in_(
        ["placement.create", "document.upload", "employer.create"])))


def test_a_too_large_file_leaves_no_placement(app, client, auth, counsellor, participant):
    auth.login(counsellor)
    path = f"/participants/{participant.id}/placements/new"
    before = app.config["MAX_CONTENT_LENGTH"]
    app.config.update(MAX_DOCUMENT_MB=1, MAX_CONTENT_LENGTH=512 * 1024)
    try:
        # beyond the file limit: the documents' 413, next to the field
        r = post_placement(client, auth, path, pdf(size=1024 * 1024 + 5))
        assert r.status_code == 413 and "größer als 1 MB" in r.get_data(as_text=True)
        assert 'id="contract_file-error"' in r.get_data(as_text=True)
        # beyond the request's limit: refused before the form is read, with the same message
        r = post_placement(client, auth, path, pdf(size=4 * 1024 * 1024))
        assert r.status_code == 413 and "größer als 1 MB" in r.get_data(as_text=True)
        assert (count(Placement), count(Document), count(Employer)) == (0, 0, 0)
        # within the file limit, above the app-wide body limit: both saved
        assert post_placement(client, auth, path, pdf(size=900 * 1024)).status_code == 302
        assert (count(Placement), count(Document)) == (1, 1)
    finally:
        app.config.update(MAX_DOCUMENT_MB=20, MAX_CONTENT_LENGTH=before)  # the app is shared by the session


def test_a_refused_placement_leaves_no_document(client, auth, counsellor, participant):
    auth.login(counsellor)
    path = f"/participants/{participant.id}/placements/new"
    r = post_placement(client, auth, path, pdf(), start_date="")
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert 'id="start_date-error"' in html and "Datei erneut" in html
    assert (count(Placement), count(Document), count(DocumentFile)) == (0, 0, 0)
    # a file without the day the contract was signed: nothing either
    r = post_placement(client, auth, path, pdf(), contract_date="")
    assert r.status_code == 422 and 'id="contract_date-error"' in r.get_data(as_text=True)
    assert (count(Placement), count(Document)) == (0, 0)


def test_the_same_file_twice_is_refused_with_its_placement(client, auth, counsellor, participant, placement):
    auth.login(counsellor)
    path = f"/participants/{participant.id}/placements/new"
    assert post_placement(client, auth, path, pdf(b"once")).status_code == 302
    r = post_placement(client, auth, path, pdf(b"once"), start_date="2024-10-01")
    assert r.status_code == 409 and 'id="contract_file-error"' in r.get_data(as_text=True)
    assert (count(Placement), count(Document)) == (2, 1)  # the fixture's placement and the first


def test_editing_a_placement_adds_its_contract(client, auth, counsellor, participant, placement):
    auth.login(counsellor)
    html = client.get(f"/participants/{participant.id}/placements").get_data(as_text=True)
    row = placement_row(html, placement.id)
    assert "Vertrag fehlt" in row and f"link=placement:{placement.id}" in row
    path = f"/placements/{placement.id}/edit"
    edit = client.get(path).get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in edit and 'name="contract_file"' in edit
    fields = {"employer_name": "Spreewerk GmbH", "job_title": "Elektronikerin", "start_date": "2024-09-01",
              "weekly_hours": "", "contract": "", "evidence": "contract_seen"}
    # a stale version: neither the change nor the file
    r = post_placement(client, auth, path, pdf(b"stale"), version=str(placement.version + 5), **fields)
    assert r.status_code == 409 and count(Document) == 0
    # nothing else changed: the contract alone is added
    r = post_placement(client, auth, path, pdf(b"signed"), version=str(placement.version), **fields)
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/participants/{participant.id}/placements")
    document = db.session.scalar(sa.select(Document))
    assert (document.kind, document.placement_id) == ("contract", placement.id)
    row = placement_row(client.get(f"/participants/{participant.id}/placements").get_data(as_text=True), placement.id)
    assert "Vertrag fehlt" not in row and f"/documents/{document.id}/download" in row
    assert client.get(f"/documents/{document.id}/download").data == pdf(b"signed")
    # the same file again: said next to the file field (not as someone else's save), nothing changed
    db.session.refresh(placement)
    r = post_placement(client, auth, path, pdf(b"signed"), version=str(placement.version),
                       **{**fields, "job_title": "Elektronikerin (Meisterin)"})
    html = r.get_data(as_text=True)
    assert r.status_code == 409 and 'id="contract_file-error"' in html and "bereits hochgeladen" in html
    assert "Jemand anderes" not in html
    db.session.refresh(placement)
    assert placement.job_title == "Elektronikerin" and count(Document) == 1


def test_the_row_says_why_no_contract_is_linked(client, auth, counsellor, participant, placement):
    auth.login(counsellor)
    r = client.post(f"/placements/{placement.id}/contract-gap",
                    data={"csrf_token": auth.csrf_token(f"/participants/{participant.id}/documents"),
                          "placement_id": placement.id, "reason": "seen_on_site"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/participants/{participant.id}/documents")
    assert db.session.get(ContractGap, placement.id).reason == "seen_on_site"
    row = placement_row(client.get(f"/participants/{participant.id}/placements").get_data(as_text=True), placement.id)
    assert "kein Vertrag verknüpft" in row and "Beim Arbeitgeber eingesehen" in row and "Vertrag fehlt" not in row


def test_another_organisations_placement_takes_no_file(client, auth, other_counsellor, participant, placement):
    auth.login(other_counsellor)
    r = post_placement(client, auth, f"/participants/{participant.id}/placements/new", pdf(), token_from="/caseload")
    assert r.status_code == 404
    r = post_placement(client, auth, f"/placements/{placement.id}/edit", pdf(), token_from="/caseload",
                       version=str(placement.version))
    assert r.status_code == 404
    assert (count(Placement), count(Document)) == (1, 0)


def test_the_placement_rows_load_their_contracts_in_constant_queries(client, auth, counsellor, participant,
                                                                      count_queries):
    from datetime import date

    from caseflow.placements import services
    from caseflow.placements.contracts import ContractUpload

    def record(day: int) -> None:
        services.record_placement(
            participant, {"type": "employment", "employer_name": f"Betrieb {day}", "start_date": date(2024, 9, day)},
            actor=counsellor, contract=ContractUpload(io.BytesIO(pdf(b"%d" % day)), f"v{day}.pdf", date(2024, 8, day)))

    record(1)
    auth.login(counsellor)
    path = f"/participants/{participant.id}/placements"
    client.get(path)
    with count_queries() as few:
        client.get(path)
    for day in range(2, 8):
        record(day)
    with count_queries() as many:
        html = client.get(path).get_data(as_text=True)
    assert many.count <= few.count
    assert html.count("/download\"") == 7 and count(Document) == 7
