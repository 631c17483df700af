"""Input that no view should see: ids beyond the database's integers, control characters.

* ``<int:...>`` in every URL accepts only 1 .. 2**31-1 (PostgreSQL's ``integer``): a longer
  id answers 404 instead of overflowing the database driver. A number that still reaches the
  database out of range (a query-string or form id) answers 404 too.
* Query strings and form fields with control characters (NUL and the other C0/C1 codes
  except tab, line feed and carriage return) are refused with a 400 page that says why.
"""
from __future__ import annotations

import re

from flask import Flask, render_template, request
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from sqlalchemy.exc import DataError

from skillmap.extensions import db

ID_MAX = 2**31 - 1
NUMERIC_OUT_OF_RANGE = "22003"
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class IdConverter(IntegerConverter):
    """``<int:x>`` limited to the ids a database row can have."""

    def __init__(self, map, fixed_digits=0, min=0, max=ID_MAX, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
        self.regex = r"\d{1,10}" if not signed else self.regex

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > ID_MAX:  # 10 digits yet too large: not a row, whatever the method
            raise NotFound()
        return super().to_python(value)


def db_id(value) -> int | None:
    """``value`` as a row id (1 .. 2**31-1), or None when it cannot be one."""
    try:
        number = int(str(value).strip()) if value is not None and len(str(value)) <= 12 else None
    except ValueError:
        return None
    return number if number is not None and 1 <= number <= ID_MAX else None


def has_control(text: str) -> bool:
    return bool(CONTROL.search(text))


def _refuse_control():
    sources = [request.args] + ([request.form] if request.method not in ("GET", "HEAD") else [])
    for source in sources:
        for key, values in source.lists():
            if has_control(key) or any(has_control(v) for v in values):
                return render_template("errors/400.html", control=True), 400
    return None


def install_converters(app: Flask) -> None:
    """Replace ``int`` before any blueprint adds its URL rules."""
    app.url_map.converters["int"] = IdConverter


def init_app(app: Flask) -> None:
    app.before_request(_refuse_control)

    @app.errorhandler(OverflowError)  # SQLite: a number beyond 64 bits
    def _overflow(_error):
        db.session.rollback()
        return render_template("errors/404.html"), 404

    @app.errorhandler(DataError)
    def _out_of_range(error):
        db.session.rollback()
        if getattr(error.orig, "sqlstate", None) == NUMERIC_OUT_OF_RANGE:  # PostgreSQL
            return render_template("errors/404.html"), 404
        raise error
