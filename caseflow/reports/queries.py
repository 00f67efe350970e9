"""The reports' SQL: every figure is computed in the database (grouped selects with FILTER sums),
never by loading participants into Python.

The ESF+, placement and completeness reports read `report_facts` (reports/facts.py): per
participant, what the rules look up in the histories (the status upon leaving, the latest six-month
follow-up, …) and copies of the participant's columns they filter and group by, kept in the same
transaction as the histories; a partnership's report still reads the participants and histories.
The ESF+ rules are those of docs/esf-indicators.md; each rule is one SQL expression below or in
facts.py, used both for the counts and for the drill-down list behind a count, so the two can never
disagree. SQLite (3.30+) and PostgreSQL differ in date arithmetic, which the small dialect helpers
at the top hide.
"""
from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased

from caseflow.accounts.models import Organisation
from caseflow.database import reports_session, sqlite_function
from caseflow.extensions import db
from caseflow.measures.models import Enrolment, Measure
from caseflow.measures.queries import participant_minutes
from caseflow.participants.models import Participant, StatusChange
from caseflow.placements.models import Certificate, FollowUp
from caseflow.reports import facts
from caseflow.reports.models import ReportDay, ReportFacts, ReportPlacement
from caseflow.vocabulary import EU_MEMBER_STATES, MEASURE_TYPES

P = Participant
F = ReportFacts
RP = ReportPlacement
RD = ReportDay
GENDER_KEYS = ("female", "male", "non_binary")
BREAKDOWN_KEYS = ("female", "male", "non_binary", "total")
INACTIVE_STATUSES = ("inactive", "education_or_training")
EMPLOYED_STATUSES = ("employed", "self_employed")
EU_CODES = tuple(sorted(EU_MEMBER_STATES))
LEAVING_WINDOW_DAYS = facts.LEAVING_WINDOW_DAYS

# Placement types that count as a job, an apprenticeship or self-employment for the placement rate.
# Internships are left out: they are no employment and add no labour-market status (vocabulary.py).
PLACED_TYPES = facts.PLACED_TYPES


# --- dialect helpers ------------------------------------------------------------------------------

_DIALECT: ContextVar[str | None] = ContextVar("caseflow_reports_dialect", default=None)


def dialect_name() -> str:
    return _DIALECT.get() or db.session.get_bind().dialect.name


@contextmanager
def built_for(dialect: str) -> Iterator[None]:
    """Builds the expressions for `dialect` whatever db.session is bound to (or without an app, as in
    a migration)."""
    token = _DIALECT.set(dialect)
    try:
        yield
    finally:
        _DIALECT.reset(token)


def plus_days(column, days: int):
    """`column` + `days` days, as a date."""
    days = int(days)
    if dialect_name() == "sqlite":
        return sa.func.date(column, f"{days:+d} days", type_=sa.Date)
    return column + sa.literal_column(str(days), sa.Integer)


def months_before(column, months: int):
    """The date `months` calendar months before `column`: the same day of the month, or the last day
    of that month where it has no such day (2024-03-31 minus 1 month is 2024-02-29).

    SQLite's date(x, '-N months') does not clamp (it overflows into the next month), so there the
    date is built from the first of the target month plus (day - 1) days, capped at that month's
    last day. PostgreSQL's date - interval clamps by itself.
    """
    months = int(months)
    if dialect_name() == "sqlite":
        offset = sa.func.printf("+%d days", sa.cast(sa.func.strftime("%d", column), sa.Integer) - 1)
        same_day = sa.func.date(column, "start of month", f"-{months} months", offset)
        last_day = sa.func.date(column, "start of month", f"-{months - 1} months", "-1 day")
        return sa.func.min(same_day, last_day, type_=sa.Date)  # two arguments: SQLite's scalar min
    return sa.cast(column - sa.literal_column(f"interval '{months} months'", sa.Interval), sa.Date)


def days_between(later, earlier):
    """Whole days from `earlier` to `later`."""
    if dialect_name() == "sqlite":
        return sa.cast(sa.func.julianday(later) - sa.func.julianday(earlier), sa.Integer)
    return later - earlier


def median_of(values: sa.Select) -> float | None:
    """The median of the single column selected by `values`, computed in the database:
    percentile_cont on PostgreSQL, the middle row(s) by window numbering on SQLite."""
    return _median(reports_session().scalar(median_select(values)))


def _median(value) -> float | None:
    return None if value is None else float(value)


def median_select(values: sa.Select) -> sa.Select:
    """The select of median_of(values)."""
    sub = values.subquery()
    column = list(sub.c)[0]
    if dialect_name() == "postgresql":
        stmt = sa.select(sa.func.percentile_cont(0.5).within_group(column))
    else:
        numbered = sa.select(column.label("v"),
                             sa.func.row_number().over(order_by=column).label("rn"),
                             sa.func.count().over().label("n")).subquery()
        stmt = sa.select(sa.func.avg(numbered.c.v)).where(
            numbered.c.rn.in_([(numbered.c.n + 1) // 2, (numbered.c.n + 2) // 2]))
    return stmt


def count_if(condition):
    return sa.func.count().filter(condition)


# --- scope ----------------------------------------------------------------------------------------

def scope_conditions(organisation_id: int | None) -> list:
    """Restricted cases (GDPR Art. 18) are left out of every report; anonymised ones stay."""
    conditions: list[sa.ColumnElement[bool]] = [P.restricted_at.is_(None)]
    if organisation_id is not None:
        conditions.append(P.organisation_id == organisation_id)
    return conditions


# --- ESF+ common indicators ----------------------------------------------------------------------

OUTPUT_KEYS = ("total", "unemployed", "long_term_unemployed", "inactive", "employed", "below_18",
               "age_18_29", "age_55_plus", "isced_0_2", "isced_3_4", "isced_5_8", "disability",
               "third_country_national", "foreign_background", "minority", "homeless")
RESULT_KEYS = ("job_searching_upon_leaving", "education_or_training_upon_leaving",
               "qualification_upon_leaving", "employed_upon_leaving",
               "employed_six_months_after", "improved_situation_six_months_after")
LTU_RULES = ("eu", "de")


def long_term_unemployed(rule: str):
    """Unemployed at entry, and the unemployment began
    - `eu`: strictly before the date 6 (under 25 at entry) or 12 (25 or older) calendar months before entry;
    - `de`: on or before the date 12 calendar months before entry (§ 18 SGB III, no age split)."""
    since = P.unemployed_since
    base = sa.and_(P.labour_status_at_entry == "unemployed", since.is_not(None))
    if rule == "de":
        return sa.and_(base, since <= months_before(P.entry_date, 12))
    # one date computation per row: the limit depends on the age
    limit = sa.case((P.age_at_entry < 25, months_before(P.entry_date, 6)), else_=months_before(P.entry_date, 12))
    return sa.and_(base, since < limit)


def output_conditions(rule: str, src: Any = P) -> dict[str, Any]:
    """The output indicators over the participants (`src` P), or over report_facts (`src` F), which
    holds copies of the columns read here and the long-term-unemployment rules' results."""
    status = src.labour_status_at_entry
    ltu = long_term_unemployed(rule) if src is P else getattr(F, f"long_term_unemployed_{rule}")
    return {
        "total": sa.true(),
        "unemployed": status == "unemployed",
        "long_term_unemployed": ltu,
        "inactive": status.in_(INACTIVE_STATUSES),
        "employed": status.in_(EMPLOYED_STATUSES),
        "below_18": src.age_at_entry < 18,
        "age_18_29": src.age_at_entry.between(18, 29),
        "age_55_plus": src.age_at_entry >= 55,
        "isced_0_2": src.education_isced.between(0, 2),
        "isced_3_4": src.education_isced.between(3, 4),
        "isced_5_8": src.education_isced.between(5, 8),
        "disability": src.disability == "yes",
        "third_country_national": src.nationality.not_in(EU_CODES),
        "foreign_background": src.foreign_background == "yes",
        "minority": src.minority == "yes",
        "homeless": src.homeless == "yes",
    }


def fact_scope(organisation_id: int | None, table: Any = F) -> list:
    """scope_conditions on report_facts' copies (or report_placements', the same per placement)."""
    conditions: list[sa.ColumnElement[bool]] = [sa.not_(table.restricted)]
    if organisation_id is not None:
        conditions.append(table.organisation_id == organisation_id)
    return conditions


def minimum_participation(min_minutes: int | sa.BindParameter) -> list:
    """The ESF+ report's option (`ESF_MIN_HOURS`, `min_hours`): only participants with at least
    `min_minutes` minutes of participation (measures/queries.py: participant_minutes, kept in
    report_facts); none when 0 (a bound parameter: a statement for more than 0). The select must
    join report_facts (with_facts)."""
    return [F.minutes >= min_minutes] if isinstance(min_minutes, sa.BindParameter) or min_minutes > 0 else []


def facts_up_to_date() -> None:
    """Brings the report facts (reports/facts.py) up to date with what this transaction changed so
    far (nothing to do on a read replica, which sees committed data only)."""
    if reports_session() is db.session:
        facts.bring_up_to_date(db.session)  # type: ignore[arg-type]  # the scoped session proxies a Session


def with_facts(stmt: sa.Select) -> sa.Select:
    """`stmt` (over participants) joined with their report facts."""
    facts_up_to_date()
    return stmt.join_from(P, F, F.participant_id == P.id)


def leaving_subquery(date_from: date, date_to: date, organisation_id: int | None,
                     min_minutes: int | sa.BindParameter = 0):
    """One row per participant whose final exit lies in the period, with what the result rules read,
    from report_facts alone (reports/facts.py: the status upon leaving, i.e. the latest record dated
    on or before exit + 28 days, the last recorded of a day winning; the latest six-month follow-up
    dated on or after the final exit; whether a certificate is dated from entry to exit + 28 days)."""
    facts_up_to_date()
    return (sa.select(F.participant_id.label("id"), F.gender.label("gender"),
                      F.labour_status_at_entry.label("entry_status"),
                      F.leaving_status.label("leaving_status"),
                      F.follow_up_id.label("follow_up_id"),
                      F.qualified.label("qualified"),
                      F.follow_up_status.label("follow_up_status"),
                      F.follow_up_improved.label("follow_up_improved"))
            .where(*fact_scope(organisation_id), F.status == "exited",
                   F.exit_date.between(date_from, date_to), *minimum_participation(min_minutes))
            .subquery("leaving"))


def result_conditions(r) -> dict[str, Any]:
    entry, leaving = r.c.entry_status, r.c.leaving_status
    return {
        "job_searching_upon_leaving": sa.and_(entry.in_(INACTIVE_STATUSES), leaving == "unemployed"),
        "education_or_training_upon_leaving": sa.and_(entry != "education_or_training",
                                                      leaving == "education_or_training"),
        "qualification_upon_leaving": r.c.qualified.is_(True),
        "employed_upon_leaving": sa.and_(entry.in_(("unemployed",) + INACTIVE_STATUSES),
                                         leaving.in_(EMPLOYED_STATUSES)),
        "employed_six_months_after": r.c.follow_up_status.in_(EMPLOYED_STATUSES),
        "improved_situation_six_months_after": sa.and_(entry.in_(EMPLOYED_STATUSES),
                                                       r.c.follow_up_improved.is_(True)),
    }


def _by_gender(rows: Iterable, keys: Iterable[str]) -> dict[str, dict[str, int]]:
    keys = list(keys)
    table = {k: {b: 0 for b in BREAKDOWN_KEYS} for k in keys}
    for row in rows:
        gender = row.gender
        for k in keys:
            n = int(getattr(row, k) or 0)
            table[k]["total"] += n  # `total` also counts not_stated
            if gender in GENDER_KEYS:
                table[k][gender] += n
    return table


# --- a partnership's report: linked cases of one person counted once (issue 17) ---------------------
#
# `people` is a select of (pid, root): every case in the partnership's scope with the key of its
# person (the first case of a chain of accepted referrals), built by the partnerships domain
# (caseflow/partnerships/report.py), which registers it with reports/services.py at start-up. The
# rules below read the ESF+ rules of this module unchanged, on one case per person:
# - outputs: the person's case with the first entry (earliest entry date, then lowest id) stands for
#   the person, so the entry date is the first entry across the partnership and every
#   characteristic at entry is read from that case;
# - results: only a person none of whose cases is still open has a final exit, the latest exit date
#   of their cases; the status upon leaving, the six-month follow-up and the qualification are read
#   from the histories of all their cases, the status at entry and the gender from the first case.

def _person_cases(people, min_minutes: int = 0):
    """Every case of `people` (not restricted) with its rank by entry and by exit within its person,
    the number of its person's open cases, the person's first case, first entry and latest exit;
    with `min_minutes`, whether the person's participation over all their cases reaches it."""
    if isinstance(people, sa.Select):
        people = people.subquery("people")
    by_person = {"partition_by": people.c.root}
    open_case = sa.case((P.status == "exited", 0), else_=1)
    by_entry = {"order_by": (P.entry_date, P.id), **by_person}
    # per case, what its person needs, so that no lookup joins these rows with themselves
    whole = {"partition_by": people.c.root, "range_": (None, None)}
    return (sa.select(people.c.pid.label("pid"), people.c.root.label("root"),
                      sa.func.row_number().over(**by_entry).label("entry_rank"),
                      sa.func.row_number().over(order_by=(P.exit_date.desc(), P.id.desc()), **by_person)
                      .label("exit_rank"),
                      sa.func.sum(open_case).over(**by_person).label("open_cases"),
                      sa.func.first_value(P.id).over(order_by=(P.entry_date, P.id), **whole).label("first_pid"),
                      sa.func.min(P.entry_date).over(**by_person).label("first_entry"),
                      sa.func.max(P.exit_date).over(**by_person).label("final_exit"),
                      (sa.func.sum(participant_minutes(P)).over(**by_person) >= min_minutes if min_minutes > 0
                       else sa.true()).label("enough_hours"))
            .join(P, P.id == people.c.pid).where(P.restricted_at.is_(None))
            .cte("person_cases").prefix_with("MATERIALIZED"))


def _first_cases(cases):
    return sa.select(cases.c.pid).where(cases.c.entry_rank == 1, cases.c.enough_hours)


def linked_leaving_subquery(date_from: date, date_to: date, people, min_minutes: int = 0):
    """leaving_subquery for a partnership: one row per person whose final exit across their linked
    cases lies in the period (the columns of leaving_subquery, `id` the case of the final exit).

    Set-based rather than correlated: each lookup over "all of the person's cases" joins the
    person's cases once and keeps the latest row per person by a window (a correlated lookup by
    person would scan the cases once per person: 150 s instead of a fraction of a second at 20,000
    cases on SQLite)."""
    sc, fu, cert = StatusChange, FollowUp, Certificate
    cases = _person_cases(people, min_minutes)
    FP = aliased(Participant, name="first_participant")
    left = sa.and_(cases.c.open_cases == 0, cases.c.final_exit.between(date_from, date_to), cases.c.enough_hours)
    # the case of the final exit, one per person
    final = (sa.select(cases.c.root.label("root"), cases.c.pid.label("id"), cases.c.first_pid.label("first_pid"))
             .where(left, cases.c.exit_rank == 1).cte("final_cases").prefix_with("MATERIALIZED"))
    # every case of the persons who left in the period, with the final exit and the first entry
    own = (sa.select(cases.c.pid.label("pid"), cases.c.root.label("root"), cases.c.final_exit.label("exit_date"),
                     cases.c.first_entry.label("entry_date"))
           .where(left).cte("leaving_cases").prefix_with("MATERIALIZED"))
    leave_day = plus_days(own.c.exit_date, LEAVING_WINDOW_DAYS)
    statuses = (sa.select(own.c.root, sc.status.label("status"),
                          sa.func.row_number().over(partition_by=own.c.root, order_by=(sc.date.desc(), sc.id.desc()))
                          .label("rn"))
                .join(sc, sc.participant_id == own.c.pid).where(sc.date <= leave_day).subquery("leaving_statuses"))
    follow_ups = (sa.select(own.c.root, fu.id.label("follow_up_id"),
                            sa.func.row_number().over(partition_by=own.c.root, order_by=(fu.date.desc(), fu.id.desc()))
                            .label("rn"))
                  .join(fu, fu.participant_id == own.c.pid)
                  .where(fu.kind == "six_months", fu.date >= own.c.exit_date).subquery("person_follow_ups"))
    qualified = (sa.select(own.c.root).join(cert, cert.participant_id == own.c.pid)
                 .where(cert.date >= own.c.entry_date, cert.date <= leave_day).distinct().subquery("qualified"))
    # one row per person: the four parts stacked and grouped by person, rather than joined (a join
    # of derived tables has no index to use on SQLite, which then compares every pair of rows)
    def typed_null(kind):
        return sa.cast(sa.null(), kind)

    stacked = sa.union_all(
        sa.select(final.c.root.label("root"), final.c.id.label("id"), final.c.first_pid.label("first_pid"),
                  typed_null(sa.String(32)).label("status"), typed_null(sa.Integer).label("follow_up_id"),
                  sa.literal_column("0", sa.Integer).label("qualified")),
        sa.select(statuses.c.root, typed_null(sa.Integer), typed_null(sa.Integer), statuses.c.status,
                  typed_null(sa.Integer), sa.literal_column("0", sa.Integer)).where(statuses.c.rn == 1),
        sa.select(follow_ups.c.root, typed_null(sa.Integer), typed_null(sa.Integer), typed_null(sa.String(32)),
                  follow_ups.c.follow_up_id, sa.literal_column("0", sa.Integer)).where(follow_ups.c.rn == 1),
        sa.select(qualified.c.root, typed_null(sa.Integer), typed_null(sa.Integer), typed_null(sa.String(32)),
                  typed_null(sa.Integer), sa.literal_column("1", sa.Integer)),
    ).subquery("person_parts")
    person = (sa.select(sa.func.max(stacked.c.id).label("id"), sa.func.max(stacked.c.first_pid).label("first_pid"),
                        sa.func.max(stacked.c.status).label("leaving_status"),
                        sa.func.max(stacked.c.follow_up_id).label("follow_up_id"),
                        sa.func.max(stacked.c.qualified).label("qualified"))
              .group_by(stacked.c.root).subquery("person_leaving"))
    inner = (sa.select(person.c.id.label("id"), FP.gender.label("gender"),
                       FP.labour_status_at_entry.label("entry_status"),
                       person.c.leaving_status.label("leaving_status"),
                       person.c.follow_up_id.label("follow_up_id"),
                       (person.c.qualified == 1).label("qualified"))
             .join(FP, FP.id == person.c.first_pid)   # only persons with a final exit have a first_pid
             .cte("linked_leaving_inner").prefix_with("MATERIALIZED"))
    fu_latest = aliased(FollowUp, name="fu_latest")
    return (sa.select(inner, fu_latest.status.label("follow_up_status"),
                      fu_latest.improved_situation.label("follow_up_improved"))
            .outerjoin(fu_latest, fu_latest.id == inner.c.follow_up_id)
            .subquery("leaving"))


def esf_indicators(date_from: date, date_to: date, *, rule: str, organisation_id: int | None,
                   min_minutes: int = 0, people=None) -> dict[str, dict[str, dict[str, int]]]:
    """{"outputs": {key: {female, male, non_binary, total}}, "results": {...}} in two grouped selects;
    with `min_minutes`, only participants with at least that participation; `people` (a
    partnership's linked cases, see above): each person counted once, with the participation of all
    their cases."""
    session = reports_session()
    if people is None:
        facts_up_to_date()
        values = {"date_from": date_from, "date_to": date_to, "organisation_id": organisation_id,
                  "min_minutes": min_minutes}
        outputs_stmt, results_stmt = _esf_statements(dialect_name(), rule, organisation_id is not None, min_minutes > 0)
        outputs = session.execute(outputs_stmt, values).all()
        results = session.execute(results_stmt, values).all()
    else:
        outputs = session.execute(
            sa.select(P.gender, *[count_if(c).label(k) for k, c in output_conditions(rule).items()])
            .where(*scope_conditions(organisation_id), P.entry_date.between(date_from, date_to),
                   P.id.in_(_first_cases(_person_cases(people, min_minutes))))
            .group_by(P.gender)).all()
        results = session.execute(_results_select(linked_leaving_subquery(date_from, date_to, people, min_minutes))).all()
    return {"outputs": _by_gender(outputs, OUTPUT_KEYS), "results": _by_gender(results, RESULT_KEYS)}


@functools.lru_cache(maxsize=32)
def _esf_statements(dialect: str, rule: str, by_organisation: bool, minimum: bool) -> tuple[sa.Select, sa.Select]:
    """esf_indicators' two selects over report_facts alone (copies of the participant's columns),
    built once per process, database, rule and shape (one organisation or all; a minimum of
    participation or none), over the bound parameters `date_from`, `date_to`, `organisation_id`,
    `min_minutes` (issue 19: as the placement report's, see _placement_statement)."""
    date_from: Any = sa.bindparam("date_from", type_=sa.Date)
    date_to: Any = sa.bindparam("date_to", type_=sa.Date)
    organisation_id: Any = sa.bindparam("organisation_id", type_=sa.Integer) if by_organisation else None
    min_minutes: Any = sa.bindparam("min_minutes", type_=sa.Integer) if minimum else 0
    with built_for(dialect):
        outputs = (sa.select(F.gender, *[count_if(c).label(k) for k, c in output_conditions(rule, F).items()])
                   .where(*fact_scope(organisation_id), F.entry_date.between(date_from, date_to),
                          *minimum_participation(min_minutes))
                   .group_by(F.gender))
        results = _results_select(leaving_subquery(date_from, date_to, organisation_id, min_minutes))
    return outputs, results


def _results_select(r) -> sa.Select:
    return sa.select(r.c.gender, *[count_if(c).label(k) for k, c in result_conditions(r).items()]).group_by(r.c.gender)


def esf_participants(date_from: date, date_to: date, *, rule: str, organisation_id: int,
                     indicator: str, gender: str, min_minutes: int = 0) -> sa.Select:
    """The participants behind one ESF figure (ordered by case number), for the drill-down list."""
    columns = (P.id, P.case_number, P.first_name, P.last_name, P.anonymised_at, P.entry_date, P.exit_date)
    if indicator in OUTPUT_KEYS:
        stmt = sa.select(*columns).where(*scope_conditions(organisation_id),
                                         P.entry_date.between(date_from, date_to),
                                         output_conditions(rule)[indicator])
        if min_minutes > 0:
            stmt = with_facts(stmt).where(*minimum_participation(min_minutes))
    else:
        r = leaving_subquery(date_from, date_to, organisation_id, min_minutes)
        stmt = sa.select(*columns).join(r, r.c.id == P.id).where(result_conditions(r)[indicator])
    if gender != "total":
        stmt = stmt.where(P.gender == gender)
    return stmt.order_by(P.case_number)


# --- placement outcomes ---------------------------------------------------------------------------

BREAKDOWNS = ("measure_type", "organisation", "gender", "age_band", "nationality_group", "country",
              "residence_status", "german_level")
AGE_BANDS = ("below_18", "18_29", "30_54", "55_plus")
MAIN_COUNTRIES = 10
SMALL_CELL = 5
GROUP_METRICS = ("participants", "entered", "exited", "placed_exits")
GROUPING_WORK_MEM = "32MB"


@dataclass(frozen=True)
class PlacementFilters:
    date_from: date
    date_to: date
    organisation_id: int | None = None
    counsellor_id: int | None = None
    measure_type: str | None = None
    measure_id: int | None = None


# Every request of the report runs the same few statements, which differ only in which filters are
# set (the "shape") and in the values: each is built once per process, database, shape and
# breakdowns, over bound parameters named after the filters (`date_from`, `organisation_id`, …),
# and run with the request's values (issue 19: building the breakdowns' statement and its cache
# key took a third of the report's CPU time). The SQL is the one built with the values themselves.
# (the measure type's parameter takes the type of the column it is compared with, an enum)
FILTER_TYPES: dict[str, Any] = {"organisation_id": sa.Integer, "counsellor_id": sa.Integer, "measure_type": None,
                                "measure_id": sa.Integer}


def _shape(f: PlacementFilters) -> tuple[bool, ...]:
    return tuple(getattr(f, name) is not None for name in FILTER_TYPES)


def _bound(shape: tuple[bool, ...]) -> PlacementFilters:
    """Filters of this shape whose values are bound parameters (run with _values)."""
    values: dict[str, Any] = {name: sa.bindparam(name, type_=type_) if given else None
                              for (name, type_), given in zip(FILTER_TYPES.items(), shape, strict=True)}
    return PlacementFilters(sa.bindparam("date_from", type_=sa.Date),  # type: ignore[arg-type]
                            sa.bindparam("date_to", type_=sa.Date), **values)  # type: ignore[arg-type]


def _values(f: PlacementFilters) -> dict[str, Any]:
    """The parameters of the statements built from _bound(_shape(f))."""
    values: dict[str, Any] = {"date_from": f.date_from, "date_to": f.date_to}
    values.update({name: getattr(f, name) for name in FILTER_TYPES if getattr(f, name) is not None})
    if f.measure_type is not None:
        values["measure_type_bit"] = facts.measure_type_bit(f.measure_type)
    return values


@functools.lru_cache(maxsize=256)
def _placement_statement(build, dialect: str, shape: tuple[bool, ...], *args) -> Any:
    with built_for(dialect):
        return build(_bound(shape), *args)


def _run_placement_statement(build, f: PlacementFilters, *args) -> sa.Result:
    """Runs build(filters, *args), built once per process for the filters' shape, with f's values,
    on the report session's connection: plain rows, without the ORM's work per row (the report
    reads only columns; a few thousand rows of its cube and trend cost 10-20 ms of CPU through
    the session at 1,000,000 participants)."""
    facts_up_to_date()
    return reports_session().connection().execute(_placement_statement(build, dialect_name(), _shape(f), *args),
                                                  _values(f))


def _filter_conditions(f: PlacementFilters) -> list:
    """The placement report's filters over the participants, for the monthly entries and exits
    grouped by day: those read the participants' covering date indexes
    (ix_participants_report_*), which report_facts lacks; moved onto report_facts they took a fifth
    longer at 100,000 participants (placement report 125 → 160 ms). The rest of the report:
    _fact_filter_conditions, the same filters on report_facts."""
    conditions = scope_conditions(f.organisation_id)
    if f.counsellor_id is not None:
        conditions.append(P.counsellor_id == f.counsellor_id)
    if f.measure_type is not None or f.measure_id is not None:
        enrolled = sa.select(Enrolment.id).where(Enrolment.participant_id == P.id,
                                                 Enrolment.status != "cancelled")
        if f.measure_id is not None:
            enrolled = enrolled.where(Enrolment.measure_id == f.measure_id)
        if f.measure_type is not None:
            enrolled = enrolled.join(Measure, Measure.id == Enrolment.measure_id).where(
                Measure.type == f.measure_type)
        conditions.append(enrolled.correlate(P).exists())
    return conditions


def _fact_filter_conditions(f: PlacementFilters, table: Any = F) -> list:
    """_filter_conditions on the participants' copies in report_facts (or report_placements, which
    holds the same copies per placement)."""
    conditions = fact_scope(f.organisation_id, table)
    if f.counsellor_id is not None:
        conditions.append(table.counsellor_id == f.counsellor_id)
    if f.measure_type is not None:
        bit = (sa.bindparam("measure_type_bit", type_=sa.Integer) if isinstance(f.measure_type, sa.BindParameter)
               else facts.measure_type_bit(f.measure_type))
        conditions.append(table.measure_types.op("&")(bit) != 0)
    if f.measure_id is not None:
        conditions.append(sa.select(Enrolment.id).where(Enrolment.participant_id == table.participant_id,
                                                        Enrolment.status != "cancelled",
                                                        Enrolment.measure_id == f.measure_id)
                          .correlate(table).exists())
    return conditions


def placement_base(f: PlacementFilters):
    """One row per participant active in the period (entered on or before its end, not finally
    exited before its start) within the filters, with the flags every figure counts: from
    report_facts alone (the participant's columns are copied there).

    The flags are conditions, counted with `count(*) FILTER (WHERE flag)` (_group_columns). Each
    leaves out the half of its period test that the row's own condition already holds (an active
    participant entered on or before the period's end; a final exit of one is on or after its
    start): at 1M participants the per-participant pass of one organisation took 0.23 s with
    `sum(CASE … THEN 1 ELSE 0 END)` over full period tests, 0.21 s so."""
    exited = sa.and_(F.status == "exited", F.exit_date <= f.date_to)
    return (sa.select(
        F.organisation_id.label("organisation"), F.cube_key.label("cube_key"), F.measure_types.label("measure_types"),
        (F.entry_date >= f.date_from).label("entered"),
        exited.label("exited"),
        sa.and_(exited, F.placed_exit).label("placed_exits"),
        sa.case((exited, F.follow_up_status), else_=None).label("follow_up_status"))
        .where(*_fact_filter_conditions(f), F.entry_date <= f.date_to,
               sa.or_(F.exit_date.is_(None), F.exit_date >= f.date_from))
        # PostgreSQL: scanned once per use (the cube, the measure-type sets) rather than written to
        # a temporary store and read back: the narrow table is read faster than the store is written
        .cte("placement_base").prefix_with("NOT MATERIALIZED" if dialect_name() == "postgresql" else "MATERIALIZED"))


def _text(value: str):
    """A constant string column (inlined: a bound parameter has no type PostgreSQL can unify in UNION ALL)."""
    assert value.replace("_", "").isalnum() or value == ""
    return sa.literal_column(f"'{value}'", sa.String)


def _zero():
    return sa.literal_column("0", sa.BigInteger)


def _group_columns(base):
    return (sa.func.count().label("participants"), count_if(base.c.entered).label("entered"),
            count_if(base.c.exited).label("exited"), count_if(base.c.placed_exits).label("placed_exits"))


CUBE_DIMENSIONS = ("organisation", "cube_key")
# the breakdowns that are parts of the cube key, by their place in it (from 1; the breakdown calls
# the nationality its country)
_KEY_PARTS = {("country" if part == "nationality" else part): n for n, part in enumerate(facts.CUBE_PARTS, 1)}


class _KeyPart(sa.sql.expression.FunctionElement):
    """The n-th part (from 1) of a cube key: split_part() on PostgreSQL, a function of the app's on
    SQLite (registered on each connection below)."""
    type = sa.String()
    inherit_cache = True
    name = "cf_key_part"


@compiles(_KeyPart)
def _key_part_sqlite(element, compiler, **kw) -> str:
    return f"cf_key_part({compiler.process(element.clauses, **kw)})"


@compiles(_KeyPart, "postgresql")
def _key_part_postgresql(element, compiler, **kw) -> str:
    key, n = list(element.clauses)
    return f"split_part({compiler.process(key, **kw)}, '{facts.CUBE_SEPARATOR}', {compiler.process(n, **kw)})"


sqlite_function("cf_key_part", 2, lambda key, n: key.split(facts.CUBE_SEPARATOR)[n - 1])


def _key_part(key, dimension: str):
    return _KeyPart(key, sa.literal_column(str(_KEY_PARTS[dimension]), sa.Integer))


def _nationality_group(country):
    """EU or third country, from the nationality (one CASE per cube row, not per participant)."""
    return sa.case((country.in_(EU_CODES), "eu"), else_="third_country")


_WORK_MEM = sa.text(f"SET LOCAL work_mem = '{GROUPING_WORK_MEM}'")


def placement_summary_and_groups(f: PlacementFilters, breakdowns: Iterable[str]):
    """The summary row and every requested breakdown in ONE select. The per-participant rows are
    grouped once by organisation and cube key together (a "cube" of a few thousand rows at 1M
    participants); the summary and those breakdowns (each a part of the key, or the EU/third-country
    split from the key's nationality) sum the cube, so the participant rows are grouped once more
    only, by measure type through the enrolments (a participant counts once in each measure type
    they were enrolled in)."""
    if dialect_name() == "postgresql":
        # the cube's hash table takes a few MB; PostgreSQL's estimate for grouped rows of a
        # materialised CTE is several times that, so with the default work_mem (4 MB) it sorts a
        # million rows on disk instead (measured at 1M participants: 4 s instead of 1.2 s). For
        # this transaction only.
        reports_session().execute(_WORK_MEM)
    return _run_placement_statement(_summary_and_groups_select, f, tuple(breakdowns)).all()


def _summary_and_groups_select(f: PlacementFilters, breakdowns: tuple[str, ...]):
    base = placement_base(f)
    placed = base.c.placed_exits
    known = placed & base.c.follow_up_status.is_not(None) & (base.c.follow_up_status != "unknown")
    dimensions = [base.c[d] for d in CUBE_DIMENSIONS]
    cube = (sa.select(*dimensions, *_group_columns(base),
                      count_if(known).label("follow_up_known"),
                      count_if(placed & base.c.follow_up_status.in_(EMPLOYED_STATUSES)).label("follow_up_placed"))
            .group_by(*dimensions)
            .cte("placement_cube").prefix_with("MATERIALIZED"))

    def cube_sums():
        return [sa.func.sum(cube.c[m]).label(m) for m in GROUP_METRICS]

    summary = sa.select(_text("summary").label("dimension"), _text("").label("key"), *cube_sums(),
                        sa.func.sum(cube.c.follow_up_known).label("follow_up_known"),
                        sa.func.sum(cube.c.follow_up_placed).label("follow_up_placed"))
    parts = [summary]
    for dim in breakdowns:
        if dim == "measure_type":
            # a participant counts once in each type they were enrolled in (non-cancelled): the
            # participant rows grouped by their set of types (a few hundred sets at most), each set
            # counted in every type it holds
            sets = (sa.select(base.c.measure_types.label("types"), *_group_columns(base))
                    .group_by(base.c.measure_types).cte("placement_type_sets"))
            types = sa.union_all(*[sa.select(_text(t).label("key"),
                                             sa.literal_column(str(facts.measure_type_bit(t)), sa.Integer).label("bit"))
                                   for t in MEASURE_TYPES]).subquery("measure_type_bits")
            parts.append(sa.select(_text("measure_type").label("dimension"), sa.cast(types.c.key, sa.String).label("key"),
                                   *[sa.func.sum(sets.c[m]).label(m) for m in GROUP_METRICS],
                                   _zero().label("follow_up_known"), _zero().label("follow_up_placed"))
                         .select_from(sets).join(types, sets.c.types.op("&")(types.c.bit) != 0)
                         .group_by(types.c.key))
            continue
        key = (sa.cast(cube.c.organisation, sa.String) if dim == "organisation"
               else _nationality_group(_key_part(cube.c.cube_key, "country")) if dim == "nationality_group"
               else _key_part(cube.c.cube_key, dim))
        parts.append(sa.select(_text(dim).label("dimension"), key.label("key"),
                               *cube_sums(), _zero().label("follow_up_known"), _zero().label("follow_up_placed"))
                     .group_by(key))
    return sa.union_all(*parts)


def placement_starts(f: PlacementFilters) -> list[tuple[str, date, int]]:
    """(type, start date, n) of the placements starting in the period, of participants within the
    filters: what placements_by_type and monthly_trend sum, read from report_placements alone (a few
    thousand rows)."""
    return [(t, day, int(n)) for t, day, n in _run_placement_statement(_starts_select, f)]


def _starts_select(f: PlacementFilters) -> sa.Select:
    return (sa.select(RP.type, RP.start_date, sa.func.count())
            .where(*_fact_filter_conditions(f, RP), RP.start_date.between(f.date_from, f.date_to))
            .group_by(RP.type, RP.start_date))


def placements_by_type(f: PlacementFilters, starts: list[tuple[str, date, int]] | None = None) -> dict[str, int]:
    """Placements starting in the period, of participants within the filters, by type."""
    out: dict[str, int] = {}
    for t, _day, n in placement_starts(f) if starts is None else starts:
        out[t] = out.get(t, 0) + n
    return out


def first_placement_days(f: PlacementFilters) -> sa.Select:
    """Days from entry to the first job/apprenticeship/self-employment placement on or after entry,
    for participants whose first such placement started in the period."""
    return (sa.select(days_between(F.first_placement, F.entry_date).label("days"))
            .where(*_fact_filter_conditions(f), F.first_placement.between(f.date_from, f.date_to)))


def median_days_to_first_placement(f: PlacementFilters) -> float | None:
    """median_of(first_placement_days(f))."""
    return _median(_run_placement_statement(_first_placement_median_select, f).scalar())


def _first_placement_median_select(f: PlacementFilters) -> sa.Select:
    return median_select(first_placement_days(f))


def entries_and_exits_by_day(f: PlacementFilters, *, on_facts: bool) -> list[tuple[str, date, int]]:
    """('entered' or 'exited', day, n) within the filters: from report_facts' copies, or from the
    participants themselves (the same figures: tests/reports/test_report_placements.py)."""
    return [(metric, day, int(n)) for metric, day, n in _run_placement_statement(_days_select, f, on_facts)]


DAY_METRICS = ("entered", "exited")  # never a placement type (tests/reports/test_placement_report.py)


def placement_starts_and_days(f: PlacementFilters) -> tuple[list[tuple[str, date, int]], list[tuple[str, date, int]]]:
    """placement_starts(f) and the entries and exits by day that monthly_trend reads, in one
    statement (one round trip instead of two): the rows of both, told apart by their first column
    (a placement type, or 'entered' or 'exited'). Read from the summary (_unfiltered), each row's
    date is the first day of its month: what the report does with them (placements_by_type,
    monthly_trend) sums them by type and month, and a few hundred rows are read instead of one
    per day (about 6,500 for one organisation over twenty years)."""
    starts: list[tuple[str, date, int]] = []
    days: list[tuple[str, date, int]] = []
    for metric, day, n in _run_placement_statement(_starts_and_days_select, f, _days_on_facts(f)):
        (days if metric in DAY_METRICS else starts).append((metric, day, int(n)))
    return starts, days


def _starts_and_days_select(f: PlacementFilters, on_facts: bool):
    if _unfiltered(f):
        return _summary_days_select(f)
    return sa.union_all(_starts_select(f), *_days_select(f, on_facts).selects)


def _unfiltered(f: PlacementFilters) -> bool:
    """Whether the report reads the summary by day (report_days: no filter by counsellor or measure)."""
    return f.counsellor_id is None and f.measure_type is None and f.measure_id is None


def _summary_days_select(f: PlacementFilters) -> sa.Select:
    """What _starts_select and _days_select give without a filter by counsellor or measure, from the
    summary by organisation and day that triggers keep (reports/models.py: ReportDay): one range of
    a few thousand rows per organisation instead of its report rows grouped by day (at 1,000,000
    participants, 333,000 of them: 0.12 s → a few ms). Days whose differences add up to 0 are left
    out, as a grouping of the rows has no such day. Grouped by month (month_start): see
    placement_starts_and_days."""
    conditions: list[sa.ColumnElement[bool]] = [RD.day.between(f.date_from, f.date_to)]
    if f.organisation_id is not None:
        conditions.append(RD.organisation_id == f.organisation_id)
    n = sa.func.sum(RD.n)
    month = month_start(RD.day)
    return sa.select(RD.metric, month, n).where(*conditions).group_by(RD.metric, month).having(n != 0)


def month_start(column) -> Any:
    """The first day of the month of a date column, as a date."""
    if dialect_name() == "sqlite":
        return sa.func.date(column, "start of month", type_=sa.Date)
    return sa.cast(sa.func.date_trunc("month", sa.cast(column, sa.DateTime)), sa.Date)


def _days_select(f: PlacementFilters, on_facts: bool):
    source: Any
    if on_facts:
        source, conditions = F, _fact_filter_conditions(f)
    else:
        source, conditions = P, _filter_conditions(f)
    entered = (sa.select(_text("entered").label("metric"), source.entry_date.label("day"), sa.func.count().label("n"))
               .where(*conditions, source.entry_date.between(f.date_from, f.date_to)).group_by(source.entry_date))
    exited = (sa.select(_text("exited").label("metric"), source.exit_date.label("day"), sa.func.count().label("n"))
              .where(*conditions, source.status == "exited", source.exit_date.between(f.date_from, f.date_to))
              .group_by(source.exit_date))
    return sa.union_all(entered, exited)


def monthly_trend(f: PlacementFilters, starts: list[tuple[str, date, int]] | None = None,
                  days: list[tuple[str, date, int]] | None = None) -> list:
    """Per month of the period: entries, final exits, placement starts (job/apprenticeship/
    self-employment) within the filters, as (metric, 'YYYY-MM', n) rows; the placements from
    `starts` (placement_starts) and the entries and exits from `days` where the caller has them
    already (placement_starts_and_days).

    Grouped by day in SQL (the date indexes deliver the rows in that order, so no sort of 100,000
    rows by a computed month) and summed to months here: a few thousand rows at most. From the
    summary by day (no filter by counsellor or measure) they come grouped by month already
    (_summary_days_select).

    Read from the participants' covering date indexes (see _filter_conditions), except for one
    organisation on PostgreSQL: there ix_report_facts_organisation holds the organisation's rows in
    entry date order with every column needed (its INCLUDE), one range of it instead of every
    participant's entry of the date indexes (at 1M participants, 333,000 of them: 0.19 → 0.13 s
    under load; for all organisations the date indexes stay faster, 0.36 against 0.44 s)."""
    days = list(entries_and_exits_by_day(f, on_facts=_days_on_facts(f)) if days is None else days)
    days += [("placements", day, n) for t, day, n in (placement_starts(f) if starts is None else starts)
             if t in PLACED_TYPES]
    months: dict[tuple[str, str], int] = {}
    for metric, day, n in days:
        key = (metric, str(day)[:7])
        months[key] = months.get(key, 0) + n
    return [(metric, month, n) for (metric, month), n in sorted(months.items())]


def _days_on_facts(f: PlacementFilters) -> bool:
    """Whether monthly_trend reads the entries and exits from report_facts (see there)."""
    return dialect_name() == "postgresql" and f.organisation_id is not None


_ORGANISATION_NAMES = sa.select(Organisation.id, Organisation.name).order_by(Organisation.name)


def organisation_names(ids: Iterable[int] | None = None) -> dict[int, str]:
    stmt = _ORGANISATION_NAMES
    if ids is not None:
        stmt = stmt.where(Organisation.id.in_(list(ids)))
    return {i: n for i, n in reports_session().execute(stmt).all()}


# --- data completeness ----------------------------------------------------------------------------

COMPLETENESS_ISSUES = ("no_isced", "unemployed_without_start", "no_four_week_status", "follow_up_overdue",
                       "declined_answer")
FOUR_WEEK_GRACE_DAYS = 0
SIX_MONTH_GRACE_DAYS = 30


def calendar_months_before(day: date, months: int) -> date:
    """Python twin of months_before(): same day of the month, clamped to the month's last day."""
    import calendar
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def six_month_cutoff(today: date) -> date:
    """A six-month follow-up is overdue for final exits before this date: 6 calendar months and
    SIX_MONTH_GRACE_DAYS days before today."""
    return calendar_months_before(today - timedelta(days=SIX_MONTH_GRACE_DAYS), 6)


def completeness_flags(today: date) -> dict[str, Any]:
    """The funder-required data checks (see services.completeness_report for the definitions), over
    report_facts, where each check's parts are stored (reports/facts.py defines them): the report
    and the board's signals read one narrow row per participant."""
    exited, exit_date = F.status == "exited", F.exit_date
    four_week_window_over = exit_date < today - timedelta(days=LEAVING_WINDOW_DAYS + FOUR_WEEK_GRACE_DAYS)
    return {
        "no_isced": F.no_isced,
        "unemployed_without_start": F.unemployed_without_start,
        "no_four_week_status": sa.and_(exited, four_week_window_over, ~F.status_in_window, ~F.four_week_follow_up),
        "follow_up_overdue": sa.and_(exited, exit_date < six_month_cutoff(today), ~F.six_month_follow_up),
        "declined_answer": F.declined_answer,
    }


def _completeness_scope(organisation_id: int) -> list:
    """Restricted and anonymised cases are left out (they cannot be corrected)."""
    return [F.organisation_id == organisation_id, sa.not_(F.restricted), sa.not_(F.anonymised)]


def completeness_select(organisation_id: int, today: date, issue: str | None = None) -> sa.Select:
    flags = completeness_flags(today)
    flag_columns = [sa.case((cond, sa.literal_column("1")), else_=sa.literal_column("0")).label(k) for k, cond in flags.items()]
    wanted = flags[issue] if issue else sa.or_(*flags.values())
    return (with_facts(sa.select(P.id, P.case_number, P.first_name, P.last_name, P.anonymised_at, P.exit_date,
                                 *flag_columns))
            .where(*_completeness_scope(organisation_id), wanted)
            .order_by(P.case_number))


def completeness_counts(organisation_id: int, today: date) -> dict[str, int]:
    flags = completeness_flags(today)
    facts_up_to_date()
    row = db.session.execute(
        sa.select(count_if(sa.or_(*flags.values())).label("any"), *[count_if(c).label(k) for k, c in flags.items()])
        .where(*_completeness_scope(organisation_id))).one()
    return {k: int(getattr(row, k) or 0) for k in ("any", *flags)}


