"""Fixtures of the partnership tests: two partner organisations (org and other_org from the root
conftest) with a counsellor each, and a participant who consented to partner sharing."""
from __future__ import annotations

from datetime import date

import pytest

from caseflow.partnerships import services
from caseflow.privacy.services import ConsentData, record_consent
from tests.factories import MeasureFactory, ParticipantFactory, UserFactory


def consent(participant, actor, purpose: str = "partner_sharing"):
    return record_consent(participant.id, ConsentData(purpose=purpose, given_on=date(2024, 3, 1), form="written",
                                                      notice_version="2024-1", notice_language="de"), actor=actor)


@pytest.fixture
def partnership(org, other_org):
    return services.create_partnership("ProIntegration", [org.id, other_org.id], joined_on=date(2024, 1, 1))


@pytest.fixture
def partner_lead(other_org):
    return UserFactory(role="team_lead", organisation=other_org, name="Greta Lang", email="greta@bruecke.example")


@pytest.fixture
def partner_measure(other_org):
    return MeasureFactory(organisation=other_org, title="Gründungscoaching", type="startup_coaching",
                          start_date=date(2024, 1, 1), end_date=date(2099, 12, 31), capacity=12,
                          location="Spandau, Carl-Schurz-Str. 8")


@pytest.fixture
def referred_person(org, counsellor):
    return ParticipantFactory(organisation=org, counsellor_id=counsellor.id, first_name="Lejla", last_name="Hodžić",
                              date_of_birth=date(1991, 4, 9), email="lejla@example.org", phone="+49 30 1234567",
                              street="Weserstr. 5", postcode="12047", city="Berlin", district="Neukölln",
                              disability="yes", special_categories_consent_date=date(2024, 3, 1))


@pytest.fixture
def consenting(referred_person, counsellor):
    consent(referred_person, counsellor)
    return referred_person
