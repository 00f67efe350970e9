"""Caseflow: case management for labour-market integration programmes."""
from __future__ import annotations

from pathlib import Path

from flask import Flask

from config import Config, load_config

ROOT = Path(__file__).resolve().parent.parent
DOMAINS = ("accounts", "audit", "participants", "measures", "placements", "reports", "privacy")


def create_app(config: Config | None = None) -> Flask:
    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"),
                instance_path=str(ROOT / "instance"))
    app.config.from_object(config or load_config())
    if app.config.get("TRUSTED_PROXY_COUNT"):
        from werkzeug.middleware.proxy_fix import ProxyFix
        hops = app.config["TRUSTED_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    register_logging(app)
    register_extensions(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_cli(app)
    return app


def register_logging(app: Flask) -> None:
    from caseflow.logging_setup import configure_logging
    configure_logging(app)


def register_extensions(app: Flask) -> None:
    import caseflow.models  # noqa: F401  (every table registered on the metadata)
    from caseflow import database, i18n, navigation, security
    from caseflow.accounts import sessions
    from caseflow.extensions import csrf, db, limiter

    db.init_app(app)
    database.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    navigation.init_app(app)
    security.init_app(app)
    sessions.init_app(app)


def register_blueprints(app: Flask) -> None:
    from caseflow import api
    from caseflow.accounts.views import bp as accounts_bp
    from caseflow.audit.views import bp as audit_bp
    from caseflow.measures import api as measures_api  # noqa: F401  (its routes join the API blueprint)
    from caseflow.measures.views import bp as measures_bp
    from caseflow.participants import api as participants_api  # noqa: F401
    from caseflow.participants.views import bp as participants_bp
    from caseflow.placements import api as placements_api  # noqa: F401
    from caseflow.placements.views import bp as placements_bp
    from caseflow.privacy import api as privacy_api  # noqa: F401
    from caseflow.privacy.views import bp as privacy_bp
    from caseflow.reports import api as reports_api  # noqa: F401
    from caseflow.reports.views import bp as reports_bp

    for bp in (accounts_bp, audit_bp, participants_bp, measures_bp, placements_bp, reports_bp, privacy_bp):
        app.register_blueprint(bp)
    register_working_day(app)  # before api.init_app: it adds routes to the API blueprint
    api.init_app(app)


def register_working_day(app: Flask) -> None:
    """Scheduled jobs, reminders and the digest, the team board and task pages, the calendar feed."""
    from caseflow import board, calendar_feed, jobs, notifications
    from caseflow.jobs import housekeeping

    jobs.init_app(app)
    housekeeping.register(app)
    notifications.init_app(app)
    board.init_app(app)
    calendar_feed.init_app(app)


def register_error_handlers(app: Flask) -> None:
    from caseflow.errors import register_error_handlers as register
    register(app)


def register_cli(app: Flask) -> None:
    from caseflow.cli import register_commands
    register_commands(app)
