"""Issue 18, item 1: "declined to answer" for disability, minority, foreign background and
homelessness — through the API (booleans and the three strings), the form, the case file, the
ESF+ report (only "yes" counts) and the completeness report (declined shown separately)."""
from __future__ import annotations

from datetime import date

from caseflow.extensions import db
from caseflow.participants.models import Participant
from caseflow.reports import queries as q
from caseflow.reports import services
from tests.participants.conftest import valid_data
from tests.participants.test_web import post_form, registration_form

ESF = "/reports/esf?from=2025-01-01&to=2025-12-31"


def test_api_accepts_booleans_and_the_three_values(api_as, counsellor):
    api = api_as(counsellor)
    r = api.post("/participants", json=valid_data(foreign_background=False, homeless="declined", minority="declined",
                                                  disability="declined"))
    assert r.status_code == 201, r.json
    assert {k: r.json[k] for k in ("foreign_background", "homeless", "minority", "disability")} == {
        "foreign_background": "no", "homeless": "declined", "minority": "declined", "disability": "declined"}
    p = db.session.get(Participant, r.json["id"])
    assert (p.homeless, p.minority, p.disability) == ("declined", "declined", "declined")  # no consent needed
    patched = api.patch(f"/participants/{p.id}", json={"version": 1, "homeless": True, "foreign_background": "yes"})
    assert patched.status_code == 200, patched.json
    assert (patched.json["homeless"], patched.json["foreign_background"]) == ("yes", "yes")
    # "yes" on a special category still needs the consent date
    refused = api.patch(f"/participants/{p.id}", json={"version": 2, "minority": "yes"})
    assert refused.status_code == 422 and "minority" in refused.json["error"]["fields"]
    for bad in ("maybe", 1, "true", None):
        r = api.patch(f"/participants/{p.id}", json={"version": 2, "homeless": bad})
        assert r.status_code == 422 and "homeless" in r.json["error"]["fields"], bad
    db.session.expire_all()
    assert db.session.get(Participant, p.id).homeless == "yes"


def test_openapi_documents_the_three_values(api_as, counsellor):
    spec = api_as(counsellor).get("/openapi.json").json
    prop = spec["components"]["schemas"]["Participant"]["properties"]["homeless"]
    assert prop["enum"] == ["yes", "no", "declined"]


def test_form_and_case_file_show_declined(client, auth, counsellor):
    auth.login(counsellor)
    r = post_form(client, auth, "/participants/new", registration_form(homeless="declined", minority="declined"))
    assert r.status_code == 302, r.get_data(as_text=True)[:500]
    p = db.session.query(Participant).one()
    assert (p.homeless, p.minority, p.disability) == ("declined", "declined", "no")
    html = client.get(f"/participants/{p.id}/master-data").get_data(as_text=True)
    assert "keine Angabe gewünscht" in html  # "declined to answer" (German is the default locale)
    edit = client.get(f"/participants/{p.id}/edit").get_data(as_text=True)
    assert '<option selected value="declined">' in edit or 'value="declined" selected' in edit


def test_esf_counts_only_yes_and_completeness_shows_declined(history, team_lead, counsellor, api_as):
    yes = history.participant(gender="female", entry_date=date(2025, 2, 1), homeless="yes", disability="yes",
                              special_categories_consent_date=date(2025, 1, 1))
    declined = history.participant(gender="female", entry_date=date(2025, 2, 1), homeless="declined",
                                   disability="declined", minority="declined", foreign_background="declined")
    history.participant(gender="male", entry_date=date(2025, 2, 1))
    outputs = api_as(team_lead).get(ESF).json["outputs"]
    for key in ("homeless", "disability"):
        assert outputs[key]["total"] == 1 and outputs[key]["female"] == 1, key
    assert outputs["minority"]["total"] == 0 and outputs["foreign_background"]["total"] == 0
    report = services.completeness_report(actor=counsellor, page=1, per_page=50, issue="declined_answer",
                                          today=date(2025, 6, 1))
    assert [r.case_number for r in report["items"]] == [declined.case_number]
    assert report["counts"]["declined_answer"] == 1
    assert yes.case_number not in [r.case_number for r in report["items"]]
    assert "declined_answer" in q.COMPLETENESS_ISSUES
