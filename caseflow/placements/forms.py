"""Forms of the outcomes domain. Forms convert (text to dates, numbers, codes); every rule, required
fields and lengths included, is judged by the services, the same for the pages and the API."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import get_locale
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, DecimalField, HiddenField, SelectField, StringField
from wtforms.validators import Optional
from wtforms.widgets import TextInput

from caseflow.i18n import country_choices, format_number
from caseflow.participants.forms import int_or_none
from caseflow.placements.vocabulary import ENROLMENT_CLOSINGS, EVIDENCE_KINDS, FOLLOW_UP_KINDS, IMPROVEMENT_KINDS
from caseflow.translation import lazy_gettext as _l
from caseflow.vocabulary import (
    EXIT_REASONS,
    FOLLOW_UP_STATUSES,
    LABOUR_STATUSES,
    PLACEMENT_TYPES,
    options,
    please_choose,
)

CONTRACT_LABELS = {"permanent": _l("permanent"), "fixed_term": _l("fixed-term")}
YES_NO = {"yes": _l("yes"), "no": _l("no")}


def _yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


class HoursField(DecimalField):
    """A number of hours such as 38,5 or 38.5, in a text field (inputmode decimal). A browser's
    number field reads the decimal mark of the browser's own language, not the page's: a German page
    in an English browser turned "38,5" into 385. Shown in the reader's format (38,5 in German)."""

    widget = TextInput()

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist and isinstance(valuelist[0], str):
            valuelist = [valuelist[0].strip().replace(",", ".")]
        super().process_formdata(valuelist)

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return "" if self.data is None else format_number(self.data, "0.#")


class PlacementForm(FlaskForm):
    type = SelectField(_l("Type"), choices=please_choose(PLACEMENT_TYPES), default="")
    employer_id = SelectField(_l("Employer from the directory"), coerce=int_or_none, validate_choice=False,
                              validators=[Optional()])
    employer_name = StringField(_l("or a new employer"), validators=[Optional()],
                                description=_l("Adds the employer to your organisation's directory. "
                                               "Not needed for self-employment."))
    job_title = StringField(_l("Job title"), validators=[Optional()])
    occupation = StringField(_l("Occupation"), validators=[Optional()],
                             description=_l("e.g. the reference occupation, such as electronics technician"))
    start_date = DateField(_l("Start date"), validators=[Optional()])
    end_date = DateField(_l("End date"), validators=[Optional()],
                         description=_l("Leave empty while it lasts; for a fixed-term contract the agreed end."))
    weekly_hours = HoursField(_l("Weekly hours"), places=1, validators=[Optional()])
    contract = SelectField(_l("Contract"), choices=options(CONTRACT_LABELS, blank=_l("not known")), default="")
    country = SelectField(_l("Country"), default="DE")
    matches_qualification = SelectField(_l("Matches the participant's qualification"),
                                        choices=options(YES_NO, blank=_l("not known")), default="")
    enrolment_id = SelectField(_l("Measure that led to it"), coerce=int_or_none, validate_choice=False,
                               validators=[Optional()])
    evidence = SelectField(_l("Evidence"), choices=options(EVIDENCE_KINDS, blank=_l("not recorded")), default="")
    # The employment contract, stored as a document with the placement (contracts.py); optional.
    contract_file = FileField(_l("Employment contract (file)"),
                              render_kw={"accept": ".pdf,.jpg,.jpeg,.png,.heic,.heif,.docx,.odt,.xlsx,.ods,.txt"})
    contract_date = DateField(_l("Contract signed on"), validators=[Optional()])
    version = HiddenField()

    def setup(self, employers: list[tuple[int, str]], enrolments: list[tuple[int, str]]) -> PlacementForm:
        self.employer_id.choices = options(employers, blank=_l("— a new employer (enter below) —"))
        self.enrolment_id.choices = options(enrolments, blank=_l("none"))
        self.country.choices = options(country_choices(str(get_locale())))
        # the error summary names the field by what it is about ("Employer: choose one …"), not by
        # its label beside the directory's list, which reads "or a new employer"
        self.employer_name.summary_label = _l("Employer")
        return self

    def fill_from(self, placement) -> None:
        for name in ("type", "employer_id", "job_title", "occupation", "start_date", "end_date", "weekly_hours",
                     "country", "enrolment_id", "evidence", "version"):
            getattr(self, name).data = getattr(placement, name)
        self.contract.data = {True: "permanent", False: "fixed_term"}.get(placement.permanent, "")
        self.matches_qualification.data = {True: "yes", False: "no"}.get(placement.matches_qualification, "")
        self.evidence.data = placement.evidence or ""

    def contract_upload(self):
        """The contract sent with the form (None when no file was chosen)."""
        from caseflow.placements.contracts import ContractUpload
        upload = self.contract_file.data
        if not upload or not getattr(upload, "filename", None):
            return None
        return ContractUpload(upload.stream, upload.filename, self.contract_date.data)

    def service_data(self) -> dict[str, Any]:
        return {
            "type": self.type.data, "employer_id": self.employer_id.data,
            "employer_name": self.employer_name.data if self.employer_id.data is None else None,
            "job_title": self.job_title.data, "occupation": self.occupation.data,
            "start_date": self.start_date.data, "end_date": self.end_date.data,
            "weekly_hours": self.weekly_hours.data, "country": self.country.data,
            "permanent": {"permanent": True, "fixed_term": False}.get(self.contract.data or ""),
            "matches_qualification": _yes_no(self.matches_qualification.data),
            "enrolment_id": self.enrolment_id.data, "evidence": self.evidence.data or None,
        }


class EndPlacementForm(FlaskForm):
    end_date = DateField(_l("Last day of the placement"), validators=[Optional()])
    status_after_end = SelectField(_l("Status from the next day on"), choices=options(LABOUR_STATUSES, blank=""),
                                   validators=[Optional()],
                                   description=_l("Recorded in the status history on the day after the end."))
    version = HiddenField()


def exit_form_class(enrolments: list, today: date):
    """An ExitForm with one closing choice per open enrolment (fields named close_<id>)."""
    from caseflow.placements.services import default_closing_status

    class ExitForm(FlaskForm):
        exit_date = DateField(_l("Exit date"), validators=[Optional()])
        reason = SelectField(_l("Reason"), choices=please_choose(EXIT_REASONS),
                             validators=[Optional()])

        closing_fields: list[str] = []

        def closing_plan(self) -> dict[str, str]:
            return {name.removeprefix("close_"): getattr(self, name).data for name in self.closing_fields}

    for enrolment in enrolments:
        name = f"close_{enrolment.id}"
        label = enrolment.measure.title if enrolment.measure else str(enrolment.id)
        # an active enrolment is completed or dropped out, never cancelled (the measures' transitions)
        labels = ({k: v for k, v in ENROLMENT_CLOSINGS.items() if k != "cancelled"}
                  if enrolment.status == "active" else ENROLMENT_CLOSINGS)
        setattr(ExitForm, name, SelectField(label, choices=options(labels),
                                            default=default_closing_status(enrolment, today)))
        ExitForm.closing_fields = ExitForm.closing_fields + [name]
    return ExitForm


class ReEntryForm(FlaskForm):
    date = DateField(_l("Re-entry date"), validators=[Optional()])


class CertificateForm(FlaskForm):
    date = DateField(_l("Date"), validators=[Optional()])
    title = StringField(_l("Qualification"), validators=[Optional()],
                        description=_l("A certificate from a formal assessment, e.g. telc Deutsch B2."))
    issuing_body = StringField(_l("Issuing body"), validators=[Optional()])
    enrolment_id = SelectField(_l("Measure"), coerce=int_or_none, validate_choice=False, validators=[Optional()])

    def setup(self, enrolments: list[tuple[int, str]]) -> CertificateForm:
        self.enrolment_id.choices = options(enrolments, blank=_l("none"))
        return self

    def service_data(self) -> dict[str, Any]:
        return {"date": self.date.data, "title": self.title.data, "issuing_body": self.issuing_body.data,
                "enrolment_id": self.enrolment_id.data}


class FollowUpForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=please_choose(FOLLOW_UP_KINDS), default="")
    date = DateField(_l("Date"), validators=[Optional()])
    status = SelectField(_l("Status then"), choices=please_choose(FOLLOW_UP_STATUSES),
                         validators=[Optional()],
                         description=_l("Choose “could not be reached” when you could not reach the person: "
                                        "it is never counted as unemployed."))
    improved_situation = SelectField(_l("Has the situation improved since entry?"),
                                     choices=options(YES_NO, blank=_l("not known")), default="")
    improvement_kind = SelectField(_l("How did it improve?"), choices=options(IMPROVEMENT_KINDS, blank=""), default="",
                                   description=_l("A pay rise alone is no improvement."))

    def service_data(self, with_improvement: bool) -> dict[str, Any]:
        data = {"kind": self.kind.data, "date": self.date.data, "status": self.status.data}
        if with_improvement:
            data["improved_situation"] = _yes_no(self.improved_situation.data)
            data["improvement_kind"] = self.improvement_kind.data or None
        return data


class PlacementFilterForm(FlaskForm):
    """The placement list's filters: a GET form (no state changes, ids only in the URL)."""

    class Meta:
        csrf = False

    date_from = DateField(_l("Started from"), validators=[Optional()])
    date_to = DateField(_l("Started until"), validators=[Optional()])
    type = SelectField(_l("Type"), choices=options(PLACEMENT_TYPES, blank=_l("all")), default="", validators=[Optional()])
    measure_id = SelectField(_l("Measure"), coerce=int_or_none, validate_choice=False, validators=[Optional()])
    counsellor_id = SelectField(_l("Counsellor"), coerce=int_or_none, validate_choice=False, validators=[Optional()])
    employer_id = SelectField(_l("Employer"), coerce=int_or_none, validate_choice=False, validators=[Optional()])

    def setup(self, measures, counsellors, employers) -> PlacementFilterForm:
        self.measure_id.choices = options(measures, blank=_l("all"))
        self.counsellor_id.choices = options(counsellors, blank=_l("all"))
        self.employer_id.choices = options(employers, blank=_l("all"))
        return self
