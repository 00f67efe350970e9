"""The ESF+ report (SQL) against a small, plain Python reading of esf-indicators.md, on random
histories: status changes with same-day ties, exits, certificates, follow-ups, restricted cases."""
from __future__ import annotations

import calendar
import itertools
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caseflow.accounts.models import Organisation
from caseflow.extensions import db
from caseflow.participants.models import Participant, StatusChange
from caseflow.placements.models import Certificate, FollowUp
from caseflow.reports import queries as q

EU = set(["AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"])
STATUSES = ["employed", "self_employed", "unemployed", "inactive", "education_or_training"]
GENDERS = ["female", "male", "non_binary", "not_stated"]


# --- the plain reading of the rules ---------------------------------------------------------------

def months_before(d: date, n: int) -> date:
    """The date n calendar months before d: d's day of the month, or that month's last day."""
    year, month = d.year, d.month - n
    while month < 1:
        year, month = year - 1, month + 12
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def status_on(records, day):
    """The latest record dated on or before day; the one recorded last (highest id) on a tie."""
    before = [r for r in records if r["date"] <= day]
    return max(before, key=lambda r: (r["date"], r["id"]))["status"] if before else None


def is_long_term_unemployed(p, rule):
    if p["status_at_entry"] != "unemployed" or p["unemployed_since"] is None:
        return False
    if rule == "de":
        return p["unemployed_since"] <= months_before(p["entry"], 12)
    months = 6 if p["age"] < 25 else 12
    return p["unemployed_since"] < months_before(p["entry"], months)


def output_facts(p, rule):
    s, age, isced = p["status_at_entry"], p["age"], p["isced"]
    return {
        "total": True,
        "unemployed": s == "unemployed",
        "long_term_unemployed": is_long_term_unemployed(p, rule),
        "inactive": s in ("inactive", "education_or_training"),
        "employed": s in ("employed", "self_employed"),
        "below_18": age < 18,
        "age_18_29": 18 <= age <= 29,
        "age_55_plus": age >= 55,
        "isced_0_2": isced is not None and isced <= 2,
        "isced_3_4": isced in (3, 4),
        "isced_5_8": isced is not None and isced >= 5,
        "disability": p["disability"] == "yes",  # declined counts as no
        "third_country_national": p["nationality"] not in EU,
        "foreign_background": p["foreign_background"] == "yes",  # declined counts as no
        "minority": p["minority"] == "yes",  # declined counts as no
        "homeless": p["homeless"] == "yes",  # declined counts as no
    }


def result_facts(p):
    s = p["status_at_entry"]
    leaving = status_on(p["statuses"], p["exit"] + timedelta(days=28))
    six = [f for f in p["follow_ups"] if f["kind"] == "six_months" and f["date"] >= p["exit"]]
    latest = max(six, key=lambda f: (f["date"], f["id"])) if six else None
    return {
        "job_searching_upon_leaving": s in ("inactive", "education_or_training") and leaving == "unemployed",
        "education_or_training_upon_leaving": s != "education_or_training" and leaving == "education_or_training",
        "qualification_upon_leaving": any(p["entry"] <= c <= p["exit"] + timedelta(days=28)
                                          for c in p["certificates"]),
        "employed_upon_leaving": s in ("unemployed", "inactive", "education_or_training")
        and leaving in ("employed", "self_employed"),
        "employed_six_months_after": latest is not None and latest["status"] in ("employed", "self_employed"),
        "improved_situation_six_months_after": latest is not None and s in ("employed", "self_employed")
        and latest["improved"] is True,
    }


def reference_report(people, date_from, date_to, rule):
    def empty(keys):
        return {k: {"female": 0, "male": 0, "non_binary": 0, "total": 0} for k in keys}
    outputs, results = empty(q.OUTPUT_KEYS), empty(q.RESULT_KEYS)
    for p in people:
        if p["restricted"]:
            continue
        if date_from <= p["entry"] <= date_to:
            for key, yes in output_facts(p, rule).items():
                if yes:
                    outputs[key]["total"] += 1
                    if p["gender"] != "not_stated":
                        outputs[key][p["gender"]] += 1
        if p["exit"] is not None and date_from <= p["exit"] <= date_to:
            for key, yes in result_facts(p).items():
                if yes:
                    results[key]["total"] += 1
                    if p["gender"] != "not_stated":
                        results[key][p["gender"]] += 1
    return {"outputs": outputs, "results": results}


# --- random histories -----------------------------------------------------------------------------

def day_between(lo: date, hi: date):
    return st.integers(0, (hi - lo).days).map(lambda n: lo + timedelta(days=n))


ANSWER = st.sampled_from(["yes", "no", "declined"])


@st.composite
def person(draw):
    entry = draw(day_between(date(2023, 6, 1), date(2025, 3, 31)))
    years = draw(st.sampled_from([16, 17, 18, 22, 24, 25, 26, 29, 30, 41, 54, 55, 61]))
    born = draw(st.one_of(
        st.integers(0, 364).map(lambda d: date(entry.year - years - 1, 1, 1) + timedelta(days=d)),
        # birthdays right on or next to the entry date
        st.integers(-1, 1).map(lambda d: date(entry.year - years, entry.month, min(entry.day, 28))
                               + timedelta(days=d))))
    status = draw(st.sampled_from(STATUSES + ["unemployed"] * 3))
    since = None
    if status == "unemployed":
        # mostly right at the 6- and 12-month boundaries, where the rules differ
        since = draw(st.one_of(
            st.none(),
            st.integers(0, 800).map(lambda n: entry - timedelta(days=n)),
            st.tuples(st.sampled_from([6, 12]), st.integers(-1, 1)).map(
                lambda t: months_before(entry, t[0]) + timedelta(days=t[1])),
            st.just(months_before(entry, 6)), st.just(months_before(entry, 12))))
    exit_ = draw(st.one_of(st.none(), st.integers(0, 400).map(lambda n: entry + timedelta(days=n))))
    anchor = exit_ or entry
    record_day = st.one_of(st.integers(0, 500).map(lambda n: entry + timedelta(days=n)),
                           st.sampled_from([-1, 0, 1, 27, 28, 29]).map(lambda n: anchor + timedelta(days=n)),
                           st.sampled_from([27, 28, 28, 29]).map(lambda n: anchor + timedelta(days=n)))
    statuses = draw(st.lists(st.tuples(record_day, st.sampled_from(STATUSES + ["unemployed"])), max_size=3))
    # same-day ties, mostly on exit + 28 days where the last recorded decides the status upon leaving
    for offset, first, second in draw(st.lists(st.tuples(st.sampled_from([0, 27, 28, 28, 28]),
                                                         st.sampled_from(STATUSES), st.sampled_from(STATUSES)),
                                               max_size=1)):
        statuses += [(anchor + timedelta(days=offset), first), (anchor + timedelta(days=offset), second)]
    certificates = draw(st.lists(st.one_of(
        st.integers(-5, 500).map(lambda n: entry + timedelta(days=n)),
        st.sampled_from([27, 28, 29]).map(lambda n: anchor + timedelta(days=n))), max_size=2))
    follow_ups = draw(st.lists(st.tuples(
        st.sampled_from(["six_months", "four_weeks"]),
        st.integers(-30, 250).map(lambda n: anchor + timedelta(days=n)),
        st.sampled_from(STATUSES + ["unknown"]),
        st.sampled_from([True, False, None])), max_size=3))
    return {
        "gender": draw(st.sampled_from(GENDERS)), "born": born, "entry": entry, "status_at_entry": status,
        "unemployed_since": since, "isced": draw(st.one_of(st.none(), st.integers(0, 8))),
        "nationality": draw(st.sampled_from(["DE", "PL", "FR", "SY", "UA", "TR", "NO", "CH", "stateless"])),
        "disability": draw(ANSWER), "foreign_background": draw(ANSWER),
        "minority": draw(ANSWER), "homeless": draw(ANSWER),
        "restricted": draw(st.integers(0, 4)) == 0,
        "anonymised": draw(st.integers(0, 4)) == 0,
        "exit": exit_, "statuses": statuses, "certificates": certificates, "follow_ups": follow_ups,
    }


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


IDS = itertools.count(1_000_000)


def store(org, people) -> None:
    """Writes the histories (ids in recording order, given explicitly so that one commit suffices)
    and puts the ids back into `people`."""
    now = datetime.now(UTC)
    for n, p in enumerate(people):
        p["age"] = age_on(p["born"], p["entry"])
        row = Participant(
            id=next(IDS), organisation_id=org.id, case_number=f"CF-P{org.id:04d}-{n:04d}", first_name="Lina", last_name="Sayed",
            date_of_birth=None if p["anonymised"] else p["born"], birth_year=p["born"].year, age_at_entry=p["age"],
            gender=p["gender"], nationality=p["nationality"], entry_date=p["entry"],
            labour_status_at_entry=p["status_at_entry"], unemployed_since=p["unemployed_since"],
            education_isced=p["isced"], disability=p["disability"], foreign_background=p["foreign_background"],
            minority=p["minority"], homeless=p["homeless"], status="exited" if p["exit"] else "active",
            exit_date=p["exit"], restricted_at=now if p["restricted"] else None,
            anonymised_at=now if p["anonymised"] else None, search_key="x")
        db.session.add(row)
        records = [(p["entry"], p["status_at_entry"], "entry")] + [(d, s, "manual") for d, s in p["statuses"]]
        p["statuses"] = []
        for day, status, source in records:
            sc = StatusChange(id=next(IDS), participant_id=row.id, date=day, status=status, source=source)
            db.session.add(sc)
            p["statuses"].append({"date": day, "status": status, "id": sc.id})
        for day in p["certificates"]:
            db.session.add(Certificate(participant_id=row.id, date=day, title="Zertifikat"))
        stored = []
        for kind, day, status, improved in p["follow_ups"]:
            fu = FollowUp(id=next(IDS), participant_id=row.id, kind=kind, date=day, status=status,
                          improved_situation=improved)
            db.session.add(fu)
            stored.append({"kind": kind, "date": day, "status": status, "improved": improved, "id": fu.id})
        p["follow_ups"] = stored
    db.session.commit()


@settings(max_examples=50, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(people=st.lists(person(), min_size=4, max_size=10),
       date_from=st.one_of(day_between(date(2023, 6, 1), date(2024, 12, 31)), st.just(date(2023, 6, 1))),
       length=st.one_of(st.integers(0, 700), st.just(900), st.just(900)), rule=st.sampled_from(["eu", "de"]))
def test_sql_report_matches_the_plain_reading_of_the_rules(app, people, date_from, length, rule):
    org = Organisation(name=f"Träger {next(IDS)}")  # one per example: the report is scoped to it
    db.session.add(org)
    db.session.flush()
    store(org, people)
    date_to = date_from + timedelta(days=length)
    expected = reference_report(people, date_from, date_to, rule)
    actual = q.esf_indicators(date_from, date_to, rule=rule, organisation_id=org.id)
    assert actual == expected
