"""Single-use links sent by mail: invitations (72 hours) and password resets (1 hour).

A link carries a random token; only its SHA-256 is stored. It works once, until it expires, and
not at all once the account's password changed after it was made (`services.void_links`).
Using one sets the password and ends every session of the account. A reset request answers the
same whether the address exists or not, and sends at most RESET_MAILS_PER_HOUR mails per account
(the view limits requests per address). Every step is audited; no mail holds a participant's data.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from caseflow import mail
from caseflow.accounts import services, sessions
from caseflow.accounts.models import AccountLink, User
from caseflow.audit.services import record
from caseflow.database import transactional, unit_of_work
from caseflow.errors import DomainError
from caseflow.extensions import db
from caseflow.models_base import utcnow
from caseflow.translation import gettext as _

LIFETIME = {"invitation": timedelta(hours=72), "password_reset": timedelta(hours=1)}
# How long an expired (or used) link is kept, so that opening it still says "expired" or "used"
# rather than "not valid"; after that the scheduled expiry deletes it (delete_expired_links).
KEEP_EXPIRED = timedelta(days=7)
RESET_MAILS_PER_HOUR = 3


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_link(user: User, purpose: str) -> str:
    """Makes a link and answers its address (under CASEFLOW_BASE_URL)."""
    token, now = secrets.token_urlsafe(32), utcnow()
    db.session.add(AccountLink(user_id=user.id, purpose=purpose, token_hash=_digest(token), created_at=now,
                               expires_at=now + LIFETIME[purpose]))
    return mail.absolute_url("accounts.link", token=token)


def mail_configured() -> bool:
    return bool(current_app.config.get("MAIL_SERVER"))


@transactional
def invite(*, email: str, name: str, role: str, organisation_id: int | None, actor: User | None,
           locale: str | None = None) -> tuple[User, str]:
    """Creates the account without a password and mails it the invitation link (printed to the
    console when no mail server is set). Answers the account and the link."""
    user = services.create_invited_user(email=email, name=name, role=role, organisation_id=organisation_id,
                                        actor=actor, locale=locale)
    url = _new_link(user, "invitation")
    record("user.invite", actor=actor, obj=user, organisation_id=user.organisation_id)
    _send_invitation(user, url, actor)
    return user, url


@transactional
def resend_invitation(user: User, *, actor: User) -> str:
    services._may_manage(actor, user.organisation_id, user.role)
    if user.has_password:
        raise DomainError(_("This account has accepted its invitation already."), code="already_accepted", status=409)
    services.void_links(user)
    url = _new_link(user, "invitation")
    record("user.invite", actor=actor, obj=user, organisation_id=user.organisation_id)
    _send_invitation(user, url, actor)
    return url


def _send_invitation(user: User, url: str, actor: User | None) -> None:
    mail.send("accounts/mail/invitation", to=user.email, locale=user.locale or (actor.locale if actor else None),
              name=user.name, url=url, organisation=user.organisation.name if user.organisation else None,
              hours=int(LIFETIME["invitation"].total_seconds() // 3600))


def _send_reset(user: User, url: str) -> None:
    mail.send("accounts/mail/password_reset", to=user.email, locale=user.locale, name=user.name, url=url,
              minutes=int(LIFETIME["password_reset"].total_seconds() // 60))


@transactional
def request_reset(email: str) -> None:
    """"Forgot your password?": mails a reset link when `email` names an active account with a
    password, and at most RESET_MAILS_PER_HOUR an hour; answers nothing either way."""
    try:
        address = services.normalise_email(email)
    except DomainError:
        return
    user = db.session.scalar(sa.select(User).where(User.email == address))
    if user is None or not user.active or not user.has_password:
        return
    recent = db.session.scalar(sa.select(sa.func.count()).select_from(AccountLink).where(
        AccountLink.user_id == user.id, AccountLink.purpose == "password_reset",
        AccountLink.created_at > utcnow() - timedelta(hours=1)))
    if (recent or 0) >= RESET_MAILS_PER_HOUR:
        record("user.password_reset_throttled", obj=user, organisation_id=user.organisation_id)
        return
    url = _new_link(user, "password_reset")
    record("user.password_reset_requested", obj=user, organisation_id=user.organisation_id)
    _send_reset(user, url)


@transactional
def send_reset(user: User, *, actor: User) -> None:
    """A team lead (own organisation) or admin mails `user` a reset link from the account page."""
    services._may_manage(actor, user.organisation_id, user.role)
    if not user.active:
        raise DomainError(_("The account is deactivated."), code="inactive_account")
    url = _new_link(user, "password_reset")
    record("user.password_reset_sent", actor=actor, obj=user, organisation_id=user.organisation_id)
    _send_reset(user, url)


@transactional
def reset_link(user: User) -> str:
    """A reset link for the command line (`users reset-password EMAIL`), audited; not mailed."""
    if not user.active:
        raise DomainError(_("The account is deactivated."), code="inactive_account")
    url = _new_link(user, "password_reset")
    record("user.password_reset_link", obj=user, organisation_id=user.organisation_id)
    return url


def _usable(token: str) -> AccountLink:
    link = db.session.scalar(sa.select(AccountLink).where(AccountLink.token_hash == _digest(token or "")))
    if link is None:
        raise DomainError(_("This link is not valid. Check that you opened the whole link from the mail."),
                          code="invalid_link", status=404)
    user = link.user
    if link.used_at is not None or not user.active or (
            user.password_changed_at is not None and user.password_changed_at > link.created_at):
        raise DomainError(_("This link has been used already. Ask for a new one if you still need it."),
                          code="used_link", status=410)
    if link.expires_at <= utcnow():
        raise DomainError(_("This link has expired. Ask for a new one."), code="expired_link", status=410)
    return link


def delete_expired_links(now: datetime) -> int:
    """Deletes the links that expired more than KEEP_EXPIRED ago (the scheduled `expiry` job);
    answers how many. Their use and their sending stay in the audit log."""
    with unit_of_work() as session:
        result = session.execute(sa.delete(AccountLink).where(AccountLink.expires_at < now - KEEP_EXPIRED)
                                 .execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)


def link_for(token: str) -> AccountLink:
    """The link `token` opens, or DomainError with a clear message (unknown, used, expired)."""
    return _usable(token)


@transactional
def use_link(token: str, new_password: str, repeat: str) -> AccountLink:
    """Sets the password through a link: the link is used up (atomically, so two parallel uses
    cannot both succeed), every other link of the account is void and every session ends."""
    link = _usable(token)
    user = link.user
    if new_password != repeat:
        raise DomainError.field("repeat", _("The two passwords are not the same."))
    used = db.session.execute(sa.update(AccountLink).where(AccountLink.id == link.id, AccountLink.used_at.is_(None))
                              .values(used_at=utcnow()).execution_options(synchronize_session=False))
    if not used.rowcount:  # type: ignore[attr-defined]
        raise DomainError(_("This link has been used already. Ask for a new one if you still need it."),
                          code="used_link", status=410)
    services.set_password(user, new_password)  # voids the account's other links
    sessions.end_all_sessions(user.id)
    record("user.invitation_accepted" if link.purpose == "invitation" else "user.password_reset",
           actor=user, obj=user, organisation_id=user.organisation_id)
    return link
