"""Sending a stored file: streamed chunk by chunk, always as an attachment, never rendered.

Headers: `Content-Disposition: attachment` with a safe ASCII `filename` and the real name as
RFC 5987 `filename*`; the type read from the content at upload; `X-Content-Type-Options: nosniff`;
`Cache-Control: no-store`; and a sandboxing CSP, so that even a browser that ignored the
attachment would run nothing from it.
"""
from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import quote

from flask import Response, stream_with_context

from caseflow.documents import storage
from caseflow.documents.models import DocumentFile
from caseflow.documents.services import ascii_filename
from caseflow.documents.vocabulary import FILE_TYPES


def content_disposition(filename: str) -> str:
    return f"attachment; filename=\"{ascii_filename(filename)}\"; filename*=UTF-8''{quote(filename, safe='')}"


def attachment(body: Iterable[bytes], *, filename: str, content_type: str, length: int | None = None) -> Response:
    response = Response(stream_with_context(iter(body)), content_type=content_type)
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    if length is not None:
        response.headers["Content-Length"] = str(length)
    return response


def file_response(file: DocumentFile) -> Response:
    return attachment(storage.read_chunks(file.id, file.chunk_count), filename=file.filename,
                      content_type=FILE_TYPES[file.file_type][0], length=file.size)
