#!/usr/bin/env python3
"""Set-up and everyday commands, with nothing but Python 3.11+ installed.

    python3 dev.py run     create .venv, install, compile translations, migrate the SQLite database
                           in instance/, load demo data when it is empty, print the demo logins and
                           serve Caseflow on http://127.0.0.1:5000
    python3 dev.py test    create .venv, install the test tools, compile translations, run the whole
                           suite on SQLite, and again on PostgreSQL when TEST_DATABASE_URL is set
    python3 dev.py i18n    extract the strings of every domain and update the catalogues

Only the standard library is used here: this file has to run before anything is installed.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")


def step(message: str) -> None:
    print(f"==> {message}", flush=True)


def run(*args: str | Path, env: dict | None = None, check: bool = True) -> int:
    result = subprocess.run([str(a) for a in args], cwd=ROOT, env={**os.environ, **(env or {})})
    if check and result.returncode != 0:
        sys.exit(result.returncode)
    return result.returncode


def ensure_venv(requirements: str) -> None:
    if sys.version_info < (3, 11):
        sys.exit("Caseflow needs Python 3.11 or newer.")
    if not PY.exists():
        step("creating the virtual environment in .venv")
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    stamp = VENV / f".installed-{requirements}"
    wanted = hashlib.sha256(b"".join((ROOT / f).read_bytes() for f in ("requirements.txt", requirements))).hexdigest()
    if not stamp.exists() or stamp.read_text() != wanted:
        step(f"installing {requirements}")
        run(PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", requirements)
        stamp.write_text(wanted)


def translation_dirs() -> list[Path]:
    pkg = ROOT / "caseflow"
    return [d for d in [pkg / "translations", *sorted(pkg.glob("*/translations"))] if d.is_dir()]


def compile_translations() -> None:
    step("compiling translations")
    for d in translation_dirs():
        run(BIN / "pybabel", "-q", "compile", "--use-fuzzy", "-d", d)


def cmd_run() -> None:
    ensure_venv("requirements.txt")
    compile_translations()
    step("migrating the database")
    run(BIN / "alembic", "upgrade", "head")
    run(BIN / "flask", "--app", "app", "demo-data", "--if-empty", "--participants", "300", "--seed", "1")
    step("serving Caseflow on http://127.0.0.1:5000 (Ctrl+C stops it)")
    run(BIN / "flask", "--app", "app", "run", "--host", "127.0.0.1", "--port", "5000", check=False)


def cmd_test(extra: list[str]) -> None:
    ensure_venv("requirements-dev.txt")
    compile_translations()
    legs = [("SQLite", {"TEST_DATABASE_URL": ""})]
    if os.environ.get("TEST_DATABASE_URL"):
        legs.append(("PostgreSQL", {}))
    failed = []
    for name, env in legs:
        step(f"test suite on {name}")
        code = run(PY, "-m", "pytest", *extra, env=env, check=False)
        if code != 0:
            failed.append(name)
    if failed:
        print(f"FAILED on: {', '.join(failed)}", file=sys.stderr)
        sys.exit(1)


def cmd_i18n() -> None:
    ensure_venv("requirements-dev.txt")
    run(PY, "-m", "caseflow.i18n_catalogues", "update")
    compile_translations()


def main(argv: list[str]) -> None:
    commands = {"run": lambda: cmd_run(), "test": lambda: cmd_test(argv[2:]), "i18n": lambda: cmd_i18n()}
    if len(argv) < 2 or argv[1] not in commands:
        sys.exit(__doc__)
    commands[argv[1]]()


if __name__ == "__main__":
    main(sys.argv)
