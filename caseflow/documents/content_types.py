"""What a file is, read from its content (never from its name or the browser's claim), against the
allow-list: PDF, JPEG, PNG, HEIC, DOCX, XLSX, ODT, ODS and plain text.

- PDF, JPEG, PNG: their signatures at the very start.
- HEIC: an ISO-BMFF `ftyp` box whose major or compatible brands name HEIC/HEVC.
- DOCX/XLSX/ODT/ODS are ZIP archives: the archive's directory must hold the members that make them
  that format (`word/document.xml`, `xl/workbook.xml`, or an ODF `mimetype` member naming the type).
  Macro-enabled variants (a `vbaProject.bin` inside) are refused. Nothing is unpacked but the ODF
  `mimetype` member, read at most 100 bytes, so a ZIP bomb costs nothing.
- Plain text: valid UTF-8 all the way through (checked while the file is stored), no NUL and no
  other control characters but tab, line breaks and form feed; markup (HTML, SVG, XML) and scripts
  (`#!`) are refused even though they are text, so that an HTML page renamed .pdf or .txt is refused.
A name whose extension names another accepted type than the content ("letter.pdf" holding HTML) is
refused as well: the person uploading it should know.
"""
from __future__ import annotations

import codecs
import re
import zipfile
from typing import IO

from caseflow.errors import DomainError
from caseflow.translation import gettext as _

HEAD_BYTES = 4096
_HEIC_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"hevm", b"hevs"}
_ODF = {"application/vnd.oasis.opendocument.text": "odt",
        "application/vnd.oasis.opendocument.spreadsheet": "ods"}
EXTENSIONS = {"pdf": "pdf", "jpg": "jpeg", "jpeg": "jpeg", "png": "png", "heic": "heic", "heif": "heic",
              "docx": "docx", "xlsx": "xlsx", "odt": "odt", "ods": "ods", "txt": "text", "text": "text",
              "csv": "text", "md": "text"}
_MARKUP = re.compile(rb"^\s*(<!doctype|<html|<head|<body|<script|<svg|<\?xml|<iframe|<!--)", re.I)
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")


def refused(message: str) -> DomainError:
    return DomainError.field("file", message, code="unsupported_type")


def _not_allowed() -> DomainError:
    return refused(_("This type of file is not accepted. Upload a PDF, JPEG, PNG, HEIC, DOCX, ODT, XLSX, "
                     "ODS or plain-text file."))


def _heic(head: bytes) -> bool:
    if len(head) < 16 or head[4:8] != b"ftyp":
        return False
    box = int.from_bytes(head[0:4], "big")
    brands = [head[8:12]] + [head[i:i + 4] for i in range(16, min(box, len(head)) - 3, 4)]
    return any(b in _HEIC_BRANDS for b in brands)


def _zip_type(stream: IO[bytes]) -> str:
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            if any(n.lower().endswith("vbaproject.bin") for n in names):
                raise refused(_("Documents with macros are not accepted. Save the file without macros "
                                "(DOCX or XLSX) and upload it again."))
            if "mimetype" in names:
                with archive.open("mimetype") as member:
                    kind = _ODF.get(member.read(100).decode("ascii", "replace").strip())
                if kind:
                    return kind
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return "docx"
            if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
                return "xlsx"
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, UnicodeError):
        pass
    finally:
        stream.seek(0)
    raise _not_allowed()


def sniff(head: bytes, stream: IO[bytes]) -> str:
    """The file type code (vocabulary.FILE_TYPES) of content starting with `head`; `stream` (seekable,
    positioned anywhere) is only read for ZIP-based formats. Raises DomainError (422) otherwise.
    Plain text is only judged by its head here: TextCheck judges the rest while it is stored."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if _heic(head):
        return "heic"
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(stream)
    if not head:
        raise refused(_("The file is empty."))
    check = TextCheck()
    check.feed(head, final=False)
    return "text"


class TextCheck:
    """Judges plain text piece by piece: valid UTF-8, no control characters, no markup, no script."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._started = False

    def feed(self, data: bytes, *, final: bool) -> None:
        if not self._started:
            start = data.removeprefix(codecs.BOM_UTF8)
            if _MARKUP.match(start) or start.startswith(b"#!"):
                raise refused(_("Web pages, markup and scripts are not accepted, whatever the file is called."))
            self._started = True
        try:
            text = self._decoder.decode(data, final=final)
        except UnicodeDecodeError:
            raise _not_allowed() from None
        if _CONTROL.search(text):
            raise _not_allowed()


def check_name(filename: str, file_type: str) -> None:
    """Refuses a name whose extension names another accepted type than the content."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    claimed = EXTENSIONS.get(extension)
    if claimed and claimed != file_type:
        raise refused(_("The file is called “%(name)s” but its content is not of that type. Check that "
                        "you chose the right file.", name=filename))
