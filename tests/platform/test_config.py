"""Settings from the environment; password hashing and policy."""
from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from argon2.low_level import Type
from flask_babel import force_locale

import config as settings
from caseflow.accounts.passwords import check_password_policy, hash_password, verify_password
from caseflow.errors import DomainError


def test_production_requires_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("CASEFLOW_ENV", "production")
    with pytest.raises(settings.ConfigError, match="SECRET_KEY"):
        settings.load_config()


KEY = "q" * 43 + "="  # 32 bytes in URL-safe base64


@pytest.fixture
def production_keys(monkeypatch):
    monkeypatch.setenv("DOCUMENT_KEY", KEY)
    monkeypatch.setenv("PSEUDONYM_KEY", "p" * 40)


@pytest.mark.parametrize("missing", ["DOCUMENT_KEY", "PSEUDONYM_KEY"])
def test_production_requires_the_keys(monkeypatch, production_keys, missing):
    monkeypatch.setenv("SECRET_KEY", "s" * 64)
    monkeypatch.delenv(missing)
    with pytest.raises(settings.ConfigError, match=missing):
        settings.load_config("production")


def test_production_settings(monkeypatch, production_keys):
    monkeypatch.setenv("SECRET_KEY", "s" * 64)
    monkeypatch.setenv("FLASK_DEBUG", "1")
    config = settings.load_config("production")
    assert config.SECRET_KEY == "s" * 64
    assert config.SESSION_COOKIE_SECURE is True
    assert config.SESSION_COOKIE_HTTPONLY is True
    assert config.SESSION_COOKIE_SAMESITE == "Lax"
    assert config.DEBUG is False  # never debug in production, whatever is asked
    assert config.FORCE_HTTPS is True


def test_environment_names_the_database_and_rules(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@db.example:5432/caseflow")
    monkeypatch.setenv("ESF_LTU_RULE", "de")
    config = settings.load_config("development")
    assert config.SQLALCHEMY_DATABASE_URI == "postgresql+psycopg://u:p@db.example:5432/caseflow"
    assert config.ESF_LTU_RULE == "de"
    monkeypatch.delenv("DATABASE_URL")
    assert settings.load_config("development").SQLALCHEMY_DATABASE_URI.startswith("sqlite:///")


def test_rate_limits_come_from_the_environment(monkeypatch):
    for name in ("RATELIMIT_STORAGE_URI", "RATELIMIT_DEFAULT", "RATELIMIT_WEB", "RATELIMIT_KEY_PREFIX"):
        monkeypatch.delenv(name, raising=False)
    config = settings.load_config("development")
    assert (config.RATELIMIT_STORAGE_URI, config.RATELIMIT_DEFAULT, config.RATELIMIT_WEB,
            config.RATELIMIT_KEY_PREFIX) == ("memory://", "600 per minute", "600 per minute", "")
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://redis.internal:6379/0")
    monkeypatch.setenv("RATELIMIT_DEFAULT", "100 per minute")
    monkeypatch.setenv("RATELIMIT_WEB", "50 per minute")
    monkeypatch.setenv("RATELIMIT_KEY_PREFIX", "caseflow-east")
    config = settings.load_config("development")
    assert (config.RATELIMIT_STORAGE_URI, config.RATELIMIT_DEFAULT, config.RATELIMIT_WEB,
            config.RATELIMIT_KEY_PREFIX) == ("redis://redis.internal:6379/0", "100 per minute", "50 per minute",
                                             "caseflow-east")


@pytest.mark.parametrize("name, value", [("ESF_LTU_RULE", "us"), ("CASEFLOW_ENV", "staging"),
                                         ("RETENTION_YEARS", "ten")])
def test_invalid_settings_are_refused(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(settings.ConfigError, match=name):
        settings.load_config()


def test_development_is_not_debug_unless_asked(monkeypatch):
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    assert settings.load_config("development").DEBUG is False


def test_production_argon2id_parameters_meet_owasp_asvs(monkeypatch, production_keys):
    monkeypatch.setenv("SECRET_KEY", "s" * 64)
    config = settings.load_config("production")
    # OWASP ASVS 5.0 appendix C / OWASP cheat sheet: argon2id, m >= 19 MiB, t >= 2, p >= 1.
    assert config.ARGON2_MEMORY_COST >= 19456
    assert config.ARGON2_TIME_COST >= 2
    assert config.ARGON2_PARALLELISM >= 1
    hasher = PasswordHasher(time_cost=config.ARGON2_TIME_COST, memory_cost=config.ARGON2_MEMORY_COST,
                            parallelism=config.ARGON2_PARALLELISM, type=Type.ID)
    digest = hasher.hash("Amber-Tramline-Kettle-41")
    assert digest.startswith(f"$argon2id$v=19$m={config.ARGON2_MEMORY_COST},t={config.ARGON2_TIME_COST},")


def test_hashes_are_argon2id_and_verify():
    digest = hash_password("Amber-Tramline-Kettle-41")
    assert digest.startswith("$argon2id$")
    assert verify_password(digest, "Amber-Tramline-Kettle-41")
    assert not verify_password(digest, "amber-tramline-kettle-41")
    assert not verify_password("not a hash", "Amber-Tramline-Kettle-41")


@pytest.mark.parametrize("password, reason", [
    ("Sh0rt-pass", "at least 12"),
    ("a" * 257, "at most 256"),
    ("password1234", "too common"),
    ("qwertyuiop123", "too common"),
    ("123456789012", "too common"),
    ("kiezwerkaylin", "too common"),  # parts of the user's own email and name
])
def test_password_policy_refuses(password, reason):
    with pytest.raises(DomainError) as caught, force_locale("en"):
        check_password_policy(password, user_inputs=("aylin.demir@kiezwerk.example", "Aylin Demir"))
    assert reason in caught.value.message
    assert "password" in caught.value.fields


@pytest.mark.parametrize("password", ["Amber-Tramline-Kettle-41", "Kiez werk fährt Rad 2026!", "x7$Lq!m2#Vb9@Rt"])
def test_password_policy_accepts_strong_passwords(password):
    check_password_policy(password)
