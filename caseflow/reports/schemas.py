"""The reports' parameters and answers, one marshmallow schema each (caseflow/api/schemas.py): the
API parses and documents with them, the report pages convert their query strings with the same
schemas (`load_query`), and the services judge what is left (the period's rules, who may report on
which organisation, counsellor or measure)."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from caseflow.api.schemas import Choice, Date, Flag, PageArgs, QueryId, Schema, Text, fields
from caseflow.reports import queries as q
from caseflow.vocabulary import MEASURE_TYPES, PLACEMENT_TYPES

# --- parameters -------------------------------------------------------------------------------------

class QueryCount(QueryId):
    """A whole number from 0 in a query string: ASCII digits only; the service judges the range."""

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> int:
        if not isinstance(value, str) or not self._DIGITS.fullmatch(value) or len(value) > 9:
            raise self.make_error("invalid")
        return int(value)



class PeriodArgs(Schema):
    date_from = Date(data_key="from", required=True, metadata={"description": "first day of the period (included)"})
    date_to = Date(data_key="to", required=True, metadata={"description": "last day of the period (included)"})
    organisation_id = QueryId(metadata={
        "description": "analysts/admins: one organisation (default all); casework roles: only their own (else 404)"})


class EsfArgs(PeriodArgs):
    ltu_rule = Choice(q.LTU_RULES, metadata={"description": "long-term unemployment rule; default the "
                                                            "ESF_LTU_RULE setting"})
    min_hours = QueryCount(metadata={
        "description": "count only participants with at least this many hours of participation (whole hours, "
                       "0 to 10,000; 0 = everyone); default the ESF_MIN_HOURS setting. Hours: "
                       "docs/esf-indicators.md"})
    partnership_id = QueryId(metadata={
        "description": "the partnership's report: its organisations' participants, a person whose cases are "
                       "linked by accepted referrals counted once (first entry, final exit across the "
                       "partnership); analysts, admins and the partnership's coordinators; not with "
                       "organisation_id"})


class EsfDrilldownArgs(EsfArgs):
    indicator = Choice(q.OUTPUT_KEYS + q.RESULT_KEYS, required=True)
    gender = Choice(q.BREAKDOWN_KEYS, load_default="total")


class PlacementArgs(PeriodArgs):
    counsellor_id = QueryId(metadata={"description": "participants of this counsellor (404 when not a counsellor "
                                                     "of the reported organisation)"})
    measure_type = Choice(MEASURE_TYPES)
    measure_id = QueryId(metadata={"description": "participants enrolled in this measure (404 when not a measure "
                                                  "of the reported organisation)"})
    group_by = Text(max_length=200, metadata={
        "description": "comma-separated breakdowns out of: " + ", ".join(q.BREAKDOWNS) + " (default all)"})


class MonitoringArgs(PeriodArgs):
    format = Choice(("xml", "csv", "json"), load_default="json",
                    metadata={"description": "the file's format (the XML validates against the shipped XSD)"})
    include_incomplete = Flag(load_default=False, metadata={
        "description": "also export records whose mandatory entry data are missing, marked complete=false"})


class CompletenessArgs(PageArgs):
    issue = Choice(q.COMPLETENESS_ISSUES, metadata={"description": "only participants with this issue"})
    organisation_id = QueryId(metadata={"description": "only the own organisation (another one: 404)"})


# --- answers ------------------------------------------------------------------------------------------

NONNEGATIVE = {"minimum": 0}


EsfBreakdownSchema = type("EsfBreakdownSchema", (Schema,), {
    "__doc__": "`total` also counts participants whose gender is not_stated",
    **{k: fields.Integer(required=True, metadata=NONNEGATIVE) for k in q.BREAKDOWN_KEYS}})


def _indicator_schema(name: str, keys: tuple[str, ...]) -> type[Schema]:
    return type(name, (Schema,), {k: fields.Nested(EsfBreakdownSchema, required=True) for k in keys})


EsfOutputsSchema = _indicator_schema("EsfOutputsSchema", q.OUTPUT_KEYS)
EsfResultsSchema = _indicator_schema("EsfResultsSchema", q.RESULT_KEYS)


class EsfReportSchema(Schema):
    """ESF+ common indicators (Regulation (EU) 2021/1057, Annex I) as docs/esf-indicators.md defines
    them. Outputs count participants whose first entry lies in the period, results those whose final
    exit does. Every key is present, zeros included."""
    date_from = fields.Date(data_key="from", attribute="from", required=True)
    date_to = fields.Date(data_key="to", attribute="to", required=True)
    ltu_rule = fields.String(required=True, metadata={"enum": list(q.LTU_RULES)})
    min_hours = fields.Integer(required=True, metadata={
        "minimum": 0, "description": "the minimum participation applied (0: none)"})
    organisation_id = fields.Integer(allow_none=True)
    partnership_id = fields.Integer(allow_none=True, metadata={"description": "set for a partnership's report"})
    outputs = fields.Nested(EsfOutputsSchema, required=True)
    results = fields.Nested(EsfResultsSchema, required=True)



def _count() -> fields.Integer:
    """A figure of a group: null when the group is suppressed."""
    return fields.Integer(required=True, allow_none=True, metadata=NONNEGATIVE)


def _rate(*, required: bool) -> fields.Float:
    return fields.Float(required=required, allow_none=True, metadata={"minimum": 0, "maximum": 1})


class PlacementGroupSchema(Schema):
    """One group of a breakdown. For analysts and admins a group of fewer than 5 participants has
    every figure null and suppressed true (shown as '< 5')."""
    key = fields.String(required=True)
    label = fields.String(required=True)
    suppressed = fields.Boolean(required=True)
    participants = _count()
    entered = _count()
    exited = _count()
    placed_exits = _count()
    placement_rate = _rate(required=True)


class PlacementFiltersSchema(Schema):
    organisation_id = fields.Integer(allow_none=True)
    counsellor_id = fields.Integer(allow_none=True)
    measure_type = fields.String(allow_none=True)
    measure_id = fields.Integer(allow_none=True)


class PlacementSummarySchema(Schema):
    participants_active = fields.Integer(required=True)
    entered = fields.Integer(required=True)
    exited = fields.Integer(required=True)
    placed_exits = fields.Integer(required=True)
    placement_rate = _rate(required=True)
    median_days_to_first_placement = fields.Float(required=True, allow_none=True)
    six_month_follow_ups_known = fields.Integer(required=True)
    still_placed_at_six_months = fields.Integer(required=True)
    still_placed_share = _rate(required=True)


class PlacementMonthSchema(Schema):
    month = fields.String(required=True, metadata={"pattern": "^[0-9]{4}-[0-9]{2}$"})
    entered = fields.Integer(required=True)
    exited = fields.Integer(required=True)
    placements = fields.Integer(required=True, metadata={"description": "job/apprenticeship/self-employment starts"})


class PlacementReportSchema(Schema):
    """The placement outcome report; its definitions are in caseflow/reports/api.py and on the page."""
    date_from = fields.Date(data_key="from", attribute="from", required=True)
    date_to = fields.Date(data_key="to", attribute="to", required=True)
    filters = fields.Nested(PlacementFiltersSchema, required=True)
    small_cell_threshold = fields.Integer(required=True, allow_none=True)
    summary = fields.Nested(PlacementSummarySchema, required=True)
    placements_by_type = fields.Dict(keys=fields.String(metadata={"enum": list(PLACEMENT_TYPES)}),
                                     values=fields.Integer(), required=True,
                                     metadata={"description": "every placement type, zeros included"})
    breakdowns = fields.Dict(keys=fields.String(), values=fields.List(fields.Nested(PlacementGroupSchema)),
                             required=True, metadata={"description": "one list per requested breakdown: "
                                                                     + ", ".join(q.BREAKDOWNS)})
    monthly = fields.List(fields.Nested(PlacementMonthSchema), required=True)


class CompletenessItemSchema(Schema):
    id = fields.Integer(required=True)
    case_number = fields.String(required=True)
    exit_date = fields.Date(allow_none=True)
    issues = fields.List(fields.String(metadata={"enum": list(q.COMPLETENESS_ISSUES)}), required=True)


CompletenessCountsSchema = type("CompletenessCountsSchema", (Schema,), {
    k: fields.Integer(required=True) for k in ("any", *q.COMPLETENESS_ISSUES)})


class CompletenessPageSchema(Schema):
    items = fields.List(fields.Nested(CompletenessItemSchema), required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)
    counts = fields.Nested(CompletenessCountsSchema, required=True)
