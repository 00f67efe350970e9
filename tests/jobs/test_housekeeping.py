"""The domains' scheduled work is registered in create_app and does its job when `jobs run` runs it:
the import runner, the documents' retention purge, the expiry of mailed account links, and the
metrics of every run."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from prometheus_client import REGISTRY

from caseflow import jobs
from caseflow.accounts.links import KEEP_EXPIRED
from caseflow.accounts.models import AccountLink
from caseflow.database import unit_of_work
from caseflow.documents.models import Document
from caseflow.extensions import db
from caseflow.imports import services as imports
from caseflow.imports.models import ImportBatch
from caseflow.jobs.runner import run_due
from caseflow.models_base import utcnow
from caseflow.ops import metrics
from tests.documents.conftest import pdf, upload
from tests.factories import ParticipantFactory
from tests.imports.conftest import person, xlsx
from tests.jobs.test_jobs import early_morning_today


def test_the_domains_jobs_are_registered(app):
    reg = jobs.registry(app)
    assert {"imports", "document_purge", "retention", "expiry", "reminders", "digest"} <= set(reg.jobs)
    assert {"login_sessions", "account_links"} <= set(reg.expiry)
    assert metrics.record_job_run in reg.listeners


def test_the_imports_job_runs_queued_batches(team_lead):
    queued = imports.create_batch(xlsx({"participants": [person()]}), "a.xlsx",
                                  organisation_id=team_lead.organisation_id, actor=team_lead)
    [result] = run_due(only="imports")
    assert (result.outcome, result.message) == ("ok", "imported 1 batches")
    db.session.expire_all()
    assert db.session.get(ImportBatch, queued.id).status == "checked"


def test_the_document_purge_job_deletes_expired_documents(api_as, counsellor, org):
    participant = ParticipantFactory(organisation=org, counsellor=counsellor)
    api = api_as(counsellor)
    expired = upload(api, participant.id, pdf(b"id"), kind="id_document", title="Pass").json["id"]
    kept = upload(api, participant.id, pdf(b"c"), kind="contract", title="Vertrag").json["id"]
    with unit_of_work():  # an ID document is kept 90 days after upload
        db.session.execute(sa.update(Document).where(Document.id == expired)
                           .values(created_at=utcnow() - timedelta(days=91)))
    [result] = run_due(early_morning_today(), only="document_purge")  # after its hour (3 a.m.)
    assert (result.outcome, result.message) == ("ok", "deleted 1 documents")
    assert db.session.scalars(sa.select(Document.id)).all() == [kept]


def test_the_expiry_job_deletes_long_expired_account_links(counsellor):
    now = utcnow()

    def link(name, expires_at):
        return AccountLink(user_id=counsellor.id, purpose="password_reset", token_hash=name * 64,
                           created_at=expires_at - timedelta(hours=1), expires_at=expires_at)

    with unit_of_work():
        db.session.add_all([link("a", now - KEEP_EXPIRED - timedelta(minutes=1)),  # gone
                            link("b", now - timedelta(hours=2)),  # expired lately: still says "expired"
                            link("c", now + timedelta(minutes=30))])  # still valid
    [result] = run_due(only="expiry")
    assert result.outcome == "ok" and "account_links 1" in result.message
    assert sorted(db.session.scalars(sa.select(AccountLink.token_hash))) == ["b" * 64, "c" * 64]


def test_every_run_is_counted_in_the_metrics(app, monkeypatch):
    def broken(now):
        raise RuntimeError("away")

    reg = jobs.registry(app)
    monkeypatch.setattr(reg, "jobs", {"metrics_ok": jobs.Job("metrics_ok", jobs.every(60), lambda now: "done"),
                                      "metrics_bad": jobs.Job("metrics_bad", jobs.every(60), broken)})

    def runs(job, outcome):
        return REGISTRY.get_sample_value("caseflow_job_runs_total", {"job": job, "outcome": outcome}) or 0

    before = runs("metrics_ok", "ok"), runs("metrics_bad", "failed")
    run_due()
    assert (runs("metrics_ok", "ok"), runs("metrics_bad", "failed")) == (before[0] + 1, before[1] + 1)
    assert REGISTRY.get_sample_value("caseflow_job_last_success_timestamp_seconds", {"job": "metrics_ok"})
    assert REGISTRY.get_sample_value("caseflow_job_duration_seconds_count", {"job": "metrics_ok"}) >= 1
