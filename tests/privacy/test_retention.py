"""Retention: RETENTION_YEARS after the final exit, exactly the expired cases, idempotent."""
from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from caseflow.errors import Forbidden
from caseflow.extensions import db
from caseflow.models_base import utcnow
from caseflow.participants.models import Participant
from caseflow.privacy.services import retention_cutoff, retention_summary, run_retention
from tests.factories import ParticipantFactory

TODAY = date(2026, 6, 15)


@pytest.fixture
def ten_years(app):
    old = app.config["RETENTION_YEARS"]
    app.config["RETENTION_YEARS"] = 10
    yield
    app.config["RETENTION_YEARS"] = old


def exited(org, exit_date, **kw):
    return ParticipantFactory(organisation=org, entry_date=date(2010, 1, 1), unemployed_since=date(2009, 1, 1),
                              status="exited", exit_date=exit_date, exit_reason="completed", **kw)


def test_cutoff_handles_leap_days(ten_years):
    assert retention_cutoff(date(2026, 6, 15)) == date(2016, 6, 15)
    assert retention_cutoff(date(2028, 2, 29)) == date(2018, 2, 28)
    assert retention_cutoff(date(2026, 6, 15), years=3) == date(2023, 6, 15)


def test_selects_exactly_the_expired_cases(org, ten_years):
    due = exited(org, date(2016, 6, 14))              # one day past the ten years
    long_ago = exited(org, date(2012, 1, 1))
    boundary = exited(org, date(2016, 6, 15))         # exactly ten years ago today: not yet
    recent = exited(org, date(2020, 1, 1))
    active = ParticipantFactory(organisation=org, entry_date=date(2010, 1, 1), unemployed_since=date(2009, 1, 1))
    restricted = exited(org, date(2011, 1, 1), restricted_at=utcnow(), restriction_reason="legal claim")
    already = exited(org, date(2011, 1, 1), anonymised_at=utcnow(), first_name=None, last_name=None)

    assert run_retention(dry_run=True, today=TODAY) == 2
    summary = retention_summary(TODAY)
    assert (summary["count"], summary["oldest_exit"], summary["held_restricted"]) == (2, date(2012, 1, 1), 1)
    # A dry run changes nothing.
    db.session.expire_all()
    assert db.session.get(Participant, due.id).anonymised_at is None

    assert run_retention(today=TODAY) == 2
    db.session.expire_all()
    anonymised = set(db.session.scalars(sa.select(Participant.id).where(Participant.anonymised_at.is_not(None))))
    assert anonymised == {due.id, long_ago.id, already.id}
    for p in (boundary, recent, active, restricted):
        assert db.session.get(Participant, p.id).first_name is not None

    # Idempotent: nothing is due any more.
    assert run_retention(dry_run=True, today=TODAY) == 0
    assert run_retention(today=TODAY) == 0


def test_the_setting_decides(app, org):
    p = exited(org, date(2022, 1, 1))
    app.config["RETENTION_YEARS"] = 3
    try:
        assert run_retention(dry_run=True, today=TODAY) == 1
    finally:
        app.config["RETENTION_YEARS"] = 10
    assert run_retention(dry_run=True, today=TODAY) == 0
    assert db.session.get(Participant, p.id).anonymised_at is None


def test_cli(app, org, ten_years):
    exited(org, date(2001, 1, 1))
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["retention", "run", "--dry-run"])
    assert dry.exit_code == 0 and re.search(r"\b1\b", dry.stdout)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Participant)
                             .where(Participant.anonymised_at.is_not(None))) == 0
    run = runner.invoke(args=["retention", "run"])
    assert run.exit_code == 0 and "Anonymised 1 " in run.stdout
    again = runner.invoke(args=["retention", "run"])
    assert again.exit_code == 0 and "Anonymised 0 " in again.stdout


def test_only_admins_run_it(team_lead):
    with pytest.raises(Forbidden):
        run_retention(actor=team_lead)


def test_admin_page_shows_case_numbers_only_and_runs(client, auth, org, admin, team_lead, ten_years):
    p = exited(org, date(2001, 3, 4), case_number="CF-2001-000042")
    auth.login(team_lead)
    assert client.get("/admin/retention").status_code == 403
    auth.logout()
    auth.login(admin)
    page = client.get("/admin/retention")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "CF-2001-000042" in html and p.first_name not in html
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)
    assert client.post("/admin/retention", data={}).status_code == 400   # CSRF
    assert client.post("/admin/retention", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Participant, p.id).anonymised_at is not None
    assert "CF-2001-000042" not in client.get("/admin/retention").get_data(as_text=True)
