"""Each account's private iCalendar feed of its tasks and planned appointments."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from caseflow.calendar_feed import views
    from caseflow.participants.panels import case_file_panel

    app.register_blueprint(views.bp)
    case_file_panel(template="calendar_feed/_case_file_panel.html", order=15)(_appointments_panel)


def _appointments_panel(participant, actor) -> dict:
    from caseflow.calendar_feed.services import planned_appointment_rows
    return {"appointments": planned_appointment_rows(participant.id)}
