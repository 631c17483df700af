"""What every bulk import shares: the report of problems, the preview, the parked upload,
the all-or-nothing rule and the command's exit status.

An import (see docs/IMPORTS.md) is a small class with

* ``columns``: column key -> header names (Italian, English), ``required``: keys;
* ``validate(table, ...) -> Plan``: reads the database (never writes), fills
  ``plan.report`` (:class:`Report`) and ``plan.preview`` (:class:`PreviewLine` list);
* ``apply(plan, only_valid=...) -> dict``: writes with flush only; the view or the
  command commits once, so a failure (or a cancelled import) leaves nothing behind.

:func:`skillmap.cli.run_import` is the body of an import command (exit status 0
imported, 1 invalid, 2 unreadable); :func:`park` / :func:`unpark` keep an upload between the
preview and the confirmation (a file in ``IMPORT_DIR``, owned by one user, kept
at most ``PARK_HOURS``).
"""
from __future__ import annotations

import operator
import os
import secrets
import time
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from skillmap.services.tabular import Table, looks_like_formula

__all__ = ["EXIT_IMPORTED", "EXIT_INVALID", "EXIT_UNREADABLE", "Plan", "PreviewLine",
           "Problem", "Report", "bulk_insert", "check_columns", "check_formulas", "discard", "park",
           "unpark"]

EXIT_IMPORTED, EXIT_INVALID, EXIT_UNREADABLE = 0, 1, 2
#: problems listed in full; beyond this the report says how many more there are
SHOW_PROBLEMS = 500
PARK_HOURS = 2


@dataclass(frozen=True)
class Problem:
    """One reason a row (or the whole file, ``row`` None) cannot be imported."""

    row: int | None
    column: str | None
    message: str


@dataclass
class Report:
    """Every problem found, with the rows they make invalid."""

    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    #: a problem of the whole file (missing column, empty file): no row can be imported
    fatal: bool = False
    _bad: set = field(default_factory=set)

    def add(self, row: int | None, column: str | None, message) -> None:
        self.problems.append(Problem(row, column, str(message)))
        if row is None:
            self.fatal = True
        else:
            self._bad.add(row)

    def is_bad(self, row: int) -> bool:
        return self.fatal or row in self._bad

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def bad_rows(self) -> int:
        return self.rows if self.fatal else len(self._bad)

    @property
    def good_rows(self) -> int:
        return self.rows - self.bad_rows

    def sorted(self) -> list[Problem]:
        return sorted(self.problems, key=lambda p: (p.row is not None, p.row or 0))

    def shown(self) -> list[Problem]:
        return self.sorted()[:SHOW_PROBLEMS]

    def text(self) -> str:
        """The report as plain text (the command prints it)."""
        from flask_babel import gettext as _

        lines = [_("%(rows)d rows read, %(bad)d with problems.", rows=self.rows,
                   bad=self.bad_rows)]
        if self.unknown_columns:
            lines.append(_("Columns ignored (not known to SkillMap): %(names)s",
                           names=", ".join(self.unknown_columns)))
        for p in self.sorted():
            where = [_("row %(n)d", n=p.row) if p.row else _("file")]
            if p.column:
                where.append(_("column %(name)s", name=p.column))
            lines.append(f"{', '.join(where)}: {p.message}")
        return "\n".join(lines)


@dataclass
class PreviewLine:
    """What an import will do to one kind of thing (people, skills of people, units...)."""

    label: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    #: a few names of what will be created (new units, new job titles)
    examples: list[str] = field(default_factory=list)


@dataclass
class Plan:
    """The outcome of validation; an import subclasses it to carry what it will write."""

    report: Report
    preview: list[PreviewLine] = field(default_factory=list)
    filename: str = ""


class _DefaultContext:
    """What a Python-side default that takes a context argument is given: the row being
    inserted, as SQLAlchemy's execution context offers it."""

    __slots__ = ("current_parameters",)

    def __init__(self, row: dict):
        self.current_parameters = row

    def get_current_parameters(self, isolate_multiinsert_groups: bool = True) -> dict:
        return self.current_parameters


def _python_defaults(table, named) -> tuple[dict, list]:
    """The columns of ``table`` not in ``named`` that have a Python-side default: the scalar
    ones (key -> value) and the callable ones ((key, function of a context) list). SQL
    expression and server defaults are the database's business and stay out."""
    scalars, callables = {}, []
    for column in table.columns:
        default = column.default
        if column.key in named or default is None:
            continue
        if default.is_scalar:
            scalars[column.key] = default.arg
        elif default.is_callable:
            # SQLAlchemy wraps a function without arguments so that it takes the context
            callables.append((column.key, default.arg))
    return scalars, callables


def bulk_insert(table, rows: list[dict]) -> None:
    """INSERT ``rows`` (dicts with the same keys) into ``table`` with one DB-API
    ``executemany`` in the session's transaction (flushed, never committed).

    About three times faster than ``session.execute(insert(table), rows)`` for 200,000
    rows: the statement is compiled once and each column's bind processor (SQLite's
    datetime to text, for one) runs once per distinct value instead of SQLAlchemy
    building every parameter set. The data versions are told, as for any bulk write.

    As with an ORM insert, a column the rows do not name gets its Python-side default
    (``default=`` on the model: a value, or a function called once per row, given the
    row's context when it takes one); SQL and server defaults are left to the database.
    """
    from skillmap.extensions import db
    from skillmap.services import versions

    if not rows:
        return
    session = db.session()
    conn = session.connection()
    dialect = conn.dialect
    scalars, callables = _python_defaults(table, rows[0])
    if scalars or callables:
        filled = []
        for row in rows:
            row = {**row, **scalars}
            if callables:
                ctx = _DefaultContext(row)
                for key, fn in callables:
                    row[key] = fn(ctx)
            filled.append(row)
        rows = filled
    keys = list(rows[0])
    compiled = sa.insert(table).compile(dialect=dialect, column_keys=keys)
    order = list(compiled.positiontup) if compiled.positional else keys
    fix = []  # (position, processor, memo) of the columns whose values need converting
    for i, key in enumerate(order):
        proc = table.c[key].type.dialect_impl(dialect).bind_processor(dialect)
        if proc is not None:
            fix.append((i, proc, {}))
    getter = operator.itemgetter(*order)
    params = []
    for row in rows:
        values = getter(row)
        values = list(values) if len(order) > 1 else [values]
        for i, proc, memo in fix:
            v = values[i]
            if v is not None:
                try:
                    values[i] = memo[v]
                except KeyError:
                    values[i] = memo[v] = proc(v)
        params.append(tuple(values) if compiled.positional else dict(zip(order, values)))
    conn.exec_driver_sql(str(compiled), params)
    versions.changed_by_bulk(session)


def check_columns(table: Table, report: Report, required: dict[str, str]) -> None:
    """A problem of the file for each required column (key -> the name to show) absent,
    and the unknown columns named in the report."""
    report.rows = len(table.rows)
    report.unknown_columns = list(table.unknown)
    for key, name in required.items():
        if key not in table.columns:
            report.add(None, name, _l("The required column is missing."))
    for name in table.duplicates:
        report.add(None, name, _l("The column appears twice; only the first one is read."))
    if not table.rows:
        report.add(None, None, _l("The file has a header but no data rows."))


def check_formulas(table: Table, report: Report) -> None:
    """A problem for every cell that a spreadsheet would run as a formula (a signed
    number such as ``-1`` is a number, not a formula: its column validates it)."""
    msg = _l("The value looks like a spreadsheet formula (it starts with = + - or @); "
             "enter the value itself.")
    for row in table.rows:
        for key, value in row.values.items():
            if value and looks_like_formula(value):
                report.add(row.number, table.label(key), msg)


# ------------------------------------------------------------------ the upload between steps

def _dir() -> str:
    path = current_app.config.get("IMPORT_DIR") or os.path.join(current_app.instance_path,
                                                                 "imports")
    os.makedirs(path, mode=0o700, exist_ok=True)
    return path


def _purge(folder: str) -> None:
    limit = time.time() - PARK_HOURS * 3600
    for name in os.listdir(folder):
        full = os.path.join(folder, name)
        try:
            if os.path.getmtime(full) < limit:
                os.remove(full)
        except OSError:
            pass


def park(data: bytes, filename: str, user_id: int) -> str:
    """Keep an uploaded file until the admin confirms; returns its token."""
    folder = _dir()
    _purge(folder)
    token = secrets.token_urlsafe(18)
    safe = os.path.basename(filename or "file")[:150].replace("\n", " ")
    with open(os.path.join(folder, f"{user_id}-{token}"), "wb") as fh:
        fh.write(safe.encode("utf-8") + b"\n" + data)
    return token


def _path(token: str, user_id: int) -> str | None:
    if not token or not all(c.isalnum() or c in "-_" for c in token) or len(token) > 40:
        return None
    return os.path.join(_dir(), f"{user_id}-{token}")


def unpark(token: str, user_id: int) -> tuple[bytes, str] | None:
    """The parked file (bytes, name) of this user, or None when gone or not theirs."""
    path = _path(token, user_id)
    if path is None or not os.path.exists(path):
        return None
    with open(path, "rb") as fh:
        name, _, data = fh.read().partition(b"\n")
    return data, name.decode("utf-8", "replace")


def discard(token: str, user_id: int) -> None:
    path = _path(token, user_id)
    if path and os.path.exists(path):
        os.remove(path)
