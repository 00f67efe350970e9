"""The documents domain's verbs: upload, replace, change, link, delete, download, the contract a
placement needs, retention per kind, and the deletion of every document of a person. Each is one
unit of work: it checks, writes, audits and commits once (caseflow/database.py).

Decisions (see docs/documents.md):
- A document belongs to one participant and proves at most one fact of that participant.
- Replacing a file adds a version; the old versions stay and can be downloaded.
- The same content (SHA-256 of the plain bytes) cannot be uploaded twice for one participant: the
  answer names the document that has it already (409 `duplicate_document`).
- Deleting is for team leads; a signed consent form that proves a consent is kept until the end of
  the third year after the consent was withdrawn (409 `kept_as_proof`).
- Every download and every opening of a document's page is in the access log, written before the
  first byte is sent.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import IO, Any

import sqlalchemy as sa
from flask import current_app

from caseflow.audit.services import apply_changes, record, record_changes
from caseflow.database import lock_rows, transactional, unit_of_work
from caseflow.documents import storage
from caseflow.documents.access import require_unrestricted_or_lead
from caseflow.documents.content_types import check_name
from caseflow.documents.models import ContractGap, Document, DocumentFile
from caseflow.documents.vocabulary import (
    CONSENT_PROOF_YEARS,
    CONTRACT_GAP_REASONS,
    DOCUMENT_KINDS,
    LINK_COLUMNS,
    LINKED_TYPES,
    RETENTION,
)
from caseflow.errors import Conflict, DomainError, Forbidden
from caseflow.extensions import db
from caseflow.i18n import format_day
from caseflow.measures.models import Enrolment
from caseflow.participants.models import ForeignQualification, Participant
from caseflow.placements.models import Certificate, Placement
from caseflow.privacy.models import Consent
from caseflow.translation import gettext as _
from caseflow.validation import Checker, check_version

LINK_MODELS: dict[str, Any] = {"placement": Placement, "certificate": Certificate, "enrolment": Enrolment,
                               "consent": Consent, "foreign_qualification": ForeignQualification}
FILENAME_MAX = 255


@dataclass
class Upload:
    """An uploaded file: its content as a seekable binary stream, and the name it came under."""
    stream: IO[bytes]
    filename: str | None


def limit_bytes() -> int:
    return current_app.config["MAX_DOCUMENT_MB"] * 1024 * 1024


def too_large() -> DomainError:
    mb = current_app.config["MAX_DOCUMENT_MB"]
    message = _("The file is larger than %(mb)s MB, the most Caseflow accepts. Make it smaller (for example, "
                "scan at a lower resolution or split it) and upload it again.", mb=mb)
    return DomainError(message, code="too_large", status=413, fields={"file": [message]})


def clean_filename(name: str | None) -> str:
    """The name the file came under, without any folder, control character or surrounding space."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in unicodedata.normalize("NFC", name) if unicodedata.category(c)[0] != "C").strip(" .")
    return name[:FILENAME_MAX] or "document"


def _writable(actor, participant: Participant) -> Participant:
    """Checks that `actor` may add a file to the case (restricted: the team lead only) and locks its row."""
    require_unrestricted_or_lead(actor, participant)
    lock_rows(Participant, [participant.id])
    return participant


def _changeable(participant: Participant) -> None:
    """A restricted case's documents are not changed, linked or deleted by anyone (Art. 18: kept as they are)."""
    if participant.anonymised_at is not None or participant.restricted_at is not None:
        raise Conflict(_("Processing of this case is restricted; it is read-only."), code="restricted")
    lock_rows(Participant, [participant.id])


def _checked_fields(check: Checker, participant: Participant) -> dict[str, Any]:
    kind = check.choice("kind", DOCUMENT_KINDS, required=True)
    title = check.text("title", required=True, max_length=200)
    day = check.date("date", required=True, not_after=date.today(),
                     after_message=_("The date of the document cannot be in the future."))
    links = {column: None for column in LINK_COLUMNS.values()}
    linked_type = check.choice("linked_type", LINKED_TYPES)
    linked_id = check.values.get("linked_id")
    if linked_type and linked_id is None:
        check.add("linked_id", _("Choose the record this document proves."))
    elif linked_id is not None and not linked_type:
        check.add("linked_type", _("Choose what kind of record this document proves."))
    elif linked_type and check.ok("linked_type"):
        model = LINK_MODELS[linked_type]
        found = isinstance(linked_id, int) and db.session.scalar(
            sa.select(model.id).where(model.id == linked_id, model.participant_id == participant.id))
        if check.require(bool(found), "linked_id", _("This participant has no such record.")):
            links[LINK_COLUMNS[linked_type]] = linked_id
    return {"kind": kind, "title": title, "date": day, **links}


def _store(document: Document, upload: Upload, number: int, *, actor) -> DocumentFile:
    filename = clean_filename(upload.filename)
    file_type = storage.detect_type(upload.stream)
    check_name(filename, file_type)
    file = DocumentFile(document_id=document.id, number=number, filename=filename, file_type=file_type,
                        size=0, sha256="", chunk_count=0, uploaded_by_id=getattr(actor, "id", None))
    db.session.add(file)
    db.session.flush()
    try:
        stored = storage.write_chunks(file.id, upload.stream, file_type=file_type, limit=limit_bytes())
    except storage.TooLarge:
        raise too_large() from None
    if stored.size == 0:
        raise DomainError.field("file", _("The file is empty."))
    file.size, file.sha256, file.chunk_count = stored.size, stored.sha256, stored.chunk_count
    same = db.session.execute(
        sa.select(Document.id, Document.title).join(DocumentFile, DocumentFile.document_id == Document.id)
        .where(Document.participant_id == document.participant_id, DocumentFile.sha256 == stored.sha256,
               DocumentFile.id != file.id).limit(1)).first()
    if same:
        raise Conflict(_("This file has been uploaded already, as “%(title)s”. Nothing was saved.", title=same.title),
                       code="duplicate_document", document_id=same.id)
    return file


def _audit_fields(document: Document, file: DocumentFile | None = None) -> dict[str, list]:
    changes: dict[str, list] = {"kind": [None, document.kind], "title": [None, document.title],
                                "date": [None, document.date.isoformat()]}
    if document.linked:
        changes["linked"] = [None, f"{document.linked[0]}:{document.linked[1]}"]
    if file is not None:
        changes.update({"filename": [None, file.filename], "file_type": [None, file.file_type],
                        "size": [None, file.size], "number": [None, file.number]})
    return changes


@transactional
def upload_document(participant: Participant, data: Mapping[str, Any], upload: Upload, *, actor) -> Document:
    """Stores a new document. Raises DomainError (422 fields, 422 `unsupported_type`, 413
    `too_large`), Conflict (`restricted`, `duplicate_document`)."""
    _writable(actor, participant)
    check = Checker(data, summary=_("Please correct the marked fields."))
    values = _checked_fields(check, participant)
    check.done()
    document = Document(participant_id=participant.id, created_by_id=getattr(actor, "id", None), **values)
    db.session.add(document)
    db.session.flush()
    file = _store(document, upload, 1, actor=actor)
    record("document.upload", actor=actor, obj=document, participant_id=participant.id,
           organisation_id=participant.organisation_id, changes=_audit_fields(document, file))
    return document


@transactional
def upload_documents(participant: Participant, data: Mapping[str, Any], uploads: list[Upload], *,
                     actor) -> list[Document]:
    """Several files with the same kind, date and link, all or none; with more than one file each
    title is followed by the file's name."""
    documents = []
    for upload in uploads:
        item = dict(data)
        name = clean_filename(upload.filename)
        if len(uploads) > 1 and data.get("title"):
            item["title"] = f"{data['title']} – {name}"[:200]
        try:
            documents.append(upload_document(participant, item, upload, actor=actor))
        except DomainError as exc:
            if len(uploads) > 1 and exc.fields.get("file"):
                exc.fields["file"] = [f"{name}: {m}" for m in exc.fields["file"]]
            raise
    return documents


@transactional
def replace_file(document: Document, participant: Participant, upload: Upload, *, actor) -> DocumentFile:
    """Adds a new version of the document's file; the earlier versions stay."""
    _writable(actor, participant)
    number = (db.session.scalar(sa.select(sa.func.max(DocumentFile.number))
                                .where(DocumentFile.document_id == document.id)) or 0) + 1
    file = _store(document, upload, number, actor=actor)
    document.version += 1  # a new version of the file is a change of the document
    record("document.replace", actor=actor, obj=document, participant_id=participant.id,
           organisation_id=participant.organisation_id,
           changes={"filename": [None, file.filename], "file_type": [None, file.file_type],
                    "size": [None, file.size], "number": [number - 1, number]})
    return file


@transactional
def update_document(document: Document, participant: Participant, data: Mapping[str, Any], *,
                    version: Any, actor) -> Document:
    """Changes kind, title, date and the linked record. Raises DomainError, Conflict (stale, restricted).
    Nothing to change: nothing is written (no audit entry, the version stays)."""
    _changeable(participant)
    check_version(document, version)
    check = Checker(data, summary=_("Please correct the marked fields."))
    values = _checked_fields(check, participant)
    check.done()
    record_changes("document.update", apply_changes(document, values), actor=actor, obj=document,
                   participant_id=participant.id, organisation_id=participant.organisation_id)
    return document


def proof_kept_until(document: Document) -> date | None:
    """The last day a signed consent form must be kept as proof (None: not a proof, or not any more
    needed). A form proving a consent that is still valid is kept as long as the consent lasts."""
    if document.kind != "consent_form" or document.consent_id is None:
        return None
    consent = db.session.get(Consent, document.consent_id)
    if consent is None:
        return None
    if consent.withdrawn_on is None:
        return date.max
    until = date(consent.withdrawn_on.year + CONSENT_PROOF_YEARS, 12, 31)
    return until if until >= date.today() else None


@transactional
def delete_document(document: Document, participant: Participant, *, actor) -> None:
    """Deletes a document with every version of its file, for good. Team leads only. Raises
    Forbidden, Conflict (`kept_as_proof`)."""
    if getattr(actor, "role", None) != "team_lead":
        raise Forbidden(_("Only team leads may delete documents."))
    _changeable(participant)
    until = proof_kept_until(document)
    if until == date.max:
        raise Conflict(_("This signed form proves a consent that is still valid; it is kept as long as the "
                         "consent lasts."), code="kept_as_proof")
    if until is not None:
        raise Conflict(_("This signed form proves a withdrawn consent; the law requires keeping it until "
                         "%(day)s.", day=format_day(until)), code="kept_as_proof")
    record("document.delete", actor=actor, obj=document, participant_id=participant.id,
           organisation_id=participant.organisation_id,
           changes={"kind": [document.kind, None], "title": [document.title, None],
                    "files": [len(document.files), None]})
    db.session.execute(sa.delete(Document).where(Document.id == document.id))  # files and chunks cascade
    db.session.expunge(document)


def file_of(document: Document, number: int | None) -> DocumentFile:
    from caseflow.errors import NotFound
    files = document.files
    chosen = files[-1] if number is None else next((f for f in files if f.number == number), None)
    if chosen is None:
        raise NotFound(_("No such version of this document."))
    return chosen


@transactional
def open_download(document: Document, participant: Participant, *, actor, number: int | None = None,
                  channel: str = "web") -> DocumentFile:
    """The file to send, after writing `document.download` to the access log (committed before the
    first byte goes out). Raises Conflict (`restricted`), NotFound (no such version)."""
    require_unrestricted_or_lead(actor, participant)
    file = file_of(document, number)
    record("document.download", actor=actor, obj=document, participant_id=participant.id,
           organisation_id=participant.organisation_id,
           changes={"number": [None, file.number], "channel": [None, channel]})
    return file


@transactional
def record_view(document: Document, participant: Participant, *, actor, channel: str = "web") -> None:
    """Writes `document.view` (a document's page or its API record was opened) to the access log."""
    record("document.view", actor=actor, obj=document, participant_id=participant.id,
           organisation_id=participant.organisation_id, changes={"channel": [None, channel]})


# --- the contract behind "contract seen" -----------------------------------------------------------

@transactional
def record_contract_gap(placement: Placement, participant: Participant, reason: str | None, *, actor) -> ContractGap:
    """Says why a placement with the evidence "contract seen" has no contract linked."""
    _changeable(participant)
    if reason not in CONTRACT_GAP_REASONS:
        raise DomainError.field("reason", _("Choose one of the offered values."))
    if placement.evidence != "contract_seen":
        raise Conflict(_("Only a placement whose evidence is “contract seen” needs its contract."),
                       code="no_contract_needed")
    gap = db.session.get(ContractGap, placement.id)
    old = gap.reason if gap else None
    if gap is None:
        gap = ContractGap(placement_id=placement.id, participant_id=participant.id, reason=reason,
                          recorded_by_id=actor.id)
        db.session.add(gap)
    else:
        gap.reason, gap.recorded_by_id = reason, actor.id
    record("placement.contract_gap", actor=actor, object_type="placements", object_id=placement.id,
           participant_id=participant.id, organisation_id=participant.organisation_id,
           changes={"reason": [old, reason]})
    return gap


# --- data protection -------------------------------------------------------------------------------

def erase_documents_of(participant: Participant) -> int:
    """Deletes every document of `participant` with its files and chunks, and the contract gaps
    (no commit, no audit: the anonymisation that calls it does both). Returns how many documents."""
    result = db.session.execute(sa.delete(Document).where(Document.participant_id == participant.id))
    count = getattr(result, "rowcount", 0)
    db.session.execute(sa.delete(ContractGap).where(ContractGap.participant_id == participant.id))
    return count or 0


def expired_documents(today: date | None = None) -> sa.Select:
    """Documents past the retention of their kind (vocabulary.RETENTION), case still kept."""
    today = today or date.today()
    clauses = []
    for kind, (anchor, days) in RETENTION.items():
        if anchor == "after_upload":
            clauses.append(sa.and_(Document.kind == kind, Document.created_at < _start_of(today - timedelta(days=days))))
        elif anchor == "after_exit":
            clauses.append(sa.and_(Document.kind == kind, Participant.status == "exited",
                                   Participant.exit_date < today - timedelta(days=days)))
    return (sa.select(Document.id).join(Participant, Participant.id == Document.participant_id)
            .where(sa.or_(*clauses), Participant.anonymised_at.is_(None), Participant.restricted_at.is_(None))
            .order_by(Document.id))


def _start_of(day: date):
    from datetime import UTC, datetime, time
    return datetime.combine(day, time.min, tzinfo=UTC)


def purge_expired_documents(*, dry_run: bool = False, today: date | None = None) -> int:
    """Deletes every document past its kind's retention (one unit of work per document, so that an
    interrupted run keeps what it did); audited as `document.purge` without title or name."""
    ids = list(db.session.scalars(expired_documents(today)))
    if dry_run:
        return len(ids)
    for document_id in ids:
        with unit_of_work():
            document = db.session.get(Document, document_id)
            if document is None:
                continue
            record("document.purge", obj=document, participant_id=document.participant_id,
                   organisation_id=db.session.scalar(sa.select(Participant.organisation_id)
                                                     .where(Participant.id == document.participant_id)),
                   changes={"kind": [document.kind, None]})
            db.session.execute(sa.delete(Document).where(Document.id == document_id))
            db.session.expunge(document)
    return len(ids)


# --- key rotation ----------------------------------------------------------------------------------

def rotate_key(*, batch: int = 16, progress=None) -> int:
    """Re-encrypts every chunk under the newest DOCUMENT_KEY key, committing after each batch (an
    interrupted run resumes where it stopped: chunks already under the newest key are skipped).
    Returns how many chunks were re-encrypted."""
    done = 0
    while True:
        with unit_of_work():
            n = storage.reencrypt_batch(batch)
        if not n:
            return done
        done += n
        if progress:
            progress(done)


_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def ascii_filename(name: str) -> str:
    """A safe ASCII stand-in for `name` (for the plain `filename=` of Content-Disposition)."""
    folded = unicodedata.normalize("NFKD", name.replace("ß", "ss")).encode("ascii", "ignore").decode()
    stem, dot, ext = _SAFE.sub("_", folded).strip("._").rpartition(".")
    safe = f"{stem[:80]}.{ext[:10]}" if dot and stem else (ext or stem)[:90]
    return safe or "document"
