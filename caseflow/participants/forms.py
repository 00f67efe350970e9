"""The case file's forms. They convert input to typed values (dates, numbers, codes); every rule
lives once, in services.py, so that the web and the API answer the same. The `maxlength` attributes
are the services' TEXT_LIMITS, shown to the browser."""
from __future__ import annotations

import re
from typing import Any

from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Optional

from caseflow.i18n import country_choices, language_choices
from caseflow.participants.services import MASTER_FIELDS, TEXT_LIMITS
from caseflow.participants.vocabulary import (
    ANSWERS,
    BERLIN_DISTRICTS,
    GOAL_STATUSES,
    ISCED_LEVELS,
    RECOGNITION_STATUSES,
)
from caseflow.translation import gettext as _
from caseflow.translation import lazy_gettext as _l
from caseflow.validation import MAX_ID
from caseflow.vocabulary import (
    GENDERS,
    GERMAN_LEVELS,
    LABOUR_STATUSES,
    NOTE_KINDS,
    RESIDENCE_STATUSES,
    options,
    please_choose,
)


class RequiredMark:
    """Marks a field as required (asterisk, `required` attribute); the service checks it."""

    field_flags = {"required": True}

    def __call__(self, form, field) -> None:
        return None


NOT_SPECIFIED = _l("– not specified –")  # the empty option of an optional select


def _date(label, required=False, **kw) -> DateField:
    validators = [RequiredMark(), Optional()] if required else [Optional()]
    return DateField(label, validators=validators, **kw)


def _select(label, required=False, **kw) -> SelectField:
    return SelectField(label, validators=[RequiredMark()] if required else [], choices=[], validate_choice=False, **kw)


def _none_if_blank(value: Any) -> Any:
    return None if value in ("", None) else value


class LanguageRowForm(Form):
    language = SelectField(_l("Language"), choices=[], validate_choice=False)
    level = StringField(_l("Level"), description=_l("native, A1–C2 or a short note"))


class QualificationRowForm(Form):
    title = StringField(_l("Qualification"))
    country = SelectField(_l("Country where gained"), choices=[], validate_choice=False)
    isced = SelectField(_l("ISCED level"), choices=[], validate_choice=False)
    recognition_status = SelectField(_l("Recognition"), choices=[], validate_choice=False)


class ParticipantForm(FlaskForm):
    first_name = StringField(_l("First name"), validators=[RequiredMark()], render_kw={"maxlength": TEXT_LIMITS["first_name"], "autocomplete": "off"})
    last_name = StringField(_l("Last name"), validators=[RequiredMark()], render_kw={"maxlength": TEXT_LIMITS["last_name"], "autocomplete": "off"})
    date_of_birth = _date(_l("Date of birth"), required=True)
    gender = _select(_l("Gender"), required=True)
    nationality = _select(_l("Nationality"), required=True)
    country_of_birth = _select(_l("Country of birth"))
    residence_status = _select(_l("Residence status"))
    work_permission = _select(_l("Permitted to work in Germany"))
    arrival_year = IntegerField(_l("Year of arrival in Germany"), validators=[Optional()])
    preferred_language = _select(_l("Preferred language"))
    foreign_background = SelectField(_l("Foreign background"), choices=options(ANSWERS.items()), default="no",
                                     validate_choice=False)
    homeless = SelectField(_l("Homeless or affected by housing exclusion"), choices=options(ANSWERS.items()),
                           default="no", validate_choice=False)
    special_categories_consent_date = _date(
        _l("Date of explicit consent to record special categories"),
        description=_l("Disability and minority may only be recorded with the date of the participant's explicit consent (GDPR Art. 9)."))
    disability = SelectField(_l("Disability"), choices=options(ANSWERS.items()), default="no", validate_choice=False)
    minority = SelectField(_l("Belongs to a minority"), choices=options(ANSWERS.items()), default="no",
                           validate_choice=False)
    entry_date = _date(_l("Entry date"), required=True)
    labour_status_at_entry = _select(_l("Labour-market status at entry"), required=True)
    unemployed_since = _date(_l("Unemployed since"), description=_l("Required when unemployed at entry."))
    education_isced = _select(_l("Highest education (ISCED)"))
    german_level = _select(_l("German (CEFR)"))
    counsellor_id = _select(_l("Counsellor"))
    phone = StringField(_l("Phone"), render_kw={"maxlength": TEXT_LIMITS["phone"], "autocomplete": "off", "type": "tel"})
    email = StringField(_l("Email"), render_kw={"maxlength": TEXT_LIMITS["email"], "autocomplete": "off", "type": "email"})
    street = StringField(_l("Street and number"), render_kw={"maxlength": TEXT_LIMITS["street"], "autocomplete": "off"})
    postcode = StringField(_l("Postcode"), render_kw={"maxlength": TEXT_LIMITS["postcode"], "autocomplete": "off"})
    city = StringField(_l("City"), render_kw={"maxlength": TEXT_LIMITS["city"], "autocomplete": "off"})
    district = _select(_l("Berlin borough"))
    languages = FieldList(FormField(LanguageRowForm), min_entries=2, max_entries=30)
    foreign_qualifications = FieldList(FormField(QualificationRowForm), min_entries=2, max_entries=30)
    add_language = SubmitField(_l("Add another language"))
    add_qualification = SubmitField(_l("Add another qualification"))
    confirm_not_duplicate = BooleanField(_l("I have checked the candidates: this is a different person."))
    version = HiddenField()

    def setup(self, counsellors: list[tuple[int, str]]) -> ParticipantForm:
        """Fills the choices in the user's language and grows the repeatable rows on request."""
        locale = str(get_locale() or "de")
        countries = country_choices(locale)
        languages = language_choices(locale)
        self.gender.choices = please_choose(GENDERS.items())
        self.nationality.choices = please_choose([("stateless", _("stateless")), *countries])
        self.country_of_birth.choices = options(countries, blank=NOT_SPECIFIED)
        self.residence_status.choices = options(RESIDENCE_STATUSES.items(), blank=NOT_SPECIFIED)
        self.work_permission.choices = options([("yes", _("yes")), ("no", _("no"))], blank=_("unknown"))
        self.preferred_language.choices = options(languages, blank=NOT_SPECIFIED)
        self.labour_status_at_entry.choices = please_choose(LABOUR_STATUSES.items())
        self.education_isced.choices = options(((str(k), v) for k, v in ISCED_LEVELS.items()), blank=_("unknown"))
        self.german_level.choices = options(((v, v) for v in GERMAN_LEVELS), blank=_("unknown"))
        self.counsellor_id.choices = options(((str(i), n) for i, n in counsellors), blank=_("– nobody yet –"))
        self.district.choices = options(BERLIN_DISTRICTS.items(), blank=NOT_SPECIFIED)
        if self.add_language.data and len(self.languages.entries) < 30:
            self.languages.append_entry()
        if self.add_qualification.data and len(self.foreign_qualifications.entries) < 30:
            self.foreign_qualifications.append_entry()
        for row in self.languages:
            row.form.language.choices = please_choose(languages)
        for row in self.foreign_qualifications:
            row.form.country.choices = options(countries, blank=NOT_SPECIFIED)
            row.form.isced.choices = options(((str(k), v) for k, v in ISCED_LEVELS.items()), blank=_("unknown"))
            row.form.recognition_status.choices = options(RECOGNITION_STATUSES.items())
        return self

    @property
    def wants_more_rows(self) -> bool:
        return bool(self.add_language.data or self.add_qualification.data)

    def to_data(self) -> dict[str, Any]:
        """The typed values for services.register_participant/update_participant."""
        data: dict[str, Any] = {}
        for name in MASTER_FIELDS:
            data[name] = _none_if_blank(getattr(self, name).data)
        data["work_permission"] = {"yes": True, "no": False}.get(self.work_permission.data)
        for name in ("education_isced", "counsellor_id"):
            value = data[name]
            # a choice that is not a number (a tampered form) stays a wrong value for the service to refuse
            number = int_or_none(value)
            data[name] = None if value is None else (-1 if number is None else number)
        data["languages"] = [{"language": _none_if_blank(r.form.language.data), "level": r.form.level.data}
                             for r in self.languages]
        data["foreign_qualifications"] = [{
            "title": r.form.title.data, "country": _none_if_blank(r.form.country.data),
            "isced": int_or_none(r.form.isced.data),
            "recognition_status": r.form.recognition_status.data or "not_applied",
        } for r in self.foreign_qualifications]
        data["confirm_not_duplicate"] = bool(self.confirm_not_duplicate.data)
        return data


def form_data_of(participant, languages, qualifications) -> dict[str, Any]:
    """A participant's values in the shape ParticipantForm(data=…) expects."""
    data = {name: getattr(participant, name) for name in MASTER_FIELDS}
    data["work_permission"] = {True: "yes", False: "no"}.get(participant.work_permission, "")
    for name in ("education_isced", "counsellor_id"):
        data[name] = "" if data[name] is None else str(data[name])
    data["languages"] = [{"language": r.language, "level": r.level or ""} for r in languages] or [{}]
    data["foreign_qualifications"] = [{"title": q.title, "country": q.country or "",
                                       "isced": "" if q.isced is None else str(q.isced),
                                       "recognition_status": q.recognition_status} for q in qualifications] or [{}]
    data["version"] = participant.version
    return data


# A duration as people type it: minutes ("90", "90 min"), hours with a unit ("1,5 h", "2 Std.",
# "1.5 hours") or hours:minutes ("1:30"). ASCII digits only. A number without a unit is read in the
# field's own unit (minutes for a session or a note, hours for an enrolment's recorded hours).
_NUMBER = r"([0-9]{1,6})(?:[.,]([0-9]{1,2}))?"
_MINUTE_UNIT = r"\s*(?:m|min|min\.|mins|minute|minutes|minuten)"
_HOUR_UNIT = r"\s*(?:h|hr|hrs|hour|hours|std|std\.|stunde|stunden)"
_CLOCK = re.compile(r"([0-9]{1,5}):([0-5][0-9])")


def _amount(whole: str, fraction: str | None) -> float:
    return int(whole) + (int(fraction) / 10 ** len(fraction) if fraction else 0)


def parse_duration(text: str, bare: str = "minutes") -> int | None:
    """Whole minutes from a typed duration (see above); None when it is not one."""
    value = text.strip()
    if m := re.fullmatch(_NUMBER + _MINUTE_UNIT, value, re.IGNORECASE):
        return round(_amount(m.group(1), m.group(2)))
    if m := re.fullmatch(_NUMBER + _HOUR_UNIT, value, re.IGNORECASE):
        return round(_amount(m.group(1), m.group(2)) * 60)
    if m := re.fullmatch(_NUMBER, value):
        return round(_amount(m.group(1), m.group(2)) * (60 if bare == "hours" else 1))
    if m := _CLOCK.fullmatch(value):
        return int(m.group(1)) * 60 + int(m.group(2))
    return None


class DurationField(StringField):
    """A duration, converted to whole minutes (None when empty); the services judge the range.
    `bare`: the unit of a number typed without one ("minutes" or "hours"), also the unit a stored
    duration is shown in."""

    def __init__(self, label=None, validators=None, *, bare: str = "minutes", **kwargs):
        self.bare = bare
        kwargs.setdefault("description", _l("In minutes (90), in hours with h (1,5 h) or as hours:minutes (1:30).")
                          if bare == "minutes" else
                          _l("In hours (12 or 1,5), as hours:minutes (1:30) or in minutes with min (90 min)."))
        super().__init__(label, validators or [Optional()], **kwargs)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        if self.data is None:
            return ""
        if self.bare == "hours":
            hours = self.data / 60
            text = f"{hours:.2f}".rstrip("0").rstrip(".")
            return text.replace(".", ",") if str(get_locale() or "").startswith("de") else text
        return str(self.data)

    def process_formdata(self, valuelist) -> None:
        self.data = None
        if not valuelist or not (valuelist[0] or "").strip():
            return
        minutes = parse_duration(valuelist[0], self.bare)
        if minutes is None:
            raise ValueError(_("Enter a duration, e.g. 90 (minutes), 1,5 h or 1:30.") if self.bare == "minutes"
                             else _("Enter a duration, e.g. 12 (hours), 1,5 or 1:30."))
        self.data = minutes


class NoteForm(FlaskForm):
    date = _date(_l("Date"), required=True)
    kind = _select(_l("Kind of contact"), required=True)
    minutes = DurationField(_l("Duration"))
    text = TextAreaField(_l("Note"), validators=[RequiredMark()])
    enrolment_id = SelectField(_l("Counts towards the hours of"), choices=[], validate_choice=False,
                               validators=[Optional()])
    version = HiddenField()

    def setup(self, enrolments: list[tuple[int, str]] | None = None) -> NoteForm:
        """`enrolments`: (id, label) of the participant's enrolments the note's duration can count towards."""
        self.kind.choices = please_choose(NOTE_KINDS.items())
        self.enrolment_id.choices = options(((str(i), label) for i, label in enrolments or ()), blank=_("– no measure –"))
        if isinstance(self.enrolment_id.data, int):
            self.enrolment_id.data = str(self.enrolment_id.data)
        return self

    def to_data(self) -> dict[str, Any]:
        return {"date": self.date.data, "kind": _none_if_blank(self.kind.data), "minutes": self.minutes.data,
                "text": self.text.data, "enrolment_id": int_or_none(self.enrolment_id.data)}


class StatusChangeForm(FlaskForm):
    date = _date(_l("Since"), required=True)
    status = _select(_l("Labour-market status"), required=True)

    def setup(self) -> StatusChangeForm:
        self.status.choices = please_choose(LABOUR_STATUSES.items())
        return self


class GoalForm(FlaskForm):
    title = StringField(_l("Goal"), validators=[RequiredMark()], render_kw={"maxlength": TEXT_LIMITS["goal_title"]})
    target_date = _date(_l("Target date"))
    status = _select(_l("Status"))
    next_steps = TextAreaField(_l("Next steps"))
    version = HiddenField()

    def setup(self) -> GoalForm:
        self.status.choices = options(GOAL_STATUSES.items())
        return self

    def to_data(self) -> dict[str, Any]:
        return {"title": self.title.data, "target_date": self.target_date.data,
                "status": self.status.data or "open", "next_steps": self.next_steps.data}


class TaskForm(FlaskForm):
    title = StringField(_l("Task"), validators=[RequiredMark()], render_kw={"maxlength": TEXT_LIMITS["task_title"]})
    due_date = _date(_l("Due on"), required=True)
    assignee_id = _select(_l("Assigned to"))

    def setup(self, colleagues: list[tuple[int, str]]) -> TaskForm:
        self.assignee_id.choices = options(((str(i), n) for i, n in colleagues), blank=_("me"))
        return self

    def to_data(self) -> dict[str, Any]:
        value = self.assignee_id.data
        return {"title": self.title.data, "due_date": self.due_date.data,
                "assignee_id": None if not value else (int_or_none(value) or -1)}


class CompleteTaskForm(FlaskForm):
    version = HiddenField()


class ReassignForm(FlaskForm):
    counsellor_id = _select(_l("New counsellor"), required=True)
    move_tasks = BooleanField(_l("Move the case's open tasks to the new counsellor too"), default=True)
    version = HiddenField()

    def setup(self, colleagues: list[tuple[int, str]]) -> ReassignForm:
        self.counsellor_id.choices = please_choose((str(i), n) for i, n in colleagues)
        return self


SEARCH_MAX_LENGTH = 100
CASELOAD_FILTERS = ("status", "counsellor", "measure", "nationality", "sort", "dir")


def search_term(value: Any) -> str:
    """A search term as the caseload keeps it: trimmed, at most 100 characters."""
    return (value or "").strip()[:SEARCH_MAX_LENGTH]


class CaseloadSearchForm(FlaskForm):
    """The caseload's search and filter form. It is posted, not sent as a query string, so that a
    name or case number searched for never reaches the address bar, the history or a proxy's log.
    The filters are plain strings here; the view parses them as it parses the query string."""

    q = StringField(_l("Name or case number"), filters=[search_term])
    status = StringField()
    counsellor = StringField()
    measure = StringField()
    nationality = StringField()
    sort = StringField()
    dir = StringField()

    def filter_values(self) -> dict[str, str]:
        """The filters that were sent (a missing one keeps its default, as in the query string)."""
        return {name: self[name].data for name in CASELOAD_FILTERS if self[name].raw_data}


_DIGITS = re.compile(r"[0-9]{1,10}")


def int_or_none(value: Any) -> int | None:
    """An id or small number from a form or query string: ASCII digits only (no "²", no other
    scripts' digits) and at most the largest id a database column holds; None otherwise."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        return None
    return number if 0 <= number <= MAX_ID else None


class QuickSearchForm(FlaskForm):
    """The header's quick search (every page, for counsellors and team leads): posted like the
    caseload's search, so that the term never reaches an address."""

    q = StringField(_l("Search participants"), filters=[search_term])


class SavedFilterForm(CaseloadSearchForm):
    """Saves the caseload's current filters (posted as hidden fields) under a name."""

    name = StringField(_l("Save these filters as"))
