"""Reading a workbook row by row: XLSX through openpyxl in read-only mode with cached values only
(a formula cell gives the value Excel saved with it; nothing is ever evaluated), CSV with comma or
semicolon, UTF-8 with or without BOM, or Windows-1252. Memory stays constant per row: rows are
yielded one at a time and never collected."""
from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from caseflow.errors import DomainError


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
            source: Any = self._csv_rows()
            next(source, None)
        else:
            source = self._xlsx[name].iter_rows(min_row=2, values_only=True)
        for number, values in enumerate(source, start=2):
            if any(v not in (None, "") and not (isinstance(v, str) and not v.strip()) for v in values):
                yield number, tuple(values)

    def count_rows(self) -> int:
        """Data rows of all sheets (for the progress bar): a quick first pass."""
        if self._xlsx is None:
            return max(sum(1 for _ in self._csv_rows()) - 1, 0)
        total = 0
        for ws in self._xlsx.worksheets:
            total += max((ws.max_row or 1) - 1, 0)
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
