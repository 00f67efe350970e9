"""`POST /imports` (multipart: `file`, `dry_run`), `GET /imports/{id}`, `POST /imports/{id}/undo`
(interfaces.md). Team leads of the organisation; another organisation's batch is 404."""
from __future__ import annotations

import json
from typing import Any

from flask_smorest.fields import Upload

from caseflow.api.blueprint import bp
from caseflow.api.schemas import Flag, Id, Schema, Timestamp, errors, fields
from caseflow.api.support import api_user
from caseflow.errors import DomainError
from caseflow.extensions import db
from caseflow.imports import services
from caseflow.imports.models import BATCH_STATUSES, ImportBatch
from caseflow.imports.progress import progress_of
from caseflow.translation import gettext as _


class ImportFileSchema(Schema):
    file = Upload(required=True, metadata={"description": "the workbook: XLSX, or CSV (comma or semicolon)"})


class ImportFormSchema(Schema):
    dry_run = Flag(load_default=True, metadata={"description": "check only, write nothing (default true)"})
    mapping = fields.String(load_default=None, metadata={
        "description": 'JSON {"sheet": {"header": "field or empty to ignore"}} for headers that match no field'})
    accept_duplicates = Flag(load_default=False, metadata={"description": "import possible duplicates as new people"})
    skip_invalid = Flag(load_default=False, metadata={"description": "import the valid participants, skip the rest"})


class ImportUploadSchema(ImportFormSchema, ImportFileSchema):
    """The multipart body of `POST /imports`: the workbook and the options, one schema so that the
    OpenAPI document describes them all."""


class CountsSchema(Schema):
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    errors = fields.Integer(metadata={"description": "rows with at least one error"})


class RowErrorSchema(Schema):
    sheet = fields.String()
    row = fields.Integer(metadata={"description": "row number in the sheet (1: the header row; 0: the file)"})
    column = fields.String()
    message = fields.String()
    external_id = fields.String(allow_none=True)


class DuplicateSchema(Schema):
    sheet = fields.String()
    row = fields.Integer()
    external_id = fields.String()
    candidates = fields.List(fields.Integer(), metadata={"description": "ids of similar participants already registered"})
    rows = fields.List(fields.Integer(), metadata={"description": "rows of similar people in the same file"})


class ImportSchema(Schema):
    id = Id(dump_only=True)
    status = fields.String(metadata={"enum": list(BATCH_STATUSES)})
    dry_run = fields.Function(lambda b: b.mode == "check")
    file_name = fields.String()
    created_at = Timestamp()
    counts = fields.Function(lambda b: {k: (b.counts or {}).get(k, 0) for k in ("created", "updated", "unchanged", "errors")},
                             metadata={"description": "created, updated, unchanged, errors"})
    errors = fields.Function(lambda b: [{k: e.get(k) for k in ("sheet", "row", "column", "message", "external_id")}
                                        for e in (b.errors or [])])
    duplicates = fields.Function(services.duplicates_explained, metadata={"description": (
        "possible duplicates, one per participant row: sheet, row, external_id, candidates (ids of "
        "registered participants), rows (rows of the file); matches (one per candidate: id, reasons, "
        "systems for a transliteration, explanation: the reasons in the reader's language) and "
        "file_matches (one per row of the file: sheet, row, external_id, reasons, systems, explanation). "
        "Reasons: a name reason (same_name, names_swapped, similar_spelling, transliteration, "
        "one_letter_apart) and a date-of-birth reason (same_birth_date, birth_date_one_day_apart, "
        "birth_date_day_month_swapped, birth_date_placeholder), as at registration")})
    progress = fields.Function(lambda b: dict(zip(("done", "total"), progress_of(b), strict=True)))
    undoable = fields.Function(lambda b: services.may_undo(b, None))


def _mapping(raw: str | None) -> dict[str, Any] | None:
    if not raw:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise DomainError.field("mapping", _("Send a JSON object of sheets, each with its headers and fields."))
    return value


@bp.route("/imports", methods=["POST"])
@bp.arguments(ImportUploadSchema, location="form_and_files")
@bp.response(201, ImportSchema)
@errors(403, 413, 422)
def imports_create(form: dict[str, Any]) -> ImportBatch:
    """Checks (dry_run true, the default) or imports a workbook. An import checks every row first and
    writes nothing when any row has an error (status `failed`, with the errors)."""
    actor = api_user()
    services.require_importer(actor)
    upload = form["file"]
    batch = services.create_batch(services.read_upload(upload), upload.filename or "import", organisation_id=actor.organisation_id,
                                  actor=actor, dry_run=form["dry_run"], mapping=_mapping(form.get("mapping")),
                                  skip_invalid=form["skip_invalid"], accept_duplicates=form["accept_duplicates"])
    services.start(batch.id)
    db.session.expire_all()
    return services.get_batch_for(actor, batch.id)


@bp.route("/imports/<int:import_id>", methods=["GET"])
@bp.response(200, ImportSchema)
@errors(403, 404)
def imports_get(import_id: int) -> ImportBatch:
    """One import: its status, progress, counts and errors."""
    return services.get_batch_for(api_user(), import_id)


@bp.route("/imports/<int:import_id>/undo", methods=["POST"])
@bp.response(200, ImportSchema)
@errors(403, 404, 409)
def imports_undo(import_id: int) -> ImportBatch:
    """Undoes an import while none of its cases has changed since (409 `changed_since` otherwise)."""
    batch = services.get_batch_for(api_user(), import_id)
    return services.undo_batch(batch, actor=api_user())


