"""The jobs that keep the database tidy: retention (daily) and the expiry of login sessions.

Wiring, like create_app: it calls into the domains (privacy, accounts) and registers their work as
jobs; the domains themselves know nothing of the scheduler.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask, current_app

from caseflow import jobs
from caseflow.database import unit_of_work
from caseflow.jobs import LOCAL_ZONE


def run_retention_job(now: datetime) -> str:
    from caseflow.privacy.services import run_retention
    done = run_retention(today=now.astimezone(LOCAL_ZONE).date())
    return f"anonymised {done}"


def expire_login_sessions(now: datetime) -> int:
    """Deletes every login session past its idle or absolute limit (accounts/sessions.py applies
    the same limits on each request; this clears the rows of sessions never used again)."""
    from caseflow.accounts.models import UserSession
    cfg = current_app.config
    with unit_of_work() as session:
        result = session.execute(sa.delete(UserSession).where(sa.or_(
            UserSession.last_seen_at < now - cfg["SESSION_IDLE_TIMEOUT"],
            UserSession.created_at < now - cfg["SESSION_ABSOLUTE_TIMEOUT"])))
    return int(getattr(result, "rowcount", 0) or 0)


def register(app: Flask) -> None:
    jobs.register(app, jobs.Job("retention", jobs.daily(2), run_retention_job, lease=timedelta(hours=2)))
    jobs.register_expiry(app, "login_sessions", expire_login_sessions)
