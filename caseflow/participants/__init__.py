"""Participants: registration, the case file, notes, goals, tasks, status changes."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The participants' pages, API routes and case file timeline sources."""
    from caseflow import api as api_v1
    from caseflow.participants import api, caseload, handover, timeline_sources, views
    from caseflow.participants.timeline import timeline_source

    app.register_blueprint(views.bp)
    app.register_blueprint(handover.bp)
    app.register_blueprint(caseload.bp)
    api_v1.include(app, api)
    for source in (timeline_sources.status_change_events, timeline_sources.note_events,
                   timeline_sources.goal_events, timeline_sources.task_events):
        timeline_source(source)
