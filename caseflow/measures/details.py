"""Each measure type's own details: what is recorded, and the rules that make it valid.

One declaration per type (`DETAILS`) feeds both the per-type WTForms form (forms.py) and
`clean_details()`, the validator the web views and the API share. Details are kept as JSON in
`Enrolment.details`, except the two that point at other rows and therefore live in columns with a
foreign key: the trainee partnership's host company (`host_employer_id`) and the adaptation
qualification's recognition counselling (`linked_enrolment_id`).
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from caseflow.errors import DomainError, NotFound
from caseflow.extensions import db
from caseflow.measures.models import Employer, Enrolment, Measure
from caseflow.measures.vocabulary import (
    CEFR_LEVELS,
    COMPENSATION_FORMS,
    COMPENSATION_RESULTS,
    LABOUR_MARKETS,
    NACE_SECTIONS,
    RECOGNITION_OUTCOMES,
    REVIEW_RESULTS,
    TRADE_FIELDS,
)
from caseflow.translation import gettext as _
from caseflow.translation import lazy_gettext as _l
from caseflow.validation import MAX_ID, Checker, unsafe_text

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
        Detail("sector", "choice", _l("Sector (NACE section)"), NACE_SECTIONS),
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


def _converted(detail: Detail, value: Any) -> Any:
    """A JSON or form value as the type the Checker reads (dates from YYYY-MM-DD, lines from text, a
    country code in capitals); what cannot be converted stays as it is, for the Checker to refuse."""
    if value == "" or value == []:
        return None
    if detail.kind in ("date", "past_date") and isinstance(value, str) \
            and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    if detail.kind == "lines" and isinstance(value, str):
        return value.splitlines()
    if detail.kind == "country" and isinstance(value, str):
        return value.upper()
    return value


def _read(detail: Detail, check: Checker, today: date) -> Any:
    """The detail's value, checked by its kind (a message on the detail's name when it fails)."""
    name, kind = detail.name, detail.kind
    if kind in ("text", "longtext"):
        return check.text(name, max_length=detail.max_length)
    if kind == "lines":
        items = check.values.get(name)
        if items is None:
            return None
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            check.add(name, _("Enter a list of texts."))
            return None
        items = [i.strip() for i in items if i.strip()]
        if len(items) > 20 or any(len(i) > detail.max_length or unsafe_text(i) for i in items):
            check.add(name, _("At most 20 entries of %(n)s characters each.", n=detail.max_length))
            return None
        return items or None
    if kind == "int":
        return check.integer(name, minimum=detail.minimum, maximum=detail.maximum)
    if kind in ("employer", "enrolment"):
        return check.integer(name, minimum=1)
    if kind in ("date", "past_date"):
        return check.date(name, not_after=today if kind == "past_date" else None,
                          after_message=_("This date cannot be in the future."))
    if kind == "bool":
        return check.boolean(name)
    if kind == "choice":
        return check.choice(name, detail.choices or ())
    if kind == "country":
        from caseflow.i18n import valid_country_codes
        return check.choice(name, valid_country_codes())
    raise AssertionError(kind)  # pragma: no cover


def _months_between(start: date, end: date) -> float:
    return (end.year - start.year) * 12 + (end.month - start.month) + (end.day - start.day) / 30.0


def _check_trainee_partnership(v: dict, ctx: DetailsContext, check: Checker) -> None:
    host = v.get("host_employer_id")
    if host is not None and (host > MAX_ID or db.session.scalar(sa.select(Employer.id).where(
            Employer.id == host, Employer.organisation_id == ctx.organisation_id)) is None):
        # another organisation's employer does not exist for this one (404, as everywhere)
        raise NotFound(_("No such employer."))
    start, end = v.get("contract_start"), v.get("contract_end")
    if start and end:
        if end < start:
            check.add("contract_end", _("The contract cannot end before it starts."))
        elif not CONTRACT_MIN_MONTHS <= _months_between(start, end) <= CONTRACT_MAX_MONTHS:
            check.add("contract_end", _("A trainee partnership contract runs about twelve months "
                                  "(6 to 18 months); check the dates."))
    review = v.get("midterm_review_date")
    if review and start and review < start:
        check.add("midterm_review_date", _("The mid-term review cannot be before the contract starts."))
    if review and end and review > end:
        check.add("midterm_review_date", _("The mid-term review cannot be after the contract ends."))
    if v.get("midterm_review_result") and not review:
        check.add("midterm_review_date", _("Enter the date of the mid-term review with its result."))


def _check_low_threshold(v: dict, ctx: DetailsContext, check: Checker) -> None:
    planned, attended = v.get("hours_planned"), v.get("hours_attended")
    if planned is not None and attended is not None and attended > planned:
        check.add("hours_attended", _("More hours attended than planned; raise the planned hours first."))


def _check_recognition(v: dict, ctx: DetailsContext, check: Checker) -> None:
    applied, decided, outcome = v.get("application_date"), v.get("decision_date"), v.get("outcome")
    if decided and not applied:
        check.add("application_date", _("Enter when the application was submitted."))
    if decided and applied and decided < applied:
        check.add("decision_date", _("The decision cannot be before the application."))
    if outcome in ("full", "partial", "none") and not decided:
        check.add("decision_date", _("Enter the date of the decision with its outcome."))
    if decided and outcome in (None, "pending"):
        check.add("outcome", _("Enter the outcome of the decision."))


def _check_adaptation(v: dict, ctx: DetailsContext, check: Checker) -> None:
    linked = v.get("linked_enrolment_id")
    if linked is None:
        return
    row = None if linked > MAX_ID else db.session.execute(
        sa.select(Enrolment.participant_id, Enrolment.details, Measure.type)
        .join(Measure, Measure.id == Enrolment.measure_id)
        .where(Enrolment.id == linked, Measure.organisation_id == ctx.organisation_id)).first()
    if row is None:
        raise NotFound(_("No such enrolment."))
    if row.participant_id != ctx.participant_id or row.type != "recognition_counselling":
        check.add("linked_enrolment_id", _("Choose a recognition counselling of this participant."))
    elif (row.details or {}).get("outcome") != "partial":
        check.add("linked_enrolment_id", _("An adaptation qualification follows a partial recognition."))


def _check_language(v: dict, ctx: DetailsContext, check: Checker) -> None:
    if v.get("level_end") and not v.get("level_start"):
        check.add("level_start", _("Enter the level at the start as well."))


def _no_check(v: dict, ctx: DetailsContext, check: Checker) -> None:
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
    """Checks `raw` (JSON values or form data) against the type's details.

    Returns (details for the JSON column, {column: value} for host_employer_id/linked_enrolment_id).
    Unknown keys, wrong types and broken rules raise one DomainError (422) with every field's
    message; a host company or linked enrolment the organisation does not have raises NotFound (404).
    """
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise DomainError.field("details", _("details must be an object."))
    spec = {d.name: d for d in DETAILS[measure_type]}
    check = Checker({name: _converted(d, raw.get(name)) for name, d in spec.items()},
                    summary=_("Please correct the details."))
    unknown = sorted(str(k) for k in set(raw) - set(spec))
    if unknown:
        check.add("details", _("Unknown details for this measure type: %(names)s.", names=", ".join(unknown)))
    values = {name: _read(d, check, ctx.today) for name, d in spec.items()}
    if not check.fields:
        CHECKS[measure_type](values, ctx, check)
    check.done()
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
        return (detail.choices or {}).get(value, value)
    if detail.kind == "lines":
        return ", ".join(value)
    return value
