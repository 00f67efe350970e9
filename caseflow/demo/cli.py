"""`flask --app app demo-data --participants N --seed S [--org ORGNAME]`."""
from __future__ import annotations

import time

import click
import sqlalchemy as sa
from flask import Flask

from caseflow.cli import fails_cleanly
from caseflow.extensions import db


@click.command("demo-data")
@click.option("--participants", "count", type=click.IntRange(0, 1_000_000), default=300, show_default=True)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--org", "org_name", default=None, help="put everything into this existing organisation")
@click.option("--if-empty", is_flag=True, help="do nothing when the database holds organisations already")
@fails_cleanly
def demo_data(count: int, seed: int, org_name: str | None, if_empty: bool) -> None:
    """Fill the database with realistic synthetic participants and their whole histories."""
    from caseflow.accounts.models import Organisation
    from caseflow.accounts.services import organisation_by_name
    from caseflow.demo import DEMO_PASSWORD, generate

    if if_empty and db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)):
        from caseflow.accounts.demo import existing_demo_logins
        click.echo("The database holds data already; no demo data loaded.")
        logins = existing_demo_logins()
        if logins:
            _print_logins(logins, DEMO_PASSWORD)
        else:
            click.echo("No demo account with the demo password is left in this database; create an account "
                       "with: flask --app app users create EMAIL --name NAME --role ROLE --org ORGNAME --password PASSWORD")
        return
    organisation = organisation_by_name(org_name) if org_name else None
    started = time.perf_counter()
    ctx = generate(participants=count, seed=seed, organisation=organisation)
    click.echo(f"Demo data: {count} participants in {time.perf_counter() - started:.1f} s.")
    if ctx.logins:
        _print_logins(ctx.logins, DEMO_PASSWORD)


def _print_logins(logins: list[tuple[str, str, str]], password: str) -> None:
    click.echo(f"Demo logins (password for all: {password}):")
    for role, email, org in logins:
        click.echo(f"  {role:<11} {email:<45} {org}")


def register(app: Flask) -> None:
    app.cli.add_command(demo_data)
