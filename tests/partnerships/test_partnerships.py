"""Partnerships: the command, the admin page, dated memberships, the partners' measure catalogue."""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from caseflow.extensions import db
from caseflow.partnerships import services
from caseflow.partnerships.models import Partnership, PartnershipMembership
from tests.factories import EnrolmentFactory, MeasureFactory, OrganisationFactory, ParticipantFactory


def test_cli_creates_a_partnership(app, org, other_org):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["partnerships", "create", "ProIntegration", "--org", org.name, "--org", other_org.name])
    assert result.exit_code == 0, result.output
    partnership = db.session.scalar(sa.select(Partnership))
    assert partnership.name == "ProIntegration"
    assert {m.organisation_id for m in db.session.scalars(sa.select(PartnershipMembership))} == {org.id, other_org.id}


def test_cli_fails_cleanly(app, org):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["partnerships", "create", "P", "--org", org.name, "--org", "Nobody e.V."])
    assert result.exit_code != 0 and "Nobody e.V." in result.output
    result = runner.invoke(args=["partnerships", "create", "P", "--org", org.name])
    assert result.exit_code != 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Partnership)) == 0


def test_memberships_are_dated(partnership, org, other_org):
    assert [o.id for o in services.partner_organisations(org.id)] == [other_org.id]
    services.end_membership(partnership.id, other_org.id, date.today() - timedelta(days=1))
    assert services.partner_organisations(org.id) == []
    assert [o.id for o in services.partner_organisations(org.id, date.today() - timedelta(days=2))] == [other_org.id]
    # An organisation may belong to several partnerships.
    third = OrganisationFactory(name="Dritte gGmbH")
    services.create_partnership("Second", [org.id, third.id])
    assert [o.name for o in services.partner_organisations(org.id)] == ["Dritte gGmbH"]


def test_catalogue_shows_the_partners_measures_and_never_participants(partnership, counsellor, partner_measure,
                                                                      other_org, api_as):
    ParticipantFactory.reset_sequence()
    person = ParticipantFactory(organisation=other_org, first_name="Verborgen", last_name="Geheimnis")
    EnrolmentFactory(participant=person, measure=partner_measure, status="active")
    MeasureFactory(organisation=other_org, title="Past", start_date=date(2020, 1, 1), end_date=date(2020, 6, 30))
    MeasureFactory(organisation=OrganisationFactory(name="Fremd"), title="Not a partner's",
                   end_date=date(2099, 1, 1))
    items = api_as(counsellor).get("/partner-measures").json["items"]
    assert [(i["title"], i["free_places"], i["location"]) for i in items] == [
        ("Gründungscoaching", 11, "Spandau, Carl-Schurz-Str. 8")]
    assert set(items[0]) == {"id", "organisation_id", "organisation", "title", "type", "start_date", "end_date",
                             "location", "free_places"}


def test_admin_page_creates_a_partnership(client, auth, admin, org, other_org):
    auth.login(admin)
    page = client.get("/admin/partnerships")
    assert page.status_code == 200
    token = auth.csrf_token("/admin/partnerships")
    r = client.post("/admin/partnerships", data={"csrf_token": token, "name": "Only one",
                                                 "organisation_ids": [str(org.id)]})
    assert r.status_code == 200 and "mindestens zwei Organisationen" in r.get_data(as_text=True)
    r = client.post("/admin/partnerships", data={"csrf_token": token, "name": "ProIntegration",
                                                 "organisation_ids": [str(org.id), str(other_org.id)]})
    assert r.status_code == 302
    assert "ProIntegration" in client.get("/admin/partnerships").get_data(as_text=True)


def test_admin_page_is_for_admins_only(client, auth, team_lead):
    auth.login(team_lead)
    assert client.get("/admin/partnerships").status_code == 403


def test_cli_links_a_coordinator_to_a_partnership(app, partnership, counsellor):
    from caseflow.partnerships.models import PartnershipCoordinator
    from tests.factories import UserFactory
    coordinator = UserFactory(role="coordinator", organisation=None, email="koordination@prointegration.example")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["partnerships", "coordinator", "ProIntegration", "Koordination@ProIntegration.example"])
    assert result.exit_code == 0, result.output
    assert [(c.partnership_id, c.user_id) for c in db.session.scalars(sa.select(PartnershipCoordinator))] == [
        (partnership.id, coordinator.id)]
    # only an account of the coordinator role; an unknown partnership fails cleanly
    result = runner.invoke(args=["partnerships", "coordinator", "ProIntegration", counsellor.email])
    assert result.exit_code != 0
    result = runner.invoke(args=["partnerships", "coordinator", "Nobody", coordinator.email])
    assert result.exit_code != 0 and "Nobody" in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PartnershipCoordinator)) == 1
