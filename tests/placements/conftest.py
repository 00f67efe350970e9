from datetime import date

import pytest

from tests.factories import EmployerFactory, EnrolmentFactory, MeasureFactory, ParticipantFactory


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
    return EmployerFactory(organisation=organisation, name=name)


@pytest.fixture
def employer(org):
    return make_employer(org, "Vivantes Klinikum Neukölln")


@pytest.fixture
def other_employer(other_org):
    return make_employer(other_org, "Spandauer Stahlbau GmbH")
