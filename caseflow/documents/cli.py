"""`documents rotate-key` (interfaces.md), `documents purge` (retention per kind) and
`documents export` (the subject-access export with the files, as a ZIP)."""
from __future__ import annotations

import shutil

import click
from flask import Flask
from flask.cli import AppGroup

from caseflow.cli import fails_cleanly

documents = AppGroup("documents", help="Documents kept as evidence.")


@documents.command("rotate-key")
@click.option("--batch", default=16, show_default=True, help="chunks (of 1 MB) re-encrypted per commit")
@fails_cleanly
def rotate_key(batch: int) -> None:
    """Re-encrypts every document (and TOTP secret) under the first key of DOCUMENT_KEY (resumable)."""
    from caseflow import crypto
    from caseflow.documents import services, storage
    newest = crypto.current_key_id()
    left = storage.chunks_not_under(newest)
    click.echo(f"{left} chunks to re-encrypt under key {newest}.")
    done = services.rotate_key(batch=max(1, batch), progress=lambda n: click.echo(f"  {n} of {left} done"))
    click.echo(f"Re-encrypted {done} chunks; every document is under key {newest}.")
    from caseflow.accounts.two_factor import rotate_totp_secrets
    click.echo(f"Re-encrypted {rotate_totp_secrets()} TOTP secrets.")


@documents.command("purge")
@click.option("--dry-run", is_flag=True, help="only count the documents due")
@fails_cleanly
def purge(dry_run: bool) -> None:
    """Deletes the documents past the retention of their kind (docs/documents.md)."""
    from caseflow.documents.services import purge_expired_documents
    count = purge_expired_documents(dry_run=dry_run)
    click.echo(f"{count} documents are past their retention." if dry_run else f"Deleted {count} documents past their retention.")


@documents.command("export")
@click.argument("case_number")
@click.option("--output", required=True, type=click.Path(dir_okay=False, writable=True), help="the ZIP file to write")
@fails_cleanly
def export(case_number: str, output: str) -> None:
    """Writes the subject-access export with every document's files as a ZIP."""
    from caseflow.documents.export import build_archive
    from caseflow.privacy.services import participant_by_case_number
    participant = participant_by_case_number(case_number)
    archive = build_archive(participant, actor=None, channel="cli")
    with archive, open(output, "wb") as target:
        shutil.copyfileobj(archive, target, 1024 * 1024)
    click.echo(f"Wrote {output}.")


def register(app: Flask) -> None:
    app.cli.add_command(documents)
