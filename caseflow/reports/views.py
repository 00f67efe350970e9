"""Report pages: the overview, the ESF+ indicators (with the participants behind each figure for
casework roles), the placement outcomes, the data completeness list, and the exports."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user

from caseflow import spreadsheets
from caseflow.accounts.auth import casework_required, roles_required
from caseflow.api.schemas import load_query
from caseflow.audit.services import record
from caseflow.database import unit_of_work
from caseflow.errors import DomainError, Forbidden, NotFound
from caseflow.i18n import format_day
from caseflow.reports import charts, exports, monitoring, services
from caseflow.reports import labels as L
from caseflow.reports import queries as q
from caseflow.reports.forms import EsfForm, MonitoringDownloadForm, MonitoringForm, PlacementForm
from caseflow.reports.schemas import MonitoringArgs
from caseflow.translation import gettext as _
from caseflow.vocabulary import PLACEMENT_TYPES, options
from caseflow.web import Page, apply_error, page_args

bp = Blueprint("reports", __name__, url_prefix="/reports")
REPORT_ROLES = services.REPORT_ROLES
ESF_ROLES = services.ESF_ROLES
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _args() -> dict[str, str]:
    """The query string, with the current calendar year as the default period."""
    args = {k: v for k, v in request.args.items() if k != "page"}
    if not args.get("from") and not args.get("to"):
        year = date.today().year
        args.setdefault("from", f"{year}-01-01")
        args["to"] = args.get("to") or f"{year}-12-31"
    return args


def _organisation_choices(form) -> None:
    if services.is_casework(current_user):
        del form.organisation_id
        return
    form.organisation_id.choices = options(((str(i), n) for i, n in q.organisation_names().items()), blank=_("all organisations"))


def _partnership_choices(form) -> None:
    """The partnership's report (issue 17): analysts and admins may choose one; a coordinator has
    only theirs (and no organisation to choose)."""
    choices = services.partnership_choices(current_user)
    if current_user.role == "coordinator":
        del form.organisation_id
        form.partnership_id.choices = options((str(i), n) for i, n in choices)
    elif choices:
        form.partnership_id.choices = options(((str(i), n) for i, n in choices), blank=_("none (organisations)"))
    else:
        del form.partnership_id


def _esf_scope_name(report) -> str:
    if report.get("partnership_id") is not None:
        name = dict(services.partnership_choices(current_user)).get(report["partnership_id"], "")
        return _("partnership %(name)s, each person counted once", name=name)
    return _scope_name(report["organisation_id"])


def _scope_name(organisation_id) -> str:
    if organisation_id is None:
        return _("all organisations")
    if organisation_id == current_user.organisation_id:  # loaded with the login: no query
        return current_user.organisation.name
    return q.organisation_names([organisation_id]).get(organisation_id, "")


def _run(loader, form, args):
    """Runs a report; bad parameters are shown next to their fields (422), an organisation or
    filter the user may not use is 404."""
    try:
        return loader(args, actor=current_user), 200
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        apply_error(form, exc)
        return None, 422


@bp.route("/")
@roles_required(*ESF_ROLES)
def index():
    return render_template("reports/index.html", casework=services.is_casework(current_user))


# --- ESF+ -----------------------------------------------------------------------------------------

@bp.route("/esf")
@roles_required(*ESF_ROLES)
def esf():
    args = _args()
    args.setdefault("ltu_rule", services.default_ltu_rule())
    args.setdefault("min_hours", str(services.default_min_hours()))
    form = EsfForm(formdata=_formdata(args))
    _organisation_choices(form)
    _partnership_choices(form)
    if current_user.role == "coordinator" and not services.partnership_choices(current_user):
        # not linked to a partnership yet: say so instead of refusing the page
        return render_template("reports/esf.html", form=form, report=None, L=L, q=q, drilldown=False,
                               no_partnership=True)
    report, status = _run(services.esf_report, form, args)
    context = {}
    if report:
        link_args = {"from": report["from"].isoformat(), "to": report["to"].isoformat(),
                     "ltu_rule": report["ltu_rule"], "min_hours": report["min_hours"]}
        if report["organisation_id"] is not None and not services.is_casework(current_user):
            link_args["organisation_id"] = report["organisation_id"]
        if report["partnership_id"] is not None:
            link_args["partnership_id"] = report["partnership_id"]
        context = dict(
            link_args=link_args, scope=_esf_scope_name(report),
            output_chart=charts.bar_chart(
                _("Output indicators, total"),
                _("Participants who entered in the period, by indicator; the numbers are in the table below."),
                [(str(L.OUTPUT_LABELS[k]), report["outputs"][k]["total"]) for k in q.OUTPUT_KEYS]),
            result_chart=charts.bar_chart(
                _("Result indicators, total"),
                _("Participants whose final exit lies in the period, by indicator; the numbers are in the table below."),
                [(str(L.RESULT_LABELS[k]), report["results"][k]["total"]) for k in q.RESULT_KEYS]))
    return render_template("reports/esf.html", form=form, report=report, L=L, q=q,
                           drilldown=services.is_casework(current_user), **context), status


@bp.route("/esf/participants")
@casework_required
def esf_participants():
    page, per_page = page_args()
    try:
        result = services.esf_drilldown(_args(), actor=current_user, page=page, per_page=per_page)
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        abort(Response(render_template("errors/error.html", status=422, message=exc.message), status=422))
    pagination = Page(result["items"], page, result["per_page"], result["total"])
    indicator = result["indicator"]
    label = L.OUTPUT_LABELS.get(indicator) or L.RESULT_LABELS.get(indicator)
    params = result["params"]
    back = {"from": params.date_from.isoformat(), "to": params.date_to.isoformat(), "ltu_rule": params.ltu_rule,
            "min_hours": params.min_hours}
    return render_template("reports/esf_participants.html", result=result, label=label, pagination=pagination,
                           breakdown=L.BREAKDOWN_LABELS[result["gender"]], back=back, L=L)


@bp.route("/esf.<any(csv, xlsx):fmt>")
@roles_required(*ESF_ROLES)
def esf_export(fmt: str):
    report = services.esf_report(_args(), actor=current_user)
    tables = exports.esf_tables(report, _esf_scope_name(report))
    minimum = f"-min{report['min_hours']}h" if report["min_hours"] else ""  # files of both options side by side
    name = f"esf-{report['from'].isoformat()}-{report['to'].isoformat()}-{report['ltu_rule']}{minimum}.{fmt}"
    return _download(tables, fmt, name, report="esf", organisation_id=report["organisation_id"])


def _download(tables, fmt: str, filename: str, *, report: str, organisation_id=None) -> Response:
    """The file, after its audit entry `report.download` (who, which report, which parameters, how
    many rows) is committed: every download is recorded, and the completeness list holds names."""
    body = exports.to_csv(tables) if fmt == "csv" else exports.to_xlsx(tables)
    params = {k: v for k, v in request.args.items() if k in ("from", "to", "ltu_rule", "min_hours", "issue",
                                                            "organisation_id",
                                                            "counsellor_id", "measure_type", "measure_id", "group_by")}
    with unit_of_work():
        record("report.download", actor=current_user, object_type="report",
               organisation_id=organisation_id if organisation_id is not None else current_user.organisation_id,
               changes={"report": [None, report], "format": [None, fmt], "parameters": [None, params],
                        "rows": [None, sum(len(t.rows) for t in tables)]})
    response = Response(body, content_type=CONTENT_TYPES[fmt])
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _formdata(args: dict):
    from werkzeug.datastructures import MultiDict
    return MultiDict(args)


# --- placement outcomes ---------------------------------------------------------------------------

@bp.route("/placements")
@roles_required(*REPORT_ROLES)
def placements():
    args = _args()
    form = PlacementForm(formdata=_formdata(args))
    _organisation_choices(form)
    choices = services.filter_choices(actor=current_user)
    form.counsellor_id.choices = options(((str(i), n) for i, n in choices["counsellors"]), blank=_("all"))
    form.measure_id.choices = options(((str(i), t) for i, t in choices["measures"]), blank=_("all"))
    report, status = _run(services.placement_report, form, args)
    context = {}
    if report:
        export_args = {k: v for k, v in args.items() if k in ("from", "to", "organisation_id", "counsellor_id",
                                                                "measure_type", "measure_id") and v}
        # "2026-01" → "Jan. 2026" / "Jan 2026": the month in the reader's language on the page
        month_labels = {m["month"]: format_day(date.fromisoformat(f"{m['month']}-01"), "MMM yyyy")
                        for m in report["monthly"]}
        months = [month_labels[m["month"]] for m in report["monthly"]]
        context = dict(
            export_args=export_args, scope=_scope_name(report["filters"]["organisation_id"]),
            month_labels=month_labels,
            type_chart=charts.bar_chart(
                _("Placements by type"),
                _("Placements starting in the period, by type; the numbers are in the table next to the chart."),
                [(str(label), report["placements_by_type"][k]) for k, label in PLACEMENT_TYPES.items()]),
            trend_chart=charts.column_chart(
                _("Monthly trend"),
                _("Entries, final exits and placement starts per month; the numbers are in the table below."),
                months, [(_("Entered"), [m["entered"] for m in report["monthly"]]),
                         (_("Exited"), [m["exited"] for m in report["monthly"]]),
                         (_("Placements"), [m["placements"] for m in report["monthly"]])]))
    return render_template("reports/placements.html", form=form, report=report, L=L, q=q,
                           placement_types=PLACEMENT_TYPES, **context), status


@bp.route("/placements.<any(csv, xlsx):fmt>")
@roles_required(*REPORT_ROLES)
def placements_export(fmt: str):
    report = services.placement_report(_args(), actor=current_user)
    tables = exports.placement_tables(report, _scope_name(report["filters"]["organisation_id"]))
    return _download(tables, fmt, f"placements-{report['from'].isoformat()}-{report['to'].isoformat()}.{fmt}",
                     report="placements", organisation_id=report["filters"]["organisation_id"])


# --- data completeness ----------------------------------------------------------------------------

@bp.route("/completeness")
@casework_required
def completeness():
    page, per_page = page_args()
    issue = request.args.get("issue") or None
    if issue is not None and issue not in q.COMPLETENESS_ISSUES:
        abort(404)
    result = services.completeness_report(actor=current_user, page=page, per_page=per_page, issue=issue)
    pagination = Page(result["items"], page, per_page, result["total"])
    return render_template("reports/completeness.html", result=result, pagination=pagination, L=L, q=q,
                           export_limit=spreadsheets.EXPORT_LIMIT)


@bp.route("/completeness.<any(csv, xlsx):fmt>")
@casework_required
def completeness_export(fmt: str):
    # the first spreadsheets.EXPORT_LIMIT by case number; a longer list says so in the file and on the page
    result = services.completeness_report(actor=current_user, page=1, per_page=spreadsheets.EXPORT_LIMIT,
                                          issue=request.args.get("issue") or None)
    tables = exports.completeness_tables(result["items"], result["today"], total=result["total"])
    return _download(tables, fmt, f"completeness-{result['today'].isoformat()}.{fmt}", report="completeness")


# --- monitoring export ----------------------------------------------------------------------------

@bp.route("/monitoring")
@roles_required(*monitoring.EXPORT_ROLES)
def monitoring_page():
    """The export's form and its gate: the records that block (missing mandatory entry data),
    with links to fix them (team leads; analysts see how many). Downloading is a POST."""
    args = _args()
    form = MonitoringForm(formdata=_formdata(args))
    _organisation_choices(form)
    preview, status = None, 200
    try:
        data = load_query(MonitoringArgs, args)
        date_from, date_to, organisation_id = monitoring.params_for(data, actor=current_user)
        preview = monitoring.build(date_from, date_to, organisation_id, include_incomplete=True)
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        apply_error(form, exc)
        status = 422
    download = MonitoringDownloadForm(formdata=None)
    return render_template("reports/monitoring.html", form=form, download=download, preview=preview,
                           args=args, casework=services.is_casework(current_user),
                           mandatory=monitoring.MANDATORY, key_set=monitoring.pseudonym_key_configured()), status


@bp.route("/monitoring/export", methods=["POST"])
@roles_required(*monitoring.EXPORT_ROLES)
def monitoring_download():
    """The file (an audited export: a POST with CSRF, nothing personal in the address)."""
    form = MonitoringDownloadForm()
    if not form.validate():
        abort(400)
    args = {k: v for k, v in request.form.items() if k in ("from", "to", "organisation_id") and v}
    args["format"] = form.format.data
    try:
        data = load_query(MonitoringArgs, args)
    except DomainError as exc:
        abort(Response(render_template("errors/error.html", status=422, message=exc.message), status=422))
    data["include_incomplete"] = bool(form.include_incomplete.data)
    fmt = data.get("format") or "xml"
    export, body = monitoring.run_export(data, actor=current_user, fmt=fmt, channel="web",
                                         include_incomplete=bool(data.get("include_incomplete")))
    response = Response(body, content_type=monitoring.CONTENT_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{monitoring.filename(export, fmt)}"'
    response.headers["Cache-Control"] = "no-store"
    return response
