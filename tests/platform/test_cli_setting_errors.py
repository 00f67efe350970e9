"""docs/interfaces.md: a command that fails prints one clear line on standard error and exits
non-zero -- also when a setting is missing or invalid, which stops the app before any command runs."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("setting", "named"), [
    ({"CASEFLOW_ENV": "production", "SECRET_KEY": ""}, "SECRET_KEY"),
    ({"RETENTION_YEARS": "ten"}, "RETENTION_YEARS"),
    ({"ESF_LTU_RULE": "uk"}, "ESF_LTU_RULE"),
])
def test_a_bad_setting_fails_every_command_in_one_line(tmp_path, setting, named):
    env = {**os.environ, "CASEFLOW_INSTANCE_DIR": str(tmp_path), "CASEFLOW_ENV": "development",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", **setting}
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "orgs", "create", "Kiezwerk"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 3  # gunicorn's "worker failed to boot" (docs/interfaces.md)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0], result.stderr
