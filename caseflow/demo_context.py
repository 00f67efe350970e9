"""What the demo data steps share: the context passed from step to step, the demo organisations,
staff names and password. It sits below every domain (each domain's demo.py imports it); the
generator that runs the steps is caseflow/demo, above them all."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any

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
