"""The access log: who opened or exported a case file; team leads read their organisation's log."""
from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

from caseflow.audit.models import AuditEntry
from caseflow.extensions import db
from tests.factories import ParticipantFactory, UserFactory

# The log's words for case.view, case.export and participant.update (German, the default language).
VIEWED, EXPORTED, CHANGED = "Fallakte geöffnet</td>", "Fallakte exportiert</td>", "Stammdaten: geändert</td>"


def entries(participant_id, action):
    return list(db.session.scalars(sa.select(AuditEntry).where(AuditEntry.participant_id == participant_id,
                                                              AuditEntry.action == action)))


def test_opening_and_exporting_are_logged_and_in_the_export(client, auth, org, counsellor, team_lead, api_as):
    p = ParticipantFactory(organisation=org)
    auth.login(counsellor)
    assert client.get(f"/participants/{p.id}").status_code == 200
    assert client.get(f"/participants/{p.id}/export").status_code == 200
    assert client.get(f"/participants/{p.id}/export.json").status_code == 200
    exported = api_as(team_lead).get(f"/participants/{p.id}/export").json

    views = entries(p.id, "case.view")
    exports = entries(p.id, "case.export")
    assert [e.actor_id for e in views] == [counsellor.id]
    assert sorted(e.actor_id for e in exports) == sorted([counsellor.id, counsellor.id, team_lead.id])
    assert all(e.organisation_id == org.id for e in views + exports)
    log = exported["access_log"]
    assert [(e["action"], e["by"]) for e in log] == [("case.view", "Aylin Demir"), ("case.export", "Aylin Demir"),
                                                    ("case.export", "Aylin Demir"), ("case.export", "Jonas Weber")]


def _entry(org, action, participant=None, at=None, actor=None):
    e = AuditEntry(action=action, organisation_id=org.id, participant_id=participant.id if participant else None,
                   actor_id=actor.id if actor else None, object_type="participants",
                   object_id=participant.id if participant else None,
                   at=at or datetime(2025, 5, 5, 10, tzinfo=UTC))
    db.session.add(e)
    return e


def test_team_lead_reads_own_organisation_log_with_filters(client, auth, org, other_org, team_lead, counsellor):
    mine = ParticipantFactory(organisation=org, case_number="CF-2025-000777")
    other = ParticipantFactory(organisation=other_org, case_number="CF-2025-000888")
    _entry(org, "case.view", mine, actor=counsellor, at=datetime(2025, 5, 1, 9, tzinfo=UTC))
    _entry(org, "case.export", mine, actor=counsellor, at=datetime(2025, 6, 1, 9, tzinfo=UTC))
    _entry(org, "participant.update", mine, actor=counsellor, at=datetime(2025, 6, 2, 9, tzinfo=UTC))
    _entry(other_org, "case.view", other, at=datetime(2025, 5, 1, 9, tzinfo=UTC))
    db.session.commit()
    auth.login(team_lead)

    html = client.get("/audit").get_data(as_text=True)
    assert "CF-2025-000777" in html and "CF-2025-000888" not in html

    access = client.get("/audit?action=access").get_data(as_text=True)
    # actions in words (audit_log/labels.py), never the stored codes
    assert VIEWED in access and EXPORTED in access and CHANGED not in access
    assert "case.view" not in access.split("<tbody>")[1] and "participants" not in access.split("<tbody>")[1]

    june = client.get("/audit?date_from=2025-06-01&date_to=2025-06-01").get_data(as_text=True)
    assert EXPORTED in june and VIEWED not in june and CHANGED not in june

    # another organisation's case number: not found (the field says so), nothing shown of that case
    by_case = client.post("/audit", data={"case_number": "cf-2025-000888", "csrf_token": auth.csrf_token("/audit")})
    html = by_case.get_data(as_text=True)
    assert by_case.status_code == 422 and 'id="case_number-error"' in html
    assert "CF-2025-000888" not in html and html.count('value="cf-2025-000888"') == 1  # the input as typed
    assert client.get(f"/audit?participant={other.id}").status_code == 404
    for nonsense in ("99999999999999999999", "١٢", "-1", "x", ""):  # never a 500, never a guess
        assert client.get("/audit", query_string={"participant": nonsense}).status_code == 404, nonsense

    bad = client.get("/audit?date_from=yesterday")
    assert bad.status_code == 200 and 'id="date_from-error"' in bad.get_data(as_text=True)


def test_audit_log_roles(client, auth, counsellor, analyst, admin):
    for user in (counsellor, analyst, admin):
        auth.login(user)
        assert client.get("/audit").status_code == 403
        auth.logout()


def test_audit_log_is_paginated_with_constant_queries(client, auth, org, team_lead, count_queries):
    auth.login(team_lead)
    people = [ParticipantFactory(organisation=org) for _ in range(3)]
    for p in people:
        _entry(org, "case.view", p, actor=team_lead)
    db.session.commit()
    with count_queries() as few:
        client.get("/audit")
    for i in range(60):
        _entry(org, "case.view", people[i % 3], actor=UserFactory(organisation=org) if i % 20 == 0 else team_lead)
    db.session.commit()
    with count_queries() as many:
        page = client.get("/audit?action=access&per_page=25")
    assert many.count == few.count
    html = page.get_data(as_text=True)
    assert html.count(VIEWED) == 25
    assert 'rel="next"' in html


def test_audit_log_names_actions_objects_and_fields_in_words(client, auth, org, team_lead, counsellor):
    from caseflow.participants.services import update_participant
    p = ParticipantFactory(organisation=org, case_number="CF-2025-000999")
    update_participant(p, {"first_name": "Lea", "special_categories_consent_date": None}, version=p.version,
                       actor=counsellor)
    auth.login(team_lead)
    body = client.get("/audit").get_data(as_text=True).split("<tbody>")[1]
    assert "Stammdaten: geändert" in body and "Vorname" in body
    for code in ("participant.update", "first_name", ">participants", "_"):
        assert code not in body, code
    client.post("/language", data={"lang": "en", "next": "/", "csrf_token": auth.csrf_token("/caseload")})
    english = client.get("/audit").get_data(as_text=True).split("<tbody>")[1]
    assert "Master data: changed" in english and "first name" in english


def test_every_action_the_code_records_has_words():
    """A new audit action without words here would show as a code on the log."""
    import re
    from pathlib import Path

    from caseflow.audit_log.labels import has_words
    root = Path(__file__).resolve().parents[2] / "caseflow"
    found = set()
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        found.update(re.findall(r'(?:record|record_access|_audit_both|audit)\(\s*"([a-z_]+(?:\.[a-z_]+)?)"', text))
        found.update(re.findall(r'"([a-z_]+\.[a-z_]+)" if ', text))
        found.update(f"import.{s}" for s in ("checked", "failed", "imported", "undone") if "record(f\"import." in text)
    assert {"case.view", "participant.update", "login.failure"} <= found
    assert sorted(a for a in found if not has_words(a)) == []


def test_the_case_number_filter_keeps_the_case_number_out_of_the_address(client, auth, org, team_lead):
    """A case number is personal data: like the caseload's search it is posted, never sent in a
    query string (browser history, proxy logs, the Referer header, the pager's links). The page's
    address names the case by its id; an old address with the case number drops it."""
    import re
    mine = ParticipantFactory(organisation=org, case_number="CF-2025-000777")
    other = ParticipantFactory(organisation=org, case_number="CF-2025-000778")
    for day in range(1, 31):
        _entry(org, "case.view", mine, actor=team_lead, at=datetime(2025, 5, day, 9, tzinfo=UTC))
    _entry(org, "case.view", other, actor=team_lead, at=datetime(2025, 5, 2, 10, tzinfo=UTC))
    _entry(org, "participant.update", mine, actor=team_lead, at=datetime(2025, 6, 2, 9, tzinfo=UTC))
    db.session.commit()
    auth.login(team_lead)
    html = client.get("/audit").get_data(as_text=True)
    form = re.search(r'<form[^>]*class="filters"[^>]*>', html).group(0)
    assert 'name="case_number"' in html and 'method="post"' in form, form

    answer = client.post("/audit", data={"case_number": " cf-2025-000777 ", "action": "access",
                                         "date_from": "2025-05-01", "csrf_token": auth.csrf_token("/audit")})
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert "000777" not in location
    assert location == f"/audit?action=access&date_from=2025-05-01&participant={mine.id}"
    page = client.get(f"{location}&per_page=25").get_data(as_text=True)
    assert "000777" not in "".join(re.findall(r'href="([^"]*)"', page))  # the pager's links
    assert 'rel="next"' in page and page.count(VIEWED) == 25 and "CF-2025-000778" not in page
    assert 'value="CF-2025-000777"' in page  # the filter shows the case it lists
    last = client.get(f"{location}&per_page=25&page=2").get_data(as_text=True)
    assert last.count(VIEWED) == 5 and CHANGED not in last

    old = client.get("/audit?case_number=CF-2025-000777&action=access")
    assert old.status_code == 302 and old.headers["Location"] == "/audit?action=access"

    refused = client.post("/audit", data={"case_number": "CF-2025-000777"})
    assert refused.status_code == 400  # no CSRF token
