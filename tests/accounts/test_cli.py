"""The command line of interfaces.md: orgs create, users create, tokens create, and their errors."""
from __future__ import annotations

import flask_babel
import pytest
import sqlalchemy as sa

from caseflow.accounts.models import ApiToken, Organisation, User
from caseflow.accounts.passwords import verify_password
from caseflow.database import unit_of_work
from caseflow.extensions import db

GOOD_PASSWORD = "Amber-Tramline-Kettle-41"


@pytest.fixture
def cli(app, monkeypatch):
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    runner = app.test_cli_runner()

    def invoke(*args):
        # The commands run in the test's app context; forget the language chosen by an earlier call.
        flask_babel.refresh()
        return runner.invoke(args=list(args))

    return invoke


def _fails_with_one_line(result, *words: str) -> None:
    assert result.exit_code != 0
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output
    for word in words:
        assert word in lines[0], lines[0]


def _create_user(cli, email="aylin@kiezwerk.example", role="counsellor", org="Kiezwerk Neukölln e.V.",
                 password=GOOD_PASSWORD):
    args = ["users", "create", email, "--name", "Aylin Demir", "--role", role, "--password", password]
    if org:
        args += ["--org", org]
    return cli(*args)


def test_orgs_create(cli):
    result = cli("orgs", "create", "Kiezwerk Neukölln e.V.")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(sa.select(Organisation.name)) == "Kiezwerk Neukölln e.V."


def test_orgs_create_duplicate_fails(cli):
    cli("orgs", "create", "Kiezwerk Neukölln e.V.")
    _fails_with_one_line(cli("orgs", "create", "Kiezwerk Neukölln e.V."), "exists already")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == 1


def test_users_create(cli):
    cli("orgs", "create", "Kiezwerk Neukölln e.V.")
    result = _create_user(cli, email="Aylin@Kiezwerk.example")
    assert result.exit_code == 0, result.output + result.stderr
    user = db.session.scalar(sa.select(User))
    assert (user.email, user.name, user.role) == ("aylin@kiezwerk.example", "Aylin Demir", "counsellor")
    assert user.organisation.name == "Kiezwerk Neukölln e.V."
    assert user.active
    assert user.password_hash.startswith("$argon2id$")
    assert verify_password(user.password_hash, GOOD_PASSWORD)


def test_users_create_admin_without_organisation(cli):
    result = _create_user(cli, email="ada@caseflow.example", role="admin", org=None)
    assert result.exit_code == 0, result.stderr
    assert db.session.scalar(sa.select(User.role)) == "admin"


@pytest.mark.parametrize("kwargs, words", [
    ({"role": "boss"}, ("Unknown role", "boss")),
    ({"org": "Nirgendwo e.V."}, ("no organisation", "Nirgendwo e.V.")),
    ({"password": "short"}, ("at least 12 characters",)),
    ({"password": "password12345"}, ("too common",)),
    ({"email": "not-an-email"}, ("valid email",)),
    ({"role": "counsellor", "org": None}, ("belong to an organisation",)),
])
def test_users_create_errors(cli, kwargs, words):
    cli("orgs", "create", "Kiezwerk Neukölln e.V.")
    _fails_with_one_line(_create_user(cli, **kwargs), *words)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_users_create_duplicate_email_fails(cli):
    cli("orgs", "create", "Kiezwerk Neukölln e.V.")
    assert _create_user(cli).exit_code == 0
    _fails_with_one_line(_create_user(cli, email="AYLIN@kiezwerk.example"), "exists already")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_users_create_messages_follow_the_shell_language(cli, monkeypatch):
    cli("orgs", "create", "Kiezwerk Neukölln e.V.")
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    _fails_with_one_line(_create_user(cli, role="boss"), "Fehler:", "Unbekannte Rolle")


def test_tokens_create_prints_the_token_alone_on_the_last_line(cli, client):
    cli("orgs", "create", "Kiezwerk Neukölln e.V.")
    _create_user(cli)
    result = cli("tokens", "create", "aylin@kiezwerk.example")
    assert result.exit_code == 0, result.stderr
    token = result.output.strip().splitlines()[-1]
    assert token == token.strip() and " " not in token
    stored = db.session.scalar(sa.select(ApiToken.token_hash))
    assert token not in stored  # only a hash is kept
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json["email"] == "aylin@kiezwerk.example"


def test_tokens_create_for_unknown_account_fails(cli):
    _fails_with_one_line(cli("tokens", "create", "ghost@kiezwerk.example"), "no account")


def test_tokens_create_for_deactivated_account_fails(cli):
    cli("orgs", "create", "Kiezwerk Neukölln e.V.")
    _create_user(cli)
    with unit_of_work():
        db.session.scalar(sa.select(User)).active = False
    _fails_with_one_line(cli("tokens", "create", "aylin@kiezwerk.example"), "deactivated")


def test_unmigrated_database_fails_with_one_line(tmp_path, monkeypatch):
    from caseflow import create_app
    from config import TestingConfig
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    config = TestingConfig()
    config.SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    empty = create_app(config)
    with empty.app_context():  # the command runs in the current app context
        result = empty.test_cli_runner().invoke(args=["orgs", "create", "Kiezwerk Neukölln e.V."])
        db.session.remove()
        db.engine.dispose()
    _fails_with_one_line(result, "alembic upgrade head")
