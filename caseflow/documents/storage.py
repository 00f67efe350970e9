"""File content in the database, encrypted, one chunk at a time.

A file is stored as rows of `document_chunks`, each at most CHUNK_BYTES of plain content encrypted
on its own with AES-GCM under the newest DOCUMENT_KEY key (caseflow/crypto.py), its own random
nonce, and the context `document:<file id>:<seq>` as associated data, so that a chunk moved to
another file or position does not decrypt. Writing and reading hold one chunk in memory (plus its
ciphertext), whatever the size of the file.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

import sqlalchemy as sa

from caseflow import crypto
from caseflow.documents.content_types import HEAD_BYTES, TextCheck, sniff
from caseflow.documents.models import DocumentChunk
from caseflow.extensions import db

CHUNK_BYTES = 1024 * 1024


def context(file_id: int, seq: int) -> bytes:
    return f"document:{file_id}:{seq}".encode()


@dataclass
class Stored:
    size: int
    sha256: str
    chunk_count: int


class TooLarge(Exception):
    """The content is longer than the limit (the caller answers 413)."""


def detect_type(stream: IO[bytes]) -> str:
    """The type of the content of `stream` (seekable); the stream is back at its start afterwards."""
    stream.seek(0)
    head = stream.read(HEAD_BYTES)
    file_type = sniff(head, stream)
    stream.seek(0)
    return file_type


def write_chunks(file_id: int, stream: IO[bytes], *, file_type: str, limit: int) -> Stored:
    """Encrypts and inserts the content of `stream` (from its current position) as chunks of
    `file_id`, reading CHUNK_BYTES at a time. Raises TooLarge beyond `limit` bytes and DomainError
    for text that turns out not to be plain UTF-8 text; the caller's unit of work then rolls back."""
    digest = hashlib.sha256()
    text = TextCheck() if file_type == "text" else None
    size = seq = 0
    table = DocumentChunk.__table__
    while True:
        data = stream.read(CHUNK_BYTES)
        if not data:
            break
        size += len(data)
        if size > limit:
            raise TooLarge()
        if text:
            text.feed(data, final=False)
        digest.update(data)
        key_id, blob = crypto.encrypt(data, context=context(file_id, seq))
        del data
        db.session.execute(sa.insert(table).values(file_id=file_id, seq=seq, key_id=key_id, data=blob))
        del blob
        seq += 1
    if text:
        text.feed(b"", final=True)
    return Stored(size=size, sha256=digest.hexdigest(), chunk_count=seq)


def read_chunks(file_id: int, chunk_count: int) -> Iterator[bytes]:
    """The plain content of `file_id`, one chunk at a time (one query per chunk, so that only one
    chunk is ever held)."""
    table = DocumentChunk.__table__
    for seq in range(chunk_count):
        key_id, blob = db.session.execute(
            sa.select(table.c.key_id, table.c.data).where(table.c.file_id == file_id, table.c.seq == seq)).one()
        yield crypto.decrypt(key_id, blob, context=context(file_id, seq))


def reencrypt_batch(batch: int = 16) -> int:
    """Re-encrypts up to `batch` chunks that are not under the newest key; returns how many (0: done).
    The caller commits after each batch, so an interrupted rotation resumes where it stopped."""
    newest = crypto.current_key_id()
    table = DocumentChunk.__table__
    rows = db.session.execute(sa.select(table.c.id, table.c.file_id, table.c.seq, table.c.key_id, table.c.data)
                              .where(table.c.key_id != newest).order_by(table.c.id).limit(batch)).all()
    for row in rows:
        ctx = context(row.file_id, row.seq)
        plain = crypto.decrypt(row.key_id, row.data, context=ctx)
        key_id, blob = crypto.encrypt(plain, context=ctx)
        db.session.execute(sa.update(table).where(table.c.id == row.id).values(key_id=key_id, data=blob))
    return len(rows)


def chunks_not_under(key_id: str) -> int:
    table = DocumentChunk.__table__
    return db.session.scalar(sa.select(sa.func.count()).select_from(table).where(table.c.key_id != key_id)) or 0
