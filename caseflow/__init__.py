"""Caseflow: case management for labour-market integration programmes."""
from __future__ import annotations

from pathlib import Path

from flask import Flask

from config import Config, load_config

ROOT = Path(__file__).resolve().parent.parent
DOMAINS = ("accounts", "audit", "participants", "measures", "placements", "reports", "privacy", "documents",
           "imports")


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
    register_blueprints(app)
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
    from caseflow import database, i18n, mail, navigation, security
    from caseflow.accounts import sessions
    from caseflow.extensions import csrf, db, limiter

    db.init_app(app)
    database.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    mail.init_app(app)
    navigation.init_app(app)
    security.init_app(app)
    sessions.init_app(app)


def register_blueprints(app: Flask) -> None:
    from caseflow import api, documents
    from caseflow.accounts.views import bp as accounts_bp
    from caseflow.audit.views import bp as audit_bp
    from caseflow.imports import api as imports_api  # noqa: F401  (its routes join the API blueprint)
    from caseflow.imports.views import bp as imports_bp
    from caseflow.measures import api as measures_api  # noqa: F401  (its routes join the API blueprint)
    from caseflow.measures import caseload as measures_caseload
    from caseflow.measures.views import bp as measures_bp
    from caseflow.participants import api as participants_api  # noqa: F401
    from caseflow.participants.handover import bp as handover_bp
    from caseflow.participants.views import bp as participants_bp
    from caseflow.placements import api as placements_api  # noqa: F401
    from caseflow.placements.views import bp as placements_bp
    from caseflow.privacy import api as privacy_api  # noqa: F401
    from caseflow.privacy.views import bp as privacy_bp
    from caseflow.reports import api as reports_api  # noqa: F401
    from caseflow.reports.views import bp as reports_bp

    for bp in (accounts_bp, audit_bp, participants_bp, handover_bp, measures_bp, placements_bp, reports_bp,
               privacy_bp, imports_bp):
        app.register_blueprint(bp)
    measures_caseload.register()  # the caseload's current measure and measure filter
    documents.init_app(app)  # before api.init_app: its API routes join the API blueprint
    api.init_app(app)


def register_error_handlers(app: Flask) -> None:
    from caseflow.errors import register_error_handlers as register
    register(app)


def register_cli(app: Flask) -> None:
    from caseflow.cli import register_commands
    from caseflow.imports.cli import register as register_imports_cli
    register_commands(app)
    register_imports_cli(app)  # `participants import`, into the group the privacy commands create
