"""Synthetic demo data: realistic, Berlin-flavoured, reproducible from a seed.

`generate()` runs the domains' demo steps in order (accounts, participants, measures, placements,
privacy: each caseflow/<domain>/demo.py's `generate(ctx)`), as one unit of work. Each step
bulk-inserts through SQLAlchemy Core so that 100,000 participants with full histories take well
under a minute. The context the steps share is caseflow/demo_context.py.
"""
from __future__ import annotations

import random
from datetime import date

from caseflow.accounts import demo as accounts_demo
from caseflow.database import unit_of_work
from caseflow.demo_context import (
    COUNSELLOR_NAMES,
    DEMO_PASSWORD,
    ORGANISATIONS,
    TEAM_LEAD_NAMES,
    DemoContext,
)
from caseflow.measures import demo as measures_demo
from caseflow.participants import demo as participants_demo
from caseflow.placements import demo as placements_demo
from caseflow.privacy import demo as privacy_demo

__all__ = ["COUNSELLOR_NAMES", "DEMO_PASSWORD", "ORGANISATIONS", "TEAM_LEAD_NAMES", "DemoContext", "generate",
           "STEPS"]

# In order: each step reads what the ones before it left in the context.
STEPS = (participants_demo.generate, measures_demo.generate, placements_demo.generate, privacy_demo.generate)


def generate(*, participants: int, seed: int, organisation=None, today: date | None = None) -> DemoContext:
    ctx = DemoContext(rng=random.Random(seed), participants=participants, today=today or date.today())
    with unit_of_work():
        accounts_demo.generate_staff(ctx, organisation)
        for step in STEPS:
            step(ctx)
    return ctx
