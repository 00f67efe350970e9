"""The command line of docs/interfaces.md (`flask --app app …`). Each command calls a service; a failure
prints one clear line on standard error and exits non-zero."""
from __future__ import annotations

import sys
from functools import wraps

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import exc as sa_exc

from caseflow.crypto import KeyError_
from caseflow.errors import DomainError
from caseflow.translation import gettext as _


def fails_cleanly(func):
    @wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except DomainError as exc:
            # The service's unit of work rolled back already; nothing was written.
            details = "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.fields.items() if v)
            message = exc.message if not details or exc.message in details else f"{exc.message} ({details})"
            click.echo(_("Error: %(message)s", message=message), err=True)
            sys.exit(1)
        except KeyError_ as exc:
            # A malformed DOCUMENT_KEY, or data under a key no longer listed: a setting to correct,
            # not a stack trace (e.g. `documents rotate-key` after the old key was dropped).
            click.echo(_("Error: %(message)s", message=str(exc)), err=True)
            sys.exit(1)
        except (sa_exc.OperationalError, sa_exc.ProgrammingError) as exc:
            # Typically a database that was never migrated: one line, not a stack trace (the unit of
            # work rolled back).
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
            click.echo(_("Error: the database is not ready (%(reason)s). Run \"alembic upgrade head\" first.",
                         reason=reason), err=True)
            sys.exit(1)
    return wrapper


def shared_group(app: Flask, name: str, help: str) -> click.Group:
    """The command group `name` that several domains add to (e.g. `participants`: export and
    anonymise from privacy, import from imports), made by whichever registers first."""
    group = app.cli.commands.get(name)
    if group is None or not isinstance(group, click.Group):
        group = AppGroup(name, help=help)
        app.cli.add_command(group)
    return group


orgs = AppGroup("orgs", help="Organisations.")
users = AppGroup("users", help="Staff accounts.")
tokens = AppGroup("tokens", help="API tokens.")


@orgs.command("create")
@click.argument("name")
@fails_cleanly
def orgs_create(name: str) -> None:
    from caseflow.accounts.services import create_organisation
    org = create_organisation(name, actor=None)
    click.echo(f"Created organisation {org.id}: {org.name}")


@users.command("create")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--role", required=True, help="counsellor, team_lead, analyst or admin")
@click.option("--org", "org_name", default=None, help="the organisation's name")
@click.option("--password", required=True)
@fails_cleanly
def users_create(email: str, name: str, role: str, org_name: str | None, password: str) -> None:
    from caseflow.accounts.services import create_user, organisation_by_name
    org_id = organisation_by_name(org_name).id if org_name else None
    user = create_user(email=email, name=name, role=role, organisation_id=org_id, password=password, actor=None)
    click.echo(f"Created account {user.id}: {user.email} ({user.role})")


@users.command("invite")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--role", required=True, help="counsellor, team_lead, analyst or admin")
@click.option("--org", "org_name", default=None, help="the organisation's name")
@click.option("--locale", default=None, help="language of the invitation: de (default) or en")
@fails_cleanly
def users_invite(email: str, name: str, role: str, org_name: str | None, locale: str | None) -> None:
    """Creates the account without a password and sends the single-use invitation link (72 hours);
    with no mail server the mail is printed and the link is the last line."""
    from caseflow.accounts import links
    from caseflow.accounts.services import organisation_by_name
    org_id = organisation_by_name(org_name).id if org_name else None
    user, url = links.invite(email=email, name=name, role=role, organisation_id=org_id, actor=None, locale=locale)
    click.echo(f"Invited account {user.id}: {user.email} ({user.role})")
    if not links.mail_configured():
        click.echo(url)


@users.command("reset-password")
@click.argument("email")
@fails_cleanly
def users_reset_password(email: str) -> None:
    """Prints a single-use password-reset link (1 hour) on the last line."""
    from caseflow.accounts import links
    from caseflow.accounts.services import user_by_email
    click.echo(links.reset_link(user_by_email(email)))


@tokens.command("create")
@click.argument("email")
@fails_cleanly
def tokens_create(email: str) -> None:
    from caseflow.accounts.services import create_token, user_by_email
    token = create_token(user_by_email(email), actor=None)
    click.echo(token)


def register_commands(app: Flask) -> None:
    """The platform's commands (organisations, accounts, tokens) and demo data; the domains'
    commands are registered by their init_app (privacy: participants export/anonymise, retention)."""
    from caseflow.demo import cli as demo_cli

    for group in (orgs, users, tokens):
        app.cli.add_command(group)
    demo_cli.register(app)
