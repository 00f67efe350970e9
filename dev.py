#!/usr/bin/env python3
"""Set-up and everyday commands, with nothing but Python 3.11+ installed.

    python3 dev.py run     create .venv, install, compile translations, migrate the SQLite database
                           in instance/, load demo data when it is empty, print the demo logins and
                           serve Caseflow on http://127.0.0.1:5000; the scheduled jobs (`jobs run`)
                           run every minute in the background
    python3 dev.py test    create .venv, install the test tools, compile translations, run the whole
                           suite on SQLite, and on PostgreSQL too when TEST_DATABASE_URL is set (both
                           legs at the same time; CASEFLOW_TEST_SERIAL=1 runs them one after the
                           other). Extra arguments go to pytest: python3 dev.py test -k login
    python3 dev.py i18n    extract the strings of every domain and update the catalogues

Every command is safe to repeat: the virtualenv is reused (rebuilt when broken), packages are only
installed again when a requirements file changed, demo data is only loaded into an empty database.

Only the standard library is used here: this file has to run before anything is installed.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")
HOST, PORT = "127.0.0.1", 5000

def step(message: str) -> None:
    print(f"==> {message}", flush=True)


def fail(message: str, code: int = 1) -> None:
    print(f"ERROR: {message}", file=sys.stderr, flush=True)
    sys.exit(code)


def run(*args: str | Path, env: dict | None = None, check: bool = True) -> int:
    result = subprocess.run([str(a) for a in args], cwd=ROOT, env={**os.environ, **(env or {})})
    if check and result.returncode != 0:
        shown = " ".join([Path(str(args[0])).name, *(str(a) for a in args[1:])])
        fail(f"`{shown}` failed (exit code {result.returncode}); see the output above.", result.returncode)
    return result.returncode


def _venv_works() -> bool:
    if not PY.exists():
        return False
    probe = subprocess.run([str(PY), "-c", "import sys, pip; sys.exit(sys.version_info < (3, 11))"],
                           capture_output=True)
    return probe.returncode == 0


def ensure_venv(requirements: str) -> None:
    if not _venv_works():
        step("creating the virtual environment in .venv")
        try:
            venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
        except Exception as exc:  # Debian and Ubuntu ship venv/ensurepip in a package of their own
            shutil.rmtree(VENV, ignore_errors=True)
            fail(f"could not create the virtual environment ({exc}).\n"
                 f"On Debian or Ubuntu install the venv module first: "
                 f"sudo apt install python3-venv (or python{sys.version_info.major}.{sys.version_info.minor}-venv), "
                 "then run this command again.")
        if not _venv_works():
            shutil.rmtree(VENV, ignore_errors=True)
            fail("the new virtual environment has no working pip. On Debian or Ubuntu: "
                 "sudo apt install python3-venv python3-pip, then run this command again.")
    stamp = VENV / f".installed-{requirements}"
    wanted = hashlib.sha256(b"".join((ROOT / f).read_bytes() for f in ("requirements.txt", requirements))).hexdigest()
    if not stamp.exists() or stamp.read_text() != wanted:
        step(f"installing {requirements} into .venv (only when it changed)")
        run(PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", requirements)
        stamp.write_text(wanted)


def compile_translations() -> None:
    step("compiling translations")
    run(PY, "-m", "caseflow.i18n_catalogues", "compile")  # it knows where every catalogue lives


def _port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def cmd_run() -> None:
    if _port_in_use(HOST, PORT):
        fail(f"something is already listening on http://{HOST}:{PORT} (another Caseflow?). "
             "Stop it first, then run this command again.")
    ensure_venv("requirements.txt")
    compile_translations()
    step("migrating the database (alembic upgrade head)")
    run(BIN / "alembic", "upgrade", "head")
    step("loading demo data if the database is empty (the demo logins are printed either way)")
    run(BIN / "flask", "--app", "app", "demo-data", "--if-empty", "--participants", "300", "--seed", "1")
    step("running the scheduled jobs every minute in the background (flask jobs run)")
    stop = threading.Event()
    threading.Thread(target=_jobs_loop, args=(stop,), name="caseflow-jobs", daemon=True).start()
    step(f"serving Caseflow on http://{HOST}:{PORT} (Ctrl+C stops it)")
    try:
        with contextlib.suppress(KeyboardInterrupt):
            run(BIN / "flask", "--app", "app", "run", "--host", HOST, "--port", str(PORT), check=False)
    finally:
        stop.set()


def _jobs_loop(stop: threading.Event, every: float = 60.0) -> None:
    """What cron does in production: `jobs run` once a minute (each run prints the jobs it ran)."""
    while not stop.is_set():
        subprocess.run([str(BIN / "flask"), "--app", "app", "jobs", "run"], cwd=ROOT, env=os.environ.copy(),
                       check=False)
        stop.wait(every)


def _postgres_reachable(url: str) -> str | None:
    """None when a connection to TEST_DATABASE_URL works, else the reason."""
    probe = subprocess.run([str(PY), "-c", (
        "import sys, sqlalchemy as sa\n"
        "from tests.databases import postgres_url\n"
        "e = sa.create_engine(postgres_url(sys.argv[1]), poolclass=sa.pool.NullPool,\n"
        "                     connect_args={'connect_timeout': 5})\n"
        "try:\n"
        "    e.connect().close()\n"
        "except Exception as exc:\n"
        "    reason = getattr(exc, 'orig', None) or exc\n"
        "    sys.exit(' '.join(str(reason).split()) or type(reason).__name__)\n"), url],
        capture_output=True, text=True)
    if probe.returncode == 0:
        return None
    lines = [line for line in probe.stderr.strip().splitlines() if line.strip()]
    return lines[-1] if lines else f"exit code {probe.returncode}"


def _junit_counts(path: Path) -> dict[str, int]:
    """passed/failed/error/skipped from pytest's JUnit XML report, which pytest writes whatever the
    verbosity (with -qq it prints no closing line to read them from)."""
    import xml.etree.ElementTree as ET
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return {}
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    counts = {"passed": 0, "failed": 0, "error": 0, "skipped": 0}
    for suite in suites:
        tests, failed = int(suite.get("tests", 0)), int(suite.get("failures", 0))
        errors, skipped = int(suite.get("errors", 0)), int(suite.get("skipped", 0))
        counts["failed"] += failed
        counts["error"] += errors
        counts["skipped"] += skipped
        counts["passed"] += tests - failed - errors - skipped
    return counts


def _run_leg(name: str, env: dict, extra: list[str], prefix: str, results: dict) -> None:
    """Runs pytest for one database, echoing its output (with `prefix`) and keeping its counts (from
    a JUnit XML report in a temporary folder) for the plain summary at the end."""
    import tempfile
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="caseflow-test-") as folder:
        report = Path(folder) / "junit.xml"
        args = [str(PY), "-m", "pytest", *extra, f"--junitxml={report}"]  # ours last: it wins
        full_env = {**os.environ, **env, "PYTHONUNBUFFERED": "1"}
        proc = subprocess.Popen(args, cwd=ROOT, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True, bufsize=1)
        assert proc.stdout is not None
        for line in proc.stdout:
            sys.stdout.write(f"{prefix}{line}")
            sys.stdout.flush()
        code = proc.wait()
        counts = _junit_counts(report)
        if not counts and code != 0:
            counts = {"error": 1}  # pytest stopped before its report (usage error, interrupted): not a pass
    results[name] = (code, time.monotonic() - started, counts)


GATES = (
    ("ruff", ("ruff", "check", "--quiet", ".")),
    ("mypy", ("mypy",)),  # files and options from [tool.mypy] in pyproject.toml
)


def check_gates() -> None:
    """The lint and type gates (settings in pyproject.toml): the suite only runs when they are clean."""
    for name, (tool, *args) in GATES:
        step(f"{name}: {' '.join([tool, *args])}")
        if run(BIN / tool, *args, check=False) != 0:
            fail(f"{name} found problems (see above); fix them, then run the tests again.")


def cmd_test(extra: list[str]) -> None:
    ensure_venv("requirements-dev.txt")
    compile_translations()
    if not extra:  # a selection of tests (python3 dev.py test -k login) skips the gates
        check_gates()
    legs = [("SQLite", {"TEST_DATABASE_URL": ""})]
    pg_url = os.environ.get("TEST_DATABASE_URL")
    if pg_url:
        problem = _postgres_reachable(pg_url)
        if problem:
            fail(f"TEST_DATABASE_URL is set but PostgreSQL cannot be reached: {problem}")
        legs.append(("PostgreSQL", {"TEST_DATABASE_URL": pg_url}))
    if len(legs) > 1:
        # The browser tests' screen widths and roles (the same pages and journeys, only the viewport
        # or the login differs) are shared out between the legs: each combination runs once, every
        # journey on both databases (tests/browser/support.py, this_legs_share).
        for number, (_name, env) in enumerate(legs, start=1):
            env["CASEFLOW_TEST_LEG"] = f"{number}/{len(legs)}"
    if not Path("/usr/bin/chromium").exists():
        note = "CASEFLOW_REQUIRE_BROWSER=1: the browser tests will fail" if os.environ.get(
            "CASEFLOW_REQUIRE_BROWSER") == "1" else "the browser tests are skipped"
        step(f"note: /usr/bin/chromium is missing, {note} (install Debian's chromium)")
    results: dict[str, tuple[int, float, dict]] = {}
    started = time.monotonic()
    if len(legs) > 1 and os.environ.get("CASEFLOW_TEST_SERIAL") != "1":
        step("test suite on " + " and ".join(n for n, _ in legs) + " at the same time "
             "(lines are prefixed with the database; CASEFLOW_TEST_SERIAL=1 runs them one by one)")
        width = max(len(n) for n, _ in legs)
        threads = [threading.Thread(target=_run_leg, args=(n, env, extra, f"[{n:<{width}}] ", results))
                   for n, env in legs]
        for t in threads:
            t.start()
        try:
            for t in threads:
                t.join()
        except KeyboardInterrupt:
            fail("interrupted", 130)
    else:
        for name, env in legs:
            step(f"test suite on {name}")
            _run_leg(name, env, extra, "", results)
    print(flush=True)
    failed = []
    for name, _ in legs:
        code, seconds, _counts = results.get(name, (1, 0.0, {}))
        meaning = {0: "passed", 5: "FAILED: no tests were collected"}.get(code, f"FAILED (pytest exit code {code})")
        step(f"{name}: {meaning} in {seconds:.0f} s")
        if code != 0:
            failed.append(name)
    step(f"total {time.monotonic() - started:.0f} s")
    totals = {k: sum(r[2].get(k, 0) for r in results.values()) for k in ("passed", "failed", "error", "skipped")}
    # One plain closing line over every leg, for tools that read the last line of a run.
    print(f"Tests: {totals['passed']} passed, {totals['failed'] + totals['error']} failed"
          + (f", {totals['skipped']} skipped" if totals["skipped"] else ""), flush=True)
    if failed:
        fail(f"the test suite failed on: {', '.join(failed)}")


def cmd_i18n() -> None:
    ensure_venv("requirements-dev.txt")
    run(PY, "-m", "caseflow.i18n_catalogues", "update")
    compile_translations()


def main(argv: list[str]) -> None:
    commands = {"run": lambda: cmd_run(), "test": lambda: cmd_test(argv[2:]), "i18n": lambda: cmd_i18n()}
    if len(argv) < 2 or argv[1] not in commands:
        sys.exit(__doc__)
    try:
        commands[argv[1]]()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main(sys.argv)
