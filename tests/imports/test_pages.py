"""The import pages: upload, check result, mapping, import, undo; team leads only."""
import io
import re

import openpyxl
import sqlalchemy as sa

from caseflow.database import unit_of_work
from caseflow.extensions import db
from caseflow.imports.models import ImportBatch
from caseflow.participants.models import Participant
from tests.imports.conftest import person, xlsx


def _token(html):
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def _upload(client, content, name="liste.xlsx"):
    token = _token(client.get("/imports").get_data(as_text=True))
    return client.post("/imports", data={"csrf_token": token, "file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data")


def test_only_team_leads_see_the_import(client, auth, counsellor, team_lead):
    auth.login(counsellor)
    assert client.get("/imports").status_code == 403
    auth.logout()
    auth.login(team_lead)
    page = client.get("/imports").get_data(as_text=True)
    assert "template-de.xlsx" in page and "template-en.xlsx" in page
    assert 'href="/imports"' in client.get("/").get_data(as_text=True) or "/imports" in page


def test_upload_check_errors_import_and_undo(client, auth, team_lead):
    auth.login(team_lead)
    r = _upload(client, xlsx({"participants": [person("W-1"), person("W-2", first_name="", last_name="Y",
                                                                        date_of_birth="1.1.1980")]}))
    assert r.status_code == 302
    url = r.headers["Location"]
    page = client.get(url).get_data(as_text=True)
    assert "Participants" in page and "First name" in page and "<td class=\"num\" data-label=\"Zeile\">3</td>" in page
    assert "Import now" not in page and "Jetzt importieren" not in page  # not a clean check
    batch = db.session.scalars(sa.select(ImportBatch)).one()
    token = _token(page)
    refused = client.post(f"/imports/{batch.id}/import", data={"csrf_token": token})
    assert refused.status_code == 302 and db.session.scalar(sa.select(sa.func.count()).select_from(Participant)) == 0

    # skip the bad row: check again with that choice, then import
    client.post(f"/imports/{batch.id}/check", data={"csrf_token": token, "skip_invalid": "y"})
    page = client.get(url).get_data(as_text=True)
    assert "Import now" in page or "Jetzt importieren" in page
    client.post(f"/imports/{batch.id}/import", data={"csrf_token": _token(page), "skip_invalid": "y"})
    db.session.expire_all()
    assert db.session.get(ImportBatch, batch.id).status == "imported"
    assert db.session.scalars(sa.select(Participant.first_name)).all() == ["Amira"]
    page = client.get(url).get_data(as_text=True)
    client.post(f"/imports/{batch.id}/undo", data={"csrf_token": _token(page)})
    db.session.expire_all()
    assert db.session.get(ImportBatch, batch.id).status == "undone"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Participant)) == 0


def test_mapping_step_and_progress_refresh(client, auth, team_lead):
    auth.login(team_lead)
    wb = openpyxl.load_workbook(io.BytesIO(xlsx({"participants": [person()]})))
    wb["Participants"]["B1"] = "Rufname"
    out = io.BytesIO()
    wb.save(out)
    url = _upload(client, out.getvalue()).headers["Location"]
    page = client.get(url).get_data(as_text=True)
    assert "Rufname" in page and 'name="h0"' in page
    client.post(url + "/mapping", data={"csrf_token": _token(page), "h0": "first_name"})
    page = client.get(url).get_data(as_text=True)
    assert "Rufname" not in page and ("Import now" in page or "Jetzt importieren" in page)

    batch = db.session.scalars(sa.select(ImportBatch)).one()
    with unit_of_work():
        batch.status, batch.progress_done, batch.progress_total = "running", 300, 1000
    r = client.get(url)
    html = r.get_data(as_text=True)
    assert r.headers.get("Refresh") == "2" and 'role="status"' in html and 'value="300"' in html


def test_error_download_escapes_formulas(client, auth, team_lead):
    auth.login(team_lead)
    wb = openpyxl.load_workbook(io.BytesIO(xlsx({"participants": [person(first_name="")]})))
    wb["Participants"].title = "=SUM(1+1)"
    out = io.BytesIO()
    wb.save(out)
    url = _upload(client, out.getvalue()).headers["Location"]
    csv = client.get(url + "/errors.csv").get_data(as_text=True)
    assert "'=SUM(1+1)" in csv and "\n=SUM" not in csv and ";=SUM" not in csv
