"""Placements and outcomes: placements, exits, re-entries, certificates, follow-ups."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The outcomes' pages and API routes, the case file's outcomes timeline and panel."""
    from caseflow import api as api_v1
    from caseflow.participants.panels import case_file_panel
    from caseflow.participants.timeline import timeline_source
    from caseflow.placements import api, panels, timeline, views

    app.register_blueprint(views.bp)
    api_v1.include(app, api)
    timeline_source(timeline.outcome_events)
    case_file_panel(template="placements/_case_file_panel.html", order=30)(panels.outcomes_panel)
    panels.register()  # the placements that followed a measure, on the measure's page
