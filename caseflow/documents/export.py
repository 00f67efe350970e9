"""The subject-access export with the files (GDPR Art. 15/20): a ZIP holding `export.json` (the
privacy domain's export, which lists the documents' records) and every version of every document
under `documents/`. Built in a temporary file one chunk at a time, so a large folder never sits in
memory; written to the access log (`case.export`) by the privacy service."""
from __future__ import annotations

import json
import tempfile
import zipfile
from collections.abc import Iterator
from typing import IO, Any

from caseflow.documents import queries, storage
from caseflow.documents.downloads import attachment
from caseflow.documents.services import ascii_filename
from caseflow.errors import Conflict
from caseflow.participants.models import Participant
from caseflow.privacy.services import export_participant
from caseflow.translation import gettext as _

COPY_BYTES = 1024 * 1024


def write_archive(target: IO[bytes], participant: Participant, data: dict[str, Any]) -> None:
    files = []
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for document in queries.documents_of(participant.id):
            for file in document.files:
                path = f"documents/{document.id}-{file.number}-{ascii_filename(file.filename)}"
                with archive.open(path, "w", force_zip64=file.size > 2**31) as member:
                    for chunk in storage.read_chunks(file.id, file.chunk_count):
                        member.write(chunk)
                files.append({"path": path, "document_id": document.id, "version": file.number,
                              "filename": file.filename, "sha256": file.sha256, "size": file.size})
        data = {**data, "files": files}
        archive.writestr("export.json", json.dumps(data, ensure_ascii=False, indent=2))


def build_archive(participant: Participant, *, actor, channel: str) -> IO[bytes]:
    """The archive in a temporary file (at its start). Raises Conflict for a restricted case unless
    `actor` is a team lead (the command line, actor None, may always)."""
    if actor is not None and participant.restricted_at is not None and actor.role != "team_lead":
        raise Conflict(_("Processing of this case is restricted; only the team lead may export its documents."),
                       code="restricted")
    data = export_participant(participant, actor=actor, channel=channel)
    target = tempfile.TemporaryFile()  # noqa: SIM115  (handed to the caller, who closes it)
    try:
        write_archive(target, participant, data)
    except BaseException:
        target.close()
        raise
    target.seek(0)
    return target


def _copy(source: IO[bytes]) -> Iterator[bytes]:
    try:
        while chunk := source.read(COPY_BYTES):
            yield chunk
    finally:
        source.close()


def archive_response(participant: Participant, *, actor, channel: str):
    archive = build_archive(participant, actor=actor, channel=channel)
    size = archive.seek(0, 2)
    archive.seek(0)
    return attachment(_copy(archive), filename=f"{participant.case_number}.zip", content_type="application/zip",
                      length=size)
