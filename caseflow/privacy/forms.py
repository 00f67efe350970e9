"""Forms of the data protection pages."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from caseflow.privacy.vocabulary import CONSENT_FORM_LABELS, CONSENT_PURPOSE_LABELS
from caseflow.translation import lazy_gettext as _l
from caseflow.vocabulary import please_choose


class ConsentForm(FlaskForm):
    purpose = SelectField(_l("Purpose"), choices=please_choose(CONSENT_PURPOSE_LABELS.items()), default="")
    given_on = DateField(_l("Date of consent"), validators=[InputRequired()])
    form = SelectField(_l("Form"), choices=please_choose(CONSENT_FORM_LABELS.items()), default="")
    witness = StringField(_l("Witness"), validators=[Optional(), Length(max=200)],
                          description=_l("Required for oral consent: who witnessed it."))
    notice_version = StringField(_l("Version of the privacy notice"), validators=[InputRequired(), Length(max=40)],
                                 description=_l("As printed on the notice the person received, e.g. 2026-01."))
    notice_language = SelectField(_l("Language of the notice"))


class WithdrawConsentForm(FlaskForm):
    withdrawn_on = DateField(_l("Date of withdrawal"), validators=[InputRequired()])


class RestrictionForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=500)],
                           description=_l("Why processing is restricted, e.g. the person contests the accuracy "
                                          "of the data. Keep it short and factual."))
    version = IntegerField(validators=[InputRequired()])


class AnonymiseForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[InputRequired(), Length(max=500)],
                           description=_l("e.g. request for erasure of 12 March. Do not write names here."))
    confirm = BooleanField(_l("I understand that the personal data of this person will be removed for good."),
                           validators=[DataRequired()])


class RetentionRunForm(FlaskForm):
    pass
