"""Fixtures of the measures tests: a participant of each organisation and measures to enrol into."""
from __future__ import annotations

from datetime import date

import pytest

from tests.factories import EmployerFactory, MeasureFactory, ParticipantFactory


@pytest.fixture
def participant(org, counsellor):
    return ParticipantFactory(organisation=org, counsellor_id=counsellor.id, entry_date=date(2024, 3, 1))


@pytest.fixture
def other_participant(other_org, other_counsellor):
    return ParticipantFactory(organisation=other_org, counsellor_id=other_counsellor.id)


@pytest.fixture
def measure(org):
    return MeasureFactory(organisation=org, type="language_course", title="Deutsch für den Beruf B1",
                          start_date=date(2024, 1, 1), end_date=date(2025, 12, 31))


@pytest.fixture
def other_measure(other_org):
    return MeasureFactory(organisation=other_org, type="matching", title="Matching Spandau")


@pytest.fixture
def employer(org):
    return EmployerFactory(organisation=org, name="Holzbau Kreuzberg GmbH", nace_section="F", size="small")


@pytest.fixture
def make_participant(org, counsellor):
    def make(**kw):
        kw.setdefault("organisation", org)
        kw.setdefault("counsellor_id", counsellor.id)
        return ParticipantFactory(**kw)
    return make
