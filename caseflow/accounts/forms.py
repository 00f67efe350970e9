from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from caseflow.translation import lazy_gettext as _l
from caseflow.vocabulary import ROLES, options, please_choose


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)],
                       render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)],
                             render_kw={"autocomplete": "current-password"})


class LogoutForm(FlaskForm):
    pass


class LanguageForm(FlaskForm):
    lang = HiddenField(validators=[DataRequired()])
    next = HiddenField()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=256)],
                                 description=_l("At least 12 characters; not a common password."),
                                 render_kw={"autocomplete": "new-password"})


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    active = BooleanField(_l("Active"), default=True)
    require_2fa = BooleanField(_l("Two-factor sign-in required for every account"), default=False)
    # Only the edit page uses it; an integer, so a tampered value is a form error rather than a 500.
    version = IntegerField(validators=[Optional()], widget=HiddenInput())


class UserCreateForm(FlaskForm):
    """An invitation: the person chooses their own password through the mailed link."""
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(_l("Role"), choices=please_choose(ROLES.items()), default="")
    organisation_id = SelectField(_l("Organisation"), coerce=lambda v: int(v) if v else None,
                                  validators=[Optional()])
    locale = SelectField(_l("Language of the invitation"), choices=options([("de", "Deutsch"), ("en", "English")]),
                         validate_choice=False)  # the service takes only a known language


class UserEditForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Role"), choices=options(ROLES.items()))
    organisation_id = SelectField(_l("Organisation"), coerce=lambda v: int(v) if v else None,
                                  validators=[Optional()])
    active = BooleanField(_l("Active"))
    # Hidden, so that form.hidden_tag() sends it back: the version check needs it.
    version = IntegerField(validators=[InputRequired()], widget=HiddenInput())


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)],
                       render_kw={"autocomplete": "username"})


class NewPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=256)],
                             description=_l("At least 12 characters; not a common password."),
                             render_kw={"autocomplete": "new-password"})
    repeat = PasswordField(_l("Repeat the new password"), validators=[DataRequired(), Length(max=256)],
                           render_kw={"autocomplete": "new-password"})


class CodeForm(FlaskForm):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=20)],
                       description=_l("The 6-digit code from your authenticator app, or one of your recovery codes."),
                       render_kw={"autocomplete": "one-time-code", "inputmode": "text", "spellcheck": "false",
                                  "autocapitalize": "off"})


class SetupCodeForm(FlaskForm):
    code = StringField(_l("Code from the app"), validators=[DataRequired(), Length(max=20)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})


class PasswordConfirmForm(FlaskForm):
    password = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=256)],
                             render_kw={"autocomplete": "current-password"})


class EndSessionForm(FlaskForm):
    session_id = HiddenField(validators=[DataRequired(), Length(max=64)])


class ActionForm(FlaskForm):
    """A button that only needs its CSRF token (send a reset link, reset the second factor …)."""
