"""Spreadsheet files for every domain: cells safe from formula injection, one XLSX writer.

A text cell that begins with =, +, -, @, a tab or a carriage return would be read as a formula by
spreadsheet programs; such cells get a leading single quote. Numbers stay numbers.

Characters a spreadsheet cannot hold (NUL and other control characters, lone surrogates), which
may be in the database from before the request guard refused them, are replaced by U+FFFD: the
export never fails on them (openpyxl would raise, with the cell's value in its message).

Moved here from reports/exports.py (which uses it as before) so that a lower domain, the caseload's
export in participants, writes its file with the same rules.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

# A download that holds names holds at most this many people (the caseload's export refuses a longer
# list, the data completeness list's export holds its first and says so): a larger file is no
# working list, and too much personal data in one file.
EXPORT_LIMIT = 10_000

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
    title: str                                        # the table's title (the sheet's name when it fits)
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    percent_columns: tuple[int, ...] = ()
    percent_rows: tuple[int, ...] = ()                # rows whose numbers are rates (a summary's)
    context: list[str] = field(default_factory=list)  # report title, period, organisation, rule
    sheet: str = ""                                   # a shorter sheet name where the title has over 31


def _sheet_title(title: str, used: set[str]) -> str:
    """The table's title as the sheet's name. Excel allows 31 characters and none of []:*?/\\: those
    become spaces, and a longer title is cut after a whole word with an ellipsis (the sheet's header
    block holds the full title)."""
    base = " ".join(re.sub(r"[\[\]:*?/\\]", " ", title).split()) or "Sheet"
    if len(base) > 31:
        cut = base[:30].rsplit(" ", 1)[0] if " " in base[:30] else base[:30]
        base = cut.rstrip(" ,;–-") + "…"
    name, n = base, 2
    while name.lower() in used:
        name, n = f"{base[:27]} {n}", n + 1
    used.add(name.lower())
    return name


INTEGER_FORMAT = "#,##0"
PERCENT_FORMAT = "0.0%"


def to_xlsx(tables: list[Table]) -> bytes:
    """One sheet per table: a header block (the report's title, period, organisation, rule), the
    column headers (bold, frozen, repeated on every printed page), counts as integers, rates as
    percentages, column widths from the content, landscape and fitted to the page width."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for table in tables:
        sheet = workbook.create_sheet(_sheet_title(neutralise(table.sheet or table.title), used))
        lines = (table.context + [table.title]) if table.context else [table.title]
        for i, line in enumerate(lines):
            cell = sheet.cell(row=i + 1, column=1, value=neutralise(line))
            cell.font = Font(bold=True, size=14 if i == 0 else (12 if i == len(lines) - 1 else 11))
        header_row = len(lines) + 2  # a blank row between the header block and the table
        for i, h in enumerate(table.headers):
            sheet.cell(row=header_row, column=i + 1, value=neutralise(h))
        for cell in sheet[header_row]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDE4EE")
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in table.rows:
            sheet.append([neutralise(v) for v in row])
        for r, row_cells in enumerate(sheet.iter_rows(min_row=header_row + 1)):
            for cell in row_cells:
                if isinstance(cell.value, bool):
                    continue
                percent = cell.column - 1 in table.percent_columns or (r in table.percent_rows and cell.column > 1)
                if percent and isinstance(cell.value, (int, float)):
                    cell.number_format = PERCENT_FORMAT
                elif isinstance(cell.value, int):
                    cell.number_format = INTEGER_FORMAT

        for i, header in enumerate(table.headers):
            width = max([min(len(str(header)), 30)] + [len(str(r[i])) for r in table.rows if r[i] is not None])
            sheet.column_dimensions[sheet.cell(row=header_row, column=i + 1).column_letter].width = min(60, width + 2)
        sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1).coordinate
        sheet.print_title_rows = f"{header_row}:{header_row}"
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.print_options.gridLines = True
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
