"""Reports: ESF+ indicators, placement outcomes, data completeness."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The report pages and API routes, the `monitoring` command group, and the maintenance of the
    report facts in every unit of work (reports/facts.py)."""
    from caseflow import api as api_v1
    from caseflow.reports import api, cli, facts, views

    facts.listen()

    app.register_blueprint(views.bp)
    api_v1.include(app, api)
    cli.register(app)
