"""The business rules of enrolments, capacity, details and attendance, through the services."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from caseflow.audit.models import AuditEntry
from caseflow.database import unit_of_work
from caseflow.errors import Conflict, DomainError, Forbidden
from caseflow.extensions import db
from caseflow.measures import services
from caseflow.measures.models import Attendance, Enrolment
from caseflow.measures.services import TRANSITIONS, EnrolmentInput
from caseflow.participants.models import Task
from caseflow.vocabulary import ENROLMENT_STATUSES
from tests.factories import EnrolmentFactory, MeasureFactory


def enrol(participant, measure, actor, **kw):
    kw.setdefault("start_date", date(2024, 4, 1))
    return services.enrol_participant(participant, measure, EnrolmentInput(**kw), actor=actor)


# --- transitions -----------------------------------------------------------------------------------

ALL_PAIRS = [(a, b) for a in ENROLMENT_STATUSES for b in ENROLMENT_STATUSES if a != b]


@pytest.mark.parametrize("old, new", ALL_PAIRS)
def test_only_allowed_transitions(participant, measure, counsellor, old, new):
    enrolment = EnrolmentFactory(participant=participant, measure=measure, status=old,
                                 start_date=date(2024, 4, 1), end_date=date(2024, 9, 1),
                                 dropout_reason="x" if old == "dropped_out" else None)
    changes = {"status": new}
    if new == "dropped_out":
        changes["dropout_reason"] = "moved to Hamburg"
    if new in TRANSITIONS[old]:
        services.change_enrolment(enrolment, changes, version=enrolment.version, actor=counsellor)
        assert db.session.get(Enrolment, enrolment.id).status == new
    else:
        with pytest.raises(Conflict) as exc:
            services.change_enrolment(enrolment, changes, version=enrolment.version, actor=counsellor)
        assert exc.value.code == "invalid_transition"
        assert db.session.get(Enrolment, enrolment.id).status == old


def test_completed_never_goes_back_to_planned(participant, measure, counsellor):
    assert "planned" not in TRANSITIONS["completed"] and not TRANSITIONS["completed"]


def test_dropout_needs_reason(participant, measure, counsellor):
    enrolment = enrol(participant, measure, counsellor, status="active")
    with pytest.raises(DomainError) as exc:
        services.change_enrolment(enrolment, {"status": "dropped_out", "dropout_reason": "  "},
                                  version=enrolment.version, actor=counsellor)
    assert "dropout_reason" in exc.value.fields


def test_dates_rules(participant, measure, counsellor):
    with pytest.raises(DomainError) as exc:
        enrol(participant, measure, counsellor, start_date=date(2024, 2, 29))
    assert "start_date" in exc.value.fields
    with pytest.raises(DomainError) as exc:
        enrol(participant, measure, counsellor, start_date=date(2024, 5, 1), end_date=date(2024, 4, 30))
    assert "end_date" in exc.value.fields
    with pytest.raises(DomainError) as exc:
        enrol(participant, measure, counsellor, start_date=None, status="active")
    assert "start_date" in exc.value.fields
    assert db.session.query(Enrolment).count() == 0


def test_one_unfinished_enrolment_per_measure(participant, measure, counsellor):
    first = enrol(participant, measure, counsellor, status="active")
    with pytest.raises(Conflict):
        enrol(participant, measure, counsellor)
    services.change_enrolment(first, {"status": "completed"}, version=first.version, actor=counsellor)
    again = enrol(participant, measure, counsellor, start_date=date(2025, 1, 10))
    assert again.status == "planned"


def test_database_keeps_out_a_raced_second_enrolment(participant, measure, counsellor, monkeypatch):
    enrol(participant, measure, counsellor)
    # Simulate the race: the application check sees nothing, the partial unique index still refuses.
    real_scalar = db.session.scalar

    def blind_scalar(stmt, *a, **kw):
        if "enrolments" in str(stmt) and "status IN" in str(stmt) and "count" not in str(stmt):
            return None
        return real_scalar(stmt, *a, **kw)

    monkeypatch.setattr(db.session, "scalar", blind_scalar)
    with pytest.raises(Conflict) as exc:
        enrol(participant, measure, counsellor)
    monkeypatch.undo()
    assert exc.value.code == "already_enrolled"
    assert db.session.query(Enrolment).count() == 1


def test_exited_participant_cannot_be_enrolled(participant, measure, counsellor):
    with unit_of_work():
        participant.status, participant.exit_date = "exited", date(2024, 12, 31)
    with pytest.raises(Conflict):
        enrol(participant, measure, counsellor)


def test_other_organisation_measure_refused(participant, other_measure, counsellor):
    with pytest.raises(DomainError) as exc:
        enrol(participant, other_measure, counsellor)
    assert "measure_id" in exc.value.fields


def test_inactive_measure_refused(participant, measure, counsellor):
    with unit_of_work():
        measure.active = False
    with pytest.raises(DomainError):
        enrol(participant, measure, counsellor)


def test_audit_entry_written_with_enrolment(participant, measure, counsellor):
    enrolment = enrol(participant, measure, counsellor)
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "enrolment.create"))
    assert entry.object_id == enrolment.id and entry.participant_id == participant.id


# --- capacity and waiting list ---------------------------------------------------------------------

def test_waiting_list_in_order_and_freed_place_moves_the_first(org, counsellor, make_participant):
    measure = MeasureFactory(organisation=org, type="coaching", capacity=2)
    people = [make_participant() for _ in range(5)]
    enrolments = [enrol(p, measure, counsellor, status="active") for p in people]
    assert [e.waitlisted_at is None for e in enrolments] == [True, True, False, False, False]
    assert [e.status for e in enrolments[2:]] == ["planned"] * 3
    assert services.places_taken(measure.id) == 2
    # A waiting enrolment cannot start before it has a place.
    with pytest.raises(Conflict):
        services.change_enrolment(enrolments[2], {"status": "active"}, version=enrolments[2].version,
                                  actor=counsellor)
    # Someone leaves the waiting list: the order of the rest stays.
    third = db.session.get(Enrolment, enrolments[3].id)
    services.change_enrolment(third, {"status": "cancelled"}, version=third.version, actor=counsellor)
    first = db.session.get(Enrolment, enrolments[0].id)
    services.change_enrolment(first, {"status": "completed"}, version=first.version, actor=counsellor)
    db.session.expire_all()
    states = [db.session.get(Enrolment, e.id) for e in enrolments]
    assert states[2].waitlisted_at is None and states[2].status == "planned"
    assert states[4].waitlisted_at is not None
    task = db.session.scalar(sa.select(Task).where(Task.participant_id == people[2].id))
    assert task is not None and task.assignee_id == counsellor.id
    # Caseflow's own task: its kind and values, so that every reader sees it in their language
    assert task.kind == "place_offered" and task.title_params == {"measure": measure.title}
    services.change_enrolment(states[2], {"status": "active"}, version=states[2].version, actor=counsellor)


def test_raised_capacity_moves_waiting_people_on(org, team_lead, counsellor, make_participant):
    measure = MeasureFactory(organisation=org, type="coaching", capacity=1)
    enrolments = [enrol(make_participant(), measure, counsellor) for _ in range(3)]
    assert sum(e.waitlisted_at is not None for e in enrolments) == 2
    services.update_measure(measure, {"capacity": 2}, version=measure.version, actor=team_lead)
    db.session.expire_all()
    assert [db.session.get(Enrolment, e.id).waitlisted_at is None for e in enrolments] == [True, True, False]


def test_finished_enrolments_do_not_take_places(org, counsellor, make_participant):
    measure = MeasureFactory(organisation=org, type="coaching", capacity=1)
    enrol(make_participant(), measure, counsellor, status="completed", end_date=date(2024, 6, 1))
    assert enrol(make_participant(), measure, counsellor).waitlisted_at is None


# --- measures --------------------------------------------------------------------------------------

def test_measure_roles(org, counsellor, team_lead, other_org, admin):
    data = {"title": "Gründungscoaching", "type": "startup_coaching", "start_date": date(2025, 1, 1)}
    with pytest.raises(Forbidden):
        services.create_measure(data, organisation_id=org.id, actor=counsellor)
    own = services.create_measure(data, organisation_id=other_org.id, actor=team_lead)
    assert own.organisation_id == org.id
    theirs = services.create_measure(data, organisation_id=other_org.id, actor=admin)
    with pytest.raises(Forbidden):
        services.update_measure(theirs, {"title": "Neu"}, version=theirs.version, actor=team_lead)


def test_measure_type_fixed_once_enrolled(participant, measure, team_lead, counsellor):
    enrol(participant, measure, counsellor)
    with pytest.raises(DomainError) as exc:
        services.update_measure(measure, {"type": "coaching"}, version=measure.version, actor=team_lead)
    assert "type" in exc.value.fields


# --- type details ----------------------------------------------------------------------------------

@pytest.mark.parametrize("measure_type, details, bad_field", [
    ("trainee_partnership", {"contract_start": "2024-04-01", "contract_end": "2024-06-30"}, "contract_end"),
    ("trainee_partnership", {"contract_start": "2024-04-01", "contract_end": "2026-04-01"}, "contract_end"),
    ("trainee_partnership", {"contract_start": "2024-04-01", "contract_end": "2024-03-01"}, "contract_end"),
    ("trainee_partnership", {"midterm_review_result": "on_track"}, "midterm_review_date"),
    ("trainee_partnership", {"contract_start": "2024-04-01", "contract_end": "2025-03-31",
                             "midterm_review_date": "2025-06-01"}, "midterm_review_date"),
    ("startup_coaching", {"sector": "Z"}, "sector"),
    ("startup_coaching", {"business_registered_on": "2999-01-01"}, "business_registered_on"),
    ("low_threshold_qualification", {"trade_field": "plumbing"}, "trade_field"),
    ("low_threshold_qualification", {"hours_planned": 100, "hours_attended": 120}, "hours_attended"),
    ("low_threshold_qualification", {"hours_planned": "many"}, "hours_planned"),
    ("low_threshold_qualification", {"certificate": "yes"}, "certificate"),
    ("recognition_counselling", {"outcome": "partial"}, "decision_date"),
    ("recognition_counselling", {"application_date": "2024-05-01", "decision_date": "2024-04-01",
                                 "outcome": "none"}, "decision_date"),
    ("recognition_counselling", {"qualification_country": "XX"}, "qualification_country"),
    ("recognition_counselling", {"outcome": "maybe"}, "outcome"),
    ("language_course", {"level_start": "B3"}, "level_start"),
    ("language_course", {"level_end": "B1"}, "level_start"),
    ("matching", {"interviews": -1}, "interviews"),
    ("matching", {"target_occupations": "Elektriker"} | {"unknown": 1}, "details"),
    ("adaptation_qualification", {"linked_enrolment_id": "seven"}, "linked_enrolment_id"),
    ("intercultural_training", {"days": 0}, "days"),
    ("coaching", {"focus": "x" * 201}, "focus"),
])
def test_details_validation(org, participant, counsellor, measure_type, details, bad_field):
    measure = MeasureFactory(organisation=org, type=measure_type)
    with pytest.raises(DomainError) as exc:
        enrol(participant, measure, counsellor, details=details)
    assert bad_field in exc.value.fields
    assert db.session.query(Enrolment).count() == 0


@pytest.mark.parametrize("measure_type, details", [
    ("matching", {"target_occupations": ["Elektroniker", "Mechatroniker"], "companies_approached": 6,
                  "interviews": 2}),
    ("startup_coaching", {"business_idea": "Catering", "sector": "I", "business_plan_done_on": "2024-06-01"}),
    ("low_threshold_qualification", {"trade_field": "wood", "hours_planned": 320, "hours_attended": 300,
                                     "certificate": True, "labour_market": "country_of_origin"}),
    ("recognition_counselling", {"qualification": "Bauingenieur", "qualification_country": "UA",
                                 "reference_occupation": "Bauingenieur/in", "regulated": True,
                                 "competent_authority": "Baukammer Berlin", "application_date": "2024-04-10",
                                 "decision_date": "2024-07-01", "outcome": "partial"}),
    ("language_course", {"level_start": "A2", "level_end": "B1"}),
    ("intercultural_training", {"days": 3}),
    ("coaching", {"sessions": 8, "focus": "Bewerbung"}),
])
def test_valid_details_are_stored(org, participant, counsellor, measure_type, details):
    measure = MeasureFactory(organisation=org, type=measure_type)
    enrolment = enrol(participant, measure, counsellor, details=details)
    assert db.session.get(Enrolment, enrolment.id).details == details


def test_trainee_partnership_host_company(org, participant, counsellor, employer, other_org):
    from tests.factories import EmployerFactory
    measure = MeasureFactory(organisation=org, type="trainee_partnership")
    foreign = EmployerFactory(organisation=other_org)
    with pytest.raises(DomainError):
        enrol(participant, measure, counsellor, details={"host_employer_id": foreign.id})
    enrolment = enrol(participant, measure, counsellor, details={
        "host_employer_id": employer.id, "mentor": "Meisterin Kaya", "contract_start": "2024-04-01",
        "contract_end": "2025-03-31", "midterm_review_date": "2024-10-01", "midterm_review_result": "on_track"})
    assert enrolment.host_employer_id == employer.id
    assert "host_employer_id" not in enrolment.details


def test_partial_recognition_links_an_adaptation_qualification(org, participant, counsellor):
    recognition = MeasureFactory(organisation=org, type="recognition_counselling")
    adaptation = MeasureFactory(organisation=org, type="adaptation_qualification")
    pending = enrol(participant, recognition, counsellor, details={"outcome": "pending"})
    with pytest.raises(DomainError) as exc:
        enrol(participant, adaptation, counsellor, details={"linked_enrolment_id": pending.id})
    assert "linked_enrolment_id" in exc.value.fields
    services.change_enrolment(pending, {"details": {"application_date": "2024-04-02", "decision_date": "2024-06-20",
                                                    "outcome": "partial"}},
                              version=pending.version, actor=counsellor)
    linked = enrol(participant, adaptation, counsellor, details={"linked_enrolment_id": pending.id,
                                                                  "compensation_form": "adaptation_course"})
    assert linked.linked_enrolment_id == pending.id


def test_details_patch_merges(org, participant, counsellor):
    measure = MeasureFactory(organisation=org, type="language_course")
    enrolment = enrol(participant, measure, counsellor, details={"level_start": "A2"})
    services.change_enrolment(enrolment, {"details": {"level_end": "B1"}}, version=enrolment.version,
                              actor=counsellor)
    assert db.session.get(Enrolment, enrolment.id).details == {"level_start": "A2", "level_end": "B1"}


# --- attendance ------------------------------------------------------------------------------------

def test_attendance_rate_and_task_once_then_again_after_recovery(org, counsellor, participant, measure):
    enrolment = enrol(participant, measure, counsellor, status="active")
    sessions = [services.add_session(measure, session_date=date(2024, 4, d), topic=None, actor=counsellor)
                for d in range(2, 12)]

    def attend(i, present):
        return services.record_attendance(sessions[i], {enrolment.id: present}, actor=counsellor)

    for i in range(4):
        assert attend(i, True) == []
    assert attend(4, False) == []           # 4/5 = 80 %: not below
    assert attend(5, False) == [enrolment]  # 4/6 < 80 %: one task
    assert attend(6, False) == []           # still low: no second task
    tasks = db.session.scalars(sa.select(Task).where(Task.kind == "attendance")).all()
    assert len(tasks) == 1 and tasks[0].assignee_id == counsellor.id and tasks[0].participant_id == participant.id
    assert tasks[0].title_params == {"measure": measure.title, "present": 4, "total": 6}
    assert services.attendance_rates([enrolment.id])[enrolment.id] == (4, 7)
    # Correcting a session back to present lifts the rate; a later fall raises a new task.
    for i in (4, 5, 6):
        services.record_attendance(sessions[i], {enrolment.id: True}, actor=counsellor)
    assert db.session.get(Enrolment, enrolment.id).attendance_alerted_at is None
    attend(7, False)
    attend(8, False)
    assert len(db.session.scalars(sa.select(Task).where(Task.kind == "attendance")).all()) == 2


def test_attendance_only_for_the_roster(org, counsellor, participant, measure, make_participant):
    enrolment = enrol(participant, measure, counsellor, status="active", start_date=date(2024, 5, 1))
    session = services.add_session(measure, session_date=date(2024, 4, 20), topic=None, actor=counsellor)
    with pytest.raises(DomainError):
        services.record_attendance(session, {enrolment.id: True}, actor=counsellor)
    with pytest.raises(DomainError):
        services.add_session(measure, session_date=date(2030, 1, 1), topic=None, actor=counsellor)


def test_restricted_case_gets_no_attendance_nor_task(org, counsellor, participant, measure):
    """A restricted case (GDPR Art. 18) is read-only: it is off the roster, so attendance for it
    is refused and no attendance task is written."""
    from caseflow.models_base import utcnow
    enrolment = enrol(participant, measure, counsellor, status="active")
    session = services.add_session(measure, session_date=date(2024, 4, 2), topic=None, actor=counsellor)
    with unit_of_work():
        participant.restricted_at = utcnow()
    assert enrolment.id not in {e.id for e in db.session.scalars(services.session_roster(session))}
    with pytest.raises(DomainError):
        services.record_attendance(session, {enrolment.id: False}, actor=counsellor)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attendance)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Task)) == 0


def test_other_organisation_cannot_record_attendance(org, counsellor, other_counsellor, measure):
    session = services.add_session(measure, session_date=date(2024, 4, 2), topic=None, actor=counsellor)
    from caseflow.errors import NotFound
    with pytest.raises(NotFound):
        services.record_attendance(session, {}, actor=other_counsellor)
    with pytest.raises(NotFound):
        services.add_session(measure, session_date=date(2024, 4, 3), topic=None, actor=other_counsellor)


def test_timeline_has_enrolment_and_change(app, participant, measure, counsellor):
    from caseflow.measures.timeline import enrolment_events
    enrolment = enrol(participant, measure, counsellor, status="active")
    services.change_enrolment(enrolment, {"status": "dropped_out", "dropout_reason": "Umzug"},
                              version=enrolment.version, actor=counsellor)
    with app.test_request_context():
        events = enrolment_events(participant)
    kinds = sorted(e.kind for e in events)
    assert kinds == ["enrolment", "enrolment_change"]
    change = next(e for e in events if e.kind == "enrolment_change")
    assert "Umzug" in change.detail


def test_close_enrolments_for_exit_respects_transitions_and_frees_the_place(org, counsellor, make_participant):
    measure = MeasureFactory(organisation=org, type="coaching", capacity=1)
    leaving, waiting = make_participant(), make_participant()
    active = enrol(leaving, measure, counsellor, status="active")
    queued = enrol(waiting, measure, counsellor)
    assert queued.waitlisted_at is not None
    with pytest.raises(Conflict):
        services.close_enrolments_for_exit(leaving, {active.id: "cancelled"}, exit_date=date(2024, 8, 31),
                                           actor=counsellor)
    db.session.expire_all()
    assert db.session.get(Enrolment, active.id).status == "active"      # the refused unit wrote nothing
    services.close_enrolments_for_exit(leaving, {active.id: "completed"}, exit_date=date(2024, 8, 31),
                                       actor=counsellor)
    db.session.expire_all()
    assert db.session.get(Enrolment, active.id).end_date == date(2024, 8, 31)
    assert db.session.get(Enrolment, queued.id).waitlisted_at is None


@pytest.mark.parametrize("kind, make_details", [
    ("trainee_partnership", lambda other: {"host_employer_id": other["employer"]}),
    ("trainee_partnership", lambda other: {"host_employer_id": 999999}),
    ("trainee_partnership", lambda other: {"host_employer_id": 2**31}),
    ("adaptation_qualification", lambda other: {"linked_enrolment_id": other["enrolment"]}),
    ("adaptation_qualification", lambda other: {"linked_enrolment_id": 2**63}),
])
def test_details_naming_what_the_organisation_does_not_have_are_404(org, other_org, participant, counsellor,
                                                                    other_participant, other_measure, kind,
                                                                    make_details):
    from caseflow.errors import NotFound
    from tests.factories import EmployerFactory
    other = {"employer": EmployerFactory(organisation=other_org, name="Fremd GmbH").id,
             "enrolment": EnrolmentFactory(participant=other_participant, measure=other_measure).id}
    measure = MeasureFactory(organisation=org, type=kind)
    with pytest.raises(NotFound):
        enrol(participant, measure, counsellor, details=make_details(other))
    assert db.session.query(Enrolment).filter_by(participant_id=participant.id).count() == 0
