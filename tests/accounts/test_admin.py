"""Administration of organisations and accounts: admins everything, team leads their own
organisation's caseworkers only."""
from __future__ import annotations

import sqlalchemy as sa

from caseflow.accounts.models import Organisation, User
from caseflow.audit.models import AuditEntry
from caseflow.database import unit_of_work
from caseflow.extensions import db
from tests.accounts.conftest import submit_form
from tests.conftest import PASSWORD
from tests.factories import UserFactory

GOOD_PASSWORD = "Amber-Tramline-Kettle-41"
EN = {"headers": {"Accept-Language": "en"}}


def _user(email: str) -> User | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.email == email))


def test_admin_creates_and_renames_an_organisation(client, auth, admin):
    auth.login(admin)
    response = submit_form(client, "/admin/organisations", {"name": "Integrationshaus Wedding e.V."})
    assert response.status_code == 302
    org = db.session.scalar(sa.select(Organisation).where(Organisation.name == "Integrationshaus Wedding e.V."))
    assert org is not None
    response = submit_form(client, f"/admin/organisations/{org.id}", {"name": "Integrationshaus Wedding", "active": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Organisation, org.id).name == "Integrationshaus Wedding"
    actions = set(db.session.scalars(sa.select(AuditEntry.action)))
    assert {"organisation.create", "organisation.update"} <= actions


def test_duplicate_organisation_name_is_refused(client, auth, admin, org):
    auth.login(admin)
    response = submit_form(client, "/admin/organisations", {"name": org.name.upper()}, **EN)
    assert response.status_code == 200
    assert "exists already" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == 1


def test_admin_invites_an_account_of_any_role(client, auth, admin, org, smtp_server):
    auth.login(admin)
    response = submit_form(client, "/staff", {"name": "Nadia Rahimi", "email": "Nadia@Kiezwerk.example",
                                             "role": "analyst", "organisation_id": "", "locale": "en"})
    assert response.status_code == 302
    user = _user("nadia@kiezwerk.example")
    assert user.role == "analyst" and user.organisation_id is None
    assert not user.has_password and user.locale == "en"  # the person chooses it through the link
    actions = db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.actor_id == admin.id)).all()
    assert "user.create" in actions and "user.invite" in actions
    mail = smtp_server.one(to="nadia@kiezwerk.example")
    assert mail.subject == "Your invitation to Caseflow"


def test_account_form_errors_are_shown_and_nothing_is_created(client, auth, admin, org, counsellor):
    auth.login(admin)
    data = {"name": "X", "email": counsellor.email, "role": "counsellor", "organisation_id": str(org.id)}
    duplicate = submit_form(client, "/staff", data, **EN)
    assert "An account with this email exists already." in duplicate.get_data(as_text=True)
    no_org = submit_form(client, "/staff", {**data, "email": "new@kiezwerk.example", "organisation_id": ""}, **EN)
    assert "belong to an organisation" in no_org.get_data(as_text=True)
    assert _user("new@kiezwerk.example") is None


def test_team_lead_sees_and_creates_only_in_own_organisation(client, auth, team_lead, counsellor, other_counsellor):
    auth.login(team_lead)
    page = client.get("/staff").get_data(as_text=True)
    assert counsellor.name in page
    assert other_counsellor.name not in page
    response = submit_form(client, "/staff", {"name": "Lena Vogt", "email": "lena@kiezwerk.example",
                                             "role": "counsellor", "organisation_id": str(team_lead.organisation_id)})
    assert response.status_code == 302
    assert _user("lena@kiezwerk.example").organisation_id == team_lead.organisation_id


def test_team_lead_cannot_open_another_organisations_account(client, auth, team_lead, other_counsellor):
    auth.login(team_lead)
    assert client.get(f"/staff/{other_counsellor.id}").status_code == 404
    response = client.post(f"/staff/{other_counsellor.id}", data={"name": "Hacked", "role": "counsellor",
                                                                "version": "1"})
    assert response.status_code in (400, 404)
    db.session.refresh(other_counsellor)
    assert other_counsellor.name == "Piotr Nowak" and other_counsellor.active


def test_team_lead_cannot_create_admins_or_accounts_elsewhere(client, auth, team_lead, other_org):
    auth.login(team_lead)
    for role, org_id in (("admin", team_lead.organisation_id), ("analyst", team_lead.organisation_id),
                         ("counsellor", other_org.id)):
        response = submit_form(client, "/staff", {"name": "Mallory", "email": f"{role}{org_id}@x.example",
                                                 "role": role, "organisation_id": str(org_id)})
        assert response.status_code == 200
        assert _user(f"{role}{org_id}@x.example") is None


def test_team_lead_cannot_promote_to_admin_or_edit_admins(client, auth, team_lead, counsellor, admin):
    auth.login(team_lead)
    response = submit_form(client, f"/staff/{counsellor.id}", {"role": "admin", "name": counsellor.name})
    assert response.status_code == 200
    assert _user(counsellor.email).role == "counsellor"
    assert client.get(f"/staff/{admin.id}").status_code == 404


def test_service_refuses_team_lead_managing_other_organisations():
    import pytest

    from caseflow.accounts.services import create_user
    from caseflow.errors import Forbidden
    from tests.factories import OrganisationFactory
    home, elsewhere = OrganisationFactory(), OrganisationFactory()
    lead = UserFactory(role="team_lead", organisation=home)
    with pytest.raises(Forbidden):
        create_user(email="a@b.example", name="A", role="counsellor", organisation_id=elsewhere.id,
                    password=GOOD_PASSWORD, actor=lead)
    with pytest.raises(Forbidden):
        create_user(email="a@b.example", name="A", role="admin", organisation_id=home.id,
                    password=GOOD_PASSWORD, actor=lead)


def test_a_counsellor_is_not_deactivated_by_the_plain_form(app, client, auth, team_lead, counsellor):
    # Their cases would be left without a counsellor: the handover page does it (test_handover.py).
    auth.login(team_lead)
    # The browser sends what the page holds (CSRF token and version) plus the edits; the
    # unchecked "active" box is simply absent.
    response = submit_form(client, f"/staff/{counsellor.id}", {"name": counsellor.name, "role": "counsellor",
                                                               "organisation_id": str(counsellor.organisation_id)},
                           **EN)
    assert response.status_code == 200
    assert "Deactivate and hand over" in response.get_data(as_text=True)
    assert _user(counsellor.email).active is True


def test_admin_deactivates_an_analyst_through_the_form(app, client, auth, admin, analyst):
    from tests.accounts.conftest import post_login
    victim = app.test_client()
    post_login(victim, analyst.email, PASSWORD)
    auth.login(admin)
    response = submit_form(client, f"/staff/{analyst.id}", {"name": analyst.name, "role": "analyst",
                                                            "organisation_id": ""})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert _user(analyst.email).active is False
    assert victim.get("/account").status_code == 302


def test_stale_version_is_refused(client, auth, admin, counsellor):
    auth.login(admin)
    page = client.get(f"/staff/{counsellor.id}")
    from tests.accounts.conftest import hidden_inputs
    fields = hidden_inputs(page.get_data(as_text=True))
    with unit_of_work():
        counsellor.name = "Renamed Elsewhere"
    response = client.post(f"/staff/{counsellor.id}", data={**fields, "name": "Mine", "role": "counsellor",
                                                          "organisation_id": str(counsellor.organisation_id),
                                                          "active": "y"}, **EN)
    assert response.status_code == 200
    assert "Someone else saved this record in the meantime" in response.get_data(as_text=True)
    assert _user(counsellor.email).name == "Renamed Elsewhere"


def test_nobody_deactivates_themselves(client, auth, admin):
    auth.login(admin)
    response = submit_form(client, f"/staff/{admin.id}", {"name": admin.name, "role": "admin",
                                                          "organisation_id": ""}, **EN)
    assert response.status_code == 200
    assert _user(admin.email).active


def test_tampered_version_is_a_form_error_not_a_500(client, auth, admin, org):
    auth.login(admin)
    response = submit_form(client, f"/admin/organisations/{org.id}", {"name": "X", "version": "abc"})
    assert response.status_code == 200
    db.session.refresh(org)
    assert org.name == "Kiezwerk Neukölln e.V."
    response = submit_form(client, f"/admin/organisations/{org.id}", {"name": "X", "version": "99"}, **EN)
    assert "Someone else saved this record in the meantime" in response.get_data(as_text=True)
    db.session.refresh(org)
    assert org.name == "Kiezwerk Neukölln e.V."


def test_staff_list_needs_the_same_number_of_queries_for_few_and_many(client, auth, admin, count_queries):
    from tests.factories import OrganisationFactory
    auth.login(admin)
    for _ in range(2):
        UserFactory(organisation=OrganisationFactory())
    client.get("/staff")
    with count_queries() as few:
        assert client.get("/staff").status_code == 200
    for _ in range(12):
        UserFactory(organisation=OrganisationFactory())
    with count_queries() as many:
        assert client.get("/staff").status_code == 200
    assert many.count == few.count


def test_staff_list_is_paginated_and_bad_page_values_are_harmless(client, auth, admin):
    auth.login(admin)
    for _ in range(3):
        UserFactory()
    page = client.get("/staff?per_page=1").get_data(as_text=True)
    assert page.count('href="/staff/') == 1
    assert client.get("/staff?per_page=100000&page=abc").status_code == 200


def test_saving_an_organisation_or_account_unchanged_writes_nothing(client, auth, admin, org, counsellor):
    """The rule of every update (docs/architecture.md, section 1): a form saved as it was shown
    writes no audit entry and keeps the version; a real change writes one."""
    def entries(action: str) -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.action == action))

    auth.login(admin)
    version = org.version
    response = submit_form(client, f"/admin/organisations/{org.id}", {"name": org.name, "active": "y"})
    assert response.status_code == 302
    assert entries("organisation.update") == 0
    db.session.expire_all()
    assert db.session.get(Organisation, org.id).version == version
    unchanged = {"name": counsellor.name, "role": "counsellor", "organisation_id": str(counsellor.organisation_id),
                 "active": "y"}
    response = submit_form(client, f"/staff/{counsellor.id}", unchanged)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert entries("user.update") == 0
    response = submit_form(client, f"/staff/{counsellor.id}", {**unchanged, "name": "Aylin Demir-Kaya"})
    assert response.status_code == 302
    assert entries("user.update") == 1
    assert _user(counsellor.email).name == "Aylin Demir-Kaya"
