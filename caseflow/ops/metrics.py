"""Prometheus metrics of the app (prometheus-client).

Names (all prefixed `caseflow_`):
- `http_requests_total{endpoint, method, status}` and `http_request_duration_seconds{endpoint,
  method}`: per Flask endpoint (`participants.case_file`), never the path, which holds ids;
- `db_pool_connections{database, state}`: the SQLAlchemy pool of the primary (and of the reports
  replica), `checked_out` and `idle`, summed over the live worker processes;
- `job_runs_total{job, outcome}`, `job_duration_seconds{job}`, `job_last_success_timestamp_seconds
  {job}`: the scheduled jobs, recorded by the jobs runner for every run (`record_job_run`, a run
  listener); other timed work can use `with job_run("name"): …`.

Several gunicorn workers (and the jobs timer's process) each count their own requests. With
`PROMETHEUS_MULTIPROC_DIR` set in the environment of every process *before it starts* (the client
library reads it at import), each process writes its values to files in that folder and /metrics
adds them up (prometheus-client's multiprocess mode); gunicorn's `child_exit` hook
(deploy/gunicorn.conf.py) removes a dead worker's live gauges. Without it (one process, tests) the
default registry is served.
"""
from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

REQUESTS = Counter("caseflow_http_requests_total", "HTTP requests answered, by endpoint, method and status.",
                   ["endpoint", "method", "status"])
LATENCY = Histogram("caseflow_http_request_duration_seconds", "Time to answer a request, by endpoint and method.",
                    ["endpoint", "method"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
POOL = Gauge("caseflow_db_pool_connections", "Database pool connections by state, summed over live processes.",
             ["database", "state"], multiprocess_mode="livesum")
JOB_RUNS = Counter("caseflow_job_runs_total", "Scheduled job runs, by job and outcome (ok, failed).",
                   ["job", "outcome"])
JOB_DURATION = Histogram("caseflow_job_duration_seconds", "Duration of scheduled job runs.", ["job"],
                         buckets=(0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0))
JOB_LAST_SUCCESS = Gauge("caseflow_job_last_success_timestamp_seconds",
                         "Unix time of the last successful run of each job.", ["job"], multiprocess_mode="max")

KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def observe_request(endpoint: str | None, method: str, status: int, seconds: float) -> None:
    """Counts one answered request. Unrouted requests (404 before routing) share one label, so a
    scan of made-up paths cannot create a time series per path."""
    name = endpoint or "unmatched"
    verb = method if method in KNOWN_METHODS else "other"
    REQUESTS.labels(name, verb, str(status)).inc()
    LATENCY.labels(name, verb).observe(seconds)


def observe_pool(database: str, pool) -> None:
    """This process's pool figures (QueuePool; other pools, e.g. SQLite in memory, report nothing)."""
    checked_out, idle = getattr(pool, "checkedout", None), getattr(pool, "checkedin", None)
    if checked_out is None or idle is None:
        return
    POOL.labels(database, "checked_out").set(checked_out())
    POOL.labels(database, "idle").set(idle())


def record_job_run(job: str, outcome: str, seconds: float) -> None:
    """Counts one finished run of a scheduled job (outcome `ok` or `failed`). The jobs runner calls
    it for every run (caseflow/jobs/housekeeping.py registers it with `jobs.add_run_listener`)."""
    JOB_RUNS.labels(job, outcome).inc()
    JOB_DURATION.labels(job).observe(seconds)
    if outcome == "ok":
        JOB_LAST_SUCCESS.labels(job).set(time.time())


@contextmanager
def job_run(job: str) -> Iterator[None]:
    """Times and counts one run of work outside the jobs runner: `with job_run("retention"): …`.
    The outcome is `failed` when the block raises (the exception goes on), else `ok`."""
    started = time.perf_counter()
    try:
        yield
    except BaseException:
        record_job_run(job, "failed", time.perf_counter() - started)
        raise
    record_job_run(job, "ok", time.perf_counter() - started)


def exposition() -> bytes:
    """The text format of every metric: added up over all processes in multiprocess mode."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


def child_exit(_server, worker) -> None:
    """gunicorn hook (deploy/gunicorn.conf.py): a dead worker's live gauges no longer count."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)
