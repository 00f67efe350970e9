"""The caseload's name search keeps personal data out of addresses: the term is posted (with CSRF),
kept in the login session and answered with a redirect to the other, non-personal filters. An old
bookmark with ?q= loses the term at once, and a GET never changes the search (only the form's POST
with its CSRF token does, so a link on another site cannot set it); the search ends with the login."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

import caseflow.web
from caseflow.accounts.models import UserSession
from caseflow.accounts.sessions import _digest
from caseflow.database import unit_of_work
from caseflow.extensions import db
from caseflow.models_base import utcnow
from tests.participants.test_caseload import bulk_participants, listed
from tests.participants.test_web import use_english

TERM = "haddad"


def rows(html: str) -> str:
    """The participants table (not the task list above it)."""
    return html.split("<tbody>")[1].split("</tbody>")[0]


def addresses(html: str) -> list[str]:
    """Every address the page links or submits to."""
    return re.findall(r'(?:href|action)="([^"]*)"', html)


def search_status(html: str) -> str | None:
    match = re.search(r'<span role="status">(.*?)</span>', html, re.S)
    return match.group(1) if match else None


def stored_search(client) -> str | None:
    """The search held for this client's login: on its server-side session row, and never in the
    cookie (signed, but readable by anyone who holds it)."""
    with client.session_transaction() as cookie:
        assert not any(TERM in str(value).lower() or "x" * 20 in str(value) for value in cookie.values())
        raw = cookie.get("sid")
    if raw is None:
        return None
    return db.session.scalar(sa.select(UserSession.caseload_search).where(UserSession.id == _digest(raw)))


def test_search_is_posted_and_answered_with_an_address_without_the_term(client, auth, counsellor, register, search):
    wanted = register(last_name="Haddad")
    other = register(first_name="Jan", last_name="Maler", date_of_birth="1991-01-01")
    auth.login(counsellor)
    use_english(client, auth)

    answer = search("Haddad", status="all", sort="case_number", dir="desc", counsellor="all")
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location == "/caseload?status=all&counsellor=all&sort=case_number&dir=desc"
    assert TERM not in location.lower() and "q=" not in location

    html = client.get(location).get_data(as_text=True)
    assert wanted.case_number in rows(html) and other.case_number not in rows(html)
    assert search_status(html) == "Search: “Haddad” – 1 result"
    assert 'value="Haddad"' in html  # the search box shows the active term (in the page, not the address)
    assert not [a for a in addresses(html) if TERM in a.lower() or "q=" in a]


def test_search_status_is_translated(client, auth, counsellor, register, search):
    register(last_name="Haddad")
    register(last_name="Haddad", first_name="Samir", date_of_birth="1985-01-01")
    auth.login(counsellor)
    search(TERM)
    assert search_status(client.get("/caseload").get_data(as_text=True)) == "Suche: „haddad“ – 2 Treffer"


def test_paging_and_sorting_a_search_never_put_the_term_in_a_link(client, auth, counsellor, org, register, search):
    outsider = register(last_name="Haddad")        # not found by the search (registered first: the
    bulk_participants(org, counsellor, 5)          # bulk rows take ids after it) Vorname0 Nachname0 … CF-2025-000001 …
    auth.login(counsellor)
    search("Nachname", sort="case_number")

    first = client.get("/caseload?sort=case_number&per_page=2").get_data(as_text=True)
    assert listed(client, "/caseload?sort=case_number&per_page=2") == ["CF-2025-000001", "CF-2025-000002"]
    links = addresses(first)
    assert not [a for a in links if "nachname" in a.lower() or "q=" in a]
    next_page = next(a for a in links if "page=2" in a).replace("&amp;", "&")
    assert "sort=case_number" in next_page and "per_page=2" in next_page
    second = client.get(next_page).get_data(as_text=True)
    assert re.findall(r"CF-2025-\d{6}", rows(second)) == ["CF-2025-000003", "CF-2025-000004"]
    assert outsider.case_number not in rows(second)
    assert not [a for a in addresses(second) if "nachname" in a.lower() or "q=" in a]
    # Sorting differently keeps the search.
    assert listed(client, "/caseload?sort=case_number&dir=desc") == [f"CF-2025-00000{i}" for i in (5, 4, 3, 2, 1)]


def test_old_bookmark_with_q_drops_the_term_and_changes_nothing(client, auth, counsellor, register, search):
    wanted = register(last_name="Haddad")
    other = register(first_name="Jan", last_name="Maler", date_of_birth="1991-01-01")
    auth.login(counsellor)
    answer = client.get("/caseload?q=haddad&status=all&page=1")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/caseload?status=all"  # page 1 is the default
    assert stored_search(client) is None  # a GET saves nothing
    html = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert wanted.case_number in rows(html) and other.case_number in rows(html)

    # A search saved by the form stays as it is whatever an address (a link on another site) says.
    search("Maler")
    for address in ("/caseload?q=haddad", "/caseload?q="):
        assert client.get(address).headers["Location"] == "/caseload"
        assert stored_search(client) == "Maler"
    # A NUL byte in any address is refused by the platform's request guard before the view runs.
    assert client.get("/caseload?q=a%00b").status_code == 422
    assert stored_search(client) == "Maler"
    html = client.get("/caseload").get_data(as_text=True)
    assert other.case_number in rows(html) and wanted.case_number not in rows(html)


def test_caseload_get_writes_nothing_to_the_database(client, auth, counsellor, register, count_queries):
    register(last_name="Haddad")
    auth.login(counsellor)
    client.get("/caseload")  # the login's first touch of its session row is not part of this
    for address in ("/caseload?q=haddad&status=all", "/caseload?status=all", "/caseload?q=%00"):
        with count_queries() as q:
            client.get(address)
        writes = [s for s in q.statements if s.lstrip().split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]
        assert writes == [], address


def test_old_bookmark_while_logged_out_does_not_carry_the_term_to_the_login_page(client, counsellor):
    answer = client.get("/caseload?q=haddad")
    assert answer.status_code == 302 and answer.headers["Location"] == "/caseload"
    answer = client.get("/caseload")
    assert "/login" in answer.headers["Location"] and TERM not in answer.headers["Location"]
    assert stored_search(client) is None


def test_clear_search_button_and_empty_search_show_everything_again(client, auth, counsellor, register, search):
    wanted = register(last_name="Haddad")
    other = register(first_name="Jan", last_name="Maler", date_of_birth="1991-01-01")
    auth.login(counsellor)
    use_english(client, auth)
    search(TERM, status="all")
    html = client.get("/caseload?status=all").get_data(as_text=True)
    clear = html.split('<div class="search-status">')[1].split("</form>")[0]
    assert "Clear search" in clear and 'method="post"' in clear
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', clear))
    assert fields["q"] == "" and fields["status"] == "all" and fields["csrf_token"]

    answer = client.post("/caseload", data=fields)
    assert answer.status_code == 302 and answer.headers["Location"] == "/caseload?status=all"
    html = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert wanted.case_number in rows(html) and other.case_number in rows(html)
    assert search_status(html) is None and "Clear search" not in html and stored_search(client) is None

    search(TERM)
    assert other.case_number not in rows(client.get("/caseload").get_data(as_text=True))
    search("   ")  # an empty search (blanks only) clears it too
    assert other.case_number in rows(client.get("/caseload").get_data(as_text=True))


def test_search_ends_with_logout_and_login(client, auth, counsellor, register, search):
    register(last_name="Haddad")
    other = register(first_name="Jan", last_name="Maler", date_of_birth="1991-01-01")
    auth.login(counsellor)
    search(TERM)
    assert stored_search(client) == TERM
    auth.logout()
    assert stored_search(client) is None
    auth.login(counsellor)
    html = client.get("/caseload").get_data(as_text=True)
    assert other.case_number in rows(html) and search_status(html) is None


def test_search_ends_when_the_login_expires(app, client, auth, counsellor, search):
    auth.login(counsellor)
    search(TERM)
    assert stored_search(client) == TERM
    with unit_of_work():
        db.session.execute(sa.update(UserSession).values(last_seen_at=utcnow() - timedelta(hours=1)))
    assert "/login" in client.get("/caseload").headers["Location"]
    assert stored_search(client) is None


def test_search_without_csrf_token_is_refused_and_stores_nothing(client, auth, counsellor, register):
    other = register(first_name="Jan", last_name="Maler", date_of_birth="1991-01-01")
    auth.login(counsellor)
    for data in ({"q": TERM}, {"q": TERM, "csrf_token": "forged"}):
        answer = client.post("/caseload", data=data)
        assert answer.status_code == 400
        assert "<html" in answer.get_data(as_text=True).lower()  # the normal error page
    assert stored_search(client) is None
    assert other.case_number in rows(client.get("/caseload").get_data(as_text=True))


def test_long_term_is_cut_to_100_characters(client, auth, counsellor, search):
    auth.login(counsellor)
    assert search("x" * 150).status_code == 302
    assert stored_search(client) == "x" * 100


def test_only_known_filter_values_reach_the_address(client, auth, counsellor, search):
    """Filters are parsed before they go into the address: free text in a filter field (say, a name
    typed into a tampered form) never ends up in it."""
    auth.login(counsellor)
    answer = search(TERM, nationality="Haddad", status="Haddad", sort="Haddad", dir="Haddad", measure="Haddad",
                    counsellor="Haddad")
    assert answer.status_code == 302 and TERM not in answer.headers["Location"].lower()
    assert search(TERM, nationality="UA", measure="7").headers["Location"] == "/caseload?measure=7&nationality=UA"


def test_old_bookmark_redirect_passes_on_checked_filters_only(client, auth, counsellor):
    """url_for's own keywords (_external, _anchor, _scheme, _method) and free text in a filter of an
    old address never reach the redirect: a relative address with the known filters only."""
    auth.login(counsellor)
    answer = client.get("/caseload?q=haddad&_external=1&_anchor=x&_scheme=ftp&_method=POST"
                        "&nationality=Haddad&status=exited&page=2&per_page=20")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/caseload?status=exited&page=2&per_page=20"
    assert stored_search(client) is None


def test_expired_logins_of_anybody_are_deleted_at_the_next_login(client, auth, counsellor, team_lead):
    """A login nobody ends (a closed laptop) must not keep its row, and its search, for ever."""
    stale = UserSession(id="f" * 64, user_id=team_lead.id, caseload_search="Haddad",
                        created_at=utcnow() - timedelta(hours=13), last_seen_at=utcnow() - timedelta(hours=13))
    idle = UserSession(id="e" * 64, user_id=team_lead.id, caseload_search="Maler",
                       created_at=utcnow() - timedelta(hours=2), last_seen_at=utcnow() - timedelta(hours=1))
    fresh = UserSession(id="d" * 64, user_id=team_lead.id, caseload_search="Nowak")
    with unit_of_work():
        db.session.add_all([stale, idle, fresh])
    auth.login(counsellor)
    left = set(db.session.scalars(sa.select(UserSession.caseload_search).where(UserSession.user_id == team_lead.id)))
    assert left == {"Nowak"}


@pytest.mark.parametrize("cap", [100, 1])
def test_a_search_in_name_order_lists_the_best_matches_first_then_names_in_either_direction(
        client, auth, counsellor, register, search, monkeypatch, cap):
    """Whole words, then word starts, then the rest; within each, names by collation, ascending
    or descending, paged without gaps: all matches ranked at once (under the search's count cap)
    or, past it, class by class in name order (search.ranked_page)."""
    monkeypatch.setattr(caseflow.web, "SEARCH_TOTAL_CAP", cap)
    for i, (first, last) in enumerate((("Cem", "Ivankov"), ("Anna", "Kovalenko"), ("Zed", "Kov"), ("Bo", "Kovač"),
                                       ("Dana", "Berg"))):
        register(first_name=first, last_name=last, date_of_birth=f"1980-03-{i + 1:02d}")
    auth.login(counsellor)
    search("kov")

    def names(query: str) -> list[str]:
        html = client.get(f"/caseload{query}").get_data(as_text=True)
        return re.findall(r'<th scope="row" class="name"><a [^>]*>([^,<]+),', html)

    assert names("") == ["Kov", "Kovač", "Kovalenko", "Ivankov"]
    assert names("?dir=desc") == ["Kov", "Kovalenko", "Kovač", "Ivankov"]
    assert names("?per_page=2") + names("?per_page=2&page=2") == ["Kov", "Kovač", "Kovalenko", "Ivankov"]
    # small pages in both directions: past the cap each class goes on after the rows read first
    for direction, whole in (("asc", ["Kov", "Kovač", "Kovalenko", "Ivankov"]),
                             ("desc", ["Kov", "Kovalenko", "Kovač", "Ivankov"])):
        for per_page in (1, 2, 3):
            paged = [name for n in range(1, 5) for name in names(f"?dir={direction}&per_page={per_page}&page={n}")]
            assert paged == whole, (direction, per_page)
