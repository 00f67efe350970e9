"""Login, logout, language, own account, and the administration of organisations and accounts."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import format_time
from flask_babel import gettext as _
from flask_login import current_user, login_required

from caseflow.accounts import queries, services
from caseflow.accounts.auth import roles_required
from caseflow.accounts.forms import (
    ChangePasswordForm,
    LanguageForm,
    LoginForm,
    LogoutForm,
    OrganisationForm,
    UserCreateForm,
    UserEditForm,
)
from caseflow.accounts.models import Organisation, User
from caseflow.errors import DomainError
from caseflow.extensions import db
from caseflow.web import apply_error, page_args, safe_next

bp = Blueprint("accounts", __name__)


def landing_url(user: User) -> str:
    if user.role in ("counsellor", "team_lead"):
        return url_for("participants.caseload")
    if user.role == "analyst":
        return url_for("reports.index")
    return url_for("accounts.admin_home")


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login"))
    return redirect(landing_url(current_user))


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(landing_url(current_user))
    form = LoginForm()
    status = 200
    if session.pop("session_expired", False):
        flash(_("Your session has ended. Please log in again."), "info")
    if form.validate_on_submit():
        result = services.authenticate(form.email.data, form.password.data)
        if result.ok:
            return redirect(safe_next(request.args.get("next"), landing_url(result.user)))
        if result.locked_until:
            form.form_errors.append(_("Too many failed attempts. Login is blocked until %(time)s.",
                                      time=format_time(result.locked_until, "short")))
            status = 429
        else:
            form.form_errors.append(_("Email or password is not correct."))
            status = 401 if request.method == "POST" else 200
    elif request.method == "POST":
        status = 400
    return render_template("accounts/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    if LogoutForm().validate_on_submit():
        services.logout(current_user)
        flash(_("You have been logged out."), "info")
        return redirect(url_for("accounts.login"))
    abort(400)


@bp.route("/language", methods=["POST"])
def language():
    form = LanguageForm()
    if form.validate_on_submit() and form.lang.data in ("de", "en"):
        session["lang"] = form.lang.data
        if current_user.is_authenticated:
            services.set_locale(current_user, form.lang.data)
    return redirect(safe_next(form.next.data, url_for("accounts.index")))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, current_password=form.current_password.data,
                                     new_password=form.new_password.data)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            flash(_("Your password has been changed. Your other sessions have been ended."), "success")
            return redirect(url_for("accounts.account"))
    return render_template("accounts/account.html", form=form)


# --- administration ------------------------------------------------------------------------------

@bp.route("/admin")
@roles_required("admin")
def admin_home():
    organisations, users = queries.admin_counts()
    return render_template("accounts/admin_home.html", organisations=organisations, users=users)


@bp.route("/admin/organisations", methods=["GET", "POST"])
@roles_required("admin")
def organisations():
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            services.create_organisation(form.name.data, actor=current_user)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            flash(_("Organisation created."), "success")
            return redirect(url_for("accounts.organisations"))
    page, per_page = page_args()
    pagination = db.paginate(queries.organisations_by_name(), page=page,
                             per_page=per_page, error_out=False)
    return render_template("accounts/organisations.html", form=form, pagination=pagination)


@bp.route("/admin/organisations/<int:org_id>", methods=["GET", "POST"])
@roles_required("admin")
def organisation_edit(org_id: int):
    org = db.get_or_404(Organisation, org_id)
    form = OrganisationForm(obj=org)
    if form.validate_on_submit():
        try:
            services.update_organisation(org, name=form.name.data, active=form.active.data,
                                         version=form.version.data or 0, actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            apply_error(form, exc)
        else:
            flash(_("Organisation saved."), "success")
            return redirect(url_for("accounts.organisations"))
    form.version.data = org.version
    return render_template("accounts/organisation_edit.html", form=form, org=org)


def _organisation_choices(form) -> None:
    if current_user.role == "admin":
        form.organisation_id.choices = [("", _("— none —"))] + queries.organisation_choices()
    else:
        form.organisation_id.choices = [(current_user.organisation_id, current_user.organisation.name)]
        form.role.choices = [(k, v) for k, v in form.role.choices if k in ("counsellor", "team_lead")]


@bp.route("/staff", methods=["GET", "POST"])
@roles_required("admin", "team_lead")
def users():
    form = UserCreateForm()
    _organisation_choices(form)
    if form.validate_on_submit():
        try:
            services.create_user(email=form.email.data, name=form.name.data, role=form.role.data,
                                 organisation_id=form.organisation_id.data, password=form.password.data,
                                 actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            apply_error(form, exc)
        else:
            flash(_("Account created."), "success")
            return redirect(url_for("accounts.users"))
    page, per_page = page_args()
    pagination = db.paginate(queries.visible_users(current_user), page=page, per_page=per_page, error_out=False)
    return render_template("accounts/users.html", form=form, pagination=pagination)


@bp.route("/staff/<int:user_id>", methods=["GET", "POST"])
@roles_required("admin", "team_lead")
def user_edit(user_id: int):
    user = queries.visible_user(current_user, user_id)
    if user is None:
        abort(404)
    form = UserEditForm(obj=user)
    _organisation_choices(form)
    if form.validate_on_submit():
        try:
            services.update_user(user, name=form.name.data, role=form.role.data,
                                 organisation_id=form.organisation_id.data, active=form.active.data,
                                 version=form.version.data, actor=current_user)
        except DomainError as exc:
            db.session.rollback()
            apply_error(form, exc)
        else:
            flash(_("Account saved."), "success")
            return redirect(url_for("accounts.users"))
    form.version.data = user.version
    return render_template("accounts/user_edit.html", form=form, user=user)
