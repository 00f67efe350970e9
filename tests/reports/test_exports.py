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


def _header_row(values, first: str) -> int:
    return next(i for i, v in enumerate(values) if v and v[0] == first)


def test_esf_csv_and_xlsx_in_english(client, auth, team_lead, evil):
    set_locale(team_lead, "en")
    auth.login(team_lead)
    response = client.get(f"/reports/esf.csv?{PERIOD}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith("\ufeff".encode())
    rows = read_csv(response)
    assert rows[0][0].startswith("Output indicators")
    assert not rows[0][0].startswith(("=", "+", "-", "@"))  # the organisation's name is inside the line
    assert rows[1] == ["Indicator", "Female", "Male", "Non-binary", "Total"]  # no raw codes
    total = next(r for r in rows if r and r[0] == "All participants")
    assert total[1:] == ["1", "0", "0", "1"]
    assert not any("long_term_unemployed" in c for r in rows for c in r)
    book = load_workbook(io.BytesIO(client.get(f"/reports/esf.xlsx?{PERIOD}").data))
    sheet = book.worksheets[0]
    values = list(sheet.values)
    h = _header_row(values, "Indicator")
    assert list(values[h])[:5] == ["Indicator", "Female", "Male", "Non-binary", "Total"]
    assert next(v for v in values if v[0] == "All participants")[1:5] == (1, 0, 0, 1)
    assert [ws.title for ws in book.worksheets] == ["Output indicators", "Result indicators"]


def test_xlsx_header_number_formats_and_print_setup(client, auth, team_lead, evil):
    set_locale(team_lead, "en")
    auth.login(team_lead)
    book = load_workbook(io.BytesIO(client.get(f"/reports/esf.xlsx?{PERIOD}&ltu_rule=de").data))
    sheet = book["Output indicators"]
    values = list(sheet.values)
    assert values[0][0] == "ESF+ common indicators"
    assert values[1][0] == "Period: Jan 1, 2024 to Dec 31, 2024"
    assert values[2][0].startswith("Organisation: ")
    assert values[3][0].startswith("Long-term unemployment rule: de")
    h = _header_row(values, "Indicator") + 1  # 1-based row of the column headers
    assert sheet.freeze_panes == f"A{h + 1}"
    assert sheet.print_title_rows == f"${h}:${h}"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert sheet.cell(row=h + 1, column=2).number_format == "#,##0"
    assert sheet.column_dimensions["A"].width > 20
    placements = load_workbook(io.BytesIO(client.get(f"/reports/placements.xlsx?{PERIOD}").data))
    summary = placements["Summary"]
    rate = next(row for row in summary.iter_rows() if row[0].value == "Placement rate")
    assert rate[1].value == 0.0 and rate[1].number_format == "0.0%"
    entered = next(row for row in summary.iter_rows() if row[0].value == "Entered in the period")
    assert entered[1].number_format == "#,##0"


def test_german_csv_uses_semicolons_decimal_commas_and_a_bom(client, auth, team_lead, evil):
    set_locale(team_lead, "de")
    auth.login(team_lead)
    data = client.get(f"/reports/placements.csv?{PERIOD}").data
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[1] == ["Kennzahl", "Wert"]
    rate = next(r for r in rows if r and r[0] == "Vermittlungsquote")
    assert rate[1] == "0,0 %"
    assert all(len(r) in (0, 1, 2) for r in rows[:12])  # opens as columns: no comma-joined rows


def test_every_download_is_audited(client, auth, team_lead, evil):
    import sqlalchemy as sa

    from caseflow.audit.models import AuditEntry
    auth.login(team_lead)
    for path in (f"/reports/esf.csv?{PERIOD}", f"/reports/esf.xlsx?{PERIOD}", f"/reports/placements.csv?{PERIOD}",
                 "/reports/completeness.xlsx"):
        assert client.get(path).status_code == 200
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "report.download")
                                 .order_by(AuditEntry.id)).all()
    assert [(e.changes["report"][1], e.changes["format"][1]) for e in entries] == [
        ("esf", "csv"), ("esf", "xlsx"), ("placements", "csv"), ("completeness", "xlsx")]
    assert all(e.actor_id == team_lead.id for e in entries)
    assert entries[0].changes["parameters"][1] == {"from": "2024-01-01", "to": "2024-12-31"}
    assert entries[3].changes["rows"] == [None, 1]


def test_headers_follow_the_users_language(client, auth, team_lead, evil):
    set_locale(team_lead, "de")
    auth.login(team_lead)
    rows = list(csv.reader(io.StringIO(client.get(f"/reports/esf.csv?{PERIOD}").data.decode("utf-8-sig")),
                           delimiter=";"))
    assert rows[1] == ["Indikator", "Weiblich", "Männlich", "Divers", "Gesamt"]
    values = list(read_xlsx(client.get(f"/reports/placements.xlsx?{PERIOD}")).worksheets[0].values)
    assert ("Kennzahl", "Wert") in [tuple(v[:2]) for v in values]


def test_placement_export_neutralises_and_reads_back(client, auth, analyst, evil):
    set_locale(analyst, "en")
    auth.login(analyst)
    rows = read_csv(client.get(f"/reports/placements.csv?{PERIOD}&group_by=organisation"))
    org_rows = [r for r in rows if r and "HYPERLINK" in r[0]]
    assert org_rows and all(r[0].startswith("'=") for r in org_rows)
    assert org_rows[0][1:5] == ["< 5"] * 4  # one participant: a small cell for analysts
    book = read_xlsx(client.get(f"/reports/placements.xlsx?{PERIOD}"))
    names = [ws.title for ws in book.worksheets]
    assert names[:2] == ["Summary", "Placements by type"] and names[-1] == "Monthly trend"
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
    h = _header_row(values, "Case number")
    assert values[h + 1][1] == "'@SUM(1+1) -2+3"
    assert values[h + 1][2] == "yes"


def test_analysts_cannot_export_names(client, auth, analyst, evil):
    auth.login(analyst)
    assert client.get("/reports/completeness.csv").status_code == 403


@pytest.mark.parametrize("locale", ["de", "en"])
def test_sheet_names_are_whole_words_in_both_languages(client, auth, analyst, evil, locale):
    """Excel cuts a sheet name at 31 characters: every table's sheet name fits without being cut
    (a long title gets its own short sheet name; the full title stays in the header block)."""
    set_locale(analyst, locale)
    auth.login(analyst)
    book = read_xlsx(client.get(f"/reports/placements.xlsx?{PERIOD}"))
    names = [ws.title for ws in book.worksheets]
    assert len(names) > 5 and all(len(n) <= 31 and "…" not in n and "  " not in n for n in names)
    main = "Häufigste Staatsangehörigkeiten" if locale == "de" else "Main nationalities"
    assert main in names


def test_a_completeness_list_longer_than_a_download_says_so_in_the_file_and_on_the_page(
        client, auth, team_lead, history, monkeypatch):
    """A download holds at most spreadsheets.EXPORT_LIMIT participants, the first by case number:
    a longer list says so in the file and on the page (it used to end silently at 10,000)."""
    from caseflow import spreadsheets
    monkeypatch.setattr(spreadsheets, "EXPORT_LIMIT", 2)
    set_locale(team_lead, "en")
    auth.login(team_lead)
    people = [history.participant(education_isced=None) for _ in range(3)]
    rows = read_csv(client.get("/reports/completeness.csv"))
    assert "The first 2 of 3 participants, by case number." in rows[0][0]
    listed = [r[0] for r in rows[2:] if r]
    assert listed == sorted(p.case_number for p in people)[:2]
    book = read_xlsx(client.get("/reports/completeness.xlsx"))
    cells = [c for row in book.worksheets[0].values for c in row if isinstance(c, str)]
    assert any("The first 2 of 3 participants" in c for c in cells)
    page = client.get("/reports/completeness").get_data(as_text=True)
    assert "A download holds the first 2 participants of this list" in page
    # narrowed to a list that fits, the file and the page say nothing of it
    history.participant(education_isced=3, unemployed_since=None)
    rows = read_csv(client.get("/reports/completeness.csv?issue=unemployed_without_start"))
    assert "The first" not in rows[0][0] and len([r for r in rows[2:] if r]) == 1
    assert "A download holds" not in client.get(
        "/reports/completeness?issue=unemployed_without_start").get_data(as_text=True)
