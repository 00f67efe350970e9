"""The audit log in words: actions, objects and changed fields as a reader names them, translated,
never the stored codes (`participant.update`, `special_categories_consent_date`).

An action is `<object>.<verb>`; most read as the object's name and the verb's words ("Master data:
changed"), some have a sentence of their own. `tests/audit_log` checks that every action the code
records has words here."""
from __future__ import annotations

from caseflow.privacy.labels import COLUMN_LABELS
from caseflow.translation import lazy_gettext as _l

# Actions whose words are not "<object>: <verb>".
ACTION_LABELS = {
    "case.view": _l("Case file opened"),
    "case.export": _l("Case file exported"),
    "login": _l("Signed in"),
    "logout": _l("Signed out"),
    "login.success": _l("Signed in"),
    "login.failure": _l("Sign-in failed"),
    "login.password_ok": _l("Password accepted, second factor asked"),
    "login.refused_locked": _l("Sign-in refused: too many attempts"),
    "login.lockout": _l("Sign-in locked after too many attempts"),
    "login.recovery_code_used": _l("Signed in with a recovery code"),
    "session.end": _l("Session ended"),
    "participant.special_categories_cleared": _l("Special categories removed after the consent was withdrawn"),
    "participant.restrict": _l("Processing restricted"),
    "participant.lift_restriction": _l("Restriction of processing lifted"),
    "participant.anonymise": _l("Personal data anonymised"),
    "participant.exit": _l("Exit recorded"),
    "participant.re_entry": _l("Re-entry recorded"),
    "participant.reassign": _l("Case handed to another counsellor"),
    "user.password_reset_requested": _l("Password reset requested"),
    "user.password_reset_sent": _l("Password reset link sent"),
    "user.password_reset_link": _l("Password reset link created"),
    "user.password_reset_throttled": _l("Password reset refused: too many requests"),
    "user.password_change": _l("Password changed"),
    "user.invitation_accepted": _l("Invitation accepted"),
    "user.handover": _l("Cases handed over before deactivation"),
    "enrolment.close_at_exit": _l("Enrolment closed at the exit"),
    "enrolment.bulk": _l("Several participants enrolled"),
    "enrolment.place_offered": _l("Place offered from the waiting list"),
    "enrolment.attendance_alert": _l("Attendance alert"),
    "placement.contract_gap": _l("Placement: reason for the missing contract"),
    "referral.packet_view": _l("Referral: data packet opened"),
    "referral.receive": _l("Referral received"),
    "reminders.digest": _l("Reminder mail sent"),
    "retention.run": _l("Retention period applied"),
    "report.download": _l("Report downloaded"),
    "monitoring.export": _l("Monitoring data exported"),
    "caseload.download": _l("Caseload list exported"),
    "partner_enrolment.attendance": _l("Partner enrolment: attendance recorded"),
    "partner_enrolment.outcome": _l("Partner enrolment: outcome recorded"),
    "partner_enrolment.packet_view": _l("Partner enrolment: data packet opened"),
    "partner_enrolment.receive": _l("Enrolment from a partner organisation received"),
    "partnership.coordinator_add": _l("Coordinator linked to the partnership"),
    "partnership.leave": _l("Organisation left the partnership"),
}

OBJECT_LABELS = {
    "participant": _l("Master data"),
    "note": _l("Note"),
    "goal": _l("Goal"),
    "task": _l("Task"),
    "status_change": _l("Labour-market status"),
    "consent": _l("Consent"),
    "enrolment": _l("Enrolment"),
    "measure": _l("Measure"),
    "employer": _l("Employer"),
    "placement": _l("Placement"),
    "certificate": _l("Qualification"),
    "follow_up": _l("Follow-up"),
    "attendance": _l("Attendance"),
    "attendance_session": _l("Attendance session"),
    "appointment": _l("Appointment"),
    "calendar_feed": _l("Calendar feed"),
    "document": _l("Document"),
    "import": _l("Import"),
    "referral": _l("Referral"),
    "partnership": _l("Partnership"),
    "organisation": _l("Organisation"),
    "user": _l("Account"),
    "token": _l("API token"),
    "saved_filter": _l("Saved caseload filter"),
    "data_sharing_agreement": _l("Data-sharing agreement"),
}

VERB_LABELS = {
    "create": _l("added"),
    "record": _l("recorded"),
    "update": _l("changed"),
    "delete": _l("deleted"),
    "complete": _l("done"),
    "reopen": _l("reopened"),
    "reassign": _l("handed to someone else"),
    "end": _l("ended"),
    "cancel": _l("cancelled"),
    "withdraw": _l("withdrawn"),
    "accept": _l("accepted"),
    "decline": _l("declined"),
    "invite": _l("invited"),
    "renew": _l("given a new address"),
    "upload": _l("uploaded"),
    "download": _l("downloaded"),
    "view": _l("opened"),
    "replace": _l("replaced by a new version"),
    "purge": _l("removed for good"),
    "run": _l("run"),
    "undo": _l("undone"),
    "checked": _l("checked"),
    "failed": _l("failed"),
    "imported": _l("imported"),
    "undone": _l("undone"),
}

# The tables an entry's object lives in (audit.record stores obj.__tablename__).
TABLE_OBJECTS = {
    "participants": "participant", "notes": "note", "goals": "goal", "tasks": "task",
    "status_changes": "status_change", "consents": "consent", "enrolments": "enrolment", "measures": "measure",
    "employers": "employer", "placements": "placement", "certificates": "certificate", "follow_ups": "follow_up",
    "attendances": "attendance", "attendance_sessions": "attendance_session", "appointments": "appointment",
    "calendar_feeds": "calendar_feed", "documents": "document", "import_batches": "import",
    "referrals": "referral", "partnerships": "partnership", "partnership": "partnership",
    "organisations": "organisation", "users": "user", "api_tokens": "token", "exits": "participant",
    "re_entries": "participant", "saved_filters": "saved_filter",
    "data_sharing_agreements": "data_sharing_agreement",
}
OTHER_OBJECTS = {
    "report": _l("Report"),
    "monitoring_export": _l("Monitoring export"),
    "contract_gaps": _l("Placement"),
}

FIELD_LABELS = {
    **COLUMN_LABELS,
    "version": _l("version"), "counsellor_id": _l("counsellor"), "assignee_id": _l("assigned to"),
    "employer_id": _l("employer"), "measure_id": _l("measure"), "host_employer_id": _l("host company"),
    "languages": _l("languages"), "foreign_qualifications": _l("foreign qualifications"),
    "successor_id": _l("successor"), "participants": _l("cases"), "tasks": _l("tasks"), "step": _l("step"),
    "accepted_participant_id": _l("new case"), "decline_reason": _l("reason for declining"),
    "role": _l("role"), "name": _l("name"), "active": _l("active"), "locale": _l("language"),
    "capacity": _l("capacity"), "location": _l("location"), "description": _l("description"),
    "employed": _l("employed"), "contract": _l("contract"), "sha256": _l("checksum"),
    "filename": _l("file name"), "size": _l("size"), "content_type": _l("file type"),
    "linked_type": _l("linked to"), "linked_id": _l("linked record"), "starts_at": _l("starts at"),
    "owner_id": _l("owner"), "require_2fa": _l("two-factor sign-in required"), "email_digest": _l("email"),
    "partnership_id": _l("partnership"), "from_organisation_id": _l("from"), "to_organisation_id": _l("to"),
    "moved": _l("cases moved"), "counts": _l("counts"), "dry_run": _l("trial run"),
}


def action_label(action: str | None) -> str:
    """The action in words: its own sentence, else "<object>: <verb>"."""
    if not action:
        return "—"
    if action in ACTION_LABELS:
        return str(ACTION_LABELS[action])
    kind, _dot, verb = action.partition(".")
    obj, words = OBJECT_LABELS.get(kind), VERB_LABELS.get(verb)
    if obj is not None and words is not None:
        return f"{obj}: {words}"
    return str(obj or kind.replace("_", " ").capitalize())


def has_words(action: str) -> bool:
    """Whether `action` has words of its own here (not a fallback)."""
    kind, _dot, verb = action.partition(".")
    return action in ACTION_LABELS or (kind in OBJECT_LABELS and verb in VERB_LABELS)


def object_label(object_type: str | None) -> str:
    if not object_type:
        return "—"
    kind = TABLE_OBJECTS.get(object_type)
    if kind is not None:
        return str(OBJECT_LABELS[kind])
    if object_type in OTHER_OBJECTS:
        return str(OTHER_OBJECTS[object_type])
    return object_type.replace("_", " ")


def field_label(name: str) -> str:
    return str(FIELD_LABELS.get(name, name.replace("_", " ")))
