"""The import through the API and the command line, and the ESF+ report over an imported history."""
import io
from datetime import date

import pytest
import sqlalchemy as sa

from caseflow.extensions import db
from caseflow.imports.models import ImportBatch
from caseflow.participants.models import Participant
from tests.factories import MeasureFactory, UserFactory
from tests.imports.conftest import person, xlsx

PEOPLE = [
    # (external id, master data, history)
    ("E-1", dict(first_name="Amira", last_name="Haddad", date_of_birth=date(1990, 5, 17), gender="female",
                 nationality="SY", entry_date=date(2024, 2, 1), labour_status_at_entry="unemployed",
                 unemployed_since=date(2022, 1, 1), education_isced=6),
     dict(placements=[dict(type="employment", employer_name="Vivantes", start_date=date(2024, 6, 1))],
          exits=[dict(exit_date=date(2024, 6, 15), reason="completed")],
          follow_ups=[dict(kind="six_months", date=date(2024, 12, 20), status="employed")])),
    ("E-2", dict(first_name="Jonas", last_name="Okafor", date_of_birth=date(1985, 9, 3), gender="male",
                 nationality="NG", entry_date=date(2024, 3, 1), labour_status_at_entry="employed", education_isced=3),
     dict(enrolments=[dict(status="completed", start_date=date(2024, 3, 5), end_date=date(2024, 5, 31))],
          exits=[dict(exit_date=date(2024, 6, 30), reason="completed")],
          follow_ups=[dict(kind="six_months", date=date(2025, 1, 5), status="employed", improved_situation=True,
                           improvement_kind="full_time")])),
    ("E-3", dict(first_name="Oksana", last_name="Kovalenko", date_of_birth=date(2001, 1, 20), gender="female",
                 nationality="UA", entry_date=date(2024, 4, 2), labour_status_at_entry="inactive", education_isced=2),
     dict(status_changes=[dict(date=date(2024, 5, 1), status="education_or_training")],
          certificates=[dict(date=date(2024, 7, 1), title="Deutsch B1")],
          exits=[dict(exit_date=date(2024, 7, 10), reason="dropped_out")],
          follow_ups=[dict(kind="six_months", date=date(2025, 1, 12), status="unknown")])),
    ("E-4", dict(first_name="Farid", last_name="Rahimi", date_of_birth=date(1968, 2, 2), gender="non_binary",
                 nationality="stateless", entry_date=date(2024, 5, 1), labour_status_at_entry="unemployed",
                 unemployed_since=date(2023, 4, 1)),
     dict(enrolments=[dict(status="active", start_date=date(2024, 5, 2))],
          placements=[dict(type="self_employment", start_date=date(2024, 9, 1))])),
]


def _workbook(measure_title):
    sheets = {"participants": [person(ext, **{"unemployed_since": None, **master}) for ext, master, _h in PEOPLE]}
    for ext, _m, history in PEOPLE:
        for kind, rows in history.items():
            for row in rows:
                row = {**row, "external_id": ext}
                if kind == "enrolments":
                    row["measure"] = measure_title
                sheets.setdefault(kind, []).append(row)
    return xlsx(sheets)


def _iso(row):
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in row.items()}


def _through_the_api(api, measure_id):
    paths = {"status_changes": "status-changes", "certificates": "certificates", "exits": "exit",
             "follow_ups": "follow-ups", "placements": "placements", "enrolments": "enrolments"}
    for _ext, master, history in PEOPLE:
        r = api.post("/participants", json={**_iso(master), "confirm_not_duplicate": True})
        assert r.status_code == 201, r.json
        pid = r.json["id"]
        for kind in ("status_changes", "enrolments", "placements", "certificates", "exits", "follow_ups"):
            for row in history.get(kind, []):
                body = _iso(row)
                if kind == "enrolments":
                    body["measure_id"] = measure_id
                r = api.post(f"/participants/{pid}/{paths[kind]}", json=body)
                assert r.status_code in (200, 201), (kind, r.json)


def test_esf_report_over_an_imported_history_equals_the_one_entered_through_the_api(api_as, team_lead, org, other_org):
    other_lead = UserFactory(role="team_lead", organisation=other_org, email="lead@bruecke.example")
    MeasureFactory(organisation=org, title="Jobmatching")
    other_measure = MeasureFactory(organisation=other_org, title="Jobmatching")

    r = api_as(team_lead).post("/imports", data={"file": (io.BytesIO(_workbook("Jobmatching")), "programm.xlsx"),
                                                 "dry_run": "false"}, content_type="multipart/form-data")
    assert r.status_code == 201 and r.json["status"] == "imported", r.json["errors"]
    _through_the_api(api_as(other_lead), other_measure.id)

    query = "/reports/esf?from=2024-01-01&to=2025-12-31"
    imported = api_as(team_lead).get(query + f"&organisation_id={org.id}").json
    entered = api_as(other_lead).get(query + f"&organisation_id={other_org.id}").json
    assert imported["outputs"]["total"]["total"] == 4
    assert imported["outputs"] == entered["outputs"]
    assert imported["results"] == entered["results"]


# --- API -----------------------------------------------------------------------------------------------

def _post(api, content, name="f.xlsx", **form):
    return api.post("/imports", data={"file": (io.BytesIO(content), name), **form}, content_type="multipart/form-data")


def test_api_dry_run_then_import_then_undo(api_as, team_lead):
    api = api_as(team_lead)
    content = xlsx({"participants": [person("A-1"), person("A-2", first_name="", last_name="X")]})
    r = _post(api, content)
    assert r.status_code == 201
    body = r.json
    assert body["status"] == "checked" and body["counts"] == {"created": 1, "updated": 0, "unchanged": 0, "errors": 1}
    assert body["errors"][0] == {"sheet": "Participants", "row": 3, "column": "First name",
                                 "message": body["errors"][0]["message"], "external_id": "A-2"}
    assert api.get(f"/imports/{body['id']}").json == body

    failed = _post(api, content, dry_run="false").json
    assert failed["status"] == "failed" and db.session.scalar(sa.select(sa.func.count()).select_from(Participant)) == 0

    good = _post(api, xlsx({"participants": [person("A-1")]}), dry_run="false").json
    assert good["status"] == "imported" and good["counts"]["created"] == 1 and good["undoable"] is True
    undone = api.post(f"/imports/{good['id']}/undo")
    assert undone.status_code == 200 and undone.json["status"] == "undone"
    assert api.post(f"/imports/{good['id']}/undo").status_code == 409


def test_api_refuses_other_roles_other_organisations_and_bad_files(api_as, team_lead, counsellor, other_org, app):
    assert _post(api_as(counsellor), xlsx({"participants": [person()]})).status_code == 403
    mine = _post(api_as(team_lead), xlsx({"participants": [person()]})).json
    stranger = UserFactory(role="team_lead", organisation=other_org, email="x@other.example")
    assert api_as(stranger).get(f"/imports/{mine['id']}").status_code == 404
    assert api_as(stranger).post(f"/imports/{mine['id']}/undo").status_code == 404
    assert api_as(team_lead).get("/imports/99999999999").status_code == 404
    r = _post(api_as(team_lead), b"%PDF-1.4\x00\x01", name="cv.pdf")
    assert r.status_code == 422 and r.json["error"]["fields"]["file"]
    assert api_as(team_lead).post("/imports", data={}, content_type="multipart/form-data").status_code == 422
    old = app.config["MAX_IMPORT_MB"]
    app.config["MAX_IMPORT_MB"] = 0
    try:
        too_large = _post(api_as(team_lead), b"a,b\n1,2\n", name="x.csv")
    finally:
        app.config["MAX_IMPORT_MB"] = old
    assert too_large.status_code == 413 and too_large.json["error"]["code"] == "too_large"
    doc = api_as(team_lead).get("/openapi.json").json
    assert {"/imports", "/imports/{import_id}", "/imports/{import_id}/undo"} <= set(doc["paths"])


# --- command line -----------------------------------------------------------------------------------------

def test_cli_prints_the_report_and_exits_non_zero_on_errors(app, org, tmp_path):
    runner = app.test_cli_runner()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx({"participants": [person("C-1", gender="robot")]}))
    result = runner.invoke(args=["participants", "import", str(bad), "--org", org.name])
    assert result.exit_code != 0
    rows = [line for line in result.output.splitlines() if line.startswith("Participants, ")]
    assert len(rows) == 1 and "Gender" in rows[0], result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Participant)) == 0

    good = tmp_path / "good.xlsx"
    good.write_bytes(xlsx({"participants": [person("C-1")]}))
    dry = runner.invoke(args=["participants", "import", str(good), "--dry-run", "--org", org.name])
    assert dry.exit_code == 0, dry.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Participant)) == 0
    done = runner.invoke(args=["participants", "import", str(good), "--org", org.name])
    assert done.exit_code == 0, done.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Participant)) == 1
    batch = db.session.scalars(sa.select(ImportBatch).order_by(ImportBatch.id.desc())).first()
    assert batch.status == "imported" and batch.created_by_id is None
    missing = runner.invoke(args=["participants", "import", str(good), "--org", "Nobody e.V."])
    assert missing.exit_code != 0


@pytest.mark.parametrize("lang", ["de", "en"])
def test_template_download_is_for_team_leads(client, auth, team_lead, counsellor, lang):
    auth.login(counsellor)
    assert client.get(f"/imports/template-{lang}.xlsx").status_code == 403
    auth.logout()
    auth.login(team_lead)
    r = client.get(f"/imports/template-{lang}.xlsx")
    assert r.status_code == 200 and r.data[:2] == b"PK"
