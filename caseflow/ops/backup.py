"""Backups that restore (docs/operations.md).

SQLite: the online backup API (`sqlite3.Connection.backup`) copies a consistent snapshot of a live
database, page by page, while the app keeps reading and writing; a plain file copy of a database in
WAL mode can miss the last commits or tear. Restoring writes the backup into the target file
through the same API (the app stopped), so no stale -wal/-shm file survives.

PostgreSQL: `pg_dump --format=custom` (a consistent snapshot of one database, taken in one
repeatable-read transaction while the app runs) and `pg_restore` into an empty database.
Continuous archiving (base backups plus WAL) is described in docs/operations.md.

    python -m caseflow.ops.backup backup  DATABASE_URL FILE    # SQLite file or PostgreSQL
    python -m caseflow.ops.backup restore FILE DATABASE_URL    # into a new, empty database
"""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from config import with_our_driver


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise ValueError("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def _libpq(url: URL) -> tuple[list[str], dict[str, str]]:
    """Connection options for pg_dump/pg_restore: host, port, user, database as arguments, the
    password in PGPASSWORD (never on the command line, where `ps` would show it)."""
    args = ["--host", url.host or "localhost", "--port", str(url.port or 5432), "--username", url.username or "postgres"]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def backup(database_url: str, target: str | Path) -> Path:
    """Writes a consistent backup of the database to `target` and returns its path."""
    url, target = make_url(with_our_driver(database_url)), Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(_sqlite_path(url))
        copy = sqlite3.connect(target)
        try:
            with copy:
                source.backup(copy, pages=1024)  # in steps, so the app's writers are not held up
        finally:
            copy.close()
            source.close()
        return target
    args, env = _libpq(url)
    _run(["pg_dump", *args, "--format=custom", "--no-owner", "--file", str(target), url.database or ""], env)
    return target


def restore(source: str | Path, database_url: str) -> None:
    """Restores a backup made by `backup()` into the database of `database_url`, which must be new
    and empty (SQLite: a file that does not exist yet; PostgreSQL: `createdb` first). Stops at the
    first error (pg_restore --exit-on-error)."""
    url, source = make_url(with_our_driver(database_url)), Path(source)
    if url.get_backend_name() == "sqlite":
        target = _sqlite_path(url)
        if target.exists() and target.stat().st_size:
            raise FileExistsError(f"{target} exists: restore into a new file, then move it into place")
        backup_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        restored = sqlite3.connect(target)
        try:
            with restored:
                backup_db.backup(restored)
            problems = restored.execute("PRAGMA integrity_check").fetchall()
            if problems != [("ok",)]:
                raise RuntimeError(f"the restored database fails its integrity check: {problems[:3]}")
        finally:
            restored.close()
            backup_db.close()
        return
    args, env = _libpq(url)
    _run(["pg_restore", *args, "--exit-on-error", "--no-owner", "--dbname", url.database or "", str(source)], env)


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{command[0]} failed (exit code {result.returncode}): {result.stderr.strip()[-2000:]}")


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] not in ("backup", "restore"):
        print(__doc__, file=sys.stderr)
        return 2
    if argv[0] == "backup":
        print(backup(argv[1], argv[2]))
    else:
        restore(argv[1], argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
