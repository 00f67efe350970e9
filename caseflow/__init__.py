"""Caseflow: case management for labour-market integration programmes.

`create_app` wires everything by explicit calls (docs/architecture.md, "Explicit wiring"): the
platform (request guard and security headers, database, CSRF, rate limits, languages, navigation),
then each domain's `init_app` in the order of the import layers (its blueprint, API routes, commands,
case file panels and timeline sources), then the API blueprint, the error pages and the commands.
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask

from config import Config, load_config

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Config | None = None) -> Flask:
    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"),
                instance_path=str(ROOT / "instance"))
    app.config.from_object(config or load_config())
    if app.config.get("TRUSTED_PROXY_COUNT"):
        from werkzeug.middleware.proxy_fix import ProxyFix
        hops = app.config["TRUSTED_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    register_logging(app)
    register_operations(app)
    register_extensions(app)
    register_domains(app)
    register_error_handlers(app)
    register_cli(app)
    return app


def register_logging(app: Flask) -> None:
    from caseflow.logging_setup import configure_logging
    configure_logging(app)


def register_operations(app: Flask) -> None:
    """Request ids, the request log and metrics, /healthz, /readyz, /metrics: first, so that the
    request timer starts before every other before_request function."""
    from caseflow import ops
    ops.init_app(app)


def register_extensions(app: Flask) -> None:
    import caseflow.models  # noqa: F401  (every table registered on the metadata)
    from caseflow import database, i18n, mail, navigation, security, web
    from caseflow.accounts import sessions
    from caseflow.extensions import csrf, db, limiter

    security.init_app(app)  # first: its request guard runs before every other before_request
    web.init_app(app)       # the bounded `int` converter, before any route is added
    db.init_app(app)
    database.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    mail.init_app(app)
    navigation.init_app(app)
    sessions.init_app(app)


def register_domains(app: Flask) -> None:
    """Each domain registers its own parts; the API blueprint last, once every domain added routes."""
    from caseflow import (
        accounts,
        api,
        audit_log,
        board,
        calendar_feed,
        documents,
        imports,
        jobs,
        measures,
        notifications,
        participants,
        partnerships,
        placements,
        privacy,
        reports,
        web,
    )
    from caseflow.jobs import housekeeping

    for domain in (accounts, participants, measures, placements, audit_log, reports, privacy, documents, imports,
                   partnerships, jobs, notifications, board, calendar_feed):
        domain.init_app(app)
    housekeeping.register(app)  # the scheduled jobs of the domains above (retention, expiry, imports, …)
    web.limit_web_blueprints(app)
    api.init_app(app)


def register_error_handlers(app: Flask) -> None:
    from caseflow.errors import register_error_handlers as register
    register(app)


def register_cli(app: Flask) -> None:
    from caseflow.cli import register_commands
    register_commands(app)
