"""What the documents domain adds to the privacy domain's walks (privacy never imports documents):

- the subject-access export leaves the encrypted chunks out of its JSON (they are the files, which
  the ZIP export of documents/export.py carries);
- anonymisation and retention delete every document of the person, its files and chunks, before
  the privacy walk scrubs the audit entries about them: no trace is left in any table.
"""
from __future__ import annotations

from caseflow.documents.services import erase_documents_of
from caseflow.translation import lazy_gettext as _l

# Headings and column names of the printable subject-access export (privacy/labels.py falls back to
# the raw name for what it does not know).
TABLE_LABELS = {"documents": _l("Documents"), "document_files": _l("Files of the documents (every version)"),
                "contract_gaps": _l("Placements without a copy of the contract")}
COLUMN_LABELS = {"filename": _l("file name"), "file_type": _l("file type"), "size": _l("size in bytes"),
                 "sha256": _l("checksum (SHA-256)"), "number": _l("version"), "chunk_count": _l("stored pieces"),
                 "uploaded_at": _l("uploaded at"), "uploaded_by_name": _l("uploaded by"), "date": _l("date"),
                 "certificate_id": _l("qualification"), "consent_id": _l("consent"),
                 "foreign_qualification_id": _l("foreign qualification"), "document_id": _l("document")}


def register() -> None:
    from caseflow.privacy import anonymisation, labels, tables
    for name, label in TABLE_LABELS.items():
        labels.TABLE_LABELS.setdefault(name, label)
    for name, label in COLUMN_LABELS.items():
        labels.COLUMN_LABELS.setdefault(name, label)
    tables.CONTENT_TABLES.add("document_chunks")
    if erase_documents_of not in anonymisation.ERASERS:
        anonymisation.ERASERS.append(erase_documents_of)
