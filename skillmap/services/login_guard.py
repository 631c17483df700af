"""Throttling password guessing: per account and per address, in the shared database.

Every POST to the sign-in form leaves a :class:`~skillmap.models.LoginAttempt` row, so all
workers of all servers count the same failures (and admins can read them). After
``LOGIN_FREE_FAILURES`` failures on one e-mail since its last success (within a day), each
further attempt must wait 30 s, then 1, 2, 4, 8 minutes, up to ``LOGIN_LOCK_MINUTES``: the
lock. One address gets ``LOGIN_ADDRESS_FREE_FAILURES`` failures an hour before the same
back-off applies to it. The e-mail is counted whether or not an account has it, so a lock
says nothing about which accounts exist.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from flask import current_app

from skillmap.extensions import db
from skillmap.models import LoginAttempt
from skillmap.models.base import utcnow

FIRST_WAIT = 30  # seconds, doubled at each further failure up to the lock
ACCOUNT_WINDOW = timedelta(days=1)
ADDRESS_WINDOW = timedelta(hours=1)
KEEP = timedelta(days=90)
EMAIL_MAX = 254
ADDRESS_MAX = 64


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:  # SQLite returns naive UTC
        return value.replace(tzinfo=timezone.utc)
    return value


def backoff(failures: int, free: int, lock_seconds: int) -> int:
    """Seconds to wait after ``failures`` failures when ``free`` of them cost nothing.

    >>> [backoff(n, 5, 900) for n in (4, 5, 6, 7, 9, 10, 40)]
    [0, 30, 60, 120, 480, 900, 900]
    """
    if failures < free:
        return 0
    return min(lock_seconds, FIRST_WAIT * 2 ** min(failures - free, 20))


def _failures(column, value: str, since: datetime) -> tuple[int, datetime | None]:
    row = db.session.execute(
        sa.select(sa.func.count(LoginAttempt.id), sa.func.max(LoginAttempt.at))
        .where(column == value, LoginAttempt.outcome == "failed", LoginAttempt.at > since)).one()
    return row[0], _aware(row[1])


def _last_success(email: str) -> datetime | None:
    return _aware(db.session.scalar(sa.select(sa.func.max(LoginAttempt.at)).where(
        LoginAttempt.email == email, LoginAttempt.outcome == "ok")))


@dataclass(frozen=True)
class Standing:
    """How long ``email`` from ``address`` must still wait (0: may try now)."""

    wait_seconds: int
    account_failures: int
    address_failures: int


def standing(email: str, address: str, now: datetime | None = None) -> Standing:
    now = now or utcnow()
    cfg = current_app.config
    lock = int(cfg["LOGIN_LOCK_MINUTES"]) * 60
    email, address = email[:EMAIL_MAX], address[:ADDRESS_MAX]
    since = now - ACCOUNT_WINDOW
    last_ok = _last_success(email)
    if last_ok is not None and last_ok > since:
        since = last_ok
    n_acc, last_acc = _failures(LoginAttempt.email, email, since)
    n_addr, last_addr = _failures(LoginAttempt.address, address, now - ADDRESS_WINDOW)
    wait = 0
    if last_acc is not None:
        until = last_acc + timedelta(seconds=backoff(n_acc, int(cfg["LOGIN_FREE_FAILURES"]), lock))
        wait = max(wait, (until - now).total_seconds())
    if last_addr is not None:
        until = last_addr + timedelta(
            seconds=backoff(n_addr, int(cfg["LOGIN_ADDRESS_FREE_FAILURES"]), lock))
        wait = max(wait, (until - now).total_seconds())
    return Standing(int(wait + 0.999), n_acc, n_addr)


def record(email: str, address: str, outcome: str, organisation_id: int | None) -> None:
    """Add an attempt (the caller commits); failures are also written to the log."""
    db.session.add(LoginAttempt(email=email[:EMAIL_MAX], address=address[:ADDRESS_MAX],
                                outcome=outcome, organisation_id=organisation_id))
    if outcome != "ok":
        current_app.logger.warning("sign-in %s for %r from %s", outcome, email[:EMAIL_MAX],
                                   address[:ADDRESS_MAX])
        db.session.execute(sa.delete(LoginAttempt).where(LoginAttempt.at < utcnow() - KEEP))
    db.session.flush()


def recent(organisation_id: int, days: int = 7, limit: int = 200) -> list[LoginAttempt]:
    """The organisation's failed and refused sign-ins of the last ``days``, newest first."""
    return list(db.session.scalars(
        sa.select(LoginAttempt).where(
            LoginAttempt.organisation_id == organisation_id,
            LoginAttempt.outcome != "ok",
            LoginAttempt.at > utcnow() - timedelta(days=days))
        .order_by(LoginAttempt.at.desc(), LoginAttempt.id.desc()).limit(limit)))


def locked_accounts(organisation_id: int) -> list[tuple[str, int]]:
    """(e-mail, seconds still to wait) for the organisation's accounts that must wait now."""
    now = utcnow()
    emails = db.session.scalars(sa.select(LoginAttempt.email).distinct().where(
        LoginAttempt.organisation_id == organisation_id, LoginAttempt.outcome == "failed",
        LoginAttempt.at > now - ACCOUNT_WINDOW)).all()
    out = []
    for email in sorted(emails):
        wait = standing(email, "", now).wait_seconds
        if wait > 0:
            out.append((email, wait))
    return out
