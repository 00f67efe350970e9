"""Login, logout, language, own account, and the administration of organisations and accounts."""
from __future__ import annotations

import time

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import format_datetime, format_time
from flask_login import current_user, login_required

from caseflow.accounts import links, queries, services, sessions, two_factor
from caseflow.accounts.auth import roles_required
from caseflow.accounts.forms import (
    ActionForm,
    ChangePasswordForm,
    CodeForm,
    EndSessionForm,
    ForgotPasswordForm,
    LanguageForm,
    LoginForm,
    LogoutForm,
    NewPasswordForm,
    OrganisationForm,
    PasswordConfirmForm,
    SetupCodeForm,
    UserCreateForm,
    UserEditForm,
)
from caseflow.accounts.models import Organisation, User
from caseflow.errors import DomainError
from caseflow.extensions import db, limiter
from caseflow.translation import gettext as _
from caseflow.vocabulary import options
from caseflow.web import apply_error, page_args, safe_next

bp = Blueprint("accounts", __name__)

# How long the second login step waits for the code after a correct password.
CODE_STEP_SECONDS = 300
# Pages an account that must set up its second factor may still open.
_DURING_SETUP = {"accounts.two_factor_setup", "accounts.logout", "accounts.language", "static"}


@bp.before_app_request
def lead_through_mandatory_setup():
    """An account for which a second factor is mandatory (REQUIRE_2FA_ROLES or its organisation)
    can do nothing but set it up (or log out). API tokens are not affected."""
    if (request.endpoint in _DURING_SETUP or request.blueprint == "api" or not current_user.is_authenticated
            or current_user.uses_2fa or not services.requires_2fa(current_user)):
        return None
    return redirect(url_for("accounts.two_factor_setup"))


def landing_url(user: User) -> str:
    if user.role in ("counsellor", "team_lead"):
        return url_for("participants.caseload")
    if user.role == "analyst":
        return url_for("reports.index")
    if user.role == "coordinator":
        return url_for("reports.esf")
    return url_for("accounts.admin_home")


@bp.route("/")
def index():
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login"))
    return redirect(landing_url(current_user))


def _refused(form, result: services.LoginResult) -> int:
    if result.locked_until:
        form.form_errors.append(_("Too many failed attempts. Login is blocked until %(time)s.",
                                  time=format_time(result.locked_until, "short")))
        return 429
    return 401


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
        if result.ok and result.needs_code:
            assert result.user is not None
            session["code_step"] = {"user_id": result.user.id, "at": int(time.time()),
                                    "next": safe_next(request.args.get("next"), "")}
            return redirect(url_for("accounts.login_code"))
        if result.ok:
            assert result.user is not None
            return redirect(safe_next(request.args.get("next"), landing_url(result.user)))
        status = _refused(form, result)
        if status == 401:
            form.form_errors.append(_("Email or password is not correct."))
    elif request.method == "POST":
        status = 400
    return render_template("accounts/login.html", form=form), status


def _code_step_user() -> User | None:
    step = session.get("code_step")
    if not isinstance(step, dict) or time.time() - step.get("at", 0) > CODE_STEP_SECONDS:
        session.pop("code_step", None)
        return None
    user = db.session.get(User, step.get("user_id"))
    return user if user is not None and user.active and user.uses_2fa else None


@bp.route("/login/code", methods=["GET", "POST"])
def login_code():
    """The second login step: the code from the authenticator app (or a recovery code)."""
    if current_user.is_authenticated:
        return redirect(landing_url(current_user))
    user = _code_step_user()
    if user is None:
        flash(_("Please log in again."), "info")
        return redirect(url_for("accounts.login"))
    form = CodeForm()
    status = 200
    if form.validate_on_submit():
        following = session.get("code_step", {}).get("next") or ""
        result = two_factor.verify_second_factor(user, form.code.data)
        if result.ok:
            return redirect(safe_next(following, landing_url(user)))
        status = _refused(form, result)
        if status == 401:
            form.code.errors = [_("This code is not correct, or it has been used already.")]
        else:
            session.pop("code_step", None)
    elif request.method == "POST":
        status = 400
    return render_template("accounts/login_code.html", form=form), status


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("10 per 15 minutes", methods=["POST"])
def forgot_password():
    """Always the same answer, whether the address has an account or not."""
    if current_user.is_authenticated:
        return redirect(url_for("accounts.account"))
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        links.request_reset(form.email.data)
        return render_template("accounts/forgot_password_sent.html")
    return render_template("accounts/forgot_password.html", form=form), 400 if request.method == "POST" else 200


@bp.route("/password/link/<token>")
def link(token: str):
    """Opened from a mail: the token moves into the session and out of the address bar (and so out
    of the browser history and any Referer), then the form is shown."""
    session["link_token"] = token[:100]
    return redirect(url_for("accounts.choose_password"))


@bp.route("/password/new", methods=["GET", "POST"])
def choose_password():
    token = session.get("link_token") or ""
    try:
        account_link = links.link_for(token)
    except DomainError as exc:
        return render_template("accounts/link_invalid.html", message=exc.message), exc.status
    form = NewPasswordForm()
    invitation = account_link.purpose == "invitation"
    if form.validate_on_submit():
        try:
            links.use_link(token, form.password.data, form.repeat.data)
        except DomainError as exc:
            apply_error(form, exc)
            if exc.code in ("used_link", "expired_link", "invalid_link"):
                return render_template("accounts/link_invalid.html", message=exc.message), exc.status
        else:
            session.pop("link_token", None)
            if invitation:
                flash(_("Your password is set. Log in with your email address and the new password."), "success")
            else:
                flash(_("Your password has been changed and every session of your account has been ended. "
                        "Log in with the new password."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/choose_password.html", form=form, invitation=invitation,
                           email=account_link.user.email), 400 if form.errors else 200


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


def _account_page(form: ChangePasswordForm, status: int = 200):
    return render_template(
        "accounts/account.html", form=form, end_form=EndSessionForm(), off_form=PasswordConfirmForm(),
        codes_form=ActionForm(), login_sessions=sessions.active_sessions(current_user.id),
        this_session=sessions.current_session_id(), required=services.requires_2fa(current_user),
        when=lambda value: format_datetime(value, "short"),
        recovery_left=two_factor.unused_recovery_codes(current_user) if current_user.uses_2fa else 0), status


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
    return _account_page(form, 400 if form.errors else 200)


@bp.route("/account/sessions/end", methods=["POST"])
@login_required
def end_session():
    form = EndSessionForm()
    if not form.validate_on_submit():
        abort(400)
    if form.session_id.data == sessions.current_session_id():
        flash(_("To end this session, log out."), "info")
    elif services.end_other_session(current_user, form.session_id.data):
        flash(_("The session has been ended."), "success")
    return redirect(url_for("accounts.account"))


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
def two_factor_setup():
    if current_user.uses_2fa:
        return redirect(url_for("accounts.account"))
    secret = two_factor.start_setup(current_user)
    form = SetupCodeForm()
    if form.validate_on_submit():
        try:
            codes = two_factor.confirm_setup(current_user, form.code.data)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            flash(_("Two-factor sign-in is set up."), "success")
            return render_template("accounts/recovery_codes.html", codes=codes)
    uri = two_factor.provisioning_uri(current_user, secret)
    return render_template("accounts/two_factor_setup.html", form=form, secret=two_factor.grouped(secret),
                           qr=two_factor.qr_data_uri(uri), required=services.requires_2fa(current_user)), \
        400 if form.errors else 200


@bp.route("/account/two-factor/recovery-codes", methods=["POST"])
@login_required
def new_recovery_codes():
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        codes = two_factor.new_recovery_codes(current_user)
    except DomainError as exc:
        flash(exc.message, "error")
        return redirect(url_for("accounts.account"))
    return render_template("accounts/recovery_codes.html", codes=codes)


@bp.route("/account/two-factor/off", methods=["POST"])
@login_required
def two_factor_off():
    form = PasswordConfirmForm()
    if form.validate_on_submit():
        try:
            two_factor.turn_off(current_user, password=form.password.data)
        except DomainError as exc:
            flash(exc.fields.get("password", [exc.message])[0], "error")
        else:
            flash(_("Two-factor sign-in is turned off."), "success")
    return redirect(url_for("accounts.account"))


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
                                         require_2fa=form.require_2fa.data, version=form.version.data,
                                         actor=current_user)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            flash(_("Organisation saved."), "success")
            return redirect(url_for("accounts.organisations"))
    form.version.data = org.version
    return render_template("accounts/organisation_edit.html", form=form, org=org)


def _organisation_choices(form) -> None:
    if current_user.role == "admin":
        form.organisation_id.choices = options(queries.organisation_choices(), blank=_("— none —"))
    else:
        form.organisation_id.choices = options([(current_user.organisation_id, current_user.organisation.name)])
        form.role.choices = [c for c in form.role.choices if c.value in ("counsellor", "team_lead")]


@bp.route("/staff", methods=["GET", "POST"])
@roles_required("admin", "team_lead")
def users():
    form = UserCreateForm()
    _organisation_choices(form)
    if form.validate_on_submit():
        try:
            links.invite(email=form.email.data, name=form.name.data, role=form.role.data,
                         organisation_id=form.organisation_id.data, locale=form.locale.data, actor=current_user)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            flash(_("Account created. The invitation has been sent to %(email)s.", email=form.email.data), "success")
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
            apply_error(form, exc)
        else:
            flash(_("Account saved."), "success")
            return redirect(url_for("accounts.users"))
    form.version.data = user.version
    return render_template("accounts/user_edit.html", form=form, user=user, action_form=ActionForm())


def _managed_user(user_id: int) -> User:
    user = queries.visible_user(current_user, user_id)
    if user is None or not services.may_manage(current_user, user):
        abort(404)
    return user


@bp.route("/staff/<int:user_id>/send-reset", methods=["POST"])
@roles_required("admin", "team_lead")
def send_reset(user_id: int):
    user = _managed_user(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        if user.has_password:
            links.send_reset(user, actor=current_user)
            flash(_("A password reset link has been sent to %(email)s.", email=user.email), "success")
        else:
            links.resend_invitation(user, actor=current_user)
            flash(_("The invitation has been sent again to %(email)s.", email=user.email), "success")
    except DomainError as exc:
        flash(exc.message, "error")
    return redirect(url_for("accounts.user_edit", user_id=user.id))


@bp.route("/staff/<int:user_id>/reset-two-factor", methods=["POST"])
@roles_required("admin", "team_lead")
def reset_two_factor(user_id: int):
    user = _managed_user(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        two_factor.reset_second_factor(user, actor=current_user)
    except DomainError as exc:
        flash(exc.message, "error")
    else:
        flash(_("The second factor of %(name)s has been removed; their sessions have ended.", name=user.name),
              "success")
    return redirect(url_for("accounts.user_edit", user_id=user.id))
