"""Two-factor sign-in: TOTP (RFC 6238, pyotp) and ten single-use recovery codes.

- The secret is stored AES-GCM-encrypted under the newest DOCUMENT_KEY key (caseflow/crypto.py), with
  that key's id and bound to the account (`totp:<user id>`), so a ciphertext copied to another row
  does not decrypt; `rotate_totp_secrets()` re-encrypts every secret under the newest key (called by
  `documents rotate-key`).
- Set-up: `start_setup` stores a new secret (not yet in force), the page shows it as a QR code drawn
  on the server and as text, and `confirm_setup` turns it on with a first code and answers the ten
  recovery codes, shown once and stored argon2-hashed.
- A code is accepted once: the 30-second step of the last accepted code is kept, and only a later
  step is accepted (one atomic UPDATE, so two parallel requests cannot both use one code). A
  recovery code is marked used with an UPDATE … WHERE used_at IS NULL for the same reason.
- Wrong codes count toward the login throttle (services.take_check / check_failed).
"""
from __future__ import annotations

import secrets
import time

import pyotp
import segno
import sqlalchemy as sa

from caseflow import crypto
from caseflow.accounts import services, sessions, throttle
from caseflow.accounts.models import RecoveryCode, User
from caseflow.accounts.passwords import hash_password, verify_password
from caseflow.audit.services import record
from caseflow.database import transactional, unit_of_work
from caseflow.errors import DomainError
from caseflow.extensions import db
from caseflow.models_base import utcnow
from caseflow.translation import gettext as _

ISSUER = "Caseflow"
RECOVERY_CODES = 10
STEP_SECONDS = 30
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i


def _context(user: User) -> bytes:
    return b"totp:%d" % user.id


def secret_of(user: User) -> str | None:
    """The account's TOTP secret in base32 (pending or in force), or None."""
    if user.totp_secret is None or user.totp_key_id is None:
        return None
    return crypto.decrypt(user.totp_key_id, user.totp_secret, context=_context(user)).decode()


def _store_secret(user: User, secret: str | None) -> None:
    if secret is None:
        user.totp_secret, user.totp_key_id = None, None
        return
    user.totp_key_id, user.totp_secret = crypto.encrypt(secret.encode(), context=_context(user))


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """The otpauth URI as a PNG data: URI (drawn here: no third-party request, no script)."""
    return segno.make(uri, error="m").png_data_uri(scale=5, border=2)


def grouped(secret: str) -> str:
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


@transactional
def start_setup(user: User) -> str:
    """A new secret, pending until confirmed (an existing pending one is kept, so reloading the page
    does not invalidate a code the app already shows). Answers the secret."""
    if user.uses_2fa:
        raise DomainError(_("Two-factor sign-in is already set up."), code="already_set_up", status=409)
    secret = secret_of(user)
    if secret is None:
        secret = pyotp.random_base32()
        _store_secret(user, secret)
    return secret


def _step_of_code(user: User, secret: str, code: str, now: float) -> int | None:
    """The time step (now ±1, for clock drift) whose code `code` is, if it is later than the last used one."""
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    current = int(now // STEP_SECONDS)
    for step in (current - 1, current, current + 1):
        if secrets.compare_digest(totp.at(step * STEP_SECONDS), code):
            if user.totp_last_step is not None and step <= user.totp_last_step:
                return None
            return step
    return None


def _use_step(user: User, step: int) -> bool:
    """Marks `step` used, atomically: False when a parallel request used it (or a later one) first."""
    used = db.session.execute(sa.update(User).where(
        User.id == user.id, sa.or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step).execution_options(synchronize_session=False))
    if used.rowcount:  # type: ignore[attr-defined]
        user.totp_last_step = step
        return True
    return False


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["-".join("".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(5)) for _ in range(2))
             for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=hash_password(code)) for code in codes)
    return codes


@transactional
def confirm_setup(user: User, code: str, *, now: float | None = None) -> list[str]:
    """Turns the pending secret on when `code` is right; answers the ten recovery codes (shown once)."""
    secret = secret_of(user)
    if user.uses_2fa or secret is None:
        raise DomainError(_("Start the set-up again."), code="no_pending_setup", status=409)
    step = _step_of_code(user, secret, code, time.time() if now is None else now)
    if step is None or not _use_step(user, step):
        raise DomainError.field("code", _("This code is not correct. Enter the current code from your app."))
    user.totp_enabled_at = utcnow()
    codes = _new_recovery_codes(user)
    record("user.2fa_enabled", actor=user, obj=user)
    return codes


@transactional
def new_recovery_codes(user: User) -> list[str]:
    """Replaces the recovery codes (the old ones stop working)."""
    if not user.uses_2fa:
        raise DomainError(_("Two-factor sign-in is not set up."), code="not_set_up", status=409)
    codes = _new_recovery_codes(user)
    record("user.2fa_recovery_codes", actor=user, obj=user)
    return codes


def unused_recovery_codes(user: User) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)
                             .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


def _use_recovery_code(user: User, code: str) -> bool:
    typed = (code or "").strip().lower().replace(" ", "")
    if len(typed) != 11 or typed[5] != "-":
        return False
    for row in db.session.scalars(sa.select(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                                                RecoveryCode.used_at.is_(None))):
        if verify_password(row.code_hash, typed):
            used = db.session.execute(sa.update(RecoveryCode).where(RecoveryCode.id == row.id,
                                                                    RecoveryCode.used_at.is_(None))
                                      .values(used_at=utcnow()).execution_options(synchronize_session=False))
            return bool(used.rowcount)  # type: ignore[attr-defined]
    return False


def verify_second_factor(user: User, code: str, *, now: float | None = None) -> services.LoginResult:
    """The login's second step: a TOTP code or a recovery code. A wrong one counts toward the same
    throttle as a wrong password (a slot is taken before it is checked); a right one starts the session."""
    locked = services.take_check(user.email, what="code")
    if locked:
        return services.LoginResult(locked_until=locked)
    db.session.refresh(user)
    secret = secret_of(user) if user.active and user.uses_2fa else None
    with unit_of_work():
        via = None
        if secret is not None:
            step = _step_of_code(user, secret, code, time.time() if now is None else now)
            if step is not None and _use_step(user, step):
                via = "code"
            elif _use_recovery_code(user, code):
                via = "recovery_code"
        if via is not None:
            throttle.give_back(throttle.login_digest(user.email))
            services._login(user)
            if via == "recovery_code":
                record("login.recovery_code_used", actor=user, obj=user)
            return services.LoginResult(user=user)
    return services.LoginResult(locked_until=services.check_failed(user.email, user, what="code"))


@transactional
def reset_second_factor(user: User, *, actor: User) -> None:
    """Removes the second factor of another account (team lead of its organisation, or admin): it sets
    one up again at its next login when required. Its sessions end."""
    if actor.id == user.id:
        raise DomainError(_("Use your own account page to change your second factor."), code="forbidden", status=403)
    services._may_manage(actor, user.organisation_id, user.role)
    _clear(user)
    sessions.end_all_sessions(user.id)
    record("user.2fa_reset", actor=actor, obj=user, organisation_id=user.organisation_id)


def _clear(user: User) -> None:
    _store_secret(user, None)
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


@transactional
def turn_off(user: User, *, password: str) -> None:
    """The account turns its own second factor off (not allowed where it is mandatory)."""
    if services.requires_2fa(user):
        raise DomainError(_("Two-factor sign-in is required for your account."), code="required", status=409)
    if not verify_password(user.password_hash, password):
        raise DomainError.field("password", _("The current password is not correct."))
    _clear(user)
    record("user.2fa_disabled", actor=user, obj=user)


def rotate_totp_secrets(batch: int = 200) -> int:
    """Re-encrypts every TOTP secret not under the newest DOCUMENT_KEY key; resumable (each batch is
    one unit of work; a second run finds nothing left). Answers how many were re-encrypted."""
    newest, done = crypto.current_key_id(), 0
    while True:
        with unit_of_work():
            users = list(db.session.scalars(
                sa.select(User).where(User.totp_secret.is_not(None), User.totp_key_id != newest)
                .order_by(User.id).limit(batch).with_for_update()
                .execution_options(populate_existing=True)))
            for user in users:
                secret = secret_of(user)
                if secret is not None:
                    _store_secret(user, secret)
        done += len(users)
        if len(users) < batch:
            return done


