"""What is unsafe in the running configuration (``flask --app skillmap check-config``).

Each check returns a sentence in plain words saying what is wrong and what to
do; an empty list means nothing unsafe was found.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass

from flask import Flask

from skillmap import config as cfg


@dataclass(frozen=True)
class Problem:
    key: str
    message: str


def workers(environ) -> int:
    """Web server processes, from gunicorn's WEB_CONCURRENCY or GUNICORN_CMD_ARGS (default 1)."""
    if str(environ.get("WEB_CONCURRENCY", "")).strip().isdigit():
        return int(environ["WEB_CONCURRENCY"])
    found = re.search(r"(?:--workers[= ]|-w ?)(\d+)", environ.get("GUNICORN_CMD_ARGS", ""))
    return int(found.group(1)) if found else 1


def _journal_mode(db) -> str:
    with db.engine.connect() as conn:
        return str(conn.exec_driver_sql("PRAGMA journal_mode").scalar() or "").lower()


def check(app: Flask, db, environ=None) -> list[Problem]:
    """Every unsafe setting of ``app`` (in its app context)."""
    from skillmap.services import backup

    environ = os.environ if environ is None else environ
    c = app.config
    production = str(c.get("ENV_NAME", "")).lower() == "production"
    out: list[Problem] = []
    secret = str(c.get("SECRET_KEY") or "")
    if not secret or secret == cfg.DEV_SECRET or len(secret) < 16:
        out.append(Problem("secret_key", (
            "The secret key is the built-in development one (or too short): anyone who knows "
            "it can forge sign-ins. Set SKILLMAP_SECRET_KEY to a long random value, e.g. "
            "python -c 'import secrets; print(secrets.token_urlsafe(48))'.")))
    if production and not c.get("HTTPS"):
        out.append(Problem("https", (
            "HTTPS is off in production: passwords and session cookies would travel in clear. "
            "Serve SkillMap behind TLS and set SKILLMAP_HTTPS=1.")))
    uri = str(c.get("SQLALCHEMY_DATABASE_URI") or "")
    n = workers(environ)
    if production and uri.startswith("sqlite") and n > 1 and _journal_mode(db) != "wal":
        out.append(Problem("sqlite_wal", (
            f"Production uses a SQLite file with {n} web workers but without write-ahead "
            "logging (WAL): workers would block each other and could fail with 'database is "
            "locked'. Put the database on a local disk that supports WAL, use one worker, "
            "or move to PostgreSQL.")))
    if app.debug or str(environ.get("FLASK_DEBUG", "")).lower() in {"1", "true", "yes", "on"}:
        out.append(Problem("debug", (
            "Debug mode is on: an error page would show code and let a visitor run commands. "
            "Unset FLASK_DEBUG and do not start with --debug.")))
    if not (c.get("MAIL_SERVER") or c.get("SKILLMAP_MAIL_SERVER")
            or environ.get("SKILLMAP_MAIL_SERVER")):
        out.append(Problem("mail", (
            "No mail server is configured: SkillMap cannot send password resets or notices. "
            "Set SKILLMAP_MAIL_SERVER (and its account).")))
    out.extend(_sso_problems(c, production))
    status = backup.backup_status()
    if status.stale:
        when = (f"the last good one was made {status.time:%Y-%m-%d %H:%M} UTC"
                if status.time else "there has never been a good one")
        out.append(Problem("backup", (
            f"No backup in the last 24 hours ({when}). Start the queue consumer that makes "
            "the daily backup, or run flask --app skillmap backup.")))
    return out


def _sso_problems(c, production: bool) -> list[Problem]:
    """Single sign-on: all three settings or none; over HTTPS in production."""
    keys = ("OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET")
    given = [k for k in keys if c.get(k)]
    if given and len(given) < len(keys):
        missing = ", ".join(f"SKILLMAP_{k}" for k in keys if k not in given)
        return [Problem("sso", (
            f"Single sign-on is half configured: {missing} is missing, so the 'Sign in with' "
            "button is not shown. Set SKILLMAP_OIDC_ISSUER, SKILLMAP_OIDC_CLIENT_ID and "
            "SKILLMAP_OIDC_CLIENT_SECRET together (from the provider's app registration), "
            "or none of them."))]
    if given and production and not str(c["OIDC_ISSUER"]).startswith("https://"):
        return [Problem("sso", (
            "The single sign-on issuer SKILLMAP_OIDC_ISSUER is not an https:// address: "
            "the provider's keys and tokens would travel in clear. Use the https issuer the "
            "provider publishes (e.g. https://login.microsoftonline.com/<tenant>/v2.0)."))]
    return []


__all__ = ["Problem", "check", "workers"]
