"""The WSGI entry point: `flask --app app …` and `gunicorn app:app`."""
import os
import sys

from caseflow import create_app
from config import ConfigError

try:
    app = create_app()
except ConfigError as exc:
    # A missing or invalid setting: one line that names it (docs/interfaces.md: a command that fails
    # prints one clear line on standard error and exits non-zero), not a stack trace. Exit status 3
    # is gunicorn's "worker failed to boot": its master stops rather than start worker after worker.
    # Under Werkzeug's reloader (`flask run --debug`) 3 means "restart me": there the error is
    # raised, and the reloader shows it until the next edit instead of restarting in a loop.
    if os.environ.get("WERKZEUG_RUN_MAIN"):
        raise
    print(f"Error: {exc}", file=sys.stderr)
    sys.exit(3)
