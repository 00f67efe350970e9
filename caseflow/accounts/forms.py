from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from caseflow.vocabulary import ROLES


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
    # Only the edit page uses it; an integer, so a tampered value is a form error rather than a 500.
    version = IntegerField(validators=[Optional()], widget=HiddenInput())


class UserCreateForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(_l("Role"), choices=[(k, v) for k, v in ROLES.items()])
    organisation_id = SelectField(_l("Organisation"), coerce=lambda v: int(v) if v else None,
                                  validators=[Optional()])
    password = PasswordField(_l("Initial password"), validators=[DataRequired(), Length(max=256)],
                             description=_l("At least 12 characters; not a common password."),
                             render_kw={"autocomplete": "new-password"})


class UserEditForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Role"), choices=[(k, v) for k, v in ROLES.items()])
    organisation_id = SelectField(_l("Organisation"), coerce=lambda v: int(v) if v else None,
                                  validators=[Optional()])
    active = BooleanField(_l("Active"))
    # Hidden, so that form.hidden_tag() sends it back: the version check needs it.
    version = IntegerField(validators=[InputRequired()], widget=HiddenInput())
