"""factory_boy factories. They write rows directly (with the entry status record a registration
makes); tests of the rules themselves go through the services."""
from __future__ import annotations

from datetime import date

import factory
from factory.alchemy import SQLAlchemyModelFactory

from caseflow.accounts.models import Organisation, User
from caseflow.accounts.passwords import hash_password
from caseflow.extensions import db
from caseflow.measures.models import Employer, Enrolment, Measure
from caseflow.participants.models import Participant, StatusChange
from tests.conftest import PASSWORD


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class OrganisationFactory(Base):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")


class UserFactory(Base):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@caseflow.example")
    name = factory.Sequence(lambda n: f"User {n}")
    role = "counsellor"
    organisation = factory.SubFactory(OrganisationFactory)
    password_hash = factory.LazyFunction(lambda: hash_password(PASSWORD))


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


class ParticipantFactory(Base):
    class Meta:
        model = Participant

    organisation = factory.SubFactory(OrganisationFactory)
    case_number = factory.Sequence(lambda n: f"CF-2024-{n + 1:06d}")
    first_name = factory.Sequence(lambda n: f"Amira{n}")
    last_name = "Haddad"
    date_of_birth = date(1990, 5, 17)
    birth_year = factory.LazyAttribute(lambda p: p.date_of_birth.year)
    entry_date = date(2024, 3, 1)
    age_at_entry = factory.LazyAttribute(lambda p: _age(p.date_of_birth, p.entry_date))
    gender = "female"
    nationality = "SY"
    labour_status_at_entry = "unemployed"
    unemployed_since = date(2023, 6, 1)
    search_key = factory.LazyAttribute(lambda p: f"{p.case_number} {p.first_name} {p.last_name}".lower())

    @factory.post_generation
    def entry_status(obj, create, extracted, **kwargs):
        if create:
            db.session.add(StatusChange(participant_id=obj.id, date=obj.entry_date,
                                        status=obj.labour_status_at_entry, source="entry"))
            db.session.commit()


class MeasureFactory(Base):
    class Meta:
        model = Measure

    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Measure {n}")
    type = "matching"
    start_date = date(2024, 1, 1)
    end_date = date(2025, 12, 31)


class EmployerFactory(Base):
    class Meta:
        model = Employer

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Firma {n} GmbH")


class EnrolmentFactory(Base):
    class Meta:
        model = Enrolment

    participant = factory.SubFactory(ParticipantFactory)
    measure = factory.SubFactory(MeasureFactory)
    status = "active"
    start_date = date(2024, 3, 15)
