"""Read-only selects for the measure pages, the case file and the API, each in a fixed number of
queries whatever the number of rows."""
from __future__ import annotations

from collections import defaultdict
from typing import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from caseflow.extensions import db
from caseflow.measures.models import AttendanceSession, Employer, Enrolment, Measure
from caseflow.participants.models import Participant
from caseflow.vocabulary import ENROLMENT_STATUSES


def measure_counts(measure_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """{measure id: {status: n, "places_taken": n, "waiting": n}} in one query."""
    ids = list(measure_ids)
    out: dict[int, dict[str, int]] = defaultdict(lambda: {"places_taken": 0, "waiting": 0})
    if not ids:
        return {}
    waiting = Enrolment.waitlisted_at.is_not(None)
    rows = db.session.execute(
        sa.select(Enrolment.measure_id, Enrolment.status, waiting.label("waiting"), sa.func.count())
        .where(Enrolment.measure_id.in_(ids))
        .group_by(Enrolment.measure_id, Enrolment.status, waiting))
    for measure_id, status, is_waiting, n in rows:
        c = out[measure_id]
        if is_waiting:
            c["waiting"] += n
        else:
            c[status] = c.get(status, 0) + n
            if status in ("planned", "active"):
                c["places_taken"] += n
    return dict(out)


def status_counts(counts: dict[str, int]) -> list[tuple[str, object, int]]:
    return [(key, label, counts.get(key, 0)) for key, label in ENROLMENT_STATUSES.items()]


def measure_enrolments(measure_id: int, *, status: str | None, page: int, per_page: int):
    """A page of the measure's enrolments that hold a place or have ended (the waiting list is
    separate), with their participants loaded."""
    stmt = (sa.select(Enrolment).options(joinedload(Enrolment.participant))
            .join(Participant, Participant.id == Enrolment.participant_id)
            .where(Enrolment.measure_id == measure_id, Enrolment.waitlisted_at.is_(None))
            .order_by(Participant.last_name, Participant.first_name, Enrolment.id))
    if status in ENROLMENT_STATUSES:
        stmt = stmt.where(Enrolment.status == status)
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=True)


def waiting_list(measure_id: int, limit: int = 100) -> list[Enrolment]:
    return list(db.session.scalars(
        sa.select(Enrolment).options(joinedload(Enrolment.participant))
        .where(Enrolment.measure_id == measure_id, Enrolment.status == "planned",
               Enrolment.waitlisted_at.is_not(None))
        .order_by(Enrolment.waitlisted_at, Enrolment.id).limit(limit)))


def sessions_of(measure_id: int, limit: int = 200) -> list[AttendanceSession]:
    return list(db.session.scalars(sa.select(AttendanceSession).where(AttendanceSession.measure_id == measure_id)
                                   .order_by(AttendanceSession.date.desc()).limit(limit)))


def placements_after(measure_id: int, limit: int = 50) -> list:
    """The placements recorded as following an enrolment in this measure (newest first)."""
    from caseflow.placements.models import Placement
    return list(db.session.execute(
        sa.select(Placement, Participant)
        .join(Enrolment, Enrolment.id == Placement.enrolment_id)
        .join(Participant, Participant.id == Placement.participant_id)
        .where(Enrolment.measure_id == measure_id)
        .order_by(Placement.start_date.desc(), Placement.id.desc()).limit(limit)).tuples())


def participant_enrolments(participant_id: int) -> list[Enrolment]:
    return list(db.session.scalars(
        sa.select(Enrolment).options(joinedload(Enrolment.measure))
        .where(Enrolment.participant_id == participant_id)
        .order_by(Enrolment.start_date.desc().nulls_last(), Enrolment.id.desc())))


def employer_names(employer_ids: Iterable[int]) -> dict[int, str]:
    ids = [i for i in set(employer_ids) if i]
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(Employer.id, Employer.name).where(Employer.id.in_(ids))).all())
