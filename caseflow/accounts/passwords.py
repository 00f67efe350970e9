"""Password hashing (argon2id) and the password policy."""
from __future__ import annotations

import re
from functools import lru_cache

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from caseflow.errors import DomainError
from caseflow.translation import gettext as _


def hasher() -> PasswordHasher:
    cfg = current_app.config
    return _hasher(cfg["ARGON2_TIME_COST"], cfg["ARGON2_MEMORY_COST"], cfg["ARGON2_PARALLELISM"])


@lru_cache(maxsize=4)
def _hasher(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism, type=Type.ID)


def hash_password(password: str) -> str:
    return hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return hasher().check_needs_rehash(password_hash)


# Verifying against this when the email is unknown costs the same time as a real check.
@lru_cache(maxsize=4)
def _dummy_hash(time_cost: int, memory_cost: int, parallelism: int) -> str:
    return _hasher(time_cost, memory_cost, parallelism).hash("not-a-real-password-0000")


def burn_time(password: str) -> None:
    cfg = current_app.config
    verify_password(_dummy_hash(cfg["ARGON2_TIME_COST"], cfg["ARGON2_MEMORY_COST"], cfg["ARGON2_PARALLELISM"]), password)


COMMON_PASSWORDS = frozenset(FREQUENCY_LISTS["passwords"])


def check_password_policy(password: str, *, user_inputs: tuple[str, ...] = (), field: str = "password") -> None:
    """Raises DomainError on `field` when the password is too short, common or easy to guess."""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        raise DomainError.field(field, _("The password must be at least %(n)d characters long.", n=minimum))
    if len(password) > 256:
        raise DomainError.field(field, _("The password must be at most 256 characters long."))
    # The user's own email and name count as guessable, whole and in parts ("aylin", "kiezwerk").
    words = {w for text in user_inputs for w in [text.lower(), *re.split(r"[\W_]+", text.lower())] if len(w) >= 3}
    if password.lower() in COMMON_PASSWORDS or zxcvbn(password[:100], user_inputs=sorted(words))["score"] < 3:
        raise DomainError.field(field, _("This password is too common or too easy to guess. Choose another one."))
