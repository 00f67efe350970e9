"""The case file pages: registration, duplicates, case file, notes, status changes, goals, tasks,
editing with the version check, reassignment, escaping, special categories, the access log."""
from __future__ import annotations

import re
from datetime import date, timedelta

import sqlalchemy as sa

from caseflow.audit.models import AuditEntry
from caseflow.database import unit_of_work
from caseflow.extensions import db
from caseflow.participants.models import Goal, Note, NoteRevision, Participant, StatusChange, Task
from tests.factories import UserFactory


def form_fields(html: str) -> dict[str, str]:
    """The values a browser would submit for the text inputs and selected options of a page."""
    fields = {}
    for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html):
        fields.setdefault(name, value)
    return fields


def registration_form(**overrides):
    data = {
        "first_name": "Amira", "last_name": "Haddad", "date_of_birth": "1990-05-17", "gender": "female",
        "nationality": "SY", "country_of_birth": "SY", "residence_status": "recognised_refugee",
        "work_permission": "yes", "arrival_year": "2016", "preferred_language": "ar",
        "entry_date": "2025-03-01", "labour_status_at_entry": "unemployed", "unemployed_since": "2024-06-01",
        "education_isced": "6", "german_level": "B1", "district": "Neukölln", "city": "Berlin",
        "languages-0-language": "ar", "languages-0-level": "native",
        "foreign_qualifications-0-title": "Bachelor Pharmacy", "foreign_qualifications-0-country": "SY",
        "foreign_qualifications-0-isced": "6", "foreign_qualifications-0-recognition_status": "pending",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def use_english(client, auth):
    client.post("/language", data={"lang": "en", "next": "/", "csrf_token": auth.csrf_token("/caseload")})


def post_form(client, auth, path, data, token_path=None, prefix=None):
    """Posts like a browser; `prefix` for the case file's forms (note-, status-, goal-, task-)."""
    token = auth.csrf_token(token_path or path)
    if prefix:
        data = {f"{prefix}-{k}": v for k, v in data.items()}
    data = dict(data, **{f"{prefix}-csrf_token" if prefix else "csrf_token": token})
    return client.post(path, data=data)


def test_registration_form_has_every_field_with_labels(client, auth, counsellor):
    auth.login(counsellor)
    html = client.get("/participants/new").get_data(as_text=True)
    for name in ("first_name", "last_name", "date_of_birth", "gender", "nationality", "country_of_birth",
                 "residence_status", "work_permission", "arrival_year", "preferred_language", "entry_date",
                 "labour_status_at_entry", "unemployed_since", "education_isced", "german_level", "counsellor_id",
                 "phone", "email", "street", "postcode", "city", "district", "special_categories_consent_date",
                 "disability", "minority", "foreign_background", "homeless", "languages-0-language",
                 "foreign_qualifications-0-title"):
        assert f'id="{name}"' in html, name
        assert f'for="{name}"' in html, name
    assert "Syrien" in html  # German country names


def test_registration_page_registers_and_shows_case_file(client, auth, counsellor):
    auth.login(counsellor)
    response = post_form(client, auth, "/participants/new", registration_form())
    assert response.status_code == 302
    participant = db.session.scalar(sa.select(Participant))
    assert response.headers["Location"].endswith(f"/participants/{participant.id}")
    assert participant.counsellor_id == counsellor.id and participant.work_permission is True
    assert participant.education_isced == 6 and participant.search_key.endswith("amira haddad")
    html = client.get(f"/participants/{participant.id}/master-data").get_data(as_text=True)
    assert participant.case_number in html and "Bachelor Pharmacy" in html


def test_registration_errors_are_shown_next_to_the_fields_and_nothing_is_saved(client, auth, counsellor):
    auth.login(counsellor)
    response = post_form(client, auth, "/participants/new", registration_form(
        date_of_birth="2025-04-01", unemployed_since="", nationality="XX", first_name=""))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    for field in ("date_of_birth", "unemployed_since", "nationality", "first_name"):
        assert f'id="{field}-error"' in html, field
        assert f'aria-describedby="{field}-error"' in html or f'{field}-error"' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Participant)) == 0


def test_special_category_without_consent_is_an_error_on_the_field(client, auth, counsellor):
    auth.login(counsellor)
    response = post_form(client, auth, "/participants/new", registration_form(disability="yes"))
    assert response.status_code == 422
    assert 'id="disability-error"' in response.get_data(as_text=True)


def test_add_row_buttons_add_rows_without_saving(client, auth, counsellor):
    auth.login(counsellor)
    html = client.get("/participants/new").get_data(as_text=True)
    assert 'name="foreign_qualifications-1-title"' in html and 'name="foreign_qualifications-2-title"' not in html
    response = post_form(client, auth, "/participants/new", registration_form(add_qualification="1"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="foreign_qualifications-2-title"' in html and "Bachelor Pharmacy" in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Participant)) == 0


def test_any_number_of_qualifications_can_be_saved(client, auth, counsellor):
    auth.login(counsellor)
    extra = {f"foreign_qualifications-{i}-title": f"Qualification {i}" for i in range(1, 4)}
    response = post_form(client, auth, "/participants/new", registration_form(**extra))
    assert response.status_code == 302
    html = client.get(response.headers["Location"] + "/master-data").get_data(as_text=True)
    assert all(f"Qualification {i}" in html for i in range(1, 4))


def test_duplicate_warning_lists_candidates_and_confirmation_registers(client, auth, counsellor, register):
    existing = register(first_name="Olena", last_name="Kovalenko")
    auth.login(counsellor)
    form = registration_form(first_name="Olena", last_name="Kowalenko")
    response = post_form(client, auth, "/participants/new", form)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert f'href="/participants/{existing.id}"' in html and existing.case_number in html
    assert 'name="confirm_not_duplicate"' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Participant)) == 1
    response = post_form(client, auth, "/participants/new", dict(form, confirm_not_duplicate="y"))
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Participant)) == 2


def test_case_file_writes_the_access_log(client, auth, counsellor, register):
    p = register()
    auth.login(counsellor)
    assert client.get(f"/participants/{p.id}").status_code == 200
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "case.view"))
    assert entry.participant_id == p.id and entry.actor_id == counsellor.id


def test_special_categories_only_on_the_case_file(client, auth, counsellor, register, search):
    p = register(disability=True, minority=True, special_categories_consent_date="2025-02-01")
    auth.login(counsellor)
    use_english(client, auth)
    case_file = client.get(f"/participants/{p.id}/data-protection").get_data(as_text=True)
    assert "<dt>Disability</dt><dd>yes</dd>" in case_file
    assert "<dt>Belongs to a minority</dt><dd>yes</dd>" in case_file
    for term in ("", "haddad"):  # the whole caseload, then a search
        search(term)
        caseload = client.get("/caseload").get_data(as_text=True)
        assert p.case_number in caseload
        assert "Disability" not in caseload and "minority" not in caseload


def test_names_with_html_are_shown_as_text(client, auth, counsellor, register, search):
    p = register(first_name="<script>alert(1)</script>", last_name="<b>Bold</b>")
    auth.login(counsellor)
    for path in ("/caseload", f"/participants/{p.id}", f"/participants/{p.id}/edit"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>alert(1)" not in html and "<b>Bold" not in html, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html or "&lt;b&gt;Bold" in html, path
    # A search for markup: the results and the search status (which repeats the term) show it as text.
    search("<script>alert(1)</script>")
    html = client.get("/caseload").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert p.case_number in html.split("<tbody>")[1]
    response = post_form(client, auth, "/participants/new", registration_form(
        first_name="<script>alert(1)</script>", last_name="<b>Bold</b>", date_of_birth="1990-05-17"))
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "<script>alert(1)" not in html and "&lt;script&gt;" in html


def test_note_status_change_goal_and_task_from_the_case_file(client, auth, counsellor, register):
    p = register()
    auth.login(counsellor)
    use_english(client, auth)
    path = f"/participants/{p.id}"
    today = date.today().isoformat()
    assert post_form(client, auth, path + "/notes", {"date": today, "kind": "meeting", "minutes": "45",
                                                       "text": "First line\n<i>second</i> line"}, path,
                     prefix="note").status_code == 302
    assert post_form(client, auth, path + "/status-changes", {"date": "2025-06-01", "status": "employed"},
                     path, prefix="status").status_code == 302
    assert post_form(client, auth, path + "/goals", {"title": "B2 certificate", "target_date": "2026-06-30",
                                                       "status": "open"}, path, prefix="goal").status_code == 302
    assert post_form(client, auth, path + "/tasks", {"title": "Call the Jobcenter", "due_date": today},
                     path, prefix="task").status_code == 302
    html = client.get(path).get_data(as_text=True)
    assert "First line\n&lt;i&gt;second&lt;/i&gt; line" in html   # the overview's recent entries
    assert "B2 certificate" in html and "Call the Jobcenter" in html
    timeline = client.get(path + "/timeline").get_data(as_text=True).split('id="timeline"')[1]
    assert "Note (meeting, 45 min.)" in timeline and "Labour-market status: employed" in timeline
    assert timeline.index("Note (meeting") < timeline.index("Labour-market status: employed") \
        < timeline.index("Entry")  # newest first
    task = db.session.scalar(sa.select(Task))
    response = post_form(client, auth, f"{path}/tasks/{task.id}/done", {"version": task.version}, path)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Task, task.id).done_at is not None
    actions = set(db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.participant_id == p.id)))
    assert {"note.create", "status_change.create", "goal.create", "task.create", "task.complete"} <= actions


def test_invalid_note_and_status_change_show_errors_on_the_case_file(client, auth, counsellor, register):
    p = register()
    auth.login(counsellor)
    path = f"/participants/{p.id}"
    response = post_form(client, auth, path + "/notes", {"date": "", "kind": "chat", "text": ""}, path, prefix="note")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="note-date-error"' in html and 'id="note-kind-error"' in html and 'id="note-text-error"' in html
    # the form's own page under the summary header: an error summary at the top links each field
    summary = html.split("data-error-summary")[1].split("</div>")[0]
    assert all(f'href="#note-{name}"' in summary for name in ("date", "kind", "text"))
    assert html.index("data-error-summary") < html.index('id="note-date"')
    assert p.case_number in html.split("<main")[1].split("data-error-summary")[0]
    response = post_form(client, auth, path + "/status-changes", {"date": "2025-01-01", "status": "employed"}, path,
                         prefix="status")
    assert response.status_code == 422 and 'id="status-date-error"' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Note)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StatusChange)) == 1


def test_note_correction_keeps_the_earlier_text(client, auth, counsellor, register):
    from caseflow.participants.services import add_note
    p = register()
    note = add_note(p, {"date": date.today(), "kind": "phone", "text": "Original text"}, actor=counsellor)
    auth.login(counsellor)
    path = f"/participants/{p.id}/notes/{note.id}/edit"
    response = post_form(client, auth, path, {"date": date.today().isoformat(), "kind": "phone",
                                              "text": "Corrected text", "version": "1"})
    assert response.status_code == 302
    assert db.session.scalars(sa.select(NoteRevision.text)).all() == ["Original text"]
    assert "Corrected text" in client.get(f"/participants/{p.id}").get_data(as_text=True)  # the overview
    html = client.get(f"/participants/{p.id}/timeline").get_data(as_text=True)
    assert "Corrected text" in html and "Original text" in html   # the earlier version, on the timeline
    stale = post_form(client, auth, path, {"date": date.today().isoformat(), "kind": "phone",
                                           "text": "Third", "version": "1"})
    assert stale.status_code == 409
    db.session.expire_all()
    assert db.session.get(Note, note.id).text == "Corrected text"


def test_goal_can_be_achieved(client, auth, counsellor, register):
    from caseflow.participants.services import add_goal
    p = register()
    goal = add_goal(p, {"title": "Find an apprenticeship"}, actor=counsellor)
    auth.login(counsellor)
    path = f"/participants/{p.id}/goals/{goal.id}/edit"
    response = post_form(client, auth, path, {"title": "Find an apprenticeship", "status": "achieved", "version": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Goal, goal.id).status == "achieved"


def test_edit_with_stale_version_shows_the_other_change_and_overwrites_nothing(client, auth, counsellor, register):
    from caseflow.participants.services import update_participant
    p = register()
    auth.login(counsellor)
    path = f"/participants/{p.id}/edit"
    html = client.get(path).get_data(as_text=True)
    assert 'name="version" type="hidden" value="1"' in html or 'value="1" name="version"' in html
    update_participant(p, {"phone": "030 999"}, version=1, actor=counsellor)  # someone else saves first
    response = post_form(client, auth, path, registration_form(phone="030 111", version="1"))
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "030 999" in html and "Aylin Demir" in html
    db.session.expire_all()
    assert db.session.get(Participant, p.id).phone == "030 999"
    # The form now carries the current version: saving again is a deliberate decision.
    response = post_form(client, auth, path, registration_form(phone="030 111", version="2"))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Participant, p.id).phone == "030 111"


def test_team_lead_reassigns_to_a_colleague(client, auth, counsellor, team_lead, org, other_counsellor, register):
    p = register()
    colleague = UserFactory(role="counsellor", organisation=org, name="Tobias Krüger")
    auth.login(team_lead)
    path = f"/participants/{p.id}/reassign"
    assert client.get(path).status_code == 200
    assert post_form(client, auth, path, {"counsellor_id": str(other_counsellor.id), "version": "1"}).status_code == 422
    assert post_form(client, auth, path, {"counsellor_id": str(colleague.id), "version": "1"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Participant, p.id).counsellor_id == colleague.id
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "participant.reassign"))
    assert entry.changes["counsellor_id"] == [counsellor.id, colleague.id]


def test_counsellors_cannot_reassign(client, auth, counsellor, register):
    p = register()
    auth.login(counsellor)
    assert client.get(f"/participants/{p.id}/reassign").status_code == 403


def test_invalid_qualification_row_is_reported_on_the_form(client, auth, counsellor):
    auth.login(counsellor)
    response = post_form(client, auth, "/participants/new", registration_form(**{
        "foreign_qualifications-0-title": "", "foreign_qualifications-0-country": "SY",
        "languages-0-language": "xx"}))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="foreign_qualifications-error"' in html and 'id="languages-error"' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Participant)) == 0


def test_restricted_case_cannot_be_edited(client, auth, counsellor, register):
    from caseflow.models_base import utcnow
    p = register()
    with unit_of_work():
        p.restricted_at = utcnow()
    auth.login(counsellor)
    assert client.get(f"/participants/{p.id}/edit").status_code == 302
    response = post_form(client, auth, f"/participants/{p.id}/edit", registration_form(phone="1", version="1"),
                         token_path="/caseload")
    assert response.status_code == 409
    db.session.expire_all()
    assert db.session.get(Participant, p.id).phone == "+49 30 1234567"  # unchanged


def test_case_file_sections_have_their_own_addresses(client, auth, counsellor, register):
    p = register()
    auth.login(counsellor)
    for section in ("", "/timeline", "/measures", "/placements", "/data-protection", "/master-data"):
        response = client.get(f"/participants/{p.id}{section}")
        assert response.status_code == 200, section
        html = response.get_data(as_text=True)
        assert p.case_number in html and 'class="case-header"' in html, section   # the summary header
    assert client.get(f"/participants/{p.id}/nonsense").status_code == 404
    # each section shows its own content only
    assert "Stammdaten" in client.get(f"/participants/{p.id}/master-data").get_data(as_text=True)
    assert 'id="master-data"' not in client.get(f"/participants/{p.id}").get_data(as_text=True)
    assert 'id="special-categories"' in client.get(f"/participants/{p.id}/data-protection").get_data(as_text=True)


def test_timeline_filters_by_kind_and_keeps_future_events_out_of_the_past(client, auth, counsellor, register):
    from caseflow.participants.services import add_note, add_status_change
    p = register()
    add_note(p, {"date": date.today(), "kind": "phone", "text": "Called today"}, actor=counsellor)
    add_status_change(p, date_=date.today() + timedelta(days=20), status="employed", actor=counsellor)
    auth.login(counsellor)
    use_english(client, auth)
    html = client.get(f"/participants/{p.id}/timeline").get_data(as_text=True)
    upcoming = html.split('id="upcoming-heading"')[1].split('id="past-heading"')[0]
    past = html.split('id="past-heading"')[1]
    assert "Labour-market status: employed" in upcoming and "Labour-market status: employed" not in past
    assert "Called today" in past and "Called today" not in upcoming
    notes_only = client.get(f"/participants/{p.id}/timeline?kind=notes").get_data(as_text=True)
    assert "Called today" in notes_only and "Labour-market status: employed" not in notes_only
    assert "Entry" not in notes_only.split('id="past-heading"')[1]
    status_only = client.get(f"/participants/{p.id}/timeline?kind=status").get_data(as_text=True)
    assert "Called today" not in status_only and "Labour-market status: employed" in status_only


def test_summary_header_says_when_consent_is_missing(client, auth, counsellor, register):
    p = register()
    auth.login(counsellor)
    use_english(client, auth)
    html = client.get(f"/participants/{p.id}").get_data(as_text=True)
    header = html.split('class="case-header"')[1].split("</header>")[0]
    assert "Consent" in header and "missing" in header
    assert 'class="case-alert"' in html and "No consent to case management is recorded" in html


def test_record_forms_have_their_own_page_with_today_prefilled(client, auth, counsellor, register):
    p = register()
    auth.login(counsellor)
    html = client.get(f"/participants/{p.id}/note/new").get_data(as_text=True)
    assert f'value="{date.today().isoformat()}"' in html and f'action="/participants/{p.id}/notes"' in html
    assert p.case_number in html
    for kind in ("status", "goal", "task"):
        assert client.get(f"/participants/{p.id}/{kind}/new").status_code == 200, kind


def test_record_forms_read_the_header_with_the_participants_row(client, auth, counsellor, org, count_queries):
    """The record forms (note, status, goal, task) show the case header; its facts come with the
    participant's row in one statement, as on the case file, and the page's statements do not grow
    with the case's history."""
    from tests.case_header import add_history, assert_case_header, statements_of
    from tests.factories import ParticipantFactory
    quiet, busy = (ParticipantFactory(organisation=org, counsellor_id=counsellor.id, last_name=name)
                   for name in ("Ruhig", "Beschäftigt"))
    add_history(quiet, org, counsellor, 1)
    add_history(busy, org, counsellor, 5)
    auth.login(counsellor)
    quiet_id, busy_id = quiet.id, busy.id
    for kind in ("note", "status", "goal", "task"):
        quiet_counts, _ = statements_of(client, count_queries, [f"/participants/{quiet_id}/{kind}/new"])
        path = f"/participants/{busy_id}/{kind}/new"
        with count_queries() as q:
            html = client.get(path).get_data(as_text=True)
        assert [q.count] == quiet_counts, kind
        assert_case_header(html, busy)
        with_facts = [s for s in q.statements if "AS last_contact" in s]
        assert len(with_facts) == 1 and "participants.case_number" in with_facts[0], kind


def _header_pages_hold_their_counts(client, count_queries, quiet_paths, busy_paths, busy, headings):
    """Each of `busy_paths` shows `busy`'s case header with its heading, in as many statements as
    the same page of a quiet case, with the header's facts in the participant's statement."""
    from tests.case_header import assert_case_header, statements_of
    quiet_counts, _ = statements_of(client, count_queries, quiet_paths)
    for path, quiet_count, heading in zip(busy_paths, quiet_counts, headings, strict=True):
        with count_queries() as q:
            html = client.get(path).get_data(as_text=True)
        assert q.count == quiet_count, path
        assert_case_header(html, busy, heading)
        with_facts = [s for s in q.statements if "AS last_contact" in s]
        assert len(with_facts) == 1 and "participants.case_number" in with_facts[0], path


def test_note_correction_and_goal_edit_show_the_case_header(client, auth, counsellor, org, count_queries):
    """Correcting a note and editing a goal are about one case, like adding them: the forms sit under
    the case header, whose facts come with the participant's row (get_record_with), and the pages'
    statements do not grow with the case's history."""
    from caseflow.participants.services import add_goal, add_note
    from tests.case_header import add_history, assert_case_header
    from tests.factories import ParticipantFactory
    quiet, busy = (ParticipantFactory(organisation=org, counsellor_id=counsellor.id, last_name=name)
                   for name in ("Ruhig", "Beschäftigt"))
    paths = {}
    for p, n in ((quiet, 1), (busy, 5)):
        add_history(p, org, counsellor, n)
        note = add_note(p, {"date": date(2024, 7, 1), "kind": "phone", "text": "Anruf"}, actor=counsellor)
        goal = add_goal(p, {"title": "Ausbildung finden"}, actor=counsellor)
        paths[p.id] = [f"/participants/{p.id}/notes/{note.id}/edit", f"/participants/{p.id}/goals/{goal.id}/edit"]
    auth.login(counsellor)
    _header_pages_hold_their_counts(client, count_queries, paths[quiet.id], paths[busy.id], busy,
                                    ["Notiz korrigieren", "Ziel bearbeiten"])
    # a refused correction: the form again under the header, its title saying so
    response = post_form(client, auth, paths[busy.id][0], {"date": "", "kind": "phone", "text": "", "version": "1"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert_case_header(html, busy, "Notiz korrigieren")
    assert "<title>Fehler: Notiz korrigieren – " in html
    response = post_form(client, auth, paths[busy.id][1], {"title": "", "status": "open", "version": "1"})
    assert response.status_code == 422
    assert "<title>Fehler: Ziel bearbeiten – " in response.get_data(as_text=True)


def test_master_data_edit_and_reassignment_show_the_case_header(client, auth, counsellor, team_lead, org,
                                                                 count_queries):
    """Editing the master data and reassigning the case are about one case: the forms sit under the
    case header, whose facts (the counsellor among them, which the reassignment names) come with the
    participant's row, and the pages' statements do not grow with the case's history."""
    from caseflow.participants.services import update_participant
    from tests.case_header import add_history, assert_case_header
    from tests.factories import ParticipantFactory
    quiet, busy = (ParticipantFactory(organisation=org, counsellor_id=counsellor.id, last_name=name)
                   for name in ("Ruhig", "Beschäftigt"))
    for p, n in ((quiet, 1), (busy, 5)):
        add_history(p, org, counsellor, n)
    auth.login(team_lead)
    busy_id = busy.id
    paths = {p.id: [f"/participants/{p.id}/edit", f"/participants/{p.id}/reassign"] for p in (quiet, busy)}
    _header_pages_hold_their_counts(client, count_queries, paths[quiet.id], paths[busy.id], busy,
                                    ["Stammdaten bearbeiten", "Neu zuweisen"])
    html = client.get(f"/participants/{busy_id}/reassign").get_data(as_text=True)
    assert f"Bisherige Berater*in: {counsellor.name}</p>" in html

    # refused posts: the form again under the header, its title saying so
    response = post_form(client, auth, f"/participants/{busy_id}/reassign", {"counsellor_id": "", "version": "1"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert_case_header(html, busy, "Neu zuweisen")
    assert "<title>Fehler: Neu zuweisen – " in html
    update_participant(busy, {"phone": "030 999"}, version=busy.version, actor=counsellor)  # someone saves first
    response = post_form(client, auth, f"/participants/{busy_id}/edit",
                         registration_form(first_name=busy.first_name, last_name=busy.last_name, version="1"))
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert_case_header(html, busy, "Stammdaten bearbeiten")
    assert "<title>Fehler: Stammdaten bearbeiten – " in html and "030 999" in html
