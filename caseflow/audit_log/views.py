"""The audit and access log of an organisation, for its team leads (blueprint `audit`: the page's
endpoint is `audit.audit_log`).

A case number is personal data and stays out of addresses (browser history, proxy logs, the Referer
header, the pager's links), as the caseload's search term does: the filter form is posted, the case
number is looked up in the organisation, and the page's address names the case by its id
(`participant`) with the other filters (`action`, `date_from`, `date_to`). An old address with
`case_number` is answered with the same address without it."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import format_datetime
from flask_login import current_user

from caseflow.accounts.auth import roles_required
from caseflow.audit_log.forms import AuditFilterForm
from caseflow.audit_log.labels import action_label, field_label, object_label
from caseflow.audit_log.queries import audit_log_page
from caseflow.participants.access import get_participant_for, participant_ids_by_case_number
from caseflow.participants.forms import int_or_none
from caseflow.translation import gettext as _
from caseflow.web import Page, page_args

bp = Blueprint("audit", __name__)


def _filter_args(form: AuditFilterForm) -> dict[str, Any]:
    """The filters that may stand in the address (no case number)."""
    args: dict[str, Any] = {}
    if form.action.data:
        args["action"] = form.action.data
    if form.date_from.data:
        args["date_from"] = form.date_from.data.isoformat()
    if form.date_to.data:
        args["date_to"] = form.date_to.data.isoformat()
    return args


def _page(form: AuditFilterForm, filters: dict[str, Any], status: int = 200):
    page, per_page = page_args()
    rows, total = audit_log_page(current_user.organisation_id, page, per_page, **filters)
    return render_template("audit_log/audit_log.html", form=form, pagination=Page(rows, page, per_page, total),
                           when=format_datetime, action_label=action_label, object_label=object_label,
                           field_label=field_label), status


@bp.route("/audit", methods=["GET", "POST"])
@roles_required("team_lead")
def audit_log():
    if request.method == "POST":  # (a missing or wrong CSRF token never gets here: CSRFProtect answers 400)
        form = AuditFilterForm(formdata=request.form)
        if not form.validate():
            return _page(form, {}, 422)
        args = _filter_args(form)
        if form.case_number.data and form.case_number.data.strip():
            number = form.case_number.data.strip().upper()
            found = participant_ids_by_case_number(current_user, [number])
            if number not in found:
                form.case_number.errors = [_("No case of your organisation has this case number.")]
                return _page(form, {}, 422)
            args["participant"] = found[number]
        return redirect(url_for("audit.audit_log", **args))
    if "case_number" in request.args:  # an old address: the case number leaves it, nothing else changes
        kept: dict[str, Any] = {k: v for k, v in request.args.items() if k != "case_number"}
        return redirect(url_for("audit.audit_log", **kept))
    form = AuditFilterForm(formdata=request.args)
    filters: dict[str, Any] = {}
    if form.validate():
        filters = {"action": form.action.data or None, "date_from": form.date_from.data, "date_to": form.date_to.data}
    if "participant" in request.args:
        # through the loader: another organisation's case, or an id no row can have, is 404
        participant_id = int_or_none(request.args["participant"])
        if participant_id is None:
            abort(404)
        case = get_participant_for(current_user, participant_id)
        filters["participant_id"] = case.id
        form.case_number.data = case.case_number
    return _page(form, filters)
