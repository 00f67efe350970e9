"""Settings, read from the environment (see docs/interfaces.md).

`DATABASE_URL`, `SECRET_KEY`, `CASEFLOW_ENV` and `ESF_LTU_RULE` are the documented names; every other
setting has a safe default and may be overridden by an environment variable of the same name.
"""
from __future__ import annotations

import base64
import os
import secrets
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("CASEFLOW_INSTANCE_DIR", BASE_DIR / "instance"))


class ConfigError(RuntimeError):
    """A setting is missing or invalid; the message says which."""


def default_database_url() -> str:
    return f"sqlite:///{INSTANCE_DIR / 'caseflow.sqlite3'}"


def database_url() -> str:
    return with_our_driver(os.environ.get("DATABASE_URL") or default_database_url())


def with_our_driver(url: str) -> str:
    """A PostgreSQL URL without a driver (or Heroku's postgres://) names psycopg 3, the one we ship."""
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://"):]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def _development_secret_key() -> str:
    """A random key, generated once and kept in instance/, so sessions survive restarts."""
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _development_key(name: str) -> str:
    """A random 32-byte key in URL-safe base64, generated once into instance/ (development only)."""
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    path = INSTANCE_DIR / name
    if not path.exists():
        path.write_text(base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
        path.chmod(0o600)
    return path.read_text().strip()


def _bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be true or false, not {raw!r}")


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from exc


class Config:
    ENV_NAME = "development"
    # hide_parameters: a failed statement's parameters (names, birth dates, note text) stay out of
    # exception messages and so out of the logs.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True}
    SQLALCHEMY_TRACK_MODIFICATIONS = False

    # Sessions: the cookie only carries a signed server-side session id (see accounts/sessions.py).
    SESSION_COOKIE_NAME = "caseflow_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
    SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=12)
    REMEMBER_COOKIE_HTTPONLY = True

    # Login throttling (database-backed, shared by every worker and host).
    LOGIN_MAX_FAILURES = 5
    LOGIN_FAILURE_WINDOW = timedelta(minutes=15)
    LOGIN_LOCKOUT = timedelta(minutes=15)
    LOGIN_MAX_FAILURES_PER_ADDRESS = 30

    # argon2id, OWASP ASVS 5.0 appendix C: m=19 MiB, t=2, p=1 at least. We go higher on memory.
    ARGON2_TIME_COST = 2
    ARGON2_MEMORY_COST = 46 * 1024  # KiB
    ARGON2_PARALLELISM = 1
    PASSWORD_MIN_LENGTH = 12

    WTF_CSRF_TIME_LIMIT = None  # the session's own lifetime bounds the token
    BABEL_DEFAULT_LOCALE = "de"
    BABEL_DEFAULT_TIMEZONE = "Europe/Berlin"
    LANGUAGES = ("de", "en")

    RATELIMIT_HEADERS_ENABLED = True

    # flask-smorest builds the OpenAPI document (served by the API itself at /api/v1/openapi.json).
    API_TITLE = "Caseflow API"
    API_VERSION = "1"
    OPENAPI_VERSION = "3.1.0"
    OPENAPI_URL_PREFIX = None

    PER_PAGE_DEFAULT = 50
    PER_PAGE_MAX = 200
    FORCE_HTTPS = False

    def __init__(self) -> None:
        self.SQLALCHEMY_DATABASE_URI = database_url()
        self.SECRET_KEY = os.environ.get("SECRET_KEY") or _development_secret_key()
        self.ESF_LTU_RULE = os.environ.get("ESF_LTU_RULE", "eu")
        if self.ESF_LTU_RULE not in ("eu", "de"):
            raise ConfigError(f"ESF_LTU_RULE must be 'eu' or 'de', not {self.ESF_LTU_RULE!r}")
        self.RETENTION_YEARS = _int("RETENTION_YEARS", 10)
        # How many reverse proxies in front of the app set X-Forwarded-For/-Proto. Without it every
        # client behind a proxy has the proxy's address, and the per-address login limit hits everyone.
        self.TRUSTED_PROXY_COUNT = _int("TRUSTED_PROXY_COUNT", 0)
        self.DEBUG = os.environ.get("FLASK_DEBUG") == "1" and self.ENV_NAME != "production"
        # The rate limits (docs/interfaces.md); storage must be shared by every worker and host in
        # production (Redis). Several installations, or a load test, sharing one Redis keep their
        # counters apart by the key prefix.
        self.RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
        self.RATELIMIT_DEFAULT = os.environ.get("RATELIMIT_DEFAULT", "600 per minute")  # the API's, per token
        self.RATELIMIT_WEB = os.environ.get("RATELIMIT_WEB", "600 per minute")  # the pages', per account
        self.RATELIMIT_KEY_PREFIX = os.environ.get("RATELIMIT_KEY_PREFIX", "")

        # docs/interfaces.md, "More settings".
        self.CASEFLOW_BASE_URL = os.environ.get("CASEFLOW_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
        self.MAIL_SERVER = os.environ.get("MAIL_SERVER") or None  # None: mails are printed to the console
        self.MAIL_PORT = _int("MAIL_PORT", 25)
        self.MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
        self.MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
        self.MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
        self.MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Caseflow <caseflow@localhost>")
        roles = os.environ.get("REQUIRE_2FA_ROLES", "team_lead,admin")
        self.REQUIRE_2FA_ROLES = tuple(r.strip() for r in roles.split(",") if r.strip())
        # Keys: newest first, comma-separated; see caseflow/crypto.py.
        self.DOCUMENT_KEY = os.environ.get("DOCUMENT_KEY") or self._development_only_key("document_key", "DOCUMENT_KEY")
        self.PSEUDONYM_KEY = os.environ.get("PSEUDONYM_KEY") or self._development_only_key("pseudonym_key", "PSEUDONYM_KEY")
        self.MAX_DOCUMENT_MB = _int("MAX_DOCUMENT_MB", 20)
        self.MAX_IMPORT_MB = _int("MAX_IMPORT_MB", 20)
        self.DIGEST_HOUR = _int("DIGEST_HOUR", 7)
        if not 0 <= self.DIGEST_HOUR <= 23:
            raise ConfigError("DIGEST_HOUR must be an hour from 0 to 23")
        self.ESF_MIN_HOURS = _int("ESF_MIN_HOURS", 0)
        if not 0 <= self.ESF_MIN_HOURS <= 10000:
            raise ConfigError("ESF_MIN_HOURS must be whole hours from 0 to 10000 (0: off)")
        self.REPORTS_DATABASE_URL = with_our_driver(os.environ["REPORTS_DATABASE_URL"]) \
            if os.environ.get("REPORTS_DATABASE_URL") else None
        self.METRICS_TOKEN = os.environ.get("METRICS_TOKEN") or None

    def _development_only_key(self, filename: str, variable: str) -> str:
        if self.ENV_NAME == "testing":  # fixed, so that no test run writes into instance/
            return base64.urlsafe_b64encode(filename.encode().ljust(32, b"-")).decode()
        if self.ENV_NAME == "production":
            raise ConfigError(f"{variable} must be set when CASEFLOW_ENV=production")
        return _development_key(filename)


class DevelopmentConfig(Config):
    pass


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    FORCE_HTTPS = True

    def __init__(self) -> None:
        if not os.environ.get("SECRET_KEY"):
            raise ConfigError("SECRET_KEY must be set when CASEFLOW_ENV=production")
        super().__init__()
        self.DEBUG = False


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    # Cheap hashes keep the suite fast; tests/accounts asserts the production parameters separately.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    RATELIMIT_ENABLED = True

    def __init__(self) -> None:
        super().__init__()
        self.SECRET_KEY = "testing-secret-key-not-for-production"


def load_config(env: str | None = None) -> Config:
    env = env or os.environ.get("CASEFLOW_ENV", "development")
    classes = {"development": DevelopmentConfig, "production": ProductionConfig, "testing": TestingConfig}
    try:
        return classes[env]()
    except KeyError:
        raise ConfigError(f"CASEFLOW_ENV must be 'development' or 'production', not {env!r}") from None
