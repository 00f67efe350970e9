"""Selects that need an answer start with an empty "please choose" option, chosen until someone
chooses; sent like that, each fails with the one required-field message (validation.REQUIRED)."""
from __future__ import annotations

import re
from datetime import date

import pytest

from tests.factories import MeasureFactory

PLEASE_CHOOSE = '<option selected value="">– bitte auswählen –</option>'
REQUIRED = "Dieses Feld ist erforderlich."


def _select(html: str, field_id: str) -> str:
    found = re.search(rf'<select[^>]*id="{field_id}"[^>]*>(.*?)</select>', html, re.S)
    assert found, field_id
    return found.group(1).strip()


@pytest.fixture
def case(register, counsellor, org):
    MeasureFactory(organisation=org, start_date=date(2024, 1, 1), end_date=date(2030, 12, 31))
    return register(entry_date="2025-03-01")


@pytest.mark.parametrize("path, fields", [
    ("/participants/new", ("gender", "nationality", "labour_status_at_entry")),
    ("/participants/{id}/note/new", ("note-kind",)),
    ("/participants/{id}/status/new", ("status-status",)),
    ("/participants/{id}/placements/new", ("type",)),
    ("/participants/{id}/exit", ("reason",)),
    ("/participants/{id}/consents", ("purpose", "form")),
    ("/participants/{id}/enrolments/new", ("measure_id",)),
])
def test_selects_that_need_an_answer_start_with_please_choose(client, auth, counsellor, case, path, fields):
    auth.login(counsellor)
    html = client.get(path.format(id=case.id)).get_data(as_text=True)
    for field_id in fields:
        first, rest = _select(html, field_id).split("</option>", 1)
        # the empty first option, chosen (explicitly, or as the first when nothing else is)
        assert first + "</option>" in (PLEASE_CHOOSE, '<option value="">– bitte auswählen –</option>'), field_id
        assert "selected" not in rest, field_id


def _post(client, auth, path, data, token_path=None):
    return client.post(path, data={"csrf_token": auth.csrf_token(token_path or path), **data})


def _error(html: str, field_id: str) -> str:
    found = re.search(rf'id="{field_id}-error">(.*?)</p>', html, re.S)
    return found.group(1).strip() if found else ""


def test_untouched_selects_fail_with_the_one_required_message(client, auth, counsellor, case):
    auth.login(counsellor)
    pid = case.id
    placement = _post(client, auth, f"/participants/{pid}/placements/new",
                      {"type": "", "employer_name": "Kita", "start_date": "2025-04-01", "country": "DE"})
    assert placement.status_code == 422 and _error(placement.get_data(as_text=True), "type") == REQUIRED
    exit_ = _post(client, auth, f"/participants/{pid}/exit", {"exit_date": "2025-04-01", "reason": ""})
    assert exit_.status_code == 422 and _error(exit_.get_data(as_text=True), "reason") == REQUIRED
    consent = _post(client, auth, f"/participants/{pid}/consents",
                    {"purpose": "", "form": "", "given_on": "2025-03-01", "notice_version": "v1",
                     "notice_language": "de"})
    html = consent.get_data(as_text=True)
    assert consent.status_code == 422
    assert _error(html, "purpose") == REQUIRED and _error(html, "form") == REQUIRED
    note = _post(client, auth, f"/participants/{pid}/notes",
                 {"note-date": "2025-04-01", "note-kind": "", "note-text": "Anruf"}, f"/participants/{pid}/note/new")
    assert note.status_code == 422 and _error(note.get_data(as_text=True), "note-kind") == REQUIRED
    enrol = client.get(f"/participants/{pid}/enrolments/new?measure_id=")
    assert enrol.status_code == 422 and _error(enrol.get_data(as_text=True), "measure_id") == REQUIRED


def test_optional_selects_start_with_their_own_empty_option(client, auth, counsellor, case):
    """An optional select starts with an empty option that says what leaving it means
    (vocabulary.options(…, blank=…)): "no answer", "unknown", "nobody yet"; the answers follow."""
    auth.login(counsellor)
    html = client.get("/participants/new").get_data(as_text=True)
    for field_id, blank in (("country_of_birth", "– keine Angabe –"), ("district", "– keine Angabe –"),
                            ("work_permission", "unbekannt"), ("counsellor_id", "– noch niemand –")):
        first, rest = _select(html, field_id).split("</option>", 1)
        assert re.fullmatch(rf'<option (selected )?value="">{blank}', first), (field_id, first)
        assert rest.count("<option") >= 1 and 'value=""' not in rest, field_id
