"""Exports: readable back (csv module, openpyxl), headers in the user's language, formulas neutralised."""
from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from caseflow.extensions import db
from caseflow.reports.exports import neutralise

PERIOD = "from=2024-01-01&to=2024-12-31"


@pytest.mark.parametrize("value, expected", [
    ("=SUM(A1)", "'=SUM(A1)"), ("+49 30", "'+49 30"), ("-1", "'-1"), ("@cmd", "'@cmd"),
    ("\tx", "'\tx"), ("\rx", "'\rx"), ("Müller", "Müller"), ("a=b", "a=b"), (-5, -5), (None, None),
])
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def read_xlsx(response):
    return load_workbook(io.BytesIO(response.data), read_only=True)


@pytest.fixture
def evil(org, history):
    """A data set whose texts would be formulas in a spreadsheet."""
    org.name = "=HYPERLINK(\"http://evil.example\")"
    db.session.commit()
    p = history.participant(entry_date=date(2024, 3, 1), first_name="@SUM(1+1)", last_name="-2+3",
                            education_isced=None, gender="female")
    history.exit(p, date(2024, 4, 1))
    return p


def set_locale(user, code):
    user.locale = code
    db.session.commit()


def test_esf_csv_and_xlsx_in_english(client, auth, team_lead, evil):
    set_locale(team_lead, "en")
    auth.login(team_lead)
    response = client.get(f"/reports/esf.csv?{PERIOD}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0][0].startswith("Output indicators")
    assert "'=HYPERLINK" in rows[0][0] or "=HYPERLINK" not in rows[0][0].split(" – ")[0]
    assert rows[1] == ["Indicator", "Key", "Female", "Male", "Non-binary", "Total"]
    total = next(r for r in rows if len(r) > 1 and r[1] == "total")
    assert total[2:] == ["1", "0", "0", "1"]
    book = read_xlsx(client.get(f"/reports/esf.xlsx?{PERIOD}"))
    sheet = book.worksheets[0]
    values = list(sheet.values)
    assert list(values[0]) == ["Indicator", "Key", "Female", "Male", "Non-binary", "Total"]
    assert next(v for v in values if v[1] == "total")[2:] == (1, 0, 0, 1)
    assert len(book.worksheets) == 2


def test_headers_follow_the_users_language(client, auth, team_lead, evil):
    set_locale(team_lead, "de")
    auth.login(team_lead)
    rows = read_csv(client.get(f"/reports/esf.csv?{PERIOD}"))
    assert rows[1] == ["Indikator", "Schlüssel", "Weiblich", "Männlich", "Divers", "Gesamt"]
    values = list(read_xlsx(client.get(f"/reports/placements.xlsx?{PERIOD}")).worksheets[0].values)
    assert list(values[0]) == ["Kennzahl", "Wert"]


def test_placement_export_neutralises_and_reads_back(client, auth, analyst, evil):
    set_locale(analyst, "en")
    auth.login(analyst)
    rows = read_csv(client.get(f"/reports/placements.csv?{PERIOD}&group_by=organisation"))
    org_rows = [r for r in rows if r and "HYPERLINK" in r[0]]
    assert org_rows and all(r[0].startswith("'=") for r in org_rows)
    assert org_rows[0][1:5] == ["< 5"] * 4  # one participant: a small cell for analysts
    book = read_xlsx(client.get(f"/reports/placements.xlsx?{PERIOD}"))
    names = [ws.title for ws in book.worksheets]
    assert names[0] == "Summary – Period 2024-01-01 t"[:28].strip() or len(names) == 2 + 8 + 1
    cells = [c for ws in book.worksheets for row in ws.values for c in row if isinstance(c, str)]
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    assert any(c.startswith("'=HYPERLINK") for c in cells)


def test_completeness_export_neutralises_names(client, auth, team_lead, evil):
    set_locale(team_lead, "en")
    auth.login(team_lead)
    rows = read_csv(client.get("/reports/completeness.csv"))
    assert rows[1][:3] == ["Case number", "Name", "No ISCED level"]
    assert rows[2][1] == "'@SUM(1+1) -2+3"
    book = read_xlsx(client.get("/reports/completeness.xlsx"))
    values = list(book.worksheets[0].values)
    assert values[1][1] == "'@SUM(1+1) -2+3"
    assert values[1][2] == "yes"


def test_analysts_cannot_export_names(client, auth, analyst, evil):
    auth.login(analyst)
    assert client.get("/reports/completeness.csv").status_code == 403
