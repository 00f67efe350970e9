"""The subject-access export: complete (every table about a participant), logged, role-checked, printable."""
from __future__ import annotations

import json
from datetime import date

import sqlalchemy as sa

from caseflow.audit.models import AuditEntry
from caseflow.extensions import db
from caseflow.participants.models import Note
from caseflow.privacy.tables import CONTENT_TABLES, DERIVED_TABLES, linked_tables
from tests.privacy.conftest import FIRST, NOTE_TEXT, REVISION_TEXT, WITNESS, make_full_participant


def tables_referencing_participants() -> set[str]:
    """Computed here independently of the code under test: every table with a foreign key chain to
    participants.id."""
    found, grew = {"participants"}, True
    while grew:
        grew = False
        for table in db.metadata.tables.values():
            if table.name not in found and any(fk.column.table.name in found and fk.column.table is not table
                                               for fk in table.foreign_keys):
                found.add(table.name)
                grew = True
    return found - {"participants"}


def test_every_table_about_a_participant_is_in_the_export(full_participant, team_lead, api_as):
    expected = tables_referencing_participants()
    assert {t.name for t in linked_tables()} == expected
    data = api_as(team_lead).get(f"/participants/{full_participant.id}/export").json
    # File content (documents' encrypted chunks) is exported as files (the ZIP), not as rows; the
    # reports' derived copies (codes computed from the rows shown) are left out.
    assert {"report_facts", "report_placements"} == DERIVED_TABLES
    assert set(data["records"]) == expected - CONTENT_TABLES - DERIVED_TABLES
    # The fixture put at least one row in each of them, and each came back.
    empty = {name for name, rows in data["records"].items() if not rows}
    assert empty == set(), f"no rows exported for {empty}"


def test_export_content(full_participant, team_lead, api_as):
    data = api_as(team_lead).get(f"/participants/{full_participant.id}/export").json
    assert data["format"] == "caseflow-subject-access/1"
    assert data["case_number"] == full_participant.case_number
    person = data["participant"]
    assert person["first_name"] == FIRST and person["date_of_birth"] == "1987-02-13"
    assert person["counsellor_name"] == "Aylin Demir"
    assert "search_key" not in person and "duplicate_key" not in person
    records = data["records"]
    assert [n["text"] for n in records["notes"]] == [NOTE_TEXT]
    assert [r["text"] for r in records["note_revisions"]] == [REVISION_TEXT]
    assert records["consents"][0]["witness"] == WITNESS
    enrolment = records["enrolments"][0]
    assert enrolment["measure_title"] == "Trainee partnership 2024"
    assert enrolment["details"]["mentor"] == "Herr Quolmbrecht senior"
    assert {p["employer_name"] for p in records["placements"]} == {"Quolmbrecht Catering", "Spreewerk GmbH"}
    assert all("address" not in e for e in records["audit_entries"])
    # The audit entry about the note (without participant_id) is part of it as well.
    assert "note.update" in {e["action"] for e in records["audit_entries"]}
    json.dumps(data)  # plain JSON all the way down


def test_label_columns_follow_their_columns_order(app, full_participant):
    """The readable label of each reference (counsellor_name, measure_title …) comes in the order
    of the columns it labels, the same at every server start (Table.foreign_keys is a set, whose
    order changed from one process to the next, and the printable page's columns with it)."""
    from caseflow.privacy.export import LABELS, build_export
    with app.test_request_context():
        data = build_export(full_participant)
    sections = [("participants", data["participant"])] + [
        (name, row) for name, rows in data["records"].items() for row in rows[:1]]
    checked = 0
    for name, row in sections:
        columns = [c.name for c in db.metadata.tables[name].columns]
        labelled = [c.name for c in db.metadata.tables[name].columns for fk in c.foreign_keys
                    if fk.column.table.name in LABELS]
        labels = [k for k in row if k not in columns]
        expected = [f"{c.removesuffix('_id')}_{LABELS[fk.column.table.name]}" for c in labelled
                    for fk in db.metadata.tables[name].c[c].foreign_keys]
        assert labels == [k for k in expected if k in labels], (name, labels)
        checked += len(labels) > 1
    assert checked >= 3, "the fixture gives several tables more than one label"


def test_export_is_logged_with_channel(full_participant, counsellor, api_as):
    api_as(counsellor).get(f"/participants/{full_participant.id}/export")
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "case.export"))
    assert entry.actor_id == counsellor.id and entry.participant_id == full_participant.id
    assert entry.changes == {"channel": [None, "api"]}


def test_export_roles(full_participant, analyst, admin, other_counsellor, api_as):
    assert api_as(analyst).get(f"/participants/{full_participant.id}/export").status_code == 403
    assert api_as(admin).get(f"/participants/{full_participant.id}/export").status_code == 403
    assert api_as(other_counsellor).get(f"/participants/{full_participant.id}/export").status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "case.export")) == 0


def test_cli_export_prints_json_and_logs_without_actor(app, full_participant):
    result = app.test_cli_runner().invoke(args=["participants", "export", full_participant.case_number])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["participant"]["last_name"] == "Quolmbrecht"
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "case.export"))
    assert entry.actor_id is None and entry.organisation_id == full_participant.organisation_id


def test_cli_export_unknown_case_fails_cleanly(app):
    result = app.test_cli_runner().invoke(args=["participants", "export", "CF-1999-000001"])
    assert result.exit_code == 1
    assert "CF-1999-000001" in result.output and "Traceback" not in result.output


def test_printable_page_in_the_preferred_language(client, auth, full_participant, counsellor):
    auth.login(counsellor)  # the counsellor's interface is German by default
    english = client.get(f"/participants/{full_participant.id}/export")  # preferred_language = en
    html = english.get_data(as_text=True)
    assert english.status_code == 200
    assert "Information about the data we hold about you" in html and "Labour-market status history" in html
    assert NOTE_TEXT.replace("'", "&#39;") in html and FIRST in html
    german = client.get(f"/participants/{full_participant.id}/export?lang=de").get_data(as_text=True)
    assert "Auskunft über die Daten, die wir über Sie gespeichert haben" in german


def test_printable_page_escapes_what_people_typed(client, auth, org, counsellor):
    from tests.factories import ParticipantFactory
    p = ParticipantFactory(organisation=org, first_name="<script>alert(1)</script>")
    auth.login(counsellor)
    html = client.get(f"/participants/{p.id}/export").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html


def test_export_page_queries_do_not_grow_with_rows(client, auth, org, counsellor, count_queries):
    small = make_full_participant(org, counsellor, case_number="CF-2025-000100")
    big = make_full_participant(org, counsellor, first="Other", last="Person", case_number="CF-2025-000200")
    db.session.add_all([Note(participant_id=big.id, date=date(2025, 1, i + 1), kind="phone", text=f"n{i}")
                        for i in range(20)])
    db.session.commit()
    auth.login(counsellor)
    with count_queries() as q_small:
        client.get(f"/participants/{small.id}/export")
    with count_queries() as q_big:
        client.get(f"/participants/{big.id}/export")
    assert q_small.count == q_big.count
