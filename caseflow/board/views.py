"""The team lead's board, the case list behind each of its numbers with bulk reassignment, and
the pages that edit, reschedule, hand over, complete and reopen a task."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from caseflow.accounts.auth import roles_required
from caseflow.accounts.queries import counsellor_choices as colleagues
from caseflow.board import queries
from caseflow.board.forms import BulkReassignForm, TaskEditForm, TaskStateForm
from caseflow.errors import DomainError
from caseflow.participants import tasks as task_services
from caseflow.participants.access import get_record_for, get_record_with
from caseflow.participants.models import Task
from caseflow.participants.summary import summary_columns
from caseflow.participants.views import case_header_context
from caseflow.translation import gettext as _
from caseflow.translation import lazy_gettext as _l
from caseflow.vocabulary import CASEWORK_ROLES
from caseflow.web import apply_error, page_args, safe_next

bp = Blueprint("board", __name__)

SIGNAL_LABELS = {
    "active": _l("Active cases"),
    "overdue": _l("Overdue tasks"),
    "follow_ups": _l("Follow-ups due in 14 days"),
    "no_contact_30": _l("No contact 30+ days"),
    "no_contact_60": _l("No contact 60+ days"),
    "no_contact_90": _l("No contact 90+ days"),
    "gaps": _l("Data gaps"),
    "attendance": _l("Attendance alerts"),
}


@bp.route("/board")
@roles_required("team_lead")
def board():
    rows = queries.board(current_user.organisation_id)
    return render_template("board/board.html", rows=rows, totals=queries.totals(rows), signals=queries.SIGNALS,
                           labels=SIGNAL_LABELS, unassigned=queries.UNASSIGNED)


def _counsellor_arg(team: list[tuple[int, str]]) -> int | str | None:
    raw = request.args.get("counsellor", "")
    if raw in ("", "all"):
        return None
    if raw == queries.UNASSIGNED:
        return raw
    if not raw.isdigit() or len(raw) > 10 or int(raw) not in {i for i, _n in team}:
        abort(404)
    return int(raw)


@bp.route("/board/cases")
@roles_required("team_lead")
def cases():
    team = colleagues(current_user.organisation_id)
    counsellor = _counsellor_arg(team)
    signal = request.args.get("signal") or "active"
    if signal not in queries.SIGNALS:
        abort(404)
    page, per_page = page_args()
    pagination = queries.case_list(current_user.organisation_id, counsellor=counsellor, signal=signal,
                                   page=page, per_page=per_page)
    counsellor_name = dict(team).get(counsellor) if isinstance(counsellor, int) else None
    return render_template("board/cases.html", pagination=pagination, form=BulkReassignForm(formdata=None).setup(team),
                           signal=signal, labels=SIGNAL_LABELS, counsellor=counsellor, counsellor_name=counsellor_name,
                           unassigned=queries.UNASSIGNED, team=team)


@bp.route("/board/reassign", methods=["POST"])
@roles_required("team_lead")
def bulk_reassign():
    team = colleagues(current_user.organisation_id)
    form = BulkReassignForm().setup(team)
    back = safe_next(request.form.get("next"), url_for("board.cases"))
    if not form.validate_on_submit():
        abort(400)
    ids = form.ids()
    counsellor_id = form.counsellor_id.data
    if not ids:
        flash(_("Select at least one case."), "error")
        return redirect(back)
    if not (counsellor_id or "").isdigit():
        flash(_("Choose the new counsellor."), "error")
        return redirect(back)
    try:
        results = task_services.reassign_cases(ids[:200], counsellor_id=int(counsellor_id), actor=current_user,
                                               move_tasks=bool(form.move_tasks.data))
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(back)
    return render_template("board/reassign_results.html", results=results, back=back,
                           counsellor_name=dict(team).get(int(counsellor_id), ""),
                           ok=sum(1 for r in results if r.ok))


# --- tasks ------------------------------------------------------------------------------------------

def _back_to_case(participant_id: int) -> str:
    return url_for("participants.case_file", participant_id=participant_id) + "#tasks"


def _version(form) -> int | None:
    raw = form.version.data or ""
    return int(raw) if raw.isdigit() and len(raw) < 11 else None


@bp.route("/participants/<int:participant_id>/tasks/<int:task_id>/edit", methods=["GET", "POST"])
@roles_required(*CASEWORK_ROLES)
def edit_task(participant_id: int, task_id: int):
    # under the case's summary header, as the case file's other forms: its values come with the row
    participant, task, summary_row = get_record_with(current_user, participant_id, Task, task_id, summary_columns())
    team = colleagues(participant.organisation_id)
    form = TaskEditForm(obj=None if request.method == "POST" else task).setup(team)
    if request.method == "GET":
        form.assignee_id.data = str(task.assignee_id or "")
        form.version.data = str(task.version)
    title_editable = task.kind == "manual"
    if form.validate_on_submit():
        try:
            _participant, locked = get_record_for(current_user, participant_id, Task, task_id, for_update=True)
            task_services.update_task(locked, form.to_data(title_editable=title_editable), version=_version(form),
                                      actor=current_user)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            flash(_("Task saved."), "success")
            return redirect(_back_to_case(participant.id))
    # a refused save answers 422, as every other form of the case file
    return render_template("board/task_edit.html", form=form, task=task, participant=participant,
                           title_editable=title_editable, state_form=TaskStateForm(formdata=None),
                           **case_header_context(participant, summary_row)), 422 if form.is_submitted() else 200


@bp.route("/participants/<int:participant_id>/tasks/<int:task_id>/<any(complete, reopen):action>", methods=["POST"])
@roles_required(*CASEWORK_ROLES)
def task_state(participant_id: int, task_id: int, action: str):
    form = TaskStateForm()
    if not form.validate_on_submit():
        abort(400)
    _participant, task = get_record_for(current_user, participant_id, Task, task_id, for_update=True)
    verb = task_services.complete_task if action == "complete" else task_services.reopen_task
    try:
        verb(task, version=_version(form), actor=current_user)
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        flash(_("Task done.") if action == "complete" else _("Task reopened."), "success")
    return redirect(_back_to_case(participant_id))
