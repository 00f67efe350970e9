"""Accounts: organisations, users, login with throttling, passwords, API tokens.

Every function is one unit of work: it validates, writes, audits and commits once.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import gettext as _

from caseflow.accounts import sessions
from caseflow.accounts.models import ApiToken, LoginAttempt, Organisation, User
from caseflow.accounts.passwords import burn_time, check_password_policy, hash_password, needs_rehash, verify_password
from caseflow.audit.services import client_address, diff, record
from caseflow.errors import Conflict, DomainError, Forbidden, NotFound
from caseflow.extensions import db
from caseflow.models_base import as_utc, utcnow
from caseflow.vocabulary import CASEWORK_ROLES, ROLES

# --- organisations -------------------------------------------------------------------------------

def create_organisation(name: str, *, actor: User | None) -> Organisation:
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise DomainError.field("name", _("Enter a name of 1 to 200 characters."))
    if db.session.scalar(sa.select(Organisation.id).where(sa.func.lower(Organisation.name) == name.lower())):
        raise DomainError.field("name", _("An organisation with this name exists already."), status=409)
    org = Organisation(name=name)
    db.session.add(org)
    db.session.flush()
    record("organisation.create", actor=actor, obj=org, organisation_id=org.id, changes={"name": [None, name]})
    db.session.commit()
    return org


def update_organisation(org: Organisation, *, name: str, active: bool, version: int, actor: User) -> Organisation:
    if org.version != version:
        raise Conflict(_("Someone else changed this organisation in the meantime."), code="stale_version")
    name = name.strip()
    clash = db.session.scalar(sa.select(Organisation.id).where(
        sa.func.lower(Organisation.name) == name.lower(), Organisation.id != org.id))
    if clash:
        raise DomainError.field("name", _("An organisation with this name exists already."), status=409)
    changes = diff(org, {"name": name, "active": active})
    org.name, org.active = name, active
    record("organisation.update", actor=actor, obj=org, organisation_id=org.id, changes=changes)
    db.session.commit()
    return org


def organisation_by_name(name: str) -> Organisation:
    org = db.session.scalar(sa.select(Organisation).where(Organisation.name == name))
    if org is None:
        raise NotFound(_("There is no organisation named %(name)s.", name=name))
    return org


# --- users -------------------------------------------------------------------------------------------

def normalise_email(email: str) -> str:
    try:
        return validate_email((email or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise DomainError.field("email", _("Enter a valid email address.")) from None


def _check_role_and_org(role: str, organisation_id: int | None) -> None:
    if role not in ROLES:
        raise DomainError.field("role", _("Unknown role %(role)s: use one of %(roles)s.",
                                          role=role, roles=", ".join(ROLES)))
    if role in CASEWORK_ROLES and organisation_id is None:
        raise DomainError.field("organisation_id", _("Counsellors and team leads belong to an organisation."))


def _may_manage(actor: User | None, organisation_id: int | None, role: str | None = None) -> None:
    """Admins manage every account; team leads only caseworkers of their own organisation."""
    if actor is None or actor.role == "admin":
        return
    if actor.role == "team_lead" and organisation_id == actor.organisation_id and (role in (None, *CASEWORK_ROLES)):
        return
    raise Forbidden(_("You may not manage this account."))


def create_user(*, email: str, name: str, role: str, organisation_id: int | None, password: str,
                actor: User | None, locale: str | None = None) -> User:
    email = normalise_email(email)
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise DomainError.field("name", _("Enter a name of 1 to 200 characters."))
    _check_role_and_org(role, organisation_id)
    _may_manage(actor, organisation_id, role)
    if organisation_id is not None and db.session.get(Organisation, organisation_id) is None:
        raise DomainError.field("organisation_id", _("Unknown organisation."))
    if db.session.scalar(sa.select(User.id).where(User.email == email)):
        raise DomainError.field("email", _("An account with this email exists already."), status=409)
    check_password_policy(password, user_inputs=(email, name))
    user = User(email=email, name=name, role=role, organisation_id=organisation_id,
                password_hash=hash_password(password), locale=locale, password_changed_at=utcnow())
    db.session.add(user)
    db.session.flush()
    record("user.create", actor=actor, obj=user, organisation_id=organisation_id,
           changes={"email": [None, email], "role": [None, role], "organisation_id": [None, organisation_id]})
    db.session.commit()
    return user


def update_user(user: User, *, name: str, role: str, organisation_id: int | None, active: bool,
                version: int, actor: User) -> User:
    _may_manage(actor, user.organisation_id, user.role)
    _may_manage(actor, organisation_id, role)
    _check_role_and_org(role, organisation_id)
    if user.version != version:
        raise Conflict(_("Someone else changed this account in the meantime."), code="stale_version")
    if user.id == actor.id and (not active or role != user.role):
        raise DomainError.field("active", _("You cannot deactivate yourself or change your own role."))
    changes = diff(user, {"name": name.strip(), "role": role, "organisation_id": organisation_id, "active": active})
    was_active = user.active
    user.name, user.role, user.organisation_id, user.active = name.strip(), role, organisation_id, active
    if was_active and not active:
        _end_access(user)
    record("user.update", actor=actor, obj=user, organisation_id=user.organisation_id, changes=changes)
    db.session.commit()
    return user


def _end_access(user: User) -> None:
    sessions.end_all_sessions(user.id)
    db.session.execute(sa.update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                       .values(revoked_at=utcnow()))


def change_password(user: User, *, current_password: str, new_password: str) -> None:
    """Changes the password and ends every other session of the account."""
    if not verify_password(user.password_hash, current_password):
        raise DomainError.field("current_password", _("The current password is not correct."))
    if new_password == current_password:
        raise DomainError.field("new_password", _("The new password must differ from the current one."))
    check_password_policy(new_password, user_inputs=(user.email, user.name), field="new_password")
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    sessions.end_all_sessions(user.id, except_current=True)
    record("user.password_change", actor=user, obj=user)
    db.session.commit()


def set_locale(user: User, locale: str) -> None:
    if locale in current_app.config["LANGUAGES"] and user.locale != locale:
        user.locale = locale
        db.session.commit()


# --- login ------------------------------------------------------------------------------------------

@dataclass
class LoginResult:
    user: User | None = None
    locked_until: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.user is not None


def _email_digest(email: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, email.strip().lower().encode(), hashlib.sha256).hexdigest()



def _locked_until(digest: str, address: str, now: datetime) -> datetime | None:
    cfg = current_app.config
    window, lockout, limit = cfg["LOGIN_FAILURE_WINDOW"], cfg["LOGIN_LOCKOUT"], cfg["LOGIN_MAX_FAILURES"]
    last_success = db.session.scalar(
        sa.select(sa.func.max(LoginAttempt.at)).where(LoginAttempt.email_digest == digest, LoginAttempt.success))
    since = now - window - lockout
    if last_success is not None and as_utc(last_success) > since:
        since = as_utc(last_success)
    recent = db.session.scalars(
        sa.select(LoginAttempt.at).where(LoginAttempt.email_digest == digest, ~LoginAttempt.success,
                                         LoginAttempt.at > since)
        .order_by(LoginAttempt.at.desc()).limit(limit)).all()
    if len(recent) == limit:
        newest, oldest = as_utc(recent[0]), as_utc(recent[-1])
        if newest - oldest <= window and now < newest + lockout:
            return newest + lockout
    # Per-address limit against password spraying over many accounts.
    per_address = db.session.scalar(
        sa.select(sa.func.count()).select_from(LoginAttempt).where(
            LoginAttempt.address == address, ~LoginAttempt.success, LoginAttempt.at > now - window))
    if per_address >= cfg["LOGIN_MAX_FAILURES_PER_ADDRESS"]:
        return now + lockout
    return None


def authenticate(email: str, password: str) -> LoginResult:
    """Checks a login and starts a session on success.

    Unknown email and wrong password are indistinguishable (same result, same time spent).
    After LOGIN_MAX_FAILURES failures for one email within the window, attempts are refused
    without checking the password until the lockout has passed.
    """
    now = utcnow()
    address = client_address() or "unknown"
    digest = _email_digest(email or "")
    locked_until = _locked_until(digest, address, now)
    if locked_until:
        burn_time(password)
        user_id = db.session.scalar(sa.select(User.id).where(User.email == (email or "").strip().lower()))
        record("login.refused_locked", object_type="users", object_id=user_id)
        db.session.commit()
        return LoginResult(locked_until=locked_until)

    user = db.session.scalar(sa.select(User).where(User.email == (email or "").strip().lower()))
    if user is None:
        burn_time(password)
        ok = False
    else:
        ok = verify_password(user.password_hash, password) and user.active
    db.session.add(LoginAttempt(email_digest=digest, address=address, success=ok, at=now))
    if not ok:
        record("login.failure", object_type="users" if user else None, object_id=user.id if user else None,
               organisation_id=user.organisation_id if user else None)
        db.session.flush()
        locked_until = _locked_until(digest, address, now)
        if locked_until:
            record("login.lockout", object_type="users" if user else None, object_id=user.id if user else None,
                   organisation_id=user.organisation_id if user else None)
        db.session.commit()
        return LoginResult(locked_until=locked_until)

    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    sessions.start_session(user)
    record("login.success", actor=user, obj=user)
    db.session.commit()
    return LoginResult(user=user)


def logout(user: User) -> None:
    sessions.end_session()
    record("logout", actor=user, obj=user)
    db.session.commit()


# --- API tokens -------------------------------------------------------------------------------------

TOKEN_PREFIX = "cf_"


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, *, actor: User | None) -> str:
    """Creates an API token for `user` and returns it; only its hash is stored."""
    if not user.active:
        raise DomainError(_("The account is deactivated."), code="inactive_account")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, token_hash=_token_digest(token)))
    record("token.create", actor=actor, obj=user, organisation_id=user.organisation_id)
    db.session.commit()
    return token


def user_for_token(token: str) -> User | None:
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    row = db.session.execute(
        sa.select(ApiToken, User).join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == _token_digest(token), ApiToken.revoked_at.is_(None), User.active)
    ).first()
    if row is None:
        return None
    api_token, user = row
    now = utcnow()
    if api_token.last_used_at is None or now - as_utc(api_token.last_used_at) > timedelta(minutes=5):
        api_token.last_used_at = now
        db.session.commit()
    return user


def user_by_email(email: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotFound(_("There is no account with this email."))
    return user
