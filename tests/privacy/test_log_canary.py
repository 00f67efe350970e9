"""Application logs never contain names, birth dates, notes or tokens.

A canary person is registered through the API and through the web form; then the case is browsed,
searched, exported, edited with errors, and an unexpected error is provoked. Everything any logger
emits meanwhile (at DEBUG, every logger) must be free of the canary values.
"""
from __future__ import annotations

import json
import logging
import re

import pytest
import sqlalchemy as sa

from caseflow.extensions import db
from caseflow.participants.models import Participant

CANARY_FIRST, CANARY_LAST = "Zzyzxcanary", "Quolmbrecht"
WEB_FIRST = "Zzyzxwebcanary"
BORN = "1983-07-29"
NOTE = "Zzyzxnote about the flat in Sonnenallee"
EMAIL = "zzyzx.canary@example.org"


@pytest.fixture
def all_logs(caplog, app):
    """Every record of every logger, from DEBUG up. SQLAlchemy's own loggers stay at the level the
    application configures (its SQL echo is off unless SQLALCHEMY_ECHO is set, and then it would
    show up here too)."""
    caplog.set_level(logging.DEBUG)
    for name in ("caseflow", "werkzeug", "flask", "flask_limiter", "flask_login", app.logger.name):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def rendered(caplog) -> str:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    return "\n".join(handler.format(r) for r in caplog.records)


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def test_the_canary_never_reaches_the_logs(app, client, auth, all_logs, counsellor, team_lead, api_as):
    token = None
    from caseflow.accounts.services import create_token
    token = create_token(counsellor, actor=None)
    api = api_as(counsellor)

    # Registered through the API, with a bad request first (the error path sees the data too).
    body = {"first_name": CANARY_FIRST, "last_name": CANARY_LAST, "date_of_birth": BORN, "gender": "female",
            "nationality": "SY", "entry_date": "2025-03-01", "labour_status_at_entry": "unemployed",
            "unemployed_since": "2024-06-01", "email": EMAIL, "phone": "+49 30 5550123"}
    assert api.post("/participants", json={**body, "date_of_birth": "29.07.1983"}).status_code == 422
    created = api.post("/participants", json=body)
    assert created.status_code == 201, created.json
    pid = created.json["id"]
    # A duplicate attempt (409 with candidates), a note, a search, an export.
    assert api.post("/participants", json=body).status_code == 409
    assert api.post(f"/participants/{pid}/notes",
                    json={"date": "2025-03-02", "kind": "meeting", "text": NOTE, "minutes": 30}).status_code == 201
    assert api.get(f"/participants?q={CANARY_LAST.lower()}").status_code == 200
    assert api.get(f"/participants/{pid}/export").status_code == 200
    assert api.patch(f"/participants/{pid}", json={"version": 999, "first_name": CANARY_FIRST}).status_code == 409

    # Registered through the web form; browsed, searched, exported.
    auth.login(counsellor)
    form = client.get("/participants/new").get_data(as_text=True)
    response = client.post("/participants/new", data={
        "csrf_token": _csrf(form), "first_name": WEB_FIRST, "last_name": CANARY_LAST, "date_of_birth": BORN,
        "gender": "male", "nationality": "AF", "entry_date": "2025-04-01", "labour_status_at_entry": "inactive",
        "counsellor_id": str(counsellor.id), "email": EMAIL, "confirm_not_duplicate": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    web_id = db.session.scalar(sa.select(Participant.id).where(Participant.first_name == WEB_FIRST))
    assert client.get(f"/participants/{web_id}").status_code == 200
    caseload = client.get("/caseload").get_data(as_text=True)
    assert client.post("/caseload", data={"csrf_token": _csrf(caseload), "q": CANARY_LAST}).status_code == 302
    assert CANARY_LAST in client.get("/caseload").get_data(as_text=True)  # the search ran
    assert client.get(f"/participants/{web_id}/export").status_code == 200
    assert client.get(f"/participants/{web_id}/export.json").status_code == 200
    assert client.get(f"/participants/{web_id}/consents").status_code == 200
    assert client.get("/participants/999999").status_code == 404

    # A team lead anonymises one of them; the audit log is read.
    auth.logout()
    assert api_as(team_lead).post(f"/participants/{pid}/anonymise",
                                  json={"reason": f"erasure asked by {CANARY_FIRST}"}).status_code == 200
    auth.login(team_lead)
    assert client.get("/audit").status_code == 200

    # An unexpected error while the canary's data is in flight is logged, without the data.
    from caseflow.privacy import views

    def broken(*args, **kwargs):
        raise RuntimeError("export broke")

    original = views.services.export_participant
    views.services.export_participant = broken
    try:
        assert client.get(f"/participants/{web_id}/export").status_code == 500
    finally:
        views.services.export_participant = original

    logs = rendered(all_logs)
    assert "export broke" in logs, "the error must be logged (otherwise this test proves nothing)"
    for secret in (CANARY_FIRST, WEB_FIRST, CANARY_LAST, BORN, "29.07.1983", NOTE, "Zzyzxnote", EMAIL,
                   "5550123", token):
        assert secret.lower() not in logs.lower(), f"{secret!r} appeared in the logs"


def test_database_errors_are_logged_without_their_parameters(client, auth, all_logs, org, counsellor):
    """A failing statement carrying personal data: the error is logged, its parameters are not."""
    from caseflow.privacy import views
    from tests.factories import ParticipantFactory
    p = ParticipantFactory(organisation=org)

    def broken(*args, **kwargs):
        db.session.execute(sa.text("INSERT INTO no_such_table (name) VALUES (:name)"), {"name": CANARY_FIRST})

    original = views.services.export_participant
    views.services.export_participant = broken
    auth.login(counsellor)
    try:
        assert client.get(f"/participants/{p.id}/export").status_code == 500
    finally:
        views.services.export_participant = original
    logs = rendered(all_logs)
    assert "no_such_table" in logs
    assert CANARY_FIRST.lower() not in logs.lower()


def test_no_failure_puts_the_name_into_the_log(app, client, auth, api_as, all_logs, org, counsellor, team_lead,
                                               dialect):
    """Whatever fails — refused input, an export of stored characters a spreadsheet cannot hold, an
    exception whose message quotes the name, a database error quoting it — the name stays out of the
    log, while the failures themselves are logged."""
    from caseflow.reports import views as report_views
    from tests.factories import ParticipantFactory

    api = api_as(counsellor)
    # Refused before any view: NUL byte, lone surrogate, nesting, size.
    for name in (CANARY_FIRST + "\x00", CANARY_FIRST + "\ud800"):
        body = json.dumps({"first_name": name, "last_name": CANARY_LAST})  # the surrogate stays one
        response = client.post("/api/v1/participants", data=body, content_type="application/json",
                               headers=api.headers)
        assert response.status_code == 422
    assert client.get(f"/api/v1/participants?q={CANARY_LAST}%00").status_code == 422
    big = json.dumps({"first_name": CANARY_FIRST, "notes": "x" * 2_000_000})
    assert client.post("/api/v1/participants", data=big, content_type="application/json",
                       headers=api.headers).status_code == 413

    # Stored before the guard existed: an export that openpyxl would refuse (with the name in its message).
    stored = CANARY_FIRST + ("\x00" if dialect == "sqlite" else "\x01")
    p = ParticipantFactory(organisation=org, first_name=stored, last_name=CANARY_LAST, education_isced=None)
    auth.login(counsellor)
    assert client.get("/reports/completeness.xlsx").status_code == 200
    assert client.get("/reports/completeness.csv").status_code == 200

    # An exception quoting the name, and a database error quoting it.
    def quoting(*args, **kwargs):
        raise ValueError(f"cannot export {CANARY_FIRST} {CANARY_LAST}")

    original = report_views.exports.completeness_tables
    report_views.exports.completeness_tables = quoting
    try:
        assert client.get("/reports/completeness.csv").status_code == 500
    finally:
        report_views.exports.completeness_tables = original

    def failing_statement(*args, **kwargs):
        db.session.execute(sa.text("SELECT * FROM participants WHERE first_name = :n AND no_such_column = 1"),
                           {"n": CANARY_FIRST})

    report_views.exports.completeness_tables = failing_statement
    try:
        assert client.get("/reports/completeness.csv").status_code == 500
    finally:
        report_views.exports.completeness_tables = original
    assert client.get(f"/participants/{p.id}").status_code == 200

    logs = rendered(all_logs)
    assert "ValueError" in logs and "no_such_column" in logs, "the failures must be logged"
    for secret in (CANARY_FIRST, CANARY_LAST):
        assert secret.lower() not in logs.lower(), f"{secret!r} appeared in the logs"
