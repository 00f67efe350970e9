"""The partnership's forms: they convert; the services judge."""
from __future__ import annotations

from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, ListWidget

from caseflow.i18n import country_choices
from caseflow.translation import gettext as _
from caseflow.translation import lazy_gettext as _l
from caseflow.vocabulary import GENDERS, options, please_choose


class PartnershipForm(FlaskForm):
    name = StringField(_l("Name of the partnership"))
    organisation_ids = SelectMultipleField(_l("Member organisations"), coerce=int, validate_choice=False,
                                           widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    joined_on = DateField(_l("Members from"), validators=[Optional()])


class ReferralForm(FlaskForm):
    organisation_id = SelectField(_l("Partner organisation"), choices=[], validate_choice=False)
    measure_id = SelectField(_l("Measure of the partner (optional)"), choices=[], validate_choice=False)
    reason = TextAreaField(_l("Reason for the referral"), description=_l(
        "What the partner should know to help: the goal, not the person's history."))

    def to_data(self) -> dict:
        def as_int(value):
            return int(value) if value and str(value).isdigit() else None
        return {"organisation_id": as_int(self.organisation_id.data), "measure_id": as_int(self.measure_id.data),
                "reason": self.reason.data}


class AcceptForm(FlaskForm):
    """Gender and nationality are not in the data packet (data minimisation: the referral's purpose
    does not need them), but the new case and the ESF+ report do: the partner asks the person at
    intake. Both start empty ("please choose"), never prefilled with a guess."""
    gender = SelectField(_l("Gender"), choices=[], validate_choice=False,
                         description=_l("Not shared by the referring organisation: ask the person."))
    nationality = SelectField(_l("Nationality"), choices=[], validate_choice=False,
                              description=_l("Not shared by the referring organisation: ask the person."))
    entry_date = DateField(_l("Entry date"), validators=[Optional()], description=_l("Empty: today."))
    confirm_not_duplicate = BooleanField(_l("I have checked the candidates: this is a different person."))

    def setup(self) -> AcceptForm:
        self.gender.choices = please_choose((k, str(v)) for k, v in GENDERS.items())
        self.nationality.choices = please_choose([("stateless", _("stateless")),
                                                  *country_choices(str(get_locale() or "de"))])
        return self

    def to_data(self) -> dict:
        return {"gender": self.gender.data or None, "nationality": self.nationality.data or None,
                "entry_date": self.entry_date.data, "confirm_not_duplicate": bool(self.confirm_not_duplicate.data)}


class DeclineForm(FlaskForm):
    reason = TextAreaField(_l("Reason for declining"))


class AgreementForm(FlaskForm):
    organisation_id = SelectField(_l("Organisation"), choices=[], validate_choice=False)
    partner_organisation_id = SelectField(_l("Partner organisation"), choices=[], validate_choice=False)
    valid_from = DateField(_l("Valid from"), validators=[Optional()])
    valid_until = DateField(_l("Valid until (optional)"), validators=[Optional()],
                            description=_l("The last day of the agreement; empty: open-ended."))
    reference = StringField(_l("Reference of the agreement"))

    def to_data(self) -> dict:
        def as_int(value):
            return int(value) if value and str(value).isdigit() else None
        return {"organisation_id": as_int(self.organisation_id.data) if self.organisation_id else None,
                "partner_organisation_id": as_int(self.partner_organisation_id.data),
                "valid_from": self.valid_from.data, "valid_until": self.valid_until.data,
                "reference": self.reference.data}


class PartnerEnrolmentForm(FlaskForm):
    measure_id = SelectField(_l("Measure of the partner"), choices=[], validate_choice=False)
    status = SelectField(_l("Status"), choices=options([("planned", _l("planned")), ("active", _l("active"))]))
    start_date = DateField(_l("Start date"), validators=[Optional()])
    end_date = DateField(_l("End date"), validators=[Optional()])

    def to_data(self) -> dict:
        measure = self.measure_id.data
        return {"measure_id": int(measure) if measure and str(measure).isdigit() else None,
                "status": self.status.data, "start_date": self.start_date.data, "end_date": self.end_date.data}


class PartnerAttendanceForm(FlaskForm):
    date = DateField(_l("Day of the session"), validators=[Optional()])
    present = SelectField(_l("Attended"), choices=options([("yes", _l("present")), ("no", _l("absent"))]))


class PartnerOutcomeForm(FlaskForm):
    status = SelectField(_l("Status"), choices=options([("active", _l("active")), ("completed", _l("completed")),
                                                        ("dropped_out", _l("dropped out"))]))
    start_date = DateField(_l("Start date"), validators=[Optional()])
    end_date = DateField(_l("End date"), validators=[Optional()])
    dropout_reason = StringField(_l("Reason for dropping out"))
    version = HiddenField()
