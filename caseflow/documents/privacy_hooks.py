"""What the documents domain adds to the privacy domain's walks (privacy never imports documents):

- the subject-access export leaves the encrypted chunks out of its JSON (they are the files, which
  the ZIP export of documents/export.py carries);
- anonymisation and retention delete every document of the person, its files and chunks, before
  the privacy walk scrubs the audit entries about them: no trace is left in any table.
"""
from __future__ import annotations

from caseflow.documents.services import erase_documents_of


def register() -> None:
    from caseflow.privacy import anonymisation, tables
    tables.CONTENT_TABLES.add("document_chunks")
    if erase_documents_of not in anonymisation.ERASERS:
        anonymisation.ERASERS.append(erase_documents_of)
