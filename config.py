"""Settings classes. Nothing else in the project reads os.environ."""

from __future__ import annotations

import os
from datetime import timedelta

DEFAULT_SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - refused in production


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def database_url(url: str | None) -> str | None:
    """Normalise a DATABASE_URL: plain postgres URLs use the psycopg 3 driver."""
    if not url:
        return None
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Config:
    """Defaults shared by every environment; each can be overridden from the environment."""

    ENV_NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY", DEFAULT_SECRET_KEY)
    # None means: SQLite file in the instance folder (set up by the app factory).
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL"))
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SQLITE_BUSY_TIMEOUT_MS = _int("SQLITE_BUSY_TIMEOUT_MS", 5000)
    # PostgreSQL connection pool, per process (each gunicorn worker, each `flask` command has its
    # own): a sync worker serves one request at a time and needs one connection. Keep
    # servers x workers x (DB_POOL_SIZE + DB_MAX_OVERFLOW) + runners under max_connections.
    DB_POOL_SIZE = _int("DB_POOL_SIZE", 2)
    DB_MAX_OVERFLOW = _int("DB_MAX_OVERFLOW", 3)
    DB_POOL_TIMEOUT = _int("DB_POOL_TIMEOUT", 10)  # seconds to wait for a free connection
    DB_POOL_RECYCLE = _int("DB_POOL_RECYCLE", 1800)  # seconds; below any idle cut-off on the way
    # Off behind PgBouncer in transaction mode (before 1.21): psycopg prepares repeated statements.
    DB_PREPARED_STATEMENTS = _bool("DB_PREPARED_STATEMENTS", True)

    SITE_NAME = os.environ.get("SITE_NAME", "WWWelzijn")
    # A proper name: it reads in both languages ("beheerd door ...", "run by ...").
    SITE_OPERATOR = os.environ.get("SITE_OPERATOR", "Arteveldehogeschool (onderzoeksgroep WWWelzijn)")
    # Absolute base URL used in e-mails (links must work outside a request).
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")

    MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 2 * 1024 * 1024)
    MAX_FORM_PARTS = _int("MAX_FORM_PARTS", 1000)

    SESSION_COOKIE_NAME = "wwwelzijn_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=_int("SESSION_HOURS", 12))
    CSRF_TIME_LIMIT = timedelta(hours=_int("CSRF_HOURS", 12))

    BABEL_DEFAULT_LOCALE = "nl"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("TIMEZONE", "Europe/Brussels")
    LANGUAGES = ("nl", "en")

    # Mail: "file" writes .eml files to MAIL_FILE_DIR and logs them; "smtp" sends.
    MAIL_TRANSPORT = os.environ.get("MAIL_TRANSPORT", "file")
    MAIL_FILE_DIR = os.environ.get("MAIL_FILE_DIR")  # default: <instance>/mail
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "127.0.0.1")
    MAIL_PORT = _int("MAIL_PORT", 25)
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)  # STARTTLS
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_TIMEOUT = _int("MAIL_TIMEOUT", 30)
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "WWWelzijn <no-reply@wwwelzijn.invalid>")
    MAIL_MAX_ATTEMPTS = _int("MAIL_MAX_ATTEMPTS", 5)

    PASSWORD_RESET_HOURS = _int("PASSWORD_RESET_HOURS", 2)
    INVITATION_DAYS = _int("INVITATION_DAYS", 14)
    LOGIN_MAX_FAILURES = _int("LOGIN_MAX_FAILURES", 5)
    LOGIN_WINDOW_SECONDS = _int("LOGIN_WINDOW_SECONDS", 15 * 60)
    # Two-factor login. TWOFACTOR_KEY encrypts the stored TOTP secrets; without it a key is
    # derived from SECRET_KEY (set it separately so that SECRET_KEY can be rotated).
    TWOFACTOR_KEY = os.environ.get("TWOFACTOR_KEY")
    # How long the step between a correct password and the code (or the set-up) may take.
    TWOFACTOR_PENDING_SECONDS = _int("TWOFACTOR_PENDING_SECONDS", 10 * 60)
    TWOFACTOR_MAX_ATTEMPTS = _int("TWOFACTOR_MAX_ATTEMPTS", 5)
    TWOFACTOR_WINDOW_SECONDS = _int("TWOFACTOR_WINDOW_SECONDS", 15 * 60)

    SURVEYS_DIR = os.environ.get("SURVEYS_DIR")  # default: <project>/surveys
    SUPPRESSION_MIN = _int("SUPPRESSION_MIN", 5)
    # Polls: below this many votes the results page says the numbers mean little.
    POLL_SMALL_N = _int("POLL_SMALL_N", 5)
    # Votes per poll from one client address per window (a congress hall may share one address).
    POLL_VOTE_LIMIT = _int("POLL_VOTE_LIMIT", 120)
    POLL_VOTE_WINDOW_SECONDS = _int("POLL_VOTE_WINDOW_SECONDS", 600)
    POLL_PRESENTER_SECONDS = _int("POLL_PRESENTER_SECONDS", 3)
    # Days after a survey closes before e-mail addresses, links and drafts are deleted.
    RETENTION_DAYS = _int("RETENTION_DAYS", 90)

    TRUSTED_PROXIES = _int("TRUSTED_PROXIES", 0)  # number of reverse proxies in front
    PG_BIN_DIR = os.environ.get("PG_BIN_DIR")  # where pg_dump/pg_restore live (backups)
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")


class DevelopmentConfig(Config):
    ENV_NAME = "development"
    DEBUG = False  # the debugger stays off; `flask run --debug` turns it on explicitly


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret-key"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("TEST_DATABASE_URL")) or "sqlite://"
    MAIL_TRANSPORT = "memory"
    # scrypt costs 0.1 s per hash and the tests hash a lot.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105
    LOGIN_MAX_FAILURES = 5
    BASE_URL = "http://localhost"


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    MAIL_TRANSPORT = os.environ.get("MAIL_TRANSPORT", "smtp")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def get_config(name: str | None = None) -> type[Config]:
    """The settings class named by `name` or by the APP_ENV variable (default development)."""
    name = name or os.environ.get("APP_ENV", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"APP_ENV must be one of {', '.join(CONFIGS)}, not {name!r}") from None
