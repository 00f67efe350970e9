"""Forms of the working day: a task's edit form and the bulk reassignment form."""
from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, SelectField, SelectMultipleField, StringField
from wtforms.validators import Optional

from caseflow.participants.forms import RequiredMark
from caseflow.translation import lazy_gettext as _l
from caseflow.vocabulary import options, please_choose


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 11 else None


class TaskEditForm(FlaskForm):
    title = StringField(_l("Task"), validators=[RequiredMark()], render_kw={"maxlength": 300})
    due_date = DateField(_l("Due on"), validators=[RequiredMark(), Optional()])
    assignee_id = SelectField(_l("Assigned to"), validators=[RequiredMark()], choices=[], validate_choice=False)
    version = HiddenField()

    def setup(self, colleagues: list[tuple[int, str]]) -> TaskEditForm:
        self.assignee_id.choices = options((str(i), n) for i, n in colleagues)
        return self

    def to_data(self, *, title_editable: bool) -> dict[str, Any]:
        data: dict[str, Any] = {"due_date": self.due_date.data, "assignee_id": _int(self.assignee_id.data)}
        if title_editable:
            data["title"] = self.title.data
        return data


class TaskStateForm(FlaskForm):
    """Complete or reopen: only the version read."""
    version = HiddenField()


class BulkReassignForm(FlaskForm):
    participant_ids = SelectMultipleField(_l("Cases"), choices=[], validate_choice=False)
    counsellor_id = SelectField(_l("New counsellor"), validators=[RequiredMark()], choices=[], validate_choice=False)
    move_tasks = BooleanField(_l("Move their open tasks too"), default=True)

    def setup(self, colleagues: list[tuple[int, str]]) -> BulkReassignForm:
        self.counsellor_id.choices = please_choose((str(i), n) for i, n in colleagues)
        return self

    def ids(self) -> list[int]:
        return [i for i in (_int(v) for v in self.participant_ids.data or []) if i is not None]
