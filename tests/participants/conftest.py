"""Fixtures of the case file tests: valid registration data and registered participants."""
from __future__ import annotations

from datetime import date

import pytest


def valid_data(**overrides):
    """Registration data as the API takes it (JSON values)."""
    data = {
        "first_name": "Amira", "last_name": "Haddad", "date_of_birth": "1990-05-17", "gender": "female",
        "nationality": "SY", "country_of_birth": "SY", "residence_status": "recognised_refugee",
        "work_permission": True, "arrival_year": 2016, "preferred_language": "ar",
        "entry_date": "2025-03-01", "labour_status_at_entry": "unemployed", "unemployed_since": "2024-06-01",
        "education_isced": 6, "german_level": "B1", "foreign_background": True,
        "phone": "+49 30 1234567", "email": "amira@example.org", "street": "Sonnenallee 1",
        "postcode": "12045", "city": "Berlin", "district": "Neukölln",
        "languages": [{"language": "ar", "level": "native"}, {"language": "en", "level": "B2"}],
        "foreign_qualifications": [{"title": "Bachelor Pharmacy", "country": "SY", "isced": 6,
                                    "recognition_status": "pending"}],
    }
    data.update(overrides)
    return data


def service_data(**overrides):
    """The same as typed values for the services."""
    data = valid_data(**overrides)
    for key in ("date_of_birth", "entry_date", "unemployed_since", "special_categories_consent_date"):
        if isinstance(data.get(key), str):
            data[key] = date.fromisoformat(data[key])
    return data


@pytest.fixture
def register(counsellor):
    """Registers a participant through the service (as `counsellor` unless `actor=` is given)."""
    from caseflow.participants.services import register_participant

    def make(actor=None, **overrides):
        overrides.setdefault("confirm_not_duplicate", True)
        return register_participant(service_data(**overrides), actor=actor or counsellor)

    return make


@pytest.fixture
def search(client, auth):
    """Searches the caseload as its form does: POST with the CSRF token (and any other filters);
    returns the answer, a redirect."""

    def post(term: str, **filters):
        token = auth.csrf_token("/caseload")
        return client.post("/caseload", data={"csrf_token": token, "q": term, **filters})

    return post
