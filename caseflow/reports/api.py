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

from flask import jsonify, request

from caseflow.api.blueprint import bp
from caseflow.api.openapi import errors, ok, page_of
from caseflow.api.support import api_user, iso, page_params
from caseflow.reports import queries as q
from caseflow.reports import services


def _period(report: dict) -> dict:
    return {**report, "from": iso(report["from"]), "to": iso(report["to"])}


@bp.get("/reports/esf")
def esf_report():
    return jsonify(_period(services.esf_report(request.args, actor=api_user())))


@bp.get("/reports/placements")
def placement_report():
    return jsonify(_period(services.placement_report(request.args, actor=api_user())))


@bp.get("/reports/completeness")
def completeness_report():
    page, per_page = page_params()
    report = services.completeness_report(actor=api_user(), page=page, per_page=per_page,
                                          issue=request.args.get("issue") or None)
    items = [{"id": r.id, "case_number": r.case_number, "exit_date": iso(r.exit_date),
              "issues": [k for k in q.COMPLETENESS_ISSUES if getattr(r, k)]} for r in report["items"]]
    return jsonify(items=items, page=page, per_page=per_page, total=report["total"], counts=report["counts"])


# --- OpenAPI --------------------------------------------------------------------------------------

def _query(name: str, schema: dict, required: bool = False, description: str = "") -> dict:
    return {"name": name, "in": "query", "required": required, "schema": schema, "description": description}


PERIOD_PARAMS = [
    _query("from", {"type": "string", "format": "date"}, True, "first day of the period (included)"),
    _query("to", {"type": "string", "format": "date"}, True, "last day of the period (included)"),
    _query("organisation_id", {"type": "integer"}, False,
           "analysts/admins: one organisation (default all); casework roles: only their own (else 404)"),
]
BREAKDOWN = {"type": "object", "required": list(q.BREAKDOWN_KEYS),
             "properties": {k: {"type": "integer", "minimum": 0} for k in q.BREAKDOWN_KEYS},
             "description": "`total` also counts participants whose gender is not_stated"}
NULLABLE_INT = {"type": ["integer", "null"], "minimum": 0}
NULLABLE_RATE = {"type": ["number", "null"], "minimum": 0, "maximum": 1}

OPENAPI_SCHEMAS = {
    "EsfBreakdown": BREAKDOWN,
    "EsfReport": {
        "type": "object", "required": ["from", "to", "ltu_rule", "outputs", "results"],
        "description": "ESF+ common indicators (Regulation (EU) 2021/1057, Annex I) as esf-indicators.md "
                       "defines them. Outputs count participants whose first entry lies in the period, "
                       "results those whose final exit does. Every key is present, zeros included.",
        "properties": {
            "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
            "ltu_rule": {"type": "string", "enum": list(q.LTU_RULES)},
            "organisation_id": {"type": ["integer", "null"]},
            "outputs": {"type": "object", "required": list(q.OUTPUT_KEYS),
                        "properties": {k: {"$ref": "#/components/schemas/EsfBreakdown"} for k in q.OUTPUT_KEYS}},
            "results": {"type": "object", "required": list(q.RESULT_KEYS),
                        "properties": {k: {"$ref": "#/components/schemas/EsfBreakdown"} for k in q.RESULT_KEYS}},
        }},
    "PlacementGroup": {
        "type": "object", "required": ["key", "label", "suppressed", *q.GROUP_METRICS, "placement_rate"],
        "description": "One group of a breakdown. For analysts and admins a group of fewer than 5 "
                       "participants has every figure null and suppressed true (shown as '< 5').",
        "properties": {"key": {"type": "string"}, "label": {"type": "string"},
                       "suppressed": {"type": "boolean"},
                       **{m: NULLABLE_INT for m in q.GROUP_METRICS}, "placement_rate": NULLABLE_RATE}},
    "PlacementReport": {
        "type": "object",
        "required": ["from", "to", "filters", "summary", "placements_by_type", "breakdowns", "monthly"],
        "description": __doc__.split("Placement outcome report, definitions (also on the report page):")[1].strip(),
        "properties": {
            "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
            "filters": {"type": "object", "properties": {
                "organisation_id": {"type": ["integer", "null"]}, "counsellor_id": {"type": ["integer", "null"]},
                "measure_type": {"type": ["string", "null"]}, "measure_id": {"type": ["integer", "null"]}}},
            "small_cell_threshold": {"type": ["integer", "null"]},
            "summary": {"type": "object", "properties": {
                "participants_active": {"type": "integer"}, "entered": {"type": "integer"},
                "exited": {"type": "integer"}, "placed_exits": {"type": "integer"},
                "placement_rate": NULLABLE_RATE,
                "median_days_to_first_placement": {"type": ["number", "null"]},
                "six_month_follow_ups_known": {"type": "integer"},
                "still_placed_at_six_months": {"type": "integer"}, "still_placed_share": NULLABLE_RATE}},
            "placements_by_type": {"type": "object", "additionalProperties": {"type": "integer"},
                                   "description": "every placement type, zeros included"},
            "breakdowns": {"type": "object", "description": "one list per requested breakdown: "
                           + ", ".join(q.BREAKDOWNS),
                           "additionalProperties": {"type": "array",
                                                    "items": {"$ref": "#/components/schemas/PlacementGroup"}}},
            "monthly": {"type": "array", "items": {"type": "object", "properties": {
                "month": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$"}, "entered": {"type": "integer"},
                "exited": {"type": "integer"},
                "placements": {"type": "integer", "description": "job/apprenticeship/self-employment starts"}}}},
        }},
    "CompletenessItem": {"type": "object", "properties": {
        "id": {"type": "integer"}, "case_number": {"type": "string"},
        "exit_date": {"type": ["string", "null"], "format": "date"},
        "issues": {"type": "array", "items": {"type": "string", "enum": list(q.COMPLETENESS_ISSUES)}}}},
}

OPENAPI_PATHS = {
    "/reports/esf": {"get": {
        "summary": "ESF+ common indicators for a period",
        "parameters": PERIOD_PARAMS + [_query("ltu_rule", {"type": "string", "enum": list(q.LTU_RULES)}, False,
                                              "long-term unemployment rule; default the ESF_LTU_RULE setting")],
        "responses": {**ok("EsfReport"), **errors("401", "403", "404", "422")}}},
    "/reports/placements": {"get": {
        "summary": "Placement outcome report for a period",
        "parameters": PERIOD_PARAMS + [
            _query("counsellor_id", {"type": "integer"}), _query("measure_type", {"type": "string"}),
            _query("measure_id", {"type": "integer"}),
            _query("group_by", {"type": "string"}, False,
                   "comma-separated breakdowns out of: " + ", ".join(q.BREAKDOWNS) + " (default all)")],
        "responses": {**ok("PlacementReport"), **errors("401", "403", "404", "422")}}},
    "/reports/completeness": {"get": {
        "summary": "Participants of the own organisation with funder-required data missing or doubtful "
                   "(counsellors and team leads)",
        "parameters": [_query("issue", {"type": "string", "enum": list(q.COMPLETENESS_ISSUES)}),
                       {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                       {"name": "per_page", "in": "query", "schema": {"type": "integer", "maximum": 200}}],
        "responses": {**page_of("CompletenessItem"), **errors("401", "403", "422")}}},
}

from caseflow.api.core import add_legacy_openapi  # noqa: E402  (until this module's routes have schemas)

add_legacy_openapi(OPENAPI_PATHS, OPENAPI_SCHEMAS)
