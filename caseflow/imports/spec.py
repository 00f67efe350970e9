"""What an import reads: one sheet per kind of record, each with its columns.

Headers are matched in either language (and by the field name itself), whatever the reader's
language; a header that matches nothing goes to the mapping step. Each column says how its cells are
converted (`kind`); the business rules stay in the domains' services.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from caseflow.participants.vocabulary import ANSWERS, BERLIN_DISTRICTS, RECOGNITION_STATUSES
from caseflow.placements.vocabulary import EVIDENCE_KINDS, FOLLOW_UP_KINDS, IMPROVEMENT_KINDS
from caseflow.translation import lazy_gettext as _l
from caseflow.vocabulary import (
    ENROLMENT_STATUSES,
    EXIT_REASONS,
    FOLLOW_UP_STATUSES,
    GENDERS,
    GERMAN_LEVELS,
    LABOUR_STATUSES,
    NOTE_KINDS,
    PLACEMENT_TYPES,
    RESIDENCE_STATUSES,
)

# The codes and labels of the domains' vocabularies (one vocabulary: docs/architecture.md).
RECOGNITION_LABELS = RECOGNITION_STATUSES
EVIDENCE_LABELS = EVIDENCE_KINDS
FOLLOW_UP_KIND_LABELS = FOLLOW_UP_KINDS
IMPROVEMENT_LABELS = IMPROVEMENT_KINDS


@dataclass(frozen=True)
class Column:
    field: str
    en: str
    de: str
    kind: str = "text"            # text, date, int, decimal, bool, answer, choice, country, language
    required: bool = False
    choices: dict[str, Any] | None = None   # {code: lazy label} for kind "choice"
    help: Any = ""                # lazy text for the explanation sheet
    width: int = 16

    def header(self, lang: str) -> str:
        return self.de if lang == "de" else self.en


@dataclass(frozen=True)
class Sheet:
    kind: str
    en: str
    de: str
    title: Any
    columns: tuple[Column, ...]
    names: tuple[str, ...] = field(default=())

    def name(self, lang: str) -> str:
        return self.de if lang == "de" else self.en

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.field == name), None)


EXTERNAL_ID = Column("external_id", "External ID", "Externe ID", required=True, width=14,
                     help=_l("Your programme's own number for the person (at most 100 characters). The same "
                             "number in every sheet links the rows to the person; importing the file again "
                             "finds the person by it instead of creating a second case."))
YES_NO = _l("yes or no (ja/nein)")
ANSWER_HELP = _l("yes, no or declined to answer (ja, nein, keine Angabe); empty: no")
SPECIAL_HELP = _l("yes, no or declined to answer (ja, nein, keine Angabe); yes only with the date of the "
                  "explicit consent (GDPR Art. 9); empty: no")
DATE_HELP = _l("a date: 2024-03-15, 15.03.2024 or a date cell")

SHEETS: tuple[Sheet, ...] = (
    Sheet("participants", "Participants", "Teilnehmende", _l("Participants"), (
        EXTERNAL_ID,
        Column("first_name", "First name", "Vorname", required=True),
        Column("last_name", "Last name", "Nachname", required=True),
        Column("date_of_birth", "Date of birth", "Geburtsdatum", "date", True, help=DATE_HELP),
        Column("gender", "Gender", "Geschlecht", "choice", True, GENDERS),
        Column("nationality", "Nationality", "Staatsangehörigkeit", "country", True,
               help=_l("ISO 3166-1 alpha-2 country code (e.g. SY, UA) or 'stateless'")),
        Column("country_of_birth", "Country of birth", "Geburtsland", "country",
               help=_l("ISO 3166-1 alpha-2 country code")),
        Column("residence_status", "Residence status", "Aufenthaltsstatus", "choice", choices=RESIDENCE_STATUSES, width=28),
        Column("work_permission", "Work permission", "Arbeitserlaubnis", "bool", help=YES_NO),
        Column("arrival_year", "Year of arrival", "Einreisejahr", "int"),
        Column("preferred_language", "Preferred language", "Bevorzugte Sprache", "language",
               help=_l("ISO 639-1 language code (e.g. ar, uk)")),
        Column("foreign_background", "Foreign background", "Ausländische Herkunft", "answer", choices=ANSWERS,
               help=ANSWER_HELP),
        Column("disability", "Disability", "Behinderung", "answer", choices=ANSWERS, help=SPECIAL_HELP),
        Column("minority", "Minority", "Minderheit", "answer", choices=ANSWERS, help=SPECIAL_HELP),
        Column("homeless", "Homeless", "Wohnungslos", "answer", choices=ANSWERS, help=ANSWER_HELP),
        Column("special_categories_consent_date", "Consent date (special categories)",
               "Einwilligungsdatum (besondere Kategorien)", "date", help=DATE_HELP, width=24),
        Column("entry_date", "Entry date", "Eintrittsdatum", "date", True, help=DATE_HELP),
        Column("labour_status_at_entry", "Labour status at entry", "Erwerbsstatus bei Eintritt", "choice", True,
               LABOUR_STATUSES, width=24),
        Column("unemployed_since", "Unemployed since", "Arbeitslos seit", "date",
               help=_l("required when unemployed at entry")),
        Column("education_isced", "Education (ISCED)", "Bildung (ISCED)", "int", help=_l("ISCED 2011 level 0 to 8")),
        Column("german_level", "German level", "Deutschniveau", "choice",
               choices={code: code for code in GERMAN_LEVELS}),
        Column("counsellor_email", "Counsellor (email)", "Berater*in (E-Mail)",
               help=_l("the email address of a counsellor of your organisation"), width=24),
        Column("phone", "Phone", "Telefon"),
        Column("email", "Email", "E-Mail", width=24),
        Column("street", "Street", "Straße"),
        Column("postcode", "Postcode", "PLZ"),
        Column("city", "City", "Ort"),
        Column("district", "Borough", "Bezirk", "choice", choices={d: d for d in BERLIN_DISTRICTS}, width=24),
    )),
    Sheet("languages", "Languages", "Sprachen", _l("Languages"), (
        EXTERNAL_ID,
        Column("language", "Language", "Sprache", "language", True, help=_l("ISO 639-1 language code")),
        Column("level", "Level", "Niveau", help=_l("native, a CEFR level or free text (at most 20 characters)")),
    )),
    Sheet("qualifications", "Foreign qualifications", "Ausländische Abschlüsse", _l("Foreign qualifications"), (
        EXTERNAL_ID,
        Column("title", "Qualification", "Abschluss", required=True, width=28),
        Column("country", "Country", "Land", "country", help=_l("ISO 3166-1 alpha-2 country code")),
        Column("isced", "ISCED", "ISCED", "int", help=_l("ISCED 2011 level 0 to 8")),
        Column("recognition_status", "Recognition", "Anerkennung", "choice", choices=RECOGNITION_LABELS, width=22),
    )),
    Sheet("status_changes", "Status changes", "Statusänderungen", _l("Status changes"), (
        EXTERNAL_ID,
        Column("date", "Date", "Datum", "date", True, help=DATE_HELP),
        Column("status", "Labour status", "Erwerbsstatus", "choice", True, LABOUR_STATUSES, width=24),
    )),
    Sheet("enrolments", "Enrolments", "Teilnahmen", _l("Enrolments"), (
        EXTERNAL_ID,
        Column("measure", "Measure", "Maßnahme", required=True, width=28,
               help=_l("the title or the number (id) of a measure of your organisation")),
        Column("status", "Status", "Status", "choice", True, ENROLMENT_STATUSES),
        Column("start_date", "Start", "Beginn", "date", help=DATE_HELP),
        Column("end_date", "End", "Ende", "date", help=DATE_HELP),
        Column("dropout_reason", "Reason for dropping out", "Abbruchgrund", width=24),
    )),
    Sheet("notes", "Notes", "Verlaufsnotizen", _l("Notes"), (
        EXTERNAL_ID,
        Column("date", "Date", "Datum", "date", True, help=DATE_HELP),
        Column("kind", "Kind", "Art", "choice", True, NOTE_KINDS),
        Column("text", "Text", "Text", required=True, width=40),
        Column("minutes", "Minutes", "Minuten", "int", help=_l("0 to 1440")),
    )),
    Sheet("placements", "Placements", "Vermittlungen", _l("Placements"), (
        EXTERNAL_ID,
        Column("type", "Type", "Art", "choice", True, PLACEMENT_TYPES, width=22),
        Column("employer_name", "Employer", "Arbeitgeber", width=24,
               help=_l("found in your employer directory by name, or added to it")),
        Column("job_title", "Job title", "Tätigkeit", width=20),
        Column("occupation", "Occupation", "Beruf", width=20),
        Column("start_date", "Start", "Beginn", "date", True, help=DATE_HELP),
        Column("end_date", "End", "Ende", "date", help=DATE_HELP),
        Column("weekly_hours", "Weekly hours", "Wochenstunden", "decimal", help=_l("1 to 60")),
        Column("permanent", "Permanent", "Unbefristet", "bool", help=YES_NO),
        Column("country", "Country", "Land", "country", help=_l("ISO 3166-1 alpha-2 country code; empty: DE")),
        Column("matches_qualification", "Matches qualification", "Entspricht der Qualifikation", "bool", help=YES_NO),
        Column("evidence", "Evidence", "Nachweis", "choice", choices=EVIDENCE_LABELS),
        Column("status_after_end", "Status after the end", "Status nach dem Ende", "choice",
               choices=LABOUR_STATUSES, width=22),
    )),
    Sheet("certificates", "Certificates", "Zertifikate", _l("Certificates"), (
        EXTERNAL_ID,
        Column("date", "Date", "Datum", "date", True, help=DATE_HELP),
        Column("title", "Title", "Bezeichnung", required=True, width=28),
        Column("issuing_body", "Issued by", "Ausgestellt von", width=24),
    )),
    Sheet("exits", "Exits", "Austritte", _l("Exits"), (
        EXTERNAL_ID,
        Column("exit_date", "Exit date", "Austrittsdatum", "date", True, help=DATE_HELP),
        Column("reason", "Reason", "Grund", "choice", True, EXIT_REASONS),
    )),
    Sheet("re_entries", "Re-entries", "Wiedereintritte", _l("Re-entries"), (
        EXTERNAL_ID,
        Column("date", "Re-entry date", "Wiedereintrittsdatum", "date", True,
               help=_l("a date after an exit of the person (the exit in the Exits sheet): 2024-03-15, 15.03.2024 "
                       "or a date cell")),
    )),
    Sheet("follow_ups", "Follow-ups", "Nachbefragungen", _l("Follow-ups"), (
        EXTERNAL_ID,
        Column("kind", "Kind", "Art", "choice", choices=FOLLOW_UP_KIND_LABELS, help=_l("empty: six months")),
        Column("date", "Date", "Datum", "date", True, help=DATE_HELP),
        Column("status", "Labour status", "Erwerbsstatus", "choice", True, FOLLOW_UP_STATUSES, width=24),
        Column("improved_situation", "Improved situation", "Verbesserte Situation", "bool", help=YES_NO),
        Column("improvement_kind", "Kind of improvement", "Art der Verbesserung", "choice",
               choices=IMPROVEMENT_LABELS, width=24),
    )),
)
SHEETS_BY_KIND = {s.kind: s for s in SHEETS}


def normalise(text: Any) -> str:
    """A header or label for matching: case, accents, spaces and punctuation folded."""
    text = unicodedata.normalize("NFKD", str(text or "")).casefold()
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", "", text.replace("ß", "ss"))


def _header_index(sheet: Sheet) -> dict[str, str]:
    index = {}
    for col in sheet.columns:
        for name in (col.field, col.en, col.de):
            index[normalise(name)] = col.field
    return index


HEADERS = {s.kind: _header_index(s) for s in SHEETS}
_SHEET_NAMES = {normalise(n): s.kind for s in SHEETS for n in (s.kind, s.en, s.de)}


def sheet_for_name(name: str) -> Sheet | None:
    kind = _SHEET_NAMES.get(normalise(name))
    return SHEETS_BY_KIND[kind] if kind else None


def sheet_for_headers(headers: list[Any]) -> Sheet | None:
    """The kind of record whose headers these best match (a CSV holds one kind): the external id and
    most of the required columns must be there."""
    best, best_score = None, 0
    for sheet in SHEETS:
        index = HEADERS[sheet.kind]
        found = {index.get(normalise(h)) for h in headers} - {None}
        if "external_id" not in found:
            continue
        required = {c.field for c in sheet.columns if c.required}
        score = len(found & required) * 10 + len(found)
        if len(found & required) * 2 >= len(required) and score > best_score:
            best, best_score = sheet, score
    return best
