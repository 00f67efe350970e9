"""Data protection: consents, access, export, restriction, anonymisation, retention, the record of
processing."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The data protection pages, API routes and commands, the case file's panel and timeline."""
    from caseflow import api as api_v1
    from caseflow.participants.panels import case_file_panel, summary_source
    from caseflow.participants.services import special_consent_withdrawn_source
    from caseflow.participants.timeline import timeline_source
    from caseflow.privacy import api, cli, panels, services, timeline, views

    app.register_blueprint(views.bp)
    api_v1.include(app, api)
    cli.register(app)
    timeline_source(timeline.consent_events)
    case_file_panel(template="privacy/_case_file_panel.html", order=90)(panels.data_protection_panel)
    summary_source(panels.consent_summary)
    special_consent_withdrawn_source(services.special_consent_withdrawn)
