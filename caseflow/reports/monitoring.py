"""The participant-level monitoring export (issue 18; fields and codes in docs/monitoring-export.md).

One record per participant who entered in the period or whose final exit lies in it, with an entry
part (always), an exit part (final exit in the period: the same rule as the ESF+ result indicators)
and a six-month part (the latest six-month follow-up of that exit). Records are identified by a
stable pseudonym: HMAC-SHA-256 under PSEUDONYM_KEY of ("monitoring", organisation id, participant
id) — the same in every export, different per organisation, nothing readable from it. No names, no
contact data, no dates of birth (year of birth and age at entry only).

The selection is the ESF+ report's (reports/queries.py: the same scope, the same entry and exit
rules, the same indicator expressions), so the records' counts agree with the report, except for
participants who withdrew their `funder_reporting` consent: they are left out here (the report's
aggregates keep them).

A gate: records whose mandatory entry data are missing (`MANDATORY`) are blocking; they are left out
unless the user chooses to export them marked incomplete (`complete="false"` with the missing fields).
Every export writes one audit entry `monitoring.export` (who, period, organisation, format, how many).
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app
from lxml import etree
from sqlalchemy.orm import aliased

from caseflow.audit.services import record
from caseflow.crypto import pseudonym
from caseflow.database import reports_session, transactional
from caseflow.errors import Forbidden
from caseflow.measures.queries import participant_minutes
from caseflow.placements.models import FollowUp
from caseflow.privacy.models import Consent
from caseflow.reports import queries as q
from caseflow.reports.services import check_period, default_ltu_rule, resolve_organisation
from caseflow.translation import gettext as _
from caseflow.translation import lazy_gettext as _l
from caseflow.validation import Checker

P = q.P
FORMATS = ("xml", "csv", "json")
EXPORT_ROLES = ("team_lead", "analyst")
SCHEMA_VERSION = "1"
NAMESPACE = "urn:caseflow:monitoring:1"
XSD_PATH = Path(__file__).with_name("monitoring.xsd")
CONTENT_TYPES = {"xml": "application/xml; charset=utf-8", "csv": "text/csv; charset=utf-8",
                 "json": "application/json"}

# The entry questionnaire's mandatory data that can be missing in Caseflow (everything else the
# registration already requires): without them a record is blocking.
MANDATORY = {
    "education_isced": _l("Highest education (ISCED)"),
    "unemployed_since": _l("Unemployed since (for long-term unemployment)"),
}

ENTRY_FIELDS = ("entry_date", "birth_year", "age_at_entry", "gender", "labour_status_at_entry",
                "long_term_unemployed", "education_isced", "third_country_national",
                "foreign_background", "disability", "minority", "homeless")
EXIT_FIELDS = ("exit_date", "exit_reason", "status_upon_leaving", "qualification_upon_leaving")
SIX_MONTH_FIELDS = ("follow_up_date", "status", "improved_situation", "improvement_kind")


@dataclass
class Export:
    date_from: date
    date_to: date
    organisation_id: int | None
    ltu_rule: str
    records: list[dict[str, Any]] = field(default_factory=list)
    blocking: list[dict[str, Any]] = field(default_factory=list)   # left out (or exported incomplete)
    withdrawn: int = 0                                             # left out: consent withdrawn
    include_incomplete: bool = False

    @property
    def incomplete(self) -> int:
        return sum(1 for r in self.records if not r["complete"])


def require_export_role(actor) -> None:
    if actor is not None and actor.role not in EXPORT_ROLES:
        raise Forbidden(_("Only team leads and analysts export monitoring data."))


def _withdrawn_condition():
    """Has a funder_reporting consent, and none of them is live: withdrawn."""
    c = aliased(Consent)
    any_consent = sa.exists().where(c.participant_id == P.id, c.purpose == "funder_reporting").correlate(P)
    live = aliased(Consent)
    live_consent = sa.exists().where(live.participant_id == P.id, live.purpose == "funder_reporting",
                                     live.withdrawn_on.is_(None)).correlate(P)
    return sa.and_(any_consent, ~live_consent)


def _select(date_from: date, date_to: date, organisation_id: int | None, rule: str) -> sa.Select:
    r = q.leaving_subquery(date_from, date_to, organisation_id)
    fu = aliased(FollowUp, name="fu_export")
    outputs = q.output_conditions(rule)
    results = q.result_conditions(r)
    entered = P.entry_date.between(date_from, date_to)
    return (sa.select(
        P.id, P.organisation_id, P.case_number, P.first_name, P.last_name, P.entry_date, P.birth_year,
        P.age_at_entry, P.gender, P.labour_status_at_entry, P.unemployed_since, P.education_isced,
        P.foreign_background, P.disability, P.minority, P.homeless, P.status, P.exit_date, P.exit_reason,
        sa.case((outputs["long_term_unemployed"], True), else_=False).label("long_term_unemployed"),
        sa.case((outputs["third_country_national"], True), else_=False).label("third_country_national"),
        _withdrawn_condition().label("withdrawn"),
        r.c.id.label("leaving_id"), r.c.leaving_status, r.c.qualified,
        sa.case((results["qualification_upon_leaving"], True), else_=False).label("qualification_upon_leaving"),
        fu.date.label("follow_up_date"), fu.status.label("follow_up_status"),
        fu.improved_situation.label("follow_up_improved"), fu.improvement_kind.label("improvement_kind"),
        participant_minutes(P).label("participation_minutes"))
        .outerjoin(r, r.c.id == P.id)
        .outerjoin(fu, fu.id == r.c.follow_up_id)
        .where(*q.scope_conditions(organisation_id), sa.or_(entered, r.c.id.is_not(None)))
        .order_by(P.organisation_id, P.id))


def missing_fields(row: Any) -> list[str]:
    missing = []
    if row.education_isced is None:
        missing.append("education_isced")
    if row.labour_status_at_entry == "unemployed" and row.unemployed_since is None:
        missing.append("unemployed_since")
    return missing


def _record(row: Any, missing: list[str]) -> dict[str, Any]:
    entry = {
        "entry_date": row.entry_date.isoformat(), "birth_year": row.birth_year, "age_at_entry": row.age_at_entry,
        "gender": row.gender, "labour_status_at_entry": row.labour_status_at_entry,
        "long_term_unemployed": bool(row.long_term_unemployed), "education_isced": row.education_isced,
        "third_country_national": bool(row.third_country_national),
        "foreign_background": row.foreign_background, "disability": row.disability,
        "minority": row.minority, "homeless": row.homeless,
    }
    exit_part = None
    six_months = None
    if row.leaving_id is not None:
        exit_part = {"exit_date": row.exit_date.isoformat(), "exit_reason": row.exit_reason,
                     "status_upon_leaving": row.leaving_status,
                     "qualification_upon_leaving": bool(row.qualification_upon_leaving)}
        if row.follow_up_date is not None:
            six_months = {"follow_up_date": row.follow_up_date.isoformat(), "status": row.follow_up_status,
                          "improved_situation": row.follow_up_improved,
                          "improvement_kind": row.improvement_kind}
    return {"pseudonym": pseudonym("monitoring", row.organisation_id, row.id),
            "organisation_id": row.organisation_id, "complete": not missing, "missing": missing,
            "entry": entry, "exit": exit_part, "six_months": six_months,
            "participation_hours": hours(row.participation_minutes)}


def hours(minutes: Any) -> str:
    """Minutes as hours with two decimals, as text (an exact decimal in every format)."""
    return str((Decimal(int(minutes or 0)) / 60).quantize(Decimal("0.01")))


def params_for(data: Mapping[str, Any], *, actor) -> tuple[date, date, int | None]:
    """Judges converted parameters: the period's rules; the organisation the actor may export
    (casework: their own, another → 404; analysts: all or one)."""
    require_export_role(actor)
    check = Checker(data, summary=_("Please correct the export's parameters."))
    date_from, date_to = data.get("date_from"), data.get("date_to")
    check.require(date_from is not None, "from", _("This field is required."))
    check.require(date_to is not None, "to", _("This field is required."))
    check_period(check, date_from, date_to)
    check.require(data.get("format", "xml") in FORMATS, "format", _("Choose xml, csv or json."))
    check.done()
    assert date_from is not None and date_to is not None
    organisation_id = data.get("organisation_id")
    if actor is not None:
        organisation_id = resolve_organisation(organisation_id, actor=actor)
    return date_from, date_to, organisation_id


def build(date_from: date, date_to: date, organisation_id: int | None, *,
          include_incomplete: bool = False) -> Export:
    """The records (read only; nothing is audited here: see `run_export`)."""
    rule = default_ltu_rule()
    export = Export(date_from, date_to, organisation_id, rule, include_incomplete=include_incomplete)
    for row in reports_session().execute(_select(date_from, date_to, organisation_id, rule)).all():
        if row.withdrawn:
            export.withdrawn += 1
            continue
        missing = missing_fields(row)
        if missing:
            export.blocking.append({"participant_id": row.id, "case_number": row.case_number,
                                    "name": f"{row.first_name} {row.last_name}", "missing": missing})
            if not include_incomplete:
                continue
        export.records.append(_record(row, missing))
    return export


@transactional
def run_export(data: Mapping[str, Any], *, actor, fmt: str, channel: str = "web",
               include_incomplete: bool = False) -> tuple[Export, str]:
    """Builds the export in `fmt` and writes its audit entry in the same unit of work: who, the
    period, the organisation, the format, how many records (and how many were left out)."""
    date_from, date_to, organisation_id = params_for({**data, "format": fmt}, actor=actor)
    export = build(date_from, date_to, organisation_id, include_incomplete=include_incomplete)
    body = render(export, fmt)
    record("monitoring.export", actor=actor, object_type="monitoring_export",
           organisation_id=organisation_id if organisation_id is not None else getattr(actor, "organisation_id", None),
           changes={"from": [None, date_from.isoformat()], "to": [None, date_to.isoformat()],
                    "scope_organisation_id": [None, organisation_id], "format": [None, fmt],
                    "channel": [None, channel], "records": [None, len(export.records)],
                    "incomplete": [None, export.incomplete],
                    "blocking_left_out": [None, 0 if include_incomplete else len(export.blocking)],
                    "withdrawn_left_out": [None, export.withdrawn]})
    return export, body


# --- formats --------------------------------------------------------------------------------------

def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def to_xml(export: Export) -> bytes:
    ns = f"{{{NAMESPACE}}}"
    root = etree.Element(ns + "monitoringExport", nsmap={None: NAMESPACE})
    root.set("schemaVersion", SCHEMA_VERSION)
    root.set("from", export.date_from.isoformat())
    root.set("to", export.date_to.isoformat())
    root.set("generatedAt", datetime.now(UTC).replace(microsecond=0).isoformat())
    root.set("records", str(len(export.records)))
    for rec in export.records:
        el = etree.SubElement(root, ns + "participant", pseudonym=rec["pseudonym"],
                              organisation=str(rec["organisation_id"]), complete=_text(rec["complete"]))
        for name in rec["missing"]:
            etree.SubElement(el, ns + "missing").text = name
        parts = (("entry", ENTRY_FIELDS, rec["entry"]), ("exit", EXIT_FIELDS, rec["exit"]),
                 ("sixMonths", SIX_MONTH_FIELDS, rec["six_months"]))
        for tag, names, values in parts:
            if values is None:
                continue
            part = etree.SubElement(el, ns + tag)
            for name in names:
                if values[name] is not None:  # optional elements are left out, never empty
                    etree.SubElement(part, ns + _camel(name)).text = _text(values[name])
        etree.SubElement(el, ns + "participationHours").text = rec["participation_hours"]
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def csv_columns() -> list[str]:
    return (["pseudonym", "organisation_id", "complete", "missing"]
            + [f"entry_{n}" if not n.startswith("entry") else n for n in ENTRY_FIELDS]
            + [n if n.startswith("exit") else f"exit_{n}" for n in EXIT_FIELDS]
            + [f"six_months_{n}" for n in SIX_MONTH_FIELDS] + ["participation_hours"])


def to_csv(export: Export) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(csv_columns())
    for rec in export.records:
        entry, ex, six = rec["entry"], rec["exit"] or {}, rec["six_months"] or {}
        writer.writerow([rec["pseudonym"], rec["organisation_id"], _text(rec["complete"]), " ".join(rec["missing"])]
                        + [_text(entry[n]) for n in ENTRY_FIELDS]
                        + [_text(ex.get(n)) for n in EXIT_FIELDS]
                        + [_text(six.get(n)) for n in SIX_MONTH_FIELDS] + [rec["participation_hours"]])
    return out.getvalue()


def to_json(export: Export) -> str:
    return json.dumps({"schema_version": SCHEMA_VERSION, "from": export.date_from.isoformat(),
                       "to": export.date_to.isoformat(), "organisation_id": export.organisation_id,
                       "records": export.records}, ensure_ascii=False, indent=1)


def render(export: Export, fmt: str) -> str:
    if fmt == "xml":
        return to_xml(export).decode("utf-8")
    if fmt == "csv":
        return to_csv(export)
    return to_json(export)


_schema: etree.XMLSchema | None = None


def xml_schema() -> etree.XMLSchema:
    global _schema
    if _schema is None:
        _schema = etree.XMLSchema(etree.parse(str(XSD_PATH)))
    return _schema


def filename(export: Export, fmt: str) -> str:
    scope = f"-org{export.organisation_id}" if export.organisation_id is not None else ""
    return f"monitoring-{export.date_from.isoformat()}-{export.date_to.isoformat()}{scope}.{fmt}"


def pseudonym_key_configured() -> bool:
    return bool(current_app.config.get("PSEUDONYM_KEY"))
