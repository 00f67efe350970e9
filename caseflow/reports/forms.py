"""The report parameter forms. They are GET forms (running a report changes nothing), so they carry
no CSRF token; the services check every value and the views show the messages next to the fields."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms.validators import Optional

from caseflow.reports import labels as L
from caseflow.translation import lazy_gettext as _l
from caseflow.vocabulary import MEASURE_TYPES, options
from caseflow.web import LongSelect

_FROM_FIELD = DateField(_l("From"), validators=[Optional()])  # created first: rendered before `to`


class ReportForm(FlaskForm):
    class Meta:
        csrf = False

    to = DateField(_l("To"), validators=[Optional()])
    organisation_id = SelectField(_l("Organisation"), choices=[], validate_choice=False)


# `from` is a Python keyword but the documented parameter name; the field is added by name.
setattr(ReportForm, "from", _FROM_FIELD)


class EsfForm(ReportForm):
    ltu_rule = SelectField(_l("Long-term unemployment rule"), choices=[], validate_choice=False)
    min_hours = StringField(_l("Minimum hours of participation"), render_kw={"inputmode": "numeric"},
                            description=_l("Count only participants with at least this many hours (0: everyone)."))
    partnership_id = SelectField(_l("Partnership"), choices=[], validate_choice=False, description=_l(
        "A partnership's report counts a person whose cases are linked by accepted referrals once."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.ltu_rule.choices = options((k, str(v)) for k, v in L.LTU_RULE_LABELS.items())


class PlacementForm(ReportForm):
    counsellor_id = SelectField(_l("Counsellor"), choices=[], validate_choice=False, widget=LongSelect())
    measure_type = SelectField(_l("Measure type"), choices=[], validate_choice=False)
    measure_id = SelectField(_l("Measure"), choices=[], validate_choice=False, widget=LongSelect())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.measure_type.choices = options(((k, str(v)) for k, v in MEASURE_TYPES.items()), blank=_l("all"))


class MonitoringForm(ReportForm):
    """The monitoring export's period and organisation (a GET form: looking changes nothing)."""


class MonitoringDownloadForm(FlaskForm):
    """Downloading the monitoring export is audited: a POST with the CSRF token; the period comes
    along in hidden fields."""

    format = SelectField(_l("Format"), choices=options([("xml", "XML"), ("csv", "CSV"), ("json", "JSON")]), default="xml")
    include_incomplete = BooleanField(_l("Also export the blocking records, marked incomplete"))
