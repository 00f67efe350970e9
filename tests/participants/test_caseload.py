"""My caseload: columns, filters, sorting, search, paging, tasks on the home page, the no-contact
flag, and a constant number of SQL statements whatever the caseload size."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from caseflow.database import unit_of_work
from caseflow.extensions import db
from caseflow.measures.models import Enrolment
from caseflow.participants.models import Note, Participant, Task
from caseflow.participants.names import duplicate_key, search_key
from tests.factories import MeasureFactory, UserFactory


def bulk_participants(org, counsellor, n, *, start=0, measure=None, today=None):
    """n participants with a note, an open task and (optionally) an active enrolment each."""
    today = today or date.today()
    first = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(Participant.id), 0))) + 1
    rows, notes, tasks, enrolments = [], [], [], []
    for i in range(start, start + n):
        pid = first + i - start
        case_number = f"CF-2025-{i + 1:06d}"
        rows.append(dict(id=pid, organisation_id=org.id, case_number=case_number, counsellor_id=counsellor.id,
                         first_name=f"Vorname{i}", last_name=f"Nachname{i}",
                         search_key=search_key(case_number, f"Vorname{i}", f"Nachname{i}"),
                         duplicate_key=duplicate_key(f"Vorname{i}", f"Nachname{i}"),
                         date_of_birth=date(1990, 1, 1), birth_year=1990, age_at_entry=35, gender="male",
                         nationality="UA" if i % 2 else "SY", entry_date=date(2025, 1, 1),
                         labour_status_at_entry="inactive", status="active"))
        notes.append(dict(participant_id=pid, date=today - timedelta(days=i % 60), kind="phone", text="x",
                          author_id=counsellor.id))
        tasks.append(dict(organisation_id=org.id, participant_id=pid, title=f"Task {i}",
                          due_date=today + timedelta(days=i % 10), assignee_id=counsellor.id))
        if measure is not None:
            enrolments.append(dict(participant_id=pid, measure_id=measure.id, status="active",
                                   start_date=date(2025, 2, 1)))
    with unit_of_work():
        db.session.execute(sa.insert(Participant), rows)
        db.session.execute(sa.insert(Note), notes)
        db.session.execute(sa.insert(Task), tasks)
        if enrolments:
            db.session.execute(sa.insert(Enrolment), enrolments)


def test_caseload_query_count_is_constant(client, auth, counsellor, org, count_queries):
    measure = MeasureFactory(organisation=org, title="Jobcoaching Neukölln")
    auth.login(counsellor)
    bulk_participants(org, counsellor, 10, measure=measure)
    client.get("/caseload")  # warm caches (session, translations)
    with count_queries() as small:
        response = client.get("/caseload?per_page=200")
    assert response.status_code == 200
    assert response.get_data(as_text=True).count("Jobcoaching Neukölln") >= 10
    bulk_participants(org, counsellor, 190, start=10, measure=measure)
    with count_queries() as large:
        response = client.get("/caseload?per_page=200")
    html = response.get_data(as_text=True)
    assert html.count('href="/participants/') >= 200
    assert large.count == small.count, (small.statements, large.statements)
    # The caseload's own statements (besides the login session's and the header's): the count and
    # the page of rows, the filters' choices (counsellors, measures and nationalities in one), my
    # tasks and the saved filters (issue 19: a statement more costs as much CPU as a dozen rows).
    own = [s for s in large.statements if not any(table in s for table in ("user_sessions", "notifications"))]
    assert len(own) == 5, own


def test_caseload_statements_are_built_once_per_filter_shape(client, auth, counsellor, org):
    """Without a search the count and the page's select are built once per shape of the filters
    (queries._caseload_statements); their values are bound parameters, so other values, pages and
    accounts reuse them."""
    from caseflow.participants import queries
    colleague = UserFactory(role="counsellor", organisation=org)
    bulk_participants(org, counsellor, 3)
    auth.login(counsellor)
    client.get("/caseload?nationality=UA")
    built = queries._caseload_statements.cache_info().currsize
    for path in ("/caseload?nationality=SY", "/caseload?nationality=UA&page=2&per_page=1",
                 f"/caseload?nationality=UA&counsellor={colleague.id}"):
        assert client.get(path).status_code == 200
    assert queries._caseload_statements.cache_info().currsize == built
    html = client.get("/caseload?nationality=SY&per_page=1&page=2").get_data(as_text=True)
    assert html.count('<th scope="row"') == 1 and "Nachname2" in html   # SY: Nachname0, Nachname2


def test_case_file_query_count_does_not_grow_with_history(client, auth, counsellor, register, count_queries):
    from caseflow.participants.services import add_note, add_status_change
    p = register()
    auth.login(counsellor)
    client.get(f"/participants/{p.id}")
    add_note(p, {"date": date.today(), "kind": "phone", "text": "one"}, actor=counsellor)
    client.get(f"/participants/{p.id}/timeline")
    path = f"/participants/{p.id}"
    with count_queries() as small:
        client.get(path)
    with count_queries() as small_timeline:
        client.get(path + "/timeline")
    for n in range(8):
        add_note(p, {"date": date.today(), "kind": "phone", "text": f"more {n}"}, actor=counsellor)
        add_status_change(p, date_=date(2025, 4, 1 + n), status="employed", actor=counsellor)
    path = f"/participants/{p.id}"   # outside the counting: p.id reloads the expired object
    with count_queries() as large:
        overview = client.get(path)
    with count_queries() as large_timeline:
        response = client.get(path + "/timeline")
    assert response.get_data(as_text=True).count("more ") == 8
    assert overview.get_data(as_text=True).count("more ") == 5      # the overview: the latest five
    assert (large.count, large_timeline.count) == (small.count, small_timeline.count)


def test_counsellor_sees_own_active_participants_by_default(client, auth, counsellor, team_lead, org, register):
    colleague = UserFactory(role="counsellor", organisation=org)
    mine = register(first_name="Mine")
    theirs = register(first_name="Theirs", counsellor_id=colleague.id, date_of_birth="1980-01-01")
    exited = register(first_name="Exited", date_of_birth="1981-01-01")
    with unit_of_work():
        exited.status, exited.exit_date = "exited", date(2025, 6, 1)
    auth.login(counsellor)
    html = client.get("/caseload").get_data(as_text=True)
    assert mine.case_number in html and theirs.case_number not in html and exited.case_number not in html
    html = client.get("/caseload?counsellor=all").get_data(as_text=True)
    assert theirs.case_number in html
    html = client.get("/caseload?status=exited&counsellor=all").get_data(as_text=True)
    assert exited.case_number in html and mine.case_number not in html
    auth.logout()
    auth.login(team_lead)
    html = client.get("/caseload").get_data(as_text=True)
    assert mine.case_number in html and theirs.case_number in html
    html = client.get(f"/caseload?counsellor={colleague.id}").get_data(as_text=True)
    assert theirs.case_number in html and mine.case_number not in html


def test_filters_by_measure_and_nationality(client, auth, counsellor, org, register):
    measure = MeasureFactory(organisation=org, title="Sprachkurs B2")
    in_measure = register(first_name="Kurs", nationality="UA")
    other = register(first_name="Ohne", date_of_birth="1980-01-01")
    with unit_of_work():
        db.session.add(Enrolment(participant_id=in_measure.id, measure_id=measure.id, status="active",
                                 start_date=date(2025, 3, 1)))
    auth.login(counsellor)
    html = client.get(f"/caseload?measure={measure.id}").get_data(as_text=True)
    assert in_measure.case_number in html and other.case_number not in html
    html = client.get("/caseload?nationality=UA").get_data(as_text=True)
    assert in_measure.case_number in html and other.case_number not in html


@pytest.mark.parametrize("query", ["muller", "Mueller", "MÜLLER", "müll", "CF-"])
def test_search_is_accent_insensitive(client, auth, counsellor, register, search, query):
    wanted = register(first_name="Jana", last_name="Müller")
    other = register(first_name="Jan", last_name="Maler", date_of_birth="1991-01-01")
    auth.login(counsellor)
    assert search(query).status_code == 302
    html = client.get("/caseload").get_data(as_text=True)
    assert wanted.case_number in html
    assert (other.case_number in html) == (query == "CF-")


def listed(client, path):
    """The case numbers in the participants table, in order (not those of the task list above it)."""
    html = client.get(path).get_data(as_text=True).split('id="participants-heading"')[1]
    return re.findall(r"CF-2025-\d{6}", html)


def test_sorting_and_paging(client, auth, counsellor, org):
    bulk_participants(org, counsellor, 5)
    auth.login(counsellor)
    numbers = listed(client, "/caseload?sort=case_number&dir=desc&per_page=2")
    assert numbers[:2] == ["CF-2025-000005", "CF-2025-000004"]
    assert listed(client, "/caseload?sort=case_number&per_page=2&page=3") == ["CF-2025-000005"]
    assert listed(client, "/caseload?sort=last_contact&dir=desc")[0] == "CF-2025-000001"  # contacted today
    assert listed(client, "/caseload?sort=next_due")[0] == "CF-2025-000001"  # due today
    assert client.get("/caseload?per_page=100000").status_code == 200


def test_home_page_shows_overdue_and_due_this_week_and_flags_missing_contact(client, auth, counsellor, register):
    from caseflow.participants.services import add_note, add_task
    today = date.today()
    quiet = register(first_name="Quiet", entry_date="2025-01-02", unemployed_since="2024-01-01")
    recent = register(first_name="Recent", date_of_birth="1980-01-01")
    add_note(recent, {"date": today, "kind": "phone", "text": "call"}, actor=counsellor)
    add_task(quiet, {"title": "Send CV to employer", "due_date": today - timedelta(days=3)}, actor=counsellor)
    add_task(recent, {"title": "Book language test", "due_date": today}, actor=counsellor)
    add_task(recent, {"title": "Far away task", "due_date": today + timedelta(days=30)}, actor=counsellor)
    auth.login(counsellor)
    html = client.get("/caseload").get_data(as_text=True)
    tasks = html.split('id="my-tasks"')[1].split('id="participants-heading"')[0]
    assert "Send CV to employer" in tasks and "Book language test" in tasks and "Far away task" not in tasks
    assert tasks.index("Send CV to employer") < tasks.index("Book language test")
    rows = {m.group(1): m.group(0) for m in re.finditer(r"<tr>\s*<th scope=\"row\".*?<td[^>]*>(CF-[\d-]+).*?</tr>",
                                                         html, re.S)}
    assert 'data-no-contact="90"' in rows[quiet.case_number]       # no contact since entry, long ago
    assert "data-no-contact" not in rows[recent.case_number]
    assert "badge-error" in rows[quiet.case_number]      # overdue task


def test_no_contact_badge_is_graded_30_60_90(client, auth, counsellor, register):
    from caseflow.participants.services import add_note
    today = date.today()
    people = {}
    for i, days in enumerate((10, 35, 65, 95)):
        p = register(first_name=f"Days{days}", date_of_birth=f"198{i}-01-01", entry_date="2024-01-02",
                     unemployed_since="2023-01-01")
        add_note(p, {"date": today - timedelta(days=days), "kind": "phone", "text": "call"}, actor=counsellor)
        people[days] = p
    auth.login(counsellor)
    html = client.get("/caseload").get_data(as_text=True)
    rows = {m.group(1): m.group(0) for m in re.finditer(r"<tr>\s*<th scope=\"row\".*?<td[^>]*>(CF-[\d-]+).*?</tr>",
                                                         html, re.S)}
    assert "data-no-contact" not in rows[people[10].case_number]
    assert 'data-no-contact="30"' in rows[people[35].case_number]
    assert 'data-no-contact="60"' in rows[people[65].case_number] and "badge-warn" in rows[people[65].case_number]
    assert 'data-no-contact="90"' in rows[people[95].case_number] and "badge-error" in rows[people[95].case_number]


def test_names_sort_by_the_readers_collation(client, auth, counsellor, register):
    for i, last in enumerate(("Zaman", "Şahin", "Østergaard", "Łukasiewicz", "Demir", "Çelik", "Cohen",
                              "Ärztin", "Oz", "Lutz", "Sauer")):
        register(first_name="A", last_name=last, date_of_birth=f"1980-01-{i + 1:02d}")
    auth.login(counsellor)
    html = client.get("/caseload").get_data(as_text=True)
    names = re.findall(r'<th scope="row" class="name"><a [^>]*>([^,<]+),', html)
    assert names == ["Ärztin", "Çelik", "Cohen", "Demir", "Łukasiewicz", "Lutz", "Østergaard", "Oz", "Şahin",
                     "Sauer", "Zaman"]
    html = client.get("/caseload?dir=desc").get_data(as_text=True)
    assert re.findall(r'<th scope="row" class="name"><a [^>]*>([^,<]+),', html)[:2] == ["Zaman", "Sauer"]


def test_a_descending_list_is_the_ascending_one_reversed(client, auth, counsellor, register):
    """Namesakes too: the id that orders them follows the list's direction (so that PostgreSQL reads
    a descending page backwards from the caseload's index instead of sorting the caseload)."""
    people = [register(first_name="Amira", last_name=last, date_of_birth=f"1980-01-{i + 1:02d}")
              for i, last in enumerate(("Haddad", "Çelik", "Haddad", "Haddad"))]
    auth.login(counsellor)

    def listed(query: str) -> list[str]:
        html = client.get(f"/caseload{query}").get_data(as_text=True)
        return re.findall(r'<th scope="row" class="name"><a href="/participants/(\d+)', html)

    ascending = listed("")
    assert ascending == [str(p.id) for p in (people[1], people[0], people[2], people[3])]
    assert listed("?dir=desc") == ascending[::-1]


def test_column_headers_sort_and_say_how(client, auth, counsellor, register):
    register(first_name="A", last_name="Berg")
    auth.login(counsellor)
    html = client.get("/caseload").get_data(as_text=True)
    assert 'aria-sort="ascending"' in html and 'href="/caseload?dir=desc"' in html
    assert 'href="/caseload?sort=case_number"' in html
    html = client.get("/caseload?sort=case_number").get_data(as_text=True)
    assert 'href="/caseload?sort=case_number&amp;dir=desc"' in html


def test_the_sort_key_folds_every_letter_of_the_table_alike_in_python_and_in_the_database(app):
    """fold_for_sorting (SQLite's sort key, one translate()) does what replacing the reviewed pairs
    one after another does, and the database's sort key (PostgreSQL: translate() and replace() in
    SQL) gives the same for every letter of the table."""
    from caseflow.participants import collation
    text = "".join(letter for letter, _base in collation._pairs()) + " Zaman ÇELIK straße"
    expected = text
    for letter, base in collation._pairs():
        expected = expected.replace(letter, base)
    assert collation.fold_for_sorting(text) == expected.lower()
    assert db.session.scalar(sa.select(collation.sort_key(sa.literal(text)))) == expected.lower()


NAMES = ["Zaman", "ZAMAN-al Haddad", "O'Brien", "Ivan IV", "", None, "Çelik", "ØSTERGAARD", "straße", "Ærø",
         "Łukasiewicz-Smith", "abc\ndef", "\nÇelik", "Çelik\n", "tab\there\x01\x7f", "Дмитренко", "ДМИТРО",
         "حداد", "O’Brien", "Anna\u00a0Maria", "C\u0327elik", "İstanbul"]


@pytest.mark.parametrize("name", NAMES)
def test_the_sort_key_has_the_value_the_caseload_indexes_held_before_revision_0023(app, name):
    """PostgreSQL's sort key takes lower() alone for a name of ASCII characters only (a newline
    or a control character included) and folds every other: the same value as the key the
    indexes held before (revision 0019's, frozen there), whatever the name and the server's
    locale. SQLite's key is fold_for_sorting."""
    from pathlib import Path

    from alembic.script import ScriptDirectory

    from caseflow.participants import collation
    value = sa.literal(name, sa.String())
    key = db.session.scalar(sa.select(collation.sort_key(value)))
    if db.engine.dialect.name != "postgresql":
        assert key == collation.fold_for_sorting(name or "")
        return
    migrations = ScriptDirectory(str(Path(__file__).parents[2] / "migrations"))
    old_key = migrations.get_revision("0019").module._sort_key("name")
    named = sa.select(sa.cast(sa.bindparam("name", name), sa.String()).label("name")).subquery("named")
    assert key == db.session.scalar(sa.select(sa.literal_column(old_key.text)).select_from(named))
    if all(letter.isascii() or ord(letter) in collation._TABLE for letter in name or ""):
        assert key == collation.fold_for_sorting(name or "")  # (lower() of other letters is the locale's)
