"""Invitations and password resets by mail, read from a real local SMTP server (tests/mail.py)."""
from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa

from caseflow.accounts import links
from caseflow.accounts.models import AccountLink, User, UserSession
from caseflow.accounts.passwords import verify_password
from caseflow.audit.models import AuditEntry
from caseflow.database import unit_of_work
from caseflow.extensions import db
from tests.accounts.conftest import csrf_from, hidden_inputs, post_login
from tests.conftest import PASSWORD
from tests.factories import ParticipantFactory

NEW_PASSWORD = "Copper-Meadow-Violin-73"
EN = {"headers": {"Accept-Language": "en"}}


def _path(url: str) -> str:
    return urlsplit(url).path


def _open_link(client, url: str, **kw):
    """Follows a mailed link as a browser does; answers the password page."""
    first = client.get(_path(url), **kw)
    assert first.status_code == 302 and first.headers["Location"].endswith("/password/new")
    return client.get("/password/new", **kw)


def _choose(client, url: str, password: str = NEW_PASSWORD, repeat: str | None = None, **kw):
    page = _open_link(client, url, **kw)
    if page.status_code != 200:
        return page
    fields = hidden_inputs(page.get_data(as_text=True))
    fields.pop("username", None)
    return client.post("/password/new", data={**fields, "password": password,
                                              "repeat": password if repeat is None else repeat}, **kw)


def _actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))


def _forgot(client, email: str, **kw):
    return client.post("/password/forgot", data={"email": email, "csrf_token": csrf_from(client, "/password/forgot")},
                       **kw)


# --- invitations ------------------------------------------------------------------------------------

def test_invitation_mail_arrives_in_the_recipients_language_and_its_link_works_once(client, org, smtp_server):
    user, url = links.invite(email="lena@kiezwerk.example", name="Lena Vogt", role="counsellor",
                             organisation_id=org.id, actor=None, locale="en")
    mail = smtp_server.one(to="lena@kiezwerk.example")
    assert mail.subject == "Your invitation to Caseflow"
    assert mail.links() == [url] and url.startswith("http://127.0.0.1:5000/password/link/")
    assert url in mail.html and 'lang="en"' in mail.html and "Choose your password" in mail.html
    assert "72 hours" in mail.text
    # Only the hash of the token is stored.
    token = _path(url).rsplit("/", 1)[1]
    assert db.session.scalar(sa.select(AccountLink.token_hash)) != token

    assert post_login(client, user.email, NEW_PASSWORD).status_code == 401  # no password yet
    response = _choose(client, url)
    assert response.status_code == 302
    db.session.expire_all()
    assert verify_password(db.session.get(User, user.id).password_hash, NEW_PASSWORD)
    assert "user.invitation_accepted" in _actions()
    assert post_login(client, user.email, NEW_PASSWORD).status_code == 302

    again = _open_link(app_client := client.application.test_client(), url, **EN)
    assert again.status_code == 410
    assert "This link has been used already." in again.get_data(as_text=True)
    assert app_client is not client


def test_invitation_in_german_by_default(org, smtp_server):
    links.invite(email="ali@kiezwerk.example", name="Ali Kaya", role="counsellor", organisation_id=org.id, actor=None)
    mail = smtp_server.one(to="ali@kiezwerk.example")
    assert mail.subject == "Ihre Einladung zu Caseflow"
    assert "Hallo Ali Kaya" in mail.text and "72 Stunden" in mail.text


def test_invitation_expires_after_72_hours(client, org, smtp_server):
    _, url = links.invite(email="lena@kiezwerk.example", name="Lena Vogt", role="counsellor",
                          organisation_id=org.id, actor=None)
    with unit_of_work():
        link = db.session.scalar(sa.select(AccountLink))
        link.expires_at = link.expires_at - timedelta(hours=72, seconds=1)
    response = _choose(client, url, **EN)
    assert response.status_code == 410
    assert "This link has expired." in response.get_data(as_text=True)


def test_unknown_link_fails_with_a_clear_message(client):
    response = _open_link(client, "http://x/password/link/not-a-token", **EN)
    assert response.status_code == 404
    assert "This link is not valid." in response.get_data(as_text=True)


def test_mismatched_or_weak_password_keeps_the_link(client, org, smtp_server):
    user, url = links.invite(email="lena@kiezwerk.example", name="Lena Vogt", role="counsellor",
                             organisation_id=org.id, actor=None)
    mismatch = _choose(client, url, repeat="Something-Else-Entirely-9", **EN)
    assert mismatch.status_code == 400 and "not the same" in mismatch.get_data(as_text=True)
    weak = _choose(client, url, password="password1234", **EN)
    assert weak.status_code == 400 and "too common" in weak.get_data(as_text=True)
    assert _choose(client, url).status_code == 302


def test_team_lead_invites_through_the_staff_page_and_can_send_it_again(client, auth, team_lead, smtp_server):
    from tests.accounts.conftest import submit_form
    auth.login(team_lead)
    response = submit_form(client, "/staff", {"name": "Lena Vogt", "email": "lena@kiezwerk.example",
                                             "role": "counsellor", "organisation_id": str(team_lead.organisation_id),
                                             "locale": "de"})
    assert response.status_code == 302
    first = smtp_server.one(to="lena@kiezwerk.example")
    lena = db.session.scalar(sa.select(User).where(User.email == "lena@kiezwerk.example"))
    client.post(f"/staff/{lena.id}/send-reset", data={"csrf_token": csrf_from(client, f"/staff/{lena.id}")})
    mails = smtp_server.wait_for(2)
    assert len(mails) == 2 and mails[1].subject == first.subject
    # The first link is void now; the second works.
    assert _choose(client.application.test_client(), first.links()[0]).status_code == 410
    assert _choose(client.application.test_client(), mails[1].links()[0]).status_code == 302


def test_cli_invite_prints_the_link_on_the_last_line_without_a_mail_server(app, org, client):
    result = app.test_cli_runner().invoke(args=["users", "invite", "lena@kiezwerk.example", "--name", "Lena Vogt",
                                                "--role", "counsellor", "--org", org.name])
    assert result.exit_code == 0, result.output
    url = result.output.strip().splitlines()[-1]
    assert re.fullmatch(r"http://127\.0\.0\.1:5000/password/link/[\w-]+", url)
    assert "Lena Vogt" in result.output  # the mail itself went to the console
    assert _choose(client, url).status_code == 302


def test_cli_invite_with_a_mail_server_sends_the_mail(app, org, smtp_server):
    result = app.test_cli_runner().invoke(args=["users", "invite", "lena@kiezwerk.example", "--name", "Lena Vogt",
                                                "--role", "counsellor", "--org", org.name, "--locale", "en"])
    assert result.exit_code == 0, result.output
    assert "/password/link/" not in result.output
    assert smtp_server.one(to="lena@kiezwerk.example").subject == "Your invitation to Caseflow"


# --- password reset ---------------------------------------------------------------------------------

def test_reset_mail_for_a_known_address_nothing_for_an_unknown_one_and_the_same_answer(client, counsellor,
                                                                                        smtp_server):
    known = _forgot(client, counsellor.email.upper(), **EN)
    unknown = _forgot(client, "nobody@kiezwerk.example", **EN)
    assert known.status_code == unknown.status_code == 200

    def text(response) -> str:
        return re.sub(r'value="[^"]+"', "", response.get_data(as_text=True))

    assert text(known) == text(unknown)
    assert "If this address belongs to an account" in text(known)
    mails = smtp_server.wait_for(1)
    smtp_server.wait_for(2, timeout=0.5)
    assert [m.envelope_to for m in smtp_server.messages] == [[counsellor.email]]
    mail = mails[0]
    assert mail.subject == "Neues Caseflow-Passwort wählen"  # the account has no language: German
    assert "60 Minuten" in mail.text
    assert "user.password_reset_requested" in _actions()


def test_mails_never_carry_participant_data(client, counsellor, smtp_server):
    participant = ParticipantFactory(organisation=counsellor.organisation, counsellor=counsellor)
    _forgot(client, counsellor.email)
    mail = smtp_server.one(to=counsellor.email)
    for value in (participant.first_name, participant.last_name, participant.case_number):
        assert value not in mail.text and value not in mail.html


def test_reset_ends_every_session_and_the_link_works_once(app, client, counsellor, smtp_server):
    elsewhere = app.test_client()
    assert post_login(elsewhere, counsellor.email, PASSWORD).status_code == 302
    _forgot(client, counsellor.email)
    url = smtp_server.one(to=counsellor.email).links()[0]
    assert _choose(client, url).status_code == 302
    assert elsewhere.get("/account").status_code == 302  # sent to the login
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UserSession)) == 0
    assert post_login(client, counsellor.email, PASSWORD).status_code == 401
    assert post_login(client, counsellor.email, NEW_PASSWORD).status_code == 302
    used = _choose(app.test_client(), url, **EN)
    assert used.status_code == 410 and "used already" in used.get_data(as_text=True)
    assert "user.password_reset" in _actions()


def test_reset_link_expires_after_one_hour(client, counsellor, smtp_server):
    _forgot(client, counsellor.email)
    url = smtp_server.one(to=counsellor.email).links()[0]
    with unit_of_work():
        link = db.session.scalar(sa.select(AccountLink))
        assert link.expires_at - link.created_at == timedelta(hours=1)
        link.expires_at = link.created_at
    response = _choose(client, url, **EN)
    assert response.status_code == 410 and "expired" in response.get_data(as_text=True)


def test_reset_link_is_void_once_the_password_changed(client, auth, counsellor, smtp_server):
    from caseflow.accounts.services import change_password
    _forgot(client, counsellor.email)
    url = smtp_server.one(to=counsellor.email).links()[0]
    change_password(counsellor, current_password=PASSWORD, new_password="Velvet-Harbour-Signal-28")
    response = _choose(client, url, **EN)
    assert response.status_code == 410


def test_reset_requests_are_throttled_per_account(client, counsellor, smtp_server):
    for _ in range(links.RESET_MAILS_PER_HOUR + 2):
        assert _forgot(client, counsellor.email).status_code == 200
    smtp_server.wait_for(links.RESET_MAILS_PER_HOUR + 1, timeout=1)
    assert len(smtp_server.messages) == links.RESET_MAILS_PER_HOUR
    assert "user.password_reset_throttled" in _actions()


def test_reset_requests_are_throttled_per_address(client, smtp_server):
    answers = [_forgot(client, f"nobody{i}@kiezwerk.example").status_code for i in range(12)]
    assert answers[:10] == [200] * 10 and answers[10:] == [429, 429]


def test_team_lead_sends_a_reset_link_from_the_account_page(client, auth, team_lead, counsellor, other_counsellor,
                                                             smtp_server):
    auth.login(team_lead)
    token = csrf_from(client, f"/staff/{counsellor.id}")
    response = client.post(f"/staff/{counsellor.id}/send-reset", data={"csrf_token": token})
    assert response.status_code == 302
    assert smtp_server.one(to=counsellor.email).links()
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "user.password_reset_sent"))
    assert entry.actor_id == team_lead.id and entry.object_id == counsellor.id
    # Not for another organisation's account.
    assert client.post(f"/staff/{other_counsellor.id}/send-reset", data={"csrf_token": token}).status_code == 404
    assert smtp_server.to(other_counsellor.email) == []


def test_cli_reset_password_prints_a_link_on_the_last_line(app, client, counsellor):
    result = app.test_cli_runner().invoke(args=["users", "reset-password", counsellor.email])
    assert result.exit_code == 0, result.output
    url = result.output.strip().splitlines()[-1]
    assert _choose(client, url).status_code == 302
    assert post_login(client, counsellor.email, NEW_PASSWORD).status_code == 302
    assert "user.password_reset_link" in _actions()


def test_cli_reset_password_for_an_unknown_address_fails_with_one_line(app):
    result = app.test_cli_runner().invoke(args=["users", "reset-password", "nobody@kiezwerk.example"])
    assert result.exit_code == 1
    assert len([line for line in result.stderr.splitlines() if line.strip()]) == 1
