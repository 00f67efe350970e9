"""Each measure type's own details: what is recorded, and the rules that make it valid.

One declaration per type (`DETAILS`) feeds both the per-type WTForms form (forms.py) and
`clean_details()`, the validator the web views and the API share. Details are kept as JSON in
`Enrolment.details`, except the two that point at other rows and therefore live in columns with a
foreign key: the trainee partnership's host company (`host_employer_id`) and the adaptation
qualification's recognition counselling (`linked_enrolment_id`).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from caseflow.errors import DomainError
from caseflow.extensions import db
from caseflow.measures.models import Employer, Enrolment, Measure
from caseflow.vocabulary import GERMAN_LEVELS

NACE_LABELS = {
    "A": _l("A – Agriculture, forestry and fishing"),
    "B": _l("B – Mining and quarrying"),
    "C": _l("C – Manufacturing"),
    "D": _l("D – Electricity, gas, steam and air conditioning supply"),
    "E": _l("E – Water supply, sewerage, waste management"),
    "F": _l("F – Construction"),
    "G": _l("G – Wholesale and retail trade, repair of motor vehicles"),
    "H": _l("H – Transportation and storage"),
    "I": _l("I – Accommodation and food service"),
    "J": _l("J – Information and communication"),
    "K": _l("K – Financial and insurance activities"),
    "L": _l("L – Real estate activities"),
    "M": _l("M – Professional, scientific and technical activities"),
    "N": _l("N – Administrative and support service activities"),
    "O": _l("O – Public administration and defence"),
    "P": _l("P – Education"),
    "Q": _l("Q – Human health and social work"),
    "R": _l("R – Arts, entertainment and recreation"),
    "S": _l("S – Other service activities"),
    "T": _l("T – Activities of households as employers"),
    "U": _l("U – Extraterritorial organisations"),
}
COMPANY_SIZE_LABELS = {
    "micro": _l("micro (fewer than 10 employees)"),
    "small": _l("small (10–49 employees)"),
    "medium": _l("medium (50–249 employees)"),
    "large": _l("large (250 employees or more)"),
}
TRADE_FIELDS = {
    "wood": _l("wood"),
    "metal": _l("metal"),
    "electronics": _l("electronics"),
    "textile": _l("textile"),
    "maintenance": _l("building maintenance"),
}
LABOUR_MARKETS = {
    "germany": _l("in Germany"),
    "country_of_origin": _l("in the country of origin"),
}
RECOGNITION_OUTCOMES = {
    "pending": _l("pending"),
    "full": _l("full equivalence"),
    "partial": _l("partial equivalence"),
    "none": _l("no equivalence"),
}
REVIEW_RESULTS = {
    "on_track": _l("on track"),
    "needs_support": _l("needs support"),
    "at_risk": _l("at risk"),
}
COMPENSATION_FORMS = {
    "adaptation_course": _l("adaptation course"),
    "aptitude_test": _l("aptitude test"),
}
COMPENSATION_RESULTS = {
    "pending": _l("pending"),
    "passed": _l("passed"),
    "failed": _l("failed"),
}
CEFR_LEVELS = {level: level for level in GERMAN_LEVELS}

# A trainee partnership runs for about a year; contracts outside 6–18 months are refused.
CONTRACT_MIN_MONTHS, CONTRACT_MAX_MONTHS = 6, 18


@dataclass(frozen=True)
class Detail:
    """One detail of a measure type. `kind`: text, longtext, lines, int, date, past_date, bool,
    choice, country, employer (→ host_employer_id), enrolment (→ linked_enrolment_id)."""

    name: str
    kind: str
    label: Any
    choices: dict | None = None
    max_length: int = 200
    minimum: int = 0
    maximum: int = 10000
    hint: Any = None


DETAILS: dict[str, tuple[Detail, ...]] = {
    "matching": (
        Detail("target_occupations", "lines", _l("Target occupations"), max_length=100,
               hint=_l("One occupation per line.")),
        Detail("companies_approached", "int", _l("Companies approached"), maximum=1000),
        Detail("interviews", "int", _l("Job interviews"), maximum=1000),
    ),
    "trainee_partnership": (
        Detail("host_employer_id", "employer", _l("Host company"),
               hint=_l("From the employer directory.")),
        Detail("mentor", "text", _l("Mentor at the company")),
        Detail("contract_start", "date", _l("Contract start")),
        Detail("contract_end", "date", _l("Contract end"),
               hint=_l("About twelve months after the start (6 to 18 months).")),
        Detail("midterm_review_date", "date", _l("Mid-term review on")),
        Detail("midterm_review_result", "choice", _l("Mid-term review result"), REVIEW_RESULTS),
    ),
    "startup_coaching": (
        Detail("business_idea", "longtext", _l("Business idea"), max_length=2000),
        Detail("sector", "choice", _l("Sector (NACE section)"), NACE_LABELS),
        Detail("business_plan_done_on", "past_date", _l("Business plan finished on")),
        Detail("business_registered_on", "past_date", _l("Business registered on")),
    ),
    "low_threshold_qualification": (
        Detail("trade_field", "choice", _l("Trade field"), TRADE_FIELDS),
        Detail("hours_planned", "int", _l("Hours planned"), minimum=1, maximum=2000),
        Detail("hours_attended", "int", _l("Hours attended"), maximum=2000),
        Detail("certificate", "bool", _l("Certificate obtained")),
        Detail("labour_market", "choice", _l("Aimed at the labour market"), LABOUR_MARKETS),
    ),
    "recognition_counselling": (
        Detail("qualification", "text", _l("Foreign qualification")),
        Detail("qualification_country", "country", _l("Country where it was gained")),
        Detail("reference_occupation", "text", _l("German reference occupation")),
        Detail("regulated", "bool", _l("Regulated profession")),
        Detail("competent_authority", "text", _l("Competent authority")),
        Detail("application_date", "past_date", _l("Application submitted on")),
        Detail("decision_date", "past_date", _l("Decision on")),
        Detail("outcome", "choice", _l("Outcome"), RECOGNITION_OUTCOMES),
    ),
    "adaptation_qualification": (
        Detail("linked_enrolment_id", "enrolment", _l("Recognition counselling it follows"),
               hint=_l("The recognition counselling with a partial outcome.")),
        Detail("compensation_form", "choice", _l("Form of compensation measure"), COMPENSATION_FORMS),
        Detail("result", "choice", _l("Result"), COMPENSATION_RESULTS),
    ),
    "language_course": (
        Detail("level_start", "choice", _l("CEFR level at the start"), CEFR_LEVELS),
        Detail("level_end", "choice", _l("CEFR level at the end"), CEFR_LEVELS),
    ),
    "intercultural_training": (
        Detail("days", "int", _l("Training days"), minimum=1, maximum=60),
    ),
    "coaching": (
        Detail("sessions", "int", _l("Coaching sessions held"), maximum=500),
        Detail("focus", "text", _l("Focus of the coaching")),
    ),
}

# Details stored in an Enrolment column rather than in the JSON.
COLUMN_DETAILS = ("host_employer_id", "linked_enrolment_id")


@dataclass
class DetailsContext:
    """What the cross-field rules need to know about the enrolment the details belong to."""

    organisation_id: int
    participant_id: int
    today: date
    enrolment_id: int | None = None


def _parse(detail: Detail, value: Any, errors: dict[str, list[str]]) -> Any:
    def fail(message: str) -> None:
        errors.setdefault(detail.name, []).append(message)

    if value is None or value == "" or value == []:
        return False if detail.kind == "bool" else None
    kind = detail.kind
    if kind in ("text", "longtext"):
        if not isinstance(value, str):
            return fail(_("Enter text."))
        value = value.strip()
        if len(value) > detail.max_length:
            return fail(_("At most %(n)s characters.", n=detail.max_length))
        return value or None
    if kind == "lines":
        items = value.splitlines() if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            return fail(_("Enter a list of texts."))
        items = [i.strip() for i in items if i.strip()]
        if len(items) > 20 or any(len(i) > detail.max_length for i in items):
            return fail(_("At most 20 entries of %(n)s characters each.", n=detail.max_length))
        return items or None
    if kind in ("int", "employer", "enrolment"):
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            return fail(_("Enter a whole number."))
        try:
            number = int(value)
        except ValueError:
            return fail(_("Enter a whole number."))
        if kind == "int" and not detail.minimum <= number <= detail.maximum:
            return fail(_("Enter a number from %(min)s to %(max)s.", min=detail.minimum, max=detail.maximum))
        return number
    if kind in ("date", "past_date"):
        if isinstance(value, date):
            return value
        if isinstance(value, str) and len(value) == 10:
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        return fail(_("Use the date format YYYY-MM-DD."))
    if kind == "bool":
        if not isinstance(value, bool):
            return fail(_("Enter true or false."))
        return value
    if kind == "choice":
        if value not in detail.choices:
            return fail(_("Choose one of: %(values)s.", values=", ".join(detail.choices)))
        return value
    if kind == "country":
        from caseflow.i18n import valid_country_codes
        value = str(value).upper()
        if value not in valid_country_codes():
            return fail(_("Enter an ISO 3166-1 alpha-2 country code."))
        return value
    raise AssertionError(kind)  # pragma: no cover


def _months_between(start: date, end: date) -> float:
    return (end.year - start.year) * 12 + (end.month - start.month) + (end.day - start.day) / 30.0


def _check_trainee_partnership(v: dict, ctx: DetailsContext, err: Callable[[str, str], None]) -> None:
    if v.get("host_employer_id") is not None:
        found = db.session.scalar(sa.select(Employer.id).where(
            Employer.id == v["host_employer_id"], Employer.organisation_id == ctx.organisation_id))
        if found is None:
            err("host_employer_id", _("Choose a company from your organisation's employer directory."))
    start, end = v.get("contract_start"), v.get("contract_end")
    if start and end:
        if end < start:
            err("contract_end", _("The contract cannot end before it starts."))
        elif not CONTRACT_MIN_MONTHS <= _months_between(start, end) <= CONTRACT_MAX_MONTHS:
            err("contract_end", _("A trainee partnership contract runs about twelve months "
                                  "(6 to 18 months); check the dates."))
    review = v.get("midterm_review_date")
    if review and start and review < start:
        err("midterm_review_date", _("The mid-term review cannot be before the contract starts."))
    if review and end and review > end:
        err("midterm_review_date", _("The mid-term review cannot be after the contract ends."))
    if v.get("midterm_review_result") and not review:
        err("midterm_review_date", _("Enter the date of the mid-term review with its result."))


def _check_low_threshold(v: dict, ctx: DetailsContext, err) -> None:
    planned, attended = v.get("hours_planned"), v.get("hours_attended")
    if planned is not None and attended is not None and attended > planned:
        err("hours_attended", _("More hours attended than planned; raise the planned hours first."))


def _check_recognition(v: dict, ctx: DetailsContext, err) -> None:
    applied, decided, outcome = v.get("application_date"), v.get("decision_date"), v.get("outcome")
    if decided and not applied:
        err("application_date", _("Enter when the application was submitted."))
    if decided and applied and decided < applied:
        err("decision_date", _("The decision cannot be before the application."))
    if outcome in ("full", "partial", "none") and not decided:
        err("decision_date", _("Enter the date of the decision with its outcome."))
    if decided and outcome in (None, "pending"):
        err("outcome", _("Enter the outcome of the decision."))


def _check_adaptation(v: dict, ctx: DetailsContext, err) -> None:
    linked = v.get("linked_enrolment_id")
    if linked is None:
        return
    row = db.session.execute(
        sa.select(Enrolment.participant_id, Enrolment.details, Measure.type)
        .join(Measure, Measure.id == Enrolment.measure_id).where(Enrolment.id == linked)).first()
    if row is None or row.participant_id != ctx.participant_id or row.type != "recognition_counselling":
        err("linked_enrolment_id", _("Choose a recognition counselling of this participant."))
    elif (row.details or {}).get("outcome") != "partial":
        err("linked_enrolment_id", _("An adaptation qualification follows a partial recognition."))


def _check_language(v: dict, ctx: DetailsContext, err) -> None:
    if v.get("level_end") and not v.get("level_start"):
        err("level_start", _("Enter the level at the start as well."))


def _no_check(v: dict, ctx: DetailsContext, err) -> None:
    pass


CHECKS: dict[str, Callable] = {
    "matching": _no_check,
    "trainee_partnership": _check_trainee_partnership,
    "startup_coaching": _no_check,
    "low_threshold_qualification": _check_low_threshold,
    "recognition_counselling": _check_recognition,
    "adaptation_qualification": _check_adaptation,
    "language_course": _check_language,
    "intercultural_training": _no_check,
    "coaching": _no_check,
}


def clean_details(measure_type: str, raw: Any, ctx: DetailsContext) -> tuple[dict, dict]:
    """Validates `raw` (JSON values or form data) against the type's details.

    Returns (details for the JSON column, {column: value} for host_employer_id/linked_enrolment_id).
    Unknown keys, wrong types and broken rules raise one DomainError (422) with every field's message.
    """
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise DomainError.field("details", _("details must be an object."))
    spec = {d.name: d for d in DETAILS[measure_type]}
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(raw) - set(spec))
    if unknown:
        errors["details"] = [_("Unknown details for this measure type: %(names)s.", names=", ".join(unknown))]
    values = {name: _parse(d, raw.get(name), errors) for name, d in spec.items()}
    for name, d in spec.items():
        if d.kind == "past_date" and values[name] and values[name] > ctx.today:
            errors.setdefault(name, []).append(_("This date cannot be in the future."))
    if not errors:
        CHECKS[measure_type](values, ctx, lambda f, m: errors.setdefault(f, []).append(m))
    if errors:
        raise DomainError(_("Please correct the details."), code="validation_error", fields=errors)
    columns = {name: values.pop(name) for name in COLUMN_DETAILS if name in values}
    stored = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in values.items()
              if v is not None and v is not False}
    return stored, columns


def details_for_api(enrolment: Enrolment) -> dict:
    """The details as the API shows them: the JSON plus the two column-backed ones."""
    data = dict(enrolment.details or {})
    measure_type = enrolment.measure.type
    names = {d.name for d in DETAILS[measure_type]}
    if "host_employer_id" in names:
        data["host_employer_id"] = enrolment.host_employer_id
    if "linked_enrolment_id" in names:
        data["linked_enrolment_id"] = enrolment.linked_enrolment_id
    return data


def display_value(detail: Detail, value: Any) -> Any:
    """A stored value turned into what a page shows (labels for choices, dates as dates)."""
    if value is None:
        return None
    if detail.kind in ("date", "past_date") and isinstance(value, str):
        return date.fromisoformat(value)
    if detail.kind == "choice":
        return detail.choices.get(value, value)
    if detail.kind == "lines":
        return ", ".join(value)
    return value
