"""`jobs run` (interfaces.md): runs every scheduled job that is due, once; one line per job run."""
from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from caseflow.cli import fails_cleanly

jobs = AppGroup("jobs", help="Scheduled jobs (retention, reminders, digests, expiry).")


@jobs.command("run")
@click.option("--only", default=None, help="run only this job (when it is due)")
@fails_cleanly
def jobs_run(only: str | None) -> None:
    """Runs every job that is due, once, even when started on several hosts at the same moment.
    Exits non-zero when a job failed."""
    from caseflow.jobs import registry
    from caseflow.jobs.runner import run_due
    if only is not None and only not in registry().jobs:
        click.echo(f"Error: no job named {only!r} (jobs: {', '.join(sorted(registry().jobs))})", err=True)
        sys.exit(1)
    results = run_due(only=only)
    for r in results:
        click.echo(f"{r.name}: {r.outcome} in {r.duration:.2f} s{' – ' + r.message if r.message else ''}")
    if any(r.outcome == "failed" for r in results):
        sys.exit(1)


@jobs.command("list")
@fails_cleanly
def jobs_list() -> None:
    """Prints every job with its schedule and its last run."""
    from caseflow.jobs.runner import job_overview
    for row in job_overview():
        s = row["state"]
        last = f"{s.last_started_at:%Y-%m-%d %H:%M} {s.last_outcome}" if s is not None and s.last_started_at else "never run"
        click.echo(f"{row['name']}: {row['schedule']}; last run: {last}")
