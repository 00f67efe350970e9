"""The import pages (team leads): upload, mapping step, check result, import, progress, undo.

A running batch's page answers with a `Refresh` header, so the browser reloads it every few
seconds without any JavaScript until the batch is done; the state is read from the batch row, so
any worker can answer.
"""
from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from wtforms import SelectChoice

from caseflow.accounts.auth import roles_required
from caseflow.errors import DomainError
from caseflow.extensions import db
from caseflow.imports import services
from caseflow.imports.forms import RecheckForm, RunForm, UndoForm, UploadForm, mapping_form
from caseflow.imports.progress import progress_of
from caseflow.imports.spec import SHEETS_BY_KIND
from caseflow.imports.template import build_template, errors_csv
from caseflow.translation import gettext as _
from caseflow.vocabulary import options
from caseflow.web import Page, page_args, rows_and_total

bp = Blueprint("imports", __name__)
team_lead_required = roles_required(*services.IMPORT_ROLES)
REFRESH_SECONDS = 2
ERRORS_SHOWN = 300
DUPLICATES_SHOWN = 300


def _field_choices(kind: str) -> list[SelectChoice]:
    lang = str(get_locale() or "de")[:2]
    sheet = SHEETS_BY_KIND[kind]
    return options(((c.field, c.header(lang)) for c in sheet.columns), blank=_("— ignore this column —"))


@bp.route("/imports", methods=["GET", "POST"])
@team_lead_required
def index():
    form = UploadForm()
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        try:
            batch = services.create_batch(services.read_upload(upload), upload.filename or "import",
                                          organisation_id=current_user.organisation_id, actor=current_user)
        except DomainError as exc:
            form.file.errors = list(form.file.errors or []) + [exc.fields.get("file", [exc.message])[0]]
            status = exc.status
        else:
            services.start(batch.id)
            return redirect(url_for("imports.batch", batch_id=batch.id))
    elif request.method == "POST":
        status = 422
    page, per_page = page_args()
    rows, total = rows_and_total(services.batches_of(current_user.organisation_id), page, min(per_page, 20), scalars=True)
    return render_template("imports/index.html", form=form, pagination=Page(rows, page, min(per_page, 20), total),
                           lang=str(get_locale() or "de")[:2]), status


@bp.route("/imports/template-<any(de, en):lang>.xlsx")
@team_lead_required
def template(lang: str):
    name = "caseflow-import-vorlage.xlsx" if lang == "de" else "caseflow-import-template.xlsx"
    return Response(build_template(lang), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/imports/<int:batch_id>")
@team_lead_required
def batch(batch_id: int):
    item = services.get_batch_for(current_user, batch_id)
    running = item.status in ("queued", "running")
    mapping = mapping_form(item.unmapped or [], _field_choices) if item.unmapped and item.status in ("checked", "failed") else None
    run_form = RunForm(skip_invalid=item.skip_invalid, accept_duplicates=item.accept_duplicates)
    response = Response(render_template(
        "imports/batch.html", batch=item, running=running, mapping=mapping, run_form=run_form,
        recheck_form=RecheckForm(), undo_form=UndoForm(), importable=services.importable(item),
        may_undo=services.may_undo(item, current_user), changed_since=item.status == "imported" and services.changed_since(item),
        errors=(item.errors or [])[:ERRORS_SHOWN], duplicates=services.duplicates_explained(item, DUPLICATES_SHOWN),
        refresh=REFRESH_SECONDS if running else None,
        progress=progress_of(item)))
    if running:
        response.headers["Refresh"] = str(REFRESH_SECONDS)
    return response


@bp.route("/imports/<int:batch_id>/mapping", methods=["POST"])
@team_lead_required
def mapping(batch_id: int):
    item = services.get_batch_for(current_user, batch_id)
    form = mapping_form(item.unmapped or [], _field_choices)
    if not form.validate_on_submit():
        flash(_("Choose a field or “ignore” for every column."), "error")
        return redirect(url_for("imports.batch", batch_id=item.id))
    chosen: dict[str, dict[str, str]] = {}
    for i, entry in enumerate(item.unmapped or []):
        chosen.setdefault(entry["sheet"], {})[entry["header"]] = getattr(form, f"h{i}").data or ""
    return _rerun(item, mapping=chosen)


@bp.route("/imports/<int:batch_id>/check", methods=["POST"])
@team_lead_required
def recheck(batch_id: int):
    item = services.get_batch_for(current_user, batch_id)
    form = RunForm()
    if not form.validate_on_submit():
        return redirect(url_for("imports.batch", batch_id=item.id))
    return _rerun(item, skip_invalid=form.skip_invalid.data, accept_duplicates=form.accept_duplicates.data)


@bp.route("/imports/<int:batch_id>/import", methods=["POST"])
@team_lead_required
def run(batch_id: int):
    item = services.get_batch_for(current_user, batch_id)
    form = RunForm()
    if not form.validate_on_submit():
        return redirect(url_for("imports.batch", batch_id=item.id))
    return _rerun(item, import_now=True, skip_invalid=form.skip_invalid.data,
                  accept_duplicates=form.accept_duplicates.data)


def _rerun(item, **choices):
    try:
        services.configure(item, actor=current_user, **choices)
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("imports.batch", batch_id=item.id))
    services.start(item.id)
    return redirect(url_for("imports.batch", batch_id=item.id))


@bp.route("/imports/<int:batch_id>/undo", methods=["POST"])
@team_lead_required
def undo(batch_id: int):
    item = services.get_batch_for(current_user, batch_id)
    if UndoForm().validate_on_submit():
        try:
            services.undo_batch(item, actor=current_user)
        except DomainError as exc:
            flash(exc.message, "error")
        else:
            flash(_("The import has been undone."), "success")
    return redirect(url_for("imports.batch", batch_id=batch_id))


@bp.route("/imports/<int:batch_id>/errors.csv")
@team_lead_required
def errors_download(batch_id: int):
    item = services.get_batch_for(current_user, batch_id)
    db.session.expunge(item)
    return Response("\ufeff" + errors_csv(item.errors or []), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="import-{item.id}-errors.csv"'})
