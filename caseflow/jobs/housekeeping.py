"""The domains' scheduled work: retention (daily), the documents' retention purge (daily), the
import runner (every minute), the expiry of login sessions and of accounts' mailed links, and the
metrics of every run.

Wiring, like create_app: it calls into the domains (privacy, documents, imports, accounts, ops) and
registers their work as jobs; the domains themselves know nothing of the scheduler.
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


def run_imports_job(now: datetime) -> str:
    """Queued import batches (and those whose runner stopped) run here, not in the upload request."""
    from caseflow.imports.services import run_pending
    done = run_pending()
    return f"imported {len(done)} batches"


def purge_documents_job(now: datetime) -> str:
    from caseflow.documents.services import purge_expired_documents
    done = purge_expired_documents(today=now.astimezone(LOCAL_ZONE).date())
    return f"deleted {done} documents"


def expire_account_links(now: datetime) -> int:
    from caseflow.accounts.links import delete_expired_links
    return delete_expired_links(now)


def register(app: Flask) -> None:
    from caseflow.ops import metrics

    jobs.register(app, jobs.Job("retention", jobs.daily(2), run_retention_job, lease=timedelta(hours=2)))
    jobs.register(app, jobs.Job("document_purge", jobs.daily(3), purge_documents_job, lease=timedelta(hours=2)))
    jobs.register(app, jobs.Job("imports", jobs.every(1), run_imports_job, lease=timedelta(hours=1)))
    jobs.register_expiry(app, "login_sessions", expire_login_sessions)
    jobs.register_expiry(app, "account_links", expire_account_links)
    jobs.add_run_listener(app, metrics.record_job_run)
