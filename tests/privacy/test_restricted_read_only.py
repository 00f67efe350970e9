"""A restricted case is read-only through every write endpoint of every domain (GDPR Art. 18).

The table below sends a valid request to each API write route about a participant or one of its
records; every one must answer 409 `restricted` and change nothing. A write route added later
without an entry here fails the coverage check, so it gets looked at.
"""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from caseflow.extensions import db
from caseflow.models_base import utcnow
from caseflow.participants.models import Goal, Note, Participant, Task
from caseflow.placements.models import Placement
from tests.factories import EnrolmentFactory, MeasureFactory, ParticipantFactory, UserFactory

# Routes that stay open on a restricted case, and why.
ALLOWED_WHEN_RESTRICTED = {
    "/api/v1/participants/<int:participant_id>/restriction/lift": "lifting the restriction itself",
    "/api/v1/consents/<int:consent_id>/withdraw": "a withdrawal only takes data away",
    "/api/v1/participants/<int:participant_id>/documents":
        "the team lead may add evidence (issue 13); everyone else gets 409 (tests/documents)",
    # the providing organisation's side of a partner's enrolment: the own organisation's enrolments
    # are 404 there; a restricted case of the partner answers 409 restricted (tests/partnerships)
    "/api/v1/partner-enrolments/<int:enrolment_id>": "another organisation's route (tests/partnerships)",
    "/api/v1/partner-enrolments/<int:enrolment_id>/attendance": "another organisation's route (tests/partnerships)",
}
PARAMS = ("participant_id", "note_id", "goal_id", "task_id", "enrolment_id", "placement_id", "consent_id")


def write_routes(app) -> set[str]:
    return {r.rule for r in app.url_map.iter_rules()
            if r.rule.startswith("/api/v1/") and r.methods & {"POST", "PATCH", "PUT", "DELETE"}
            and any(f"<int:{p}>" in r.rule for p in PARAMS)}


@pytest.fixture
def restricted_case(org, counsellor):
    measure = MeasureFactory(organisation=org)
    active = ParticipantFactory(organisation=org, counsellor_id=counsellor.id)
    exited = ParticipantFactory(organisation=org, counsellor_id=counsellor.id, status="exited",
                                exit_date=date(2025, 1, 31), exit_reason="completed")
    enrolment = EnrolmentFactory(participant=active, measure=measure, status="active", start_date=date(2024, 3, 15))
    note = Note(participant_id=active.id, date=date(2024, 3, 5), kind="meeting", text="first talk")
    goal = Goal(participant_id=active.id, title="work as a cook")
    task = Task(organisation_id=org.id, participant_id=active.id, title="call back", due_date=date(2024, 4, 1))
    placement = Placement(participant_id=active.id, type="employment", employer_name="Spreewerk GmbH",
                          job_title="cook", start_date=date(2024, 9, 1), country="DE")
    db.session.add_all([note, goal, task, placement])
    for p in (active, exited):
        p.restricted_at, p.restriction_reason = utcnow(), "contests accuracy"
    db.session.commit()
    return {"active": active, "exited": exited, "measure": measure, "enrolment": enrolment, "note": note,
            "goal": goal, "task": task, "placement": placement}


def requests(c) -> dict[str, tuple[str, str, dict]]:
    a, x = c["active"].id, c["exited"].id
    return {
        "/api/v1/participants/<int:participant_id>": ("patch", f"/participants/{a}", {"version": c["active"].version, "city": "Berlin"}),
        "/api/v1/participants/<int:participant_id>/anonymise": ("post", f"/participants/{a}/anonymise", {"reason": "request"}),
        "/api/v1/participants/<int:participant_id>/restriction": ("post", f"/participants/{a}/restriction", {"reason": "again"}),
        "/api/v1/participants/<int:participant_id>/consents": ("post", f"/participants/{a}/consents", {
            "purpose": "case_management", "given_on": "2025-01-05", "form": "written", "notice_version": "1",
            "notice_language": "de"}),
        "/api/v1/participants/<int:participant_id>/status-changes": ("post", f"/participants/{a}/status-changes", {"date": "2025-01-05", "status": "employed"}),
        "/api/v1/participants/<int:participant_id>/notes": ("post", f"/participants/{a}/notes", {"date": "2025-01-05", "kind": "phone", "text": "x", "minutes": 5}),
        "/api/v1/participants/<int:participant_id>/notes/<int:note_id>": ("patch", f"/participants/{a}/notes/{c['note'].id}", {"version": c["note"].version, "text": "changed"}),
        "/api/v1/participants/<int:participant_id>/goals": ("post", f"/participants/{a}/goals", {"title": "new goal"}),
        "/api/v1/participants/<int:participant_id>/goals/<int:goal_id>": ("patch", f"/participants/{a}/goals/{c['goal'].id}", {"version": c["goal"].version, "title": "changed"}),
        "/api/v1/participants/<int:participant_id>/tasks": ("post", f"/participants/{a}/tasks", {"title": "new task", "due_date": "2025-02-01"}),
        "/api/v1/participants/<int:participant_id>/tasks/<int:task_id>": ("patch", f"/participants/{a}/tasks/{c['task'].id}", {"version": c["task"].version, "title": "changed"}),
        "/api/v1/participants/<int:participant_id>/enrolments": ("post", f"/participants/{a}/enrolments", {"measure_id": MeasureFactory(organisation=c["active"].organisation).id, "start_date": "2025-01-05", "status": "planned"}),
        "/api/v1/enrolments/<int:enrolment_id>": ("patch", f"/enrolments/{c['enrolment'].id}", {"version": c["enrolment"].version, "status": "completed", "end_date": "2025-01-31"}),
        "/api/v1/participants/<int:participant_id>/placements": ("post", f"/participants/{a}/placements", {"type": "employment", "employer_name": "Kiezküche", "job_title": "cook", "start_date": "2025-01-05", "weekly_hours": 30}),
        "/api/v1/placements/<int:placement_id>": ("patch", f"/placements/{c['placement'].id}", {"version": c["placement"].version, "job_title": "chef"}),
        "/api/v1/placements/<int:placement_id>/end": ("post", f"/placements/{c['placement'].id}/end", {"end_date": "2025-01-31", "status_after_end": "unemployed", "version": c["placement"].version}),
        "/api/v1/participants/<int:participant_id>/reassign": ("post", f"/participants/{a}/reassign", {
            "counsellor_id": UserFactory(organisation=c["active"].organisation, role="counsellor").id,
            "version": c["active"].version}),
        "/api/v1/participants/<int:participant_id>/certificates": ("post", f"/participants/{a}/certificates", {"date": "2025-01-05", "title": "Food hygiene"}),
        "/api/v1/participants/<int:participant_id>/exit": ("post", f"/participants/{a}/exit", {"exit_date": "2025-01-31", "reason": "completed"}),
        "/api/v1/participants/<int:participant_id>/re-entry": ("post", f"/participants/{x}/re-entry", {"date": "2025-03-01"}),
        "/api/v1/participants/<int:participant_id>/partner-enrolments": ("post", f"/participants/{a}/partner-enrolments", {"measure_id": c["measure"].id, "status": "planned"}),
        "/api/v1/participants/<int:participant_id>/referrals": ("post", f"/participants/{a}/referrals", {"organisation_id": c["measure"].organisation_id, "reason": "coaching"}),
        "/api/v1/participants/<int:participant_id>/follow-ups": ("post", f"/participants/{x}/follow-ups", {"kind": "six_months", "date": "2025-07-31", "status": "employed", "improved_situation": True}),
    }


def state(ids) -> dict:
    """Every row about the two participants, as plain tuples."""
    from caseflow.privacy.tables import rows_about
    out = {}
    for pid in ids:
        db.session.expire_all()
        out[pid] = {name: [tuple(sorted((k, str(v)) for k, v in r.items())) for r in rows]
                    for name, rows in rows_about(pid).items() if name != "audit_entries"}
        out[pid]["participant"] = str(db.session.execute(
            sa.select(Participant.__table__).where(Participant.id == pid)).one())
    return out


def test_every_write_route_is_covered(app, restricted_case):
    assert write_routes(app) - set(ALLOWED_WHEN_RESTRICTED) == set(requests(restricted_case))


def test_every_write_answers_409_restricted_and_changes_nothing(app, restricted_case, team_lead, api_as):
    api = api_as(team_lead)
    before = state([restricted_case["active"].id, restricted_case["exited"].id])
    answers = {}
    for rule, (method, path, body) in requests(restricted_case).items():
        response = getattr(api, method)(path, json=body)
        code = (response.json or {}).get("error", {}).get("code")
        answers[rule] = (response.status_code, code)
    wrong = {rule: got for rule, got in answers.items() if got != (409, "restricted")}
    assert wrong == {}, f"these write routes do not refuse a restricted case: {wrong}"
    assert state([restricted_case["active"].id, restricted_case["exited"].id]) == before
