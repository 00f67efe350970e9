"""Accounts: organisations, staff, sign-in, sessions, API tokens."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The sign-in and administration pages (the accounts' commands are caseflow/cli.py's)."""
    from caseflow.accounts import views

    app.register_blueprint(views.bp)
