"""Handover when a caseworker's account ends: their participants and open tasks move to one
colleague (or the team lead) and the account is deactivated, all in one unit of work.

It lives in the participants domain because it moves participants and tasks; it calls the accounts
domain's deactivation service (imports point downward only). Lock order: the participant rows
(in id order), then their records (tasks), then the account.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField
from wtforms.validators import InputRequired
from wtforms.widgets import HiddenInput

from caseflow.accounts import queries as account_queries
from caseflow.accounts import services as account_services
from caseflow.accounts.auth import roles_required
from caseflow.accounts.models import User
from caseflow.audit.services import record
from caseflow.database import lock_rows, unit_of_work
from caseflow.errors import DomainError
from caseflow.extensions import db
from caseflow.participants.models import Participant, Task
from caseflow.translation import gettext as _
from caseflow.translation import lazy_gettext as _l
from caseflow.validation import Checker
from caseflow.vocabulary import CASEWORK_ROLES, please_choose
from caseflow.web import apply_error

bp = Blueprint("handover", __name__)


def successors(leaving: User) -> list[User]:
    """Who may take over: the active caseworkers of the same organisation, team leads first."""
    return list(db.session.scalars(
        sa.select(User).where(User.organisation_id == leaving.organisation_id, User.id != leaving.id,
                              User.active, User.role.in_(CASEWORK_ROLES))
        .order_by(sa.case((User.role == "team_lead", 0), else_=1), User.name)))


def open_work(user: User) -> tuple[int, int]:
    """(participants the account counsels, open tasks assigned to it)."""
    row = db.session.execute(sa.select(
        sa.select(sa.func.count()).select_from(Participant).where(Participant.counsellor_id == user.id)
        .scalar_subquery(),
        sa.select(sa.func.count()).select_from(Task).where(Task.assignee_id == user.id, Task.done_at.is_(None))
        .scalar_subquery())).one()
    return int(row[0]), int(row[1])


def hand_over_and_deactivate(leaving: User, *, successor_id: int | None, version: int | None,
                             actor: User) -> tuple[int, int]:
    """Moves every participant counselled by `leaving` and every open task assigned to it to the
    successor, then deactivates `leaving` (sessions end, tokens are revoked) — one unit of work:
    if anything fails, nothing has moved. Answers (participants moved, tasks moved)."""
    with unit_of_work():
        check = Checker({"successor_id": successor_id})
        chosen = check.integer("successor_id", required=True)
        successor = next((u for u in successors(leaving) if u.id == chosen), None) if chosen else None
        check.require(successor is not None, "successor_id", _("Choose an active colleague of the same organisation."))
        check.done()
        assert successor is not None
        ids = db.session.scalars(sa.select(Participant.id).where(Participant.counsellor_id == leaving.id)).all()
        participants = lock_rows(Participant, ids)
        for participant in participants:
            participant.counsellor_id = successor.id
            record("participant.reassign", actor=actor, obj=participant, participant_id=participant.id,
                   organisation_id=participant.organisation_id,
                   changes={"counsellor_id": [leaving.id, successor.id], "reason": [None, "handover"]})
        task_ids = db.session.scalars(sa.select(Task.id).where(Task.assignee_id == leaving.id,
                                                               Task.done_at.is_(None))).all()
        tasks = lock_rows(Task, task_ids)
        for task in tasks:
            # one entry per task, in its case, as when a case is reassigned (tasks.move_open_tasks)
            record("task.reassign", actor=actor, obj=task, participant_id=task.participant_id,
                   organisation_id=task.organisation_id,
                   changes={"assignee_id": [task.assignee_id, successor.id], "reason": [None, "handover"]})
            task.assignee_id = successor.id
        account_services.deactivate_user(leaving, version=version, actor=actor)
        record("user.handover", actor=actor, obj=leaving, organisation_id=leaving.organisation_id,
               changes={"successor_id": [None, successor.id], "participants": [None, len(participants)],
                        "tasks": [None, len(tasks)]})
    return len(participants), len(tasks)


class HandoverForm(FlaskForm):
    successor_id = SelectField(_l("Who takes over the cases and open tasks"),
                               coerce=lambda v: int(v) if v not in (None, "") else None)
    version = IntegerField(validators=[InputRequired()], widget=HiddenInput())


@bp.route("/staff/<int:user_id>/handover", methods=["GET", "POST"])
@roles_required("admin", "team_lead")
def handover(user_id: int):
    leaving = account_queries.visible_user(current_user, user_id)
    if leaving is None or not leaving.works_with_cases or not account_services.may_manage(current_user, leaving):
        abort(404)
    if not leaving.active:
        flash(_("This account is already deactivated."), "info")
        return redirect(url_for("accounts.user_edit", user_id=leaving.id))
    form = HandoverForm()
    choices = successors(leaving)
    form.successor_id.choices = please_choose([
        (u.id, f"{u.name} ({_('team lead') if u.role == 'team_lead' else _('counsellor')})") for u in choices])
    if form.validate_on_submit():
        try:
            moved, tasks = hand_over_and_deactivate(leaving, successor_id=form.successor_id.data,
                                                    version=form.version.data, actor=current_user)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            flash(_("%(name)s is deactivated; %(cases)d cases and %(tasks)d open tasks were handed over.",
                    name=leaving.name, cases=moved, tasks=tasks), "success")
            return redirect(url_for("accounts.users"))
    if not form.is_submitted():
        lead = next((u for u in choices if u.role == "team_lead"), None)
        form.successor_id.data = current_user.id if current_user in choices else (lead.id if lead else None)
    form.version.data = leaving.version
    cases, tasks = open_work(leaving)
    return render_template("participants/handover.html", form=form, leaving=leaving, cases=cases, tasks=tasks,
                           has_successors=bool(choices))
