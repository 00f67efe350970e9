"""`participants import FILE [--dry-run] [--org ORGNAME]` (interfaces.md): imports a workbook, prints
the report, exits non-zero when any row has an error (nothing is written then)."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask

from caseflow.cli import fails_cleanly, shared_group


def report_lines(batch) -> list[str]:
    """The report the page shows, as lines of text."""
    from caseflow.translation import gettext as _
    counts = batch.counts or {}
    lines = [_("Import %(id)s of %(file)s: %(status)s", id=batch.id, file=batch.file_name, status=batch.status),
             _("created %(c)s, updated %(u)s, unchanged %(n)s, rows with errors %(e)s",
               c=counts.get("created", 0), u=counts.get("updated", 0), n=counts.get("unchanged", 0),
               e=counts.get("errors", 0))]
    if counts.get("follow_up_tasks"):
        lines.append(_("follow-up tasks for the counsellors (imported exits): %(n)s", n=counts["follow_up_tasks"]))
    for e in batch.errors or []:
        where = _("%(sheet)s, row %(row)s", sheet=e["sheet"], row=e["row"])
        if e.get("column"):
            where += _(", column %(column)s", column=e["column"])
        lines.append(f"{where}: {e['message']}")
    hidden = (counts.get("error_messages") or 0) - len(batch.errors or [])
    if hidden > 0:
        lines.append(_("… and %(n)s more messages.", n=hidden))
    from caseflow.imports.services import duplicates_explained
    for d in duplicates_explained(batch):
        lines.append(_("%(sheet)s, row %(row)s: possible duplicate (external ID %(ext)s)",
                       sheet=d["sheet"], row=d["row"], ext=d["external_id"]))
        for m in d.get("matches", []):
            lines.append("  " + _("case %(id)s: %(reasons)s", id=m["id"], reasons="; ".join(m["explanation"])))
        for m in d.get("file_matches", []):
            lines.append("  " + _("row %(row)s of sheet %(sheet)s (external ID %(ext)s): %(reasons)s", row=m["row"],
                                  sheet=m["sheet"], ext=m["external_id"], reasons="; ".join(m["explanation"])))
    return lines


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="check every row and write nothing")
@click.option("--org", "org_name", default=None, help="the organisation's name (needed when there are several)")
@click.option("--accept-duplicates", is_flag=True, help="import possible duplicates as new people")
@fails_cleanly
def participants_import(file: Path, dry_run: bool, org_name: str | None, accept_duplicates: bool) -> None:
    """Imports participants and their history from an XLSX or CSV workbook."""
    from caseflow.imports import services
    org = services.organisation_named(org_name)
    batch = services.create_batch(file.read_bytes(), file.name, organisation_id=org.id, actor=None,
                                  dry_run=dry_run, accept_duplicates=accept_duplicates)
    batch = services.run_batch(batch.id) or batch
    failed = batch.status == "failed" or (batch.counts or {}).get("errors") or (batch.duplicates and not accept_duplicates)
    for line in report_lines(batch):
        click.echo(line)
    if failed:
        from caseflow.translation import gettext as _
        click.echo(_("Error: the file has errors or possible duplicates; nothing was written."), err=True)
        sys.exit(1)


def register(app: Flask) -> None:
    """Adds `import` to the shared `participants` group."""
    group = shared_group(app, "participants", help="Participants.")
    group.add_command(participants_import)
