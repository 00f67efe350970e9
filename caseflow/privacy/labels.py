"""Readable, translated names for the sections and fields of the printable subject-access export
and the record of processing. Unknown names fall back to the column name itself."""
from __future__ import annotations

from caseflow.translation import lazy_gettext as _l

TABLE_LABELS = {
    "participants": _l("Master data"),
    "participant_languages": _l("Languages"),
    "foreign_qualifications": _l("Foreign qualifications"),
    "status_changes": _l("Labour-market status history"),
    "notes": _l("Notes"),
    "note_revisions": _l("Earlier versions of notes"),
    "goals": _l("Goals"),
    "tasks": _l("Tasks"),
    "enrolments": _l("Enrolments in measures"),
    "attendances": _l("Attendance"),
    "placements": _l("Placements"),
    "exits": _l("Exits"),
    "re_entries": _l("Re-entries"),
    "certificates": _l("Certificates"),
    "follow_ups": _l("Follow-ups"),
    "consents": _l("Consents"),
    "audit_entries": _l("Audit trail"),
}

COLUMN_LABELS = {
    "action": _l("action"), "actor_name": _l("by"), "address": _l("address"),
    "age_at_entry": _l("age at entry"), "anonymised_at": _l("anonymised on"),
    "arrival_year": _l("year of arrival"), "assignee_name": _l("assigned to"), "at": _l("time"),
    "attendance_alerted_at": _l("attendance alert sent"), "author_name": _l("author"),
    "birth_year": _l("year of birth"), "case_number": _l("case number"), "changes": _l("changes"),
    "city": _l("city"), "counsellor_name": _l("counsellor"), "country": _l("country"),
    "country_of_birth": _l("country of birth"), "created_at": _l("recorded at"),
    "created_by_name": _l("recorded by"), "date": _l("date"), "date_of_birth": _l("date of birth"),
    "details": _l("details"), "disability": _l("disability"), "district": _l("district"),
    "done_at": _l("done at"), "dropout_reason": _l("reason for dropping out"), "due_date": _l("due date"),
    "education_isced": _l("education (ISCED)"), "email": _l("email"), "employer_name": _l("employer"),
    "end_date": _l("end date"), "entry_date": _l("entry date"), "evidence": _l("evidence"),
    "exit_date": _l("exit date"), "exit_reason": _l("exit reason"), "first_name": _l("first name"),
    "foreign_background": _l("foreign background"), "form": _l("form"), "gender": _l("gender"),
    "german_level": _l("German level"), "given_on": _l("given on"), "homeless": _l("homeless"),
    "host_employer_name": _l("host company"), "improved_situation": _l("improved situation"),
    "improvement_kind": _l("kind of improvement"), "isced": _l("ISCED level"),
    "issuing_body": _l("issued by"), "job_title": _l("job title"), "kind": _l("kind"),
    "labour_status_at_entry": _l("labour-market status at entry"), "language": _l("language"),
    "last_name": _l("last name"), "level": _l("level"), "matches_qualification": _l("matches qualification"),
    "measure_title": _l("measure"), "minority": _l("minority"), "minutes": _l("minutes"),
    "nationality": _l("nationality"), "next_steps": _l("next steps"), "notice_language": _l("language of the notice"),
    "notice_version": _l("version of the notice"), "object_type": _l("object"), "object_id": _l("object no."),
    "occupation": _l("occupation"), "organisation_name": _l("organisation"), "permanent": _l("permanent"),
    "phone": _l("phone number"), "postcode": _l("postcode"), "preferred_language": _l("preferred language"),
    "present": _l("present"), "purpose": _l("purpose"), "reason": _l("reason"),
    "recognition_status": _l("recognition status"), "recorded_by_name": _l("recorded by"),
    "replaced_at": _l("replaced at"), "replaced_by_name": _l("replaced by"),
    "residence_status": _l("residence status"), "restricted_at": _l("processing restricted since"),
    "restriction_reason": _l("reason for the restriction"), "source": _l("source"),
    "special_categories_consent_date": _l("consent to special categories given on"),
    "start_date": _l("start date"), "status": _l("status"), "street": _l("street"),
    "target_date": _l("target date"), "text": _l("text"), "title": _l("title"), "type": _l("type"),
    "unemployed_since": _l("unemployed since"), "updated_at": _l("last changed"),
    "waitlisted_at": _l("on the waiting list since"), "weekly_hours": _l("weekly hours"),
    "withdrawn_on": _l("withdrawn on"), "witness": _l("witness"), "work_permission": _l("work permission"),
    "note_id": _l("note no."), "id": _l("no."), "enrolment_id": _l("enrolment no."),
    "placement_id": _l("placement no."), "session_id": _l("session no."),
    "linked_enrolment_id": _l("linked enrolment no."),
}

# Columns the printable page leaves out (bookkeeping; the JSON export keeps them).
HIDDEN_COLUMNS = {"participant_id", "version", "organisation_id", "actor_id", "counsellor_id", "author_id",
                  "assignee_id", "created_by_id", "recorded_by_id", "replaced_by_id", "measure_id",
                  "employer_id", "host_employer_id"}


def table_label(name: str) -> str:
    return str(TABLE_LABELS.get(name, name.replace("_", " ")))


def column_label(name: str) -> str:
    return str(COLUMN_LABELS.get(name, name.replace("_", " ")))
