"""The domain's fixed vocabularies (docs/domain.md, docs/interfaces.md).

Keys are the stored and API values; labels are translated lazily for the UI.
"""
from collections.abc import Iterable, Mapping
from typing import Any

from flask_babel import lazy_pgettext
from wtforms import SelectChoice

from caseflow.translation import lazy_gettext as _l

GENDERS = {
    "female": _l("female"),
    "male": _l("male"),
    "non_binary": _l("non-binary"),
    "not_stated": _l("not stated"),
}

LABOUR_STATUSES = {
    "employed": _l("employed"),
    "self_employed": _l("self-employed"),
    "unemployed": _l("unemployed"),
    "inactive": _l("inactive"),
    "education_or_training": _l("in education or training"),
}

RESIDENCE_STATUSES = {
    "german_citizen": _l("German citizen"),
    "eu_citizen": _l("EU citizen"),
    "settlement_permit": _l("settlement permit"),
    "residence_permit": _l("residence permit"),
    "eu_blue_card": _l("EU Blue Card"),
    "asylum_seeker": _l("asylum seeker (Aufenthaltsgestattung)"),
    "tolerated": _l("tolerated (Duldung)"),
    "recognised_refugee": _l("recognised refugee"),
    "subsidiary_protection": _l("subsidiary protection"),
    "temporary_protection": _l("temporary protection (§24 AufenthG)"),
    "late_repatriate": _l("late repatriate (Spätaussiedler)"),
    "other": _l("other"),
}

GERMAN_LEVELS = ("A1", "A2", "B1", "B2", "C1", "C2")

EU_MEMBER_STATES = frozenset(
    ["AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"]
)

NOTE_KINDS = {
    "meeting": _l("meeting"),
    "phone": _l("phone"),
    "video": _l("video call"),
    "email": _l("email"),
    "company_visit": _l("company visit"),
    "other": _l("other"),
}

MEASURE_TYPES = {
    "matching": _l("Job matching"),
    "trainee_partnership": _l("Trainee partnership"),
    "startup_coaching": _l("Start-up coaching"),
    "low_threshold_qualification": _l("Low-threshold qualification"),
    "recognition_counselling": _l("Recognition counselling"),
    "adaptation_qualification": _l("Adaptation qualification"),
    "language_course": _l("Language course"),
    "intercultural_training": _l("Intercultural training"),
    "coaching": _l("Coaching"),
}

ENROLMENT_STATUSES = {
    "planned": _l("planned"),
    "active": _l("active"),
    "completed": _l("completed"),
    "dropped_out": _l("dropped out"),
    "cancelled": _l("cancelled"),
}
UNFINISHED_ENROLMENT_STATUSES = ("planned", "active")

PLACEMENT_TYPES = {
    "employment": _l("employment"),
    "marginal_employment": _l("marginal employment (mini-job)"),
    "self_employment": _l("self-employment"),
    "apprenticeship": _l("apprenticeship"),
    "internship": _l("internship"),
}
# What a placement adds to the status history on its start date (esf-indicators.md).
PLACEMENT_STATUS = {
    "employment": "employed",
    "marginal_employment": "employed",
    "apprenticeship": "employed",
    "self_employment": "self_employed",
    "internship": None,
}

EXIT_REASONS = {
    "completed": _l("completed"),
    "dropped_out": _l("dropped out"),
    "moved_away": _l("moved away"),
    "other": _l("other"),
}

FOLLOW_UP_STATUSES = {**LABOUR_STATUSES, "unknown": _l("could not be reached")}

# Labels, as the page header, the account page and the staff list show them. The context "role"
# keeps the role's German word apart from the same English word elsewhere: "Counsellor" is the
# case's Integrationsbegleitung on the case file, the caseload and the board.
ROLES = {
    "counsellor": lazy_pgettext("role", "Counsellor"),
    "team_lead": lazy_pgettext("role", "Team lead"),
    "analyst": lazy_pgettext("role", "Analyst"),
    "admin": lazy_pgettext("role", "Administrator"),
    # runs the ESF+ report of the partnerships it is linked to (partnerships.models.PartnershipCoordinator)
    "coordinator": lazy_pgettext("role", "Partnership coordinator"),
}
# Roles that work with case files (personal data) of their own organisation.
CASEWORK_ROLES = ("counsellor", "team_lead")

# Tasks that Caseflow creates itself (tasks.kind): shown in the reader's language, whatever
# language the title was stored in when the task was created; the values come from
# tasks.title_params (the measure's title, attendance counts).
SYSTEM_TASK_TITLES = {
    "four_week_check": _l("4-week check"),
    "six_month_follow_up": _l("six-month follow-up"),
    "attendance": _l("Attendance in “%(measure)s” has fallen to %(present)s of %(total)s sessions."),
    "place_offered": _l("A place in “%(measure)s” is free: tell the participant and agree the start."),
}


# The first option of every select that needs an answer: empty, so that nothing is preset by
# accident and an untouched select fails with the one required-field message (validation.REQUIRED).
PLEASE_CHOOSE = _l("– please choose –")


def options(pairs: Mapping[Any, Any] | Iterable[tuple[Any, Any]], *, blank: Any = None) -> list[SelectChoice]:
    """A select's options from a vocabulary ({code: label}) or from pairs of value and label (the
    rows of a choices query), in WTForms' own type: passing the pairs themselves is deprecated in
    WTForms 3.3 and goes in 3.4. `blank`: the label of an empty first option ("all",
    "– not specified –")."""
    first = [SelectChoice(value="", label=blank)] if blank is not None else []
    items = pairs.items() if isinstance(pairs, Mapping) else pairs
    return first + [SelectChoice(value=value, label=label) for value, label in items]


def please_choose(choices: Mapping[Any, Any] | Iterable[tuple[Any, Any]]) -> list[SelectChoice]:
    """`choices` (a vocabulary, or pairs of value and label) after the empty "please choose" option."""
    return options(choices, blank=PLEASE_CHOOSE)
