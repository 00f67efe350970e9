"""API v1: documents (interfaces.md, "More of the API"). Calls the same services as the pages.

Uploads are multipart (`file`, `kind`, `title`, `date`, optional `linked_type` and `linked_id`).
They may be larger than the app-wide MAX_CONTENT_LENGTH: `allows_document_upload` is the platform's
`allow_body` (caseflow/security.py) with MAX_DOCUMENT_MB, read per request; the request guard applies
it before the body is parsed and answers a body beyond it with the documents' 413 (error shape, a
message that names the limit).
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask_smorest.fields import Upload as UploadField

from caseflow.api.blueprint import bp
from caseflow.api.schemas import (
    Choice,
    Date,
    Id,
    PageArgs,
    QueryId,
    Schema,
    Text,
    Timestamp,
    Version,
    errors,
    fields,
    page_of,
)
from caseflow.api.support import api_user, page_answer
from caseflow.documents import services
from caseflow.documents.access import get_document_for, participant_for
from caseflow.documents.downloads import file_response
from caseflow.documents.export import archive_response
from caseflow.documents.models import Document
from caseflow.documents.vocabulary import DOCUMENT_KINDS, FILE_TYPES, LINKED_TYPES
from caseflow.errors import DomainError
from caseflow.security import allow_body


def upload_limit() -> int:
    """The most an upload request may send: MAX_DOCUMENT_MB for the file, plus the form."""
    return services.limit_bytes() + 1024 * 1024


# The platform's request guard applies this limit before anything reads the body; beyond it, the
# service's 413 (in the error shape) says how large a file may be.
allows_document_upload = allow_body(upload_limit, too_large=services.too_large)


# --- schemas ---------------------------------------------------------------------------------------

class DocumentFileSchema(Schema):
    number = fields.Integer(dump_only=True, metadata={"description": "1 for the first upload, then 2, 3 …"})
    filename = fields.String(dump_only=True)
    content_type = fields.String(dump_only=True)
    size = fields.Integer(dump_only=True, metadata={"description": "bytes"})
    sha256 = fields.String(dump_only=True)
    uploaded_at = Timestamp(dump_only=True)


class DocumentSchema(Schema):
    id = Id(dump_only=True)
    participant_id = Id(dump_only=True)
    kind = Choice(DOCUMENT_KINDS, dump_only=True)
    title = fields.String(dump_only=True)
    date = fields.Date(dump_only=True)
    filename = fields.String(dump_only=True, metadata={"description": "of the current version"})
    content_type = fields.String(dump_only=True, metadata={"description": "read from the content"})
    size = fields.Integer(dump_only=True)
    sha256 = fields.String(dump_only=True, metadata={"description": "SHA-256 of the plain content"})
    linked_type = fields.String(dump_only=True, allow_none=True, metadata={"enum": list(LINKED_TYPES)})
    linked_id = fields.Integer(dump_only=True, allow_none=True)
    versions = fields.List(fields.Nested(DocumentFileSchema), dump_only=True)
    version = fields.Integer(dump_only=True)


class DocumentUploadForm(Schema):
    kind = Choice(DOCUMENT_KINDS, required=True)
    title = Text(max_length=200, required=True)
    date = Date(required=True)
    linked_type = Choice(LINKED_TYPES, load_default=None)
    linked_id = QueryId(load_default=None)


class DocumentFileUpload(Schema):
    file = UploadField(required=True, metadata={"description": "the file; its type is read from its content"})


class DocumentUpload(DocumentUploadForm, DocumentFileUpload):
    """The multipart body of an upload: the file and its fields, one schema so that the OpenAPI
    document describes them all."""


class DocumentPatchSchema(Schema):
    version = Version()
    kind = Choice(DOCUMENT_KINDS)
    title = Text(max_length=200)
    date = Date()
    linked_type = Choice(LINKED_TYPES, allow_none=True)
    linked_id = Id(allow_none=True)


class ContentArgs(Schema):
    version = QueryId(load_default=None, metadata={"description": "a version number (default: the newest)"})


def document_json(d: Document) -> dict[str, Any]:
    current = d.current
    linked = d.linked
    return {"id": d.id, "participant_id": d.participant_id, "kind": d.kind, "title": d.title, "date": d.date,
            "filename": current.filename, "content_type": FILE_TYPES[current.file_type][0], "size": current.size,
            "sha256": current.sha256, "linked_type": linked[0] if linked else None,
            "linked_id": linked[1] if linked else None, "version": d.version,
            "versions": [{"number": f.number, "filename": f.filename, "content_type": FILE_TYPES[f.file_type][0],
                          "size": f.size, "sha256": f.sha256, "uploaded_at": f.uploaded_at} for f in d.files]}


def _upload(files: dict[str, Any]) -> services.Upload:
    storage = files.get("file")
    if storage is None:
        raise DomainError.field("file", "This field is required.")
    return services.Upload(storage.stream, storage.filename)


# --- routes ----------------------------------------------------------------------------------------

@bp.route("/participants/<int:participant_id>/documents", methods=["POST"])
@allows_document_upload
@bp.arguments(DocumentUpload, location="form_and_files")
@bp.response(201, DocumentSchema)
@errors(403, 404, 409, 413, 422)
def documents_create(data: dict[str, Any], participant_id: int):
    """Upload a document (multipart); 413 beyond MAX_DOCUMENT_MB, 422 for a type not accepted"""
    participant = participant_for(api_user(), participant_id, allow_anonymised=False)
    upload = _upload({"file": data.pop("file", None)})
    document = services.upload_document(participant, data, upload, actor=api_user())
    return document_json(document)


@bp.route("/participants/<int:participant_id>/documents", methods=["GET"])
@bp.arguments(PageArgs, location="query")
@bp.response(200, page_of(DocumentSchema))
@errors(403, 404, 422)
def documents_list(args: dict[str, Any], participant_id: int):
    """A participant's documents, newest first"""
    from sqlalchemy.orm import selectinload
    participant = participant_for(api_user(), participant_id)
    stmt = (sa.select(Document).where(Document.participant_id == participant.id)
            .options(selectinload(Document.files)).order_by(Document.date.desc(), Document.id.desc()))
    return page_answer(stmt, args, lambda rows: [document_json(d) for d in rows])


@bp.route("/documents/<int:document_id>", methods=["GET"])
@bp.response(200, DocumentSchema)
@errors(403, 404)
def documents_get(document_id: int):
    """A document's record (written to the access log)"""
    document, participant = get_document_for(api_user(), document_id)
    services.record_view(document, participant, actor=api_user(), channel="api")
    return document_json(document)


@bp.route("/documents/<int:document_id>", methods=["PATCH"])
@bp.arguments(DocumentPatchSchema)
@bp.response(200, DocumentSchema)
@errors(400, 403, 404, 409, 422)
def documents_patch(data: dict[str, Any], document_id: int):
    """Change kind, title, date or the linked record"""
    document, participant = get_document_for(api_user(), document_id)
    linked = document.linked
    current = {"kind": document.kind, "title": document.title, "date": document.date,
               "linked_type": linked[0] if linked else None, "linked_id": linked[1] if linked else None}
    version = data.pop("version")
    services.update_document(document, participant, {**current, **data}, version=version, actor=api_user())
    return document_json(document)


@bp.route("/documents/<int:document_id>", methods=["DELETE"])
@bp.response(204)
@errors(403, 404, 409)
def documents_delete(document_id: int):
    """Delete a document with all its versions (team leads only)"""
    document, participant = get_document_for(api_user(), document_id)
    services.delete_document(document, participant, actor=api_user())


@bp.route("/documents/<int:document_id>/versions", methods=["POST"])
@allows_document_upload
@bp.arguments(DocumentFileUpload, location="files")
@bp.response(201, DocumentSchema)
@errors(403, 404, 409, 413, 422)
def documents_replace(files: dict[str, Any], document_id: int):
    """Replace the file with a new version (multipart `file`); the earlier versions stay"""
    document, participant = get_document_for(api_user(), document_id)
    services.replace_file(document, participant, _upload(files), actor=api_user())
    return document_json(document)


@bp.route("/documents/<int:document_id>/content", methods=["GET"])
@bp.arguments(ContentArgs, location="query")
@bp.response(200, description="The file, as an attachment (Content-Disposition: attachment)")
@errors(403, 404, 409, 422)
def documents_content(args: dict[str, Any], document_id: int):
    """Download the file (written to the access log)"""
    document, participant = get_document_for(api_user(), document_id)
    file = services.open_download(document, participant, actor=api_user(), number=args["version"], channel="api")
    return file_response(file)


@bp.route("/participants/<int:participant_id>/export/archive", methods=["GET"])
@bp.response(200, description="ZIP: export.json and every document's files")
@errors(403, 404, 409)
def participant_export_archive(participant_id: int):
    """Subject-access export with the files (written to the access log)"""
    participant = participant_for(api_user(), participant_id)
    return archive_response(participant, actor=api_user(), channel="api-archive")
