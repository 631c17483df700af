"""Configuration defaults and environment overrides.

Order of precedence (last wins): the defaults below, ``instance/config.py``,
environment variables prefixed ``SKILLMAP_``, and the ``test_config`` mapping
given to :func:`skillmap.create_app`.
"""
from __future__ import annotations

import os

DEV_SECRET = "dev-only-not-secret"


class Defaults:
    """Settings every installation starts from."""

    ENV_NAME = "development"  # "production" makes a missing secret key fatal
    SECRET_KEY = None
    SQLALCHEMY_DATABASE_URI = None  # filled with instance/skillmap.sqlite
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    BABEL_DEFAULT_LOCALE = "it"
    BABEL_DEFAULT_TIMEZONE = "Europe/Rome"
    LANGUAGES = ("it", "en")
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024
    #: werkzeug's method for new password hashes; check_password reads any method
    PASSWORD_HASH_METHOD = "scrypt"
    #: seconds /healthz may wait for the database (to connect, and per statement)
    HEALTH_TIMEOUT = 2
    #: seconds a request waits to connect to PostgreSQL before the outage page is shown
    #: (a ``connect_timeout`` in the database URL wins)
    DATABASE_CONNECT_TIMEOUT = 10
    PRIVACY_MIN_GROUP = 5  # reports hide aggregates over fewer people
    ORGANISATION_NAME = "Cooperativa Demo"
    #: the task queue: "" = a SQLite file in instance/, "redis://host:port/db", "memory"
    QUEUE_URL = ""
    #: a running job writes a heartbeat this often (s); without one for JOB_DEAD_AFTER
    #: seconds it is shown as failed (its consumer died) and can be started again
    JOB_HEARTBEAT = 10
    JOB_DEAD_AFTER = 45
    #: a queued job still waiting after this many seconds has its message sent again
    JOB_RESEND_AFTER = 600
    #: after a change of data, recompute the engine results by themselves, this many
    #: seconds later (changes in between join the same run)
    AUTO_RECOMPUTE = True
    AUTO_RECOMPUTE_DELAY = 30
    #: /healthz fails when a job has waited longer than this many seconds (no consumer runs)
    QUEUE_STUCK_AFTER = 900
    BACKUP_DIR = None  # filled with instance/backups
    BACKUP_KEEP = 14  # scheduled backups kept in BACKUP_DIR
    #: a Server-Timing header on every response: time in the app and in SQL (ms), no data
    SERVER_TIMING = True


#: environment variable -> (config key, converter)
ENV_KEYS = {
    "SKILLMAP_DATABASE_URL": ("SQLALCHEMY_DATABASE_URI", str),
    "SKILLMAP_SECRET_KEY": ("SECRET_KEY", str),
    "SKILLMAP_ENV": ("ENV_NAME", str),
    "SKILLMAP_HTTPS": ("HTTPS", lambda v: v.lower() in {"1", "true", "yes", "on"}),
    "SKILLMAP_PRIVACY_MIN_GROUP": ("PRIVACY_MIN_GROUP", int),
    "SKILLMAP_ORGANISATION_NAME": ("ORGANISATION_NAME", str),
    "SKILLMAP_QUEUE_URL": ("QUEUE_URL", str),
    "SKILLMAP_AUTO_RECOMPUTE_DELAY": ("AUTO_RECOMPUTE_DELAY", float),
    "SKILLMAP_JOB_HEARTBEAT": ("JOB_HEARTBEAT", float),
    "SKILLMAP_JOB_DEAD_AFTER": ("JOB_DEAD_AFTER", float),
    "SKILLMAP_BACKUP_DIR": ("BACKUP_DIR", str),
    "SKILLMAP_BACKUP_KEEP": ("BACKUP_KEEP", int),
}


def from_environment(environ=None) -> dict:
    """Read the ``SKILLMAP_*`` overrides from the environment."""
    environ = os.environ if environ is None else environ
    out = {}
    for var, (key, conv) in ENV_KEYS.items():
        if environ.get(var):
            out[key] = conv(environ[var])
    return out


def normalise_database_url(url: str) -> str:
    """Use the psycopg 3 driver for plain ``postgresql://`` URLs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
