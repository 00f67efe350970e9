"""Read-only selects of the case file: the caseload list, the home page's tasks, the filter choices.

Each function runs a fixed number of statements whatever the number of rows (the caseload page is
tested for it). Special-category fields are never selected here: they appear on the case file only.

The caseload shows each participant's current measure and filters by measure; measures are a higher
domain, so they register that part at start-up (`register_caseload_measures`, called from
create_app through caseflow/measures/caseload.py) instead of being imported here.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from caseflow.accounts.models import User
from caseflow.database import plain_rows
from caseflow.extensions import db
from caseflow.participants import collation
from caseflow.participants.access import require_casework, visible_participants, visible_participants_bound
from caseflow.participants.models import (
    ForeignQualification,
    Goal,
    Note,
    Participant,
    ParticipantLanguage,
    StatusChange,
    Task,
)
from caseflow.participants.search import count_cap, ranked_page, search, searches
from caseflow.web import Page, capped, capped_count_statement, capped_total, count_bound, page_of

NO_CONTACT_DAYS = 30
SORTS = ("case_number", "name", "entry_date", "last_contact", "next_due")


@dataclass
class CaseloadFilters:
    status: str = "active"            # active, exited, all
    counsellor_id: int | None = None  # None = everybody of the organisation
    measure_id: int | None = None
    nationality: str | None = None
    q: str = ""
    sort: str = "name"
    descending: bool = False


@dataclass(frozen=True)
class CaseloadMeasures:
    """What the measures domain adds to the caseload."""

    # the title of the participant's current measure: a scalar subquery correlated to Participant
    current_title: Callable[[], Any]
    # "the participant has an unfinished enrolment in measure `id`": a condition on Participant
    enrolled_in: Callable[[int], Any]
    # (id, title) of the organisation's measures, for the filter
    choices: Callable[[int], list[tuple[int, str]]]
    # the select of those choices (columns id and title, in their order; bound parameter
    # `organisation_id`), for the caseload's one statement of its filters' choices
    choices_statement: Callable[[], sa.Select]


_caseload_measures: CaseloadMeasures | None = None


def register_caseload_measures(part: CaseloadMeasures) -> None:
    global _caseload_measures
    _caseload_measures = part


# The enrolments a progress note can count towards (the note's minutes add to that enrolment's hours
# of participation): the measures domain, higher up, registers the reader at start-up.
_note_enrolments: list[Callable[[int], list[tuple[int, str]]]] = []


def register_note_enrolments(reader: Callable[[int], list[tuple[int, str]]]) -> None:
    _note_enrolments[:] = [reader]


def note_enrolment_choices(participant_id: int) -> list[tuple[int, str]]:
    """(enrolment id, label) of the participant's enrolments a note can count towards; empty when
    no domain registered a reader."""
    return _note_enrolments[0](participant_id) if _note_enrolments else []


def _current_measure():
    if _caseload_measures is None:
        return sa.null()
    return _caseload_measures.current_title()


def _last_contact():
    return (sa.select(sa.func.max(Note.date)).where(Note.participant_id == Participant.id)
            .correlate(Participant).scalar_subquery())


def _next_due():
    return (sa.select(sa.func.min(Task.due_date))
            .where(Task.participant_id == Participant.id, Task.done_at.is_(None))
            .correlate(Participant).scalar_subquery())


def _next_task(column):
    """`column` of the participant's next open task (due first)."""
    return (sa.select(column).where(Task.participant_id == Participant.id, Task.done_at.is_(None))
            .order_by(Task.due_date, Task.id).limit(1).correlate(Participant).scalar_subquery())


def _caseload_select(actor, filters: CaseloadFilters) -> sa.Select:
    """The participants that `actor` sees through `filters` but the search (a select of
    Participant)."""
    return _narrowed(visible_participants(actor).where(Participant.anonymised_at.is_(None)),
                     status=filters.status if filters.status in ("active", "exited") else None,
                     counsellor_id=filters.counsellor_id, nationality=filters.nationality or None,
                     measure_id=filters.measure_id)


def _narrowed(base: sa.Select, *, status: Any, counsellor_id: Any, nationality: Any, measure_id: Any) -> sa.Select:
    """`base` narrowed by the caseload's filters but the search; each is a value or a bound
    parameter, None where that filter does not narrow."""
    if status is not None:
        base = base.where(Participant.status == status)
    if counsellor_id is not None:
        base = base.where(Participant.counsellor_id == counsellor_id)
    if nationality is not None:
        base = base.where(Participant.nationality == nationality)
    if measure_id is not None and _caseload_measures is not None:
        base = base.where(_caseload_measures.enrolled_in(measure_id))
    return base


def widened(filters: CaseloadFilters) -> CaseloadFilters:
    """The same search over the whole organisation, exited cases included (the quick search's
    scope, and where the caseload's hint "N more in other caseloads" points)."""
    return replace(filters, status="all", counsellor_id=None, measure_id=None, nationality=None)


def narrows(filters: CaseloadFilters) -> bool:
    """Whether a filter besides the search hides any of the organisation's participants."""
    return widened(filters) != filters


def hidden_matches(actor, filters: CaseloadFilters, shown: int) -> tuple[int, bool]:
    """(n, capped): how many more participants the search finds in the whole organisation than
    the `shown` ones, from one count capped like every search's (so it stays cheap for a very
    common term; `capped`: at least n more). (0, False) when nothing is searched for or no filter
    narrows the search."""
    if not searches(filters.q) or not narrows(filters):
        return 0, False
    total, capped = capped_total(search(_caseload_select(actor, widened(filters)), filters.q)
                                 .with_only_columns(Participant.id), at_least=shown, cap=count_cap(filters.q))
    return max(0, total - shown), capped


def caseload_export_rows(actor, filters: CaseloadFilters, *, limit: int) -> list[dict[str, Any]]:
    """The caseload as filtered and sorted, every row up to `limit` (the XLSX export)."""
    return caseload(actor, filters, page=1, per_page=limit).items


def caseload(actor, filters: CaseloadFilters, *, page: int, per_page: int, today: date | None = None) -> Page:
    """One page of the caseload: two statements (count and rows; with a search in name order: the
    ranked page with its count, and the rows; a search with more matches than it counts reads
    its page by rank class, search.ranked_page), whatever the page size. The count stops at
    web.TOTAL_CAP ("more than 10,000"), a search's at web.SEARCH_TOTAL_CAP ("more than 100"); a
    search lists the best matches first when the list is in name order (the default).

    Without a search both statements are built once per process for each shape of the filters
    (_caseload_statements), and the rows are read as plain rows (the page only shows them)."""
    today = today or date.today()
    sort = filters.sort if filters.sort in SORTS else "name"
    searched = searches(filters.q)
    ids: list[int] = []
    if not searched:
        require_casework(actor)
        count_stmt, rows_stmt = _caseload_statements(
            _caseload_measures, filters.status in ("active", "exited"), filters.counsellor_id is not None,
            bool(filters.nationality), filters.measure_id is not None, sort, filters.descending)
        params = {"organisation_id": actor.organisation_id, "status": filters.status,
                  "counsellor_id": filters.counsellor_id, "nationality": filters.nationality,
                  "measure_id": filters.measure_id}
        at_least = page * per_page
        total, capped_ = capped(plain_rows(count_stmt, {**params, "count_limit": count_bound(at_least=at_least) + 1})
                                .scalar_one(), at_least=at_least)
        rows = plain_rows(rows_stmt, {**params, "page_limit": per_page, "page_offset": (page - 1) * per_page}).all()
    elif sort == "name":
        # A search in name order: the page's ids, best first, and the count (search.ranked_page),
        # then the page's columns for those ids only, through the visibility rule; not through the
        # search and the filters again (on SQLite the search's MATCH would find every match once more)
        names = [collation.sort_key(Participant.last_name), collation.sort_key(Participant.first_name)]
        ids, total, capped_ = ranked_page(_caseload_select(actor, filters), filters.q, page=page, per_page=per_page,
                                          then=[*names, Participant.id], descending=filters.descending)
        rows = list(plain_rows(_ranked_rows_statement(), {"organisation_id": actor.organisation_id, "ids": ids}))
        position = {pid: n for n, pid in enumerate(ids)}  # the page's rows in ranked_page's order
        rows.sort(key=lambda row: position[row.id])
    else:
        base = search(_caseload_select(actor, filters), filters.q)
        total, capped_ = capped_total(base.with_only_columns(Participant.id), at_least=page * per_page,
                                      cap=count_cap(filters.q))
        rows = plain_rows(page_of(_page_rows(base, sort, filters.descending), page, per_page)).all()
    limit = today - timedelta(days=NO_CONTACT_DAYS)
    items = []
    for row in rows:
        item = row._asdict()
        item["no_contact"] = row.status == "active" and (row.last_contact or row.entry_date) < limit
        item["overdue"] = row.next_due is not None and row.next_due < today
        items.append(item)
    return Page(items=items, page=page, per_page=per_page, total=total, total_is_capped=capped_)


def _page_rows(base: sa.Select, sort: str | None, descending: bool) -> sa.Select:
    """The caseload's columns of the participants of `base`, in the list's order by `sort` (one of
    SORTS; None: in no order)."""
    current_measure = _current_measure().label("current_measure")
    last_contact = _last_contact().label("last_contact")
    next_due = _next_due().label("next_due")
    rows_stmt = base.with_only_columns(
        Participant.id, Participant.case_number, Participant.first_name, Participant.last_name,
        Participant.status, Participant.nationality, Participant.entry_date, Participant.counsellor_id,
        User.name.label("counsellor_name"), current_measure, last_contact, next_due,
        _next_task(Task.title).label("next_task_title"), _next_task(Task.kind).label("next_task_kind"),
        _next_task(Task.title_params).label("next_task_params"),
    ).outerjoin(User, User.id == Participant.counsellor_id)
    if sort is None:
        return rows_stmt
    orders: dict[str, list[Any]] = {
        "case_number": [Participant.case_number],
        # by the reader's collation (collation.py): Çelik between C and D
        "name": [collation.sort_key(Participant.last_name), collation.sort_key(Participant.first_name)],
        "entry_date": [Participant.entry_date],
        "last_contact": [last_contact],
        "next_due": [next_due],
    }
    order = orders[sort]
    direction = (lambda c: c.desc()) if descending else (lambda c: c.asc())
    if sort in ("last_contact", "next_due"):
        # Empty values last whatever the direction (both databases).
        order = [sa.case((order[0].is_(None), 1), else_=0)] + [direction(c) for c in order]
    else:
        order = [direction(c) for c in order]
    # The id last, in the list's direction: a descending list is the ascending one reversed, which
    # PostgreSQL reads backwards from the same index (ix_participants_caseload*).
    return rows_stmt.order_by(*order, direction(Participant.id))


# The caseload without a search, as (count, page of rows) for each shape of its filters: built once
# per process (issue 19: building the page's select and its cache key cost about as much CPU as
# running it). The bound parameters: organisation_id (the actor's: run them after
# require_casework), status, counsellor_id, nationality and measure_id (those of the filters that
# narrow), count_limit (web.count_bound() + 1), page_limit and page_offset. `measures` (the
# registered CaseloadMeasures) is part of the key only: a new registration builds them again.
@functools.lru_cache(maxsize=256)
def _caseload_statements(measures: CaseloadMeasures | None, status: bool, counsellor: bool, nationality: bool,
                         measure: bool, sort: str, descending: bool) -> tuple[sa.Select, sa.Select]:
    scope = _narrowed(visible_participants_bound().where(Participant.anonymised_at.is_(None)),
                      status=sa.bindparam("status") if status else None,
                      counsellor_id=sa.bindparam("counsellor_id") if counsellor else None,
                      nationality=sa.bindparam("nationality") if nationality else None,
                      measure_id=sa.bindparam("measure_id") if measure else None)
    return (capped_count_statement(scope.with_only_columns(Participant.id)),
            _page_rows(scope, sort, descending).limit(sa.bindparam("page_limit", type_=sa.Integer))
            .offset(sa.bindparam("page_offset", type_=sa.Integer)))


@functools.cache
def _ranked_rows_statement() -> sa.Select:
    """The caseload's columns of a search's ranked page: the bound parameters `ids` (the page's) and
    `organisation_id` (the actor's; the visibility rule again)."""
    return _page_rows(visible_participants_bound().where(Participant.id.in_(sa.bindparam("ids", expanding=True))),
                      None, False)


def visible_among(actor, ids: list[int]) -> Sequence[Participant]:
    """Those of the participants `ids` that `actor` may see (a registration's possible duplicates)."""
    if not ids:
        return []
    return db.session.scalars(visible_participants(actor).where(Participant.id.in_(ids))
                              .order_by(Participant.id)).all()


def measure_choices(organisation_id: int) -> list[tuple[int, str]]:
    """The caseload's measure filter choices (none while the measures domain is not registered)."""
    return _caseload_measures.choices(organisation_id) if _caseload_measures is not None else []


# The statements below are built once per process (functools.cache), with bound parameters for
# what changes from request to request: building a select and its cache key cost more CPU than
# sending it (issue 19). A different `limit` is a statement of its own.

def _nationalities_found() -> sa.CTE:
    """The distinct nationalities of an organisation's cases (bound parameter `organisation_id`; the
    column `nationality`, a NULL row last), each found by one probe of
    ix_participants_organisation_nationality for the next one after the last (a recursive query):
    a dozen index entries read instead of every case of the organisation (a DISTINCT reads them
    all: 40 ms for 330,000 cases)."""
    of_organisation = (Participant.organisation_id == sa.bindparam("organisation_id"),
                       Participant.anonymised_at.is_(None))
    found = sa.select(sa.func.min(Participant.nationality).label("nationality")).where(
        *of_organisation).cte("nationalities_found", recursive=True)
    following = sa.select(sa.func.min(Participant.nationality)).where(
        *of_organisation, Participant.nationality > found.c.nationality).scalar_subquery()
    return found.union_all(sa.select(following).where(found.c.nationality.is_not(None)))


@dataclass(frozen=True)
class FilterChoices:
    """The caseload's filter choices: (id, name) of the organisation's case workers, (id, title) of
    its active measures (none while the measures domain is not registered), the nationalities of
    its cases (see _nationalities_found)."""

    counsellors: list[tuple[int, str]]
    measures: list[tuple[int, str]]
    nationalities: list[str]


_COUNSELLORS, _MEASURES, _NATIONALITIES = 0, 1, 2


@functools.lru_cache(maxsize=4)
def _filter_choices_statement(measures: CaseloadMeasures | None) -> sa.CompoundSelect:
    """The three lists of FilterChoices in one statement (one round trip instead of three): each
    list's rows tagged with its number (`list`), as `id` and `label`, in their order. `measures`
    (the registered CaseloadMeasures) gives the measures' select."""
    def tagged(number: int, stmt: sa.Select, id_: str, label: str) -> sa.Select:
        rows = stmt.subquery()
        return sa.select(sa.literal_column(str(number)).label("list"), rows.c[id_].label("id"),
                         rows.c[label].label("label"))
    from caseflow.accounts.queries import counsellors_statement
    found = _nationalities_found()
    parts = [tagged(_COUNSELLORS, counsellors_statement(True).order_by(None), "id", "name"),
             sa.select(sa.literal_column(str(_NATIONALITIES)).label("list"), sa.null().label("id"),
                       found.c.nationality.label("label")).where(found.c.nationality.is_not(None))]
    if measures is not None:  # (its LIMIT stays inside, with its order)
        parts.insert(1, tagged(_MEASURES, measures.choices_statement(), "id", "title"))
    return sa.union_all(*parts).order_by(sa.literal_column("list"), sa.literal_column("label"),
                                         sa.literal_column("id"))


def filter_choices(organisation_id: int) -> FilterChoices:
    """The caseload's filter choices of an organisation (see FilterChoices), in one statement."""
    lists: tuple[list[Any], list[Any], list[Any]] = ([], [], [])
    for row in plain_rows(_filter_choices_statement(_caseload_measures), {"organisation_id": organisation_id}):
        lists[row.list].append(row.label if row.list == _NATIONALITIES else (row.id, row.label))
    return FilterChoices(counsellors=lists[_COUNSELLORS], measures=lists[_MEASURES], nationalities=lists[_NATIONALITIES])


@functools.cache
def _my_tasks_statement(limit: int) -> sa.Select:
    return (sa.select(Task.id, Task.title, Task.kind, Task.title_params, Task.due_date, Task.participant_id,
                      Participant.case_number, Participant.first_name, Participant.last_name)
            .outerjoin(Participant, Participant.id == Task.participant_id)
            .where(Task.assignee_id == sa.bindparam("assignee_id"),
                   Task.organisation_id == sa.bindparam("organisation_id"),
                   Task.done_at.is_(None), Task.due_date <= sa.bindparam("week_end", type_=sa.Date))
            .order_by(Task.due_date, Task.id).limit(limit))


def my_tasks(actor, *, today: date | None = None, limit: int = 50) -> dict[str, list[Any]]:
    """The actor's open tasks that are overdue or due by the end of this week (Sunday)."""
    today = today or date.today()
    week_end = today + timedelta(days=6 - today.weekday())
    rows = plain_rows(_my_tasks_statement(2 * limit), {
        "assignee_id": actor.id, "organisation_id": actor.organisation_id, "week_end": week_end}).all()
    overdue = [r for r in rows if r.due_date < today][:limit]
    this_week = [r for r in rows if r.due_date >= today][:limit]
    return {"overdue": overdue, "this_week": this_week}


def languages_of(participant_id: int) -> Sequence[ParticipantLanguage]:
    return db.session.scalars(sa.select(ParticipantLanguage).where(
        ParticipantLanguage.participant_id == participant_id).order_by(ParticipantLanguage.id)).all()


def qualifications_of(participant_id: int) -> Sequence[ForeignQualification]:
    return db.session.scalars(sa.select(ForeignQualification).where(
        ForeignQualification.participant_id == participant_id).order_by(ForeignQualification.id)).all()


@functools.cache
def _goals_statement() -> sa.Select:
    return (sa.select(Goal).where(Goal.participant_id == sa.bindparam("participant_id"))
            .order_by(Goal.status != "open", Goal.target_date, Goal.id))


def goals_of(participant_id: int) -> Sequence[Any]:
    """The goals' rows (plain rows, for display): open ones first, by target date."""
    return plain_rows(_goals_statement(), {"participant_id": participant_id}).all()


@functools.cache
def _tasks_statement(limit: int) -> sa.Select:
    return (sa.select(Task, User.name.label("assignee")).outerjoin(User, User.id == Task.assignee_id)
            .where(Task.participant_id == sa.bindparam("participant_id"))
            .order_by(Task.done_at.is_not(None), Task.due_date, Task.id).limit(limit))


def tasks_of(participant_id: int, limit: int = 200) -> Sequence[Any]:
    """The tasks' rows (plain rows, for display) with the assignee's name (`assignee`): open ones
    first, by due date."""
    return plain_rows(_tasks_statement(limit), {"participant_id": participant_id}).all()


def current_status_of(participant_id: int) -> str | None:
    return db.session.scalar(
        sa.select(StatusChange.status).where(StatusChange.participant_id == participant_id,
                                             StatusChange.date <= date.today())
        .order_by(StatusChange.date.desc(), StatusChange.id.desc()).limit(1))
