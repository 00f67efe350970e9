"""Fixtures of the documents tests: a participant, its placement, and files of every accepted type
(and some that must be refused), built in memory."""
from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest

from caseflow.extensions import db
from caseflow.placements.models import Placement
from tests.factories import ParticipantFactory

MARKER = b"ZQX-MARKER-7f3a9c-NOT-IN-THE-DATABASE"


def pdf(extra: bytes = b"", size: int = 0) -> bytes:
    body = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n" + MARKER + extra
    if size > len(body):
        body += b"\n%" + b"x" * (size - len(body) - 9) + b"\n%%EOF\n"
    return body


def zipped(members: dict[str, bytes], *, stored_first: str | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        if stored_first:
            archive.writestr(zipfile.ZipInfo(stored_first), members.pop(stored_first))
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def docx() -> bytes:
    return zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>" + MARKER})


def xlsx() -> bytes:
    return zipped({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})


def odt() -> bytes:
    return zipped({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"},
                  stored_first="mimetype")


def ods() -> bytes:
    return zipped({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<office/>"},
                  stored_first="mimetype")


def heic() -> bytes:
    return b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 100
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


@pytest.fixture
def participant(org, counsellor):
    return ParticipantFactory(organisation=org, counsellor=counsellor, first_name="Leyla", last_name="Karimi")


@pytest.fixture
def foreign_participant(other_org, other_counsellor):
    return ParticipantFactory(organisation=other_org, counsellor=other_counsellor)


@pytest.fixture
def placement(participant):
    p = Placement(participant_id=participant.id, type="employment", employer_name="Spreewerk GmbH",
                  job_title="Elektronikerin", start_date=date(2024, 9, 1), evidence="contract_seen")
    db.session.add(p)
    db.session.commit()
    return p


def form(kind="contract", title="Arbeitsvertrag", day="2024-08-20", **extra):
    return {"kind": kind, "title": title, "date": day, **extra}


def upload(api, participant_id, content: bytes, filename="vertrag.pdf", **fields):
    data = {**form(**fields), "file": (io.BytesIO(content), filename)}
    return api.client.post(f"/api/v1/participants/{participant_id}/documents", data=data, headers=api.headers,
                           content_type="multipart/form-data")
