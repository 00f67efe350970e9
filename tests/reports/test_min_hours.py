"""The ESF+ report's minimum participation (issue 18, item 3): `min_hours` (API, page, exports) and
the ESF_MIN_HOURS setting count only participants with at least that many hours of participation,
the hours summed in SQL from enrolments, attendance sessions and notes (measures/queries.py)."""
from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from caseflow.audit.models import AuditEntry
from caseflow.extensions import db
from caseflow.measures.models import Attendance, AttendanceSession
from caseflow.participants.models import Note

ESF = "/reports/esf?from=2024-01-01&to=2024-12-31"


@pytest.fixture
def three_people(history):
    """Amina: 10 h (6 h recorded on the enrolment, two 90-minute sessions present, one absent, a
    60-minute note outside measures); Bekir: 7 h 59 min, exited in the period; Chiara: none."""
    measure = history.measure("language_course", "Deutsch B1")
    amina = history.participant(first_name="Amina", gender="female", entry_date=date(2024, 2, 1))
    bekir = history.participant(first_name="Bekir", gender="male", entry_date=date(2024, 3, 1))
    chiara = history.participant(first_name="Chiara", gender="female", entry_date=date(2024, 4, 1))
    history.exit(bekir, date(2024, 9, 30))
    history.exit(chiara, date(2024, 9, 30))
    e_amina, e_bekir = history.enrol(amina, measure), history.enrol(bekir, measure)
    e_amina.minutes = 360
    e_bekir.minutes = 419
    for day, present in ((date(2024, 5, 2), True), (date(2024, 5, 3), True), (date(2024, 5, 4), False)):
        session = AttendanceSession(measure_id=measure.id, date=day, minutes=90)
        db.session.add(session)
        db.session.flush()
        db.session.add(Attendance(session_id=session.id, enrolment_id=e_amina.id, present=present))
    db.session.add(Note(participant_id=amina.id, date=date(2024, 5, 5), kind="meeting", text="x", minutes=60))
    db.session.add(Note(participant_id=bekir.id, date=date(2024, 5, 5), kind="meeting", text="x", minutes=60,
                        enrolment_id=e_bekir.id))
    db.session.commit()
    return amina, bekir, chiara


def test_minimum_hours_counts_only_participants_with_enough_participation(api_as, team_lead, three_people):
    api = api_as(team_lead)
    everyone = api.get(ESF).json
    assert everyone["min_hours"] == 0
    assert everyone["outputs"]["total"] == {"female": 2, "male": 1, "non_binary": 0, "total": 3}
    eight = api.get(ESF + "&min_hours=8").json
    assert eight["min_hours"] == 8
    assert eight["outputs"]["total"] == {"female": 1, "male": 0, "non_binary": 0, "total": 1}  # Amina, 10 h
    # Bekir's 7 h 59 min fall short by a minute; the results (final exits) are filtered alike.
    # (8, 7, 10, 11 hours: one statement, built once for a minimum (queries._esf_statements), run
    # with each value: each gives its own figures)
    seven = api.get(ESF + "&min_hours=7").json
    assert seven["outputs"]["total"]["total"] == 2
    assert api.get(ESF + "&min_hours=10").json["outputs"]["total"]["total"] == 1
    assert api.get(ESF + "&min_hours=11").json["outputs"]["total"]["total"] == 0


def test_results_are_filtered_too(api_as, team_lead, history, three_people):
    amina, bekir, chiara = three_people
    history.status(bekir, date(2024, 10, 1), "employed")
    history.status(chiara, date(2024, 10, 1), "employed")
    api = api_as(team_lead)
    assert api.get(ESF).json["results"]["employed_upon_leaving"]["total"] == 2
    assert api.get(ESF + "&min_hours=7").json["results"]["employed_upon_leaving"]["total"] == 1  # Bekir
    assert api.get(ESF + "&min_hours=8").json["results"]["employed_upon_leaving"]["total"] == 0


def test_setting_is_the_default_and_the_parameter_overrides_it(api_as, team_lead, app, three_people):
    app.config["ESF_MIN_HOURS"] = 8
    try:
        body = api_as(team_lead).get(ESF).json
        assert body["min_hours"] == 8 and body["outputs"]["total"]["total"] == 1
        assert api_as(team_lead).get(ESF + "&min_hours=0").json["outputs"]["total"]["total"] == 3
    finally:
        app.config["ESF_MIN_HOURS"] = 0


@pytest.mark.parametrize("value", ["-1", "acht", "8.5", "10001", "²"])
def test_bad_minimum_is_422(api_as, team_lead, value):
    response = api_as(team_lead).get(ESF + f"&min_hours={value}")
    assert response.status_code == 422 and "min_hours" in response.json["error"]["fields"]


def test_page_drilldown_and_export_apply_the_minimum(client, auth, team_lead, three_people):
    auth.login(team_lead)
    page = client.get(ESF + "&min_hours=8").get_data(as_text=True)
    assert 'name="min_hours"' in page and 'value="8"' in page
    assert "nur Teilnehmende mit mindestens 8 Teilnahmestunden" in page
    assert "min_hours=8" in page  # the figures' links and the downloads keep the option
    listing = client.get("/reports/esf/participants?from=2024-01-01&to=2024-12-31&indicator=total&gender=total"
                         "&min_hours=8").get_data(as_text=True)
    assert "Amina" in listing and "Bekir" not in listing and "Chiara" not in listing
    response = client.get("/reports/esf.xlsx?from=2024-01-01&to=2024-12-31&min_hours=8")
    assert 'filename="esf-2024-01-01-2024-12-31-eu-min8h.xlsx"' in response.headers["Content-Disposition"]
    rows = list(load_workbook(BytesIO(response.data)).worksheets[0].values)
    assert rows[4][:1] == ("Mindestteilnahme: 8 Stunden",)
    total = next(r for r in rows if r[0] == "Alle Teilnehmenden")
    assert total[1:] == (1, 0, 0, 1)
    entry = db.session.query(AuditEntry).filter_by(action="report.download").one()
    assert entry.changes["parameters"][1]["min_hours"] == "8"


def test_minimum_is_one_query_per_section(api_as, team_lead, three_people, count_queries):
    api = api_as(team_lead)
    api.get(ESF)  # the token's first use writes its last-used time
    with count_queries() as plain:
        api.get(ESF)
    with count_queries() as filtered:
        api.get(ESF + "&min_hours=8")
    assert filtered.count == plain.count  # the hours are summed inside the two grouped selects
