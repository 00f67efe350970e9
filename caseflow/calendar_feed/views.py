"""The calendar feed's pages: turn on / renew / turn off (on the reminder settings page), the
feed itself at its secret address, and planning appointments in a case."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, IntegerField, SelectField, TimeField
from wtforms.validators import InputRequired, NumberRange, Optional

from caseflow.accounts.auth import roles_required
from caseflow.calendar_feed import services
from caseflow.calendar_feed.models import Appointment
from caseflow.errors import DomainError, NotFound
from caseflow.extensions import db, limiter
from caseflow.notifications.services import settings_of
from caseflow.notifications.views import DigestForm, EmptyForm
from caseflow.participants.access import get_participant_for, get_participant_with, require_casework
from caseflow.participants.summary import summary_columns
from caseflow.participants.views import case_header_context
from caseflow.translation import gettext as _
from caseflow.translation import lazy_gettext as _l
from caseflow.vocabulary import CASEWORK_ROLES, NOTE_KINDS, options
from caseflow.web import apply_error

bp = Blueprint("calendar_feed", __name__)
LOCAL = ZoneInfo("Europe/Berlin")


def _settings_page(new_token: str | None = None):
    current = settings_of(current_user.id)
    new_url = url_for("calendar_feed.feed", token=new_token, _external=True) if new_token else None
    return render_template("notifications/settings.html", form=DigestForm(formdata=None, data={"digest_enabled": current.digest_enabled}),
                           feed=services.feed_of(current_user.id), feed_form=EmptyForm(), new_feed_url=new_url)


@bp.route("/calendar/feed", methods=["POST"])
@roles_required(*CASEWORK_ROLES)
def renew():
    require_casework(current_user)
    if not EmptyForm().validate_on_submit():
        abort(400)
    token = services.renew_feed(actor=current_user)
    # Shown in this answer only (never in a redirect address, a log or the database).
    return _settings_page(token)


@bp.route("/calendar/feed/off", methods=["POST"])
@roles_required(*CASEWORK_ROLES)
def turn_off():
    if EmptyForm().validate_on_submit() and services.turn_off_feed(actor=current_user):
        flash(_("The calendar feed is off; its address no longer works."), "success")
    return redirect(url_for("notifications.settings"))


@bp.route("/calendar/<token>.ics")
@limiter.limit("60 per minute")
def feed(token: str):
    user = services.account_for_token(token)
    if user is None:
        abort(404)
    return Response(services.feed_ics(user), mimetype="text/calendar",
                    headers={"Content-Disposition": 'inline; filename="caseflow.ics"'})


class AppointmentForm(FlaskForm):
    day = DateField(_l("Date"), validators=[InputRequired()])
    time = TimeField(_l("Time"), validators=[InputRequired()])
    minutes = IntegerField(_l("Duration in minutes"), default=60, validators=[Optional(), NumberRange(5, 600)])
    kind = SelectField(_l("Kind"), choices=options((k, NOTE_KINDS[k]) for k in services.APPOINTMENT_KINDS), default="meeting")


class CancelForm(FlaskForm):
    version = HiddenField()


@bp.route("/participants/<int:participant_id>/appointments", methods=["GET", "POST"])
@roles_required(*CASEWORK_ROLES)
def appointments(participant_id: int):
    # under the case's summary header, as the case file's forms: its values come with the row
    participant, summary_row = get_participant_with(current_user, participant_id, summary_columns(),
                                                    allow_anonymised=False)
    form = AppointmentForm()
    if form.validate_on_submit():
        starts = datetime.combine(form.day.data, form.time.data, tzinfo=LOCAL)
        try:
            services.plan_appointment(get_participant_for(current_user, participant_id, for_update=True),
                                      {"starts_at": starts, "minutes": form.minutes.data, "kind": form.kind.data},
                                      actor=current_user)
        except DomainError as exc:
            if "starts_at" in exc.fields:
                form.day.errors = list(form.day.errors or []) + exc.fields.pop("starts_at")
            apply_error(form, exc)
        else:
            flash(_("Appointment planned. It appears in your calendar feed."), "success")
            return redirect(url_for("calendar_feed.appointments", participant_id=participant.id))
    return render_template("calendar_feed/appointments.html", participant=participant, form=form,
                           planned=services.planned_appointments(participant.id), cancel_form=CancelForm(formdata=None),
                           kinds=NOTE_KINDS, **case_header_context(participant, summary_row)), \
        422 if form.is_submitted() else 200  # a refused appointment, as every other form of the case file


@bp.route("/participants/<int:participant_id>/appointments/<int:appointment_id>/cancel", methods=["POST"])
@roles_required(*CASEWORK_ROLES)
def cancel(participant_id: int, appointment_id: int):
    participant = get_participant_for(current_user, participant_id, for_update=True)
    appointment = db.session.get(Appointment, appointment_id)
    if appointment is None or appointment.participant_id != participant.id:
        raise NotFound(_("No such record."))
    form = CancelForm()
    if form.validate_on_submit():
        version = int(form.version.data) if (form.version.data or "").isdigit() else None
        try:
            services.cancel_appointment(appointment, version=version, actor=current_user)
        except DomainError as exc:
            flash(exc.message, "error")
        else:
            flash(_("Appointment cancelled."), "success")
    return redirect(url_for("calendar_feed.appointments", participant_id=participant.id))
