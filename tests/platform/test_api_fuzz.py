"""Fuzzing the API from its own OpenAPI document (issue 20): schemathesis generates valid and invalid
requests for every operation the served document (/api/v1/openapi.json) describes, as a counsellor
and as a team lead, and checks each answer: never a 5xx, only documented status codes, the
documented content type and response schema.

The test reads the served document, so it follows the API as the domains change it. Bounded: each
operation gets FUZZ_EXAMPLES examples per role (default 5; about a minute per database on a busy
machine), half of them valid requests with ids of existing objects, so that they get past the
loaders, half invalid ones. Every failure is collected (one line per operation and kind), so one run
names every broken operation. Every finding fails (every route is described by its schemas; there
is no hand-written part left to make allowances for).
"""
from __future__ import annotations

import os
import time
from datetime import date

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import EmployerFactory, EnrolmentFactory, MeasureFactory, ParticipantFactory

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def seeded(org, counsellor, team_lead, other_counsellor):
    """A few objects of every kind in the fuzzed organisation (and one foreign participant), so that
    generated requests with small ids reach the services, not only the 404 of the loaders."""
    people = [ParticipantFactory(organisation=org, counsellor=counsellor) for _ in range(3)]
    ParticipantFactory(organisation=other_counsellor.organisation, counsellor=other_counsellor)
    measure = MeasureFactory(organisation=org, start_date=date(2025, 1, 1))
    EmployerFactory(organisation=org)
    EnrolmentFactory(measure=measure, participant=people[0])
    return {"participant_id": [p.id for p in people], "measure_id": [measure.id]}


def _path_ids(operation, seeded) -> dict:
    """Strategies for the path's id parameters: mostly ids that exist (of any kind), some not."""
    known = sorted({i for ids in seeded.values() for i in ids})
    names = [p.name for p in operation.path_parameters]
    return {name: st.sampled_from(known + [1, 2, 3, 4]) for name in names}


def _failures_of(exc: BaseException) -> list[tuple[str, str]]:
    """(kind, details) of each failure schemathesis reports (or of an unexpected exception)."""
    if isinstance(exc, BaseExceptionGroup):
        found = []
        for inner in exc.exceptions:
            found.extend(_failures_of(inner))
        return found
    text = str(exc).strip()
    title = getattr(exc, "title", None) or (text.splitlines()[0] if text else type(exc).__name__)
    return [(str(title)[:160], text[:1200])]


def _fuzz(app, operation, strategy, role: str, token: str, failures: dict[str, str]) -> None:
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def fuzz(case):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}
        try:
            # Each request in an app context of its own (as tests/conftest.py's IsolatedClient does):
            # otherwise it would share the test's database session.
            with app.app_context():
                case.call_and_validate(checks=CHECKS)
        except (Exception, BaseExceptionGroup) as exc:  # every failure is collected, the run goes on
            for kind, detail in _failures_of(exc):
                failures.setdefault(f"{role} {operation.label}: {kind}", detail)

    fuzz()


def test_every_operation_answers_as_documented(app, api_as, counsellor, team_lead, seeded):
    from caseflow.accounts.services import create_token

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20, "the served document lost its operations"
    failures: dict[str, str] = {}
    started = time.monotonic()
    tokens = {"counsellor": create_token(counsellor, actor=None), "team_lead": create_token(team_lead, actor=None)}
    for role, token in tokens.items():
        for operation in operations:
            fixed = _path_ids(operation, seeded)
            strategies = [operation.as_strategy(GenerationMode.NEGATIVE)]
            if fixed:
                strategies.append(st.fixed_dictionaries(fixed).flatmap(
                    lambda ids, op=operation: op.as_strategy(GenerationMode.POSITIVE, path_parameters=ids)))
            else:
                strategies.append(operation.as_strategy(GenerationMode.POSITIVE))

            _fuzz(app, operation, st.one_of(strategies), role, token, failures)
    elapsed = time.monotonic() - started
    report = "\n\n".join(f"{key}\n{detail}" for key, detail in sorted(failures.items()))
    assert not failures, f"{len(failures)} failure(s) in {elapsed:.0f} s:\n{report}"
