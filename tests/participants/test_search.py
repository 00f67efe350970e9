"""Participant search (caseflow/participants/search.py): the same answers on SQLite (FTS5) and
PostgreSQL (pg_trgm), ranked, by name, case number, phone and e-mail, and capped list totals.

Every test here runs on both databases with the same participants and the same expected answers;
test_search_follows_the_rule_for_every_query also compares each answer with the rule written
plainly in Python over every participant, so an index that loses or invents a row fails."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

import caseflow.web
from caseflow.database import unit_of_work
from caseflow.extensions import db
from caseflow.participants.models import Participant
from caseflow.participants.names import search_terms
from caseflow.participants.search import search
from caseflow.participants.services import update_participant
from caseflow.privacy.services import anonymise_participant

PEOPLE = {
    # key: (first name, last name, phone, e-mail)
    "mueller": ("Jana", "Müller", "+49 30 1234567", "jana.mueller@example.org"),
    "maler": ("Jan", "Maler", None, None),
    "kovalenko": ("Олена", "Коваленко", "0151 7654321", None),
    "hassan": ("Ömer", "Al-Hassan", None, "oemer@beispiel.de"),
    "alina": ("Alina", "Khalil", None, None),
    "li": ("Li", "Wei", None, None),
    "kovac": ("Mariam", "Kovač", None, None),        # exits below
    "gone": ("Jana", "Müllerova", None, None),        # anonymised below: never found
}


@pytest.fixture
def people(register, team_lead):
    made = {}
    for n, (key, (first, last, phone, email)) in enumerate(PEOPLE.items()):
        made[key] = register(first_name=first, last_name=last, phone=phone, email=email,
                             date_of_birth=f"19{70 + n}-01-0{1 + n % 9}")
    with unit_of_work():
        p = db.session.get(Participant, made["kovac"].id)
        p.status, p.exit_date, p.exit_reason = "exited", p.entry_date, "employment"
    anonymise_participant(made["gone"].id, "retention", actor=team_lead)
    return {key: p.id for key, p in made.items()}


def found(api, query: str, **args) -> list[int]:
    body = api.get("/participants", query_string={"q": query, "per_page": 200, **args}).get_json()
    return [item["id"] for item in body["items"]]


@pytest.mark.parametrize(("query", "expected"), [
    ("muller", ["mueller"]), ("mueller", ["mueller"]), ("MÜLLER", ["mueller"]), ("jana müll", ["mueller"]),
    ("Коваленко", ["kovalenko"]), ("olena", ["kovalenko"]), ("kowalenko", []),
    ("alhassan", ["hassan"]), ("al-hassan", ["hassan"]), ("omer", ["hassan"]),
    ("ova", ["kovalenko", "kovac"]),                     # substring, exited ones too (no status asked)
    ("kovac", ["kovac"]), ("Kovač", ["kovac"]),
    ("030 1234567", ["mueller"]), ("+49 30 1234567", ["mueller"]), ("1234567", ["mueller"]),
    ("0151 7654321", ["kovalenko"]), ("+49 151 7654321", ["kovalenko"]),
    ("jana.mueller@example.org", ["mueller"]), ("oemer@beispiel", ["hassan"]),
    # short queries: word starts only, whole words first
    ("al", ["hassan", "alina"]), ("li", ["li"]), ("w", ["li"]), ("ma", ["maler", "kovac"]),
    ("x", []),
    # a short word next to a long one matches anywhere among what the long one found
    ("jana m", ["mueller"]), ("wei l", ["li"]),
])
def test_search_answers(api_as, counsellor, people, query, expected):
    assert found(api_as(counsellor), query) == [people[key] for key in expected]


def test_case_number_finds_exactly_one(api_as, counsellor, people):
    p = db.session.get(Participant, people["maler"])
    assert found(api_as(counsellor), p.case_number) == [p.id]
    assert found(api_as(counsellor), p.case_number.lower().replace("-", " ")) == [p.id]


def test_whole_words_rank_before_word_starts_before_the_rest(api_as, counsellor, register):
    inside = register(first_name="Kamal", last_name="Bakr", date_of_birth="1980-01-01")
    start = register(first_name="Kamala", last_name="Ost", date_of_birth="1981-01-01")
    whole = register(first_name="Kamal", last_name="Nour", date_of_birth="1982-01-01")
    ank = register(first_name="Ankamal", last_name="Test", date_of_birth="1983-01-01")
    # "kamal" is a whole word of three, a word start of one, inside a word of the last
    assert found(api_as(counsellor), "kamal") == [inside.id, whole.id, start.id, ank.id]


def test_status_filter_and_other_organisations(api_as, counsellor, other_counsellor, people):
    assert found(api_as(counsellor), "ova", status="active") == [people["kovalenko"]]
    assert found(api_as(counsellor), "ova", status="exited") == [people["kovac"]]
    assert found(api_as(other_counsellor), "ova") == []


def test_search_follows_changes_of_names_phone_and_email(api_as, counsellor, people):
    p = db.session.get(Participant, people["maler"])
    update_participant(p, {"last_name": "Schreiner", "phone": "040 999888", "email": "j.s@firma.de"},
                       version=p.version, actor=counsellor)
    api = api_as(counsellor)
    assert found(api, "maler") == []
    assert found(api, "schreiner") == found(api, "040 999888") == found(api, "j.s@firma") == [p.id]


def _rule(key: str, query: str) -> bool:
    """The search rule written plainly (participants/search.py's docstring)."""
    terms = search_terms(query)
    words = key.split()
    if any(len(t) >= 3 for t in terms):
        return all(t in key for t in terms)
    return all(any(w.startswith(t) for w in words) for t in terms)


QUERIES = ["a", "al", "ja", "j", "ova", "ko", "kov", "mul", "muller", "jana", "cf", "20", "2026", "000",
           "0001", "org", "example", "de", "49", "7654", "li wei", "k a", "hassan al", "nour"]


def test_search_follows_the_rule_for_every_query(people):
    """The indexes (FTS5, trigram) answer exactly what the rule says, over every participant."""
    keys = dict(db.session.execute(sa.select(Participant.id, Participant.search_key)).all())
    for query in QUERIES:
        got = set(db.session.scalars(search(sa.select(Participant.id), query)))
        assert got == {pid for pid, key in keys.items() if key and _rule(key, query)}, query


def test_search_key_keeps_only_folded_words(people):
    for key in db.session.scalars(sa.select(Participant.search_key)):
        assert re.fullmatch(r"[a-z0-9 ]*", key), key


# --- list totals -------------------------------------------------------------------------------------

def test_total_is_exact_below_the_cap(api_as, counsellor, people):
    body = api_as(counsellor).get("/participants?per_page=2").get_json()
    assert body["total"] == 7 and body["total_is_capped"] is False


def test_total_is_capped_above_the_cap(api_as, counsellor, people, monkeypatch, client, auth):
    monkeypatch.setattr(caseflow.web, "TOTAL_CAP", 3)
    api = api_as(counsellor)
    body = api.get("/participants?per_page=2").get_json()
    assert body["total"] == 3 and body["total_is_capped"] is True and len(body["items"]) == 2
    # A page past the cap still counts to its own end: 3 pages of 2 are 6 rows, and more follow.
    body = api.get("/participants?per_page=2&page=3").get_json()
    assert body["total"] == 6 and body["total_is_capped"] is True and len(body["items"]) == 2
    body = api.get("/participants?per_page=2&page=4").get_json()
    assert body["total"] == 7 and body["total_is_capped"] is False and len(body["items"]) == 1
    # The caseload says "more than", and its pager offers the next page.
    auth.login(counsellor)
    client.post("/language", data={"lang": "en", "next": "/", "csrf_token": auth.csrf_token("/caseload")})
    html = client.get("/caseload?status=all&per_page=2").get_data(as_text=True)
    assert "more than 3 participants" in html
    assert "Page 1 of more than 2" in html and 'rel="next"' in html
    client.post("/language", data={"lang": "de", "next": "/", "csrf_token": auth.csrf_token("/caseload")})
    html = client.get("/caseload?status=all&per_page=2").get_data(as_text=True)
    assert "mehr als 3 Teilnehmende" in html and "Seite 1 von mehr als 2" in html


def test_a_search_counts_its_matches_up_to_its_own_cap(api_as, counsellor, people, monkeypatch):
    """A search counts up to web.SEARCH_TOTAL_CAP (docs/interfaces.md, Lists), not web.TOTAL_CAP,
    with the rule of every list's capped count (the end of the page asked for counts too), on
    every page, and pages that follow each other."""
    api = api_as(counsellor)
    everything = api.get("/participants", query_string={"q": "cf", "per_page": 200}).get_json()
    ranked = [item["id"] for item in everything["items"]]
    assert everything["total"] == len(ranked) == 7 and everything["total_is_capped"] is False
    monkeypatch.setattr(caseflow.web, "TOTAL_CAP", 2)  # the lists' cap: not a search's
    assert api.get("/participants", query_string={"q": "cf"}).get_json()["total"] == 7
    monkeypatch.setattr(caseflow.web, "SEARCH_TOTAL_CAP", 3)

    def page(n: int) -> dict:
        return api.get("/participants", query_string={"q": "cf", "per_page": 2, "page": n}).get_json()

    pages = [page(n) for n in (1, 2, 3, 4, 5)]
    # counted up to the cap or the page's end, whichever is further: 3, 4, 6 capped, then exact
    assert [(p["total"], p["total_is_capped"]) for p in pages] == [(3, True), (4, True), (6, True), (7, False),
                                                                  (7, False)]
    assert [i["id"] for p in pages for i in p["items"]] == ranked and pages[4]["items"] == []
    nothing = api.get("/participants", query_string={"q": "zzzz"}).get_json()
    assert nothing["items"] == [] and (nothing["total"], nothing["total_is_capped"]) == (0, False)


def test_the_search_cap_is_a_hundred_and_lists_keep_ten_thousand():
    """The caps docs/interfaces.md names (Lists)."""
    assert (caseflow.web.SEARCH_TOTAL_CAP, caseflow.web.TOTAL_CAP) == (100, 10_000)


RANKED_QUERIES = ["a", "al", "ja", "ova", "ko", "kov", "jana", "cf", "2026", "000", "org", "de", "49", "li wei",
                  "k a", "hassan al", "jana m", "mul"]


def test_a_search_with_more_matches_than_it_counts_pages_by_rank_class(api_as, counsellor, people, register,
                                                                      monkeypatch):
    """Past the search's cap the page is read class by class (search.ranked_page): every page of
    every query is the same slice of the ranking as when all matches are ranked at once, with
    whole words, word starts and the rest mixed in the list's order, and classes that are empty
    or come late in the list."""
    added = [register(first_name=first, last_name=last, date_of_birth=f"1990-02-{n + 1:02d}")
             for n, (first, last) in enumerate((("Kamal", "Bakr"), ("Kamala", "Ost"), ("Ankamal", "Test"),
                                                ("Al", "Kovacs"), ("Jana", "Alkova"), ("Mul", "Jana"),
                                                # the best classes last in the list: found by their own select
                                                ("Ovanes", "Late"), ("Ova", "Last")))]
    api = api_as(counsellor)
    assert found(api, "ova")[:2] == [added[-1].id, added[-2].id]  # whole word, word start, then the rest
    for query in RANKED_QUERIES + ["kamal", "ovan"]:
        whole = found(api, query)
        monkeypatch.setattr(caseflow.web, "SEARCH_TOTAL_CAP", 1)
        for per_page in (1, 2, 3):
            pages = [api.get("/participants", query_string={"q": query, "per_page": per_page, "page": n}).get_json()
                     for n in range(1, len(whole) // per_page + 2)]
            assert [i["id"] for p in pages for i in p["items"]] == whole, (query, per_page)
            for n, page in enumerate(pages, start=1):
                assert page["total_is_capped"] is (len(whole) > max(1, n * per_page)), (query, per_page, n)
        monkeypatch.setattr(caseflow.web, "SEARCH_TOTAL_CAP", 100)
