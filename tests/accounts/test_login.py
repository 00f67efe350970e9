"""Login through the real form: success, failure, throttling, audit trail."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from caseflow.accounts.models import LoginAttempt, UserSession
from caseflow.audit.models import AuditEntry
from caseflow.database import unit_of_work
from caseflow.extensions import db
from tests.accounts.conftest import age_login_attempts, post_login, session_cookie
from tests.conftest import PASSWORD

WRONG = "Wrong-Password-Entirely-99"


def _actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)))


def _is_logged_in(client) -> bool:
    return client.get("/account").status_code == 200


def test_success_logs_in_and_audits_with_address(client, counsellor):
    response = post_login(client, counsellor.email, PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/caseload")
    assert _is_logged_in(client)
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "login.success"))
    assert entry.actor_id == counsellor.id
    assert entry.address == "127.0.0.1"
    assert entry.at is not None


def test_email_is_case_insensitive(client, counsellor):
    assert post_login(client, counsellor.email.upper(), PASSWORD).status_code == 302


def test_landing_pages_by_role(client, analyst, admin, app):
    assert post_login(client, analyst.email, PASSWORD).headers["Location"].endswith("/reports/")
    other = app.test_client()
    assert post_login(other, admin.email, PASSWORD).headers["Location"].endswith("/admin")


def test_unknown_email_and_wrong_password_get_the_same_answer(client, counsellor):
    wrong_password = post_login(client, counsellor.email, WRONG, headers={"Accept-Language": "en"})
    unknown_email = post_login(client, "nobody@kiezwerk.example", WRONG, headers={"Accept-Language": "en"})
    assert wrong_password.status_code == unknown_email.status_code
    assert wrong_password.status_code != 302
    for response in (wrong_password, unknown_email):
        assert "Email or password is not correct." in response.get_data(as_text=True)
    assert not _is_logged_in(client)


def test_failures_are_audited_with_address_never_with_the_password(client, counsellor):
    post_login(client, counsellor.email, WRONG)
    post_login(client, "nobody@kiezwerk.example", WRONG)
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "login.failure")
                                 .order_by(AuditEntry.id)).all()
    assert len(entries) == 2
    assert {e.address for e in entries} == {"127.0.0.1"}
    assert [e.object_id for e in entries] == [counsellor.id, None]  # the unknown address names no account
    # The password appears nowhere in the audit log or the attempt records.
    for table in (AuditEntry.__table__, LoginAttempt.__table__):
        for row in db.session.execute(sa.select(table)):
            assert WRONG not in repr(tuple(row))
    # Nor is the email kept in clear in the throttling table.
    assert all("@" not in a.email_digest for a in db.session.scalars(sa.select(LoginAttempt)))


def test_deactivated_account_cannot_log_in(client, counsellor):
    with unit_of_work():
        counsellor.active = False
    response = post_login(client, counsellor.email, PASSWORD, headers={"Accept-Language": "en"})
    assert response.status_code != 302
    assert "Email or password is not correct." in response.get_data(as_text=True)


def test_lockout_after_five_failures_then_released_after_fifteen_minutes(client, counsellor):
    for _ in range(4):
        response = post_login(client, counsellor.email, WRONG, headers={"Accept-Language": "en"})
        assert "Email or password is not correct." in response.get_data(as_text=True)
    fifth = post_login(client, counsellor.email, WRONG, headers={"Accept-Language": "en"})
    assert fifth.status_code == 429
    assert "Too many failed attempts" in fifth.get_data(as_text=True)
    assert _actions().count("login.lockout") == 1
    lockout = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "login.lockout"))
    assert lockout.address == "127.0.0.1" and lockout.object_id == counsellor.id and lockout.at is not None

    # While locked, even the right password is refused, and no session is made.
    locked = post_login(client, counsellor.email, PASSWORD, headers={"Accept-Language": "en"})
    assert locked.status_code == 429
    assert "Too many failed attempts" in locked.get_data(as_text=True)
    assert not _is_logged_in(client)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UserSession)) == 0
    assert "login.refused_locked" in _actions()

    # 14 minutes later it is still locked …
    age_login_attempts(timedelta(minutes=14))
    assert post_login(client, counsellor.email, PASSWORD).status_code == 429
    # … and after 15 minutes the right password works again.
    age_login_attempts(timedelta(minutes=2))
    assert post_login(client, counsellor.email, PASSWORD).status_code == 302
    assert _is_logged_in(client)


def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock(client, counsellor):
    for _ in range(4):
        post_login(client, counsellor.email, WRONG)
    age_login_attempts(timedelta(minutes=16))
    assert post_login(client, counsellor.email, WRONG).status_code != 429
    assert post_login(client, counsellor.email, PASSWORD).status_code == 302


def test_lockout_of_one_account_leaves_others_alone(client, counsellor, team_lead):
    for _ in range(5):
        post_login(client, counsellor.email, WRONG)
    assert post_login(client, team_lead.email, PASSWORD).status_code == 302


def test_unknown_email_is_locked_like_a_real_one(client):
    # Otherwise the lockout would tell an attacker which emails exist.
    for _ in range(4):
        assert post_login(client, "ghost@kiezwerk.example", WRONG).status_code != 429
    assert post_login(client, "ghost@kiezwerk.example", WRONG).status_code == 429


def test_per_address_limit_against_spraying(app, client, counsellor, team_lead):
    limit = app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    # One failure each for many different accounts, from one address (below the per-account limit).
    with unit_of_work():
        for i in range(limit - 1):
            db.session.add(LoginAttempt(email_digest=f"{i:064x}", address="127.0.0.1", success=False))
    assert post_login(client, f"sprayed{limit}@kiezwerk.example", WRONG).status_code == 429
    # The address is blocked, even for a correct password of another account …
    assert post_login(client, counsellor.email, PASSWORD).status_code == 429
    # … while the same account logs in fine from another address.
    other = app.test_client()
    response = post_login(other, counsellor.email, PASSWORD, environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert response.status_code == 302


def test_invalid_form_changes_nothing(client, counsellor):
    response = post_login(client, "", "")
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginAttempt)) == 0


def test_next_parameter_only_follows_local_paths(client, counsellor):
    from tests.accounts.conftest import csrf_from
    token = csrf_from(client, "/login")
    response = client.post("/login?next=https://evil.example/x", data={
        "email": counsellor.email, "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"].endswith("/caseload")
    client.post("/logout", data={"csrf_token": csrf_from(client, "/account")})
    token = csrf_from(client, "/login")
    response = client.post("/login?next=/account", data={
        "email": counsellor.email, "password": PASSWORD, "csrf_token": token})
    assert response.headers["Location"].endswith("/account")


def test_logged_in_user_visiting_login_is_sent_home(client, counsellor):
    post_login(client, counsellor.email, PASSWORD)
    response = client.get("/login")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/caseload")
    assert session_cookie(client)

