"""The team lead's board: per counsellor of the organisation, the numbers that need attention,
and the list of cases behind each number. Both read one per-case select (signals.py), so a
number and its list cannot disagree; the board is two queries, a list page two, whatever the
number of cases or counsellors."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa

from caseflow.accounts.models import User
from caseflow.board import signals
from caseflow.board.signals import NO_CONTACT_DAYS, P
from caseflow.extensions import db
from caseflow.vocabulary import CASEWORK_ROLES
from caseflow.web import Page, rows_and_total

# The board's columns, in order: each is a number per counsellor and a filter of the case list.
SIGNALS = ("active", "overdue", "follow_ups", "no_contact_30", "no_contact_60", "no_contact_90", "gaps", "attendance")
# Columns that count tasks (summed over the cases) rather than cases.
TASK_SIGNALS = ("overdue", "follow_ups", "attendance")
UNASSIGNED = "none"


def per_case(organisation_id: int, today: date) -> sa.Subquery:
    """One row per case anyone works on, with its signal values."""
    return (sa.select(P.id, P.case_number, P.first_name, P.last_name, P.status, P.counsellor_id,
                      signals.last_contact().label("last_contact"),
                      signals.overdue_tasks(today).label("overdue"),
                      signals.follow_ups_due(today).label("follow_ups"),
                      signals.attendance_alerts().label("attendance"),
                      sa.case((signals.completeness_gap(today), 1), else_=0).label("gaps"))
            .where(*signals.casework_scope(organisation_id))
            .subquery("per_case"))


def condition(cases: sa.Subquery, signal: str, today: date) -> sa.ColumnElement:
    c = cases.c
    if signal == "active":
        return c.status == "active"
    if signal in TASK_SIGNALS:
        return c[signal] > 0
    if signal == "gaps":
        return c.gaps == 1
    days = int(signal.rsplit("_", 1)[1])
    return sa.and_(c.status == "active", c.last_contact <= today - timedelta(days=days))


@dataclass
class BoardRow:
    counsellor_id: int | None
    name: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SIGNALS, 0))


def board(organisation_id: int, *, today: date | None = None) -> list[BoardRow]:
    """A row per active counsellor and team lead of the organisation (zeros included), then one
    for cases without a counsellor when there are any; two queries."""
    today = today or date.today()
    cases = per_case(organisation_id, today)
    columns = []
    for s in SIGNALS:
        if s in TASK_SIGNALS:
            columns.append(sa.func.coalesce(sa.func.sum(cases.c[s]), 0).label(s))
        else:
            columns.append(sa.func.count().filter(condition(cases, s, today)).label(s))
    counts = {r.counsellor_id: r for r in db.session.execute(
        sa.select(cases.c.counsellor_id, *columns).group_by(cases.c.counsellor_id))}
    people = db.session.execute(sa.select(User.id, User.name).where(
        User.organisation_id == organisation_id, sa.or_(User.active, User.id.in_([k for k in counts if k])),
        User.role.in_(CASEWORK_ROLES)).order_by(User.name, User.id)).all()
    rows = []
    for person in people:
        row = BoardRow(person.id, person.name)
        if person.id in counts:
            row.counts = {s: int(getattr(counts[person.id], s) or 0) for s in SIGNALS}
        rows.append(row)
    if None in counts:
        row = BoardRow(None, "")
        row.counts = {s: int(getattr(counts[None], s) or 0) for s in SIGNALS}
        rows.append(row)
    return rows


def totals(rows: list[BoardRow]) -> dict[str, int]:
    return {s: sum(r.counts[s] for r in rows) for s in SIGNALS}


def case_list(organisation_id: int, *, counsellor: int | str | None, signal: str | None, page: int,
              per_page: int, today: date | None = None) -> Page:
    """The cases behind a number of the board (or every active case), with their signal values and
    counsellor, in case-number order; two queries."""
    today = today or date.today()
    cases = per_case(organisation_id, today)
    stmt = (sa.select(cases, User.name.label("counsellor_name"))
            .outerjoin(User, User.id == cases.c.counsellor_id))
    stmt = stmt.where(condition(cases, signal or "active", today))
    if counsellor == UNASSIGNED:
        stmt = stmt.where(cases.c.counsellor_id.is_(None))
    elif counsellor is not None:
        stmt = stmt.where(cases.c.counsellor_id == counsellor)
    rows, total = rows_and_total(stmt.order_by(cases.c.case_number, cases.c.id), page, per_page)
    items = []
    for row in rows:
        item = row._asdict()
        item["no_contact_days"] = (today - row.last_contact).days if row.last_contact else None
        items.append(item)
    return Page(items=items, page=page, per_page=per_page, total=total)


NO_CONTACT_SIGNALS = tuple(f"no_contact_{d}" for d in NO_CONTACT_DAYS)
