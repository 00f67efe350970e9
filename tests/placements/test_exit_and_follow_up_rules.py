"""Exit, re-entry, certificates and follow-ups."""
from datetime import UTC, date

import pytest
import sqlalchemy as sa

from caseflow.errors import Conflict, DomainError, NotFound
from caseflow.extensions import db
from caseflow.measures.models import Enrolment
from caseflow.participants.models import Participant, Task
from caseflow.placements import services
from caseflow.placements.models import Certificate, Exit, FollowUp, ReEntry
from tests.factories import EnrolmentFactory, MeasureFactory
from tests.placements.helpers import history


def tasks_of(participant):
    return db.session.scalars(sa.select(Task).where(Task.participant_id == participant.id).order_by(Task.id)).all()


def test_exit_sets_the_final_exit_and_creates_both_tasks_for_the_counsellor(participant, counsellor, team_lead):
    result = services.exit_participant(participant, exit_date=date(2024, 8, 31), reason="completed", actor=team_lead)
    p = db.session.get(Participant, participant.id)
    assert (p.status, p.exit_date, p.exit_reason) == ("exited", date(2024, 8, 31), "completed")
    assert result.exit.id is not None
    tasks = tasks_of(participant)
    assert [(t.kind, t.due_date, t.assignee_id, t.done_at) for t in tasks] == [
        ("four_week_check", date(2024, 9, 28), counsellor.id, None),
        ("six_month_follow_up", date(2025, 2, 28), counsellor.id, None),
    ]
    assert all(t.organisation_id == participant.organisation_id for t in tasks)


@pytest.mark.parametrize("bad, field", [
    ({"exit_date": date(2024, 2, 29)}, "exit_date"),
    ({"exit_date": ""}, "exit_date"),
    ({"reason": "bored"}, "reason"),
    ({"reason": None}, "reason"),
])
def test_invalid_exit_changes_nothing(participant, counsellor, bad, field):
    kw = {"exit_date": date(2024, 8, 31), "reason": "completed", **bad}
    with pytest.raises(DomainError) as exc:
        services.exit_participant(participant, actor=counsellor, **kw)
    assert field in exc.value.fields
    assert db.session.get(Participant, participant.id).status == "active"
    assert tasks_of(participant) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Exit)) == 0


def test_exit_twice_is_a_conflict(participant, counsellor):
    services.exit_participant(participant, exit_date=date(2024, 8, 31), reason="completed", actor=counsellor)
    with pytest.raises(Conflict):
        services.exit_participant(participant, exit_date=date(2024, 9, 30), reason="other", actor=counsellor)


def test_exit_closes_open_enrolments_by_default(participant, counsellor, org):
    active = EnrolmentFactory(participant=participant, measure=MeasureFactory(organisation=org),
                              status="active", start_date=date(2024, 3, 15))
    planned = EnrolmentFactory(participant=participant, measure=MeasureFactory(organisation=org),
                               status="planned", start_date=date(2024, 10, 1))
    done = EnrolmentFactory(participant=participant, measure=MeasureFactory(organisation=org),
                            status="completed", start_date=date(2024, 3, 2), end_date=date(2024, 4, 30))
    result = services.exit_participant(participant, exit_date=date(2024, 8, 31), reason="completed", actor=counsellor)
    assert {e.id for e in result.closed_enrolments} == {active.id, planned.id}
    rows = {e.id: (e.status, e.end_date) for e in db.session.scalars(sa.select(Enrolment))}
    assert rows[active.id] == ("completed", date(2024, 8, 31))
    assert rows[planned.id] == ("cancelled", None)          # it would only have started after the exit
    assert rows[done.id] == ("completed", date(2024, 4, 30))  # untouched


def test_exit_closes_enrolments_as_the_counsellor_confirmed(participant, counsellor, org):
    a = EnrolmentFactory(participant=participant, measure=MeasureFactory(organisation=org), status="active")
    b = EnrolmentFactory(participant=participant, measure=MeasureFactory(organisation=org), status="active")
    services.exit_participant(participant, exit_date=date(2024, 8, 31), reason="dropped_out",
                              close_enrolments_as={str(a.id): "dropped_out"}, actor=counsellor)
    rows = {e.id: e.status for e in db.session.scalars(sa.select(Enrolment))}
    assert rows == {a.id: "dropped_out", b.id: "completed"}


def test_exit_refuses_a_bad_closing(participant, counsellor, org):
    a = EnrolmentFactory(participant=participant, measure=MeasureFactory(organisation=org), status="active")
    late = EnrolmentFactory(participant=participant, measure=MeasureFactory(organisation=org), status="planned",
                            start_date=date(2024, 12, 1))
    for close_as in ("active", {"999999": "completed"}, {str(late.id): "completed"}, ["completed"]):
        with pytest.raises(DomainError) as exc:
            services.exit_participant(participant, exit_date=date(2024, 8, 31), reason="completed",
                                      close_enrolments_as=close_as, actor=counsellor)
        assert "close_enrolments_as" in exc.value.fields
    assert db.session.get(Enrolment, a.id).status == "active"


def test_re_entry_reopens_keeping_the_first_entry_and_the_final_exit_is_the_last(participant, counsellor):
    services.exit_participant(participant, exit_date=date(2024, 8, 31), reason="moved_away", actor=counsellor)
    services.re_enter_participant(participant, re_entry_date=date(2024, 11, 4), actor=counsellor)
    p = db.session.get(Participant, participant.id)
    assert (p.status, p.entry_date, p.exit_date, p.exit_reason) == ("active", date(2024, 3, 1), None, None)
    assert tasks_of(participant) == []     # the old exit's follow-up tasks are void
    assert db.session.scalar(sa.select(ReEntry.date)) == date(2024, 11, 4)
    # an exit before the re-entry is refused
    with pytest.raises(DomainError) as exc:
        services.exit_participant(participant, exit_date=date(2024, 11, 1), reason="completed", actor=counsellor)
    assert "exit_date" in exc.value.fields
    services.exit_participant(participant, exit_date=date(2025, 2, 28), reason="completed", actor=counsellor)
    p = db.session.get(Participant, participant.id)
    assert (p.status, p.entry_date, p.exit_date) == ("exited", date(2024, 3, 1), date(2025, 2, 28))
    assert [t.due_date for t in tasks_of(participant)] == [date(2025, 3, 28), date(2025, 8, 28)]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Exit)) == 2


def test_re_entry_rules(participant, counsellor):
    with pytest.raises(Conflict):
        services.re_enter_participant(participant, re_entry_date=date(2024, 11, 4), actor=counsellor)
    services.exit_participant(participant, exit_date=date(2024, 8, 31), reason="other", actor=counsellor)
    with pytest.raises(DomainError) as exc:
        services.re_enter_participant(participant, re_entry_date=date(2024, 8, 30), actor=counsellor)
    assert "date" in exc.value.fields
    assert db.session.get(Participant, participant.id).status == "exited"


def test_certificates(participant, counsellor, enrolment):
    c = services.record_certificate(participant, {"date": date(2024, 7, 10), "title": "telc Deutsch B2",
                                                  "issuing_body": "telc gGmbH", "enrolment_id": enrolment.id},
                                    actor=counsellor)
    assert (c.title, c.issuing_body, c.enrolment_id) == ("telc Deutsch B2", "telc gGmbH", enrolment.id)
    for bad, field in (({"date": date(2024, 2, 1)}, "date"), ({"title": " "}, "title"),
                       ({"date": date(2999, 1, 1)}, "date"), ({"enrolment_id": "7"}, "enrolment_id")):
        with pytest.raises(DomainError) as exc:
            services.record_certificate(participant, {"date": date(2024, 7, 10), "title": "x", **bad}, actor=counsellor)
        assert field in exc.value.fields
    # an enrolment that does not exist for this organisation (none, or another's): 404, as everywhere
    for missing in (987654, 2**31, 2**63):
        with pytest.raises(NotFound):
            services.record_certificate(participant, {"date": date(2024, 7, 10), "title": "x",
                                                      "enrolment_id": missing}, actor=counsellor)
    # recordable after the exit
    services.exit_participant(participant, exit_date=date(2024, 8, 31), reason="completed", actor=counsellor)
    services.record_certificate(participant, {"date": date(2024, 9, 20), "title": "Gabelstaplerschein"}, actor=counsellor)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == 2


def test_follow_up_needs_an_exit(participant, counsellor):
    with pytest.raises(Conflict):
        services.record_follow_up(participant, {"kind": "six_months", "date": date(2024, 8, 1), "status": "employed"},
                                  actor=counsellor)


def test_follow_up_completes_the_matching_task_and_adds_a_known_status(participant, counsellor):
    services.exit_participant(participant, exit_date=date(2024, 8, 31), reason="completed", actor=counsellor)
    f = services.record_follow_up(participant, {"kind": "six_months", "date": date(2025, 3, 3), "status": "employed"},
                                  actor=counsellor)
    assert f.improved_situation is None        # not employed at entry: no improvement question
    done = {t.kind: t.done_at is not None for t in tasks_of(participant)}
    assert done == {"four_week_check": False, "six_month_follow_up": True}
    assert history(participant)[-1] == (date(2025, 3, 3), "employed", "follow_up")
    services.record_follow_up(participant, {"kind": "four_weeks", "date": date(2024, 9, 28), "status": "unemployed"},
                              actor=counsellor)
    assert all(t.done_at is not None for t in tasks_of(participant))


def test_unreachable_is_unknown_never_unemployed(participant, counsellor):
    services.exit_participant(participant, exit_date=date(2024, 8, 31), reason="completed", actor=counsellor)
    f = services.record_follow_up(participant, {"date": date(2025, 3, 3), "status": "unknown"}, actor=counsellor)
    assert (f.kind, f.status) == ("six_months", "unknown")
    assert [h for h in history(participant) if h[2] == "follow_up"] == []


def test_follow_up_validation(participant, counsellor):
    services.exit_participant(participant, exit_date=date(2024, 8, 31), reason="completed", actor=counsellor)
    for bad, field in (({"date": date(2024, 8, 30)}, "date"), ({"date": date(2999, 1, 1)}, "date"),
                       ({"status": "missing"}, "status"), ({"kind": "yearly"}, "kind"),
                       ({"improved_situation": True, "improvement_kind": "promotion"}, "improved_situation")):
        with pytest.raises(DomainError) as exc:
            services.record_follow_up(participant, {"date": date(2025, 3, 1), "status": "employed", **bad},
                                      actor=counsellor)
        assert field in exc.value.fields, bad
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FollowUp)) == 0


def test_improvement_for_people_employed_at_entry(employed_participant, counsellor):
    p = employed_participant
    services.exit_participant(p, exit_date=date(2024, 8, 31), reason="completed", actor=counsellor)
    for bad, field in (({"improved_situation": True, "improvement_kind": "pay_rise"}, "improvement_kind"),
                       ({"improved_situation": True, "improvement_kind": "full_time", "status": "unemployed"},
                        "improved_situation")):
        with pytest.raises(DomainError) as exc:
            services.record_follow_up(p, {"date": date(2025, 3, 1), "status": "employed", **bad}, actor=counsellor)
        assert field in exc.value.fields, bad
    f = services.record_follow_up(p, {"date": date(2025, 3, 1), "status": "employed", "improved_situation": True,
                                      "improvement_kind": "stable_contract"}, actor=counsellor)
    assert (f.improved_situation, f.improvement_kind) == (True, "stable_contract")
    g = services.record_follow_up(p, {"date": date(2025, 3, 5), "status": "employed", "improved_situation": False},
                                  actor=counsellor)
    assert (g.improved_situation, g.improvement_kind) == (False, None)
    # interfaces.md: the kind is optional; improved without a kind is improved of unknown kind
    h = services.record_follow_up(p, {"date": date(2025, 3, 6), "status": "employed", "improved_situation": True},
                                  actor=counsellor)
    assert (h.improved_situation, h.improvement_kind) == (True, None)


def test_the_latest_six_month_follow_up_counts(employed_participant, counsellor):
    from caseflow.placements.indicators import leaving_preview
    p = employed_participant
    services.exit_participant(p, exit_date=date(2024, 8, 31), reason="completed", actor=counsellor)
    services.record_follow_up(p, {"date": date(2025, 3, 5), "status": "employed", "improved_situation": True,
                                  "improvement_kind": "promotion"}, actor=counsellor)
    services.record_follow_up(p, {"date": date(2025, 3, 1), "status": "unemployed"}, actor=counsellor)
    services.record_follow_up(p, {"date": date(2025, 3, 5), "status": "self_employed"}, actor=counsellor)
    preview = leaving_preview(db.session.get(Participant, p.id), today=date(2025, 6, 1))
    assert (preview.six_month_status, preview.improved_situation) == ("self_employed", False)


def test_exit_and_re_entry_cannot_lie_in_the_future(participant, counsellor):
    from datetime import timedelta
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    with pytest.raises(DomainError) as exc:
        services.exit_participant(participant, exit_date=tomorrow, reason="completed", actor=counsellor)
    assert "exit_date" in exc.value.fields
    services.exit_participant(participant, exit_date=date(2024, 8, 31), reason="completed", actor=counsellor)
    with pytest.raises(DomainError) as exc:
        services.re_enter_participant(participant, re_entry_date=tomorrow, actor=counsellor)
    assert "date" in exc.value.fields


def test_an_active_enrolment_is_not_cancelled_at_exit(participant, counsellor, enrolment):
    with pytest.raises(DomainError) as exc:
        services.exit_participant(participant, exit_date=date(2024, 8, 31), reason="completed",
                                  close_enrolments_as="cancelled", actor=counsellor)
    assert "close_enrolments_as" in exc.value.fields
    assert db.session.get(Participant, participant.id).status == "active"


def test_exit_passes_the_freed_place_to_the_waiting_list(participant, counsellor, org):
    from datetime import datetime
    full = MeasureFactory(organisation=org, capacity=1, type="language_course")
    EnrolmentFactory(participant=participant, measure=full, status="active", start_date=date(2024, 3, 15))
    from tests.factories import ParticipantFactory
    waiting = EnrolmentFactory(participant=ParticipantFactory(organisation=org), measure=full, status="planned",
                               start_date=date(2024, 9, 1), waitlisted_at=datetime(2024, 3, 20, tzinfo=UTC))
    services.exit_participant(participant, exit_date=date(2024, 8, 31), reason="completed", actor=counsellor)
    db.session.expire_all()
    assert db.session.get(Enrolment, waiting.id).waitlisted_at is None
