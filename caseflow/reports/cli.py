"""`monitoring export --from DATE --to DATE --format xml|csv|json [--org ORGNAME]` (docs/interfaces.md):
prints the participant-level monitoring export; audited like every export (actor: the command line)."""
from __future__ import annotations

import sys
from datetime import date

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import AppGroup

from caseflow.accounts.models import Organisation
from caseflow.errors import DomainError
from caseflow.extensions import db
from caseflow.reports import monitoring as m

monitoring_group = AppGroup("monitoring", help="The participant-level monitoring export for funders.")


def _day(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("use YYYY-MM-DD", param_hint=name) from None


@monitoring_group.command("export")
@click.option("--from", "date_from", required=True, help="first day of the period (YYYY-MM-DD)")
@click.option("--to", "date_to", required=True, help="last day of the period (YYYY-MM-DD)")
@click.option("--format", "fmt", type=click.Choice(m.FORMATS), default="xml", show_default=True)
@click.option("--org", "org_name", default=None, help="one organisation (default: all)")
@click.option("--include-incomplete", is_flag=True, help="also export blocking records, marked incomplete")
def export_command(date_from: str, date_to: str, fmt: str, org_name: str | None, include_incomplete: bool) -> None:
    """Prints the export; the blocking records are counted on stderr (case numbers only)."""
    organisation_id = None
    if org_name:
        organisation_id = db.session.scalar(sa.select(Organisation.id).where(Organisation.name == org_name))
        if organisation_id is None:
            click.echo(f"Error: no organisation named {org_name!r}.", err=True)
            sys.exit(1)
    data = {"date_from": _day(date_from, "--from"), "date_to": _day(date_to, "--to"),
            "organisation_id": organisation_id}
    try:
        export, body = m.run_export(data, actor=None, fmt=fmt, channel="cli", include_incomplete=include_incomplete)
    except DomainError as exc:
        click.echo(f"Error: {exc.message} {exc.fields or ''}", err=True)
        sys.exit(1)
    click.echo(body, nl=not body.endswith("\n"))
    if export.blocking:
        state = "exported marked incomplete" if include_incomplete else "left out"
        click.echo(f"{len(export.blocking)} blocking record(s) {state}: "
                   + ", ".join(b["case_number"] for b in export.blocking), err=True)


def register(app: Flask) -> None:
    app.cli.add_command(monitoring_group)
