"""The downloadable XLSX template, one per language: a sheet per kind of record with its headers,
drop-down lists on the columns with fixed values (labels in the template's language, fed from a
hidden "Lists" sheet), and an explanation sheet naming each column, whether it is required and its
allowed values. Nothing in it is personal data, and no cell holds a formula except the list
references of the data validation."""
from __future__ import annotations

import io

from flask_babel import force_locale
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from caseflow.imports.spec import SHEETS, Column
from caseflow.translation import gettext as _

ROWS_WITH_LISTS = 5000
HEADER_FILL = PatternFill("solid", fgColor="DCE6F1")


def safe_cell(value: object) -> object:
    """A text that a spreadsheet would take for a formula (starting with = + - @, a tab or a CR)
    gets a leading apostrophe so that it stays text (formula injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _allowed(column: Column) -> list[str]:
    if column.choices:
        return [str(label) for label in column.choices.values()]
    if column.kind == "bool":
        return [_("yes"), _("no")]
    return []


def build_template(lang: str) -> bytes:
    """The template in `lang` ("de" or "en") as XLSX bytes."""
    with force_locale(lang):
        wb = Workbook()
        explanation = wb.active
        explanation.title = "Erläuterungen" if lang == "de" else "Explanation"
        lists = wb.create_sheet("Listen" if lang == "de" else "Lists")
        lists.sheet_state = "hidden"
        list_col = 0
        explanation.append([_("Caseflow import template"), ""])
        explanation["A1"].font = Font(bold=True, size=14)
        explanation.append([_("One row per record. The external ID links each row to its participant. "
                              "Dates as 2024-03-15 or 15.03.2024. Codes or the labels listed here are both accepted."),
                            ""])
        explanation.append([])
        explanation.append([_("Sheet"), _("Column"), _("Required"), _("Allowed values"), _("Explanation")])
        for cell in explanation[4]:
            cell.font = Font(bold=True)
            cell.fill = HEADER_FILL
        for sheet in SHEETS:
            ws = wb.create_sheet(sheet.name(lang))
            ws.append([c.header(lang) for c in sheet.columns])
            ws.freeze_panes = "A2"
            for i, column in enumerate(sheet.columns, start=1):
                cell = ws.cell(row=1, column=i)
                cell.font = Font(bold=True)
                cell.fill = HEADER_FILL
                ws.column_dimensions[get_column_letter(i)].width = max(column.width, len(column.header(lang)) + 2)
                allowed = _allowed(column)
                letter = get_column_letter(i)
                if allowed:
                    list_col += 1
                    lists_letter = get_column_letter(list_col)
                    for r, label in enumerate(allowed, start=1):
                        lists.cell(row=r, column=list_col, value=label)
                    dv = DataValidation(type="list", allow_blank=not column.required,
                                        formula1=f"{quote_sheetname(lists.title)}!${lists_letter}$1:${lists_letter}${len(allowed)}")
                    dv.error = _("Choose one of the listed values (see the explanation sheet).")
                    dv.errorTitle = column.header(lang)
                    dv.showErrorMessage = True
                    ws.add_data_validation(dv)
                    dv.add(f"{letter}2:{letter}{ROWS_WITH_LISTS}")
                if column.kind == "date":
                    dv = DataValidation(type="date", operator="greaterThan", formula1="1")
                    dv.error = _("Enter a date like 2024-03-15 or 15.03.2024.")
                    dv.showErrorMessage = True
                    ws.add_data_validation(dv)
                    dv.add(f"{letter}2:{letter}{ROWS_WITH_LISTS}")
                explanation.append([sheet.name(lang), column.header(lang), _("yes") if column.required else "",
                                    ", ".join(allowed[:40]) if allowed else "", str(column.help or "")])
        explanation.column_dimensions["A"].width = 26
        explanation.column_dimensions["B"].width = 34
        explanation.column_dimensions["C"].width = 10
        explanation.column_dimensions["D"].width = 60
        explanation.column_dimensions["E"].width = 70
        for row in explanation.iter_rows(min_row=5):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        wb.move_sheet(lists, offset=len(wb.sheetnames))
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()


def errors_csv(errors: list[dict]) -> str:
    """The error list as CSV (semicolon, for Excel in German), every cell escaped against formulas."""
    import csv
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([_("Sheet"), _("Row"), _("Column"), _("Message")])
    for e in errors:
        writer.writerow([safe_cell(e.get("sheet")), e.get("row"), safe_cell(e.get("column")), safe_cell(e.get("message"))])
    return out.getvalue()


def workbook_from_rows(rows_by_kind: dict[str, list[dict]], lang: str = "en") -> bytes:
    """A workbook in the template's layout holding these rows ({kind: [{field: value}]}), written
    in streaming mode; text that would read as a formula is escaped (safe_cell). Used by the tests,
    the benchmark and anyone who wants to turn data into an importable file."""
    from caseflow.imports.spec import SHEETS_BY_KIND
    wb = Workbook(write_only=True)
    for kind, rows in rows_by_kind.items():
        sheet = SHEETS_BY_KIND[kind]
        ws = wb.create_sheet(sheet.name(lang))
        ws.append([c.header(lang) for c in sheet.columns])
        for row in rows:
            ws.append([safe_cell(row.get(c.field)) for c in sheet.columns])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
