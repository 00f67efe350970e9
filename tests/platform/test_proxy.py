"""Client addresses (login throttling, audit) behind a reverse proxy, only when configured."""
from __future__ import annotations

import sqlalchemy as sa

from caseflow.accounts.models import LoginAttempt
from caseflow.audit.models import AuditEntry
from caseflow.extensions import db
from tests.accounts.conftest import post_login

WRONG = "Wrong-Password-Entirely-99"


def test_behind_a_trusted_proxy_the_client_address_is_recorded(make_app, counsellor):
    import config as settings
    config = settings.TestingConfig()
    config.TRUSTED_PROXY_COUNT = 1
    proxied = make_app(config).test_client()
    post_login(proxied, counsellor.email, WRONG, headers={"X-Forwarded-For": "203.0.113.7"})
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "login.failure"))
    assert entry.address == "203.0.113.7"
    assert db.session.scalar(sa.select(LoginAttempt.address)) == "203.0.113.7"


def test_without_a_trusted_proxy_forwarded_headers_are_ignored(client, counsellor):
    post_login(client, counsellor.email, WRONG, headers={"X-Forwarded-For": "203.0.113.7"})
    assert db.session.scalar(sa.select(LoginAttempt.address)) == "127.0.0.1"
