"""Issue 16: the import, through its services (the pages, the API and the command line call the same)."""
import io
from datetime import date

import openpyxl
import sqlalchemy as sa
from flask_babel import force_locale

from caseflow.audit.models import AuditEntry
from caseflow.extensions import db
from caseflow.imports import services
from caseflow.imports.models import ImportBatch, ImportedParticipant
from caseflow.imports.template import build_template
from caseflow.measures.models import Employer, Enrolment
from caseflow.participants.models import ForeignQualification, Note, Participant, ParticipantLanguage, StatusChange
from caseflow.placements.models import Certificate, Exit, FollowUp, Placement
from caseflow.vocabulary import NOTE_KINDS
from tests.factories import ParticipantFactory
from tests.imports.conftest import person, run, xlsx


def count(model, *where):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def full_history(measure_title="Jobmatching Neukölln", ext="P-1", **master):
    return {
        "participants": [person(ext, residence_status="recognised_refugee", education_isced=6, german_level="B1", **master)],
        "languages": [{"external_id": ext, "language": "ar", "level": "native"},
                      {"external_id": ext, "language": "de", "level": "B1"}],
        "qualifications": [{"external_id": ext, "title": "Bachelor Bauingenieurwesen", "country": "SY", "isced": 6,
                            "recognition_status": "partial"}],
        "status_changes": [{"external_id": ext, "date": date(2024, 4, 1), "status": "education_or_training"}],
        "enrolments": [{"external_id": ext, "measure": measure_title, "status": "completed",
                        "start_date": date(2024, 3, 15), "end_date": date(2024, 6, 30)}],
        "notes": [{"external_id": ext, "date": date(2024, 3, 20), "kind": "meeting", "text": "Erstgespräch", "minutes": 45}],
        "placements": [{"external_id": ext, "type": "employment", "employer_name": "Vivantes Klinikum",
                        "job_title": "Bauzeichnerin", "start_date": date(2024, 7, 1), "weekly_hours": 38.5,
                        "permanent": True}],
        "certificates": [{"external_id": ext, "date": date(2024, 6, 30), "title": "Deutsch B2"}],
        "exits": [{"external_id": ext, "exit_date": date(2024, 7, 15), "reason": "completed"}],
        "follow_ups": [{"external_id": ext, "kind": "six_months", "date": date(2025, 1, 20), "status": "employed"}],
    }


def test_every_kind_of_record_is_imported_with_its_audit_entry(team_lead, measure):
    content = xlsx(full_history())
    checked = run(content, team_lead)
    assert checked.status == "checked", checked.errors
    assert checked.counts["created"] == 11 and checked.counts["errors"] == 0
    assert count(Participant) == 0  # the check wrote nothing

    batch = run(content, team_lead, dry_run=False)
    assert batch.status == "imported", batch.errors
    p = db.session.scalars(sa.select(Participant)).one()
    assert (p.first_name, p.status, p.exit_date, p.exit_reason, p.german_level) == \
        ("Amira", "exited", date(2024, 7, 15), "completed", "B1")
    assert p.case_number.startswith("CF-") and p.duplicate_key and "amira" in p.search_key
    assert {(r.language, r.level) for r in db.session.scalars(sa.select(ParticipantLanguage))} == {("ar", "native"), ("de", "B1")}
    assert db.session.scalars(sa.select(ForeignQualification.recognition_status)).one() == "partial"
    enrolment = db.session.scalars(sa.select(Enrolment)).one()
    assert (enrolment.measure_id, enrolment.status) == (measure.id, "completed")
    assert db.session.scalars(sa.select(Note.text)).one() == "Erstgespräch"
    placement = db.session.scalars(sa.select(Placement)).one()
    employer = db.session.scalars(sa.select(Employer)).one()
    assert (placement.employer_id, employer.name, str(placement.weekly_hours)) == (employer.id, "Vivantes Klinikum", "38.5")
    assert count(Certificate) == 1 and count(Exit) == 1
    assert db.session.scalars(sa.select(FollowUp.improved_situation)).one() is None  # not employed at entry
    history = db.session.execute(sa.select(StatusChange.date, StatusChange.status, StatusChange.source)
                                 .order_by(StatusChange.date)).all()
    assert [tuple(h) for h in history] == [
        (date(2024, 3, 1), "unemployed", "entry"), (date(2024, 4, 1), "education_or_training", "manual"),
        (date(2024, 7, 1), "employed", "placement"), (date(2025, 1, 20), "employed", "follow_up")]
    actions = set(db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.participant_id == p.id)))
    assert {"participant.create", "enrolment.create", "note.create", "placement.create", "certificate.create",
            "participant.exit", "follow_up.create", "status_change.create"} <= actions
    assert count(AuditEntry, AuditEntry.action == "employer.create") == 1
    assert db.session.get(ImportBatch, batch.id).content is None  # the file's copy is gone once imported


def test_german_and_english_headers_give_the_same_cases(team_lead, measure):
    for lang, ext, name in (("de", "DE-1", "Amira"), ("en", "EN-1", "Leyla")):
        batch = run(xlsx(full_history(ext=ext, first_name=name), lang), team_lead, dry_run=False)
        assert batch.status == "imported", batch.errors
    a, b = db.session.scalars(sa.select(Participant).order_by(Participant.id)).all()
    fields = ("date_of_birth", "gender", "nationality", "residence_status", "entry_date", "status", "exit_date")
    assert [getattr(a, f) for f in fields] == [getattr(b, f) for f in fields]


def test_semicolon_csv_in_windows_1252_with_german_dates_and_labels(team_lead):
    text = ("Externe ID;Vorname;Nachname;Geburtsdatum;Geschlecht;Staatsangehörigkeit;Eintrittsdatum;"
            "Erwerbsstatus bei Eintritt;Arbeitslos seit\r\n"
            "K-7;Jürgen;Müller-Öztürk;03.02.1985;männlich;TR;15.01.2024;arbeitslos;01.06.2023\r\n")
    batch = run(text.encode("cp1252"), team_lead, dry_run=False, name="teilnehmende.csv")
    assert batch.status == "imported", batch.errors
    p = db.session.scalars(sa.select(Participant)).one()
    assert (p.first_name, p.last_name, p.gender, p.date_of_birth, p.labour_status_at_entry) == \
        ("Jürgen", "Müller-Öztürk", "male", date(1985, 2, 3), "unemployed")


def test_comma_csv_in_utf8_with_bom(team_lead):
    text = ("\ufeffexternal_id,first_name,last_name,date_of_birth,gender,nationality,entry_date,labour_status_at_entry\n"
            "U-1,Oksana,Kovalenko,1988-11-02,female,UA,2024-05-06,inactive\n")
    batch = run(text.encode("utf-8"), team_lead, dry_run=False, name="people.csv")
    assert batch.status == "imported", batch.errors
    assert db.session.scalars(sa.select(Participant.first_name)).one() == "Oksana"


def test_template_round_trip(team_lead, measure):
    """Download the template, fill it in as a user would (labels from the drop-downs), import it."""
    for lang in ("de", "en"):
        wb = openpyxl.load_workbook(io.BytesIO(build_template(lang)))
        explanation = wb.worksheets[0]
        assert explanation.title == ("Erläuterungen" if lang == "de" else "Explanation")
        sheet = wb["Teilnehmende" if lang == "de" else "Participants"]
        assert sheet.data_validations.dataValidation, "drop-downs in the cells"
        assert any("Lists" in (dv.formula1 or "") or "Listen" in (dv.formula1 or "")
                   for dv in sheet.data_validations.dataValidation)
        female = "weiblich" if lang == "de" else "female"
        unemployed = "arbeitslos" if lang == "de" else "unemployed"
        sheet.append([f"T-{lang}", "Leyla", f"Rahimi{lang}", date(1992, 1, 9 if lang == "de" else 10), female, "AF", None, None, None, None,
                      None, None, None, None, None, None, date(2024, 2, 1), unemployed, date(2023, 1, 1)])
        notes = wb["Verlaufsnotizen" if lang == "de" else "Notes"]
        with force_locale(lang):
            phone = str(NOTE_KINDS["phone"])   # as the drop-down offers it
        notes.append([f"T-{lang}", "12.02.2024", phone, "Termin vereinbart", 10])
        out = io.BytesIO()
        wb.save(out)
        batch = run(out.getvalue(), team_lead, dry_run=False)
        assert batch.status == "imported", batch.errors
        assert batch.counts["created"] == 2
    assert count(Note, Note.kind == "phone") == 2


def test_every_validation_error_is_reported_by_sheet_row_and_column_and_nothing_is_written(team_lead, measure):
    data = full_history()
    data["participants"].append(person("P-2", first_name="", date_of_birth="31.02.1990", gender="xyz"))
    data["notes"].append({"external_id": "P-1", "date": date(2024, 3, 21), "kind": "chat", "text": "x"})
    data["placements"].append({"external_id": "P-1", "type": "employment", "start_date": date(2020, 1, 1),
                               "weekly_hours": 90, "employer_name": "X"})
    data["enrolments"].append({"external_id": "P-9", "measure": "No such measure", "status": "active"})
    data["follow_ups"][0]["status"] = "rich"
    for dry_run in (True, False):
        batch = run(xlsx(data), team_lead, dry_run=dry_run)
        assert batch.status == ("checked" if dry_run else "failed")
        found = {(e["sheet"], e["row"], e["column"]) for e in batch.errors}
        assert {("Participants", 3, "First name"), ("Participants", 3, "Date of birth"), ("Participants", 3, "Gender"),
                ("Notes", 3, "Kind"), ("Placements", 3, "Start"), ("Placements", 3, "Weekly hours"),
                ("Enrolments", 3, "External ID"), ("Enrolments", 3, "Measure"), ("Follow-ups", 2, "Labour status")} <= found
        assert all(e["message"] for e in batch.errors)
        assert count(Participant) == 0 and count(Note) == 0 and count(Employer) == 0
    # the messages are in the reader's language
    with force_locale("de"):
        german = run(xlsx({"participants": [person(first_name="")]}), team_lead)
    assert german.errors[0]["message"] == "Dieses Feld ist erforderlich."


def test_skipping_the_participants_with_errors(team_lead):
    content = xlsx({"participants": [person("A"), person("B", first_name="", last_name="Nobody")],
                    "notes": [{"external_id": "B", "date": date(2024, 3, 5), "kind": "phone", "text": "t"}]})
    checked = run(content, team_lead)
    assert checked.counts["errors"] == 1 and not services.importable(checked)
    services.configure(checked, actor=team_lead, skip_invalid=True, import_now=True)
    services.run_batch(checked.id)
    db.session.expire_all()
    assert db.session.get(ImportBatch, checked.id).status == "imported"
    assert db.session.scalars(sa.select(Participant.first_name)).all() == ["Amira"]
    assert count(Note) == 0


def test_possible_duplicates_within_the_file_and_against_the_database(team_lead, org):
    ParticipantFactory(organisation=org, first_name="Mohammed", last_name="Al-Hassan", date_of_birth=date(1991, 4, 2),
                       duplicate_key=__import__("caseflow.participants.names", fromlist=["x"]).duplicate_key("Mohammed", "Al-Hassan"))
    content = xlsx({"participants": [
        person("D-1", first_name="Muhammad", last_name="Alhassan", date_of_birth=date(1991, 4, 2)),
        person("D-2", first_name="Oksana", last_name="Kowalenko", date_of_birth=date(1988, 1, 1)),
        person("D-3", first_name="Oxana", last_name="Kovalenko", date_of_birth=date(1988, 1, 1)),
        person("D-4", first_name="Someone", last_name="Else", date_of_birth=date(1988, 1, 1))]})
    batch = run(content, team_lead)
    by_ext = {d["external_id"]: d for d in batch.duplicates}
    assert set(by_ext) == {"D-1", "D-3"}
    assert by_ext["D-1"]["candidates"] and by_ext["D-3"]["rows"] == [3]
    assert not services.importable(batch)
    refused = run(content, team_lead, dry_run=False)
    assert refused.status == "failed" and count(Participant) == 1
    accepted = run(content, team_lead, dry_run=False, accept_duplicates=True)
    assert accepted.status == "imported" and count(Participant) == 5


def test_reimport_is_unchanged_and_a_changed_row_updates_with_an_audit_entry(team_lead, measure):
    content = xlsx(full_history())
    first = run(content, team_lead, dry_run=False)
    assert first.status == "imported"
    again = run(content, team_lead, dry_run=False)
    assert again.status == "imported" and again.counts["created"] == 0
    assert again.counts["unchanged"] == 11 and again.counts["updated"] == 0
    assert count(Participant) == 1 and count(Note) == 1 and count(StatusChange) == 4

    changed = full_history(last_name="Haddad-Nasser")
    changed["notes"].append({"external_id": "P-1", "date": date(2024, 5, 2), "kind": "phone", "text": "Nachfrage"})
    update = run(xlsx(changed), team_lead, dry_run=False)
    assert update.status == "imported", update.errors
    assert (update.counts["updated"], update.counts["created"]) == (1, 1)
    p = db.session.scalars(sa.select(Participant)).one()
    assert p.last_name == "Haddad-Nasser" and "haddad" in p.search_key and p.version > 1
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "participant.update")).one()
    assert entry.changes["last_name"] == ["Haddad", "Haddad-Nasser"] and entry.participant_id == p.id
    assert count(Note) == 2 and count(ImportedParticipant) == 1


def test_undo_removes_what_the_batch_wrote_and_is_refused_once_a_case_changed(team_lead, counsellor, measure):
    from caseflow.participants import services as participant_services
    batch = run(xlsx(full_history()), team_lead, dry_run=False)
    assert services.may_undo(batch, team_lead) and not services.may_undo(batch, counsellor)
    services.undo_batch(batch, actor=team_lead)
    assert db.session.get(ImportBatch, batch.id).status == "undone"
    assert count(Participant) == 0 and count(Placement) == 0 and count(ImportedParticipant) == 0
    assert count(Employer) == 1  # the directory keeps the employer

    second = run(xlsx(full_history(ext="P-2")), team_lead, dry_run=False)
    p = db.session.scalars(sa.select(Participant)).one()
    db.session.expire_all()
    participant_services.add_note(p, {"date": date(2024, 8, 1), "kind": "phone", "text": "Nachgefragt"}, actor=counsellor)
    assert not services.may_undo(second, team_lead)
    import pytest

    from caseflow.errors import Conflict
    with pytest.raises(Conflict):
        services.undo_batch(second, actor=team_lead)
    assert count(Participant) == 1


def test_undo_of_an_update_restores_the_master_data(team_lead):
    run(xlsx({"participants": [person()]}), team_lead, dry_run=False)
    update = run(xlsx({"participants": [person(last_name="Nasser")]}), team_lead, dry_run=False)
    assert update.counts["updated"] == 1
    services.undo_batch(update, actor=team_lead)
    p = db.session.scalars(sa.select(Participant)).one()
    db.session.refresh(p)
    assert p.last_name == "Haddad"
    assert run(xlsx({"participants": [person()]}), team_lead).counts["unchanged"] == 1


def test_formula_cells_are_read_as_their_saved_values_never_evaluated(team_lead):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Participants"
    ws.append(["External ID", "First name", "Last name", "Date of birth", "Gender", "Nationality", "Entry date",
               "Labour status at entry"])
    ws.append(["F-1", '=HYPERLINK("http://evil.example","x")', "=1+1", "1990-01-01", "female", "SY", "2024-01-01",
               "inactive"])
    out = io.BytesIO()
    wb.save(out)   # openpyxl saves no cached values: read with data_only the cells are empty
    batch = run(out.getvalue(), team_lead)
    assert {e["column"] for e in batch.errors} == {"First name", "Last name"}
    assert count(Participant) == 0


def test_files_that_are_too_large_or_not_spreadsheets_are_refused(team_lead, app):
    import pytest

    from caseflow.errors import DomainError
    with pytest.raises(DomainError) as err:
        services.create_batch(b"%PDF-1.7\x00\x00binary", "cv.pdf", organisation_id=team_lead.organisation_id, actor=team_lead)
    assert "spreadsheet" in err.value.message or "Tabelle" in err.value.message
    with pytest.raises(DomainError):
        services.create_batch(b"PK\x03\x04 not really a zip", "x.xlsx", organisation_id=team_lead.organisation_id, actor=team_lead)
    old = app.config["MAX_IMPORT_MB"]
    app.config["MAX_IMPORT_MB"] = 0
    try:
        with pytest.raises(DomainError) as err:
            services.create_batch(b"a,b\n1,2\n", "x.csv", organisation_id=team_lead.organisation_id, actor=team_lead)
        assert "MB" in err.value.message
    finally:
        app.config["MAX_IMPORT_MB"] = old
    assert count(ImportBatch) == 0


def test_unknown_headers_go_to_the_mapping_step(team_lead):
    content = xlsx({"participants": [person()]}).replace(b"", b"")
    wb = openpyxl.load_workbook(io.BytesIO(content))
    ws = wb["Participants"]
    ws["B1"] = "Rufname"   # instead of "First name"
    out = io.BytesIO()
    wb.save(out)
    batch = run(out.getvalue(), team_lead)
    assert batch.unmapped == [{"sheet": "Participants", "header": "Rufname", "kind": "participants"}]
    assert not services.importable(batch)
    services.configure(batch, actor=team_lead, mapping={"Participants": {"Rufname": "first_name"}})
    services.run_batch(batch.id)
    db.session.expire_all()
    batch = db.session.get(ImportBatch, batch.id)
    assert batch.unmapped == [] and batch.counts["errors"] == 0 and services.importable(batch)


def test_a_large_file_runs_in_the_background_and_reports_progress(team_lead, app):
    """The runner thread: state in the batch row, which is what the page reads."""
    import time
    rows = [person(f"B-{i}", first_name=f"Name{i}", date_of_birth=date(1970 + i % 30, 1 + i % 12, 1 + i % 28))
            for i in range(600)]
    batch = services.create_batch(xlsx({"participants": rows}), "big.xlsx", organisation_id=team_lead.organisation_id,
                                  actor=team_lead)
    services.start(batch.id, background=True)
    for _ in range(300):
        db.session.expire_all()
        current = db.session.get(ImportBatch, batch.id)
        if current.status not in ("queued", "running"):
            break
        time.sleep(0.1)
    assert current.status == "checked" and current.progress_done == 600 and current.counts["created"] == 600
    assert services.run_pending() == []  # nothing left for `jobs run`


def test_run_pending_picks_up_queued_batches_and_drops_old_unimported_files(team_lead):
    from datetime import timedelta

    from caseflow.database import unit_of_work
    from caseflow.models_base import utcnow
    queued = services.create_batch(xlsx({"participants": [person()]}), "a.xlsx",
                                   organisation_id=team_lead.organisation_id, actor=team_lead)
    old = run(xlsx({"participants": [person("Z-1", first_name="Zoe")]}), team_lead)
    with unit_of_work():
        old.created_at = utcnow() - timedelta(days=8)
    assert services.run_pending() == [queued.id]
    db.session.expire_all()
    assert db.session.get(ImportBatch, queued.id).status == "checked"
    assert db.session.get(ImportBatch, old.id).content is None
    assert db.session.get(ImportBatch, queued.id).content is not None


def test_undo_frees_the_places_its_enrolments_held_for_the_waiting_list(team_lead, counsellor, measure):
    """An imported enrolment that holds the measure's only place: undoing the import removes it, and
    the first on the waiting list gets the place (and its counsellor the task), as when an
    enrolment ends through the measures' own services."""
    from caseflow.database import unit_of_work
    from caseflow.measures import services as measure_services
    from caseflow.measures.services import EnrolmentInput
    from caseflow.participants.models import Task
    with unit_of_work():
        measure.capacity = 1
    batch = run(xlsx({"participants": [person()],
                      "enrolments": [{"external_id": "P-1", "measure": measure.title, "status": "active",
                                      "start_date": date(2024, 3, 15)}]}), team_lead, dry_run=False)
    assert batch.status == "imported", batch.errors
    waiting = ParticipantFactory(organisation=measure.organisation, counsellor=counsellor)
    db.session.commit()
    enrolment = measure_services.enrol_participant(waiting, measure, EnrolmentInput(status="planned"), actor=counsellor)
    assert enrolment.waitlisted_at is not None and measure_services.places_taken(measure.id) == 1

    services.undo_batch(db.session.get(ImportBatch, batch.id), actor=team_lead)
    db.session.expire_all()
    moved = db.session.get(Enrolment, enrolment.id)
    assert moved.waitlisted_at is None and measure_services.places_taken(measure.id) == 1
    assert count(AuditEntry, AuditEntry.action == "enrolment.place_offered", AuditEntry.object_id == enrolment.id) == 1
    assert count(Task, Task.participant_id == waiting.id, Task.kind == "place_offered") == 1
