"""The duplicate check at registration: birth dates that differ by a typo, names in German, English,
French and Polish transliteration, the reasons on the warning, and a candidate query that the
index (organisation_id, date_of_birth) answers."""
from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from caseflow.database import unit_of_work
from caseflow.extensions import db
from caseflow.participants.duplicates import (
    BirthDates,
    Person,
    birth_date_reason,
    judge,
    possible_duplicates,
    typo_dates,
)
from caseflow.participants.models import Participant
from caseflow.participants.names import duplicate_key
from caseflow.participants.transliteration import READINGS, meet, same_transliterated_name, sounds
from tests.databases import query_plan
from tests.participants.conftest import valid_data
from tests.participants.test_web import post_form, registration_form, use_english

# Every line of the reviewed table exists for one of these pairs (German or French / English / Polish).
SAME_NAME = [
    ("Schewtschenko", "Shevchenko"), ("Schukow", "Zhukov"), ("Woitschik", "Wójcik"),
    ("Chruschtschow", "Khrushchev"), ("Dschamal", "Jamal"), ("Scharif", "Sharif"), ("Chérif", "Sharif"),
    ("Chalil", "Khalil"), ("Saizew", "Zaytsev"), ("Jussuf", "Yusuf"), ("Youssef", "Yusuf"),
    ("Joukov", "Zhukov"), ("Chevtchenko", "Shevchenko"), ("Szewczenko", "Shevchenko"), ("Iwanowa", "Ivanova"),
    ("Achmed", "Ahmad"), ("Mohammed", "Muhammad"), ("Hussein", "Husain"), ("Qasim", "Kasim"),
    ("Ramadhan", "Ramadan"), ("Uthman", "Utman"), ("Tschechow", "Chekhov"), ("Zwetajewa", "Tsvetaeva"),
    ("Ghassan", "Gassan"), ("Шевченко", "Schewtschenko"), ("Жуков", "Schukow"), ("Żukow", "Schukow"),
    ("Çelik", "Tschelik"),
]
DIFFERENT_NAMES = [
    ("Schmidt", "Smith"), ("Peter", "Paul"), ("Amira", "Samir"), ("Olena", "Iryna"), ("Haddad", "Hamdan"),
    ("Kovalenko", "Kovalchuk"), ("Schukow", "Sokolow"), ("Shevchenko", "Savchenko"), ("Jamal", "Kamal"),
]


def test_transliteration_table_joins_german_english_french_and_polish_spellings():
    assert [pair for pair in SAME_NAME if same_transliterated_name(*pair) is None] == []
    assert same_transliterated_name("Schewtschenko", "Shevchenko") == ("de", "en")


def test_transliteration_table_keeps_different_names_apart():
    assert [pair for pair in DIFFERENT_NAMES if same_transliterated_name(*pair) is not None] == []


def test_the_table_is_the_one_documented():
    text = Path("docs/domain.md").read_text(encoding="utf-8")
    section = text.split("## Names written in other scripts")[1]
    for system, rules in READINGS.items():
        for spelling, sound in rules.items():
            assert f"| {system} | `{spelling}` | `{sound}` |" in section, (system, spelling)


@pytest.mark.parametrize("entered, registered, reason", [
    (date(1990, 5, 17), date(1990, 5, 17), "same_birth_date"),
    (date(1990, 5, 17), date(1990, 5, 18), "birth_date_one_day_apart"),
    (date(1990, 1, 1), date(1989, 12, 31), "birth_date_one_day_apart"),
    (date(1990, 5, 7), date(1990, 7, 5), "birth_date_day_month_swapped"),
    (date(1990, 1, 1), date(1990, 9, 23), "birth_date_placeholder"),
    (date(1990, 9, 23), date(1990, 1, 1), "birth_date_placeholder"),
    (date(1990, 5, 17), date(1990, 5, 19), None),
    (date(1990, 5, 17), date(1991, 5, 17), None),
    (date(1990, 1, 1), date(1991, 3, 4), None),
])
def test_birth_date_reasons(entered, registered, reason):
    assert birth_date_reason(entered, registered) == reason
    if reason is not None and (entered.month, entered.day) != (1, 1):
        assert registered in typo_dates(entered)  # the candidate query asks for it


@pytest.mark.parametrize("born, name, reasons", [
    ("1990-05-18", ("Amira", "Haddad"), ["same_name", "birth_date_one_day_apart"]),
    ("1990-05-16", ("Haddad", "Amira"), ["names_swapped", "birth_date_one_day_apart"]),
    ("1990-05-17", ("Amira", "Hadad"), ["similar_spelling", "same_birth_date"]),
    ("1990-01-01", ("Amira", "Haddad"), ["same_name", "birth_date_placeholder"]),
])
def test_a_typo_in_the_birth_date_is_caught_when_the_names_match(api_as, counsellor, register, born, name, reasons):
    existing = register()  # Amira Haddad, born 1990-05-17
    response = api_as(counsellor).post("/participants",
                                       json=valid_data(first_name=name[0], last_name=name[1], date_of_birth=born))
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["candidates"] == [existing.id]
    assert error["matches"][0]["id"] == existing.id and error["matches"][0]["reasons"] == reasons


def test_day_and_month_swapped(api_as, counsellor, register):
    existing = register(date_of_birth="1988-03-11")
    response = api_as(counsellor).post("/participants", json=valid_data(date_of_birth="1988-11-03"))
    assert response.status_code == 409
    assert response.get_json()["error"]["matches"] == [
        {"id": existing.id, "reasons": ["same_name", "birth_date_day_month_swapped"]}]


def test_a_placeholder_date_registered_earlier_is_caught(api_as, counsellor, register):
    existing = register(date_of_birth="1990-01-01")
    response = api_as(counsellor).post("/participants", json=valid_data(date_of_birth="1990-08-30"))
    assert response.get_json()["error"]["candidates"] == [existing.id]


@pytest.mark.parametrize("born", ["1990-05-18", "1990-01-01", "1990-05-17"])
def test_a_typo_in_the_date_and_another_in_the_name_is_no_warning_but_the_same_day_is(api_as, counsellor, register,
                                                                                        born):
    existing = register(first_name="Olena", last_name="Kovalenko")
    response = api_as(counsellor).post("/participants", json=valid_data(first_name="Olena", last_name="Kovalemko",
                                                                        date_of_birth=born))
    assert response.status_code == (409 if born == "1990-05-17" else 201)
    if born == "1990-05-17":
        assert response.get_json()["error"]["matches"] == [
            {"id": existing.id, "reasons": ["one_letter_apart", "same_birth_date"]}]


def test_other_birth_dates_and_other_names_are_no_duplicates(api_as, counsellor, register):
    register()
    api = api_as(counsellor)
    assert api.post("/participants", json=valid_data(date_of_birth="1990-05-19")).status_code == 201
    assert api.post("/participants", json=valid_data(date_of_birth="1991-05-17")).status_code == 201
    assert api.post("/participants", json=valid_data(first_name="Samir", date_of_birth="1990-05-18")).status_code == 201


@pytest.mark.parametrize("stored, entered, systems", [
    (("Taras", "Schewtschenko"), ("Taras", "Shevchenko"), ["en", "de"]),
    (("Georgi", "Schukow"), ("Georgy", "Zhukov"), ["en", "de"]),
    (("Anna", "Woitschik"), ("Anna", "Wójcik"), ["pl", "de"]),
    (("Dschamal", "Chalil"), ("Jamal", "Khalil"), ["en", "de"]),
])
def test_german_and_english_spellings_of_transliterated_names(api_as, counsellor, register, stored, entered, systems):
    existing = register(first_name=stored[0], last_name=stored[1])
    response = api_as(counsellor).post("/participants",
                                       json=valid_data(first_name=entered[0], last_name=entered[1]))
    assert response.status_code == 409
    match = response.get_json()["error"]["matches"][0]
    assert match == {"id": existing.id, "reasons": ["transliteration", "same_birth_date"], "systems": systems}


def test_the_other_organisation_is_not_searched(api_as, counsellor, other_counsellor, register):
    register(actor=other_counsellor, date_of_birth="1990-05-18")
    assert api_as(counsellor).post("/participants", json=valid_data()).status_code == 201


def test_the_warning_says_why(client, auth, counsellor, register):
    existing = register(first_name="Taras", last_name="Schewtschenko", date_of_birth="1985-03-09")
    auth.login(counsellor)
    use_english(client, auth)
    form = registration_form(first_name="Taras", last_name="Shevchenko", date_of_birth="1985-03-10")
    response = post_form(client, auth, "/participants/new", form)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    warning = html.split('class="form-errors duplicate-warning"')[1].split("</section>")[0]
    assert f'href="/participants/{existing.id}"' in warning
    assert "the same name in another transliteration (English / German)" in warning
    assert "dates of birth one day apart" in warning


def test_the_warning_says_why_in_german(client, auth, counsellor, register):
    register(first_name="Taras", last_name="Schewtschenko", date_of_birth="1985-03-09")
    auth.login(counsellor)
    response = post_form(client, auth, "/participants/new",
                         registration_form(first_name="Taras", last_name="Shevchenko", date_of_birth="1985-09-03"))
    html = response.get_data(as_text=True)
    assert "Tag und Monat des Geburtsdatums vertauscht" in html
    assert "Umschrift (Englisch / Deutsch)" in html




def _many_participants(org, n: int) -> None:
    """n participants of `org`, born on days spread over 50 years (as an organisation's are)."""
    first = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(Participant.id), 0))) + 1
    rows = []
    for i in range(n):
        born = date(1960, 1, 1) + timedelta(days=(i * 7919) % 18000)
        rows.append(dict(id=first + i, organisation_id=org.id, case_number=f"CF-2024-{i + 1:06d}",
                         first_name=f"Vorname{i}", last_name=f"Nachname{i}", search_key=f"n{i}",
                         duplicate_key=duplicate_key(f"Vorname{i}", f"Nachname{i}"), date_of_birth=born,
                         birth_year=born.year, age_at_entry=30, gender="male", nationality="UA",
                         entry_date=date(2025, 1, 1), labour_status_at_entry="inactive", status="active"))
    with unit_of_work():
        db.session.execute(sa.insert(Participant), rows)


@pytest.mark.parametrize("born", [date(1990, 5, 17), date(1990, 1, 1)])
def test_the_candidates_come_from_the_birth_date_index(dialect, org, born, monkeypatch):
    _many_participants(org, 2000)
    if dialect == "postgresql":
        db.session.execute(sa.text("ANALYZE participants"))
    statements = []
    real_execute = db.session.execute

    def spy(stmt, *args, **kwargs):
        statements.append(stmt)
        return real_execute(stmt, *args, **kwargs)

    monkeypatch.setattr(db.session, "execute", spy)
    possible_duplicates(org.id, born, "Amira", "Haddad")
    monkeypatch.undo()
    assert len(statements) == 1
    plan = query_plan(statements[0])
    assert "ix_participants_organisation_id_birth_date" in plan, plan
    assert "Seq Scan" not in plan and "SCAN participants\n" not in plan + "\n", plan


def test_only_the_typo_dates_are_read(org, counsellor, register):
    register()  # 1990-05-17
    for day in ("1990-05-20", "1990-06-17", "1990-12-31"):
        register(date_of_birth=day)
    assert [m.id for m in possible_duplicates(org.id, date(1990, 5, 18), "Amira", "Haddad")] == [
        db.session.scalar(sa.select(Participant.id).where(Participant.date_of_birth == date(1990, 5, 17)))]
    # 1 January: the whole year is read, every one of that name is a candidate
    assert len(possible_duplicates(org.id, date(1990, 1, 1), "Amira", "Haddad")) == 4


def test_the_openapi_document_describes_the_reasons(client):
    document = client.get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    assert schemas["Error"]["properties"]["error"] == {"$ref": "#/components/schemas/ErrorDetail"}
    assert "matches" in schemas["ErrorDetail"]["properties"]
    reasons = schemas["DuplicateMatch"]["properties"]["reasons"]
    assert reasons["type"] == "array" and "birth_date_day_month_swapped" in reasons["description"]


def test_shared_skeletons_are_exactly_the_transliteration_table():
    """`sounds`/`meet` (the import's quick test, cached per name) answer as same_transliterated_name."""
    names = sorted({n for pair in SAME_NAME + DIFFERENT_NAMES for n in pair} | {"", "Ørsted", "Doğan", "Doan", "Łukasz"})
    disagree = [(a, b) for a in names for b in names
                if meet(sounds(a), sounds(b)) != (same_transliterated_name(a, b) is not None)]
    assert disagree == []
    assert meet(sounds("Schewtschenko"), sounds("Shevchenko")) and not meet(sounds("Schmidt"), sounds("Smith"))


def test_the_imports_index_finds_exactly_what_judge_accepts():
    """BirthDates (the import's look-ups by typo date, and by name within a year for 1 January) leaves
    out no one whom the rule takes for the same person: compared with judging every pair."""
    rng = random.Random(16)
    names = [("Taras", "Schewtschenko"), ("Taras", "Shevchenko"), ("Shevchenko", "Taras"), ("Georgi", "Schukow"),
             ("Georgy", "Zhukov"), ("Amira", "Haddad"), ("Amira", "Hadad"), ("Amira", "Haddat"), ("Haddad", "Amira"),
             ("Jamal", "Khalil"), ("Dschamal", "Chalil"), ("Olena", "Kovalenko"), ("Olena", "Kovalemko"),
             ("Peter", "Paul")]
    days = [date(1990, 1, 1), date(1990, 1, 2), date(1989, 12, 31), date(1990, 5, 7), date(1990, 7, 5),
            date(1990, 5, 8), date(1990, 12, 31), date(1991, 1, 1), date(1990, 2, 1), date(1990, 1, 3)]
    people = [Person.of(*rng.choice(names), rng.choice(days), ref=i) for i in range(400)]
    index = BirthDates()
    found_any = 0
    for entered in people:
        expected = {other.ref: judge(entered, other) for other in people[:entered.ref]}
        expected = {ref: finding for ref, finding in expected.items() if finding is not None}
        assert {other.ref: finding for other, finding in index.matches(entered)} == expected, entered
        found_any += len(expected)
        index.add(entered)
    assert found_any > 1000
