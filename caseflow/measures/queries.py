"""Read-only selects for the measure pages, the case file and the API, each in a fixed number of
queries whatever the number of rows."""
from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Iterable

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from caseflow.extensions import db
from caseflow.measures.models import Attendance, AttendanceSession, Employer, Enrolment, Measure
from caseflow.participants.models import Note, Participant
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


# --- hours of participation (docs/esf-indicators.md, "Hours of participation") ----------------------
#
# An enrolment's minutes of participation are its own recorded minutes, plus the duration of every
# attendance session it was marked present at, plus the minutes of the progress notes linked to it.
# A participant's are those of all their enrolments plus the minutes of their notes linked to none.
# One definition, three shapes: per enrolment (pages, API), per measure (its page) and correlated to
# the participant (the ESF+ report's minimum participation), each summed in SQL.

def _enrolment_minute_parts(enrolments: sa.Select) -> sa.CompoundSelect:
    """(enrolment id, minutes) rows of the three sources for the enrolment ids `enrolments` selects."""
    own = sa.select(Enrolment.id.label("eid"), sa.func.coalesce(Enrolment.minutes, 0).label("minutes")).where(
        Enrolment.id.in_(enrolments))
    present = (sa.select(Attendance.enrolment_id.label("eid"), AttendanceSession.minutes.label("minutes"))
               .join(AttendanceSession, AttendanceSession.id == Attendance.session_id)
               .where(Attendance.enrolment_id.in_(enrolments), Attendance.present.is_(True),
                      AttendanceSession.minutes.is_not(None)))
    noted = sa.select(Note.enrolment_id.label("eid"), Note.minutes.label("minutes")).where(
        Note.enrolment_id.in_(enrolments), Note.minutes.is_not(None))
    return sa.union_all(own, present, noted)


def enrolment_minutes(enrolment_ids: Iterable[int]) -> dict[int, int]:
    """{enrolment id: minutes of participation} in one query (0 for an enrolment without any)."""
    ids = list(enrolment_ids)
    if not ids:
        return {}
    parts = _enrolment_minute_parts(sa.select(Enrolment.id).where(Enrolment.id.in_(ids))).subquery()
    rows = db.session.execute(sa.select(parts.c.eid, sa.func.sum(parts.c.minutes)).group_by(parts.c.eid))
    out = {i: 0 for i in ids}
    out.update({eid: int(total or 0) for eid, total in rows})
    return out


def measure_minutes(measure_id: int) -> int:
    """The minutes of participation of every enrolment in the measure, summed."""
    parts = _enrolment_minute_parts(sa.select(Enrolment.id).where(Enrolment.measure_id == measure_id)).subquery()
    return int(db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(parts.c.minutes), 0))) or 0)


def unlinked_note_minutes(participant_id: int) -> int:
    """The minutes of the participant's notes that count towards no enrolment."""
    return int(db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Note.minutes), 0)).where(
        Note.participant_id == participant_id, Note.enrolment_id.is_(None))) or 0)


def participant_minutes(participant=Participant):
    """The participant's minutes of participation as a scalar subquery correlated to `participant`
    (the Participant entity or an alias): their enrolments' and their unlinked notes'. Every source
    is reached through an index on the participant (enrolments, notes) or the enrolment
    (attendances)."""
    p = participant
    own = (sa.select(sa.func.coalesce(sa.func.sum(Enrolment.minutes), 0))
           .where(Enrolment.participant_id == p.id).correlate(p).scalar_subquery())
    present = (sa.select(sa.func.coalesce(sa.func.sum(AttendanceSession.minutes), 0))
               .select_from(Attendance)
               .join(AttendanceSession, AttendanceSession.id == Attendance.session_id)
               .join(Enrolment, Enrolment.id == Attendance.enrolment_id)
               .where(Enrolment.participant_id == p.id, Attendance.present.is_(True))
               .correlate(p).scalar_subquery())
    noted = (sa.select(sa.func.coalesce(sa.func.sum(Note.minutes), 0))
             .where(Note.participant_id == p.id).correlate(p).scalar_subquery())
    # every note counts once: linked ones through their enrolment are part of "all notes" already
    return own + present + noted


@functools.cache
def _note_enrolments_statement() -> sa.Select:
    return (sa.select(Enrolment.id, Measure.title, Enrolment.start_date).join(Measure, Measure.id == Enrolment.measure_id)
            .where(Enrolment.participant_id == sa.bindparam("participant_id"))
            .order_by(Enrolment.start_date.desc().nulls_last(), Enrolment.id.desc()))


def note_enrolment_choices(participant_id: int) -> list[tuple[int, str]]:
    """(enrolment id, "measure title (start date)") of the participant's enrolments, newest first:
    what a progress note's minutes can count towards. The statement is built once per process, as
    every note's form asks (issue 19)."""
    from flask_babel import format_date
    rows = db.session.execute(_note_enrolments_statement(), {"participant_id": participant_id})
    return [(i, f"{title} ({format_date(start)})" if start else title) for i, title, start in rows]


def status_counts(counts: dict[str, int]) -> list[tuple[str, object, int]]:
    return [(key, label, counts.get(key, 0)) for key, label in ENROLMENT_STATUSES.items()]


def measure_enrolments(measure_id: int, *, status: str | None, page: int, per_page: int):
    """A page of the measure's enrolments that hold a place or have ended (the waiting list is
    separate), with their participants loaded."""
    stmt = (sa.select(Enrolment).options(joinedload(Enrolment.participant))
            .join(Participant, Participant.id == Enrolment.participant_id)
            .where(Enrolment.measure_id == measure_id, Enrolment.waitlisted_at.is_(None),
                   Participant.organisation_id == _provider(measure_id))
            .order_by(Participant.last_name, Participant.first_name, Enrolment.id))
    if status in ENROLMENT_STATUSES:
        stmt = stmt.where(Enrolment.status == status)
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=True)


def _provider(measure_id: int):
    """The measure's organisation: a partner organisation's participants enrolled in it (issue 17)
    are not listed with the provider's own; the provider sees them with the data packet only, on
    the partner enrolments page."""
    return sa.select(Measure.organisation_id).where(Measure.id == measure_id).scalar_subquery()


def waiting_list(measure_id: int, limit: int = 100) -> list[Enrolment]:
    return list(db.session.scalars(
        sa.select(Enrolment).options(joinedload(Enrolment.participant))
        .join(Participant, Participant.id == Enrolment.participant_id)
        .where(Enrolment.measure_id == measure_id, Enrolment.status == "planned",
               Participant.organisation_id == _provider(measure_id),
               Enrolment.waitlisted_at.is_not(None))
        .order_by(Enrolment.waitlisted_at, Enrolment.id).limit(limit)))


def sessions_of(measure_id: int, limit: int = 200) -> list[AttendanceSession]:
    return list(db.session.scalars(sa.select(AttendanceSession).where(AttendanceSession.measure_id == measure_id)
                                   .order_by(AttendanceSession.date.desc()).limit(limit)))


# The placements that followed an enrolment in a measure are shown on the measure's page, but they
# belong to a higher domain (placements), which registers its reader at start-up: measures never
# imports placements (docs/architecture.md, "Explicit wiring").
_placements_after: list[Callable[[int], list]] = []


def register_placements_after(reader: Callable[[int], list]) -> None:
    """Sets the reader of the placements that followed an enrolment in a measure (once)."""
    if reader not in _placements_after:
        _placements_after[:] = [reader]


def placements_after(measure_id: int) -> list:
    """[(placement, participant)] recorded as following an enrolment in this measure, newest first;
    empty while no domain has registered a reader."""
    return _placements_after[0](measure_id) if _placements_after else []


def participant_enrolments(participant_id: int) -> list[Enrolment]:
    return list(db.session.scalars(
        sa.select(Enrolment).options(joinedload(Enrolment.measure))
        .where(Enrolment.participant_id == participant_id)
        .order_by(Enrolment.start_date.desc().nulls_last(), Enrolment.id.desc())))


def employer_names(employer_ids: Iterable[int]) -> dict[int, str]:
    ids = [i for i in set(employer_ids) if i]
    if not ids:
        return {}
    return {i: n for i, n in db.session.execute(sa.select(Employer.id, Employer.name).where(Employer.id.in_(ids)))}


# --- what the pages need besides their main object ------------------------------------------------

def session_of_measure(measure_id: int, session_id: int) -> AttendanceSession | None:
    return db.session.scalar(sa.select(AttendanceSession).where(
        AttendanceSession.id == session_id, AttendanceSession.measure_id == measure_id))


def roster_with_participants(session: AttendanceSession) -> list[Enrolment]:
    from caseflow.measures.services import session_roster
    return list(db.session.scalars(
        session_roster(session).options(joinedload(Enrolment.participant))
        .join(Participant, Participant.id == Enrolment.participant_id)
        .order_by(Participant.last_name, Participant.first_name, Enrolment.id)))


def recorded_attendance(session_id: int) -> dict[int, bool]:
    from caseflow.measures.models import Attendance
    return {i: present for i, present in db.session.execute(
        sa.select(Attendance.enrolment_id, Attendance.present).where(Attendance.session_id == session_id))}


def bulk_candidates(actor, limit: int = 200) -> list:
    """Active participants the actor can enrol in one step: a counsellor's own caseload, a team
    lead's whole organisation (capped)."""
    from caseflow.participants.access import visible_participants
    stmt = (visible_participants(actor)
            .with_only_columns(Participant.id, Participant.case_number, Participant.first_name, Participant.last_name)
            .where(Participant.status == "active", Participant.anonymised_at.is_(None))
            .order_by(Participant.last_name, Participant.first_name, Participant.id).limit(limit))
    if actor.role == "counsellor":
        stmt = stmt.where(Participant.counsellor_id == actor.id)
    return list(db.session.execute(stmt).all())


def employer_choices(organisation_id: int, limit: int = 1000) -> list[tuple[int, str]]:
    """(id, name) of the organisation's employer directory, for the forms of every domain."""
    return [(r.id, r.name) for r in db.session.execute(sa.select(Employer.id, Employer.name).where(
        Employer.organisation_id == organisation_id).order_by(Employer.name, Employer.id).limit(limit))]


def partial_recognitions(participant_id: int) -> list[tuple[int, str]]:
    """The participant's recognition counselling enrolments with a partial outcome (what an
    adaptation qualification can follow)."""
    rows = db.session.execute(
        sa.select(Enrolment.id, Measure.title, Enrolment.details).join(Measure, Measure.id == Enrolment.measure_id)
        .where(Enrolment.participant_id == participant_id, Measure.type == "recognition_counselling")).all()
    return [(i, t) for i, t, d in rows if (d or {}).get("outcome") == "partial"]


def enrollable_measures(actor, measure_type: str | None = None) -> list:
    from caseflow.measures.access import visible_measures
    stmt = (visible_measures(actor).with_only_columns(Measure.id, Measure.title, Measure.type)
            .where(Measure.active.is_(True)).order_by(Measure.title, Measure.id))
    if measure_type:
        stmt = stmt.where(Measure.type == measure_type)
    return list(db.session.execute(stmt).all())


def enrolment_links(enrolment: Enrolment) -> tuple[Employer | None, Enrolment | None]:
    host = db.session.get(Employer, enrolment.host_employer_id) if enrolment.host_employer_id else None
    linked = db.session.get(Enrolment, enrolment.linked_enrolment_id) if enrolment.linked_enrolment_id else None
    return host, linked


def hosted_partnerships(employer: Employer, limit: int = 100) -> list:
    """The trainee partnerships an employer hosts, with participant and measure (same organisation)."""
    return list(db.session.execute(
        sa.select(Enrolment, Participant, Measure)
        .join(Participant, Participant.id == Enrolment.participant_id)
        .join(Measure, Measure.id == Enrolment.measure_id)
        .where(Enrolment.host_employer_id == employer.id, Participant.organisation_id == employer.organisation_id)
        .order_by(Enrolment.start_date.desc().nulls_last(), Enrolment.id.desc()).limit(limit)).tuples())
