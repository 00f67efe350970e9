"""Every report as CSV and XLSX: headers in the user's language, formula injection neutralised.

A text cell that begins with =, +, -, @, a tab or a carriage return would be read as a formula by
spreadsheet programs; such cells get a leading single quote. Numbers stay numbers.

Characters a spreadsheet cannot hold (NUL and other control characters, lone surrogates), which
may be in the database from before the request guard refused them, are replaced by U+FFFD: the
export never fails on them (openpyxl would raise, with the cell's value in its message).
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from caseflow.reports import labels as L
from caseflow.reports import queries as q
from caseflow.vocabulary import PLACEMENT_TYPES

DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
# What XML 1.0 (and so XLSX) cannot hold; tab and line breaks stay.
UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def neutralise(value: Any) -> Any:
    if isinstance(value, str):
        value = UNSTORABLE.sub("\ufffd", value)
        if value.startswith(DANGEROUS_START):
            return "'" + value
    return value


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    percent_columns: tuple[int, ...] = ()


def to_csv(tables: list[Table]) -> bytes:
    """UTF-8 with a byte-order mark (spreadsheets then detect the encoding); one block per table,
    its title on a line of its own, a blank line between blocks."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for n, table in enumerate(tables):
        if n:
            writer.writerow([])
        writer.writerow([neutralise(table.title)])
        writer.writerow([neutralise(h) for h in table.headers])
        for row in table.rows:
            writer.writerow(["" if v is None else neutralise(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _sheet_title(title: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", title)[:28].strip() or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        name, n = f"{base[:25]} {n}", n + 1
    used.add(name.lower())
    return name


def to_xlsx(tables: list[Table]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for table in tables:
        sheet = workbook.create_sheet(_sheet_title(neutralise(table.title), used))
        sheet.append([neutralise(h) for h in table.headers])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append([neutralise(v) for v in row])
        for col in table.percent_columns:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=col + 1, max_col=col + 1):
                if isinstance(cell.value, (int, float)):
                    cell.number_format = "0.0%"
        for i, header in enumerate(table.headers):
            width = max([len(str(header))] + [len(str(r[i])) for r in table.rows if r[i] is not None])
            sheet.column_dimensions[sheet.cell(row=1, column=i + 1).column_letter].width = min(60, width + 2)
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- the reports as tables ------------------------------------------------------------------------

def _breakdown_headers() -> list[str]:
    return [str(L.BREAKDOWN_LABELS[k]) for k in q.BREAKDOWN_KEYS]


def esf_tables(report: dict, organisation_name: str) -> list[Table]:
    period = _("Period %(start)s to %(end)s, rule %(rule)s, %(scope)s", start=report["from"].isoformat(),
               end=report["to"].isoformat(), rule=report["ltu_rule"], scope=organisation_name)
    outputs = Table(_("Output indicators") + " – " + period,
                    [_("Indicator"), _("Key")] + _breakdown_headers())
    for key in q.OUTPUT_KEYS:
        outputs.rows.append([str(L.OUTPUT_LABELS[key]), key] + [report["outputs"][key][b] for b in q.BREAKDOWN_KEYS])
    results = Table(_("Result indicators") + " – " + period, [_("Indicator"), _("Key")] + _breakdown_headers())
    for key in q.RESULT_KEYS:
        results.rows.append([str(L.RESULT_LABELS[key]), key] + [report["results"][key][b] for b in q.BREAKDOWN_KEYS])
    return [outputs, results]


def _cell(value):
    return "< 5" if value is None else value


def placement_tables(report: dict, scope: str) -> list[Table]:
    period = _("Period %(start)s to %(end)s, %(scope)s", start=report["from"].isoformat(),
               end=report["to"].isoformat(), scope=scope)
    summary = Table(_("Summary") + " – " + period, [_("Figure"), _("Value")])
    for key, label in L.SUMMARY_LABELS.items():
        summary.rows.append([str(label), report["summary"][key]])
    by_type = Table(_("Placements by type"), [_("Type"), _("Placements")])
    for key, label in PLACEMENT_TYPES.items():
        by_type.rows.append([str(label), report["placements_by_type"][key]])
    tables = [summary, by_type]
    metric_headers = [str(L.METRIC_LABELS[m]) for m in (*q.GROUP_METRICS, "placement_rate")]
    for dim, groups in report["breakdowns"].items():
        table = Table(str(L.DIMENSION_LABELS[dim]), [str(L.DIMENSION_LABELS[dim])] + metric_headers,
                      percent_columns=(len(q.GROUP_METRICS) + 1,))
        for g in groups:
            if g["suppressed"]:
                table.rows.append([g["label"]] + ["< 5"] * len(q.GROUP_METRICS) + [None])
            else:
                table.rows.append([g["label"]] + [g[m] for m in q.GROUP_METRICS] + [g["placement_rate"]])
        tables.append(table)
    monthly = Table(_("Monthly trend"), [_("Month"), _("Entered"), _("Exited"), _("Placements")])
    for m in report["monthly"]:
        monthly.rows.append([m["month"], m["entered"], m["exited"], m["placements"]])
    tables.append(monthly)
    return tables


def completeness_tables(rows: list, today) -> list[Table]:
    table = Table(_("Data completeness on %(day)s", day=today.isoformat()),
                  [_("Case number"), _("Name")] + [str(L.COMPLETENESS_LABELS[k]) for k in q.COMPLETENESS_ISSUES])
    for r in rows:
        table.rows.append([r.case_number, f"{r.first_name or ''} {r.last_name or ''}".strip()]
                          + [_("yes") if getattr(r, k) else "" for k in q.COMPLETENESS_ISSUES])
    return [table]
