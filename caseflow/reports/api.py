"""Reports in API v1: `GET /reports/esf`, `GET /reports/placements`, `GET /reports/completeness`.

Access: counsellors and team leads report on their own organisation (another `organisation_id` →
404); analysts and admins on all organisations or one. Bad dates, `from` after `to`, an unknown rule
or breakdown → 422 with the field named.

Placement outcome report, definitions (also on the report page):
- participants active: entered on or before the period's end and not finally exited before its start;
  entered: entry date in the period; exited: final exit date in the period;
- placements by type: placements starting in the period;
- placement rate: exits in the period with a placement of type employment, marginal_employment,
  self_employment or apprenticeship (internships are no job and do not count) starting from the
  entry date to exit + 28 days, over all exits in the period (null without exits);
- median days to first placement: from entry to the first such placement on or after entry, for
  participants whose first such placement started in the period (null when none);
- still placed at six months: of the placed exits whose latest six-month follow-up (dated on or
  after the exit) reached the person (status not `unknown`), those employed or self-employed;
- filters `counsellor_id`, `measure_type`, `measure_id` narrow the participants (a measure filter:
  participants with a non-cancelled enrolment in such a measure);
- breakdowns (`group_by`, comma-separated; default all): per group the participants active,
  entered, exited, placed exits and placement rate; `country` lists the 10 largest nationalities and
  sums the rest as `other`; `measure_type` counts a participant once in each type they were enrolled in;
- small cells: for analysts and admins a group of 1–4 participants has all its figures `null` and
  `suppressed: true` (shown as "< 5" on the page and in exports); `small_cell_threshold` is 5 then,
  null for casework roles, who see exact figures of their own organisation.
"""
from __future__ import annotations

from typing import Any

from flask import Response

from caseflow.api.blueprint import bp
from caseflow.api.schemas import errors
from caseflow.api.support import api_user
from caseflow.reports import monitoring, services
from caseflow.reports import queries as q
from caseflow.reports.schemas import (
    CompletenessArgs,
    CompletenessPageSchema,
    EsfArgs,
    EsfReportSchema,
    MonitoringArgs,
    PlacementArgs,
    PlacementReportSchema,
)

PLACEMENT_DEFINITIONS = __doc__.split("Placement outcome report, definitions (also on the report page):")[1].strip()


@bp.route("/reports/esf", methods=["GET"])
@bp.arguments(EsfArgs, location="query")
@bp.response(200, EsfReportSchema)
@errors(403, 404, 422)
def esf_report(args: dict[str, Any]):
    """ESF+ common indicators for a period"""
    return services.esf_report_for(args, actor=api_user())


@bp.route("/reports/monitoring", methods=["GET"])
@bp.arguments(MonitoringArgs, location="query")
@bp.response(200, description="The participant-level monitoring export (docs/monitoring-export.md) as an "
                              "attachment: JSON, CSV or XML (valid against the shipped XSD). Header "
                              "X-Blocking-Records: records left out (or exported incomplete) for missing "
                              "mandatory entry data. Team leads (own organisation) and analysts; audited.")
@errors(403, 404, 422)
def monitoring_export(args: dict[str, Any]):
    """Participant-level monitoring export for a period (pseudonymous; written to the audit log)"""
    fmt = args.get("format") or "json"
    export, body = monitoring.run_export(args, actor=api_user(), fmt=fmt, channel="api",
                                         include_incomplete=bool(args.get("include_incomplete")))
    response = Response(body, content_type=monitoring.CONTENT_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{monitoring.filename(export, fmt)}"'
    response.headers["X-Blocking-Records"] = str(len(export.blocking))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/reports/placements", methods=["GET"])
@bp.arguments(PlacementArgs, location="query")
@bp.response(200, PlacementReportSchema, description=PLACEMENT_DEFINITIONS)
@errors(403, 404, 422)
def placement_report(args: dict[str, Any]):
    """Placement outcome report for a period"""
    return services.placement_report_for(args, actor=api_user())


@bp.route("/reports/completeness", methods=["GET"])
@bp.arguments(CompletenessArgs, location="query")
@bp.response(200, CompletenessPageSchema)
@errors(403, 404, 422)
def completeness_report(args: dict[str, Any]):
    """Participants of the own organisation with funder-required data missing or doubtful (counsellors
    and team leads)"""
    report = services.completeness_report(actor=api_user(), page=args["page"], per_page=args["per_page"],
                                          issue=args.get("issue"), organisation_id=args.get("organisation_id"))
    items = [{"id": r.id, "case_number": r.case_number, "exit_date": r.exit_date,
              "issues": [k for k in q.COMPLETENESS_ISSUES if getattr(r, k)]} for r in report["items"]]
    return {"items": items, "page": args["page"], "per_page": args["per_page"], "total": report["total"],
            "counts": report["counts"]}
