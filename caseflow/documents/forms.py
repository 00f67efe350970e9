"""Forms of the documents domain. Shape and field rules only; the business rules live in services."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import DateField, FileField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from caseflow.documents.vocabulary import CONTRACT_GAP_REASONS, DOCUMENT_KINDS
from caseflow.translation import lazy_gettext as _l
from caseflow.vocabulary import please_choose

MAX_FILES = 10


def split_link(value: str | None) -> tuple[str | None, int | None]:
    """"placement:5" → ("placement", 5); "" → (None, None)."""
    kind, _, number = (value or "").partition(":")
    return (kind or None, int(number)) if kind and number.isdigit() and len(number) < 11 else (None, None)


class _DocumentFields(FlaskForm):
    kind = SelectField(_l("Kind"), choices=please_choose(DOCUMENT_KINDS), validators=[DataRequired()])
    title = StringField(_l("Title"), validators=[InputRequired(), Length(max=200)],
                        description=_l("e.g. “Employment contract Spreewerk GmbH” or “B1 certificate”"))
    date = DateField(_l("Date of the document"), validators=[InputRequired()],
                     description=_l("the day it was issued or signed"))
    link = SelectField(_l("Proves"), validate_choice=False, validators=[Optional()],
                       description=_l("the record this document is evidence of (optional)"))

    def service_data(self) -> dict[str, Any]:
        linked_type, linked_id = split_link(self.link.data)
        return {"kind": self.kind.data or None, "title": self.title.data, "date": self.date.data,
                "linked_type": linked_type, "linked_id": linked_id}


class UploadForm(_DocumentFields):
    files = MultipleFileField(_l("Files"), render_kw={"accept": ".pdf,.jpg,.jpeg,.png,.heic,.heif,.docx,.odt,"
                                                                ".xlsx,.ods,.txt"})


class EditForm(_DocumentFields):
    version = HiddenField()


class ReplaceForm(FlaskForm):
    file = FileField(_l("New version of the file"))


class DeleteForm(FlaskForm):
    pass


class ContractGapForm(FlaskForm):
    placement_id = IntegerField(validators=[InputRequired()])
    reason = SelectField(_l("Why is no contract linked?"), choices=please_choose(CONTRACT_GAP_REASONS),
                         validators=[DataRequired()])
