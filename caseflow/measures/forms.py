"""WTForms of the measures domain. Forms convert (text to dates, numbers, codes); every rule, the
required fields and lengths included, is judged by the services (services.py, details.py), the same
for the pages and the API.

Each measure type has its own details form, built from the type's declaration in details.py
(`details_form_class`), and combined with the enrolment form of the page that shows it.
"""
from __future__ import annotations

from datetime import date
from functools import cache
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from caseflow.measures.details import DETAILS, Detail
from caseflow.measures.vocabulary import COMPANY_SIZES, NACE_SECTIONS
from caseflow.participants.forms import DurationField, int_or_none
from caseflow.translation import lazy_gettext as _l
from caseflow.vocabulary import ENROLMENT_STATUSES, MEASURE_TYPES, options, please_choose

NOT_RECORDED = _l("— not recorded —")  # the empty option of an optional select


class MeasureForm(FlaskForm):
    title = StringField(_l("Title"))
    type = SelectField(_l("Type"), choices=please_choose(MEASURE_TYPES.items()), default="")
    organisation_id = SelectField(_l("Providing organisation"), coerce=int_or_none, validators=[Optional()])
    start_date = DateField(_l("Start"), validators=[Optional()])
    end_date = DateField(_l("End date"), validators=[Optional()])
    capacity = IntegerField(_l("Places"), validators=[Optional()],
                            description=_l("Leave empty for no limit. When all places are taken, "
                                           "new enrolments go onto the waiting list."))
    location = StringField(_l("Location"), validators=[Optional()])
    description = TextAreaField(_l("Description"), validators=[Optional()])
    active = BooleanField(_l("Open for enrolment"), default=True)
    version = HiddenField()

    def data_for_service(self) -> dict[str, Any]:
        return {"title": self.title.data, "type": self.type.data, "start_date": self.start_date.data,
                "end_date": self.end_date.data, "capacity": self.capacity.data, "location": self.location.data,
                "description": self.description.data, "active": bool(self.active.data)}


class EmployerForm(FlaskForm):
    name = StringField(_l("Company name"))
    nace_section = SelectField(_l("Sector (NACE section)"), choices=options(NACE_SECTIONS, blank=NOT_RECORDED), validators=[Optional()])
    size = SelectField(_l("Size"), choices=options(COMPANY_SIZES, blank=NOT_RECORDED), validators=[Optional()])
    district = StringField(_l("District"), validators=[Optional()])
    contact_person = StringField(_l("Contact person"), validators=[Optional()])
    contact_phone = StringField(_l("Phone"), validators=[Optional()])
    contact_email = StringField(_l("Email"), validators=[Optional()])
    notes = TextAreaField(_l("Notes"), validators=[Optional()])
    version = HiddenField()

    def data_for_service(self) -> dict[str, Any]:
        return {name: getattr(self, name).data or None for name in
                ("name", "nace_section", "size", "district", "contact_person", "contact_phone",
                 "contact_email", "notes")}


class EnrolmentBaseForm(FlaskForm):
    status = SelectField(_l("Status"), choices=options(ENROLMENT_STATUSES.items()))
    start_date = DateField(_l("Start"), validators=[Optional()])
    end_date = DateField(_l("End date"), validators=[Optional()],
                         description=_l("Planned end; the actual end once it has ended."))
    dropout_reason = TextAreaField(_l("Reason for dropping out"), validators=[Optional()],
                                   description=_l("Required when the participant dropped out."))
    minutes = DurationField(_l("Hours of participation recorded here"), bare="hours", description=_l(
        "Participation outside attendance lists and notes, e.g. hours confirmed by the provider. "
        "In hours (12 or 1,5), as hours:minutes (1:30) or in minutes with min (90 min)."))


class EnrolmentCreateForm(EnrolmentBaseForm):
    measure_id = HiddenField(validators=[DataRequired()])


class EnrolmentEditForm(EnrolmentBaseForm):
    version = HiddenField()


def _detail_field(d: Detail):
    kw: dict[str, Any] = {"description": d.hint} if d.hint else {}
    if d.kind == "text":
        return StringField(d.label, validators=[Optional()], **kw)
    if d.kind in ("longtext", "lines"):
        return TextAreaField(d.label, validators=[Optional()], **kw)
    if d.kind == "int":
        return IntegerField(d.label, validators=[Optional()], **kw)
    if d.kind in ("date", "past_date"):
        return DateField(d.label, validators=[Optional()], **kw)
    if d.kind == "bool":
        return BooleanField(d.label, **kw)
    if d.kind == "choice":
        return SelectField(d.label, choices=options(d.choices or {}, blank=NOT_RECORDED), validators=[Optional()], **kw)
    # country, employer, enrolment: choices are set per request (language, organisation, participant)
    return SelectField(d.label, choices=[], validators=[Optional()], validate_choice=False, **kw)


@cache
def details_form_class(base: type, measure_type: str) -> type:
    """`base` plus the fields of `measure_type`'s details, e.g. EnrolmentEditForm + trainee partnership."""
    fields = {d.name: _detail_field(d) for d in DETAILS[measure_type]}
    return type(f"{base.__name__}_{measure_type}", (base,), fields)


def details_from_form(form: FlaskForm, measure_type: str) -> dict[str, Any]:
    """The form's details as the shared validator takes them."""
    out: dict[str, Any] = {}
    for d in DETAILS[measure_type]:
        value = getattr(form, d.name).data
        if d.kind in ("employer", "enrolment"):
            value = int_or_none(value)
        if value in ("", None):
            continue
        out[d.name] = value
    return out


def fill_details(form: FlaskForm, measure_type: str, details: dict[str, Any]) -> None:
    """Shows stored details in the form (on GET)."""
    for d in DETAILS[measure_type]:
        value = details.get(d.name)
        field = getattr(form, d.name)
        if value is None:
            continue
        if d.kind in ("date", "past_date") and isinstance(value, str):
            value = date.fromisoformat(value)
        elif d.kind == "lines":
            value = "\n".join(value)
        elif d.kind in ("employer", "enrolment"):
            value = str(value)
        field.data = value


def set_detail_choices(form: FlaskForm, measure_type: str, *, countries, employers, recognitions) -> None:
    for d in DETAILS[measure_type]:
        field = getattr(form, d.name)
        if d.kind == "country":
            field.choices = options(countries, blank=NOT_RECORDED)
        elif d.kind == "employer":
            field.choices = options(((str(i), n) for i, n in employers), blank=_l("— choose a company —"))
        elif d.kind == "enrolment":
            field.choices = please_choose((str(i), n) for i, n in recognitions)


class SessionForm(FlaskForm):
    date = DateField(_l("Date of the session"), validators=[Optional()])
    topic = StringField(_l("Topic"), validators=[Optional()])
    minutes = DurationField(_l("Duration"), description=_l(
        "Credited to everyone present. In minutes (90), in hours with h (1,5 h) or as hours:minutes (1:30)."))


def attendance_form_class(enrolment_ids: tuple[int, ...]) -> type:
    """A form with one checkbox `present_<enrolment id>` per enrolment on the session's roster, and
    the session's duration."""
    fields: dict[str, Any] = {f"present_{i}": BooleanField(_l("present")) for i in enrolment_ids}
    fields["minutes"] = DurationField(_l("Duration of the session"), description=_l(
        "Credited to everyone present. In minutes (90), in hours with h (1,5 h) or as hours:minutes (1:30)."))
    return type("AttendanceForm", (FlaskForm,), fields)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class BulkEnrolmentForm(FlaskForm):
    participant_ids = MultiCheckboxField(_l("Participants"), coerce=int, validate_choice=True)
    case_numbers = TextAreaField(_l("Further case numbers"), validators=[Optional()],
                                 description=_l("One case number per line, e.g. CF-2026-000123."))
    status = SelectField(_l("Status"), choices=options([("planned", ENROLMENT_STATUSES["planned"]),
                                                        ("active", ENROLMENT_STATUSES["active"])]))
    start_date = DateField(_l("Start"), validators=[InputRequired()])
    end_date = DateField(_l("End date"), validators=[Optional()])
