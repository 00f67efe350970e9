"""Handover when a caseworker's account ends: cases and open tasks move to one colleague (or the
team lead) and the account is deactivated, in one unit of work."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from caseflow.accounts.models import ApiToken, User, UserSession
from caseflow.audit.models import AuditEntry
from caseflow.database import unit_of_work
from caseflow.errors import DomainError
from caseflow.extensions import db
from caseflow.participants import handover
from caseflow.participants.models import Participant, Task
from tests.accounts.conftest import csrf_from, post_login
from tests.conftest import PASSWORD
from tests.factories import ParticipantFactory, UserFactory

EN = {"headers": {"Accept-Language": "en"}}


@pytest.fixture
def caseload(org, counsellor, team_lead):
    """Three participants of the counsellor (one with a task of hers), one of the team lead, a done
    task and an open task of hers on the team lead's participant."""
    mine = [ParticipantFactory(organisation=org, counsellor=counsellor) for _ in range(3)]
    theirs = ParticipantFactory(organisation=org, counsellor=team_lead)
    with unit_of_work():
        for participant, done in ((mine[0], False), (mine[1], True), (theirs, False)):
            db.session.add(Task(organisation_id=org.id, participant_id=participant.id, title="Call back",
                                due_date=date(2026, 12, 1), assignee_id=counsellor.id,
                                done_at=participant.created_at if done else None))
    return mine, theirs


def _counts(user_id: int) -> tuple[int, int]:
    db.session.expire_all()
    cases = db.session.scalar(sa.select(sa.func.count()).select_from(Participant)
                              .where(Participant.counsellor_id == user_id))
    tasks = db.session.scalar(sa.select(sa.func.count()).select_from(Task)
                              .where(Task.assignee_id == user_id, Task.done_at.is_(None)))
    return cases, tasks


def test_handover_page_moves_cases_and_open_tasks_and_deactivates(app, client, auth, team_lead, counsellor,
                                                                  caseload, api_as):
    victim = app.test_client()
    post_login(victim, counsellor.email, PASSWORD)
    api = api_as(counsellor)
    colleague = UserFactory(role="counsellor", organisation=counsellor.organisation, name="Lena Vogt")
    auth.login(team_lead)
    page = client.get(f"/staff/{counsellor.id}/handover", **EN)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "counsels 3 participants and has 2 open tasks" in html
    assert "Lena Vogt" in html and f'<option selected value="{team_lead.id}">' in html  # the team lead by default
    response = client.post(f"/staff/{counsellor.id}/handover", data={
        "csrf_token": csrf_from(client, f"/staff/{counsellor.id}/handover"), "successor_id": str(colleague.id),
        "version": str(counsellor.version)}, **EN)
    assert response.status_code == 302
    assert _counts(counsellor.id) == (0, 0)
    assert _counts(colleague.id) == (3, 2)
    assert _counts(team_lead.id)[0] == 1  # the team lead's own case stays
    done = db.session.scalar(sa.select(Task).where(Task.done_at.is_not(None)))
    assert done.assignee_id == counsellor.id  # history is not rewritten
    assert db.session.get(User, counsellor.id).active is False
    assert victim.get("/account").status_code == 302
    assert api.get("/me").status_code == 401
    assert db.session.scalar(sa.select(ApiToken.revoked_at)) is not None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UserSession)
                             .where(UserSession.user_id == counsellor.id)) == 0
    actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert actions.count("participant.reassign") == 3 and "user.handover" in actions and "user.update" in actions


def test_a_failure_moves_nothing(team_lead, counsellor, caseload):
    # A stale version of the account: the whole unit rolls back, the cases stay where they were.
    with pytest.raises(DomainError):
        handover.hand_over_and_deactivate(counsellor, successor_id=team_lead.id, version=counsellor.version + 7,
                                          actor=team_lead)
    assert _counts(counsellor.id) == (3, 2)
    assert db.session.get(User, counsellor.id).active is True


def test_successor_must_be_an_active_colleague_of_the_same_organisation(team_lead, counsellor, other_counsellor,
                                                                        caseload):
    gone = UserFactory(role="counsellor", organisation=counsellor.organisation, active=False)
    analyst = UserFactory(role="analyst", organisation=counsellor.organisation)
    for successor in (other_counsellor.id, gone.id, analyst.id, counsellor.id, None, 2**40):
        with pytest.raises(DomainError) as error:
            handover.hand_over_and_deactivate(counsellor, successor_id=successor, version=counsellor.version,
                                              actor=team_lead)
        assert "successor_id" in error.value.fields
    assert _counts(counsellor.id) == (3, 2)


def test_team_lead_cannot_hand_over_another_organisations_counsellor(client, auth, team_lead, other_counsellor):
    auth.login(team_lead)
    assert client.get(f"/staff/{other_counsellor.id}/handover").status_code == 404


def test_counsellors_cannot_open_the_handover(client, auth, counsellor, team_lead):
    auth.login(counsellor)
    assert client.get(f"/staff/{team_lead.id}/handover").status_code == 403


def test_each_task_moved_by_a_handover_has_its_audit_entry_in_its_case(team_lead, counsellor, caseload):
    """As when a case is reassigned (tasks.move_open_tasks): one `task.reassign` entry per task, with
    its participant, so the case's history and the organisation's audit log show who moved it."""
    colleague = UserFactory(role="counsellor", organisation=counsellor.organisation)
    handover.hand_over_and_deactivate(counsellor, successor_id=colleague.id, version=counsellor.version,
                                      actor=team_lead)
    db.session.expire_all()
    moved = db.session.scalars(sa.select(Task).where(Task.done_at.is_(None))).all()
    assert len(moved) == 2 and {t.assignee_id for t in moved} == {colleague.id}
    entries = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "task.reassign")).all()
    assert sorted((e.object_id, e.participant_id) for e in entries) == sorted((t.id, t.participant_id) for t in moved)
    assert all(e.changes["assignee_id"] == [counsellor.id, colleague.id] for e in entries)
