"""A batch that fails in its background thread is logged by type and stack only: an exception's
message may quote the file's values (openpyxl and the database drivers do), e.g. a name."""
from __future__ import annotations

import logging

from caseflow.imports import engine as import_engine
from caseflow.imports import services
from caseflow.logging_setup import JsonFormatter
from tests.imports.conftest import person, xlsx

CANARY = "Zzyzxcanary Quolmbrecht"


def test_a_background_import_that_fails_logs_no_value_of_the_file(app, team_lead, monkeypatch, caplog):
    batch = services.create_batch(xlsx({"participants": [person(last_name=CANARY)]}), "import.xlsx",
                                  organisation_id=team_lead.organisation_id, actor=team_lead, dry_run=True)

    def boom(self, workbook):
        raise ValueError(f"value {CANARY!r} refused")  # as drivers quote the value they refuse

    monkeypatch.setattr(import_engine.Engine, "run", boom)
    caplog.set_level(logging.DEBUG)
    services._thread_main(app, batch.id)
    assert caplog.records, "the failure is logged"
    text = "\n".join(JsonFormatter().format(r) + logging.Formatter().format(r) for r in caplog.records)
    assert "ValueError" in text
    assert "Zzyzxcanary" not in text


def test_an_import_failing_in_the_jobs_run_leaves_no_value_in_logs_job_state_or_admin_page(
        app, client, auth, admin, team_lead, monkeypatch, caplog):
    import sqlalchemy as sa

    from caseflow.extensions import db
    from caseflow.jobs.models import JobRun, JobState
    from caseflow.jobs.runner import run_due

    batch = services.create_batch(xlsx({"participants": [person(last_name=CANARY)]}), "import.xlsx",
                                  organisation_id=team_lead.organisation_id, actor=team_lead, dry_run=True)
    assert batch.status == "queued"

    def boom(self, workbook):
        raise ValueError(f"Cannot convert {CANARY!r} to Excel")  # openpyxl's words

    monkeypatch.setattr(import_engine.Engine, "run", boom)
    caplog.set_level(logging.DEBUG)
    [result] = run_due(only="imports")
    assert result.outcome == "failed"
    text = "\n".join(JsonFormatter().format(r) + logging.Formatter().format(r) for r in caplog.records)
    assert "Zzyzxcanary" not in text
    db.session.expire_all()
    state = db.session.scalar(sa.select(JobState).where(JobState.name == "imports"))
    assert "Zzyzxcanary" not in (state.last_message or "")
    assert all("Zzyzxcanary" not in (m or "") for m in db.session.scalars(sa.select(JobRun.message)))
    assert db.session.get(services.ImportBatch, batch.id).status == "failed"
    auth.login(admin)
    assert "Zzyzxcanary" not in client.get("/admin/jobs").get_data(as_text=True)
