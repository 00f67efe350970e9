"""Issue 18, item 2: the participant-level monitoring export (docs/monitoring-export.md)."""
from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
import sqlalchemy as sa
from lxml import etree

from caseflow.audit.models import AuditEntry
from caseflow.extensions import db
from caseflow.participants.models import Participant
from caseflow.privacy.models import Consent
from caseflow.reports import monitoring as m
from tests.participants.test_web import post_form

PERIOD = "from=2024-01-01&to=2024-12-31"
MONITORING = "/reports/monitoring?" + PERIOD


@pytest.fixture
def people(history):
    """Five participants entered in 2024 (one without ISCED: blocking; one who withdrew the
    funder_reporting consent; one exited with a follow-up), and one entered in 2023 and exited in 2024."""
    h = history
    done = h.participant(gender="female", entry_date=date(2024, 2, 1), education_isced=3, homeless="declined",
                         email="amira@example.org", phone="+49 30 555", street="Sonnenallee 1")
    h.exit(done, date(2024, 6, 30))
    h.status(done, date(2024, 7, 10), "employed")
    h.follow_up(done, date(2024, 12, 30), "employed")
    h.participant(gender="male", entry_date=date(2024, 3, 1), education_isced=5, disability="yes",
                  special_categories_consent_date=date(2024, 3, 1))
    h.participant(gender="non_binary", entry_date=date(2024, 4, 1), education_isced=1,
                  labour_status_at_entry="inactive", unemployed_since=None)
    blocking = h.participant(gender="female", entry_date=date(2024, 5, 1), education_isced=None,
                             first_name="Leyla", last_name="Karimi")
    withdrawn = h.participant(gender="female", entry_date=date(2024, 5, 2), education_isced=2)
    db.session.add(Consent(participant_id=withdrawn.id, purpose="funder_reporting", given_on=date(2024, 5, 2),
                           form="written", notice_version="1", notice_language="de", withdrawn_on=date(2024, 8, 1)))
    db.session.commit()
    old = h.participant(gender="male", entry_date=date(2023, 5, 1), education_isced=4)
    h.exit(old, date(2024, 2, 1))
    return {"done": done, "blocking": blocking, "withdrawn": withdrawn, "old": old}


def _get(api, query: str = "", fmt: str = "json"):
    r = api.get(f"{MONITORING}&format={fmt}{query}")
    assert r.status_code == 200, r.get_data(as_text=True)[:500]
    return r


def _validate(xml: bytes) -> etree._Element:
    doc = etree.fromstring(xml)
    m.xml_schema().assertValid(doc)
    return doc


def test_three_formats_hold_the_same_records_and_the_xml_validates(api_as, team_lead, people):
    api = api_as(team_lead)
    body = _get(api).json
    records = body["records"]
    assert len(records) == 4  # 3 entered and complete (withdrawn and blocking left out) + the 2023 entry exiting in 2024
    xml_response = _get(api, fmt="xml")
    assert xml_response.headers["Content-Type"].startswith("application/xml")
    assert xml_response.headers["X-Blocking-Records"] == "1"
    assert "attachment" in xml_response.headers["Content-Disposition"]
    doc = _validate(xml_response.data)
    ns = {"m": m.NAMESPACE}
    assert [p.get("pseudonym") for p in doc.findall("m:participant", ns)] == [r["pseudonym"] for r in records]
    # the JSON's records, written as XML, validate as well (the same content in both)
    _validate(m.to_xml(m.Export(date(2024, 1, 1), date(2024, 12, 31), None, "eu", records=records)))
    rows = list(csv.DictReader(io.StringIO(_get(api, fmt="csv").get_data(as_text=True))))
    assert [r["pseudonym"] for r in rows] == [r["pseudonym"] for r in records]
    assert list(rows[0]) == m.csv_columns()
    done = next(r for r in records if r["exit"] and r["six_months"])
    assert done["entry"]["homeless"] == "declined" and done["exit"]["status_upon_leaving"] == "employed"
    assert done["six_months"]["status"] == "employed"
    row = next(r for r in rows if r["pseudonym"] == done["pseudonym"])
    assert (row["entry_homeless"], row["exit_status_upon_leaving"], row["six_months_status"]) == (
        "declined", "employed", "employed")


def test_no_names_contact_or_birth_dates(api_as, team_lead, people):
    api = api_as(team_lead)
    participants = db.session.scalars(sa.select(Participant)).all()
    for fmt in m.FORMATS:
        text = _get(api, "&include_incomplete=true", fmt=fmt).get_data(as_text=True)
        for p in participants:
            for value in (p.first_name, p.last_name, p.case_number, p.date_of_birth.isoformat(), p.email, p.phone,
                          p.street):
                if value:
                    assert value not in text, (fmt, value)
        assert "1990-05-17" not in text and "birth_year" in text.replace("birthYear", "birth_year")


def test_pseudonym_is_stable_and_differs_per_organisation(api_as, team_lead, people, other_org, app):
    api = api_as(team_lead)
    first = {r["pseudonym"] for r in _get(api).json["records"]}
    assert first == {r["pseudonym"] for r in _get(api).json["records"]}
    done = people["done"]
    mine = m.pseudonym("monitoring", done.organisation_id, done.id)
    assert mine in first and len(mine) == 64
    assert m.pseudonym("monitoring", other_org.id, done.id) != mine  # the same case elsewhere: another pseudonym
    # the key decides: another key, other pseudonyms
    key = app.config["PSEUDONYM_KEY"]
    app.config["PSEUDONYM_KEY"] = key + "x"
    try:
        assert not first & {r["pseudonym"] for r in _get(api).json["records"]}
    finally:
        app.config["PSEUDONYM_KEY"] = key


def test_blocking_records_are_left_out_or_exported_marked_incomplete(api_as, team_lead, people):
    api = api_as(team_lead)
    assert len(_get(api).json["records"]) == 4
    records = _get(api, "&include_incomplete=true").json["records"]
    incomplete = [r for r in records if not r["complete"]]
    assert len(records) == 5 and len(incomplete) == 1
    assert incomplete[0]["missing"] == ["education_isced"] and incomplete[0]["entry"]["education_isced"] is None
    doc = _validate(_get(api, "&include_incomplete=true", fmt="xml").data)
    flagged = doc.findall(f"{{{m.NAMESPACE}}}participant[@complete='false']")
    assert len(flagged) == 1 and flagged[0].findtext(f"{{{m.NAMESPACE}}}missing") == "education_isced"


def test_withdrawn_consent_is_left_out_and_counts_agree_with_the_esf_report(api_as, team_lead, people):
    api = api_as(team_lead)
    records = _get(api, "&include_incomplete=true").json["records"]
    withdrawn = m.pseudonym("monitoring", people["withdrawn"].organisation_id, people["withdrawn"].id)
    assert withdrawn not in {r["pseudonym"] for r in records}
    esf = api.get("/reports/esf?" + PERIOD).json
    entered = [r for r in records if "2024-01-01" <= r["entry"]["entry_date"] <= "2024-12-31"]
    # the report keeps the withdrawn person in its aggregates: one more than the export
    assert esf["outputs"]["total"]["total"] == len(entered) + 1
    for gender in ("female", "male", "non_binary"):
        expected = esf["outputs"]["total"][gender] - (gender == "female")
        assert sum(r["entry"]["gender"] == gender for r in entered) == expected, gender
    for key in ("disability", "homeless", "minority", "foreign_background"):
        assert sum(r["entry"][key] == "yes" for r in entered) == esf["outputs"][key]["total"], key
    assert sum(r["entry"]["long_term_unemployed"] for r in entered) == esf["outputs"]["long_term_unemployed"]["total"]
    exits = [r for r in records if r["exit"]]
    assert len(exits) == 2
    employed = [r for r in exits if r["exit"]["status_upon_leaving"] in ("employed", "self_employed")
                and r["entry"]["labour_status_at_entry"] in ("unemployed", "inactive", "education_or_training")]
    assert len(employed) == esf["results"]["employed_upon_leaving"]["total"] == 1
    six = [r for r in exits if r["six_months"] and r["six_months"]["status"] in ("employed", "self_employed")]
    assert len(six) == esf["results"]["employed_six_months_after"]["total"] == 1


def test_every_export_is_audited(api_as, team_lead, people):
    _get(api_as(team_lead), fmt="csv")
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "monitoring.export")).one()
    assert entry.actor_id == team_lead.id and entry.organisation_id == team_lead.organisation_id
    assert entry.changes["records"] == [None, 4] and entry.changes["format"] == [None, "csv"]
    assert entry.changes["blocking_left_out"] == [None, 1] and entry.changes["withdrawn_left_out"] == [None, 1]
    assert entry.changes["from"] == [None, "2024-01-01"] and entry.changes["channel"] == [None, "api"]


def test_who_may_export(api_as, team_lead, counsellor, analyst, other_org, people):
    assert api_as(counsellor).get(MONITORING).status_code == 403
    assert api_as(team_lead).get(MONITORING + f"&organisation_id={other_org.id}").status_code == 404
    assert api_as(analyst).get(MONITORING + f"&organisation_id={other_org.id}").status_code == 200
    assert len(api_as(analyst).get(MONITORING).json["records"]) == 4
    r = api_as(team_lead).get(MONITORING + "&format=pdf")
    assert r.status_code == 422 and "format" in r.json["error"]["fields"]
    r = api_as(team_lead).get("/reports/monitoring?from=2024-12-31&to=2024-01-01")
    assert r.status_code == 422 and "to" in r.json["error"]["fields"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "monitoring.export")) == 2  # the two that answered 200


def test_command_line(app, org, people):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["monitoring", "export", "--from", "2024-01-01", "--to", "2024-12-31",
                                 "--format", "xml", "--org", org.name])
    assert result.exit_code == 0, result.output
    xml = result.stdout.encode()
    assert len(_validate(xml).findall(f"{{{m.NAMESPACE}}}participant")) == 4
    assert "1 blocking record(s) left out" in result.stderr
    data = json.loads(runner.invoke(args=["monitoring", "export", "--from", "2024-01-01", "--to", "2024-12-31",
                                          "--format", "json"]).stdout)
    assert len(data["records"]) == 4
    bad = runner.invoke(args=["monitoring", "export", "--from", "2024-01-01", "--to", "2024-12-31", "--org", "Nope"])
    assert bad.exit_code == 1
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "monitoring.export")).all()
    assert [e.changes["channel"] for e in entries] == [[None, "cli"], [None, "cli"]]


def test_page_lists_blocking_records_and_downloads_by_post(client, auth, team_lead, counsellor, people):
    auth.login(team_lead)
    html = client.get("/reports/monitoring?" + PERIOD).get_data(as_text=True)
    blocking = people["blocking"]
    assert blocking.case_number in html and "Leyla Karimi" in html
    assert f"/participants/{blocking.id}/edit" in html
    r = post_form(client, auth, "/reports/monitoring/export",
                  {"from": "2024-01-01", "to": "2024-12-31", "format": "xml"}, token_path="/reports/monitoring?" + PERIOD)
    assert r.status_code == 200 and r.headers["Content-Disposition"].startswith("attachment")
    assert len(_validate(r.data).findall(f"{{{m.NAMESPACE}}}participant")) == 4
    r = client.post("/reports/monitoring/export", data={"from": "2024-01-01", "to": "2024-12-31", "format": "xml"})
    assert r.status_code == 400  # without the CSRF token
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "monitoring.export")) == 1
    auth.logout()
    auth.login(counsellor)
    assert client.get("/reports/monitoring?" + PERIOD).status_code == 403


def test_records_carry_the_hours_of_participation_in_every_format(api_as, team_lead, history, people):
    """Issue 18, item 3: each record holds the participant's hours (enrolment, sessions present,
    notes), the same in JSON, CSV and XML, and the XML still validates."""
    from caseflow.measures.models import Attendance, AttendanceSession
    from caseflow.participants.models import Note
    done = people["done"]
    measure = history.measure("language_course", "Deutsch B1")
    enrolment = history.enrol(done, measure)
    enrolment.minutes = 500
    session = AttendanceSession(measure_id=measure.id, date=date(2024, 3, 5), minutes=95)
    db.session.add(session)
    db.session.flush()
    db.session.add(Attendance(session_id=session.id, enrolment_id=enrolment.id, present=True))
    db.session.add(Note(participant_id=done.id, date=date(2024, 3, 6), kind="meeting", text="x", minutes=40))
    db.session.commit()
    api = api_as(team_lead)
    mine = m.pseudonym("monitoring", done.organisation_id, done.id)
    records = {r["pseudonym"]: r for r in _get(api).json["records"]}
    assert records[mine]["participation_hours"] == "10.58"  # 635 minutes
    assert {r["participation_hours"] for p, r in records.items() if p != mine} == {"0.00"}
    rows = {r["pseudonym"]: r for r in csv.DictReader(io.StringIO(_get(api, fmt="csv").get_data(as_text=True)))}
    assert rows[mine]["participation_hours"] == "10.58"
    doc = _validate(_get(api, fmt="xml").data)
    ns = {"m": m.NAMESPACE}
    record = next(p for p in doc.findall("m:participant", ns) if p.get("pseudonym") == mine)
    assert record.findtext("m:participationHours", namespaces=ns) == "10.58"
