"""Reading a workbook row by row: XLSX through openpyxl in read-only mode with cached values only
(a formula cell gives the value Excel saved with it; nothing is ever evaluated), CSV with comma or
semicolon, UTF-8 with or without BOM, or Windows-1252. Memory stays constant per row: rows are
yielded one at a time and never collected."""
from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from typing import Any

from caseflow.errors import DomainError
from caseflow.translation import gettext as _


class UnreadableFile(DomainError):
    """Not a spreadsheet, or one that cannot be read."""

    def __init__(self, message: str):
        super().__init__(message, code="unreadable_file", fields={"file": [message]})


@dataclass
class RawSheet:
    name: str
    headers: list[str]


class Workbook:
    """`sheets` (name and header row of each non-empty sheet) and `rows(name)`: (row number, values)."""

    def __init__(self, content: bytes, file_name: str):
        self.content, self.file_name = content, file_name
        self.kind = _kind_of(content)
        self._xlsx: Any = None
        if self.kind == "xlsx":
            import openpyxl
            _quick_size_worksheets()
            try:
                self._xlsx = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            except Exception:  # openpyxl raises many kinds for broken files; each means the same here
                raise UnreadableFile(_("The file could not be read as an Excel workbook (.xlsx).")) from None
        else:
            self.encoding, self.delimiter = _csv_dialect(content)

    def close(self) -> None:
        if self._xlsx is not None:
            self._xlsx.close()

    @property
    def sheets(self) -> list[RawSheet]:
        if self._xlsx is None:
            rows = self._csv_rows()
            header = next(rows, None)
            return [RawSheet(self.file_name, _headers(header))] if header else []
        found = []
        for ws in self._xlsx.worksheets:
            header = next(ws.iter_rows(min_row=1, max_row=1, values_only=True), None)
            if header and any(v not in (None, "") for v in header):
                found.append(RawSheet(ws.title, _headers(header)))
        return found

    def rows(self, name: str) -> Iterator[tuple[int, tuple[Any, ...]]]:
        """The data rows below the header, with their row number in the file; empty rows skipped."""
        if self._xlsx is None:
            source: Any = enumerate(self._csv_rows(), start=1)
        else:
            source = _sheet_rows(self._xlsx, self._xlsx[name])
        for number, values in source:
            if number == 1:
                continue
            if any(v not in (None, "") and not (isinstance(v, str) and not v.strip()) for v in values):
                yield number, tuple(values)

    def count_rows(self, skip: Collection[str] = ()) -> int:
        """Data rows of the sheets not in `skip` (for the progress bar): a quick first pass that
        counts the row elements of each sheet's XML without parsing it (a file written in
        streaming mode has no dimension element to read the size from)."""
        if self._xlsx is None:
            return max(sum(1 for _ in self._csv_rows()) - 1, 0)
        total = 0
        for ws in self._xlsx.worksheets:
            if ws.title in skip:
                continue
            rows, tail = 0, b""
            with self._xlsx._archive.open(ws._worksheet_path) as xml:
                while chunk := xml.read(1 << 20):
                    data = tail + chunk
                    rows += len(_ROW_TAG.findall(data))
                    tail = data[-16:]
                    rows -= len(_ROW_TAG.findall(tail))   # counted again with the next chunk
            rows += len(_ROW_TAG.findall(tail))
            total += max(rows - 1, 0)
        return total

    def _csv_rows(self) -> Iterator[list[str]]:
        text = io.TextIOWrapper(io.BytesIO(self.content), encoding=self.encoding, newline="")
        return iter(csv.reader(text, delimiter=self.delimiter))


def _headers(row: Any) -> list[str]:
    return ["" if v is None else str(v).strip() for v in row]


def _kind_of(content: bytes) -> str:
    if content[:4] == b"PK\x03\x04":
        try:
            names = zipfile.ZipFile(io.BytesIO(content)).namelist()
        except zipfile.BadZipFile:
            names = []
        if "xl/workbook.xml" in names:
            return "xlsx"
        raise UnreadableFile(_("This is not a spreadsheet. Upload an Excel workbook (.xlsx) or a CSV file."))
    if content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise UnreadableFile(_("Old Excel files (.xls) cannot be read. Save the file as .xlsx or CSV and upload it again."))
    if b"\x00" in content[:4096]:
        raise UnreadableFile(_("This is not a spreadsheet. Upload an Excel workbook (.xlsx) or a CSV file."))
    return "csv"


def _csv_dialect(content: bytes) -> tuple[str, str]:
    """(encoding, delimiter): UTF-8 (a BOM is dropped) unless the bytes are not UTF-8, then
    Windows-1252; semicolon when the header line has more semicolons than commas."""
    try:
        content.decode("utf-8")
        encoding = "utf-8-sig"
    except UnicodeDecodeError:
        encoding = "cp1252"
        try:
            content.decode("cp1252")
        except UnicodeDecodeError:
            raise UnreadableFile(_("The CSV file is neither UTF-8 nor Windows-1252 text.")) from None
    first = content.split(b"\n", 1)[0]
    delimiter = ";" if first.count(b";") > first.count(b",") else ","
    if not content.strip():
        raise UnreadableFile(_("The file is empty."))
    return encoding, delimiter


_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW_TAG = re.compile(rb"<(?:[A-Za-z0-9]+:)?row[\s>/]")
_DIMENSION = re.compile(rb"<(?:[A-Za-z0-9]+:)?dimension\s+ref=\"([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)\"")


def _quick_size_worksheets() -> None:
    """openpyxl's read-only worksheet looks for the `<dimension>` element with an XML parser that
    reads the whole sheet when the element is missing (as in files written in streaming mode, ours
    included): one full parse per sheet on opening, before any row is read. The element, when
    there, precedes `<sheetData>` (ECMA-376 §18.3.1.99), so its first bytes tell the same."""
    import openpyxl.reader.excel
    from openpyxl.utils.cell import range_boundaries
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    if getattr(openpyxl.reader.excel.ReadOnlyWorksheet, "quick_size", False):
        return

    class QuickSizeWorksheet(ReadOnlyWorksheet):
        quick_size = True

        def _get_size(self) -> None:
            with self._get_source() as src:
                head = src.read(1 << 16).split(b"sheetData", 1)[0]
            match = _DIMENSION.search(head)
            if match:
                self._min_column, self._min_row, self._max_column, self._max_row = range_boundaries(match[1].decode())

    openpyxl.reader.excel.ReadOnlyWorksheet = QuickSizeWorksheet


def _column_index(ref: str) -> int:
    index = 0
    for ch in ref:
        if ch.isdigit():
            break
        index = index * 26 + (ord(ch) - 64)
    return index - 1


def _sheet_rows(wb: Any, ws: Any) -> Iterator[tuple[int, list[Any]]]:
    """(row number, values) of a read-only worksheet, parsed with lxml's iterparse from the archive.

    openpyxl opened the workbook (shared strings, which styles are dates, the date epoch); reading
    the rows through its cell objects costs ~10 times more than this, which matters for 70,000 rows.
    Values are the cached ones (`<v>`): a formula is never evaluated, and one that was saved
    without a value reads as empty. Cell types as in ECMA-376: s (shared string), inlineStr, str
    (a formula's text result), b, e (an error value: empty), d (ISO date), n (number; a date when
    its style is a date format)."""
    from lxml import etree
    from openpyxl.utils.datetime import from_excel

    shared, dates, epoch = ws._shared_strings, wb._date_formats, wb.epoch
    with wb._archive.open(ws._worksheet_path) as xml:
        for _event, row in etree.iterparse(xml, tag=f"{_NS}row"):
            values: list[Any] = []
            for cell in row.iterchildren(f"{_NS}c"):
                ref = cell.get("r")
                position = _column_index(ref) if ref else len(values)
                kind = cell.get("t", "n")
                if kind == "inlineStr":
                    value: Any = "".join(cell.itertext())
                else:
                    v = cell.find(f"{_NS}v")
                    raw = v.text if v is not None else None
                    if raw is None:
                        value = None
                    elif kind == "s":
                        value = shared[int(raw)]
                    elif kind == "str":
                        value = raw
                    elif kind == "b":
                        value = raw == "1"
                    elif kind == "e":
                        value = None
                    elif kind == "d":
                        from datetime import datetime
                        value = datetime.fromisoformat(raw)
                    else:
                        number = float(raw)
                        value = int(number) if number.is_integer() and "." not in raw and "E" not in raw else number
                        style = cell.get("s")
                        if style is not None and int(style) in dates:
                            value = from_excel(number, epoch)
                if position >= len(values):
                    values.extend([None] * (position - len(values) + 1))
                values[position] = value
            number_attr = row.get("r")
            yield (int(number_attr) if number_attr else 0), values
            row.clear()
            while row.getprevious() is not None:
                del row.getparent()[0]
