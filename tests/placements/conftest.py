from datetime import date

import pytest

from caseflow.extensions import db
from caseflow.measures.models import Employer
from tests.factories import EnrolmentFactory, MeasureFactory, ParticipantFactory


@pytest.fixture
def participant(org, counsellor):
    return ParticipantFactory(organisation=org, counsellor=counsellor, entry_date=date(2024, 3, 1),
                              labour_status_at_entry="unemployed", unemployed_since=date(2023, 6, 1))


@pytest.fixture
def employed_participant(org, counsellor):
    return ParticipantFactory(organisation=org, counsellor=counsellor, entry_date=date(2024, 3, 1),
                              labour_status_at_entry="employed", unemployed_since=None)


@pytest.fixture
def foreign_participant(other_org, other_counsellor):
    return ParticipantFactory(organisation=other_org, counsellor=other_counsellor, entry_date=date(2024, 3, 1))


@pytest.fixture
def measure(org):
    return MeasureFactory(organisation=org, title="Jobmatching Neukölln")


@pytest.fixture
def enrolment(participant, measure):
    return EnrolmentFactory(participant=participant, measure=measure, status="active", start_date=date(2024, 3, 15))


def make_employer(organisation, name):
    """tests.factories.EmployerFactory passes `organisation=`, which Employer (no relationship) does
    not accept; build the row with the id instead."""
    employer = Employer(organisation_id=organisation.id, name=name)
    db.session.add(employer)
    db.session.commit()
    return employer


@pytest.fixture
def employer(org):
    return make_employer(org, "Vivantes Klinikum Neukölln")


@pytest.fixture
def other_employer(other_org):
    return make_employer(other_org, "Spandauer Stahlbau GmbH")
