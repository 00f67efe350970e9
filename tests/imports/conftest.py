from datetime import date

import pytest

from caseflow.imports import services
from caseflow.imports.template import workbook_from_rows
from tests.factories import MeasureFactory


def person(ext="P-1", **overrides):
    row = {"external_id": ext, "first_name": "Amira", "last_name": "Haddad", "date_of_birth": date(1990, 5, 17),
           "gender": "female", "nationality": "SY", "entry_date": date(2024, 3, 1),
           "labour_status_at_entry": "unemployed", "unemployed_since": date(2023, 6, 1)}
    row.update(overrides)
    return row


def run(content, actor, *, dry_run=True, name="import.xlsx", **kw):
    batch = services.create_batch(content, name, organisation_id=actor.organisation_id, actor=actor,
                                  dry_run=dry_run, **kw)
    services.run_batch(batch.id)
    from caseflow.extensions import db
    db.session.expire_all()
    return db.session.get(services.ImportBatch, batch.id)


def xlsx(rows_by_kind, lang="en"):
    return workbook_from_rows(rows_by_kind, lang)


@pytest.fixture
def measure(org):
    return MeasureFactory(organisation=org, title="Jobmatching Neukölln", start_date=date(2024, 1, 1))
