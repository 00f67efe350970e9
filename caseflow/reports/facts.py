"""The reports' per-participant facts (`report_facts`, issue 19) and per-placement copies
(`report_placements`): kept in the same transaction as the histories they summarise, never by a
nightly batch that could drift.

What the reports used to look up per participant with correlated subqueries (the status upon
leaving, the latest six-month follow-up, the certificate, the placed exit, the first placement,
the completeness checks, the minutes of participation) is one row per participant here. Each
column has ONE definition, in `fact_select()`: the refresh below writes it, and the tests compare
the table with it after random operations (tests/reports/test_report_facts.py). The same holds for
`report_placements`, one row per placement with the participant's columns the placement report
filters by (`placement_fact_select()`), so that one organisation's placement starts are read without
joining every placement to the participants.

Maintenance, in the unit of work that changes the facts:
- the ORM's flushes name the participants whose rows changed (`after_flush`: new, changed and
  deleted participants, status records, placements, certificates, follow-ups, enrolments, notes,
  attendances, attendance sessions);
- Core writes executed through the session (the import, its undo, anonymisation) are read before
  they run (`do_orm_execute`): the participants an INSERT's rows name, or those an UPDATE's/
  DELETE's WHERE selects; a write whose participants cannot be told marks every participant;
- before the commit, the named participants' rows and their placements' rows are deleted and
  inserted again by INSERT … SELECT, per 5,000 ids (a bulk load, `refresh_all_at_commit`: one
  INSERT … SELECT of every participant and every placement). A rollback discards the names with
  the rows. A participant's or placement's deletion deletes its
  rows (ON DELETE CASCADE).
The report queries call `bring_up_to_date()` first, so that a report read inside a unit of work
sees that unit's own changes too.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from caseflow.database import lock_ids
from caseflow.measures.models import Attendance, AttendanceSession, Enrolment, Measure
from caseflow.measures.queries import participant_minutes
from caseflow.participants.models import Note, Participant, StatusChange
from caseflow.participants.vocabulary import ANSWER_FIELDS
from caseflow.placements.models import Certificate, FollowUp, Placement
from caseflow.reports.models import ReportFacts, ReportPlacement
from caseflow.vocabulary import MEASURE_TYPES

P = Participant
LEAVING_WINDOW_DAYS = 28
# the placed types and the leaving window of every report (reports/queries.py takes them from here)
PLACED_TYPES = ("employment", "marginal_employment", "self_employment", "apprenticeship")
CHUNK = 5000

_TOUCHED = "caseflow.report_facts.touched"
_ALL = "caseflow.report_facts.all"
_BUSY = "caseflow.report_facts.busy"
_NEW_ABOVE = "caseflow.report_facts.new_above"


# --- the one definition of every fact -------------------------------------------------------------

def long_term_unemployed(rule: str):
    from caseflow.reports.queries import long_term_unemployed
    return long_term_unemployed(rule)


def _plus_days(column, days: int):
    from caseflow.reports.queries import plus_days
    return plus_days(column, days)


def leaving_status(p=P):
    """The status upon leaving: the latest record dated on or before exit + 28 days (the last
    recorded of a day winning)."""
    sc = StatusChange
    return (sa.select(sc.status).where(sc.participant_id == p.id, sc.date <= _plus_days(p.exit_date, LEAVING_WINDOW_DAYS))
            .order_by(sc.date.desc(), sc.id.desc()).limit(1).correlate(p).scalar_subquery())


def latest_six_month_follow_up(p=P):
    """The id of the latest six-month follow-up dated on or after the final exit."""
    fu = FollowUp
    return (sa.select(fu.id).where(fu.participant_id == p.id, fu.kind == "six_months", fu.date >= p.exit_date)
            .order_by(fu.date.desc(), fu.id.desc()).limit(1).correlate(p).scalar_subquery())


def qualified(p=P):
    """A certificate dated from entry to exit + 28 days."""
    cert = Certificate
    return sa.exists().where(cert.participant_id == p.id, cert.date >= p.entry_date,
                             cert.date <= _plus_days(p.exit_date, LEAVING_WINDOW_DAYS)).correlate(p)


def placed_between(start, end, p=P):
    """A job/apprenticeship/self-employment placement starting from `start` to `end`, both included."""
    return (sa.select(Placement.id).where(Placement.participant_id == p.id, Placement.type.in_(PLACED_TYPES),
                                          Placement.start_date >= start, Placement.start_date <= end)
            .correlate(p).exists())


def placed_exit(p=P):
    return placed_between(p.entry_date, _plus_days(p.exit_date, LEAVING_WINDOW_DAYS), p)


def first_placement(p=P):
    """The start of the first job/apprenticeship/self-employment placement on or after entry."""
    return (sa.select(sa.func.min(Placement.start_date))
            .where(Placement.participant_id == p.id, Placement.type.in_(PLACED_TYPES),
                   Placement.start_date >= p.entry_date).correlate(p).scalar_subquery())


def status_in_window(p=P):
    """A status record dated from the exit date to exit + 28 days."""
    sc = StatusChange
    return (sa.select(sc.id).where(sc.participant_id == p.id, sc.date >= p.exit_date,
                                   sc.date <= _plus_days(p.exit_date, LEAVING_WINDOW_DAYS))
            .correlate(p).exists())


def follow_up_after_exit(kind: str, p=P):
    """A follow-up of `kind` dated on or after the exit."""
    fu = FollowUp
    return (sa.select(fu.id).where(fu.participant_id == p.id, fu.kind == kind, fu.date >= p.exit_date)
            .correlate(p).exists())


def age_band(p=P):
    return sa.case((p.age_at_entry < 18, "below_18"), (p.age_at_entry <= 29, "18_29"),
                   (p.age_at_entry <= 54, "30_54"), else_="55_plus")


def measure_type_bit(measure_type: str) -> int:
    """The bit of a measure type in `measure_types` (its place in the vocabulary)."""
    return 1 << list(MEASURE_TYPES).index(measure_type)


def measure_types(p=P):
    """The measure types of the participant's non-cancelled enrolments, as bits (sum of distinct bits)."""
    bit = sa.case(*((Measure.type == t, measure_type_bit(t)) for t in MEASURE_TYPES), else_=0)
    return (sa.select(sa.func.coalesce(sa.func.sum(sa.distinct(bit)), 0))
            .select_from(Enrolment).join(Measure, Measure.id == Enrolment.measure_id)
            .where(Enrolment.participant_id == p.id, Enrolment.status != "cancelled")
            .correlate(p).scalar_subquery())


def participant_checks(p=P) -> dict[str, Any]:
    """The data-completeness checks on the participant's own columns (reports/services.py:
    completeness_report has the definitions)."""
    return {
        "no_isced": p.education_isced.is_(None),
        "unemployed_without_start": sa.and_(p.labour_status_at_entry == "unemployed", p.unemployed_since.is_(None)),
        # not missing data but shown separately (issue 18): the person declined a sensitive question,
        # which the ESF+ report cannot tell from "no"
        "declined_answer": sa.or_(*(getattr(p, f) == "declined" for f in ANSWER_FIELDS)),
    }


def _true_false(condition):
    """A boolean condition as a value both databases store in a Boolean column."""
    return sa.case((condition, sa.true()), else_=sa.false())


def fact_select(ids: sa.BindParameter | None = None) -> sa.Select:
    """The facts computed from the histories, one row per participant (all, or those in the
    expanding bound parameter `ids`), columns named as report_facts' columns: what the table must
    always equal."""
    fu = aliased(FollowUp, name="latest_follow_up")
    inner = sa.select(
        P.id.label("participant_id"),
        leaving_status().label("leaving_status"),
        latest_six_month_follow_up().label("follow_up_id"),
        _true_false(qualified()).label("qualified"),
        _true_false(placed_exit()).label("placed_exit"),
        first_placement().label("first_placement"),
        _true_false(status_in_window()).label("status_in_window"),
        _true_false(follow_up_after_exit("four_weeks")).label("four_week_follow_up"),
        _true_false(follow_up_after_exit("six_months")).label("six_month_follow_up"),
        participant_minutes(P).label("minutes"),
        measure_types().label("measure_types"),
        P.organisation_id.label("organisation_id"), P.counsellor_id.label("counsellor_id"),
        _true_false(P.restricted_at.is_not(None)).label("restricted"), P.status.label("status"),
        P.entry_date.label("entry_date"), P.exit_date.label("exit_date"), P.gender.label("gender"),
        age_band().label("age_band"), P.nationality.label("nationality"),
        sa.type_coerce(sa.func.coalesce(P.residence_status, "unknown"), sa.String).label("residence_status"),
        sa.type_coerce(sa.func.coalesce(P.german_level, "unknown"), sa.String).label("german_level"),
        P.labour_status_at_entry.label("labour_status_at_entry"), P.age_at_entry.label("age_at_entry"),
        P.education_isced.label("education_isced"), P.disability.label("disability"),
        P.foreign_background.label("foreign_background"), P.minority.label("minority"), P.homeless.label("homeless"),
        _true_false(long_term_unemployed("eu")).label("long_term_unemployed_eu"),
        _true_false(long_term_unemployed("de")).label("long_term_unemployed_de"),
        _true_false(P.anonymised_at.is_not(None)).label("anonymised"),
        *[_true_false(check).label(name) for name, check in participant_checks().items()])
    if ids is not None:
        inner = inner.where(P.id.in_(ids))
    sub = inner.subquery("computed")
    return (sa.select(sub.c.participant_id, sub.c.leaving_status, sub.c.follow_up_id,
                      fu.status.label("follow_up_status"), fu.improved_situation.label("follow_up_improved"),
                      sub.c.qualified, sub.c.placed_exit, sub.c.first_placement, sub.c.status_in_window,
                      sub.c.four_week_follow_up, sub.c.six_month_follow_up, sub.c.minutes,
                      *[sub.c[c] for c in DIMENSIONS], cube_key(sub.c).label("cube_key"))
            .outerjoin(fu, fu.id == sub.c.follow_up_id))


DIMENSIONS = ("measure_types", "organisation_id", "counsellor_id", "restricted", "status", "entry_date", "exit_date",
              "gender", "age_band", "nationality", "residence_status", "german_level", "labour_status_at_entry",
              "age_at_entry", "education_isced", "disability", "foreign_background", "minority", "homeless",
              "long_term_unemployed_eu", "long_term_unemployed_de", "anonymised", "no_isced",
              "unemployed_without_start", "declined_answer")
CUBE_PARTS = ("gender", "age_band", "nationality", "residence_status", "german_level")
CUBE_SEPARATOR = "|"   # in no code of these vocabularies


def cube_key(columns) -> Any:
    """The placement report's grouping columns joined into one value (report_facts.cube_key)."""
    parts = [sa.type_coerce(columns[part], sa.String) for part in CUBE_PARTS]   # gender is an Enum
    key: sa.ColumnElement[str] = parts[0]
    for part in parts[1:]:
        key = key + sa.literal(CUBE_SEPARATOR, sa.String) + part
    return key


PLACEMENT_FACT_COLUMNS = ("placement_id", "participant_id", "type", "start_date", "organisation_id", "counsellor_id",
                          "restricted", "measure_types")


def placement_fact_select(ids: sa.BindParameter | None = None) -> sa.Select:
    """One row per placement (of every participant, or of those in the expanding bound parameter
    `ids`) with the participant's columns the placement report filters by, named as
    report_placements' columns: what that table must always equal. Those columns are read from the
    participant's report_facts row (one definition each, computed once per participant), which
    every refresh writes first."""
    F = ReportFacts
    stmt = (sa.select(Placement.id.label("placement_id"), Placement.participant_id.label("participant_id"),
                      Placement.type.label("type"), Placement.start_date.label("start_date"),
                      F.organisation_id.label("organisation_id"), F.counsellor_id.label("counsellor_id"),
                      F.restricted.label("restricted"), F.measure_types.label("measure_types"))
            .join(F, F.participant_id == Placement.participant_id))
    if ids is not None:
        stmt = stmt.where(Placement.participant_id.in_(ids))
    return stmt


FACT_COLUMNS = ("leaving_status", "follow_up_id", "follow_up_status", "follow_up_improved", "qualified",
                "placed_exit", "first_placement", "status_in_window", "four_week_follow_up",
                "six_month_follow_up", "minutes", *DIMENSIONS, "cube_key")


# --- writing the table ----------------------------------------------------------------------------

def _built_for(session: Session):
    from caseflow.reports.queries import built_for
    return built_for(session.get_bind().dialect.name)


@functools.cache
def _refresh_statements(dialect: str) -> tuple[Any, ...]:
    """The rows of the participants in the expanding bound parameter `ids`, in both tables, deleted
    and computed again: built once per process and database, and compiled once, as every unit of
    work that touches a participant runs them. (An INSERT … ON CONFLICT DO UPDATE would do
    report_facts in one statement, but SQLAlchemy cannot cache the dialects' ON CONFLICT inserts,
    so each unit of work built and compiled the whole fact_select() again: 20 of a note's 30 ms in
    the app, issue 19.) The caller holds the participants' row locks (refresh), so no other
    transaction writes these rows in between. Nothing in them depends on the request or the day
    (the facts are date-free; the reports apply the dates)."""
    from caseflow.reports.queries import built_for
    facts, placements = ReportFacts.__table__, ReportPlacement.__table__
    ids: sa.BindParameter[Any] = sa.bindparam("ids", expanding=True)
    with built_for(dialect):
        computed, computed_placements = fact_select(ids), placement_fact_select(ids)
    return (sa.delete(facts).where(facts.c.participant_id.in_(ids)),
            sa.insert(facts).from_select(["participant_id", *FACT_COLUMNS], computed),
            sa.delete(placements).where(placements.c.participant_id.in_(ids)),
            sa.insert(placements).from_select(list(PLACEMENT_FACT_COLUMNS), computed_placements))


def _recompute(session: Session, ids: list[int]) -> None:
    for stmt in _refresh_statements(session.get_bind().dialect.name):
        session.execute(stmt, {"ids": ids})


def refresh(session: Session, ids: Iterable[int]) -> None:
    """Recomputes the rows of these participants (those that no longer exist have none: cascade).

    PostgreSQL: the participants' rows are locked first (in id order, as lock_rows does), so two
    transactions refreshing one participant take turns and the later one computes from what the
    earlier one committed (READ COMMITTED: each statement reads what was committed when it began).
    Services lock the participant before its records anyway; this makes the table independent of
    that."""
    wanted = sorted(set(ids))
    with _busy(session):
        lock_ids(P, wanted, session=session)  # not again those the unit of work has locked
        for i in range(0, len(wanted), CHUNK):
            _recompute(session, wanted[i:i + CHUNK])


def refresh_all(session: Session) -> None:
    """Recomputes every row of both tables (bulk loads)."""
    refresh_all_participants(session)
    refresh_all_placements(session)


def refresh_all_participants(session: Session, only: Iterable[str] | None = None) -> None:
    """Recomputes every row of report_facts in one INSERT … SELECT (its migration's backfill).
    `only`: write these columns alone (the migration of an earlier revision, whose table lacks the
    columns later revisions add and fill themselves)."""
    columns = ["participant_id", *FACT_COLUMNS]
    if only is not None:
        existing = set(only)
        columns = [c for c in columns if c in existing]

    def computed() -> sa.Select:
        facts = fact_select().subquery("facts")
        return sa.select(*[facts.c[c] for c in columns])

    with _busy(session):
        if session.get_bind().dialect.name == "postgresql":
            # after a bulk load in this same transaction the planner has no statistics for the
            # histories yet and plans the per-participant look-ups as scans: measured on 100,000
            # demo participants 244 s instead of a few; ANALYZE sees the transaction's own rows
            session.execute(sa.text("ANALYZE " + ", ".join(SOURCE_TABLES)))
        _refill(session, ReportFacts.__table__, columns, fact_select if only is None else computed)


def refresh_all_placements(session: Session) -> None:
    """Recomputes every row of report_placements in one INSERT … SELECT (its migration's backfill)."""
    with _busy(session):
        _refill(session, ReportPlacement.__table__, list(PLACEMENT_FACT_COLUMNS), placement_fact_select)


def _refill(session: Session, table: sa.Table, columns: list[str], computed: Callable[[], sa.Select]) -> None:
    """Empties `table` and fills it from `computed()`, built for the session's database."""
    session.execute(sa.delete(table))
    with _built_for(session):
        session.execute(sa.insert(table).from_select(columns, computed()))


@contextmanager
def _busy(session: Session) -> Iterator[None]:
    """The facts' own writes: the tracking below leaves them alone while they run."""
    session.info[_BUSY] = True
    try:
        yield
    finally:
        session.info[_BUSY] = False


# --- which participants a unit of work touched ------------------------------------------------------

def touch(session: Session, ids: Iterable[int | None]) -> None:
    """Names participants whose facts must be recomputed before the commit."""
    session.info.setdefault(_TOUCHED, set()).update(i for i in ids if i is not None)


def refresh_all_at_commit(session: Session) -> None:
    """A bulk load: recompute every participant's row once before the commit instead of by id."""
    session.info[_ALL] = True


def _enrolment_participants(session: Session, enrolment_ids: set[int]) -> list[int]:
    if not enrolment_ids:
        return []
    return list(session.execute(sa.select(Enrolment.participant_id).where(
        Enrolment.id.in_(sorted(enrolment_ids)))).scalars())


def _session_participants(session: Session, session_ids: set[int]) -> list[int]:
    if not session_ids:
        return []
    return list(session.execute(
        sa.select(Enrolment.participant_id).join(Attendance, Attendance.enrolment_id == Enrolment.id)
        .where(Attendance.session_id.in_(sorted(session_ids))).distinct()).scalars())


SOURCE_TABLES = ("participants", "status_changes", "follow_ups", "certificates", "placements", "enrolments",
                 "measures", "attendances", "attendance_sessions", "notes")
_BY_PARTICIPANT = (StatusChange, Placement, Certificate, FollowUp, Enrolment, Note)


def _objects_touched(session: Session, objects: Iterable[Any]) -> None:
    ids: set[int] = set()
    enrolments: set[int] = set()
    sessions: set[int] = set()
    measures: set[int] = set()
    for obj in objects:
        if isinstance(obj, Participant):
            ids.add(obj.id)
        elif isinstance(obj, _BY_PARTICIPANT):
            ids.add(obj.participant_id)
            # a record moved to another participant changes both
            history = sa.inspect(obj).attrs.participant_id.history  # type: ignore[attr-defined]
            ids.update(i for i in history.deleted or () if i is not None)
        elif isinstance(obj, Attendance):
            enrolments.add(obj.enrolment_id)
        elif isinstance(obj, AttendanceSession):
            sessions.add(obj.id)
        elif isinstance(obj, Measure) and sa.inspect(obj).attrs.type.history.has_changes():
            measures.add(obj.id)
    touch(session, ids)
    with session.no_autoflush:
        touch(session, _enrolment_participants(session, enrolments))
        touch(session, _session_participants(session, sessions))
        if measures:
            touch(session, session.execute(sa.select(Enrolment.participant_id).where(
                Enrolment.measure_id.in_(sorted(measures))).distinct()).scalars())


def _before_flush(session: Session, _context, _instances) -> None:
    # a deleted session's attendances go with it (ON DELETE CASCADE): their participants are read now
    deleted_sessions = {o.id for o in session.deleted if isinstance(o, AttendanceSession)}
    if deleted_sessions:
        with session.no_autoflush:
            touch(session, _session_participants(session, deleted_sessions))


def _after_flush(session: Session, _context) -> None:
    _objects_touched(session, [*session.new, *session.dirty, *session.deleted])


_WATCHED = {"participants": "id", "status_changes": "participant_id", "placements": "participant_id",
            "certificates": "participant_id", "follow_ups": "participant_id", "enrolments": "participant_id",
            "notes": "participant_id", "attendances": "enrolment_id", "attendance_sessions": "id"}
# executemany UPDATEs name the row by a bound parameter of their own (imports: `pid`, demo data: `b_id`)
_KEY_PARAMETERS = ("participant_id", "pid", "b_id", "id")


def _measure_written(state, table) -> None:
    """A measure's type is a fact of everyone enrolled in it (a new measure has no one yet; one with
    enrolments cannot be deleted: their foreign key refuses)."""
    if not state.is_update:
        return
    written = {getattr(c, "key", c) for c in (state.statement._values or {})}  # noqa: SLF001
    if "type" not in written:
        return
    if isinstance(state.parameters, list):
        refresh_all_at_commit(state.session)
        return
    where = state.statement.whereclause
    measures = sa.select(table.c.id).where(where if where is not None else sa.true())
    with state.session.no_autoflush:
        touch(state.session, state.session.execute(
            sa.select(Enrolment.participant_id).where(Enrolment.measure_id.in_(measures)),
            state.parameters or {}).scalars())


def _do_orm_execute(state) -> None:
    """A Core INSERT/UPDATE/DELETE on a table the facts read: its participants, before it runs."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    session = state.session
    if session.info.get(_BUSY) or session.info.get(_ALL):
        return
    table: Any = getattr(state.statement, "table", None)
    if getattr(table, "name", "") == "measures":
        _measure_written(state, table)
        return
    key = _WATCHED.get(getattr(table, "name", ""))
    if key is None:
        return
    params = state.parameters
    rows = params if isinstance(params, list) else ([params] if params else [])
    values: set[int] = set()
    if state.is_insert:
        if table.name == "attendance_sessions":
            return   # a new session has no attendances yet
        if rows and all(key in r for r in rows):
            values = {r[key] for r in rows}
        elif table.name == "participants":
            # new participants whose ids the database assigns: every id above today's largest
            with session.no_autoflush:
                largest = session.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))).scalar_one()
            session.info[_NEW_ABOVE] = min(session.info.get(_NEW_ABOVE, largest), largest)
            return
        else:
            refresh_all_at_commit(session)
            return
    elif isinstance(params, list) and len(params) > 0:
        names = [n for n in _KEY_PARAMETERS if all(n in r for r in rows)]
        if table.name == "participants" and names or "participant_id" in names or (key == "id" and names):
            values = {r[names[0]] for r in rows}
        else:
            refresh_all_at_commit(session)
            return
    else:
        where = state.statement.whereclause
        stmt = sa.select(table.c[key])
        if where is not None:
            stmt = stmt.where(where)
        with session.no_autoflush:
            values = set(session.execute(stmt, rows[0] if rows else {}).scalars())
    if key == "enrolment_id":
        with session.no_autoflush:
            values = set(_enrolment_participants(session, {v for v in values if v is not None}))
    elif table.name == "attendance_sessions":
        with session.no_autoflush:
            values = set(_session_participants(session, {v for v in values if v is not None}))
    touch(session, values)


def bring_up_to_date(session: Session) -> None:
    """Flushes and recomputes the rows of the participants touched so far in this transaction."""
    if session.info.get(_BUSY):
        return
    session.flush()
    everything = session.info.pop(_ALL, False)
    ids = session.info.pop(_TOUCHED, set())
    new_above = session.info.pop(_NEW_ABOVE, None)
    if new_above is not None and not everything:
        ids.update(session.execute(sa.select(P.id).where(P.id > new_above)).scalars())
    if everything:
        refresh_all(session)
    elif ids:
        refresh(session, ids)


def _before_commit(session: Session) -> None:
    bring_up_to_date(session)


def _forget(session: Session, *_args) -> None:
    session.info.pop(_TOUCHED, None)
    session.info.pop(_ALL, None)
    session.info.pop(_NEW_ABOVE, None)


def listen() -> None:
    """Registers the maintenance on every ORM session (idempotent)."""
    for name, fn in (("before_flush", _before_flush), ("after_flush", _after_flush),
                     ("do_orm_execute", _do_orm_execute), ("before_commit", _before_commit),
                     ("after_rollback", _forget)):
        if not sa.event.contains(Session, name, fn):
            sa.event.listen(Session, name, fn)
