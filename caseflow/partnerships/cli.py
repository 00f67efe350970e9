"""`partnerships create NAME --org ORGNAME [--org ORGNAME …]` (interfaces.md)."""
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


def register(app: Flask) -> None:
    app.cli.add_command(group)
