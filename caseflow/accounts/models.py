"""Organisations, accounts, server-side sessions, API tokens and login attempts."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from caseflow.extensions import db
from caseflow.models_base import TZDateTime, enum_column, utcnow
from caseflow.vocabulary import ROLES


class Organisation(db.Model):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}

    users: Mapped[list[User]] = relationship(back_populates="organisation")

    def __repr__(self) -> str:
        return f"<Organisation {self.id}>"


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True, comment="stored lower-case")
    name: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(enum_column("role", ROLES))
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id"), index=True,
        comment="required for counsellors and team leads; analysts and admins may have none")
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    locale: Mapped[str | None] = mapped_column(sa.String(5), comment="preferred UI language")
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    password_changed_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}

    organisation: Mapped[Organisation | None] = relationship(back_populates="users")

    # Flask-Login reads this; a deactivated account can neither log in nor keep a session.
    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.active

    def get_id(self) -> str:  # pragma: no cover - sessions are loaded by session id, not user id
        return str(self.id)

    @property
    def works_with_cases(self) -> bool:
        return self.role in ("counsellor", "team_lead")

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class UserSession(db.Model):
    """A login session. The cookie carries only this row's random id; deleting the row ends it."""

    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True,
                                    comment="SHA-256 of the random session id held in the cookie")
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    caseload_search: Mapped[str | None] = mapped_column(
        sa.String(100), comment="the caseload's name search of this login: kept here, not in the address "
                                "or the cookie, and deleted with the session")

    user: Mapped[User] = relationship()


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True, comment="SHA-256 of the token")
    created_at: Mapped[datetime] = mapped_column(TZDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(TZDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(TZDateTime)

    user: Mapped[User] = relationship()


class LoginAttempt(db.Model):
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
