"""Follow-up dates the funder accepts (issue 15, item 4): a six-month follow-up not before exit +
5 months, a four-week check around exit + 28 days; a wrong date is refused with a clear message and
nothing is recorded."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from caseflow.database import unit_of_work
from caseflow.errors import DomainError
from caseflow.extensions import db
from caseflow.placements.models import FollowUp
from caseflow.placements.services import add_months, record_follow_up


@pytest.fixture
def exited(participant):
    exit_day = add_months(date.today(), -7)
    with unit_of_work():
        participant.status, participant.exit_date = "exited", exit_day
    return participant


def _count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(FollowUp))


def test_six_month_follow_up_not_before_exit_plus_five_months(exited, counsellor):
    too_early = add_months(exited.exit_date, 5) - timedelta(days=1)
    with pytest.raises(DomainError) as err:
        record_follow_up(exited, {"kind": "six_months", "date": too_early, "status": "employed"}, actor=counsellor)
    # The message names the earliest date, in the reader's locale (German by default).
    assert "date" in err.value.fields and f"{add_months(exited.exit_date, 5):%d.%m.%Y}" in err.value.fields["date"][0]
    assert _count() == 0
    record_follow_up(exited, {"kind": "six_months", "date": add_months(exited.exit_date, 5), "status": "employed"},
                     actor=counsellor)
    assert _count() == 1


@pytest.mark.parametrize("days, ok", [(13, False), (14, True), (28, True), (42, True), (43, False)])
def test_four_week_check_around_exit_plus_28_days(exited, counsellor, days, ok):
    data = {"kind": "four_weeks", "date": exited.exit_date + timedelta(days=days), "status": "employed"}
    if ok:
        record_follow_up(exited, data, actor=counsellor)
        assert _count() == 1
    else:
        with pytest.raises(DomainError) as err:
            record_follow_up(exited, data, actor=counsellor)
        window = f"{exited.exit_date + timedelta(days=14):%d.%m.%Y}"
        assert window in err.value.fields["date"][0]
        assert _count() == 0
