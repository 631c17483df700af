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
    #: the data controller and the data protection officer, shown in the privacy notice
    CONTROLLER_NAME = ""
    CONTROLLER_ADDRESS = ""
    DPO_CONTACT = ""
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
    #: the unfiltered matrix, gaps and growth reports are computed by the ``reports`` job
    #: this many seconds after a change and served "as of" it (every process the same);
    #: one behind the data for longer than REPORT_SNAPSHOT_MAX_AGE seconds is not served
    REPORT_SNAPSHOTS = True
    REPORT_SNAPSHOT_DELAY = 10.0
    REPORT_SNAPSHOT_MAX_AGE = 600
    #: /healthz fails when a job has waited longer than this many seconds (no consumer runs)
    QUEUE_STUCK_AFTER = 900
    BACKUP_DIR = None  # filled with instance/backups
    BACKUP_KEEP = 14  # scheduled backups kept in BACKUP_DIR
    HTTPS = False  # True: secure cookies, HSTS and a redirect from http to https
    PROXY_FIX = 0  # number of proxies in front whose X-Forwarded-* headers are trusted
    SESSION_HOURS = 12.0  # a session ends this long after sign-in, used or not
    IDLE_MINUTES = 120.0  # ... or after this long without a request
    LOGIN_FREE_FAILURES = 5  # failed sign-ins on one account before it must wait
    LOGIN_ADDRESS_FREE_FAILURES = 30  # failed sign-ins from one address before it must wait
    LOGIN_LOCK_MINUTES = 15  # the longest wait (the lock) after repeated failures
    #: paths answered over plain http even when HTTPS is on (health checks of the proxy)
    HTTPS_EXEMPT_PATHS = ("/healthz",)
    #: e-mail. No MAIL_SERVER: every message is written to MAIL_OUTBOX_DIR as an .eml
    #: file and its links are printed on the console (the demo needs no mail server)
    MAIL_SERVER = None
    MAIL_PORT = 587
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_SECURITY = "starttls"  # starttls, ssl or none
    MAIL_SENDER = "SkillMap <noreply@localhost>"
    MAIL_TIMEOUT = 30
    MAIL_OUTBOX_DIR = None  # filled with instance/outbox
    #: the address of the site, for links in e-mails sent by background jobs
    BASE_URL = "http://127.0.0.1:5000"
    #: one-time links (invitation, password reset) work this many hours
    TOKEN_HOURS = 72
    #: months after the end date when a person's data is erased
    RETENTION_MONTHS = 12
    #: an erasure confirmed by an admin runs this many hours later; until then it can be cancelled
    ERASURE_GRACE_HOURS = 24.0
    #: what someone typed in a form refused for an expired session is kept this many minutes
    KEPT_FORM_MINUTES = 60
    #: a Server-Timing header on every response: time in the app and in SQL (ms), no data
    SERVER_TIMING = True
    #: mandatory training: a valid course turns "expiring" this many days before it ends
    TRAINING_WINDOW_DAYS = 60
    #: reminders go out this many days before a training deadline (0 = on the day)
    TRAINING_REMINDER_DAYS = (90, 30, 0)
    #: certificates of training records: the largest file accepted, and where they are kept
    #: (outside the web root; default instance/certificates)
    TRAINING_FILE_MAX_BYTES = 5 * 1024 * 1024
    TRAINING_FILES_DIR = None
    #: bulk imports (CSV/XLSX): the largest file (bytes) and the most data rows read
    IMPORT_MAX_BYTES = 10 * 1024 * 1024
    IMPORT_MAX_ROWS = 300_000
    #: where an upload waits between the preview and the confirmation (instance/imports)
    IMPORT_DIR = None
    #: the full export's files (per organisation) and how long they are kept
    EXPORT_DIR = None  # filled with instance/exports
    EXPORT_KEEP_HOURS = 24
    #: single sign-on with OpenID Connect: all three set turn on the "Sign in with ..."
    #: button; the provider's endpoints come from <issuer>/.well-known/openid-configuration
    OIDC_ISSUER = None
    OIDC_CLIENT_ID = None
    OIDC_CLIENT_SECRET = None
    #: the name on the button ("Microsoft 365"); by default the issuer's host
    OIDC_PROVIDER_NAME = ""
    OIDC_SCOPE = "openid email profile"
    OIDC_TIMEOUT = 10  # seconds for each call to the provider
    #: a person added by an admin, without an account yet, gets one (employee role) at
    #: their first single sign-on; False: only existing accounts may use it
    OIDC_CREATE_ACCOUNTS = True
    #: every account linked to the provider signs in only through it (no password, no
    #: reset); without it, an admin turns passwords off account by account
    OIDC_SSO_ONLY = False


#: environment variable -> (config key, converter)
ENV_KEYS = {
    "SKILLMAP_DATABASE_URL": ("SQLALCHEMY_DATABASE_URI", str),
    "SKILLMAP_SECRET_KEY": ("SECRET_KEY", str),
    "SKILLMAP_ENV": ("ENV_NAME", str),
    "SKILLMAP_HTTPS": ("HTTPS", lambda v: v.lower() in {"1", "true", "yes", "on"}),
    "SKILLMAP_PRIVACY_MIN_GROUP": ("PRIVACY_MIN_GROUP", int),
    "SKILLMAP_ORGANISATION_NAME": ("ORGANISATION_NAME", str),
    "SKILLMAP_CONTROLLER_NAME": ("CONTROLLER_NAME", str),
    "SKILLMAP_CONTROLLER_ADDRESS": ("CONTROLLER_ADDRESS", str),
    "SKILLMAP_DPO_CONTACT": ("DPO_CONTACT", str),
    "SKILLMAP_QUEUE_URL": ("QUEUE_URL", str),
    "SKILLMAP_AUTO_RECOMPUTE_DELAY": ("AUTO_RECOMPUTE_DELAY", float),
    "SKILLMAP_REPORT_SNAPSHOT_DELAY": ("REPORT_SNAPSHOT_DELAY", float),
    "SKILLMAP_REPORT_SNAPSHOT_MAX_AGE": ("REPORT_SNAPSHOT_MAX_AGE", float),
    "SKILLMAP_JOB_HEARTBEAT": ("JOB_HEARTBEAT", float),
    "SKILLMAP_JOB_DEAD_AFTER": ("JOB_DEAD_AFTER", float),
    "SKILLMAP_BACKUP_DIR": ("BACKUP_DIR", str),
    "SKILLMAP_BACKUP_KEEP": ("BACKUP_KEEP", int),
    "SKILLMAP_PROXY_FIX": ("PROXY_FIX", lambda v: _proxies(v)),
    "SKILLMAP_SESSION_HOURS": ("SESSION_HOURS", float),
    "SKILLMAP_IDLE_MINUTES": ("IDLE_MINUTES", float),
    "SKILLMAP_LOGIN_FREE_FAILURES": ("LOGIN_FREE_FAILURES", int),
    "SKILLMAP_LOGIN_LOCK_MINUTES": ("LOGIN_LOCK_MINUTES", int),
    "SKILLMAP_MAIL_SERVER": ("MAIL_SERVER", str),
    "SKILLMAP_MAIL_PORT": ("MAIL_PORT", int),
    "SKILLMAP_MAIL_USERNAME": ("MAIL_USERNAME", str),
    "SKILLMAP_MAIL_PASSWORD": ("MAIL_PASSWORD", str),
    "SKILLMAP_MAIL_SECURITY": ("MAIL_SECURITY", lambda v: v.strip().lower()),
    "SKILLMAP_MAIL_SENDER": ("MAIL_SENDER", str),
    "SKILLMAP_MAIL_OUTBOX_DIR": ("MAIL_OUTBOX_DIR", str),
    "SKILLMAP_BASE_URL": ("BASE_URL", str),
    "SKILLMAP_RETENTION_MONTHS": ("RETENTION_MONTHS", int),
    "SKILLMAP_TRAINING_WINDOW_DAYS": ("TRAINING_WINDOW_DAYS", int),
    "SKILLMAP_TRAINING_REMINDER_DAYS": (
        "TRAINING_REMINDER_DAYS", lambda v: tuple(int(x) for x in v.split(",") if x.strip())),
    "SKILLMAP_TRAINING_FILES_DIR": ("TRAINING_FILES_DIR", str),
    "SKILLMAP_IMPORT_MAX_BYTES": ("IMPORT_MAX_BYTES", int),
    "SKILLMAP_IMPORT_MAX_ROWS": ("IMPORT_MAX_ROWS", int),
    "SKILLMAP_EXPORT_DIR": ("EXPORT_DIR", str),
    "SKILLMAP_EXPORT_KEEP_HOURS": ("EXPORT_KEEP_HOURS", float),
    "SKILLMAP_OIDC_ISSUER": ("OIDC_ISSUER", str),
    "SKILLMAP_OIDC_CLIENT_ID": ("OIDC_CLIENT_ID", str),
    "SKILLMAP_OIDC_CLIENT_SECRET": ("OIDC_CLIENT_SECRET", str),
    "SKILLMAP_OIDC_PROVIDER_NAME": ("OIDC_PROVIDER_NAME", str),
    "SKILLMAP_OIDC_CREATE_ACCOUNTS": ("OIDC_CREATE_ACCOUNTS", lambda v: _yes(v)),
    "SKILLMAP_OIDC_SSO_ONLY": ("OIDC_SSO_ONLY", lambda v: _yes(v)),
    "SKILLMAP_ERASURE_GRACE_HOURS": ("ERASURE_GRACE_HOURS", float),
    "SKILLMAP_KEPT_FORM_MINUTES": ("KEPT_FORM_MINUTES", int),
}


def _yes(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _proxies(value: str) -> int:
    """``SKILLMAP_PROXY_FIX``: a number of proxies, or yes/no for one or none."""
    value = value.strip().lower()
    if value in {"true", "yes", "on"}:
        return 1
    if value in {"false", "no", "off"}:
        return 0
    return int(value)


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
