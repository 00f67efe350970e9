"""The data protection pages about one case (consents, restriction, anonymisation) sit under the
case file's summary header like its other forms: name, case number, status, the sections of the
case file. The header's facts come with the participant's row, so a page sends the same number of
statements for a case with a long history as for a short one. A refused form keeps the header,
answers 422 and says so in the page's title. The subject-access export stays a plain printable
document."""
from __future__ import annotations

import pytest

from caseflow.extensions import db
from caseflow.participants.models import Participant
from caseflow.privacy.services import restrict_processing
from tests.case_header import add_history, assert_case_header, statements_of
from tests.factories import ParticipantFactory

PAGES = [  # (path under /participants/<id>/, role, the page's heading in German)
    ("consents", "counsellor", "Einwilligungen"),
    ("restriction", "team_lead", "Einschränkung der Verarbeitung"),
    ("anonymise", "team_lead", None),  # its heading names the case number: checked below
]


@pytest.fixture
def quiet_and_busy(org, counsellor):
    quiet = ParticipantFactory(organisation=org, counsellor_id=counsellor.id, last_name="Ruhig")
    busy = ParticipantFactory(organisation=org, counsellor_id=counsellor.id, last_name="Viel")
    add_history(quiet, org, counsellor, 1)
    add_history(busy, org, counsellor, 5)
    return quiet, busy


@pytest.mark.parametrize("path, role, heading", PAGES)
def test_the_page_shows_the_case_header_in_a_constant_number_of_statements(
        request, client, auth, count_queries, quiet_and_busy, path, role, heading):
    quiet, busy = quiet_and_busy
    auth.login(request.getfixturevalue(role))
    quiet_counts, _ = statements_of(client, count_queries, [f"/participants/{quiet.id}/{path}"])
    busy_counts, pages = statements_of(client, count_queries, [f"/participants/{busy.id}/{path}"])
    assert busy_counts == quiet_counts
    assert_case_header(pages[0], busy, heading or f"Fall {busy.case_number} anonymisieren")
    assert f"<title>{heading or 'Anonymisieren'} – {busy.display_name}" in pages[0]
    assert 'class="case-actions' in pages[0]  # the case's own actions are a click away


@pytest.mark.parametrize("path, role, heading, data", [
    ("consents", "counsellor", "Einwilligungen", {"purpose": "", "given_on": ""}),
    ("restriction", "team_lead", "Einschränkung der Verarbeitung", {"reason": " "}),
    ("anonymise", "team_lead", None, {"reason": ""}),
])
def test_a_refused_form_keeps_the_header_and_says_so_in_the_title(
        request, client, auth, quiet_and_busy, path, role, heading, data):
    _quiet, busy = quiet_and_busy
    auth.login(request.getfixturevalue(role))
    address = f"/participants/{busy.id}/{path}"
    form = {"csrf_token": auth.csrf_token(address), **data}
    if path == "restriction":
        form["version"] = str(busy.version)
    refused = client.post(address, data=form)
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert_case_header(html, busy, heading or f"Fall {busy.case_number} anonymisieren")
    assert f"<title>Fehler: {heading or 'Anonymisieren'} – {busy.display_name}" in html
    db.session.expire_all()
    stored = db.session.get(Participant, busy.id)
    assert stored.restricted_at is None and stored.anonymised_at is None  # nothing changed


def test_a_restricted_case_shows_why_once_under_its_header(client, auth, org, counsellor, team_lead):
    """The header carries the restriction's date and reason; the restriction page adds only what a
    team lead must know before lifting it, and the form."""
    case = ParticipantFactory(organisation=org, counsellor_id=counsellor.id)
    restrict_processing(case.id, "Widerspruch nach Art. 21", actor=team_lead)
    auth.login(team_lead)
    html = client.get(f"/participants/{case.id}/restriction").get_data(as_text=True)
    assert_case_header(html, case, "Einschränkung der Verarbeitung")
    assert html.count("Widerspruch nach Art. 21") == 1
    assert "Einschränkung aufheben" in html and 'class="case-actions' not in html  # read-only: no actions


def test_another_organisations_case_does_not_exist_on_these_pages(client, auth, other_org, team_lead):
    stranger = ParticipantFactory(organisation=other_org)
    auth.login(team_lead)
    for path, _role, _heading in PAGES:
        assert client.get(f"/participants/{stranger.id}/{path}").status_code == 404
