"""Demo consents (the last step of caseflow.demo.generate): every participant consented to case
management when entering, most to funder reporting, some to sharing with partner organisations
(a few of those withdrawn later); the special-category consent matches the participant's
special_categories_consent_date. A handful of cases have their processing restricted.

Reads ctx.participant_rows (id, organisation_id, counsellor_id, entry_date, status, exit_date) and,
in one query, the special-category consent dates. Bulk Core inserts; the same seed gives the same data.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from caseflow.demo_context import DemoContext, insert_rows, update_rows
from caseflow.extensions import db
from caseflow.participants.models import Participant
from caseflow.privacy.models import Consent

NOTICE_VERSIONS = ((datetime(2020, 1, 1).date(), "2020-01"), (datetime(2023, 5, 1).date(), "2023-05"),
                   (datetime(2025, 2, 1).date(), "2025-02"))
WITNESSES = ("Team-Kollegin Frau Yilmaz", "Sprachmittler Herr Haddad", "Kollege Herr Wagner")
RESTRICTION_REASONS = ("Die Person bestreitet die Richtigkeit des Erwerbsstatus.",
                       "Widerspruch gegen die Verarbeitung eingelegt; Prüfung läuft.")


def _notice(on):
    version = NOTICE_VERSIONS[0][1]
    for since, name in NOTICE_VERSIONS:
        if on >= since:
            version = name
    return version


def generate(ctx: DemoContext) -> None:
    rows = ctx.participant_rows
    if not rows:
        return
    rng = ctx.rng
    ids = [r["id"] for r in rows]
    special: dict[int, date | None] = dict(db.session.execute(
        sa.select(Participant.id, Participant.special_categories_consent_date)
        .where(Participant.id.in_(ids) if len(ids) < 30_000 else sa.true(),
               Participant.special_categories_consent_date.is_not(None))).tuples().all())
    created = datetime.now(UTC)
    consents: list[dict] = []

    def add(row, purpose, given_on, withdrawn_on=None):
        oral = rng.random() < .12
        consents.append({
            "participant_id": row["id"], "purpose": purpose, "given_on": given_on,
            "form": "oral_witnessed" if oral else "written",
            "witness": rng.choice(WITNESSES) if oral else None,
            "notice_version": _notice(given_on), "notice_language": "de" if rng.random() < .6 else "en",
            "withdrawn_on": withdrawn_on, "recorded_by_id": row.get("counsellor_id"), "created_at": created,
        })

    restrictions = []
    for row in rows:
        entry = row["entry_date"]
        add(row, "case_management", entry)
        if rng.random() < .9:
            add(row, "funder_reporting", entry)
        if rng.random() < .4:
            given = entry + timedelta(days=rng.randint(0, 60))
            withdrawn = None
            if rng.random() < .08 and given + timedelta(days=30) < ctx.today:
                withdrawn = given + timedelta(days=rng.randint(30, 300))
                withdrawn = min(withdrawn, ctx.today)
            add(row, "partner_sharing", given, withdrawn)
        if row["id"] in special:
            add(row, "special_categories", special[row["id"]])
        if rng.random() < .002:
            restrictions.append({"id": row["id"], "restriction_reason": rng.choice(RESTRICTION_REASONS),
                                 "restricted_at": datetime.combine(ctx.today - timedelta(days=rng.randint(1, 200)),
                                                                   time(10), tzinfo=UTC)})

    insert_rows(Consent.__table__, consents)
    update_rows(Participant.__table__, "id", restrictions)
    db.session.flush()
