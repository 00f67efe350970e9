"""Issue 16, second part: declined-to-answer values, re-entries, the follow-up tasks of imported exits,
and the progress of an import that other connections can read while it writes (SQLite too)."""
import io
from datetime import date, timedelta
from types import SimpleNamespace

import openpyxl
import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from caseflow.database import unit_of_work
from caseflow.extensions import db
from caseflow.imports import progress, services
from caseflow.imports.models import ImportBatch
from caseflow.imports.template import build_template
from caseflow.models_base import utcnow
from caseflow.participants.models import Participant, Task
from caseflow.placements.models import Exit, ReEntry
from caseflow.placements.services import add_months
from tests.factories import ParticipantFactory
from tests.imports.conftest import person, run, xlsx


def run_en(content, actor, **kw):
    """The run with its messages in English (the batch keeps the language it was uploaded in)."""
    with force_locale("en"):
        return run(content, actor, **kw)


def count(model, *where):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


# --- declined to answer ----------------------------------------------------------------------------

@pytest.mark.parametrize(("cell", "stored"), [
    ("yes", "yes"), ("no", "no"), ("declined", "declined"), ("ja", "yes"), ("nein", "no"),
    ("keine Angabe", "declined"), ("keine Angabe gewünscht", "declined"), ("declined to answer", "declined"),
    ("true", "yes"), ("false", "no"), ("1", "yes"), ("0", "no"), (True, "yes"), (False, "no"), (None, "no"),
])
def test_the_three_valued_answers_are_read_in_every_spelling(team_lead, cell, stored):
    batch = run(xlsx({"participants": [person(homeless=cell, foreign_background=cell)]}), team_lead, dry_run=False)
    assert batch.status == "imported", batch.errors
    p = db.session.scalars(sa.select(Participant)).one()
    assert (p.homeless, p.foreign_background) == (stored, stored)


def test_declined_special_categories_need_no_consent_and_a_wrong_answer_is_named(team_lead):
    batch = run_en(xlsx({"participants": [person(disability="keine Angabe", minority="declined"),
                                       person("P-2", first_name="Jonas", homeless="vielleicht")]}), team_lead)
    assert batch.counts["errors"] == 1
    [error] = batch.errors
    assert (error["external_id"], error["column"]) == ("P-2", "Homeless")
    assert "declined" in error["message"]


def test_the_templates_offer_the_three_answers_in_their_drop_downs_and_explanation(app):
    for lang, labels in (("de", {"ja", "nein", "keine Angabe gewünscht"}), ("en", {"yes", "no", "declined to answer"})):
        with app.test_request_context(), force_locale(lang):
            wb = openpyxl.load_workbook(io.BytesIO(build_template(lang)))
        sheet = wb["Teilnehmende" if lang == "de" else "Participants"]
        headers = [c.value for c in sheet[1]]
        letter = openpyxl.utils.get_column_letter(headers.index("Behinderung" if lang == "de" else "Disability") + 1)
        validation = next(dv for dv in sheet.data_validations.dataValidation if f"{letter}2" in str(dv.sqref).split(":")[0])
        lists_name, cells = validation.formula1.split("!")
        lists = wb[lists_name.strip("'")]
        column = cells.split(":")[0].replace("$", "").rstrip("0123456789")
        offered = {lists[f"{column}{r}"].value for r in range(1, 4)}
        assert offered == labels
        explanation = wb["Erläuterungen" if lang == "de" else "Explanation"]
        row = next(r for r in explanation.iter_rows(values_only=True) if r[1] in ("Wohnungslos", "Homeless"))
        assert all(label in row[3] for label in labels)


# --- re-entries --------------------------------------------------------------------------------------

def stays(exits, re_entries, follow_ups=()):
    return {"participants": [person(entry_date=date(2023, 1, 9), unemployed_since=date(2022, 6, 1))],
            "exits": [{"external_id": "P-1", "exit_date": d, "reason": r} for d, r in exits],
            "re_entries": [{"external_id": "P-1", "date": d} for d in re_entries],
            "follow_ups": list(follow_ups)}


def test_exit_re_entry_and_second_exit_in_any_row_order(team_lead):
    # the second exit comes first in its sheet: each exit is judged within the stay it falls in
    content = xlsx(stays([(date(2024, 2, 1), "completed"), (date(2023, 5, 1), "other")], [date(2023, 9, 4)]))
    batch = run(content, team_lead, dry_run=False)
    assert batch.status == "imported", batch.errors
    p = db.session.scalars(sa.select(Participant)).one()
    assert (p.status, p.exit_date, p.exit_reason) == ("exited", date(2024, 2, 1), "completed")
    assert db.session.scalars(sa.select(ReEntry.date)).all() == [date(2023, 9, 4)]
    assert count(Exit) == 2
    assert count(sa.text("audit_entries"), sa.text("action = 'participant.re_entry'")) == 1
    again = run(content, team_lead, dry_run=False)
    assert again.counts["created"] == 0 and again.counts["unchanged"] == 4


def test_a_final_re_entry_leaves_the_case_active(team_lead):
    batch = run(xlsx(stays([(date(2023, 5, 1), "other")], [date(2023, 9, 4)])), team_lead, dry_run=False)
    assert batch.status == "imported", batch.errors
    p = db.session.scalars(sa.select(Participant)).one()
    assert (p.status, p.exit_date, p.exit_reason) == ("active", None, None)


@pytest.mark.parametrize(("exits", "re_entries", "sheet", "message"), [
    ([(date(2023, 5, 1), "other"), (date(2024, 2, 1), "completed")], [], "Exits", "exited already"),
    ([], [date(2023, 9, 4)], "Re-entries", "Only an exited participant"),
    ([(date(2023, 10, 1), "other")], [date(2023, 9, 4)], "Re-entries", "before the last exit (Oct 1, 2023)"),
    ([(date(2023, 5, 1), "other")], [date(2023, 9, 4), date(2023, 9, 4)], "Re-entries", "appears twice"),
    ([(date(2023, 5, 1), "other")], [date.today() + timedelta(days=3)], "Re-entries", "future"),
])
def test_impossible_stays_are_errors_of_their_row(team_lead, exits, re_entries, sheet, message):
    batch = run_en(xlsx(stays(exits, re_entries)), team_lead)
    assert batch.counts["errors"] == 1, batch.errors
    [error] = batch.errors
    assert error["sheet"] == sheet and message in error["message"]


def test_a_follow_up_belongs_to_the_time_after_an_exit(team_lead):
    follow_up = {"external_id": "P-1", "kind": "six_months", "date": date(2024, 1, 15), "status": "employed"}
    batch = run_en(xlsx(stays([(date(2023, 5, 1), "other")], [date(2023, 9, 4)], [follow_up])), team_lead)
    assert [e["message"] for e in batch.errors] == ["The follow-up cannot be after the re-entry (Sep 4, 2023)."]
    early = {**follow_up, "date": date(2023, 6, 1)}   # the funder's window: not before exit + 5 months
    batch = run_en(xlsx(stays([(date(2023, 5, 1), "other")], [], [early])), team_lead)
    assert len(batch.errors) == 1 and "exit + 5 months" in batch.errors[0]["message"]


def test_a_re_entry_of_a_case_already_in_caseflow_is_recorded_in_the_case_file(team_lead):
    run_en(xlsx(stays([(date(2023, 5, 1), "other")], [])), team_lead, dry_run=False)
    batch = run_en(xlsx(stays([(date(2023, 5, 1), "other")], [date(2023, 9, 4)])), team_lead)
    assert [e["sheet"] for e in batch.errors] == ["Re-entries"] and "case file" in batch.errors[0]["message"]


# --- follow-up tasks ---------------------------------------------------------------------------------

def test_a_recent_imported_exit_gives_the_counsellor_the_two_follow_up_tasks(team_lead, counsellor):
    exit_day = date.today() - timedelta(days=10)
    content = xlsx({"participants": [person(entry_date=date(2024, 1, 8), counsellor_email=counsellor.email)],
                    "exits": [{"external_id": "P-1", "exit_date": exit_day, "reason": "completed"}]})
    assert run(content, team_lead).counts["follow_up_tasks"] == 2   # the check says so, writes nothing
    assert count(Task) == 0
    batch = run(content, team_lead, dry_run=False)
    assert batch.status == "imported" and batch.counts["follow_up_tasks"] == 2
    tasks = {t.kind: t for t in db.session.scalars(sa.select(Task))}
    assert tasks["four_week_check"].due_date == exit_day + timedelta(days=28)
    assert tasks["six_month_follow_up"].due_date == add_months(exit_day, 6)
    assert {t.assignee_id for t in tasks.values()} == {counsellor.id}
    assert {t.done_at for t in tasks.values()} == {None}
    from caseflow.imports.cli import report_lines
    with force_locale("en"):
        assert "follow-up tasks for the counsellors (imported exits): 2" in report_lines(batch)
    assert run(content, team_lead, dry_run=False).counts["follow_up_tasks"] == 0  # the re-import adds none
    assert count(Task) == 2


def test_follow_ups_in_the_file_and_exits_long_past_make_no_task(team_lead):
    exit_day = add_months(date.today(), -7)
    rows = {"participants": [person(ext, first_name=name, entry_date=date(2023, 1, 9), unemployed_since=date(2022, 6, 1))
                             for ext, name in (("P-1", "Amira"), ("P-2", "Jonas"), ("P-3", "Leyla"))],
            "exits": [{"external_id": "P-1", "exit_date": exit_day, "reason": "completed"},
                      {"external_id": "P-2", "exit_date": exit_day, "reason": "completed"},
                      {"external_id": "P-3", "exit_date": date(2023, 3, 1), "reason": "completed"}],
            "follow_ups": [{"external_id": "P-1", "kind": "six_months", "date": add_months(exit_day, 6),
                            "status": "employed"}]}
    batch = run(xlsx(rows), team_lead, dry_run=False)
    assert batch.status == "imported", batch.errors
    by_person = {(ext, kind) for ext, kind in db.session.execute(
        sa.select(Participant.first_name, Task.kind).join(Participant, Participant.id == Task.participant_id))}
    # P-1: its six-month follow-up is in the file; the four-week window closed months ago.
    # P-2: six-month follow-up due a month ago, still asked. P-3: exit in 2023, nothing.
    assert by_person == {("Jonas", "six_month_follow_up")}


def test_an_exit_re_entered_in_the_file_makes_no_task_and_undo_removes_the_tasks(team_lead):
    recent = date.today() - timedelta(days=5)
    batch = run(xlsx(stays([(recent - timedelta(days=20), "other")], [recent])), team_lead, dry_run=False)
    assert batch.status == "imported" and count(Task) == 0
    existing = ParticipantFactory(organisation_id=team_lead.organisation_id, entry_date=date(2024, 1, 8))
    from caseflow.imports.models import ImportedParticipant
    with unit_of_work():
        db.session.add(ImportedParticipant(organisation_id=team_lead.organisation_id, external_id="E-1",
                                           participant_id=existing.id, row_hash="x", batch_id=batch.id))
    second = run(xlsx({"exits": [{"external_id": "E-1", "exit_date": recent, "reason": "completed"}]}), team_lead,
                 dry_run=False)
    assert second.status == "imported", second.errors
    assert count(Task, Task.participant_id == existing.id) == 2
    services.undo_batch(db.session.get(ImportBatch, second.id), actor=team_lead)
    assert count(Task, Task.participant_id == existing.id) == 0
    assert db.session.get(Participant, existing.id).status == "active"


# --- progress ----------------------------------------------------------------------------------------

def test_progress_of_an_import_is_readable_by_other_connections_while_it_writes(team_lead, monkeypatch):
    """While the import's unit of work is open (nothing committed yet), a second connection sees the
    batch running and the rows done so far, on both databases."""
    seen = []
    made = progress.writer

    def observed(batch_id, total, *, importing):
        write = made(batch_id, total, importing=importing)
        if write is None or not importing:
            return write

        def write_and_look(done):
            write(done)
            with db.engine.connect() as other:   # another connection, as another worker's page
                row = other.execute(sa.select(ImportBatch.status, ImportBatch.progress_done, ImportBatch.progress_total)
                                    .where(ImportBatch.id == batch_id)).one()
                people = other.scalar(sa.select(sa.func.count()).select_from(Participant))
            shown = progress.progress_of(SimpleNamespace(id=batch_id, status=row.status, progress_done=row.progress_done,
                                                         progress_total=row.progress_total))
            seen.append((row.status, people, shown))
        return write_and_look

    monkeypatch.setattr(progress, "writer", observed)
    rows = [person(f"B-{i}", first_name=f"Name{i}", date_of_birth=date(1970 + i % 30, 1 + i % 12, 1 + i % 28))
            for i in range(700)]
    batch = run(xlsx({"participants": rows, "notes": [{"external_id": f"B-{i}", "date": date(2024, 3, 5), "kind": "meeting",
                                                       "text": "Erstgespräch"} for i in range(700)]}),
                team_lead, dry_run=False, accept_duplicates=True)
    assert batch.status == "imported", (batch.errors, batch.duplicates[:2])
    assert ("running", 0, (500, 1400)) in seen and ("running", 0, (1000, 1400)) in seen
    assert progress.progress_of(batch) == (1400, 1400)


def test_the_page_and_the_api_show_the_progress_of_a_running_import(client, auth, api_as, team_lead):
    auth.login(team_lead)
    batch = services.create_batch(xlsx({"participants": [person()]}), "a.xlsx", organisation_id=team_lead.organisation_id,
                                  actor=team_lead, dry_run=False)
    with unit_of_work():
        db.session.get(ImportBatch, batch.id).status = "running"
    progress.writer(batch.id, 4000, importing=True)(1500)
    page = client.get(f"/imports/{batch.id}").get_data(as_text=True)
    assert 'value="1500"' in page and 'max="4000"' in page
    assert api_as(team_lead).get(f"/imports/{batch.id}").json["progress"] == {"done": 1500, "total": 4000}


def test_a_running_import_with_a_fresh_heartbeat_is_not_taken_over(team_lead):
    batch = services.create_batch(xlsx({"participants": [person()]}), "a.xlsx", organisation_id=team_lead.organisation_id,
                                  actor=team_lead, dry_run=False)
    with unit_of_work():
        item = db.session.get(ImportBatch, batch.id)
        item.status, item.started_at = "running", utcnow() - timedelta(minutes=30)
    progress.writer(batch.id, 10, importing=True)(5)
    assert services.run_pending() == []
    db.session.expire_all()
    assert db.session.get(ImportBatch, batch.id).status == "running"


def test_the_pass_keeps_the_translations_at_hand_and_still_follows_force_locale(app):
    from flask_babel import get_domain, gettext

    from caseflow.imports.engine import translations_pinned
    with app.test_request_context(), force_locale("de"):
        base = get_domain()
        with translations_pinned():
            assert get_domain() is not base
            assert gettext("Re-entries") == "Wiedereintritte"
            with force_locale("en"):   # the labels of both languages are read this way (imports/convert.py)
                assert gettext("Re-entries") == "Re-entries"
            assert gettext("Re-entries") == "Wiedereintritte"
        assert get_domain() is base


def test_an_open_enrolment_of_a_later_stay_does_not_block_the_earlier_exit(team_lead, measure):
    rows = stays([(date(2024, 2, 1), "other")], [date(2024, 3, 1)])
    rows["enrolments"] = [{"external_id": "P-1", "measure": measure.title, "status": "active",
                           "start_date": date(2024, 3, 15)}]
    batch = run_en(xlsx(rows), team_lead, dry_run=False)
    assert batch.status == "imported", batch.errors
    p = db.session.scalars(sa.select(Participant)).one()
    assert p.status == "active" and count(Exit) == 1 and count(ReEntry) == 1
    rows["enrolments"][0]["start_date"] = date(2024, 1, 15)   # open across the exit: refused as before
    rows["participants"][0]["external_id"] = "P-2"
    for kind in ("exits", "re_entries", "enrolments"):
        for row in rows[kind]:
            row["external_id"] = "P-2"
    batch = run_en(xlsx(rows), team_lead, accept_duplicates=True)
    assert [e["sheet"] for e in batch.errors] == ["Exits", "Re-entries"]   # the re-entry then follows no exit
    assert "planned or active enrolment" in batch.errors[0]["message"]
