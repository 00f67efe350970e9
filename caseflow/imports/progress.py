"""The progress of a running batch, where every worker and connection can read it while it runs.

A check writes nothing else, and on PostgreSQL an import's open transaction does not stop another
connection from committing: there the runner writes the progress (and its heartbeat) into the batch
row, each time in a short transaction on a connection of its own, next to the import's unit of work.

SQLite has one writer per database file, and an import's unit of work holds that lock from its first
INSERT to its COMMIT, so no other connection can commit anything to the file meanwhile (a progress
UPDATE would wait `busy_timeout` and fail). For an import on an SQLite file the progress therefore
goes into a small side database next to it (`<database file>-import-progress`, one row per running
batch: done, total, heartbeat), written in its own short transactions and read by any connection of
any worker; the batch row gets the final figures when the import commits. An in-memory SQLite
database (one connection) has no side file; there the page shows the progress at the end only.
"""
from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import datetime, timedelta

import sqlalchemy as sa

from caseflow.extensions import db
from caseflow.imports.models import ImportBatch
from caseflow.models_base import as_utc, utcnow

_TABLE = ("CREATE TABLE IF NOT EXISTS import_progress (batch_id INTEGER PRIMARY KEY, done INTEGER NOT NULL, "
          "total INTEGER NOT NULL, heartbeat TEXT NOT NULL)")


def side_file() -> str | None:
    """The side database of an SQLite database file, or None (PostgreSQL, in-memory SQLite)."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        return None
    database = url.database or ""
    if not database or database == ":memory:" or database.startswith("file:") or "mode=memory" in database:
        return None
    return database + "-import-progress"


def _connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=5, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")   # a progress figure need not survive a power cut
    conn.execute(_TABLE)
    return conn


def writer(batch_id: int, total: int, *, importing: bool) -> Callable[[int], None] | None:
    """A function that records `done` rows of `total` where others can read it (see the module's
    docstring), or None where nobody could read it during the run."""
    path = side_file() if importing else None
    if importing and db.engine.dialect.name == "sqlite":
        if path is None:
            return None

        def write_side(done: int) -> None:
            with closing(_connect(path)) as conn:
                conn.execute("INSERT OR REPLACE INTO import_progress (batch_id, done, total, heartbeat) "
                             "VALUES (?, ?, ?, ?)", (batch_id, done, max(total, done), utcnow().isoformat()))
        return write_side
    return row_writer(batch_id, total)


def row_writer(batch_id: int, total: int) -> Callable[[int], None]:
    """Progress and heartbeat into the batch row, in a short transaction on a connection of its own."""
    engine = db.engine
    table = ImportBatch.__table__

    def write_row(done: int) -> None:
        with engine.begin() as conn:
            conn.execute(sa.update(table).where(table.c.id == batch_id)
                         .values(progress_done=done, progress_total=max(total, done), started_at=utcnow()))
    return write_row


def _side_row(batch_id: int) -> tuple[int, int, datetime] | None:
    path = side_file()
    if path is None or not os.path.exists(path):   # no import has run on this SQLite file yet
        return None
    try:
        with closing(_connect(path)) as conn:
            row = conn.execute("SELECT done, total, heartbeat FROM import_progress WHERE batch_id = ?",
                               (batch_id,)).fetchone()
    except sqlite3.Error:
        return None
    if row is None:
        return None
    return int(row[0]), int(row[1]), datetime.fromisoformat(row[2])


def progress_of(batch: ImportBatch) -> tuple[int, int]:
    """(done, total) of a batch: the batch row's figures, or those of the side database while an
    import runs on SQLite."""
    done, total = batch.progress_done or 0, batch.progress_total or 0
    if batch.status == "running":
        side = _side_row(batch.id)
        if side is not None and side[0] >= done:
            done, total = side[0], side[1]
    return done, total


def alive(batch_id: int, stale_after: timedelta) -> bool:
    """Whether a runner wrote a heartbeat into the side database within `stale_after` (an import
    on SQLite cannot update the batch row while it runs)."""
    side = _side_row(batch_id)
    return side is not None and utcnow() - as_utc(side[2]) < stale_after


def clear(batch_id: int) -> None:
    path = side_file()
    if path is None or not os.path.exists(path):
        return
    try:
        with closing(_connect(path)) as conn:
            conn.execute("DELETE FROM import_progress WHERE batch_id = ?", (batch_id,))
    except sqlite3.Error:
        pass   # a stale row is harmless: progress_of reads it only while the batch runs
