"""The import page's forms: they convert; the services judge."""
from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField

from caseflow.translation import lazy_gettext as _l


class UploadForm(FlaskForm):
    file = FileField(_l("Workbook (XLSX or CSV)"), validators=[FileRequired(_l("Choose a file."))],
                     description=_l("The template's sheets, or one CSV file of one kind of record."))


class RunForm(FlaskForm):
    skip_invalid = BooleanField(_l("Skip the participants with errors and import the rest"))
    accept_duplicates = BooleanField(_l("The possible duplicates are different people: import them as new cases"))


class RecheckForm(FlaskForm):
    """Check again (after the choices above changed)."""


class UndoForm(FlaskForm):
    """Undo an import: the CSRF token only."""


def mapping_form(unmapped: list[dict], choices_for) -> FlaskForm:
    """A select per header that matched no field: the fields of its sheet, or "ignore this column"."""

    class MappingForm(FlaskForm):
        pass

    for i, item in enumerate(unmapped):
        setattr(MappingForm, f"h{i}", SelectField(
            _l("Column “%(header)s” in sheet “%(sheet)s”", header=item["header"], sheet=item["sheet"]),
            choices=choices_for(item["kind"])))
    return MappingForm()


