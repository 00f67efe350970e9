"""Organisations, accounts, server-side sessions, API tokens and login attempts."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.extensions import Model
from caseflow.models_base import TZDateTime, enum_column, utcnow
from caseflow.vocabulary import ROLES


class Organisation(Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    require_2fa: Mapped[bool] = mapped_column(
        default=False, server_default=sa.false(),
        comment="every account of this organisation must use two-factor sign-in (besides REQUIRE_2FA_ROLES)")
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}

    users: Mapped[list[User]] = relationship(back_populates="organisation")

    def __repr__(self) -> str:
        return f"<Organisation {self.id}>"


class User(UserMixin, Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True, comment="stored lower-case")
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(enum_column("role", ROLES))
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id"), index=True,
        comment="required for counsellors and team leads; analysts and admins may have none")
    password_hash: Mapped[str] = mapped_column(
        sa.String(255), comment="argon2id; '!' (matches no password) while an invitation is not yet accepted")
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    locale: Mapped[str | None] = mapped_column(sa.String(5), comment="preferred UI language")
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    password_changed_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    totp_secret: Mapped[bytes | None] = mapped_column(
        sa.LargeBinary, comment="TOTP secret, AES-GCM under the DOCUMENT_KEY key named by totp_key_id")
    totp_key_id: Mapped[str | None] = mapped_column(sa.String(8), comment="id of the key totp_secret is under")
    totp_enabled_at: Mapped[datetime | None] = mapped_column(
        TZDateTime, comment="set when the first code confirmed the set-up; NULL: no second factor")
    totp_last_step: Mapped[int | None] = mapped_column(
        sa.BigInteger, comment="the 30-second step of the last accepted code: no code is accepted twice")
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}

    organisation: Mapped[Organisation | None] = relationship(back_populates="users")

    # Flask-Login reads this; a deactivated account can neither log in nor keep a session.
    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:  # pragma: no cover - sessions are loaded by session id, not user id
        return str(self.id)

    @property
    def has_password(self) -> bool:
        return self.password_hash.startswith("$")

    @property
    def uses_2fa(self) -> bool:
        return self.totp_enabled_at is not None

    @property
    def works_with_cases(self) -> bool:
        return self.role in ("counsellor", "team_lead")

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class UserSession(Model):
    """A login session. The cookie carries only this row's random id; deleting the row ends it."""

    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True,
                                    comment="SHA-256 of the random session id held in the cookie")
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    device: Mapped[str | None] = mapped_column(sa.String(100), comment="browser and system, from the User-Agent")
    address: Mapped[str | None] = mapped_column(sa.String(45), comment="client IP address at login")
    caseload_search: Mapped[str | None] = mapped_column(
        sa.String(100), comment="the caseload's name search of this login: kept here, not in the address "
                                "or the cookie, and deleted with the session")

    user: Mapped[User] = relationship()


class ApiToken(Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, comment="SHA-256 of the token")
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(TZDateTime)

    user: Mapped[User] = relationship()


class LoginAttempt(Model):
    """One login attempt, kept for throttling. The email is kept only as a keyed digest."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        sa.Index("ix_login_attempts_email_digest_at", "email_digest", "at"),
        sa.Index("ix_login_attempts_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    email_digest: Mapped[str] = mapped_column(sa.String(64), comment="HMAC-SHA256 of the lower-cased email")
    address: Mapped[str] = mapped_column(sa.String(45), comment="client IP address")
    success: Mapped[bool] = mapped_column()


class LoginThrottle(Model):
    """The failed-check counter of one login name (password or second-factor code).

    A check may only run after it has taken a slot here with one atomic conditional UPDATE
    (`failures < limit`), committed before the hash is checked: so however many requests arrive at
    once, on any number of workers, at most LOGIN_MAX_FAILURES checks run per window."""

    __tablename__ = "login_throttles"

    email_digest: Mapped[str] = mapped_column(sa.String(64), primary_key=True,
                                              comment="HMAC-SHA256 of the lower-cased email")
    failures: Mapped[int] = mapped_column(default=0, server_default="0",
                                          comment="checks taken (running or failed) in this window")
    window_started_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    locked_until: Mapped[datetime | None] = mapped_column(TZDateTime)


ACCOUNT_LINK_PURPOSES = ("invitation", "password_reset")


class AccountLink(Model):
    """A single-use link sent by mail: an invitation (72 h) or a password reset (1 h).
    Only the SHA-256 of the link's token is stored."""

    __tablename__ = "account_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(enum_column("account_link_purpose", ACCOUNT_LINK_PURPOSES))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, comment="SHA-256 of the token")
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(TZDateTime)
    used_at: Mapped[datetime | None] = mapped_column(
        TZDateTime, comment="set when used, or when the password changed otherwise (the link is void)")

    user: Mapped[User] = relationship()


class RecoveryCode(Model):
    """One of the ten single-use recovery codes of a second factor, hashed like a password."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(255))
    used_at: Mapped[datetime | None] = mapped_column(TZDateTime)
