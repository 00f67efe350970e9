"""`partnerships create NAME --org ORGNAME [--org ORGNAME …]` (interfaces.md) and
`partnerships coordinator NAME EMAIL` (links a coordinator's account to a partnership)."""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from caseflow.cli import fails_cleanly

group = AppGroup("partnerships", help="Partnerships of organisations.")


@group.command("create")
@click.argument("name")
@click.option("--org", "org_names", multiple=True, required=True, help="a member organisation's name (repeat)")
@fails_cleanly
def create(name: str, org_names: tuple[str, ...]) -> None:
    """Groups organisations into a partnership."""
    from caseflow.partnerships import services
    ids = [services.organisation_named(n).id for n in org_names]
    partnership = services.create_partnership(name, ids, actor=None)
    click.echo(f"partnership {partnership.id}: {partnership.name} ({len(set(ids))} organisations)")


@group.command("coordinator")
@click.argument("name")
@click.argument("email")
@fails_cleanly
def coordinator(name: str, email: str) -> None:
    """Lets the account EMAIL (role coordinator) run the ESF+ report of the partnership NAME."""
    import sqlalchemy as sa

    from caseflow.accounts.models import User
    from caseflow.errors import NotFound
    from caseflow.extensions import db
    from caseflow.partnerships.models import Partnership
    from caseflow.partnerships.report import add_coordinator
    partnership = db.session.scalar(sa.select(Partnership).where(Partnership.name == name.strip()))
    if partnership is None:
        raise NotFound(f"There is no partnership named {name}.")
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotFound(f"There is no account {email}.")
    add_coordinator(partnership.id, user, actor=None)
    click.echo(f"{user.email} coordinates partnership {partnership.id}: {partnership.name}")


def register(app: Flask) -> None:
    app.cli.add_command(group)
