"""The WSGI entry point: `flask --app app …` and `gunicorn app:app`."""
import sys

from caseflow import create_app
from config import ConfigError

try:
    app = create_app()
except ConfigError as exc:
    # A missing or invalid setting: one line that names it (docs/interfaces.md: a command that fails
    # prints one clear line on standard error and exits non-zero), not a stack trace. Exit status 3
    # is gunicorn's "worker failed to boot": its master stops rather than start worker after worker.
    print(f"Error: {exc}", file=sys.stderr)
    sys.exit(3)
