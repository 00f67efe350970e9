#!/usr/bin/env python3
"""Report, page and search timings on 10k and 100k (or 1M) demo participants.

    .venv/bin/python bench/run.py                      # SQLite, 10,000 and 100,000 participants
    .venv/bin/python bench/run.py --sizes 2000 20000   # other sizes
    .venv/bin/python bench/run.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/run.py --participants 1000000 --postgres URL   # one size

Each size gets a fresh temporary database (SQLite file in a temporary folder; on PostgreSQL a
database of its own, dropped afterwards), filled by `demo-data`'s generator (caseflow.demo.generate).
Every request goes through the whole app (routing, login session or bearer token, SQL, templates);
the table shows the median of 5 runs after one warm-up (with the best run and the app process's
CPU time), and the ratio between the sizes' medians.
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SECRET_KEY", "bench-secret-key")  # keep instance/ untouched

RUNS = 5
ALL_DATA = "from=2010-01-01&to=2029-12-31"
TODAY = date(2026, 6, 30)


def _csrf(client, path: str) -> str:
    """The CSRF token of the page at `path`."""
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def _login(client, email: str, password: str) -> None:
    response = client.post("/login", data={"email": email, "password": password,
                                           "csrf_token": _csrf(client, "/login")})
    assert response.status_code == 302, f"login failed for {email}"


def _quick_search(client, term: str) -> str:
    """Posts the header's quick search; the caseload page's address it leads to."""
    response = client.post("/search", data={"q": term, "csrf_token": _csrf(client, "/caseload")})
    assert response.status_code == 302, f"quick search answered {response.status_code}"
    return response.headers["Location"]


def _time(call) -> tuple[float, float, float]:
    """(median wall-clock seconds, median CPU seconds of this process, best wall-clock seconds).
    The app and SQLite run in this process, so on SQLite the CPU time is what the request costs;
    on PostgreSQL it is the app's share only. On a shared virtual machine both vary by a third from
    minute to minute with the neighbours' load: the best run shows what the code costs."""
    call()  # warm-up (caches, first compilation of the statements)
    wall, cpu = [], []
    for _ in range(RUNS):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = call()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        assert response.status_code == 200, response.status_code
    return statistics.median(wall), statistics.median(cpu), min(wall)


def _config(database_url: str):
    from config import TestingConfig
    config = TestingConfig()
    config.SQLALCHEMY_DATABASE_URI = database_url
    config.RATELIMIT_ENABLED = False
    return config


def _seed(size: int, database_url: str) -> float:
    """The schema and `size` demo participants; the generator's seconds (run in a process of its own)."""
    from caseflow import create_app
    from caseflow.demo import generate
    from caseflow.extensions import db
    app = create_app(_config(database_url))
    with app.app_context():
        db.create_all()
        started = time.perf_counter()
        generate(participants=size, seed=1, today=TODAY)
        seconds = time.perf_counter() - started
        db.session.remove()
        db.engine.dispose()
    return seconds


def _seed_in_a_process_of_its_own(size: int, database_url: str) -> float:
    """Seeds the database in a child process and returns the generator's seconds. The measuring
    process then starts as an app server's worker does, with only the app in its memory (generating
    a million participants leaves the generating process at about 3 GB). Until 2026-12-03 the
    benchmark measured in the generating process, and the app's own CPU for the same page at 1M
    was 1.5-2.4 times that at 100k; against one kept database of each size, a fresh process spent
    the same on the participant list (6.2 and 6.3 ms of CPU in the median)."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as child:
        return child.submit(_seed, size, database_url).result()


def measure(size: int, database_url: str) -> tuple[float, dict[str, tuple[float, float, float]]]:
    import sqlalchemy as sa

    from caseflow import create_app
    from caseflow.accounts.models import User
    from caseflow.accounts.services import create_token
    from caseflow.demo import DEMO_PASSWORD
    from caseflow.extensions import db
    from caseflow.participants.models import Participant

    config = _config(database_url)
    # Team leads must set up a second factor before any page (REQUIRE_2FA_ROLES): the bench logs in
    # with the password only, so it measures the pages without that step (tests/accounts covers it).
    config.REQUIRE_2FA_ROLES = ()
    seeded = _seed_in_a_process_of_its_own(size, database_url)
    app = create_app(config)
    results: dict[str, tuple[float, float, float]] = {}
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            with db.engine.begin() as conn:
                conn.execute(sa.text("ANALYZE"))  # what `PRAGMA optimize` does on a long-running database
        else:
            # what autovacuum does within a minute of a bulk load: statistics, and the visibility
            # map that lets PostgreSQL answer from an index alone (VACUUM cannot run in a transaction)
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("VACUUM ANALYZE"))
        users = {u.role: u for u in db.session.scalars(sa.select(User).order_by(User.id))}
        lead, analyst, counsellor = users["team_lead"], users["analyst"], users["counsellor"]
        analyst_token = create_token(analyst, actor=None)
        counsellor_token = create_token(counsellor, actor=None)
        lead_email, analyst_email, counsellor_email = lead.email, analyst.email, counsellor.email
        # A case of the counsellor's and a surname of the organisation, for the case file and search.
        case = db.session.execute(sa.select(Participant.id, Participant.last_name, Participant.case_number)
                                  .where(Participant.counsellor_id == counsellor.id)
                                  .order_by(Participant.id).limit(1)).one()

    lead_client, analyst_client, counsellor_client = app.test_client(), app.test_client(), app.test_client()
    _login(lead_client, lead_email, DEMO_PASSWORD)
    _login(analyst_client, analyst_email, DEMO_PASSWORD)
    _login(counsellor_client, counsellor_email, DEMO_PASSWORD)
    bearer = {"Authorization": f"Bearer {analyst_token}"}

    results["ESF+ report, all data, all organisations (API)"] = _time(
        lambda: analyst_client.get(f"/api/v1/reports/esf?{ALL_DATA}", headers=bearer))
    results["ESF+ report, all data, one organisation (page)"] = _time(
        lambda: lead_client.get(f"/reports/esf?{ALL_DATA}"))
    results["Placement report, all data, all organisations (API)"] = _time(
        lambda: analyst_client.get(f"/api/v1/reports/placements?{ALL_DATA}", headers=bearer))
    results["Placement report, all data, one organisation (page)"] = _time(
        lambda: lead_client.get(f"/reports/placements?{ALL_DATA}"))
    results["Data completeness, one organisation (page)"] = _time(lambda: lead_client.get("/reports/completeness"))
    if "participants.caseload" in app.view_functions:
        results["Caseload page (counsellor)"] = _time(lambda: counsellor_client.get("/caseload"))
        results["Case file page (counsellor)"] = _time(lambda: counsellor_client.get(f"/participants/{case.id}"))
        mine = {"Authorization": f"Bearer {counsellor_token}"}
        for label, term in (("a surname", case.last_name), ("'ova', a substring", "ova"),
                            ("'al', two letters", "al"), ("a case number", case.case_number),
                            ("a phone number's end", "4567")):
            results[f"Search {label} (API)"] = _time(lambda term=term: counsellor_client.get(
                "/api/v1/participants", query_string={"q": term}, headers=mine))
        # The same search with a page of 10: the answer holds 10 participants at every size (with
        # 50 a page it holds 16 at 100,000 and 50 at 1,000,000, and writing them costs more), so
        # the ratio shows the lookup alone.
        results["Search a phone number's end, 10 a page (API)"] = _time(lambda: counsellor_client.get(
            "/api/v1/participants", query_string={"q": "4567", "per_page": 10}, headers=mine))
        results["Participant list, no search (API)"] = _time(
            lambda: counsellor_client.get("/api/v1/participants", headers=mine))
        # The header's quick search: the whole organisation, exited cases included, in name order
        # (the term is posted once and kept on the login's row; the caseload page then lists it).
        for label, term in (("a surname", case.last_name), ("'al', two letters", "al")):
            page = _quick_search(counsellor_client, term)
            results[f"Quick search {label}, whole organisation (page)"] = _time(
                lambda page=page: counsellor_client.get(page))
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return seeded, results


@contextmanager
def _database(postgres: str | None):
    """A fresh database for one size: a temporary SQLite file, or a database of its own on the
    PostgreSQL server (tests/databases.py), dropped afterwards."""
    if postgres:
        from tests.databases import fresh_postgres_database
        with fresh_postgres_database(postgres, "caseflow_bench") as url:
            yield url
    else:
        with tempfile.TemporaryDirectory(prefix="caseflow-bench-") as folder:
            yield f"sqlite:///{folder}/bench.sqlite3"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--participants", type=int, help="one size only (same as --sizes N)")
    parser.add_argument("--postgres", help="a PostgreSQL server URL to run on instead of SQLite")
    args = parser.parse_args()
    if args.participants:
        args.sizes = [args.participants]

    columns: list[tuple[int, float, dict[str, tuple[float, float, float]]]] = []
    for size in args.sizes:
        print(f"… {size:,} participants", file=sys.stderr, flush=True)
        with _database(args.postgres) as url:
            seeded, results = measure(size, url)
        columns.append((size, seeded, results))

    dialect = "PostgreSQL" if args.postgres else "SQLite"
    names = list(columns[0][2])
    head = ["measurement"] + [f"{size:,} participants" for size, _, _ in columns]
    if len(columns) > 1:
        head.append(f"ratio {columns[-1][0] // columns[0][0]}×")
    rows = [["demo-data (seconds)"] + [f"{seeded:.1f} s" for _, seeded, _ in columns]
            + ([f"{columns[-1][1] / columns[0][1]:.1f}"] if len(columns) > 1 else [])]
    for name in names:
        values = [c[2][name] for c in columns]
        row = [name] + [f"{wall * 1000:.0f} ms (best {best * 1000:.0f}, CPU {cpu * 1000:.0f})"
                        for wall, cpu, best in values]
        if len(columns) > 1:
            row.append(f"{values[-1][0] / values[0][0]:.1f}")
        rows.append(row)
    widths = [max(len(str(r[i])) for r in [head] + rows) for i in range(len(head))]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\n{dialect}, median of {RUNS} runs after a warm-up, Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPU cores, load average {load:.1f} at the end\n")
    print("| " + " | ".join(h.ljust(w) for h, w in zip(head, widths, strict=False)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=False)) + " |")


if __name__ == "__main__":
    main()
