"""The audit and access log page of an organisation. It sits above participants (it shows case
numbers); the audit writer it reads (caseflow/audit) sits below them, so that every domain can
write entries."""
from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from caseflow.audit_log import views

    app.register_blueprint(views.bp)
