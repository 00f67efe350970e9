"""The case file's own vocabularies, each once as `{code: label}`: the codes are the stored and API
values, the labels what pages show (translated lazily). The vocabularies other domains share
(genders, labour-market statuses, residence statuses, note kinds) are in caseflow/vocabulary.py.
"""
from __future__ import annotations

from caseflow.translation import lazy_gettext as _l

# Berlin's twelve boroughs: proper names, the same in every language.
BERLIN_DISTRICTS: dict[str, str] = {name: name for name in (
    "Charlottenburg-Wilmersdorf", "Friedrichshain-Kreuzberg", "Lichtenberg", "Marzahn-Hellersdorf",
    "Mitte", "Neukölln", "Pankow", "Reinickendorf", "Spandau", "Steglitz-Zehlendorf",
    "Tempelhof-Schöneberg", "Treptow-Köpenick",
)}

RECOGNITION_STATUSES = {
    "not_applied": _l("not applied for"),
    "pending": _l("pending"),
    "full": _l("full equivalence"),
    "partial": _l("partial equivalence"),
    "none": _l("no equivalence"),
}

GOAL_STATUSES = {"open": _l("open"), "achieved": _l("achieved"), "dropped": _l("dropped")}

PARTICIPANT_STATUSES = {"active": _l("active"), "exited": _l("exited")}

ISCED_LEVELS = {
    0: _l("0 – early childhood education"), 1: _l("1 – primary education"),
    2: _l("2 – lower secondary education"), 3: _l("3 – upper secondary education"),
    4: _l("4 – post-secondary non-tertiary education"), 5: _l("5 – short-cycle tertiary education"),
    6: _l("6 – bachelor or equivalent"), 7: _l("7 – master or equivalent"),
    8: _l("8 – doctoral or equivalent"),
}

# Where a status-history record comes from (status_changes.source); shown through its status only.
STATUS_SOURCES = ("entry", "manual", "placement", "placement_end", "follow_up")

# tasks.kind: a task a person wrote, or one Caseflow made (titles in caseflow/vocabulary.py
# SYSTEM_TASK_TITLES).
TASK_KINDS = ("manual", "four_week_check", "six_month_follow_up", "attendance", "place_offered")


# The three-valued answers of the sensitive questions (disability, minority, foreign background,
# homelessness): the person may decline to answer (issue 18). Only "yes" counts in the ESF+ report.
ANSWERS = {
    "yes": _l("yes"),
    "no": _l("no"),
    "declined": _l("declined to answer"),
}
ANSWER_FIELDS = ("foreign_background", "disability", "minority", "homeless")
