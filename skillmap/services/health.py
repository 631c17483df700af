"""Health checks behind ``/healthz``: is this installation able to serve its users?

Each check is a function with no arguments that returns ``(ok, detail)``: ``ok`` says
whether the part works, ``detail`` is a small JSON-ready dict with figures for the operator
(never personal data, never raw error messages, which may name hosts and users: those go
to the log). Register one with the decorator, in the module that owns the part::

    from skillmap.services import health

    @health.check("queue")
    def queue_reachable() -> tuple[bool, dict]:
        ...
        return True, {"pending": 3}

A check that raises counts as failed. Checks must only read, and must answer within
seconds even when what they probe is down: the database ones use a connection of their
own with ``HEALTH_TIMEOUT`` seconds to connect and to run a statement.
"""
from __future__ import annotations

import os
import time
from contextlib import contextmanager
from typing import Callable, Iterator

import sqlalchemy as sa
from flask import current_app

CheckResult = tuple[bool, dict]

#: name -> check, in the order they were registered (the JSON keeps that order)
CHECKS: dict[str, Callable[[], CheckResult]] = {}
#: name -> the checks it needs: when one of those failed it is not run (and fails)
NEEDS: dict[str, tuple[str, ...]] = {}


def check(name: str, needs: tuple[str, ...] = ()):
    """Register ``fn`` as the health check called ``name`` (a later one replaces it).

    ``needs`` names earlier checks; when one of them fails this one is reported failed
    without running, so a database that hangs costs one timeout, not one per check.
    """
    def register(fn: Callable[[], CheckResult]) -> Callable[[], CheckResult]:
        CHECKS[name] = fn
        NEEDS[name] = tuple(needs)
        return fn
    return register


def run_checks() -> dict:
    """Run every check: ``{"status": "ok"|"fail", "checks": {name: {"status": ..., ...}}}``."""
    results = {}
    for name, fn in CHECKS.items():
        started = time.monotonic()
        failed = [n for n in NEEDS.get(name, ()) if results.get(n, {}).get("status") != "ok"]
        if failed:
            results[name] = {"status": "fail", "needs": failed, "ms": 0}
            continue
        try:
            ok, detail = fn()
        except Exception as exc:  # noqa: BLE001 - a failing probe is an answer, not a 500
            current_app.logger.warning("health check %r failed: %s", name, exc)
            ok, detail = False, {"error": type(exc).__name__}
        results[name] = {"status": "ok" if ok else "fail", **detail,
                         "ms": round((time.monotonic() - started) * 1000)}
    healthy = all(r["status"] == "ok" for r in results.values())
    return {"status": "ok" if healthy else "fail", "checks": results}


class DatabaseFileMissing(RuntimeError):
    """The SQLite file is not there (opening it would create an empty one)."""


@contextmanager
def probe_connection() -> Iterator[sa.Connection]:
    """A read-only connection of its own with short timeouts.

    It does not come from the app's pool, so a pool held by hung requests cannot hang the
    check too; PostgreSQL gets ``connect_timeout`` and a ``statement_timeout``, SQLite a
    short busy timeout instead of the app's 15 s, and a missing SQLite file is reported
    rather than created.
    """
    from skillmap.extensions import db

    timeout = int(current_app.config["HEALTH_TIMEOUT"])
    url = db.engine.url  # as the app uses it: a relative SQLite path is in instance/
    connect_args: dict = {}
    if url.get_backend_name() == "sqlite":
        path = url.database or ""
        if path in ("", ":memory:") or path.startswith("file:"):  # nothing on disk to probe
            with db.engine.connect() as conn:
                yield conn
            return
        if not os.path.exists(path):
            raise DatabaseFileMissing(path)
        connect_args = {"timeout": timeout}
    elif url.get_backend_name() == "postgresql":
        connect_args = {"connect_timeout": timeout,
                        "options": f"-c statement_timeout={timeout * 1000}"
                                   " -c default_transaction_read_only=on"}
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool, connect_args=connect_args)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


@check("database")
def database_reachable() -> CheckResult:
    """The database answers ``SELECT 1``."""
    with probe_connection() as conn:
        conn.execute(sa.text("SELECT 1"))
    return True, {}


@check("migrations")
def migrations_at_head() -> CheckResult:
    """The revision stamped in the database is the head of ``migrations/``."""
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    config = current_app.extensions["migrate"].migrate.get_config()
    heads = sorted(ScriptDirectory.from_config(config).get_heads())
    with probe_connection() as conn:
        current = sorted(MigrationContext.configure(conn).get_current_heads())
    return current == heads, {"database": current, "head": heads}
