"""The ESF+ result rules for ONE participant, for the case file's preview
(docs/esf-indicators.md). The reports domain applies the same rules in SQL over all
participants; keep both identical:

- status on day D: the latest status record dated on or before D; of two records on the same day
  the one recorded last (the highest id);
- status upon leaving: the status on (final exit date + 28 days);
- qualification upon leaving: a certificate dated from the entry date to exit date + 28 days, both
  included;
- the six-month follow-up that counts is the latest one (by date, then recorded last).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from caseflow.extensions import db
from caseflow.participants.models import StatusChange
from caseflow.placements.models import Certificate, FollowUp

LEAVING_WINDOW = timedelta(days=28)


def status_on_from(records: Iterable, day: date) -> str | None:
    """The status on `day` from already loaded records (anything with .id, .date and .status)."""
    best = None
    for r in records:
        if r.date <= day and (best is None or (r.date, r.id) > (best.date, best.id)):
            best = r
    return best.status if best is not None else None


def status_on(participant_id: int, day: date) -> str | None:
    """The status on `day`, read from the database in one query."""
    return db.session.scalar(
        sa.select(StatusChange.status)
        .where(StatusChange.participant_id == participant_id, StatusChange.date <= day)
        .order_by(StatusChange.date.desc(), StatusChange.id.desc()).limit(1))


def leaving_reference_day(exit_date: date) -> date:
    return exit_date + LEAVING_WINDOW


def qualification_gained_from(certificates: Iterable, entry_date: date, exit_date: date) -> bool:
    end = exit_date + LEAVING_WINDOW
    return any(entry_date <= c.date <= end for c in certificates)


def latest_six_month_follow_up_from(follow_ups: Iterable):
    chosen = None
    for f in follow_ups:
        if f.kind == "six_months" and (chosen is None or (f.date, f.id) > (chosen.date, chosen.id)):
            chosen = f
    return chosen


@dataclass(frozen=True)
class LeavingPreview:
    """What the ESF+ result indicators will count for this participant (None while not exited)."""

    exit_date: date
    reference_day: date            # exit + 28 days
    status_upon_leaving: str | None
    provisional: bool              # the 28-day window has not ended yet: later records may change it
    qualification_gained: bool
    six_month_status: str | None
    improved_situation: bool | None


def leaving_preview_from(participant, status_changes, certificates, follow_ups,
                         today: date | None = None) -> LeavingPreview | None:
    if participant.status != "exited" or participant.exit_date is None:
        return None
    today = today or date.today()
    reference = leaving_reference_day(participant.exit_date)
    follow_up = latest_six_month_follow_up_from(follow_ups)
    return LeavingPreview(
        exit_date=participant.exit_date,
        reference_day=reference,
        status_upon_leaving=status_on_from(status_changes, reference),
        provisional=reference > today,
        qualification_gained=qualification_gained_from(certificates, participant.entry_date,
                                                       participant.exit_date),
        six_month_status=follow_up.status if follow_up else None,
        improved_situation=follow_up.improved_situation if follow_up else None,
    )


def leaving_preview(participant, today: date | None = None) -> LeavingPreview | None:
    """The preview read from the database (three queries)."""
    if participant.status != "exited" or participant.exit_date is None:
        return None
    changes = db.session.scalars(sa.select(StatusChange).where(StatusChange.participant_id == participant.id)).all()
    certificates = db.session.scalars(sa.select(Certificate).where(Certificate.participant_id == participant.id)).all()
    follow_ups = db.session.scalars(sa.select(FollowUp).where(FollowUp.participant_id == participant.id)).all()
    return leaving_preview_from(participant, changes, certificates, follow_ups, today)
