#!/usr/bin/env python3
"""Import benchmark (issue 16): N participants with 6 history records each, as one XLSX workbook.

    .venv/bin/python bench/import_bench.py                    # SQLite, 10,000 participants + 60,000 records
    .venv/bin/python bench/import_bench.py --participants 2000
    .venv/bin/python bench/import_bench.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres

A fresh temporary database (as bench/run.py). The workbook holds per participant: one language, one
status change, one completed enrolment, one note, one placement, one exit. Timed: the check (dry
run: every row through the domains' rules, nothing written), the import (the same pass plus the
writes and audit entries, one transaction), and a re-import of the same file (everything
"unchanged"). Memory: the process's peak resident size after each step (it must not grow with the
file beyond the few ids and dates kept per participant).
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SECRET_KEY", "bench-secret-key")

FIRST = ["Amira", "Jonas", "Oksana", "Farid", "Leyla", "Mohammed", "Elena", "Tariq", "Nadia", "Yusuf", "Ana", "Karim"]
LAST = ["Haddad", "Okafor", "Kovalenko", "Rahimi", "Nasser", "Yilmaz", "Popescu", "Mansour", "Ivanova", "Demir"]


def workbook(n: int) -> bytes:
    from caseflow.imports.template import workbook_from_rows

    def people():
        for i in range(n):
            yield {"external_id": f"X-{i}", "first_name": f"{FIRST[i % len(FIRST)]}{i}", "last_name": LAST[i % len(LAST)],
                   "date_of_birth": date(1960, 1, 1) + timedelta(days=(i * 37) % 15000), "gender": ("female", "male")[i % 2],
                   "nationality": ("SY", "UA", "AF", "TR")[i % 4], "entry_date": date(2023, 1, 2) + timedelta(days=i % 300),
                   "labour_status_at_entry": "unemployed", "unemployed_since": date(2022, 6, 1)}

    def history(kind):
        for i in range(n):
            entry = date(2023, 1, 2) + timedelta(days=i % 300)
            ext = f"X-{i}"
            if kind == "languages":
                yield {"external_id": ext, "language": "ar", "level": "native"}
            elif kind == "status_changes":
                yield {"external_id": ext, "date": entry + timedelta(days=10), "status": "education_or_training"}
            elif kind == "enrolments":
                yield {"external_id": ext, "measure": "Jobmatching", "status": "completed",
                       "start_date": entry + timedelta(days=5), "end_date": entry + timedelta(days=90)}
            elif kind == "notes":
                yield {"external_id": ext, "date": entry + timedelta(days=6), "kind": "meeting", "text": "Erstgespräch", "minutes": 45}
            elif kind == "placements":
                yield {"external_id": ext, "type": "employment", "employer_name": f"Betrieb {i % 200}",
                       "start_date": entry + timedelta(days=100), "weekly_hours": 38.5}
            elif kind == "exits":
                yield {"external_id": ext, "exit_date": entry + timedelta(days=120), "reason": "completed"}

    kinds = ("languages", "status_changes", "enrolments", "notes", "placements", "exits")
    return workbook_from_rows({"participants": people(), **{k: history(k) for k in kinds}}, "de")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--postgres")
    args = parser.parse_args()
    n = args.participants

    from caseflow import create_app
    from caseflow.accounts.models import Organisation, User
    from caseflow.database import unit_of_work
    from caseflow.extensions import db
    from caseflow.imports import services
    from caseflow.measures.models import Measure
    from config import TestingConfig

    started = time.perf_counter()
    content = workbook(n)
    built = time.perf_counter() - started
    print(f"workbook: {n:,} participants + {6 * n:,} history records, {len(content) / 1e6:.1f} MB, "
          f"written in {built:.1f} s; peak RSS {peak_mb():.0f} MB", flush=True)

    def run_on(url: str) -> None:
        config = TestingConfig()
        config.SQLALCHEMY_DATABASE_URI = url
        config.MAX_IMPORT_MB = 100
        app = create_app(config)
        with app.app_context():
            db.create_all()
            with unit_of_work():
                org = Organisation(name="Bench e.V.")
                db.session.add(org)
                db.session.flush()
                lead = User(email="lead@bench.example", name="Lead", role="team_lead", organisation_id=org.id,
                            password_hash="x")
                db.session.add_all([lead, Measure(organisation_id=org.id, title="Jobmatching", type="matching",
                                                  start_date=date(2022, 1, 1))])
            for label, dry_run in (("check (dry run)", True), ("import", False), ("re-import (unchanged)", False)):
                batch = services.create_batch(content, "bench.xlsx", organisation_id=org.id, actor=lead,
                                              dry_run=dry_run, accept_duplicates=True)
                t0, c0 = time.perf_counter(), time.process_time()
                services.run_batch(batch.id)
                wall, cpu = time.perf_counter() - t0, time.process_time() - c0
                db.session.expire_all()
                done = db.session.get(services.ImportBatch, batch.id)
                print(f"{label:24s} {wall:6.1f} s (CPU {cpu:5.1f} s)  status {done.status:9s} counts "
                      f"{ {k: done.counts[k] for k in ('created', 'updated', 'unchanged', 'errors')} }  "
                      f"peak RSS {peak_mb():.0f} MB", flush=True)
            db.session.remove()
            db.engine.dispose()

    if args.postgres:
        from tests.databases import fresh_postgres_database
        with fresh_postgres_database(args.postgres, "caseflow_bench") as url:
            run_on(url)
    else:
        with tempfile.TemporaryDirectory(prefix="caseflow-import-bench-") as folder:
            run_on(f"sqlite:///{folder}/bench.sqlite3")
    load = os.getloadavg()[0]
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPU cores, load average {load:.1f} at the end")


if __name__ == "__main__":
    main()
