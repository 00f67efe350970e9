"""The team lead's board (numbers per counsellor, the cases behind them, bulk reassignment) and
the task pages and API (edit, reschedule, hand over, complete, reopen; reassign with tasks)."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from caseflow.board import api, views
    app.register_blueprint(views.bp)
    api.register_routes()
