"""Pages of the documents domain: upload (works without JavaScript), a document's page (details,
versions, the fact it proves), download, replace, change, delete; the reason a "contract seen"
placement has no contract; and the subject-access export with the files (ZIP).

Uploads may be larger than the app-wide MAX_CONTENT_LENGTH: the upload endpoints allow MAX_DOCUMENT_MB
per file with the platform's `allow_body` (caseflow/security.py), which the request guard applies
before anything reads the body, i.e. before the CSRF check parses the form.
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from caseflow.accounts.auth import casework_required
from caseflow.documents import panels, queries, services  # noqa: F401  (panels: registers the case file panel)
from caseflow.documents.access import (
    get_document_for,
    get_document_with,
    participant_for,
    require_unrestricted_or_lead,
)
from caseflow.documents.downloads import file_response
from caseflow.documents.export import archive_response
from caseflow.documents.forms import MAX_FILES, ContractGapForm, DeleteForm, EditForm, ReplaceForm, UploadForm
from caseflow.documents.vocabulary import CONTRACT_GAP_REASONS, DOCUMENT_KINDS, FILE_TYPES, LINKED_TYPES
from caseflow.errors import DomainError
from caseflow.participants.access import get_participant_with
from caseflow.participants.summary import summary_columns
from caseflow.participants.views import case_file_section_url, case_header_context
from caseflow.placements.access import get_placement_for
from caseflow.security import allow_body
from caseflow.translation import gettext as _
from caseflow.validation import MAX_ID
from caseflow.web import apply_error

bp = Blueprint("documents", __name__)


def _documents_url(participant) -> str:
    """The case file's documents section, where the pages of this domain lead back to."""
    return case_file_section_url(participant.id, "documents")


def request_limit(files: int = 1) -> int:
    """The most a request carrying `files` files may send: MAX_DOCUMENT_MB each, plus the form."""
    return files * services.limit_bytes() + 1024 * 1024


# The platform's request guard (caseflow/security.py) applies these limits before anything reads
# the body (the CSRF check included); beyond them, the page says how large a file may be.
allows_upload = allow_body(lambda: request_limit(1), too_large=services.too_large)
allows_uploads = allow_body(lambda: request_limit(MAX_FILES), too_large=services.too_large)


def accepted_hint(*, several: bool = True) -> str:
    types = ", ".join(str(label) for _mime, label in FILE_TYPES.values())
    mb = current_app.config["MAX_DOCUMENT_MB"]
    if not several:
        return _("Accepted: %(types)s; at most %(mb)s MB.", types=types, mb=mb)
    return _("Accepted: %(types)s; at most %(mb)s MB per file, up to %(n)s files at once.", types=types, mb=mb,
             n=MAX_FILES)


@bp.route("/participants/<int:participant_id>/documents/new", methods=["GET", "POST"])
@allows_uploads
@casework_required
def new_document(participant_id: int):
    # under the case's summary header, as the case file's own forms: its values come with the row
    participant, summary_row = get_participant_with(current_user, participant_id, summary_columns(),
                                                    allow_anonymised=False)
    require_unrestricted_or_lead(current_user, participant)
    records = queries.linkable_records(participant.id)
    form = UploadForm()
    form.link.choices = queries.link_choices(records)
    if request.method == "GET":
        form.kind.data = request.args.get("kind") if request.args.get("kind") in DOCUMENT_KINDS else ""
        wanted = request.args.get("link", "")
        form.link.data = wanted if any(choice.value == wanted for choice in form.link.choices) else ""
    status = 200
    if form.validate_on_submit():
        uploads = [services.Upload(f.stream, f.filename) for f in (form.files.data or []) if f and f.filename]
        try:
            if not uploads:
                raise DomainError.field("files", _("Choose at least one file."))
            if len(uploads) > MAX_FILES:
                raise DomainError.field("files", _("Upload at most %(n)s files at once.", n=MAX_FILES))
            services.upload_documents(participant, form.service_data(), uploads, actor=current_user)
        except DomainError as exc:
            if exc.fields.get("file"):
                exc.fields.setdefault("files", []).extend(exc.fields.pop("file"))
            apply_error(form, exc)
            if not form.errors:
                form.form_errors.append(exc.message)
            status = exc.status
        else:
            flash(_("%(n)s documents saved.", n=len(uploads)) if len(uploads) > 1 else _("Document saved."), "success")
            return redirect(_documents_url(participant))
    elif request.method == "POST":
        status = 422
    return render_template("documents/upload.html", participant=participant, form=form, hint=accepted_hint(),
                           back_url=_documents_url(participant),
                           **case_header_context(participant, summary_row)), status


def _document_page(document, participant, summary_row, status: int = 200, **forms):
    records = queries.linkable_records(participant.id)
    edit_form = forms.get("edit_form") or EditForm(formdata=None, obj=document)
    edit_form.link.choices = queries.link_choices(records)
    if "edit_form" not in forms:
        linked = document.linked
        edit_form.link.data = f"{linked[0]}:{linked[1]}" if linked else ""
        edit_form.version.data = document.version
    return render_template(
        "documents/document.html", participant=participant, document=document,
        linked_label=records.get(document.linked) if document.linked else None,
        kinds=DOCUMENT_KINDS, linked_types=LINKED_TYPES, file_types=FILE_TYPES,
        edit_form=edit_form, replace_form=forms.get("replace_form") or ReplaceForm(formdata=None),
        delete_form=DeleteForm(formdata=None), replace_hint=accepted_hint(several=False),
        read_only=participant.restricted_at is not None or participant.anonymised_at is not None,
        may_lead=current_user.role == "team_lead",
        proof_until=services.proof_kept_until(document), **case_header_context(participant, summary_row)), status


@bp.route("/documents/<int:document_id>")
@casework_required
def document_page(document_id: int):
    # under the case's summary header, as the case file's forms: its values come with the row
    document, participant, summary_row = get_document_with(current_user, document_id, summary_columns())
    services.record_view(document, participant, actor=current_user)
    return _document_page(document, participant, summary_row)


@bp.route("/documents/<int:document_id>/download")
@casework_required
def download(document_id: int):
    document, participant = get_document_for(current_user, document_id)
    number = request.args.get("version", type=int)
    file = services.open_download(document, participant, actor=current_user, number=number, channel="web")
    return file_response(file)


@bp.route("/documents/<int:document_id>/replace", methods=["POST"])
@allows_upload
@casework_required
def replace_document(document_id: int):
    document, participant, summary_row = get_document_with(current_user, document_id, summary_columns())
    form = ReplaceForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            if not upload or not upload.filename:
                raise DomainError.field("file", _("Choose a file."))
            services.replace_file(document, participant, services.Upload(upload.stream, upload.filename),
                                  actor=current_user)
        except DomainError as exc:
            apply_error(form, exc)
            if not form.errors:
                form.form_errors.append(exc.message)
            return _document_page(document, participant, summary_row, exc.status, replace_form=form)
        flash(_("New version saved; the earlier ones are kept."), "success")
        return redirect(url_for("documents.document_page", document_id=document.id))
    return _document_page(document, participant, summary_row, 422, replace_form=form)


@bp.route("/documents/<int:document_id>/edit", methods=["POST"])
@casework_required
def edit_document(document_id: int):
    document, participant, summary_row = get_document_with(current_user, document_id, summary_columns())
    form = EditForm()
    form.link.choices = queries.link_choices(queries.linkable_records(participant.id))
    if form.validate_on_submit():
        try:
            version = int(form.version.data) if (form.version.data or "").isdigit() else None
            services.update_document(document, participant, form.service_data(), version=version, actor=current_user)
        except DomainError as exc:
            apply_error(form, exc)
            if not form.errors:
                form.form_errors.append(exc.message)
            return _document_page(document, participant, summary_row, exc.status, edit_form=form)
        flash(_("Document saved."), "success")
        return redirect(url_for("documents.document_page", document_id=document.id))
    return _document_page(document, participant, summary_row, 422, edit_form=form)


@bp.route("/documents/<int:document_id>/delete", methods=["POST"])
@casework_required
def delete_document(document_id: int):
    document, participant = get_document_for(current_user, document_id)
    if not DeleteForm().validate_on_submit():
        flash(_("The form has expired. Please try again."), "error")
        return redirect(url_for("documents.document_page", document_id=document.id))
    try:
        services.delete_document(document, participant, actor=current_user)
    except DomainError as exc:
        if exc.status in (403, 404):
            raise
        flash(exc.message, "error")
        return redirect(url_for("documents.document_page", document_id=document_id))
    flash(_("Document deleted."), "success")
    return redirect(_documents_url(participant))


@bp.route("/placements/<int:placement_id>/contract-gap", methods=["POST"])
@casework_required
def contract_gap(placement_id: int):
    if placement_id > MAX_ID:
        abort(404)
    placement, participant = get_placement_for(current_user, placement_id)
    form = ContractGapForm()
    if form.validate_on_submit():
        try:
            services.record_contract_gap(placement, participant, form.reason.data, actor=current_user)
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            flash(exc.message, "error")
        else:
            flash(_("Reason saved."), "success")
    else:
        flash(_("Choose why no contract is linked."), "error")
    return redirect(_documents_url(participant))


@bp.route("/participants/<int:participant_id>/export.zip")
@casework_required
def export_archive(participant_id: int):
    participant = participant_for(current_user, participant_id)
    return archive_response(participant, actor=current_user, channel="archive")


@bp.app_context_processor
def _labels():
    return {"contract_gap_reasons": CONTRACT_GAP_REASONS}


@bp.app_template_filter("document_size")
def document_size(size: int) -> str:
    """A file size in the reader's locale: "830 KB", "2.4 MB"."""
    from flask_babel import format_decimal
    if size < 1024 * 1024:
        return _("%(n)s KB", n=format_decimal(max(1, round(size / 1024))))
    return _("%(n)s MB", n=format_decimal(round(size / 1024 / 1024, 1)))
