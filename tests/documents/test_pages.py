"""The documents pages: upload without JavaScript (several files, the hint names the types and the
size), the case file's panel grouped by kind with the linked fact, the contract behind "contract
seen", the document's page (view logged), download, replace, delete; refusals shown clearly."""
from __future__ import annotations

import io
import re

import sqlalchemy as sa

from caseflow.audit.models import AuditEntry
from caseflow.documents.models import ContractGap, Document, DocumentFile
from caseflow.extensions import db
from tests.documents.conftest import HTML, JPEG, pdf


def post_upload(client, auth, participant_id, files, **fields):
    path = f"/participants/{participant_id}/documents/new"
    data = {"csrf_token": auth.csrf_token(path), "kind": "contract", "title": "Arbeitsvertrag",
            "date": "2024-08-20", "link": "", **fields,
            "files": [(io.BytesIO(content), name) for content, name in files]}
    return client.post(path, data=data, content_type="multipart/form-data")


def test_upload_form_names_types_and_size_and_works_without_javascript(client, auth, counsellor, participant):
    auth.login(counsellor)
    html = client.get(f"/participants/{participant.id}/documents/new").get_data(as_text=True)
    # Without JavaScript: no inline script; the one deferred file only enhances (focus, menu).
    assert 'enctype="multipart/form-data"' in html and "<script>" not in html
    assert "PDF, JPEG, PNG, HEIC, DOCX, XLSX, ODT, ODS" in html and "20 MB" in html
    r = post_upload(client, auth, participant.id, [(pdf(), "vertrag.pdf"), (JPEG, "seite2.jpg")])
    assert r.status_code == 302
    titles = sorted(db.session.scalars(sa.select(Document.title)))
    assert titles == ["Arbeitsvertrag – seite2.jpg", "Arbeitsvertrag – vertrag.pdf"]


def test_refused_type_is_shown_next_to_the_field_and_nothing_is_saved(client, auth, counsellor, participant):
    auth.login(counsellor)
    r = post_upload(client, auth, participant.id, [(pdf(), "gut.pdf"), (HTML, "vertrag.pdf")])
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert 'id="files-error"' in html and "vertrag.pdf" in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0


def test_too_large_upload_says_so_even_with_the_app_wide_body_limit(app, client, auth, counsellor, participant):
    auth.login(counsellor)
    before = app.config["MAX_CONTENT_LENGTH"]
    app.config.update(MAX_DOCUMENT_MB=1, MAX_CONTENT_LENGTH=512 * 1024)
    try:
        # beyond the per-file limit: the service's 413, next to the field
        r = post_upload(client, auth, participant.id, [(pdf(size=1024 * 1024 + 5), "gross.pdf")])
        assert r.status_code == 413 and "größer als 1 MB" in r.get_data(as_text=True)
        # beyond the whole request's limit: refused before the form is read, with the same message
        r = post_upload(client, auth, participant.id, [(pdf(size=12 * 1024 * 1024), "riesig.pdf")])
        assert r.status_code == 413 and "größer als 1 MB" in r.get_data(as_text=True)
        # within the limit but above the app-wide body limit: accepted
        assert post_upload(client, auth, participant.id, [(pdf(size=900 * 1024), "ok.pdf")]).status_code == 302
    finally:
        app.config.update(MAX_DOCUMENT_MB=20, MAX_CONTENT_LENGTH=before)  # the app is shared by the session


def test_upload_without_csrf_is_refused(client, auth, counsellor, participant):
    auth.login(counsellor)
    r = client.post(f"/participants/{participant.id}/documents/new", content_type="multipart/form-data",
                    data={"kind": "cv", "title": "x", "date": "2024-01-01", "files": [(io.BytesIO(pdf()), "a.pdf")]})
    assert r.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0


def test_panel_groups_by_kind_with_the_linked_fact_and_placement_links_its_contract(
        client, auth, counsellor, participant, placement):
    auth.login(counsellor)
    page = client.get(f"/participants/{participant.id}/documents").get_data(as_text=True)
    assert "contract missing" in page.lower() or "Vertrag fehlt" in page
    r = post_upload(client, auth, participant.id, [(pdf(), "vertrag.pdf")], link=f"placement:{placement.id}")
    assert r.status_code == 302
    post_upload(client, auth, participant.id, [(pdf(b"cv"), "cv.pdf")], kind="cv", title="Lebenslauf")
    page = client.get(f"/participants/{participant.id}/documents").get_data(as_text=True)
    panel = page[page.index('id="documents-panel"'):]
    panel = panel[:panel.index("</section>")]
    # grouped by kind, in the vocabulary's order: CV before the contract
    assert panel.index('id="documents-cv"') < panel.index('id="documents-contract"')
    assert "Spreewerk GmbH" in panel and "Arbeitsvertrag" in panel
    evidence = re.search(r'data-testid="contract-evidence">(.*?)</li>', panel, re.S).group(1)
    assert "Arbeitsvertrag" in evidence and "Vertrag fehlt" not in evidence


def test_a_placement_without_its_contract_says_why(client, auth, counsellor, participant, placement):
    auth.login(counsellor)
    path = f"/placements/{placement.id}/contract-gap"
    r = client.post(path, data={"csrf_token": auth.csrf_token(f"/participants/{participant.id}"),
                                "placement_id": placement.id, "reason": "copy_not_allowed"})
    assert r.status_code == 302
    assert db.session.get(ContractGap, placement.id).reason == "copy_not_allowed"
    page = client.get(f"/participants/{participant.id}/documents").get_data(as_text=True)
    assert "keine Kopie" in page or "did not allow a copy" in page


def test_document_page_download_replace_and_delete(client, auth, counsellor, team_lead, participant):
    auth.login(counsellor)
    post_upload(client, auth, participant.id, [(pdf(b"v1"), "vertrag.pdf")])
    doc_id = db.session.scalar(sa.select(Document.id))
    html = client.get(f"/documents/{doc_id}").get_data(as_text=True)
    assert "vertrag.pdf" in html and "Arbeitsvertrag" in html
    r = client.get(f"/documents/{doc_id}/download")
    assert r.data == pdf(b"v1") and r.headers["Content-Disposition"].startswith("attachment;")
    path = f"/documents/{doc_id}/replace"
    r = client.post(path, content_type="multipart/form-data",
                    data={"csrf_token": auth.csrf_token(f"/documents/{doc_id}"), "file": (io.BytesIO(pdf(b"v2")), "v2.pdf")})
    assert r.status_code == 302
    assert sorted(db.session.scalars(sa.select(DocumentFile.number))) == [1, 2]
    assert client.get(f"/documents/{doc_id}/download?version=1").data == pdf(b"v1")
    # counsellors do not delete
    r = client.post(f"/documents/{doc_id}/delete", data={"csrf_token": auth.csrf_token(f"/documents/{doc_id}")})
    assert r.status_code == 403
    auth.logout()
    auth.login(team_lead)
    r = client.post(f"/documents/{doc_id}/delete", data={"csrf_token": auth.csrf_token(f"/documents/{doc_id}")})
    assert r.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Document)) == 0
    actions = list(db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.action.startswith("document."))
                                      .order_by(AuditEntry.id)))
    assert actions == ["document.upload", "document.view", "document.download", "document.view", "document.replace",
                       "document.download", "document.view", "document.view", "document.delete"]


def test_other_organisation_and_analyst(client, auth, counsellor, other_counsellor, analyst, participant):
    auth.login(counsellor)
    post_upload(client, auth, participant.id, [(pdf(), "vertrag.pdf")])
    doc_id = db.session.scalar(sa.select(Document.id))
    auth.logout()
    auth.login(other_counsellor)
    assert client.get(f"/documents/{doc_id}").status_code == 404
    assert client.get(f"/documents/{doc_id}/download").status_code == 404
    auth.logout()
    auth.login(analyst)
    assert client.get(f"/documents/{doc_id}/download").status_code == 403


def _case_with_documents(org, counsellor, last_name: str, n: int):
    """A case with `n` entries of each kind the header and the case file read, and `n` documents."""
    from datetime import date

    from caseflow.documents import services
    from tests.case_header import add_history
    from tests.factories import ParticipantFactory

    p = ParticipantFactory(organisation=org, counsellor=counsellor, last_name=last_name)
    add_history(p, org, counsellor, n)
    for i in range(n):
        services.upload_documents(p, {"kind": "cv", "title": f"Lebenslauf {i}", "date": date(2024, 5, 1),
                                      "linked_type": None, "linked_id": None},
                                  [services.Upload(io.BytesIO(pdf(f"{p.id}-{i}".encode())), f"cv{i}.pdf")],
                                  actor=counsellor)
    return p


def test_upload_page_shows_the_case_header_in_a_constant_number_of_statements(client, auth, counsellor, org,
                                                                              count_queries):
    """The upload page is about one case, like the note form: it shows the case file's summary
    header instead of a plain line, its facts come with the participant's row, and the statements
    do not grow with the case's history (records a document can prove, documents, notes, tasks)."""
    from tests.case_header import assert_case_header, statements_of

    short = _case_with_documents(org, counsellor, "Kurz", 1)
    long = _case_with_documents(org, counsellor, "Lang", 5)
    auth.login(counsellor)
    short_counts, _ = statements_of(client, count_queries, [f"/participants/{short.id}/documents/new"])
    long_counts, (html,) = statements_of(client, count_queries, [f"/participants/{long.id}/documents/new"])
    assert long_counts == short_counts
    assert_case_header(html, long, "Dokumente hochladen")
    assert f'href="/participants/{long.id}/documents"' in html       # Cancel, and the header's section

    # a refused file: the form again under the header, its title saying so as the record forms do
    r = post_upload(client, auth, long.id, [(HTML, "vertrag.pdf")])
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert_case_header(html, long, "Dokumente hochladen")
    assert "<title>Fehler: Dokumente hochladen – " in html


def test_document_page_shows_the_case_header_in_a_constant_number_of_statements(client, auth, counsellor, org,
                                                                                count_queries):
    """The document's page is about one case: it shows the case file's summary header, whose facts
    come with the participant's row (get_document_with), and its statements do not grow with the
    case's history; a refused change of its details shows the page again under the header."""
    from tests.case_header import assert_case_header, statements_of

    paths = {}
    for name, n in (("Kurz", 1), ("Lang", 5)):
        p = _case_with_documents(org, counsellor, name, n)
        paths[name] = (p, f"/documents/{db.session.scalar(sa.select(sa.func.max(Document.id)))}")
    long, path = paths["Lang"]
    auth.login(counsellor)
    short_counts, _ = statements_of(client, count_queries, [paths["Kurz"][1]])
    long_counts, (html,) = statements_of(client, count_queries, [path])
    assert long_counts == short_counts
    assert_case_header(html, long, "Lebenslauf 4")
    assert f'href="/participants/{long.id}/documents"' in html       # the header's section, as before the link

    r = client.post(path + "/edit", data={"csrf_token": auth.csrf_token(path), "kind": "cv", "title": "",
                                          "date": "2024-05-01", "link": "", "version": "1"})
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert_case_header(html, long, "Lebenslauf 4")
    assert "<title>Fehler: Lebenslauf 4 – " in html
