"""The scheduled jobs' state: one row per job (its lease on SQLite and its last run) and a log of runs."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from caseflow.extensions import Model
from caseflow.models_base import TZDateTime, enum_column, utcnow

JOB_OUTCOMES = ("ok", "failed")


class JobState(Model):
    """One row per registered job, made on its first run."""

    __tablename__ = "job_states"

    name: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    lease_until: Mapped[datetime | None] = mapped_column(
        TZDateTime, comment="SQLite: the job runs on some host until then (a crashed run frees it at expiry)")
    lease_owner: Mapped[str | None] = mapped_column(sa.String(100), comment="host and process holding the lease")
    last_started_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    last_finished_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    last_duration_ms: Mapped[int | None] = mapped_column()
    last_outcome: Mapped[str | None] = mapped_column(enum_column("job_outcome", JOB_OUTCOMES, 10))
    last_message: Mapped[str | None] = mapped_column(sa.String(500), comment="the summary or error; no personal data")
    last_success_at: Mapped[datetime | None] = mapped_column(TZDateTime, comment="start of the last run that succeeded")


class JobRun(Model):
    """One run of a job, for the administrators' page."""

    __tablename__ = "job_runs"
    __table_args__ = (sa.Index("ix_job_runs_name_started_at", "name", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(60))
    started_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow, index=True)
    duration_ms: Mapped[int] = mapped_column()
    outcome: Mapped[str] = mapped_column(enum_column("job_outcome", JOB_OUTCOMES, 10))
    message: Mapped[str | None] = mapped_column(sa.String(500))
    host: Mapped[str | None] = mapped_column(sa.String(100))
