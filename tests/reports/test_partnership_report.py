"""The partnership's ESF+ report (issue 17, item 5): a person whose cases are linked by accepted
referrals is counted once, with the first entry and the final exit across the partnership; each
organisation's own report stays as it was; who may run it (analysts, admins, the partnership's
coordinators)."""
from __future__ import annotations

from datetime import date

import pytest

from caseflow.extensions import db
from caseflow.participants.models import Participant
from caseflow.partnerships import services
from caseflow.partnerships.models import PartnershipCoordinator, Referral
from tests.factories import OrganisationFactory, UserFactory
from tests.reports.conftest import History

ESF = "/reports/esf?from=2024-01-01&to=2024-12-31"


def link(partnership, source, opened):
    db.session.add(Referral(partnership_id=partnership.id, participant_id=source.id,
                            from_organisation_id=source.organisation_id, to_organisation_id=opened.organisation_id,
                            reason="Onward coaching", status="accepted", accepted_participant_id=opened.id))
    db.session.commit()


@pytest.fixture
def partnership(org, other_org):
    return services.create_partnership("ProIntegration", [org.id, other_org.id], joined_on=date(2023, 1, 1))


@pytest.fixture
def people(history, other_history, partnership):
    """X: A1 (entry 2024-02-01, certificate) → B1 (exit 2024-09-30, employed 10 days later);
    Y: only A2; Z: A3 (entry 2023-11-01) → B2 (entry 2024-02-01, still active);
    W: A4 (exited 2024-04-30) → B3 (still active); an organisation outside the partnership."""
    h, o = history, other_history
    a1 = h.participant(gender="female", entry_date=date(2024, 2, 1), unemployed_since=date(2023, 6, 1))
    h.certificate(a1, date(2024, 4, 1))
    h.exit(a1, date(2024, 5, 31))
    b1 = o.participant(gender="female", entry_date=date(2024, 6, 3), unemployed_since=date(2023, 6, 1))
    h.exit(b1, date(2024, 9, 30))
    o.status(b1, date(2024, 10, 10), "employed")
    h.participant(gender="male", entry_date=date(2024, 3, 1))  # Y: one case only
    a3 = h.participant(gender="male", entry_date=date(2023, 11, 1), unemployed_since=date(2023, 1, 1))
    h.exit(a3, date(2024, 1, 31))
    b2 = o.participant(gender="male", entry_date=date(2024, 2, 1))
    a4 = h.participant(gender="non_binary", entry_date=date(2024, 1, 15))
    h.exit(a4, date(2024, 4, 30))
    b3 = o.participant(gender="non_binary", entry_date=date(2024, 5, 2))
    History(OrganisationFactory(name="Außen e.V.")).participant(gender="female", entry_date=date(2024, 2, 1))
    return {"links": [(a1, b1), (a3, b2), (a4, b3)], "x": (a1, b1)}


def test_linked_person_counted_once_with_first_entry_and_final_exit(api_as, analyst, team_lead, other_counsellor,
                                                                     partnership, people):
    own_before = (api_as(team_lead).get(ESF).json, api_as(other_counsellor).get(ESF).json)
    for source, opened in people["links"]:
        link(partnership, source, opened)
    # each organisation's own report is unchanged by the links
    assert (api_as(team_lead).get(ESF).json, api_as(other_counsellor).get(ESF).json) == own_before
    assert own_before[0]["outputs"]["total"]["total"] == 3 and own_before[1]["outputs"]["total"]["total"] == 3

    r = api_as(analyst).get(ESF + f"&partnership_id={partnership.id}")
    assert r.status_code == 200, r.json
    body = r.json
    assert body["partnership_id"] == partnership.id and body["organisation_id"] is None
    # outputs: X (first entry 2024-02-01 in A), Y, W; Z's first entry (2023-11-01) lies before the period
    assert body["outputs"]["total"] == {"female": 1, "male": 1, "non_binary": 1, "total": 3}
    assert body["outputs"]["unemployed"]["total"] == 3
    # results: only X has a final exit (2024-09-30 in B): employed upon leaving from B's history,
    # with the status at entry from A, and the qualification gained in A
    assert body["results"]["employed_upon_leaving"] == {"female": 1, "male": 0, "non_binary": 0, "total": 1}
    assert body["results"]["qualification_upon_leaving"]["total"] == 1
    # the organisations' own reports, added, count X twice and read each case alone
    a, b = own_before
    assert a["results"]["employed_upon_leaving"]["total"] == 0 and b["results"]["employed_upon_leaving"]["total"] == 1
    assert a["results"]["qualification_upon_leaving"]["total"] == 1


def test_without_links_the_partnership_report_is_the_sum_of_its_members(api_as, analyst, team_lead,
                                                                        other_counsellor, partnership, people):
    own = [api_as(u).get(ESF).json["outputs"]["total"]["total"] for u in (team_lead, other_counsellor)]
    body = api_as(analyst).get(ESF + f"&partnership_id={partnership.id}").json
    assert body["outputs"]["total"]["total"] == sum(own) == 6


def test_who_may_run_the_partnership_report(api_as, analyst, counsellor, partnership, people, client, auth):
    coordinator = UserFactory(role="coordinator", organisation=None, email="koordination@prointegration.example")
    db.session.add(PartnershipCoordinator(partnership_id=partnership.id, user_id=coordinator.id))
    db.session.commit()
    other = services.create_partnership("Andere", [OrganisationFactory().id, OrganisationFactory().id])
    api = api_as(coordinator)
    mine = api.get(ESF + f"&partnership_id={partnership.id}")
    assert mine.status_code == 200 and mine.json["outputs"]["total"]["total"] == 6
    assert api.get(ESF).json["partnership_id"] == partnership.id  # default: their partnership
    assert api.get(ESF + f"&partnership_id={other.id}").status_code == 404
    r = api.get(ESF + f"&partnership_id={partnership.id}&organisation_id={partnership.id}")
    assert r.status_code == 422 and "organisation_id" in r.json["error"]["fields"]
    assert api.get("/reports/placements?from=2024-01-01&to=2024-12-31").status_code == 403
    assert api.get("/participants").status_code == 403
    assert api_as(counsellor).get(ESF + f"&partnership_id={partnership.id}").status_code == 403
    assert api_as(analyst).get(ESF + "&partnership_id=999999").status_code == 404
    assert api_as(analyst).get(ESF + f"&partnership_id={other.id}").status_code == 200

    auth.login(coordinator)
    landing = client.get("/")
    assert landing.headers["Location"].endswith("/reports/esf")
    page = client.get("/reports/esf?from=2024-01-01&to=2024-12-31")
    assert page.status_code == 200 and "ProIntegration" in page.get_data(as_text=True)
    assert client.get("/reports/placements").status_code == 403


def test_minimum_participation_counts_the_hours_of_all_linked_cases(api_as, analyst, partnership, people):
    """With min_hours, a person counts when their cases together reach it: X has 5 h in A1 and 5 h
    in B1 (10 h ≥ 8 h) and stays; Y's 5 h and W's none fall below, and so does Z."""
    from caseflow.participants.models import Note

    for source, opened in people["links"]:
        link(partnership, source, opened)
    a1, b1 = people["x"]
    y = db.session.scalar(db.select(Participant).where(Participant.gender == "male",
                                                        Participant.entry_date == date(2024, 3, 1)))
    for case in (a1, b1, y):
        db.session.add(Note(participant_id=case.id, date=date(2024, 6, 5), kind="meeting", text="x", minutes=300))
    db.session.commit()
    base = ESF + f"&partnership_id={partnership.id}"
    everyone = api_as(analyst).get(base + "&min_hours=0").json
    assert everyone["outputs"]["total"]["total"] == 3
    body = api_as(analyst).get(base + "&min_hours=8").json
    assert body["min_hours"] == 8
    assert body["outputs"]["total"] == {"female": 1, "male": 0, "non_binary": 0, "total": 1}  # X only
    assert body["results"]["employed_upon_leaving"]["total"] == 1  # X's final exit, employed
    # 10 h is not 11 h: X falls below as well
    assert api_as(analyst).get(base + "&min_hours=11").json["outputs"]["total"]["total"] == 0
