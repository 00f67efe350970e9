"""Accounts: organisations, users, login with throttling, passwords, API tokens.

Every function that writes is one unit of work (caseflow/database.py): it validates with a
`Checker`, writes, audits, and commits once at the end of the outermost unit. Invitations and
password resets are in `links.py`, the second factor in `two_factor.py`.
"""
from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from flask import current_app

from caseflow.accounts import sessions, throttle
from caseflow.accounts.models import AccountLink, ApiToken, LoginAttempt, Organisation, User
from caseflow.accounts.passwords import burn_time, check_password_policy, hash_password, needs_rehash, verify_password
from caseflow.audit.services import apply_changes, client_address, record, record_changes
from caseflow.database import transactional, unit_of_work
from caseflow.errors import DomainError, Forbidden, NotFound
from caseflow.extensions import db
from caseflow.models_base import utcnow
from caseflow.translation import gettext as _
from caseflow.validation import REQUIRED, Checker, check_version
from caseflow.vocabulary import CASEWORK_ROLES, ROLES

NO_PASSWORD = "!"  # an invited account's hash until it chooses a password: matches nothing

# --- organisations -------------------------------------------------------------------------------


def _organisation_name(check: Checker, own_id: int | None = None) -> str | None:
    name = check.text("name", required=True, max_length=200)
    if name is not None:
        clash = sa.select(Organisation.id).where(sa.func.lower(Organisation.name) == name.lower())
        if own_id is not None:
            clash = clash.where(Organisation.id != own_id)
        if db.session.scalar(clash):
            raise DomainError.field("name", _("An organisation with this name exists already."), status=409)
    return name


@transactional
def create_organisation(name: str, *, actor: User | None) -> Organisation:
    check = Checker({"name": name})
    clean = _organisation_name(check)
    check.done()
    org = Organisation(name=clean)
    db.session.add(org)
    db.session.flush()
    record("organisation.create", actor=actor, obj=org, organisation_id=org.id, changes={"name": [None, clean]})
    return org


@transactional
def update_organisation(org: Organisation, *, name: str, active: bool, version: int | None, actor: User,
                        require_2fa: bool | None = None) -> Organisation:
    check_version(org, version)
    check = Checker({"name": name, "active": active, "require_2fa": require_2fa})
    clean = _organisation_name(check, org.id)
    active = check.boolean("active", default=True)
    require = check.boolean("require_2fa", default=org.require_2fa)
    check.done()
    changes = apply_changes(org, {"name": clean or org.name, "active": active, "require_2fa": require})
    record_changes("organisation.update", changes, actor=actor, obj=org, organisation_id=org.id)
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


def _check_role_and_org(check: Checker, role: str | None, organisation_id: int | None) -> str | None:
    if not role:   # None, or "" from the form's "please choose"
        check.add("role", str(REQUIRED))
        return None
    if role not in ROLES:
        check.add("role", _("Unknown role %(role)s: use one of %(roles)s.", role=role, roles=", ".join(ROLES)))
        return None
    if role in CASEWORK_ROLES and organisation_id is None:
        check.add("organisation_id", _("Counsellors and team leads belong to an organisation."))
    elif organisation_id is not None and db.session.get(Organisation, organisation_id) is None:
        check.add("organisation_id", _("Unknown organisation."))
    return role


def _may_manage(actor: User | None, organisation_id: int | None, role: str | None = None) -> None:
    """Admins manage every account; team leads only caseworkers of their own organisation."""
    if actor is None or actor.role == "admin":
        return
    if actor.role == "team_lead" and organisation_id == actor.organisation_id and (role in (None, *CASEWORK_ROLES)):
        return
    raise Forbidden(_("You may not manage this account."))


def may_manage(actor: User, user: User) -> bool:
    try:
        _may_manage(actor, user.organisation_id, user.role)
    except Forbidden:
        return False
    return True


def _new_account(*, email: str, name: str, role: str, organisation_id: int | None,
                 actor: User | None, locale: str | None, password: str | None) -> User:
    check = Checker({"name": name})
    try:
        clean_email = normalise_email(email)
    except DomainError as exc:
        check.add("email", exc.message)
        clean_email = None
    clean_name = check.text("name", required=True, max_length=200)
    clean_role = _check_role_and_org(check, role, organisation_id)
    check.done()
    assert clean_email is not None and clean_name is not None and clean_role is not None
    _may_manage(actor, organisation_id, clean_role)
    if db.session.scalar(sa.select(User.id).where(User.email == clean_email)):
        raise DomainError.field("email", _("An account with this email exists already."), status=409)
    if password is not None:
        check_password_policy(password, user_inputs=(clean_email, clean_name))
    user = User(email=clean_email, name=clean_name, role=clean_role, organisation_id=organisation_id,
                password_hash=hash_password(password) if password is not None else NO_PASSWORD,
                locale=locale if locale in current_app.config["LANGUAGES"] else None,
                password_changed_at=utcnow() if password is not None else None)
    db.session.add(user)
    db.session.flush()
    record("user.create", actor=actor, obj=user, organisation_id=organisation_id,
           changes={"email": [None, clean_email], "role": [None, clean_role],
                    "organisation_id": [None, organisation_id], "invited": [None, password is None]})
    return user


@transactional
def create_user(*, email: str, name: str, role: str, organisation_id: int | None, password: str,
                actor: User | None, locale: str | None = None) -> User:
    """An account with an initial password (the command line's `users create … --password`)."""
    return _new_account(email=email, name=name, role=role, organisation_id=organisation_id, actor=actor,
                        locale=locale, password=password)


@transactional
def create_invited_user(*, email: str, name: str, role: str, organisation_id: int | None,
                        actor: User | None, locale: str | None = None) -> User:
    """An account without a password; links.invite sends it the invitation."""
    return _new_account(email=email, name=name, role=role, organisation_id=organisation_id, actor=actor,
                        locale=locale, password=None)


@transactional
def update_user(user: User, *, name: str, role: str, organisation_id: int | None, active: bool,
                version: int | None, actor: User, handover: bool = False) -> User:
    """Saves an account. Deactivating a counsellor or team lead needs `handover=True`, which only the
    participants domain's handover service passes once their cases and tasks have moved."""
    _may_manage(actor, user.organisation_id, user.role)
    _may_manage(actor, organisation_id, role)
    check_version(user, version)
    check = Checker({"name": name})
    clean_name = check.text("name", required=True, max_length=200)
    _check_role_and_org(check, role, organisation_id)
    if user.id == actor.id and (not active or role != user.role):
        check.add("active", _("You cannot deactivate yourself or change your own role."))
    if user.active and not active and user.works_with_cases and not handover:
        check.add("active", _("A counsellor's cases and tasks need a new owner first: use "
                              "“Deactivate and hand over”."))
    check.done()
    was_active = user.active
    changes = apply_changes(user, {"name": clean_name or user.name, "role": role,
                                   "organisation_id": organisation_id, "active": active})
    if was_active and not active:
        _end_access(user)
    record_changes("user.update", changes, actor=actor, obj=user, organisation_id=user.organisation_id)
    return user


@transactional
def deactivate_user(user: User, *, version: int | None, actor: User) -> User:
    """Deactivates an account (sessions end, tokens are revoked). For caseworkers the caller is the
    handover service, inside the unit of work that moved their cases."""
    return update_user(user, name=user.name, role=user.role, organisation_id=user.organisation_id, active=False,
                       version=version, actor=actor, handover=True)


def _end_access(user: User) -> None:
    sessions.end_all_sessions(user.id)
    db.session.execute(sa.update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                       .values(revoked_at=utcnow()))
    void_links(user)


def void_links(user: User) -> None:
    """Every unused invitation or reset link of `user` stops working (the password changed)."""
    db.session.execute(sa.update(AccountLink).where(AccountLink.user_id == user.id, AccountLink.used_at.is_(None))
                       .values(used_at=utcnow()))


def set_password(user: User, new_password: str, *, field: str = "password") -> None:
    """Sets a new password that passed the policy, voids the account's links. Inside a unit."""
    check_password_policy(new_password, user_inputs=(user.email, user.name), field=field)
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    void_links(user)


@transactional
def change_password(user: User, *, current_password: str, new_password: str) -> None:
    """Changes the password and ends every other session of the account."""
    if not verify_password(user.password_hash, current_password):
        raise DomainError.field("current_password", _("The current password is not correct."))
    if new_password == current_password:
        raise DomainError.field("new_password", _("The new password must differ from the current one."))
    set_password(user, new_password, field="new_password")
    sessions.end_all_sessions(user.id, except_current=True)
    record("user.password_change", actor=user, obj=user)


@transactional
def set_locale(user: User, locale: str) -> None:
    if locale in current_app.config["LANGUAGES"] and user.locale != locale:
        user.locale = locale


@transactional
def end_other_session(user: User, session_id: str) -> bool:
    """Ends one of `user`'s own sessions (the account page's "end this session")."""
    ended = sessions.end_session_by_id(user.id, session_id)
    if ended:
        record("session.end", actor=user, obj=user)
    return ended


# --- login ------------------------------------------------------------------------------------------

@dataclass
class LoginResult:
    user: User | None = None
    locked_until: datetime | None = None
    needs_code: bool = False  # password right; the second factor is asked next

    @property
    def ok(self) -> bool:
        return self.user is not None


def _address_locked(address: str, now: datetime) -> datetime | None:
    """Per-address limit against password spraying over many accounts."""
    cfg = current_app.config
    per_address = db.session.scalar(
        sa.select(sa.func.count()).select_from(LoginAttempt).where(
            LoginAttempt.address == address, ~LoginAttempt.success, LoginAttempt.at > now - cfg["LOGIN_FAILURE_WINDOW"]))
    return now + cfg["LOGIN_LOCKOUT"] if per_address >= cfg["LOGIN_MAX_FAILURES_PER_ADDRESS"] else None


def _find_user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == (email or "").strip().lower()))


def requires_2fa(user: User) -> bool:
    """True when the account's role (REQUIRE_2FA_ROLES) or its organisation makes a second factor mandatory."""
    return user.role in current_app.config["REQUIRE_2FA_ROLES"] or bool(user.organisation and user.organisation.require_2fa)


def take_check(email: str, *, what: str = "password") -> datetime | None:
    """Takes a check slot for `email` in a unit of work of its own, committed before any hash or
    code is checked (see throttle.py). None: the check may run; otherwise refused until then."""
    now, address, digest = utcnow(), client_address() or "unknown", throttle.login_digest(email)
    with unit_of_work():
        locked = _address_locked(address, now) or throttle.take_slot(digest, now)
        if locked:
            user = _find_user(email)
            record("login.refused_locked", object_type="users", object_id=user.id if user else None,
                   organisation_id=user.organisation_id if user else None, changes={"step": [None, what]})
    return locked


@transactional
def check_failed(email: str, user: User | None, *, what: str = "password") -> datetime | None:
    """Records a failed check (its slot stays taken); locks the name when the window is full."""
    now, digest, address = utcnow(), throttle.login_digest(email), client_address() or "unknown"
    db.session.add(LoginAttempt(email_digest=digest, address=address, success=False, at=now))
    db.session.flush()
    def audit(action: str) -> None:
        record(action, object_type="users" if user else None, object_id=user.id if user else None,
               organisation_id=user.organisation_id if user else None)

    audit("login.failure" if what == "password" else "login.code_failure")
    locked = throttle.lock_if_full(digest, now)
    if locked:
        audit("login.lockout")
    return locked or _address_locked(address, now)


def authenticate(email: str, password: str) -> LoginResult:
    """Checks a password. On success either starts a session or, when the account uses a second
    factor, answers `needs_code` (the caller asks for the code, see verify_second_factor).

    Unknown email and wrong password are indistinguishable (same result, same time spent).
    Checks are throttled atomically per login name (throttle.py) and per address.
    """
    locked = take_check(email)
    if locked:
        burn_time(password)
        return LoginResult(locked_until=locked)
    user = _find_user(email)
    if user is None or not user.has_password:
        burn_time(password)
        ok = False
    else:
        ok = verify_password(user.password_hash, password) and user.active
    if not ok:
        return LoginResult(locked_until=check_failed(email, user))
    assert user is not None
    with unit_of_work():
        throttle.give_back(throttle.login_digest(email))
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        if user.uses_2fa:
            record("login.password_ok", actor=user, obj=user)
            return LoginResult(user=user, needs_code=True)
        _login(user)
    return LoginResult(user=user)


def _login(user: User) -> None:
    digest = throttle.login_digest(user.email)
    db.session.add(LoginAttempt(email_digest=digest, address=client_address() or "unknown", success=True, at=utcnow()))
    sessions.start_session(user)
    record("login.success", actor=user, obj=user)


@transactional
def logout(user: User) -> None:
    sessions.end_session()
    record("logout", actor=user, obj=user)


# --- API tokens -------------------------------------------------------------------------------------

TOKEN_PREFIX = "cf_"


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transactional
def create_token(user: User, *, actor: User | None) -> str:
    """Creates an API token for `user` and returns it; only its hash is stored."""
    if not user.active:
        raise DomainError(_("The account is deactivated."), code="inactive_account")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, token_hash=_token_digest(token)))
    record("token.create", actor=actor, obj=user, organisation_id=user.organisation_id)
    return token


@functools.cache
def _token_statement() -> sa.Select:
    """The live token with its active account, by the bound parameter `token_hash`: built once per
    process, as every API request runs it (issue 19)."""
    return (sa.select(ApiToken, User).join(User, User.id == ApiToken.user_id)
            .where(ApiToken.token_hash == sa.bindparam("token_hash"), ApiToken.revoked_at.is_(None), User.active))


def user_for_token(token: str) -> User | None:
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    row = db.session.execute(_token_statement(), {"token_hash": _token_digest(token)}).first()
    if row is None:
        return None
    api_token, user = row
    now = utcnow()
    if api_token.last_used_at is None or now - api_token.last_used_at > timedelta(minutes=5):
        with unit_of_work():
            api_token.last_used_at = now
    return user


def user_by_email(email: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotFound(_("There is no account with this email."))
    return user
