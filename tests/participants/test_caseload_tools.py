"""The caseload's tools (issue 15): the quick search from every page's header (whole organisation,
exited cases included, for counsellors and team leads), the hint when filters hide matches, the
XLSX export of the list as filtered, and saved filters per account."""
from __future__ import annotations

import io
import re
from datetime import date

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from caseflow.audit.models import AuditEntry
from caseflow.database import unit_of_work
from caseflow.extensions import db
from caseflow.participants.models import Participant, SavedFilter
from tests.factories import UserFactory
from tests.participants.test_caseload_search import addresses, rows, stored_search
from tests.participants.test_web import use_english


def _exit(participant: Participant) -> None:
    with unit_of_work():
        p = db.session.get(Participant, participant.id)
        p.status, p.exit_date = "exited", date(2025, 6, 30)


@pytest.fixture
def colleague(org):
    return UserFactory(organisation=org, role="counsellor", name="Kollegin Kraus")


@pytest.fixture
def haddads(register, counsellor, colleague):
    """Three Haddads: one of the counsellor's own (active), one of a colleague's, one exited."""
    own = register(first_name="Amira", last_name="Haddad")
    theirs = register(first_name="Karim", last_name="Haddad", date_of_birth="1985-02-02", counsellor_id=colleague.id)
    exited = register(first_name="Lina", last_name="Haddad", date_of_birth="1979-09-09")
    _exit(exited)
    register(first_name="Jan", last_name="Maler", date_of_birth="1991-01-01")
    return own, theirs, exited


def quick_search(client, auth, term: str, page: str = "/account"):
    token = auth.csrf_token(page)
    return client.post("/search", data={"csrf_token": token, "q": term})


# --- quick search --------------------------------------------------------------------------------

@pytest.mark.parametrize("role, shown", [("counsellor", True), ("team_lead", True), ("analyst", False),
                                         ("admin", False)])
def test_the_header_offers_the_quick_search_to_case_workers_only(client, auth, org, role, shown):
    user = UserFactory(organisation=None if role in ("analyst", "admin") else org, role=role)
    auth.login(user)
    html = client.get("/account").get_data(as_text=True)
    assert ('action="/search"' in html) is shown
    if shown:  # posted with its CSRF token, never a GET form
        form = html.split('action="/search"')[0].rsplit("<form", 1)[1] + html.split('action="/search"')[1].split("</form>")[0]
        assert 'method="post"' in form and 'name="csrf_token"' in form


def test_quick_search_finds_the_whole_organisation_with_exited_cases_and_keeps_the_term_out_of_the_address(
        client, auth, counsellor, haddads):
    own, theirs, exited = haddads
    auth.login(counsellor)
    answer = quick_search(client, auth, "Haddad")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/caseload?status=all&counsellor=all"
    assert stored_search(client) == "Haddad"
    html = client.get(answer.headers["Location"]).get_data(as_text=True)
    listed = rows(html)
    for p in (own, theirs, exited):
        assert p.case_number in listed
    assert "Maler" not in listed
    assert not any("haddad" in a.lower() for a in addresses(html))


def test_quick_search_of_a_team_lead_is_the_whole_organisation_too(client, auth, team_lead, haddads):
    auth.login(team_lead)
    answer = quick_search(client, auth, "haddad")
    assert answer.headers["Location"] == "/caseload?status=all"
    assert all(p.case_number in rows(client.get(answer.headers["Location"]).get_data(as_text=True)) for p in haddads)


def test_quick_search_never_reaches_another_organisation(client, auth, counsellor, other_counsellor, register):
    foreign = register(actor=other_counsellor, last_name="Haddad")
    auth.login(counsellor)
    location = quick_search(client, auth, "Haddad").headers["Location"]
    assert foreign.case_number not in client.get(location).get_data(as_text=True)


def test_quick_search_is_refused_to_analysts_and_without_csrf(client, auth, counsellor, analyst):
    auth.login(analyst)
    assert quick_search(client, auth, "Haddad", page="/reports/").status_code == 403
    auth.logout()
    auth.login(counsellor)
    assert client.post("/search", data={"q": "Haddad"}).status_code == 400
    assert stored_search(client) is None
    assert client.get("/search").status_code == 405


def test_quick_search_refuses_control_characters(client, auth, counsellor):
    auth.login(counsellor)
    answer = quick_search(client, auth, "Had\x00dad")
    assert answer.status_code == 422
    assert stored_search(client) is None


# --- the hint when filters hide matches ----------------------------------------------------------

def test_a_filtered_search_says_how_many_more_match_elsewhere_and_links_to_them(client, auth, counsellor, haddads,
                                                                               search):
    own, theirs, exited = haddads
    auth.login(counsellor)
    use_english(client, auth)
    location = search("Haddad").headers["Location"]  # the counsellor's own active caseload
    assert location == "/caseload"
    html = client.get(location).get_data(as_text=True)
    assert own.case_number in rows(html) and theirs.case_number not in rows(html)
    hint = re.search(r'<p class="search-hint"[^>]*>(.*?)</p>', html, re.S).group(1)
    assert "2 more in other caseloads or among exited cases" in hint
    link = re.search(r'href="([^"]+)"', hint).group(1)
    assert link == "/caseload?status=all&amp;counsellor=all"
    widened = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert all(p.case_number in rows(widened) for p in haddads)
    assert 'class="search-hint"' not in widened  # nothing hidden any more


def test_the_hint_says_over_when_the_wider_count_reaches_the_search_cap(client, auth, counsellor, haddads, search,
                                                                        monkeypatch):
    """The hint's count is capped like every search's count: past the cap it says "over", never a
    number that is too low."""
    import caseflow.web
    monkeypatch.setattr(caseflow.web, "SEARCH_TOTAL_CAP", 2)
    auth.login(counsellor)
    use_english(client, auth)
    html = client.get(search("Haddad").headers["Location"]).get_data(as_text=True)
    hint = re.search(r'<p class="search-hint"[^>]*>(.*?)</p>', html, re.S).group(1)
    assert "over 1 more in other caseloads or among exited cases" in hint


def test_a_term_without_a_word_gives_no_hint(client, auth, counsellor, haddads, search):
    """"--" folds to no word: it searches for nothing, so nothing is hidden from it."""
    auth.login(counsellor)
    use_english(client, auth)
    html = client.get(search("--").headers["Location"]).get_data(as_text=True)
    assert haddads[0].case_number in rows(html)
    assert 'class="search-hint"' not in html


def test_no_hint_without_a_search_or_when_nothing_is_hidden(client, auth, counsellor, register, search):
    register(last_name="Haddad")
    auth.login(counsellor)
    assert 'class="search-hint"' not in client.get("/caseload").get_data(as_text=True)
    search("Haddad")
    assert 'class="search-hint"' not in client.get("/caseload").get_data(as_text=True)


def test_the_hint_in_german(client, auth, counsellor, haddads, search):
    auth.login(counsellor)
    search("Haddad")
    assert "2 weitere in anderen Fallbeständen" in client.get("/caseload").get_data(as_text=True)


# --- the XLSX export -----------------------------------------------------------------------------

def _sheet(response):
    workbook = load_workbook(io.BytesIO(response.data))
    sheet = workbook.worksheets[0]
    values = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    header = next(i for i, row in enumerate(values) if row and row[0] == "Last name")
    return values[header], [r for r in values[header + 1:] if any(v is not None for v in r)]


def test_export_is_the_list_as_filtered_with_the_search_and_is_audited(client, auth, counsellor, haddads, search):
    own, theirs, exited = haddads
    auth.login(counsellor)
    use_english(client, auth)
    search("Haddad", status="all", counsellor="all")
    response = client.get("/caseload.xlsx?status=all&counsellor=all")
    assert response.status_code == 200
    assert response.content_type.startswith("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    header, body = _sheet(response)
    assert header[:4] == ("Last name", "First name", "Case number", "Status")
    assert sorted(r[2] for r in body) == sorted(p.case_number for p in haddads)  # not Maler
    assert {r[3] for r in body} == {"active", "exited"}
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "caseload.download"))
    assert entry.actor_id == counsellor.id and entry.organisation_id == counsellor.organisation_id
    assert sorted(entry.changes["participant_ids"][1]) == sorted(p.id for p in haddads)
    assert entry.changes["rows"][1] == 3 and entry.changes["search"][1] is True
    assert "Haddad" not in str(entry.changes)  # the term itself is not copied into the log


def test_export_follows_the_default_filters(client, auth, counsellor, haddads):
    own, theirs, exited = haddads
    auth.login(counsellor)
    use_english(client, auth)
    header, body = _sheet(client.get("/caseload.xlsx"))
    assert {r[2] for r in body} == {own.case_number} | {
        p.case_number for p in db.session.scalars(sa.select(Participant).where(Participant.last_name == "Maler"))}


def test_export_neutralises_formulas(client, auth, counsellor, register):
    register(first_name="=HYPERLINK(\"http://x\")", last_name="+1+cmd|' /C calc'!A0")
    auth.login(counsellor)
    use_english(client, auth)
    header, body = _sheet(client.get("/caseload.xlsx"))
    assert body[0][0] == "'+1+cmd|' /C calc'!A0" and body[0][1] == "'=HYPERLINK(\"http://x\")"


def test_export_link_on_the_caseload_carries_no_term(client, auth, counsellor, haddads, search):
    auth.login(counsellor)
    search("Haddad", status="exited")
    html = client.get("/caseload?status=exited").get_data(as_text=True)
    assert 'href="/caseload.xlsx?status=exited"' in html


@pytest.mark.parametrize("role", ["analyst", "admin"])
def test_export_is_refused_to_roles_without_personal_data(client, auth, role):
    auth.login(UserFactory(organisation=None, role=role))
    assert client.get("/caseload.xlsx").status_code == 403


def test_export_of_another_organisation_is_never_possible(client, auth, other_counsellor, counsellor, register):
    register(actor=other_counsellor, last_name="Fremd")
    auth.login(counsellor)
    use_english(client, auth)
    _header, body = _sheet(client.get("/caseload.xlsx?status=all&counsellor=all"))
    assert body == []


# --- saved filters -------------------------------------------------------------------------------

def save(client, auth, name: str, **filters):
    token = auth.csrf_token("/caseload")
    return client.post("/caseload/saved-filters", data={"csrf_token": token, "name": name, **filters})


def test_save_list_apply_and_delete_a_filter(client, auth, counsellor, haddads, search):
    auth.login(counsellor)
    use_english(client, auth)
    search("Haddad")
    answer = save(client, auth, "Ehemalige aller", status="exited", counsellor="all", sort="entry_date")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/caseload?status=exited&counsellor=all&sort=entry_date"
    saved = db.session.scalar(sa.select(SavedFilter))
    assert saved.user_id == counsellor.id and saved.name == "Ehemalige aller"
    assert saved.filters == {"status": "exited", "counsellor": "all", "sort": "entry_date"}  # no search term
    html = client.get("/caseload").get_data(as_text=True)
    section = html.split('id="saved-filters-heading"')[1].split("</section>")[0]
    assert '<a href="/caseload?status=exited&amp;counsellor=all&amp;sort=entry_date">Ehemalige aller</a>' in section
    applied = client.get("/caseload?status=exited&counsellor=all&sort=entry_date").get_data(as_text=True)
    assert '<option value="exited" selected>' in applied
    token = auth.csrf_token("/caseload")
    deleted = client.post(f"/caseload/saved-filters/{saved.id}/delete", data={"csrf_token": token})
    assert deleted.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SavedFilter)) == 0
    actions = db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.object_type == "saved_filters")
                                 .order_by(AuditEntry.id)).all()
    assert actions == ["saved_filter.create", "saved_filter.delete"]


def test_saving_under_the_same_name_replaces(client, auth, counsellor):
    auth.login(counsellor)
    save(client, auth, "Meine", status="exited")
    save(client, auth, "Meine", status="all")
    assert db.session.scalars(sa.select(SavedFilter.filters)).all() == [{"status": "all"}]


def test_a_name_is_required_and_the_error_shows_at_the_field(client, auth, counsellor):
    auth.login(counsellor)
    use_english(client, auth)
    answer = save(client, auth, "   ", status="all")
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert 'id="saved-filter-name-error"' in html and 'aria-invalid="true"' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SavedFilter)) == 0


def test_saved_filters_are_each_accounts_own(client, auth, counsellor, colleague):
    auth.login(colleague)
    save(client, auth, "Nur meine", status="all")
    theirs = db.session.scalar(sa.select(SavedFilter))
    auth.logout()
    auth.login(counsellor)
    assert "Nur meine" not in client.get("/caseload").get_data(as_text=True)
    token = auth.csrf_token("/caseload")
    assert client.post(f"/caseload/saved-filters/{theirs.id}/delete", data={"csrf_token": token}).status_code == 404
    assert db.session.get(SavedFilter, theirs.id) is not None


def test_saving_and_deleting_need_the_csrf_token(client, auth, counsellor):
    auth.login(counsellor)
    assert client.post("/caseload/saved-filters", data={"name": "x"}).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SavedFilter)) == 0


def test_unknown_filter_values_are_not_saved(client, auth, counsellor):
    auth.login(counsellor)
    save(client, auth, "Seltsam", status="<script>", measure="drop table", nationality="xx", sort="evil")
    assert db.session.scalar(sa.select(SavedFilter.filters)) == {}


def test_the_team_lead_finds_exports_in_the_audit_log(client, auth, counsellor, team_lead, haddads):
    auth.login(counsellor)
    client.get("/caseload.xlsx")
    auth.logout()
    auth.login(team_lead)
    use_english(client, auth)
    html = client.get("/audit?action=caseload.download").get_data(as_text=True)
    assert "caseload lists exported" in html  # the filter's choice
    assert html.count("<td data-label=\"Action\">Caseload list exported</td>") == 1  # in words, once
    assert "Case file opened" not in html  # the filter keeps other actions out
