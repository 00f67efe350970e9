"""The placement outcome report's `measure_type` breakdown, figure by figure, on a small hand-made
data set: a participant active in the period counts once in each measure type in which they have a
non-cancelled enrolment (planned, active, completed or dropped out), however many such enrolments
of that type they have (reports/api.py, queries.placement_summary_and_groups).

The SQL of this breakdown differs between PostgreSQL (pairs built from the report's participant
rows) and SQLite (all pairs, joined afterwards): every test here runs on both databases.
"""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from caseflow.extensions import db
from caseflow.reports import services
from caseflow.vocabulary import MEASURE_TYPES
from tests.factories import EnrolmentFactory, MeasureFactory

YEAR = {"from": "2024-01-01", "to": "2024-12-31", "group_by": "measure_type"}
METRICS = ("participants", "entered", "exited", "placed_exits", "placement_rate")


def enrol(p, measure, status="active"):
    return EnrolmentFactory(participant=p, measure=measure, status=status, start_date=p.entry_date)


def exact(participants, entered, exited, placed_exits, placement_rate):
    return {"participants": participants, "entered": entered, "exited": exited,
            "placed_exits": placed_exits, "placement_rate": placement_rate}


HIDDEN = {m: None for m in METRICS}


def by_type(report) -> dict[str, dict]:
    """{measure type: {figures…}} of the breakdown; checks key order, labels and the suppressed flag
    agree with the figures on the way."""
    rows = report["breakdowns"]["measure_type"]
    order = list(MEASURE_TYPES)
    assert [r["key"] for r in rows] == sorted((r["key"] for r in rows), key=order.index)
    out = {}
    for r in rows:
        assert r["label"] == str(MEASURE_TYPES[r["key"]])
        assert r["suppressed"] is (r["participants"] is None)
        out[r["key"]] = {m: r[m] for m in METRICS}
    return out


def suppressed_flags(report) -> dict[str, bool]:
    return {r["key"]: r["suppressed"] for r in report["breakdowns"]["measure_type"]}


@pytest.fixture
def people(history, other_history, counsellor, org, other_org):
    """Kiezwerk (org) and Brückenbau (other_org) in 2024; see each line.

    Kiezwerk, in the report:
      A  entered 2023, exited 2024-03-10, employment from 2024-03-20 (placed exit); counsellor Aylin;
         matching: match_a active + match_b completed (two measures of one type)
      B  entered 2024-02-01, exited 2024-06-30, only an internship afterwards (exit, not placed);
         matching: match_a dropped_out; language_course: lang planned
      C  entered 2024-04-01, active; counsellor Aylin;
         language_course: lang CANCELLED; coaching: coach completed
      D  entered 2024-01-15, exited 2024-10-01, self-employed from 2024-10-29 (exit + 28: placed);
         language_course: lang dropped_out and lang active again (one measure, twice);
         matching: match_a CANCELLED
      E  entered 2024-05-01, active; startup_coaching: start CANCELLED (its only enrolment)
    Kiezwerk, outside the report (each enrolled in matching, X2 also in coaching):
      X1 exited 2023-12-31; X2 restricted (counsellor Aylin); X3 entered 2025-01-05
    Brückenbau (counts only for analysts/admins looking at all organisations or at Brückenbau):
      O1–O5 entered 2024-03-01; matching: other_match active (O1 also completed there before);
      O1–O3 language_course: other_lang active; O5 exited 2024-09-30, employed from 2024-10-15 (placed)
    """
    h, o = history, other_history
    m = {
        "match_a": MeasureFactory(organisation=org, type="matching", title="Jobmatching A"),
        "match_b": MeasureFactory(organisation=org, type="matching", title="Jobmatching B"),
        "lang": MeasureFactory(organisation=org, type="language_course", title="Berufssprachkurs B2"),
        "coach": MeasureFactory(organisation=org, type="coaching", title="Coaching"),
        "start": MeasureFactory(organisation=org, type="startup_coaching", title="Gründungscoaching"),
        "other_match": MeasureFactory(organisation=other_org, type="matching", title="Matching Spandau"),
        "other_lang": MeasureFactory(organisation=other_org, type="language_course", title="Sprachkurs Spandau"),
    }
    p = {}

    a = p["A"] = h.participant(entry_date=date(2023, 6, 1), counsellor_id=counsellor.id)
    enrol(a, m["match_a"], "active")
    enrol(a, m["match_b"], "completed")
    h.placement(a, "employment", date(2024, 3, 20))
    h.exit(a, date(2024, 3, 10))

    b = p["B"] = h.participant(entry_date=date(2024, 2, 1))
    enrol(b, m["match_a"], "dropped_out")
    enrol(b, m["lang"], "planned")
    h.placement(b, "internship", date(2024, 7, 1))
    h.exit(b, date(2024, 6, 30))

    c = p["C"] = h.participant(entry_date=date(2024, 4, 1), counsellor_id=counsellor.id)
    enrol(c, m["lang"], "cancelled")
    enrol(c, m["coach"], "completed")

    d = p["D"] = h.participant(entry_date=date(2024, 1, 15))
    enrol(d, m["lang"], "dropped_out")
    enrol(d, m["lang"], "active")
    enrol(d, m["match_a"], "cancelled")
    h.placement(d, "self_employment", date(2024, 10, 29))
    h.exit(d, date(2024, 10, 1))

    e = p["E"] = h.participant(entry_date=date(2024, 5, 1))
    enrol(e, m["start"], "cancelled")

    x1 = p["X1"] = h.participant(entry_date=date(2022, 1, 1))
    enrol(x1, m["match_a"], "completed")
    h.exit(x1, date(2023, 12, 31))
    x2 = p["X2"] = h.participant(entry_date=date(2024, 3, 1), counsellor_id=counsellor.id)
    enrol(x2, m["match_a"], "active")
    enrol(x2, m["coach"], "active")
    x2.restricted_at = datetime.now(UTC)
    db.session.commit()
    x3 = p["X3"] = h.participant(entry_date=date(2025, 1, 5))
    enrol(x3, m["match_a"], "planned")

    for i in range(1, 6):
        op = p[f"O{i}"] = o.participant(entry_date=date(2024, 3, 1))
        if i == 1:
            enrol(op, m["other_match"], "completed")
        enrol(op, m["other_match"], "active")
        if i <= 3:
            enrol(op, m["other_lang"], "active")
    o.placement(p["O5"], "employment", date(2024, 10, 15))
    o.exit(p["O5"], date(2024, 9, 30))

    p["measures"] = m
    return p


# --- one organisation, exact figures ---------------------------------------------------------------

def test_each_type_counts_each_participant_once(people, team_lead):
    """A (two matching measures) and D (one language course twice) count once in their type; B counts
    in matching and in language_course; cancelled enrolments count nowhere (C's language course, D's
    matching, E's start-up coaching: that type has no group at all); planned (B), active, completed
    (A, C) and dropped-out (B, D) enrolments count; X1 (exited before 2024), X2 (restricted), X3
    (entered after 2024) and Brückenbau's participants are left out of a team lead's report."""
    report = services.placement_report(YEAR, actor=team_lead)
    assert report["small_cell_threshold"] is None
    assert by_type(report) == {
        "matching": exact(2, 1, 2, 1, 0.5),  # A B: B entered; A B exited; A placed
        "language_course": exact(2, 2, 2, 1, 0.5),  # B D: both entered and exited; D placed
        "coaching": exact(1, 1, 0, 0, None),  # C, still active
    }
    assert report["summary"]["participants_active"] == 5  # A B C D E
    assert list(report["breakdowns"]) == ["measure_type"]


def test_counsellor_sees_the_same_exact_figures(people, counsellor):
    assert by_type(services.placement_report(YEAR, actor=counsellor)) == {
        "matching": exact(2, 1, 2, 1, 0.5),
        "language_course": exact(2, 2, 2, 1, 0.5),
        "coaching": exact(1, 1, 0, 0, None),
    }


def test_placed_exit_is_counted_in_every_type_of_the_participant(history, team_lead, org):
    """One participant, placed (employment on exit + 28 days), enrolled in two types: the exit and
    the placed exit count in both; an internship after the exit is no placed exit."""
    lang = MeasureFactory(organisation=org, type="language_course")
    coach = MeasureFactory(organisation=org, type="coaching")
    match = MeasureFactory(organisation=org, type="matching")
    placed = history.participant(entry_date=date(2023, 9, 1))
    enrol(placed, lang, "completed")
    enrol(placed, coach, "dropped_out")
    history.placement(placed, "employment", date(2024, 8, 29))
    history.exit(placed, date(2024, 8, 1))
    intern = history.participant(entry_date=date(2024, 2, 1))
    enrol(intern, coach, "completed")
    enrol(intern, match, "completed")
    history.placement(intern, "internship", date(2024, 8, 5))
    history.exit(intern, date(2024, 8, 1))
    late = history.participant(entry_date=date(2024, 2, 1))
    enrol(late, match, "active")
    history.placement(late, "employment", date(2024, 8, 30))  # exit + 29 days: too late
    history.exit(late, date(2024, 8, 1))
    assert by_type(services.placement_report(YEAR, actor=team_lead)) == {
        "matching": exact(2, 2, 2, 0, 0.0),  # intern, late
        "language_course": exact(1, 0, 1, 1, 1.0),  # placed
        "coaching": exact(2, 1, 2, 1, 0.5),  # placed, intern
    }


# --- filters ---------------------------------------------------------------------------------------

def test_counsellor_filter(people, team_lead, counsellor):
    """Aylin's participants: A and C (X2 is hers too, but restricted); C's cancelled language course
    does not count under the filter either."""
    report = services.placement_report({**YEAR, "counsellor_id": str(counsellor.id)}, actor=team_lead)
    assert by_type(report) == {
        "matching": exact(1, 0, 1, 1, 1.0),  # A
        "coaching": exact(1, 1, 0, 0, None),  # C
    }


def test_measure_type_filter_keeps_the_other_types_of_the_filtered_participants(people, team_lead):
    """The filter narrows the PARTICIPANTS (those with a non-cancelled enrolment in a language course:
    B and D; not C, whose language course was cancelled), and the breakdown then shows every type
    those participants were enrolled in: B also appears under matching (her dropped-out match_a).
    D's cancelled matching enrolment does not make D appear there, and C's coaching is gone with C."""
    report = services.placement_report({**YEAR, "measure_type": "language_course"}, actor=team_lead)
    assert by_type(report) == {
        "matching": exact(1, 1, 1, 0, 0.0),  # B only
        "language_course": exact(2, 2, 2, 1, 0.5),  # B D
    }
    assert report["summary"]["participants_active"] == 2


def test_measure_type_filter_with_only_cancelled_enrolments_is_empty(people, team_lead):
    """E's only start-up coaching enrolment was cancelled: nobody is in the report."""
    report = services.placement_report({**YEAR, "measure_type": "startup_coaching"}, actor=team_lead)
    assert report["breakdowns"]["measure_type"] == []
    assert report["summary"]["participants_active"] == 0


def test_measure_filter(people, team_lead):
    """measure_id narrows to the participants with a non-cancelled enrolment in that one measure; the
    breakdown then counts all their types (once each)."""
    m = people["measures"]
    only_b = services.placement_report({**YEAR, "measure_id": str(m["match_b"].id)}, actor=team_lead)
    assert by_type(only_b) == {"matching": exact(1, 0, 1, 1, 1.0)}  # A, once despite match_a too
    coach = services.placement_report({**YEAR, "measure_id": str(m["coach"].id)}, actor=team_lead)
    assert by_type(coach) == {"coaching": exact(1, 1, 0, 0, None)}  # C (X2 restricted), not her cancelled course
    lang = services.placement_report({**YEAR, "measure_id": str(m["lang"].id)}, actor=team_lead)
    assert by_type(lang) == {
        "matching": exact(1, 1, 1, 0, 0.0),  # B (D's matching was cancelled)
        "language_course": exact(2, 2, 2, 1, 0.5),  # B, D (D twice in this measure, counted once)
    }
    match_a = services.placement_report({**YEAR, "measure_id": str(m["match_a"].id)}, actor=team_lead)
    assert by_type(match_a) == {
        "matching": exact(2, 1, 2, 1, 0.5),  # A B (D cancelled; X1 X2 X3 outside the report)
        "language_course": exact(1, 1, 1, 0, 0.0),  # B
    }


# --- organisations and small cells ---------------------------------------------------------------

@pytest.mark.parametrize("role", ["analyst", "admin"])
def test_all_organisations_and_one(people, api_as, analyst, admin, org, other_org, role):
    """Analysts and admins: all organisations (Kiezwerk's A B C D and Brückenbau's O1–O5), or one;
    groups of 1–4 participants are suppressed, groups of 5 or more exact."""
    user = analyst if role == "analyst" else admin
    url = "/reports/placements?from=2024-01-01&to=2024-12-31&group_by=measure_type"
    everyone = api_as(user).get(url).json
    assert everyone["small_cell_threshold"] == 5
    assert by_type(everyone) == {
        "matching": exact(7, 6, 3, 2, 0.6667),  # A B O1–O5: all but A entered; A B O5 exited; A O5 placed
        "language_course": exact(5, 5, 2, 1, 0.5),  # B D O1 O2 O3
        "coaching": HIDDEN,  # C alone
    }
    assert suppressed_flags(everyone) == {"matching": False, "language_course": False, "coaching": True}

    spandau = api_as(user).get(url + f"&organisation_id={other_org.id}").json
    assert by_type(spandau) == {
        "matching": exact(5, 5, 1, 1, 1.0),  # O1–O5, O1 once despite two enrolments
        "language_course": HIDDEN,  # O1–O3
    }
    kiezwerk = api_as(user).get(url + f"&organisation_id={org.id}").json
    assert by_type(kiezwerk) == {"matching": HIDDEN, "language_course": HIDDEN, "coaching": HIDDEN}
    assert kiezwerk["summary"]["participants_active"] == 5  # the summary is never suppressed


def test_analyst_filters_by_type_across_organisations(people, api_as, analyst):
    """measure_type=language_course for all organisations: B D O1 O2 O3 (5, exact); their matching
    enrolments put B O1 O2 O3 under matching (4: suppressed)."""
    body = api_as(analyst).get("/reports/placements?from=2024-01-01&to=2024-12-31&group_by=measure_type"
                               "&measure_type=language_course").json
    assert by_type(body) == {"matching": HIDDEN, "language_course": exact(5, 5, 2, 1, 0.5)}
    assert body["summary"]["participants_active"] == 5


def test_small_cells_for_analysts_exact_for_team_leads(history, api_as, analyst, team_lead, org):
    """4 participants in a type are suppressed for an analyst, 5 are not; the team lead sees 4 exactly.
    One of the five has two enrolments of the type: without counting them once the group would reach 5
    for the analyst's smaller type as well."""
    coach = MeasureFactory(organisation=org, type="coaching")
    coach2 = MeasureFactory(organisation=org, type="coaching")
    lang = MeasureFactory(organisation=org, type="language_course")
    four = [history.participant(entry_date=date(2024, 6, 1)) for _ in range(4)]
    for p in four:
        enrol(p, coach, "active")
    enrol(four[0], coach2, "completed")
    five = [history.participant(entry_date=date(2023, 6, 1)) for _ in range(5)]
    for p in five:
        enrol(p, lang, "completed")
    history.exit(five[0], date(2024, 2, 1))
    url = "/reports/placements?from=2024-01-01&to=2024-12-31&group_by=measure_type"
    hidden = api_as(analyst).get(url).json["breakdowns"]["measure_type"]
    assert hidden == [
        {"key": "language_course", "label": str(MEASURE_TYPES["language_course"]), "suppressed": False,
         **exact(5, 0, 1, 0, 0.0)},
        {"key": "coaching", "label": str(MEASURE_TYPES["coaching"]), "suppressed": True, **HIDDEN},
    ]
    shown = by_type(api_as(team_lead).get(url).json)
    assert shown == {"language_course": exact(5, 0, 1, 0, 0.0), "coaching": exact(4, 4, 0, 0, None)}
