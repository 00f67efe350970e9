"""Measures: the catalogue, employers, enrolments, attendance."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The measures' pages and API routes, the case file's enrolment timeline and panel."""
    from caseflow import api as api_v1
    from caseflow.measures import api, caseload, queries, timeline, views
    from caseflow.participants.panels import case_file_panel
    from caseflow.participants.queries import register_note_enrolments
    from caseflow.participants.timeline import timeline_source

    app.register_blueprint(views.bp)
    api_v1.include(app, api)
    caseload.register()  # the caseload's current measure and measure filter
    timeline_source(timeline.enrolment_events)
    register_note_enrolments(queries.note_enrolment_choices)  # what a progress note's minutes count towards
    case_file_panel(template="measures/_case_file_panel.html", order=20)(timeline.enrolments_panel)
