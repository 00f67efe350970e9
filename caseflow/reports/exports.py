"""Every report as CSV and XLSX: headers in the user's language, formula injection neutralised.

A text cell that begins with =, +, -, @, a tab or a carriage return would be read as a formula by
spreadsheet programs; such cells get a leading single quote. Numbers stay numbers.

Characters a spreadsheet cannot hold (NUL and other control characters, lone surrogates), which
may be in the database from before the request guard refused them, are replaced by U+FFFD: the
export never fails on them (openpyxl would raise, with the cell's value in its message). The cell
rules and the XLSX writer are in caseflow/spreadsheets.py, shared with the caseload's export.
"""
from __future__ import annotations

import csv
import io
from typing import Any

from flask_babel import format_date, get_locale

from caseflow.i18n import format_number
from caseflow.reports import labels as L
from caseflow.reports import queries as q
from caseflow.spreadsheets import DANGEROUS_START, UNSTORABLE, Table, neutralise, to_xlsx
from caseflow.translation import gettext as _
from caseflow.vocabulary import PLACEMENT_TYPES

__all__ = ["DANGEROUS_START", "UNSTORABLE", "Table", "neutralise", "to_xlsx", "to_csv"]


def _csv_convention() -> tuple[str, str]:
    """(delimiter, decimal mark) of the reader's language: German spreadsheets split CSV at
    semicolons and read a decimal comma; English ones use commas and a decimal point."""
    locale = str(get_locale() or "en")
    return (";", ",") if locale.startswith("de") else (",", ".")


def _csv_value(value: Any, percent: bool, decimal: str) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float):
        text = f"{value * 100:.1f}" if percent else f"{value:g}"
        text = text.replace(".", decimal)
        return f"{text} %" if percent and decimal == "," else (f"{text}%" if percent else text)
    return neutralise(value)


def to_csv(tables: list[Table]) -> bytes:
    """UTF-8 with a byte-order mark (spreadsheets then detect the encoding), in the reader's
    convention (German: semicolons and decimal commas; English: commas); the report's title,
    period, organisation and rule first, then one block per table, its title on a line of its own,
    a blank line between blocks."""
    delimiter, decimal = _csv_convention()
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for n, table in enumerate(tables):
        if n:
            writer.writerow([])
        writer.writerow([neutralise(" · ".join([table.title, *table.context[1:]]) if table.context else table.title)])
        writer.writerow([neutralise(h) for h in table.headers])
        for r, row in enumerate(table.rows):
            writer.writerow([_csv_value(v, i in table.percent_columns or (r in table.percent_rows and i > 0), decimal)
                             for i, v in enumerate(row)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


# --- the reports as tables ------------------------------------------------------------------------

def _breakdown_headers() -> list[str]:
    return [str(L.BREAKDOWN_LABELS[k]) for k in q.BREAKDOWN_KEYS]


def _context(title: str, report: dict, scope: str, rule: str | None = None) -> list[str]:
    lines = [title, _("Period: %(start)s to %(end)s", start=format_date(report["from"]), end=format_date(report["to"])),
             _("Organisation: %(name)s", name=scope)]
    if rule:
        lines.append(_("Long-term unemployment rule: %(rule)s", rule=str(L.LTU_RULE_LABELS[rule])))
    return lines


def esf_tables(report: dict, organisation_name: str) -> list[Table]:
    context = _context(_("ESF+ common indicators"), report, organisation_name, report["ltu_rule"])
    context.append(_("Minimum participation: %(hours)s hours", hours=report["min_hours"]) if report.get("min_hours")
                   else _("Minimum participation: none (every participant counts)"))
    outputs = Table(_("Output indicators"), [_("Indicator")] + _breakdown_headers(), context=context)
    for key in q.OUTPUT_KEYS:
        outputs.rows.append([str(L.OUTPUT_LABELS[key])] + [report["outputs"][key][b] for b in q.BREAKDOWN_KEYS])
    results = Table(_("Result indicators"), [_("Indicator")] + _breakdown_headers(), context=context)
    for key in q.RESULT_KEYS:
        results.rows.append([str(L.RESULT_LABELS[key])] + [report["results"][key][b] for b in q.BREAKDOWN_KEYS])
    return [outputs, results]


def _cell(value):
    return "< 5" if value is None else value


def placement_tables(report: dict, scope: str) -> list[Table]:
    context = _context(_("Placement outcomes"), report, scope)
    summary = Table(_("Summary"), [_("Figure"), _("Value")], context=context,
                    percent_rows=tuple(i for i, k in enumerate(L.SUMMARY_LABELS) if k.endswith(("_rate", "_share"))))
    for key, label in L.SUMMARY_LABELS.items():
        summary.rows.append([str(label), report["summary"][key]])
    by_type = Table(_("Placements by type"), [_("Type"), _("Placements")], context=context)
    for key, label in PLACEMENT_TYPES.items():
        by_type.rows.append([str(label), report["placements_by_type"][key]])
    tables = [summary, by_type]
    metric_headers = [str(L.METRIC_LABELS[m]) for m in (*q.GROUP_METRICS, "placement_rate")]
    for dim, groups in report["breakdowns"].items():
        table = Table(str(L.DIMENSION_LABELS[dim]), [str(L.DIMENSION_LABELS[dim])] + metric_headers,
                      percent_columns=(len(q.GROUP_METRICS) + 1,), context=context,
                      sheet=str(L.DIMENSION_SHEET_LABELS.get(dim, "")))
        for g in groups:
            if g["suppressed"]:
                table.rows.append([g["label"]] + ["< 5"] * len(q.GROUP_METRICS) + [None])
            else:
                table.rows.append([g["label"]] + [g[m] for m in q.GROUP_METRICS] + [g["placement_rate"]])
        tables.append(table)
    monthly = Table(_("Monthly trend"), [_("Month"), _("Entered"), _("Exited"), _("Placements")], context=context)
    for m in report["monthly"]:
        monthly.rows.append([m["month"], m["entered"], m["exited"], m["placements"]])
    tables.append(monthly)
    return tables


def completeness_tables(rows: list, today, *, total: int | None = None) -> list[Table]:
    """The completeness list; `total`: the participants of the whole list, when the file holds only
    the first of them (the file then says so, next to its date)."""
    context = [_("Data completeness"), _("As of %(day)s", day=format_date(today))]
    if total is not None and total > len(rows):
        context.append(_("The first %(shown)s of %(total)s participants, by case number. Choose one check "
                         "to narrow the list.", shown=format_number(len(rows)), total=format_number(total)))
    table = Table(_("Data completeness"),
                  [_("Case number"), _("Name")] + [str(L.COMPLETENESS_LABELS[k]) for k in q.COMPLETENESS_ISSUES],
                  context=context)
    for r in rows:
        table.rows.append([r.case_number, f"{r.first_name or ''} {r.last_name or ''}".strip()]
                          + [_("yes") if getattr(r, k) else "" for k in q.COMPLETENESS_ISSUES])
    return [table]
