"""`participants export`, `participants anonymise` and `retention run` (docs/interfaces.md). The command
line acts without an account: it finds participants by case number directly."""
from __future__ import annotations

import json

import click
from flask import Flask
from flask.cli import AppGroup

from caseflow.cli import fails_cleanly, shared_group


@click.command("export")
@click.argument("case_number")
@fails_cleanly
def participants_export(case_number: str) -> None:
    """Prints everything held about one participant as JSON (GDPR Art. 15/20)."""
    from caseflow.privacy.services import export_participant, participant_by_case_number
    participant = participant_by_case_number(case_number)
    click.echo(json.dumps(export_participant(participant, actor=None, channel="cli"), ensure_ascii=False, indent=2))


@click.command("anonymise")
@click.argument("case_number")
@click.option("--reason", required=True, help="why (do not write the person's name here)")
@fails_cleanly
def participants_anonymise(case_number: str, reason: str) -> None:
    """Removes the personal data of one participant for good, keeping what the statistics need."""
    from caseflow.privacy.services import anonymise_by_case_number
    participant, done = anonymise_by_case_number(case_number, reason)
    if done:
        click.echo(f"Anonymised {participant.case_number}.")
    else:
        click.echo(f"{participant.case_number} was anonymised already; nothing left to remove.")


retention = AppGroup("retention", help="Retention of personal data (RETENTION_YEARS after the final exit).")


@retention.command("run")
@click.option("--dry-run", is_flag=True, help="only count the participants due")
@fails_cleanly
def retention_run(dry_run: bool) -> None:
    """Anonymises every participant whose final exit is older than RETENTION_YEARS."""
    from flask import current_app

    from caseflow.privacy.services import run_retention
    years = current_app.config["RETENTION_YEARS"]
    count = run_retention(dry_run=dry_run)
    if dry_run:
        click.echo(f"{count} participants are due for anonymisation (final exit more than {years} years ago).")
    else:
        click.echo(f"Anonymised {count} participants (final exit more than {years} years ago).")


def register(app: Flask) -> None:
    group = shared_group(app, "participants", help="Participants.")
    group.add_command(participants_export)
    group.add_command(participants_anonymise)
    app.cli.add_command(retention)
