"""The filter of the audit and access log."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional

from caseflow.translation import lazy_gettext as _l
from caseflow.vocabulary import options

ACTION_FILTERS = {
    "": _l("all entries"),
    "access": _l("access log: case files opened or exported"),
    "case.view": _l("case files opened"),
    "case.export": _l("case files exported"),
    "caseload.download": _l("caseload lists exported"),
    "participant.": _l("changes of master data"),
    "consent.": _l("consents"),
    "note.": _l("notes"),
    "login": _l("logins"),
}


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # read from the address too; a posted filter is checked by the app's CSRFProtect

    case_number = StringField(_l("Case number"), validators=[Optional(), Length(max=20)])
    action = SelectField(_l("Entries"), choices=options(ACTION_FILTERS.items()), validators=[Optional()])
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])
