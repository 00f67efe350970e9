"""Placements: validation, the status change they add and keep consistent, employers."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from caseflow.errors import Conflict, DomainError, NotFound
from caseflow.extensions import db
from caseflow.measures.models import Employer
from caseflow.placements import services
from caseflow.placements.models import Placement
from tests.placements.helpers import history


def data(**kw):
    base = {"type": "employment", "employer_name": "Bäckerei Kaya", "job_title": "Verkäuferin",
            "start_date": date(2024, 6, 1), "weekly_hours": 30}
    base.update(kw)
    return base


@pytest.mark.parametrize("placement_type, status", [
    ("employment", "employed"), ("marginal_employment", "employed"), ("apprenticeship", "employed"),
    ("self_employment", "self_employed"), ("internship", None),
])
def test_placement_adds_the_status_of_its_type_on_its_start_date(participant, counsellor, placement_type, status):
    placement = services.record_placement(participant, data(type=placement_type), actor=counsellor)
    expected = [(date(2024, 3, 1), "unemployed", "entry")]
    if status:
        expected.append((date(2024, 6, 1), status, "placement"))
    assert history(participant) == expected
    assert placement.id is not None


@pytest.mark.parametrize("bad, field", [
    ({"type": "volunteering"}, "type"),
    ({"type": None}, "type"),
    ({"start_date": date(2024, 2, 29)}, "start_date"),          # before the entry on 2024-03-01
    ({"start_date": date(2024, 6, 1), "end_date": date(2024, 5, 31)}, "end_date"),
    ({"weekly_hours": 0}, "weekly_hours"),
    ({"weekly_hours": 61}, "weekly_hours"),
    ({"weekly_hours": "lots"}, "weekly_hours"),
    ({"country": "XX"}, "country"),
    ({"evidence": "rumour"}, "evidence"),
    ({"employer_name": ""}, "employer_name"),
    ({"start_date": "01.06.2024"}, "start_date"),
])
def test_invalid_placements_are_refused_and_change_nothing(participant, counsellor, bad, field):
    with pytest.raises(DomainError) as exc:
        services.record_placement(participant, data(**bad), actor=counsellor)
    assert exc.value.status == 422
    assert field in exc.value.fields
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Placement)) == 0
    assert len(history(participant)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Employer)) == 0


def test_boundaries_are_accepted(participant, counsellor):
    p = services.record_placement(participant, data(start_date=date(2024, 3, 1), end_date=date(2024, 3, 1),
                                                    weekly_hours=60), actor=counsellor)
    assert p.weekly_hours == Decimal("60.0")
    q = services.record_placement(participant, data(weekly_hours=1, country="pl"), actor=counsellor)
    assert q.country == "PL"


def test_enrolment_must_be_this_participants(participant, counsellor, enrolment, org):
    from tests.factories import EnrolmentFactory, ParticipantFactory
    someone_else = EnrolmentFactory(participant=ParticipantFactory(organisation=org))
    with pytest.raises(DomainError) as exc:
        services.record_placement(participant, data(enrolment_id=someone_else.id), actor=counsellor)
    assert "enrolment_id" in exc.value.fields
    p = services.record_placement(participant, data(enrolment_id=enrolment.id), actor=counsellor)
    assert p.enrolment_id == enrolment.id


def test_new_employer_is_created_in_the_participants_organisation(participant, counsellor, org):
    p = services.record_placement(participant, data(employer_name="  Späti am Hermannplatz "), actor=counsellor)
    employer = db.session.get(Employer, p.employer_id)
    assert employer.organisation_id == org.id
    assert employer.name == "Späti am Hermannplatz" == p.employer_name
    # the same name again reuses the directory entry
    q = services.record_placement(participant, data(employer_name="späti am hermannplatz"), actor=counsellor)
    assert q.employer_id == p.employer_id


def test_directory_employer_of_another_organisation_is_refused(participant, counsellor, other_employer, employer):
    # another organisation's employer does not exist for this one: 404, as everywhere
    with pytest.raises(NotFound):
        services.record_placement(participant, data(employer_id=other_employer.id), actor=counsellor)
    p = services.record_placement(participant, data(employer_id=employer.id, employer_name=None), actor=counsellor)
    assert (p.employer_id, p.employer_name) == (employer.id, "Vivantes Klinikum Neukölln")


def test_self_employment_needs_no_employer(participant, counsellor):
    p = services.record_placement(participant, data(type="self_employment", employer_name=None), actor=counsellor)
    assert p.employer_id is None


def test_placement_may_be_recorded_after_the_exit(participant, counsellor):
    services.exit_participant(participant, exit_date=date(2024, 9, 30), reason="completed", actor=counsellor)
    services.record_placement(participant, data(start_date=date(2024, 10, 14)), actor=counsellor)
    assert history(participant)[-1] == (date(2024, 10, 14), "employed", "placement")


def test_ending_adds_the_following_status_on_the_day_after_the_end(participant, counsellor):
    p = services.record_placement(participant, data(), actor=counsellor)
    services.end_placement(p, participant, end_date=date(2024, 8, 31), status_after="unemployed",
                           version=p.version, actor=counsellor)
    assert history(participant)[-1] == (date(2024, 9, 1), "unemployed", "placement_end")
    from caseflow.placements.indicators import status_on
    assert status_on(participant.id, date(2024, 8, 31)) == "employed"
    assert status_on(participant.id, date(2024, 9, 1)) == "unemployed"
    # ending again corrects, never duplicates
    services.end_placement(p, participant, end_date=date(2024, 9, 15), status_after="education_or_training",
                           version=p.version, actor=counsellor)
    ends = [h for h in history(participant) if h[2] == "placement_end"]
    assert ends == [(date(2024, 9, 16), "education_or_training", "placement_end")]


def test_ending_validates(participant, counsellor):
    p = services.record_placement(participant, data(), actor=counsellor)
    with pytest.raises(DomainError) as exc:
        services.end_placement(p, participant, end_date=date(2024, 5, 1), status_after="",
                               version=p.version, actor=counsellor)
    assert set(exc.value.fields) == {"end_date", "status_after_end"}
    with pytest.raises(Conflict):
        services.end_placement(p, participant, end_date=date(2024, 8, 1), status_after="unemployed",
                               version=p.version + 1, actor=counsellor)


def test_update_keeps_the_status_change_consistent(participant, counsellor):
    p = services.record_placement(participant, data(end_date=date(2024, 12, 31), status_after_end="unemployed"),
                                  actor=counsellor)
    assert history(participant)[1:] == [(date(2024, 6, 1), "employed", "placement"),
                                        (date(2025, 1, 1), "unemployed", "placement_end")]
    services.update_placement(p, participant, {"start_date": date(2024, 7, 1), "end_date": date(2025, 1, 31)},
                              version=p.version, actor=counsellor)
    assert sorted(history(participant)[1:]) == [(date(2024, 7, 1), "employed", "placement"),
                                                (date(2025, 2, 1), "unemployed", "placement_end")]
    services.update_placement(p, participant, {"type": "internship"}, version=p.version, actor=counsellor)
    assert [h for h in history(participant) if h[2] == "placement"] == []
    services.update_placement(p, participant, {"type": "self_employment", "end_date": None},
                              version=p.version, actor=counsellor)
    assert history(participant)[1:] == [(date(2024, 7, 1), "self_employed", "placement")]


def test_update_with_a_stale_version_changes_nothing(participant, counsellor):
    p = services.record_placement(participant, data(), actor=counsellor)
    old_version = p.version
    services.update_placement(p, participant, {"job_title": "Filialleiterin"}, version=old_version, actor=counsellor)
    with pytest.raises(Conflict):
        services.update_placement(p, participant, {"job_title": "Aushilfe"}, version=old_version, actor=counsellor)
    assert db.session.get(Placement, p.id).job_title == "Filialleiterin"


def test_update_validates_like_create(participant, counsellor):
    p = services.record_placement(participant, data(), actor=counsellor)
    with pytest.raises(DomainError) as exc:
        services.update_placement(p, participant, {"end_date": date(2024, 1, 1), "weekly_hours": 70},
                                  version=p.version, actor=counsellor)
    assert set(exc.value.fields) == {"end_date", "weekly_hours"}


def test_add_months_clamps_to_the_month_end():
    assert services.add_months(date(2024, 8, 31), 6) == date(2025, 2, 28)
    assert services.add_months(date(2023, 8, 31), 6) == date(2024, 2, 29)
    assert services.add_months(date(2024, 7, 15), 6) == date(2025, 1, 15)
    assert services.add_months(date(2024, 1, 1), 6) - date(2024, 1, 1) == timedelta(days=182)
