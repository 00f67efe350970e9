"""The placement outcome report, figure by figure, on a small hand-made data set."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from caseflow.extensions import db
from caseflow.reports import queries, services
from caseflow.vocabulary import GENDERS, PLACEMENT_TYPES
from tests.factories import UserFactory

YEAR = {"from": "2024-01-01", "to": "2024-12-31"}


@pytest.fixture
def outcomes(history, counsellor):
    """Eight participants around the year 2024 (see each line)."""
    h = history
    m = h.measure("matching")
    people = {}
    a = people["A"] = h.participant(gender="female", entry_date=date(2023, 6, 1), counsellor_id=counsellor.id,
                                    nationality="SY", german_level="B1", residence_status="recognised_refugee")
    h.enrol(a, m)
    h.placement(a, "employment", date(2024, 3, 20))
    h.exit(a, date(2024, 3, 10))  # placed within exit + 28 days
    h.follow_up(a, date(2024, 9, 15), "employed")
    b = people["B"] = h.participant(gender="female", entry_date=date(2024, 2, 1), nationality="PL")
    h.placement(b, "internship", date(2024, 7, 1))  # an internship is no placement for the rate
    h.exit(b, date(2024, 6, 30))
    c = people["C"] = h.participant(gender="male", entry_date=date(2024, 4, 1), nationality="SY",
                                    date_of_birth=date(2007, 1, 1))
    h.enrol(c, m)
    h.placement(c, "apprenticeship", date(2024, 5, 1))  # active, first placement after 30 days
    d = people["D"] = h.participant(gender="male", entry_date=date(2024, 1, 15), nationality="UA")
    h.placement(d, "self_employment", date(2024, 10, 29))  # exactly exit + 28 days
    h.exit(d, date(2024, 10, 1))
    h.follow_up(d, date(2025, 4, 10), "unknown")
    people["E"] = h.exit(h.participant(entry_date=date(2022, 1, 1)), date(2023, 12, 31))  # left before 2024
    people["F"] = h.participant(entry_date=date(2025, 1, 5))  # entered after 2024
    g = people["G"] = h.participant(entry_date=date(2024, 3, 1))
    g.restricted_at = datetime.now(UTC)  # restricted: left out
    db.session.commit()
    hh = people["H"] = h.participant(gender="non_binary", entry_date=date(2024, 3, 1), nationality="DE")
    h.placement(hh, "employment", date(2024, 5, 30))  # exit + 29 days: too late for the rate
    h.exit(hh, date(2024, 5, 1))
    people["measure"] = m
    return people


def test_summary_figures(outcomes, team_lead):
    report = services.placement_report(YEAR, actor=team_lead)
    assert report["summary"] == {
        "participants_active": 5,  # A B C D H
        "entered": 4,  # B C D H
        "exited": 4,  # A B D H
        "placed_exits": 2,  # A D
        "placement_rate": 0.5,
        "median_days_to_first_placement": 189.0,  # 30, 90, 288, 293
        "six_month_follow_ups_known": 1,  # A (D could not be reached)
        "still_placed_at_six_months": 1,
        "still_placed_share": 1.0,
    }
    assert report["placements_by_type"] == {"employment": 2, "marginal_employment": 0, "self_employment": 1,
                                            "apprenticeship": 1, "internship": 1}


def test_monthly_trend(outcomes, team_lead):
    monthly = {m["month"]: m for m in services.placement_report(YEAR, actor=team_lead)["monthly"]}
    assert len(monthly) == 12
    assert [monthly[f"2024-{i:02d}"]["entered"] for i in range(1, 13)] == [1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]
    assert [monthly[f"2024-{i:02d}"]["exited"] for i in range(1, 13)] == [0, 0, 1, 0, 1, 1, 0, 0, 0, 1, 0, 0]
    assert [monthly[f"2024-{i:02d}"]["placements"] for i in range(1, 13)] == [0, 0, 1, 0, 2, 0, 0, 0, 0, 1, 0, 0]


def test_breakdowns_for_casework_are_exact(outcomes, team_lead):
    report = services.placement_report(YEAR, actor=team_lead)
    assert report["small_cell_threshold"] is None
    gender = {g["key"]: g for g in report["breakdowns"]["gender"]}
    assert gender["female"].pop("label") == str(GENDERS["female"])
    assert gender["female"] == {"key": "female", "suppressed": False, "participants": 2,
                                "entered": 1, "exited": 2, "placed_exits": 1, "placement_rate": 0.5}
    assert gender["male"]["participants"] == 2 and gender["male"]["placed_exits"] == 1
    assert gender["male"]["placement_rate"] == 1.0
    groups = {g["key"]: g["participants"] for g in report["breakdowns"]["nationality_group"]}
    assert groups == {"eu": 2, "third_country": 3}
    countries = {g["key"]: g["participants"] for g in report["breakdowns"]["country"]}
    assert countries == {"SY": 2, "PL": 1, "UA": 1, "DE": 1}
    ages = {g["key"]: g["participants"] for g in report["breakdowns"]["age_band"]}
    assert ages == {"below_18": 1, "30_54": 4}
    assert {g["key"]: g["participants"] for g in report["breakdowns"]["german_level"]} == {"B1": 1, "unknown": 4}
    assert {g["key"]: g["participants"] for g in report["breakdowns"]["measure_type"]} == {"matching": 2}
    assert [g["participants"] for g in report["breakdowns"]["organisation"]] == [5]


def test_filters(outcomes, team_lead, counsellor):
    by_type = services.placement_report({**YEAR, "measure_type": "matching"}, actor=team_lead)["summary"]
    assert (by_type["participants_active"], by_type["placed_exits"]) == (2, 1)
    by_measure = services.placement_report({**YEAR, "measure_id": str(outcomes["measure"].id)}, actor=team_lead)
    assert by_measure["summary"]["participants_active"] == 2
    mine = services.placement_report({**YEAR, "counsellor_id": str(counsellor.id)}, actor=team_lead)["summary"]
    assert (mine["participants_active"], mine["exited"], mine["placement_rate"]) == (1, 1, 1.0)
    assert mine["median_days_to_first_placement"] == 293.0


def test_small_groups_are_hidden_from_analysts(history, analyst, team_lead):
    for _n in range(5):
        history.participant(gender="female", entry_date=date(2024, 5, 1), nationality="SY")
    for _n in range(2):
        history.participant(gender="male", entry_date=date(2024, 5, 1), nationality="SY")
    report = services.placement_report(YEAR, actor=analyst)
    assert report["small_cell_threshold"] == 5
    gender = {g["key"]: g for g in report["breakdowns"]["gender"]}
    assert gender["female"]["participants"] == 5 and not gender["female"]["suppressed"]
    assert gender["male"].pop("label") == str(GENDERS["male"])
    assert gender["male"] == {"key": "male", "suppressed": True, "participants": None,
                              "entered": None, "exited": None, "placed_exits": None, "placement_rate": None}
    assert report["summary"]["participants_active"] == 7  # the summary is not a small group
    exact = {g["key"]: g for g in services.placement_report(YEAR, actor=team_lead)["breakdowns"]["gender"]}
    assert exact["male"]["participants"] == 2 and not exact["male"]["suppressed"]


def test_analyst_sees_every_organisation_or_one(history, other_history, analyst, org, other_org):
    history.participant(entry_date=date(2024, 5, 1))
    for _ in range(6):
        other_history.participant(entry_date=date(2024, 5, 1))
    everyone = services.placement_report(YEAR, actor=analyst)
    assert everyone["summary"]["participants_active"] == 7
    orgs = {g["label"]: g for g in everyone["breakdowns"]["organisation"]}
    assert orgs[other_org.name]["participants"] == 6 and orgs[org.name]["suppressed"]
    one = services.placement_report({**YEAR, "organisation_id": str(org.id)}, actor=analyst)
    assert one["summary"]["participants_active"] == 1


def test_main_countries_and_the_rest(history, team_lead):
    codes = ["SY", "UA", "TR", "AF", "IQ", "ER", "IR", "RU", "PL", "RO", "BG", "VN"]
    for i, code in enumerate(codes):
        for _ in range(2 if i < 10 else 1):
            history.participant(entry_date=date(2024, 5, 1), nationality=code)
    countries = services.placement_report({**YEAR, "group_by": "country"}, actor=team_lead)["breakdowns"]
    assert list(countries) == ["country"]
    rows = countries["country"]
    assert len(rows) == 11 and rows[-1]["key"] == "other" and rows[-1]["participants"] == 2


def test_other_organisations_counsellor_is_not_a_filter(outcomes, team_lead, other_counsellor):
    from caseflow.errors import NotFound
    with pytest.raises(NotFound):
        services.placement_report({**YEAR, "counsellor_id": str(other_counsellor.id)}, actor=team_lead)


def test_every_casework_user_of_the_organisation_counts_as_counsellor_filter(outcomes, team_lead, org):
    lead2 = UserFactory(role="team_lead", organisation=org)
    report = services.placement_report({**YEAR, "counsellor_id": str(lead2.id)}, actor=team_lead)
    assert report["summary"]["participants_active"] == 0
    assert report["summary"]["placement_rate"] is None


def test_reports_of_one_filter_shape_each_have_their_own_figures(outcomes, team_lead, counsellor, org):
    """The report's statements are built once per process and filter shape, with bound parameters
    (queries._placement_statement): reports of the same shape with other values, one after the other,
    give each their own figures."""
    from caseflow.reports import queries as q
    first_quarter = {"from": "2024-01-01", "to": "2024-03-31"}
    before = q._placement_statement.cache_info()
    year = services.placement_report(YEAR, actor=team_lead)
    quarter = services.placement_report(first_quarter, actor=team_lead)
    assert year["summary"]["participants_active"] == 5
    assert quarter["summary"] == {
        "participants_active": 4,  # A B D H
        "entered": 3,  # B D H
        "exited": 1,  # A
        "placed_exits": 1,  # A
        "placement_rate": 1.0,
        "median_days_to_first_placement": 293.0,  # A
        "six_month_follow_ups_known": 1,
        "still_placed_at_six_months": 1,
        "still_placed_share": 1.0,
    }
    assert quarter["placements_by_type"]["employment"] == 1 and year["placements_by_type"]["employment"] == 2
    assert len(quarter["monthly"]) == 3
    assert q._placement_statement.cache_info().hits > before.hits  # the second report reused the first's
    lead2 = UserFactory(role="team_lead", organisation=org)
    for counsellor_id, active in ((counsellor.id, 1), (lead2.id, 0), (counsellor.id, 1)):
        report = services.placement_report({**YEAR, "counsellor_id": str(counsellor_id)}, actor=team_lead)
        assert report["summary"]["participants_active"] == active
    for measure_type, active in (("matching", 2), ("coaching", 0)):
        report = services.placement_report({**YEAR, "measure_type": measure_type}, actor=team_lead)
        assert report["summary"]["participants_active"] == active


def test_the_day_metrics_are_told_apart_from_placement_types():
    """placement_starts_and_days reads one statement's rows by their first column: a placement type,
    or 'entered'/'exited'. A placement type of either name would be counted as a day."""
    assert not set(queries.DAY_METRICS) & set(PLACEMENT_TYPES)


def test_the_cube_statistics_cover_exactly_the_columns_the_cube_groups_by(app):
    """PostgreSQL's estimate of the cube's groups (reports/models.py, revision 0027) comes from
    statistics of these columns' combinations: a grouping column added to the cube without them
    would bring the planner's overestimate back."""
    from caseflow.reports.models import PLACEMENT_CUBE_COLUMNS
    with app.test_request_context():
        base = queries.placement_base(queries.PlacementFilters(date(2024, 1, 1), date(2024, 12, 31), organisation_id=1))
        grouped = set()
        for dimension in queries.CUBE_DIMENSIONS:
            (column,) = base.c[dimension].base_columns  # the report_facts column behind the CTE's
            assert column.table.name == "report_facts"
            grouped.add(column.name)
    assert grouped == set(PLACEMENT_CUBE_COLUMNS) and len(PLACEMENT_CUBE_COLUMNS) == len(grouped)


def test_the_cube_key_holds_every_breakdown_that_is_not_its_own_column():
    """placement_summary_and_groups groups the cube by the parts of report_facts.cube_key
    (facts.cube_key) for gender, age band, country, residence status and German level; the
    separator is in no code."""
    from caseflow import vocabulary
    from caseflow.reports import facts
    assert [facts.CUBE_PARTS[n - 1] for n in queries._KEY_PARTS.values()] == [
        "gender", "age_band", "nationality", "residence_status", "german_level"]
    assert set(queries.BREAKDOWNS) == {*queries._KEY_PARTS, "organisation", "nationality_group", "measure_type"}
    codes = [*vocabulary.GENDERS, *queries.AGE_BANDS, *vocabulary.RESIDENCE_STATUSES, *vocabulary.GERMAN_LEVELS,
             "unknown", "stateless"]
    assert codes and not any(facts.CUBE_SEPARATOR in code for code in codes)
