"""The ESF+ indicator rules of esf-indicators.md, figure by figure, on hand-made histories."""
from __future__ import annotations

from datetime import UTC, date

import pytest
import sqlalchemy as sa

from caseflow.extensions import db
from caseflow.reports import queries as q

YEAR = dict(date_from=date(2024, 1, 1), date_to=date(2024, 12, 31))


def report(org, rule="eu", **period):
    period = period or YEAR
    return q.esf_indicators(period["date_from"], period["date_to"], rule=rule, organisation_id=org.id)


def g(female=0, male=0, non_binary=0, total=None):
    return {"female": female, "male": male, "non_binary": non_binary,
            "total": female + male + non_binary if total is None else total}


@pytest.fixture
def worked_example(history):
    """The worked example of esf-indicators.md (period 2024, rule eu)."""
    h = history
    h.participant(gender="female", date_of_birth=date(2001, 5, 10), entry_date=date(2024, 3, 1),
                  labour_status_at_entry="unemployed", unemployed_since=date(2023, 7, 1),
                  education_isced=2, nationality="SY", foreign_background=True)
    h.participant(gender="male", date_of_birth=date(1968, 2, 15), entry_date=date(2024, 4, 2),
                  labour_status_at_entry="unemployed", unemployed_since=date(2023, 1, 10),
                  education_isced=3, nationality="DE", foreign_background=True)
    h.participant(gender="non_binary", date_of_birth=date(2007, 9, 1), entry_date=date(2024, 6, 15),
                  labour_status_at_entry="education_or_training", education_isced=1, nationality="DE")
    h.participant(gender="female", date_of_birth=date(1994, 11, 20), entry_date=date(2024, 2, 1),
                  labour_status_at_entry="employed", education_isced=6, nationality="UA")
    h.participant(gender="male", date_of_birth=date(1994, 1, 15), entry_date=date(2024, 1, 10),
                  labour_status_at_entry="unemployed", unemployed_since=date(2023, 6, 1),
                  education_isced=6, nationality="DE")


def test_worked_example_ages_are_as_the_document_says(worked_example):
    from caseflow.participants.models import Participant
    ages = db.session.scalars(sa.select(Participant.age_at_entry).order_by(Participant.id)).all()
    assert ages == [22, 56, 16, 29, 29]


def test_worked_example_outputs_rule_eu(worked_example, org):
    out = report(org, "eu")["outputs"]
    assert out["total"] == g(female=2, male=2, non_binary=1)
    assert out["unemployed"] == g(female=1, male=2)
    assert out["long_term_unemployed"] == g(female=1, male=1)  # P1 (under 25, > 6 months), P2 (> 12 months)
    assert out["inactive"] == g(non_binary=1)
    assert out["employed"] == g(female=1)
    assert out["below_18"] == g(non_binary=1)
    assert out["age_18_29"] == g(female=2, male=1)
    assert out["age_55_plus"] == g(male=1)
    assert out["isced_0_2"] == g(female=1, non_binary=1)
    assert out["isced_3_4"] == g(male=1)
    assert out["isced_5_8"] == g(female=1, male=1)
    assert out["third_country_national"] == g(female=2)  # SY, UA
    assert out["foreign_background"] == g(female=1, male=1)
    for key in ("disability", "minority", "homeless"):
        assert out[key] == g()
    assert out["total"]["total"] == (out["unemployed"]["total"] + out["inactive"]["total"]
                                     + out["employed"]["total"])


def test_worked_example_long_term_unemployed_rule_de(worked_example, org):
    out = report(org, "de")["outputs"]
    assert out["long_term_unemployed"] == g(male=1)  # only P2
    assert out["unemployed"] == g(female=1, male=2)


def test_every_indicator_key_is_present_with_zeros(org):
    figures = report(org)
    assert list(figures["outputs"]) == list(q.OUTPUT_KEYS)
    assert list(figures["results"]) == list(q.RESULT_KEYS)
    for section in figures.values():
        for value in section.values():
            assert value == g()


def test_not_stated_counts_in_total_only(history, org):
    history.participant(gender="not_stated", entry_date=date(2024, 5, 1))
    out = report(org)["outputs"]
    assert out["total"] == g(total=1)
    assert out["unemployed"] == g(total=1)


def test_period_bounds_are_included(history, org):
    history.participant(entry_date=date(2024, 1, 1))
    history.participant(entry_date=date(2024, 12, 31))
    history.participant(entry_date=date(2023, 12, 31))
    history.participant(entry_date=date(2025, 1, 1))
    assert report(org)["outputs"]["total"]["total"] == 2


def test_restricted_cases_are_left_out_and_anonymised_ones_stay(history, org):
    from datetime import datetime
    kept = history.participant(entry_date=date(2024, 5, 1))
    gone = history.participant(entry_date=date(2024, 5, 1))
    before = report(org)
    kept.anonymised_at, kept.first_name, kept.last_name, kept.date_of_birth = datetime.now(UTC), None, None, None
    gone.restricted_at = datetime.now(UTC)
    db.session.commit()
    after = report(org)
    assert before["outputs"]["total"]["total"] == 2
    assert after["outputs"]["total"]["total"] == 1
    assert after["outputs"]["unemployed"]["total"] == 1


@pytest.mark.parametrize("entry, since, age_born, rule, expected", [
    # eu, under 25: strictly before the date 6 months before entry
    (date(2024, 3, 1), date(2023, 9, 1), date(2001, 1, 1), "eu", False),   # exactly 6 months: not more
    (date(2024, 3, 1), date(2023, 8, 31), date(2001, 1, 1), "eu", True),
    # month-end clamping: 2024-08-31 minus 6 months is 2024-02-29
    (date(2024, 8, 31), date(2024, 2, 29), date(2001, 1, 1), "eu", False),
    (date(2024, 8, 31), date(2024, 2, 28), date(2001, 1, 1), "eu", True),
    # eu, 25 or older: 12 months
    (date(2024, 3, 1), date(2023, 3, 1), date(1980, 1, 1), "eu", False),
    (date(2024, 3, 1), date(2023, 2, 28), date(1980, 1, 1), "eu", True),
    (date(2024, 3, 1), date(2023, 8, 1), date(1980, 1, 1), "eu", False),
    # de: on or before the date 12 months before entry, no age split
    (date(2024, 3, 1), date(2023, 3, 1), date(1980, 1, 1), "de", True),
    (date(2024, 3, 1), date(2023, 3, 2), date(1980, 1, 1), "de", False),
    (date(2024, 3, 1), date(2023, 8, 31), date(2001, 1, 1), "de", False),
    # 2025-02-28 minus 12 months is 2024-02-28 (2024-02-29 is after it)
    (date(2025, 2, 28), date(2024, 2, 28), date(1980, 1, 1), "de", True),
    (date(2025, 2, 28), date(2024, 2, 29), date(1980, 1, 1), "de", False),
    # 2024-02-29 minus 12 months: 2023-02-28 (clamped)
    (date(2024, 2, 29), date(2023, 2, 28), date(1980, 1, 1), "de", True),
    (date(2024, 2, 29), date(2023, 3, 1), date(1980, 1, 1), "de", False),
])
def test_long_term_unemployment_boundaries(history, org, entry, since, age_born, rule, expected):
    history.participant(entry_date=entry, unemployed_since=since, date_of_birth=age_born)
    figures = q.esf_indicators(date(2020, 1, 1), date(2026, 1, 1), rule=rule, organisation_id=org.id)
    assert figures["outputs"]["long_term_unemployed"]["total"] == int(expected)


@pytest.mark.parametrize("day, months, expected", [
    (date(2024, 3, 31), 1, date(2024, 2, 29)),
    (date(2023, 3, 31), 1, date(2023, 2, 28)),
    (date(2024, 8, 31), 6, date(2024, 2, 29)),
    (date(2024, 12, 31), 6, date(2024, 6, 30)),
    (date(2024, 3, 15), 12, date(2023, 3, 15)),
    (date(2024, 1, 31), 12, date(2023, 1, 31)),
    (date(2024, 5, 31), 3, date(2024, 2, 29)),
])
def test_months_before_clamps_on_both_databases(day, months, expected):
    value = db.session.scalar(sa.select(q.months_before(sa.literal(day, sa.Date), months)))
    assert (value if isinstance(value, date) else date.fromisoformat(value)) == expected
    assert q.calendar_months_before(day, months) == expected


def test_status_upon_leaving_is_the_last_record_on_exit_plus_28_days(history, org):
    h = history
    # inactive at entry; unemployed on exit + 28 (same-day tie: the one recorded last wins)
    a = h.participant(gender="female", labour_status_at_entry="inactive", entry_date=date(2023, 1, 10))
    h.status(a, date(2024, 3, 29), "employed")
    h.status(a, date(2024, 3, 29), "unemployed")
    h.exit(a, date(2024, 3, 1))
    # a record on exit + 29 days is too late
    b = h.participant(gender="male", labour_status_at_entry="inactive", entry_date=date(2023, 1, 10))
    h.status(b, date(2024, 3, 30), "unemployed")
    h.exit(b, date(2024, 3, 1))
    res = report(org)["results"]
    assert res["job_searching_upon_leaving"] == g(female=1)
    assert res["employed_upon_leaving"] == g()


def test_employed_upon_leaving_via_placement_and_education(history, org):
    h = history
    a = h.participant(gender="female", entry_date=date(2024, 1, 10))  # unemployed at entry
    h.placement(a, "apprenticeship", date(2024, 7, 20))
    h.exit(a, date(2024, 7, 1))
    b = h.participant(gender="male", labour_status_at_entry="education_or_training", entry_date=date(2024, 1, 10))
    h.placement(b, "self_employment", date(2024, 7, 1))
    h.exit(b, date(2024, 7, 1))
    c = h.participant(gender="male", labour_status_at_entry="employed", entry_date=date(2024, 1, 10))
    h.exit(c, date(2024, 7, 1))  # employed at entry: not in employed_upon_leaving
    d = h.participant(gender="non_binary", entry_date=date(2024, 1, 10))
    h.status(d, date(2024, 6, 1), "education_or_training")
    h.exit(d, date(2024, 6, 1))
    e = h.participant(gender="female", labour_status_at_entry="education_or_training", entry_date=date(2024, 1, 10))
    h.exit(e, date(2024, 6, 1))  # already in education at entry: not counted
    internship = h.participant(gender="female", entry_date=date(2024, 1, 10))
    h.placement(internship, "internship", date(2024, 6, 2))  # adds no status
    h.exit(internship, date(2024, 6, 1))
    res = report(org)["results"]
    assert res["employed_upon_leaving"] == g(female=1, male=1)
    assert res["education_or_training_upon_leaving"] == g(non_binary=1)
    assert res["job_searching_upon_leaving"] == g()


def test_results_count_final_exits_in_the_period_only(history, org):
    h = history
    re_entered = h.participant(entry_date=date(2023, 1, 10))  # re-entered: active, no final exit
    h.placement(re_entered, "employment", date(2024, 2, 1))
    before = h.participant(entry_date=date(2023, 1, 10))
    h.placement(before, "employment", date(2023, 12, 1))
    h.exit(before, date(2023, 12, 31))
    inside = h.participant(entry_date=date(2023, 1, 10))
    h.placement(inside, "employment", date(2025, 1, 28))  # exit + 28 days may lie after the period
    h.exit(inside, date(2024, 12, 31))
    assert report(org)["results"]["employed_upon_leaving"] == g(female=1)


def test_qualification_window_is_entry_to_exit_plus_28(history, org):
    h = history
    for cert_day, counted in ((date(2024, 2, 29), True), (date(2024, 2, 28), False),
                              (date(2024, 7, 29), True), (date(2024, 7, 30), False)):
        p = h.participant(entry_date=date(2024, 2, 29), gender="male" if counted else "female")
        h.certificate(p, cert_day)
        h.exit(p, date(2024, 7, 1))
    assert report(org)["results"]["qualification_upon_leaving"] == g(male=2)


def test_six_month_follow_up_latest_counts_and_unknown_is_neither(history, org):
    h = history
    a = h.participant(gender="female", entry_date=date(2023, 5, 1))
    h.exit(a, date(2024, 1, 15))
    h.follow_up(a, date(2024, 7, 10), "unemployed")
    h.follow_up(a, date(2024, 7, 20), "employed")  # the latest counts
    b = h.participant(gender="male", entry_date=date(2023, 5, 1))
    h.exit(b, date(2024, 1, 15))
    h.follow_up(b, date(2024, 7, 20), "self_employed")
    h.follow_up(b, date(2024, 7, 20), "unknown")  # same day, recorded last: unknown
    c = h.participant(gender="male", entry_date=date(2023, 5, 1))  # no follow-up at all
    h.exit(c, date(2024, 1, 15))
    emp = h.participant(gender="non_binary", labour_status_at_entry="employed", entry_date=date(2023, 5, 1))
    h.exit(emp, date(2024, 1, 15))
    h.follow_up(emp, date(2024, 7, 15), "employed", improved=True)
    unemp_improved = h.participant(gender="female", entry_date=date(2023, 5, 1))
    h.exit(unemp_improved, date(2024, 1, 15))
    h.follow_up(unemp_improved, date(2024, 7, 15), "employed", improved=True)  # not employed at entry
    res = report(org)["results"]
    assert res["employed_six_months_after"] == g(female=2, non_binary=1)
    assert res["improved_situation_six_months_after"] == g(non_binary=1)


def test_organisation_scope(history, other_history, org, other_org):
    history.participant(entry_date=date(2024, 5, 1))
    other_history.participant(entry_date=date(2024, 5, 1))
    other_history.participant(entry_date=date(2024, 5, 1))
    assert report(org)["outputs"]["total"]["total"] == 1
    assert report(other_org)["outputs"]["total"]["total"] == 2
    everyone = q.esf_indicators(date(2024, 1, 1), date(2024, 12, 31), rule="eu", organisation_id=None)
    assert everyone["outputs"]["total"]["total"] == 3
