"""Fixtures of the working day's tests: a team of two counsellors and a team lead, cases, tasks."""
from __future__ import annotations

from datetime import date

import pytest

from tests.factories import ParticipantFactory, UserFactory

TODAY = date(2026, 11, 30)


@pytest.fixture
def colleague(org):
    return UserFactory(role="counsellor", organisation=org, name="Lena Vogel", email="lena@kiezwerk.example")


@pytest.fixture
def make_case(org, counsellor):
    def make(**kw):
        kw.setdefault("organisation", org)
        kw.setdefault("counsellor_id", counsellor.id)
        kw.setdefault("entry_date", date(2026, 11, 1))
        kw.setdefault("education_isced", 4)
        return ParticipantFactory(**kw)
    return make
