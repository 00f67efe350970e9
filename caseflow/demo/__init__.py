"""Synthetic demo data: realistic, Berlin-flavoured, reproducible from a seed.

`generate()` runs the domains' demo steps in order (accounts, then caseflow/<domain>/demo.py's
`generate(ctx)` for participants, measures, placements, privacy). Each step bulk-inserts through
SQLAlchemy Core so that 100,000 participants with full histories take well under a minute.
"""
from __future__ import annotations

import importlib
import importlib.util
import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from caseflow.extensions import db

DEMO_PASSWORD = "Caseflow-Demo-Berlin-2026"

ORGANISATIONS = (
    ("Kiezwerk Neukölln e.V.", "kiezwerk"),
    ("Bezirksamt Friedrichshain-Kreuzberg – Integrationsbüro", "ba-fk"),
    ("Brückenbau Bildungswerk Spandau gGmbH", "brueckenbau"),
)
COUNSELLOR_NAMES = ("Aylin Demir", "Tobias Krüger", "Olena Bondarenko", "Samir Haddad", "Katarzyna Nowak",
                    "Fatma Yıldız", "Lukas Schneider", "Mariam Osman", "Jan Petersen")
TEAM_LEAD_NAMES = ("Jonas Weber", "Nadia Rahimi", "Sabine Hoffmann")


@dataclass
class DemoContext:
    rng: random.Random
    participants: int
    today: date
    organisations: list[Any] = field(default_factory=list)
    counsellors: dict[int, list[int]] = field(default_factory=dict)  # organisation id -> user ids
    team_leads: dict[int, int] = field(default_factory=dict)
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # (role, email, organisation)
    # Filled by the participants step for the steps after it.
    participant_rows: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


STEPS = ("participants", "measures", "placements", "privacy")


def generate(*, participants: int, seed: int, organisation=None, today: date | None = None) -> DemoContext:
    from caseflow.accounts.demo import generate_staff
    ctx = DemoContext(rng=random.Random(seed), participants=participants, today=today or date.today())
    generate_staff(ctx, organisation)
    for name in STEPS:
        if importlib.util.find_spec(f"caseflow.{name}.demo") is not None:
            importlib.import_module(f"caseflow.{name}.demo").generate(ctx)
    db.session.commit()
    return ctx
