"""The placement report's groupings by day read the derived tables where that is faster
(report_placements for the placement starts; report_facts for one organisation's entries and exits
on PostgreSQL; without a filter by counsellor or measure, report_days for all three): on demo data,
under every filter, they give what the plain queries over the participants and placements give."""
from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa

from caseflow.accounts.models import User
from caseflow.extensions import db
from caseflow.measures.models import Enrolment, Measure
from caseflow.participants.models import Participant
from caseflow.placements.models import Placement
from caseflow.reports import queries as q


def plain_placement_starts(f: q.PlacementFilters) -> list[tuple[str, date, int]]:
    """The placement starts joined to the participants, filtered there (before report_placements)."""
    return sorted((t, day, int(n)) for t, day, n in db.session.execute(
        sa.select(Placement.type, Placement.start_date, sa.func.count())
        .join(Participant, Participant.id == Placement.participant_id)
        .where(*q._filter_conditions(f), Placement.start_date.between(f.date_from, f.date_to))
        .group_by(Placement.type, Placement.start_date)))


def by_month(rows: list[tuple[str, date, int]]) -> dict[tuple[str, date], int]:
    """(metric, first day of the month) → n of (metric, day, n) rows; months that sum to 0 left out."""
    out: dict[tuple[str, date], int] = {}
    for metric, day, n in rows:
        key = (metric, date(day.year, day.month, 1))
        out[key] = out.get(key, 0) + n
    return {key: n for key, n in out.items() if n}


def every_filter(today: date) -> list[q.PlacementFilters]:
    periods = [(date(2010, 1, 1), date(2029, 12, 31)), (date(today.year - 1, 3, 1), date(today.year - 1, 10, 31))]
    organisations = [None, *db.session.scalars(sa.select(Participant.organisation_id).distinct())]
    out = []
    for start, end in periods:
        for org in organisations:
            out.append(q.PlacementFilters(start, end, org))
            staff = db.session.scalars(sa.select(Participant.counsellor_id).where(
                Participant.counsellor_id.is_not(None), *([Participant.organisation_id == org] if org else []))
                .order_by(Participant.counsellor_id).limit(1)).first()
            out.append(q.PlacementFilters(start, end, org, counsellor_id=staff))
            for measure_type in db.session.scalars(sa.select(Measure.type).distinct().order_by(Measure.type)):
                out.append(q.PlacementFilters(start, end, org, measure_type=measure_type))
            measure = db.session.scalars(sa.select(Enrolment.measure_id).order_by(Enrolment.id).limit(1)).first()
            out.append(q.PlacementFilters(start, end, org, measure_id=measure, measure_type=None))
            out.append(q.PlacementFilters(start, end, org, counsellor_id=staff, measure_id=measure))
    return out


def test_groupings_by_day_equal_the_plain_queries():
    from caseflow.demo import generate
    today = date.today()
    generate(participants=150, seed=7, today=today)
    # two restricted cases, which every report leaves out
    for p in db.session.scalars(sa.select(Participant).order_by(Participant.id).limit(2)):
        p.restricted_at = datetime.now(UTC)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User))
    checked = summarised = 0
    filters = every_filter(today)
    for f in filters:
        starts = sorted(q.placement_starts(f))
        assert starts == plain_placement_starts(f), f
        on_facts = sorted(q.entries_and_exits_by_day(f, on_facts=True))
        assert on_facts == sorted(q.entries_and_exits_by_day(f, on_facts=False)), f
        checked += bool(starts) and bool(on_facts)
        # what the report reads: without a filter by counsellor or measure, the summary by day,
        # summed by month (each row dated on the first of its month)
        both_starts, both_days = q.placement_starts_and_days(f)
        if q._unfiltered(f):
            assert by_month(both_starts) == by_month(starts) and by_month(both_days) == by_month(on_facts), f
            assert {day.day for _metric, day, _n in both_starts + both_days} <= {1}, f
        else:
            assert sorted(both_starts) == starts and sorted(both_days) == on_facts, f
        summarised += q._unfiltered(f) and bool(both_days)
    assert checked >= 20   # most combinations have figures to compare
    # every combination without a filter by counsellor or measure read the summary, with figures
    assert summarised == sum(q._unfiltered(f) for f in filters) >= 6
