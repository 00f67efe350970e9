"""The import's duplicate check is the registration's (participants/duplicates.py): birth dates a
typo apart and names in another transliteration are caught within the file and against the
database, with the same reasons, shown in the reader's language on the page, in the API and on
the command line; different people stay apart."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from caseflow.database import unit_of_work
from caseflow.extensions import db
from caseflow.participants.duplicates import possible_duplicates
from caseflow.participants.models import Participant
from caseflow.participants.names import duplicate_key
from tests.factories import ParticipantFactory
from tests.imports.conftest import person, run, xlsx
from tests.imports.test_api_cli_esf import _post
from tests.imports.test_pages import _upload


def _registered(org, first, last, born):
    return ParticipantFactory(organisation=org, first_name=first, last_name=last, date_of_birth=born,
                              duplicate_key=duplicate_key(first, last))


def _file():
    """Rows 2…9 of the participants sheet."""
    return xlsx({"participants": [
        # against the database: Taras Schewtschenko, born 03.09.1985, is registered
        person("T-1", first_name="Taras", last_name="Shevchenko", date_of_birth=date(1985, 3, 9)),
        # within the file: the same name one day apart; a transliteration with a 1 January placeholder
        person("T-2", first_name="Amira", last_name="Haddad", date_of_birth=date(1990, 5, 17)),
        person("T-3", first_name="Amira", last_name="Haddad", date_of_birth=date(1990, 5, 18)),
        person("T-4", first_name="Georgi", last_name="Schukow", date_of_birth=date(1970, 1, 1)),
        person("T-5", first_name="Georgi", last_name="Zhukov", date_of_birth=date(1970, 6, 12)),
        # different people: another name on a typo date, the same name a year later, a typo in the
        # date and another in the name
        person("T-6", first_name="Olena", last_name="Kovalchuk", date_of_birth=date(1985, 3, 9)),
        person("T-7", first_name="Amira", last_name="Haddad", date_of_birth=date(1991, 5, 17)),
        person("T-8", first_name="Amira", last_name="Hadat", date_of_birth=date(1990, 5, 19)),
    ]})


def test_typo_dates_and_transliterations_are_duplicates_with_their_reasons(team_lead, org):
    registered = _registered(org, "Taras", "Schewtschenko", date(1985, 9, 3))
    _registered(org, "Olena", "Kowaltschuk", date(1960, 3, 9))  # the same name in German, another year
    batch = run(_file(), team_lead)
    by_ext = {d["external_id"]: d for d in batch.duplicates}
    assert set(by_ext) == {"T-1", "T-3", "T-5"}, batch.duplicates

    # against the database: the keys the result always had, and the reasons added
    assert by_ext["T-1"]["candidates"] == [registered.id] and by_ext["T-1"]["rows"] == []
    assert by_ext["T-1"]["matches"] == [{"id": registered.id,
                                         "reasons": ["transliteration", "birth_date_day_month_swapped"],
                                         "systems": ["en", "de"]}]
    assert by_ext["T-1"]["file_matches"] == []
    # within the file
    assert by_ext["T-3"]["candidates"] == [] and by_ext["T-3"]["rows"] == [3]
    assert by_ext["T-3"]["file_matches"] == [{"sheet": "Participants", "row": 3, "external_id": "T-2",
                                              "reasons": ["same_name", "birth_date_one_day_apart"]}]
    assert by_ext["T-5"]["rows"] == [5]
    assert by_ext["T-5"]["file_matches"] == [{"sheet": "Participants", "row": 5, "external_id": "T-4",
                                              "reasons": ["transliteration", "birth_date_placeholder"],
                                              "systems": ["en", "de"]}]
    assert by_ext["T-1"]["sheet"] == "Participants" and by_ext["T-1"]["row"] == 2
    assert batch.counts["duplicates"] == 3


def test_the_import_judges_as_the_registration_does(team_lead, org):
    """The same people registered and in a file: the import names the registration's candidates
    with the registration's reasons."""
    people = [("Taras", "Schewtschenko", date(1985, 9, 3)), ("Dschamal", "Chalil", date(1979, 1, 1)),
              ("Amira", "Haddad", date(1990, 5, 17)), ("Haddad", "Amira", date(1990, 5, 16)),
              ("Jussuf", "Saizew", date(1966, 12, 31)), ("Peter", "Paul", date(1985, 3, 9))]
    for first, last, born in people:
        _registered(org, first, last, born)
    entered = [("Taras", "Shevchenko", date(1985, 3, 9)), ("Jamal", "Khalil", date(1979, 7, 14)),
               ("Amira", "Hadad", date(1990, 5, 17)), ("Amira", "Haddad", date(1990, 1, 1)),
               ("Yusuf", "Zaytsev", date(1967, 1, 1)), ("Paul", "Peter", date(1985, 3, 10)),
               ("Peter", "Pauls", date(1985, 3, 10)), ("Samir", "Haddad", date(1990, 5, 17))]
    rows = [person(f"R-{i}", first_name=f, last_name=la, date_of_birth=b) for i, (f, la, b) in enumerate(entered)]
    batch = run(xlsx({"participants": rows}), team_lead)
    by_ext = {d["external_id"]: d["matches"] for d in batch.duplicates if d["matches"]}
    expected = {f"R-{i}": [m.as_json() for m in possible_duplicates(org.id, b, f, la)]
                for i, (f, la, b) in enumerate(entered)}
    assert by_ext == {ext: matches for ext, matches in expected.items() if matches}
    assert set(by_ext) == {"R-0", "R-1", "R-2", "R-3", "R-4", "R-5"}  # not Pauls (a typo in both), not Samir


def test_the_organisation_is_read_once_for_the_whole_file(team_lead, org, count_queries):
    for i in range(3):
        _registered(org, f"Name{i}", "Haddad", date(1990, 5, 17 + i))
    content = xlsx({"participants": [person(f"Q-{i}", first_name=f"Other{i}",
                                            date_of_birth=date(1990, 5, 16) + timedelta(days=i))
                                     for i in range(20)]})
    with count_queries() as queries:
        run(content, team_lead)
    reads = [s for s in queries.statements if "FROM participants" in s and "date_of_birth" in s]
    assert len(reads) == 1, reads


def test_anonymised_and_other_organisations_cases_are_not_candidates(team_lead, org, other_org):
    _registered(other_org, "Taras", "Schewtschenko", date(1985, 9, 3))
    gone = _registered(org, "Taras", "Schewtschenko", date(1985, 9, 3))
    with unit_of_work():
        db.session.execute(sa.update(Participant).where(Participant.id == gone.id).values(
            anonymised_at=sa.func.now(), date_of_birth=None, first_name=None, last_name=None))
    batch = run(xlsx({"participants": [person("T-1", first_name="Taras", last_name="Shevchenko",
                                              date_of_birth=date(1985, 9, 3))]}), team_lead)
    assert batch.duplicates == []


@pytest.mark.parametrize("lang, words", [
    ("en", ["the same name in another transliteration (English / German)",
            "day and month of the date of birth swapped", "dates of birth one day apart", "Why:"]),
    ("de", ["derselbe Name in anderer Umschrift (Englisch / Deutsch)",
            "Tag und Monat des Geburtsdatums vertauscht", "Geburtsdaten einen Tag auseinander", "Warum:"]),
])
def test_the_batch_page_says_why_in_the_readers_language(client, auth, team_lead, org, lang, words):
    registered = _registered(org, "Taras", "Schewtschenko", date(1985, 9, 3))
    with unit_of_work():
        team_lead.locale = lang
    auth.login(team_lead)
    page = client.get(_upload(client, _file()).headers["Location"]).get_data(as_text=True)
    section = page.split('id="duplicates"')[1].split("</table>")[0]
    for text in words:
        assert text in section, (text, section)
    assert f'href="/participants/{registered.id}"' in section
    assert "T-2" in section and "T-4" in section  # the earlier rows of the file, by external id
    assert "T-6" not in section and "T-7" not in section and "T-8" not in section


def test_the_api_answers_codes_and_words(api_as, team_lead, org):
    registered = _registered(org, "Taras", "Schewtschenko", date(1985, 9, 3))
    with unit_of_work():
        team_lead.locale = "en"
    body = _post(api_as(team_lead), _file()).json
    assert body["status"] == "checked"
    first = body["duplicates"][0]
    assert {"sheet", "row", "external_id", "candidates", "rows"} <= set(first)  # the keys it always had
    assert first["matches"] == [{"id": registered.id, "reasons": ["transliteration", "birth_date_day_month_swapped"],
                                 "systems": ["en", "de"],
                                 "explanation": ["the same name in another transliteration (English / German)",
                                                 "day and month of the date of birth swapped"]}]
    within = {d["external_id"]: d["file_matches"] for d in body["duplicates"]}["T-3"]
    assert within[0]["explanation"] == ["the same name", "dates of birth one day apart"]
    doc = api_as(team_lead).get("/openapi.json").json
    assert "birth_date_placeholder" in doc["components"]["schemas"]["Import"]["properties"]["duplicates"]["description"]


def test_the_command_line_says_why(app, org, tmp_path):
    registered = _registered(org, "Taras", "Schewtschenko", date(1985, 9, 3))
    path = tmp_path / "people.xlsx"
    path.write_bytes(_file())
    result = app.test_cli_runner(env={"LANG": "en_GB.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""}).invoke(
        args=["participants", "import", str(path), "--dry-run", "--org", org.name])
    assert result.exit_code != 0
    lines = result.output.splitlines()
    assert (f"  case {registered.id}: the same name in another transliteration (English / German); "
            "day and month of the date of birth swapped") in lines, result.output
    assert ("  row 3 of sheet Participants (external ID T-2): the same name; dates of birth one day apart"
            in lines), result.output


def test_a_batch_checked_before_the_reasons_still_shows(client, auth, team_lead, org):
    registered = _registered(org, "Taras", "Schewtschenko", date(1985, 9, 3))
    batch = run(_file(), team_lead)
    with unit_of_work():
        batch.duplicates = [{"sheet": "Participants", "row": 2, "external_id": "T-1", "candidates": [registered.id],
                             "rows": []}]
    auth.login(team_lead)
    page = client.get(f"/imports/{batch.id}").get_data(as_text=True)
    assert f'href="/participants/{registered.id}"' in page.split('id="duplicates"')[1]


def test_two_imported_cases_of_an_organisation_can_be_anonymised(team_lead):
    """Anonymisation removes the programme's own number with its link: scrubbed to "[removed]", the
    second anonymised case collided with the first on the unique (organisation, external id)."""
    from caseflow.imports.models import ImportedParticipant
    from caseflow.privacy.services import anonymise_participant
    run(xlsx({"participants": [person("P-1", first_name="Yusuf", last_name="Nasser", date_of_birth=date(1985, 2, 3)),
                               person("P-2", first_name="Lina", last_name="Saleh", date_of_birth=date(1995, 1, 9))]}),
        team_lead, dry_run=False)
    ids = db.session.scalars(sa.select(ImportedParticipant.participant_id).order_by(ImportedParticipant.id)).all()
    assert len(ids) == 2
    for pid in ids:
        anonymise_participant(pid, "retention", actor=team_lead)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ImportedParticipant)) == 0
    assert all(db.session.get(Participant, pid).anonymised_at is not None for pid in ids)
    # the same rows again make new cases: nothing of the anonymised ones comes back
    batch = run(xlsx({"participants": [person("P-1", first_name="Yusuf", last_name="Nasser",
                                              date_of_birth=date(1985, 2, 3))]}), team_lead, dry_run=False)
    assert batch.counts["errors"] == 0
    assert db.session.get(Participant, ids[0]).last_name is None
