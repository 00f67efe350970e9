"""Pages: the notification list (mark one or all read) and the reminder settings (the daily
digest's opt-out; the calendar feed lives on the same page, from calendar_feed)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField

from caseflow.accounts.auth import roles_required
from caseflow.accounts.sessions import login_figure
from caseflow.notifications import services
from caseflow.notifications.models import Notification
from caseflow.notifications.texts import KIND_LABELS, notification_text
from caseflow.participants.models import Participant
from caseflow.translation import gettext as _
from caseflow.translation import lazy_gettext as _l
from caseflow.vocabulary import ROLES
from caseflow.web import Page, page_args, rows_and_total

bp = Blueprint("notifications", __name__)


class EmptyForm(FlaskForm):
    """A button that only needs the CSRF token."""


class DigestForm(FlaskForm):
    digest_enabled = BooleanField(_l("Send me the daily e-mail digest when something is due"))


@bp.route("/notifications")
@roles_required(*ROLES)
def index():
    page, per_page = page_args()
    stmt = (services.notifications_of(current_user.id)
            .outerjoin(Participant, Participant.id == Notification.participant_id)
            .with_only_columns(Notification, Participant.case_number, Participant.anonymised_at))
    rows, total = rows_and_total(stmt, page, per_page)
    items = [{"n": n, "text": notification_text(n.kind, n.params), "label": KIND_LABELS.get(n.kind, n.kind),
              "case_number": case_number if anonymised_at is None else None} for n, case_number, anonymised_at in rows]
    return render_template("notifications/index.html", pagination=Page(items, page, per_page, total),
                           form=EmptyForm(), unread=unread_notifications())


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@roles_required(*ROLES)
def read(notification_id: int):
    form = EmptyForm()
    if form.validate_on_submit():
        services.mark_read(services.get_notification_for(current_user, notification_id), actor=current_user)
    return redirect(url_for("notifications.index") + f"#notification-{notification_id}")


@bp.route("/notifications/read-all", methods=["POST"])
@roles_required(*ROLES)
def read_all():
    if EmptyForm().validate_on_submit():
        n = services.mark_all_read(actor=current_user)
        flash(_("%(n)s notifications marked as read.", n=n), "success")
    return redirect(url_for("notifications.index"))


@bp.route("/notifications/settings", methods=["GET", "POST"])
@roles_required(*ROLES)
def settings():
    from caseflow.calendar_feed.services import feed_of
    current = services.settings_of(current_user.id)
    form = DigestForm(data={"digest_enabled": current.digest_enabled})
    if form.validate_on_submit():
        services.set_digest(enabled=bool(form.digest_enabled.data), actor=current_user)
        flash(_("The daily e-mail digest is on.") if form.digest_enabled.data
              else _("The daily e-mail digest is off."), "success")
        return redirect(url_for("notifications.settings"))
    return render_template("notifications/settings.html", form=form, feed=feed_of(current_user.id),
                           feed_form=EmptyForm(), new_feed_url=None)


def unread_notifications() -> int:
    """The header's count (only for logged-in accounts): as read with the login, or counted afresh
    when the request changed notifications."""
    if not current_user.is_authenticated:
        return 0
    known = login_figure(services.UNREAD)
    if known is not None:
        return known
    return services.unread_count(current_user.id)
