"""Server time of each request, told to the client in a ``Server-Timing`` header.

``Server-Timing: app;dur=12.3, db;dur=4.1;desc="9 queries"`` says how long the
application took to build the response (from the first ``before_request`` hook
to the last ``after_request`` hook, in milliseconds) and how much of it was
spent in SQL statements. Browsers show it in their developer tools and
``bench/bench_load.py`` reads it to tell time spent working from time spent
waiting for a worker. It carries durations and a count only, never data.
``SERVER_TIMING = False`` turns it off.
"""
from __future__ import annotations

import time

import sqlalchemy as sa
from flask import Flask, g, has_app_context

_START, _DB, _QUERIES, _CURSOR = "_timing_start", "_timing_db", "_timing_queries", "_timing_cursor"


def init_app(app: Flask) -> None:
    if not app.config.get("SERVER_TIMING", True):
        return
    from skillmap.extensions import db

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", _before_cursor)
    sa.event.listen(engine, "after_cursor_execute", _after_cursor)
    # the first hook before and the last one after: the other hooks count in the app time
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request_funcs.setdefault(None, []).insert(0, _header)  # run in reverse order


def _start() -> None:
    g.setdefault(_START, time.perf_counter())
    g.setdefault(_DB, 0.0)
    g.setdefault(_QUERIES, 0)


def _before_cursor(_conn, _cursor, _statement, _parameters, _context, _many) -> None:
    if has_app_context() and _START in g:
        g.setdefault(_CURSOR, []).append(time.perf_counter())


def _after_cursor(_conn, _cursor, _statement, _parameters, _context, _many) -> None:
    if has_app_context() and g.get(_CURSOR):
        setattr(g, _DB, g.get(_DB, 0.0) + time.perf_counter() - g.get(_CURSOR).pop())
        setattr(g, _QUERIES, g.get(_QUERIES, 0) + 1)


def _header(response):
    start = g.get(_START)
    if start is not None:
        total = (time.perf_counter() - start) * 1000
        response.headers["Server-Timing"] = (
            f'app;dur={total:.1f}, db;dur={g.get(_DB, 0.0) * 1000:.1f};'
            f'desc="{g.get(_QUERIES, 0)} queries"')
    return response
