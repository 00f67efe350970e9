"""Every participants service is one unit of work: when any step fails (the audit entry included),
nothing of it is written — no participant, no entry status, no case number used up, no audit entry —
and a service called inside a larger unit commits nothing of its own."""
from __future__ import annotations

import contextlib
from datetime import date

import pytest
import sqlalchemy as sa

from caseflow.audit.models import AuditEntry
from caseflow.database import unit_of_work
from caseflow.extensions import db
from caseflow.participants import services, tasks
from caseflow.participants.models import (
    CaseNumberCounter,
    ForeignQualification,
    Goal,
    Note,
    Participant,
    ParticipantLanguage,
    StatusChange,
    Task,
)
from tests.participants.conftest import service_data


class AuditDown(Exception):
    pass


def audit_down(*args, **kwargs):
    """Stands in for audit.services.record (and record_changes): the audit write, the last step of
    every service, fails."""
    raise AuditDown("audit log unavailable")


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def counter_value() -> int | None:
    return db.session.scalar(sa.select(CaseNumberCounter.last_value))


def test_failed_registration_writes_nothing(counsellor, register, monkeypatch):
    register()  # one participant, so the counter row exists
    before = counter_value()
    audits = count(AuditEntry)
    monkeypatch.setattr(services, "record", audit_down)
    with pytest.raises(AuditDown):
        services.register_participant(service_data(first_name="Samir", date_of_birth="1985-01-01"),
                                      actor=counsellor)
    assert count(Participant) == 1 and count(StatusChange) == 1
    assert count(ParticipantLanguage) == 2 and count(ForeignQualification) == 1  # the first one's only
    assert count(AuditEntry) == audits
    assert counter_value() == before  # the case number was not used up


def test_failed_edit_changes_nothing(counsellor, register, monkeypatch):
    p = register()
    audits = count(AuditEntry)
    monkeypatch.setattr(services, "record_changes", audit_down)  # an update's audit entry
    with pytest.raises(AuditDown):
        services.update_participant(p, {"last_name": "Nasser", "languages": [], "entry_date": date(2025, 4, 1)},
                                    version=1, actor=counsellor)
    db.session.expire_all()
    fresh = db.session.get(Participant, p.id)
    assert fresh.last_name == "Haddad" and fresh.version == 1 and fresh.entry_date == date(2025, 3, 1)
    assert count(ParticipantLanguage) == 2
    assert db.session.scalar(sa.select(StatusChange.date).where(StatusChange.source == "entry")) == date(2025, 3, 1)
    assert count(AuditEntry) == audits


def test_every_case_history_service_rolls_back_when_its_audit_entry_fails(counsellor, team_lead, register,
                                                                           monkeypatch):
    p = register()
    note = services.add_note(p, {"date": date.today(), "kind": "phone", "text": "first"}, actor=counsellor)
    goal = services.add_goal(p, {"title": "Recognition"}, actor=counsellor)
    task = services.add_task(p, {"title": "Call", "due_date": date.today()}, actor=counsellor)
    audits = count(AuditEntry)
    monkeypatch.setattr(services, "record", audit_down)
    monkeypatch.setattr(services, "record_changes", audit_down)  # the updates' entries (note, goal)
    monkeypatch.setattr(tasks, "record", audit_down)
    monkeypatch.setattr(services, "record_access", audit_down)   # the case view's access-log entry
    calls = [
        lambda: services.add_status_change(p, date_=date(2025, 6, 1), status="employed", actor=counsellor),
        lambda: services.add_note(p, {"date": date.today(), "kind": "phone", "text": "x"}, actor=counsellor),
        lambda: services.correct_note(note, {"text": "changed"}, version=1, actor=counsellor),
        lambda: services.add_goal(p, {"title": "x"}, actor=counsellor),
        lambda: services.update_goal(goal, {"status": "achieved"}, version=1, actor=counsellor),
        lambda: services.add_task(p, {"title": "x", "due_date": date.today()}, actor=counsellor),
        lambda: tasks.complete_task(task, version=1, actor=counsellor),
        lambda: services.reassign_participant(p, counsellor_id=team_lead.id, version=1, actor=team_lead),
        lambda: services.record_case_view(p, actor=counsellor),
    ]
    for call in calls:
        with pytest.raises(AuditDown):
            call()
    db.session.expire_all()
    assert count(StatusChange) == 1 and count(Note) == 1 and count(Goal) == 1 and count(Task) == 1
    assert db.session.get(Note, note.id).text == "first" and db.session.get(Goal, goal.id).status == "open"
    assert db.session.get(Task, task.id).done_at is None
    assert db.session.get(Participant, p.id).counsellor_id == counsellor.id
    assert count(AuditEntry) == audits


def test_a_service_inside_a_larger_unit_commits_nothing_of_its_own(counsellor, register):
    p = register()
    with pytest.raises(AuditDown), unit_of_work():
        services.add_note(p, {"date": date.today(), "kind": "phone", "text": "inside"}, actor=counsellor)
        services.add_goal(p, {"title": "inside"}, actor=counsellor)
        raise AuditDown("a later step of the larger unit fails")
    assert count(Note) == 0 and count(Goal) == 0
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEntry.action.in_(("note.create", "goal.create")))) == 0


def test_a_refused_change_inside_a_larger_unit_poisons_it(counsellor, register):
    """A caller that swallows a service's error must not commit the rest (NestedUnitFailed)."""
    from caseflow.database import NestedUnitFailed
    from caseflow.errors import DomainError

    p = register()
    with pytest.raises(NestedUnitFailed), unit_of_work():
        services.add_goal(p, {"title": "kept?"}, actor=counsellor)
        with contextlib.suppress(DomainError):
            services.add_note(p, {"date": date.today(), "kind": "sms", "text": "x"}, actor=counsellor)
    assert count(Goal) == 0
