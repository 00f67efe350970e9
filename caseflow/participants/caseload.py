"""The caseload's tools: the quick search from every page's header, the XLSX export of the list as
filtered, and saved filters. Thin, like views.py, whose caseload page they lead to: the search
term stays on the login's session row (never in an address), the other filters travel in the
query string.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import format_date, format_number
from flask_login import current_user

from caseflow import spreadsheets
from caseflow.accounts.auth import casework_required
from caseflow.accounts.queries import counsellor_choices
from caseflow.accounts.sessions import caseload_search, set_caseload_search
from caseflow.audit.services import record
from caseflow.database import unit_of_work
from caseflow.errors import DomainError
from caseflow.i18n import task_title
from caseflow.participants import queries, saved_filters, views
from caseflow.participants.forms import QuickSearchForm, SavedFilterForm, search_term
from caseflow.spreadsheets import Table, to_xlsx
from caseflow.translation import gettext as _
from caseflow.validation import text_message, unsafe_text
from caseflow.vocabulary import CASEWORK_ROLES

bp = Blueprint("caseload", __name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.app_template_global()
def quick_search_allowed() -> bool:
    """Whether the header shows the quick search: counsellors and team leads (who read participants'
    personal data), not analysts or administrators."""
    return bool(current_user.is_authenticated and current_user.role in CASEWORK_ROLES)


# --- quick search --------------------------------------------------------------------------------

@bp.route("/search", methods=["POST"])
@casework_required
def quick_search():
    """The header's search: the whole organisation, exited cases included, on the caseload page."""
    form = QuickSearchForm()
    if not form.validate_on_submit():
        abort(400)  # (a missing or wrong CSRF token is answered 400 by CSRFProtect before this)
    filters = queries.widened(views.caseload_filters({}))
    if unsafe_text(form.q.data or ""):
        filters.q = search_term(caseload_search())
        return views.render_caseload(filters, search_error=text_message()), 422
    set_caseload_search(form.q.data or "")
    return redirect(url_for("participants.caseload", **views.filter_args(filters)))


# --- export --------------------------------------------------------------------------------------

def _export_table(filters: queries.CaseloadFilters, rows: list[dict[str, Any]]) -> Table:
    counsellors = dict(counsellor_choices(current_user.organisation_id))
    measures = dict(queries.measure_choices(current_user.organisation_id))
    status = {"active": _("active"), "exited": _("exited"), "all": _("all")}[filters.status]
    described = [f"{_('Status')}: {status}",
                 f"{_('Counsellor')}: {counsellors.get(filters.counsellor_id, '') if filters.counsellor_id else _('everyone')}"]
    if filters.measure_id is not None:
        described.append(f"{_('Measure')}: {measures.get(filters.measure_id, '')}")
    if filters.nationality:
        described.append(f"{_('Nationality')}: {filters.nationality}")
    if filters.q:
        described.append(f"{_('Search')}: {filters.q}")
    context = [_("Caseload"), _("As of %(date)s", date=format_date(date.today(), "medium")), " · ".join(described)]
    headers = [_("Last name"), _("First name"), _("Case number"), _("Status"), _("Counsellor"), _("Current measure"),
               _("Entry date"), _("Last contact"), _("Next task due"), _("Next task")]
    statuses = {"active": _("active"), "exited": _("exited")}
    body = [[r["last_name"], r["first_name"], r["case_number"], statuses.get(r["status"], r["status"]),
             r["counsellor_name"], r["current_measure"], r["entry_date"], r["last_contact"], r["next_due"],
             task_title(r["next_task_kind"], r["next_task_title"], r["next_task_params"]) if r["next_due"] else None]
            for r in rows]
    return Table(title=_("Caseload"), headers=headers, rows=body, context=context)


@bp.route("/caseload.xlsx")
@casework_required
def export():
    """The caseload as filtered and sorted (the search of this login included), every page, as
    XLSX: cells safe from formula injection (spreadsheets.py); written to the audit log as a
    download of personal data (who, which filters, which participants) before it is sent."""
    filters = views.caseload_filters(request.args, search_term(caseload_search()))
    limit = spreadsheets.EXPORT_LIMIT  # a whole organisation of more than this is narrowed first
    rows = queries.caseload_export_rows(current_user, filters, limit=limit + 1)
    if len(rows) > limit:
        flash(_("The list holds more than %(num)s participants. Narrow the filters to export it.",
                num=format_number(limit)), "error")
        return redirect(url_for("participants.caseload", **views.filter_args(filters)))
    body = to_xlsx([_export_table(filters, rows)])
    with unit_of_work():
        record("caseload.download", actor=current_user, object_type="caseload",
               changes={"format": [None, "xlsx"], "filters": [None, views.filter_args(filters)],
                        "search": [None, bool(filters.q)], "rows": [None, len(rows)],
                        "participant_ids": [None, [r["id"] for r in rows]]})
    response = Response(body, content_type=XLSX)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Disposition"] = f'attachment; filename="caseload-{date.today().isoformat()}.xlsx"'
    return response


# --- saved filters -------------------------------------------------------------------------------

@bp.route("/caseload/saved-filters", methods=["POST"])
@casework_required
def save_filter():
    form = SavedFilterForm()
    if not form.validate_on_submit():
        abort(400)
    filters = views.caseload_filters(form.filter_values(), search_term(caseload_search()))
    args = views.filter_args(filters)
    try:
        saved_filters.save_filter(form.name.data, args, actor=current_user)
    except DomainError as exc:
        messages = [m for ms in (exc.fields or {}).values() for m in ms] or [exc.message]
        return views.render_caseload(filters, saved_filter_error=" ".join(messages),
                                     saved_filter_name=form.name.data or ""), exc.status
    flash(_("Filters saved as “%(name)s”.", name=(form.name.data or "").strip()), "success")
    return redirect(url_for("participants.caseload", **args))


@bp.route("/caseload/saved-filters/<int:filter_id>/delete", methods=["POST"])
@casework_required
def delete_filter(filter_id: int):
    saved = saved_filters.get_saved_filter_for(current_user, filter_id)
    form = SavedFilterForm()
    if not form.validate_on_submit():
        abort(400)
    name = saved.name
    saved_filters.delete_saved_filter(saved, actor=current_user)
    flash(_("Saved filter “%(name)s” deleted.", name=name), "success")
    return redirect(url_for("participants.caseload", **views.filter_args(
        views.caseload_filters(form.filter_values(), search_term(caseload_search())))))
