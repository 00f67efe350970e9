"""Reminders: in-app notifications (the header's count, a list, mark as read), the hourly checks
that make them, the daily e-mail digest and the team leads' escalation."""
from __future__ import annotations

from datetime import timedelta

from flask import Flask


def init_app(app: Flask) -> None:
    from caseflow import jobs
    from caseflow.accounts import sessions
    from caseflow.notifications import api, checks, digest, services, views

    app.register_blueprint(views.bp)
    api.register_routes()
    app.jinja_env.globals.update(unread_notifications=views.unread_notifications)
    sessions.add_login_figure(services.UNREAD, services.unread_subquery)
    jobs.register(app, jobs.Job("reminders", jobs.every(60), checks.run_checks))
    jobs.register(app, jobs.Job("digest", jobs.daily(lambda: app.config["DIGEST_HOUR"]), digest.send_digests,
                                lease=timedelta(hours=1)))
