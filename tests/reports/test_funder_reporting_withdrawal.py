"""Issue 17, item 6: withdrawing the `funder_reporting` consent through the consent service keeps
the person out of the participant-level monitoring export (every format), leaves the aggregates as
they were, and the case file says so."""
from __future__ import annotations

from datetime import date

from caseflow.privacy.services import ConsentData, record_consent, withdraw_consent
from caseflow.reports import monitoring as m

MONITORING = "/reports/monitoring?from=2024-01-01&to=2024-12-31"


def test_withdrawal_leaves_the_export_and_is_shown_on_the_case(api_as, team_lead, counsellor, history, client, auth):
    stays = history.participant(gender="male", entry_date=date(2024, 2, 1), education_isced=3)
    leaves = history.participant(gender="female", entry_date=date(2024, 3, 1), education_isced=3,
                                 counsellor_id=counsellor.id)
    consent = record_consent(leaves.id, ConsentData(purpose="funder_reporting", given_on=date(2024, 3, 1),
                                                    form="written", notice_version="2024-1", notice_language="de"),
                             actor=counsellor)
    api = api_as(team_lead)
    pseudonym = m.pseudonym("monitoring", leaves.organisation_id, leaves.id)
    before = api.get(MONITORING + "&format=json").json["records"]
    assert pseudonym in {r["pseudonym"] for r in before}
    esf_before = api.get("/reports/esf?from=2024-01-01&to=2024-12-31").json

    withdraw_consent(consent.id, date(2024, 9, 1), actor=counsellor)

    records = api.get(MONITORING + "&format=json&include_incomplete=true").json["records"]
    assert {r["pseudonym"] for r in records} == {m.pseudonym("monitoring", stays.organisation_id, stays.id)}
    assert pseudonym not in api.get(MONITORING + "&format=csv").get_data(as_text=True)
    assert pseudonym.encode() not in api.get(MONITORING + "&format=xml").data
    # the aggregated report still counts the person (the regulation requires the aggregates)
    assert api.get("/reports/esf?from=2024-01-01&to=2024-12-31").json == esf_before

    auth.login(counsellor)
    section = client.get(f"/participants/{leaves.id}/data-protection").get_data(as_text=True)
    assert "widerrufen" in section and "01.09.2024" in section
    assert "Aus teilnehmendenbezogenen Exporten herausgenommen" in section
    header = client.get(f"/participants/{leaves.id}").get_data(as_text=True)
    assert "aus teilnehmendenbezogenen Exporten herausgenommen" in header
