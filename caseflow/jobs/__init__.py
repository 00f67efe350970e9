"""Scheduled jobs: `jobs run` runs every registered job that is due, once, even when it is started
on several hosts at the same moment (see runner.py for the lock).

Jobs are registered explicitly, by calls from create_app and the domains' registration::

    jobs.register(app, Job("retention", daily(), run_retention_job))

Expiry functions (login sessions, invitations, reset links …) join the one `expiry` job with
`register_expiry(app, name, func)`; `add_run_listener(app, func)` is the hook for job metrics
(called with the job's name, its outcome and its duration in seconds after every run).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, current_app

LOCAL_ZONE = ZoneInfo("Europe/Berlin")
_KEY = "caseflow.jobs"


@dataclass(frozen=True)
class Schedule:
    """When a job is due: every `interval`, or once a local day from `at_hour` (Europe/Berlin)."""

    interval: timedelta | None = None
    at_hour: int | Callable[[], int] | None = None

    def last_slot(self, now: datetime) -> datetime | None:
        """The latest moment at or before `now` from which a run is owed (None: interval jobs)."""
        if self.interval is not None:
            return None
        hour = self.at_hour() if callable(self.at_hour) else (self.at_hour or 0)
        local = now.astimezone(LOCAL_ZONE)
        slot = datetime.combine(local.date(), time(hour), tzinfo=LOCAL_ZONE)
        if slot > local:
            slot -= timedelta(days=1)
        return slot

    def is_due(self, now: datetime, last_success: datetime | None) -> bool:
        if self.interval is not None:
            return last_success is None or now - last_success >= self.interval
        slot = self.last_slot(now)
        if slot is None:
            return False
        if last_success is None:  # never run: from today's hour on, not at once (no digest at 3 a.m.)
            return slot.date() == now.astimezone(LOCAL_ZONE).date()
        return last_success < slot

    def describe(self) -> str:
        if self.interval is not None:
            return f"every {int(self.interval.total_seconds() // 60)} min"
        hour = self.at_hour() if callable(self.at_hour) else (self.at_hour or 0)
        return f"daily at {hour:02d}:00 Europe/Berlin"


def every(minutes: int) -> Schedule:
    return Schedule(interval=timedelta(minutes=minutes))


def daily(at_hour: int | Callable[[], int] = 0) -> Schedule:
    return Schedule(at_hour=at_hour)


@dataclass(frozen=True)
class Job:
    """`run(now)` does the work in its own units of work and returns a one-line summary (counts,
    never personal data)."""

    name: str
    schedule: Schedule
    run: Callable[[datetime], str]
    lease: timedelta = timedelta(minutes=30)


@dataclass
class Registry:
    jobs: dict[str, Job] = field(default_factory=dict)
    expiry: dict[str, Callable[[datetime], int]] = field(default_factory=dict)
    listeners: list[Callable[[str, str, float], Any]] = field(default_factory=list)


def init_app(app: Flask) -> None:
    """Creates the app's (empty) job list, the `jobs` commands, the `expiry` job and the admin page."""
    from caseflow.jobs import cli, views

    app.extensions[_KEY] = Registry()
    app.jinja_env.filters.setdefault("datetime", _format_datetime)
    app.cli.add_command(cli.jobs)
    app.register_blueprint(views.bp)
    register(app, Job("expiry", every(15), _run_expiry))


def registry(app: Flask | None = None) -> Registry:
    return (app or current_app).extensions[_KEY]


def register(app: Flask, job: Job) -> None:
    jobs = registry(app).jobs
    if job.name in jobs:
        raise ValueError(f"a job named {job.name!r} is registered already")
    jobs[job.name] = job


def register_expiry(app: Flask, name: str, func: Callable[[datetime], int]) -> None:
    """`func(now)` deletes what has expired (in its own unit of work) and returns how many rows."""
    registry(app).expiry[name] = func


def add_run_listener(app: Flask, func: Callable[[str, str, float], Any]) -> None:
    registry(app).listeners.append(func)


def _run_expiry(now: datetime) -> str:
    parts = [f"{name} {func(now)}" for name, func in sorted(registry().expiry.items())]
    return ", ".join(parts) or "nothing registered"


def _format_datetime(value: datetime | None, fmt: str = "short") -> str:
    """A stored timestamp in the reader's locale and time zone (Europe/Berlin)."""
    from flask_babel import format_datetime

    return format_datetime(value, fmt) if value else ""
