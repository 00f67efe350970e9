"""The audit and access log of an organisation, for its team leads (blueprint `audit`: the page's
endpoint is `audit.audit_log`)."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import format_datetime
from flask_login import current_user

from caseflow.accounts.auth import roles_required
from caseflow.audit_log.forms import AuditFilterForm
from caseflow.audit_log.labels import action_label, field_label, object_label
from caseflow.audit_log.queries import audit_log_page
from caseflow.web import Page, page_args

bp = Blueprint("audit", __name__)


@bp.route("/audit")
@roles_required("team_lead")
def audit_log():
    form = AuditFilterForm(formdata=request.args)
    filters = {}
    if form.validate():
        filters = {"case_number": form.case_number.data or None, "action": form.action.data or None,
                   "date_from": form.date_from.data, "date_to": form.date_to.data}
    page, per_page = page_args()
    rows, total = audit_log_page(current_user.organisation_id, page, per_page, **filters)
    return render_template("audit_log/audit_log.html", form=form, pagination=Page(rows, page, per_page, total),
                           when=format_datetime, action_label=action_label, object_label=object_label,
                           field_label=field_label)
