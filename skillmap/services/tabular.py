"""Reading an uploaded table (CSV or XLSX) safely into rows of text, keyed by column.

Every bulk import (people and skills, training records, the ESCO taxonomy) starts
here; the import then validates the rows (:mod:`skillmap.services.importing`).

* CSV: UTF-8 with or without BOM, else Windows-1252 (what Italian Excel writes);
  the separator (``;``, ``,`` or tab) is the one the header line uses most;
  quoted fields may hold separators and newlines.
* XLSX: opened with openpyxl ``read_only=True, data_only=True`` (a formula is read
  as the value Excel saved with it, never evaluated), XML parsed through defusedxml
  (openpyxl uses it when installed), and the zip archive checked first: too many
  entries or a total expanded size beyond the limit is refused before openpyxl
  sees it. ``zipfile`` stops each entry at its declared size, so a lying header
  cannot expand further.
* Headers are matched to the caller's columns with :func:`fold_header` (case,
  spaces, underscores, hyphens and accents ignored); columns the caller does not
  know are kept by name in :attr:`Table.unknown` so the report can name them.
* Limits: bytes (``max_bytes``) and data rows (``max_rows``); a breach raises
  :class:`TabularError` at once.

Row numbers are the ones a spreadsheet shows: the header is row 1 (or the row it
is found on) and a CSV record with a newline inside a quoted field still counts as
one row. Rows whose cells are all empty are skipped (their numbers too).

>>> t = read_table(b"E-mail;Nome\\nanna@x.it;Anna\\n", "p.csv",
...                columns={"email": ("email",), "first_name": ("nome", "first name")})
>>> t.columns, [(r.number, r.values) for r in t.rows]
(['email', 'first_name'], [(2, {'email': 'anna@x.it', 'first_name': 'Anna'})])
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Iterable, Iterator, Mapping

from flask_babel import lazy_gettext as _l

__all__ = ["Row", "Table", "TabularError", "fold_header", "looks_like_formula", "read_path",
           "read_table", "MAX_BYTES", "MAX_ROWS", "MAX_ZIP_ENTRIES", "MAX_UNZIPPED"]

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 300_000
#: an XLSX workbook has a dozen entries; thousands mean a crafted archive
MAX_ZIP_ENTRIES = 1000
#: the total expanded size of an XLSX archive (a 300,000-row sheet is about 60 MB of XML)
MAX_UNZIPPED = 300 * 1024 * 1024

_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?%?$")


class TabularError(Exception):
    """The file cannot be read as a table; ``reason`` is a code, :meth:`message` the words."""

    MESSAGES = {
        "too_large": _l("The file is larger than %(limit)s MB. Split it into smaller files."),
        "too_many_rows": _l("The file has more than %(limit)s rows. Split it into smaller "
                            "files."),
        "empty": _l("The file is empty: it has no header row or no data rows."),
        "no_header": _l("The file has no header row."),
        "encoding": _l("The file is neither UTF-8 nor Windows-1252 text. Save it as CSV UTF-8 "
                       "or as an Excel workbook (.xlsx)."),
        "binary": _l("The file is not a CSV text file nor an Excel workbook (.xlsx)."),
        "xls": _l("Old Excel files (.xls) are not read. Save the file as an Excel workbook "
                  "(.xlsx) or as CSV."),
        "bad_xlsx": _l("The Excel file cannot be read: it is damaged or not an .xlsx "
                       "workbook."),
        "zip_entries": _l("The Excel file holds too many parts (%(n)s, at most %(limit)s): it "
                          "is refused for safety."),
        "zip_size": _l("The Excel file would expand to more than %(limit)s MB: it is refused "
                       "for safety."),
        "bad_csv": _l("The CSV file cannot be read: %(detail)s."),
        "wrong_sheet": _l("The sheet \"%(sheet)s\" has none of the expected columns. Name the "
                          "sheet with the data %(wanted)s, or put it first. Sheets in the "
                          "file: %(sheets)s."),
        "unreadable": _l("The file cannot be read: %(detail)s."),
    }

    def __init__(self, reason: str, **params):
        super().__init__(reason if not params else f"{reason} {params}")
        self.reason, self.params = reason, params

    def message(self) -> str:
        """The reason in the current language."""
        template = self.MESSAGES.get(self.reason, self.MESSAGES["unreadable"])
        params = {"detail": "", **self.params}
        return str(template) % params


@dataclass
class Row:
    #: the row number a spreadsheet shows (header = 1)
    number: int
    #: column key -> text (stripped; "" for an empty cell)
    values: dict[str, str]


@dataclass
class Table:
    #: the caller's column keys found in the header, in file order
    columns: list[str]
    rows: list[Row]
    #: header names in the file that match none of the caller's columns
    unknown: list[str] = field(default_factory=list)
    #: header names that repeat a column already found (the first one is read)
    duplicates: list[str] = field(default_factory=list)
    #: column key -> the header as written in the file (for the report)
    labels: dict[str, str] = field(default_factory=dict)
    #: "csv" or "xlsx"
    format: str = "csv"
    #: CSV: encoding and separator found; XLSX: the sheet read
    encoding: str = ""
    separator: str = ""
    sheet: str = ""

    def label(self, key: str) -> str:
        return self.labels.get(key, key)


def fold_header(text: str) -> str:
    """A header reduced to lower-case ASCII letters and digits: "Ultimo uso" -> "ultimouso"."""
    norm = unicodedata.normalize("NFKD", str(text or ""))
    plain = "".join(ch for ch in norm if not unicodedata.combining(ch)).lower()
    return "".join(ch for ch in plain if ch.isalnum())


def looks_like_formula(value: str) -> bool:
    """Whether a cell's text would run as a formula in a spreadsheet (=, +, -, @, tab, CR
    at the start); a number such as ``-1`` or ``+3`` is not a formula."""
    if not value or value[0] not in "=+-@\t\r":
        return False
    return not _NUMBER.match(value.strip())


# ------------------------------------------------------------------------------ reading

def read_path(path: str, *, columns: Mapping[str, Iterable[str]], **kw) -> Table:
    """:func:`read_table` of a file on disk (the size is checked before reading)."""
    import os

    limit = kw.get("max_bytes", MAX_BYTES)
    try:
        if os.path.getsize(path) > limit:
            raise TabularError("too_large", limit=_mb(limit))
        with open(path, "rb") as fh:
            data = fh.read(limit + 1)
    except OSError as exc:
        raise TabularError("unreadable", detail=exc.strerror or str(exc)) from exc
    return read_table(data, os.path.basename(path), columns=columns, **kw)


def read_table(data: bytes, filename: str, *, columns: Mapping[str, Iterable[str]],
               sheets: Iterable[str] = (), max_bytes: int = MAX_BYTES,
               max_rows: int = MAX_ROWS, max_zip_entries: int | None = None,
               max_unzipped: int | None = None) -> Table:
    """Read ``data`` (the bytes of ``filename``) as a table.

    Parameters
    ----------
    columns : mapping
        column key -> the header names that mean it (Italian and English); the key
        itself is accepted too. Matching ignores case, spaces, accents and punctuation.
    sheets : names of the XLSX sheet to read, in order of preference (else the first).
    max_bytes, max_rows, max_zip_entries, max_unzipped : the limits.

    Raises :class:`TabularError` for a file that is not a readable table.
    """
    if len(data) > max_bytes:
        raise TabularError("too_large", limit=_mb(max_bytes))
    if not data.strip():
        raise TabularError("empty")
    aliases = _aliases(columns)
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data, aliases, tuple(sheets), max_rows,
                          max_zip_entries or MAX_ZIP_ENTRIES, max_unzipped or MAX_UNZIPPED)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise TabularError("xls")
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise TabularError("bad_xlsx")
    return _read_csv(data, aliases, max_rows)


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:g}"


def _aliases(columns: Mapping[str, Iterable[str]]) -> dict[str, str]:
    out = {}
    for key, names in columns.items():
        for name in (key, *names):
            out.setdefault(fold_header(name), key)
    return out


def _table(records: Iterator[tuple[int, list]], aliases: dict[str, str], max_rows: int,
           fmt: str) -> Table:
    """Header (the first non-empty record) -> column keys, then the data rows."""
    for number, header in records:
        if any(_text(c) for c in header):
            break
    else:
        raise TabularError("empty")
    keys: list[str | None] = []
    table = Table(columns=[], rows=[], format=fmt)
    for cell in header:
        name = _text(cell)
        key = aliases.get(fold_header(name))
        if key is None:
            if name:
                table.unknown.append(name)
        elif key in table.labels:
            table.duplicates.append(name)
            key = None
        else:
            table.columns.append(key)
            table.labels[key] = name
        keys.append(key)
    wanted = [(i, k) for i, k in enumerate(keys) if k is not None]
    rows = table.rows
    for number, record in records:
        values = {k: (_text(record[i]) if i < len(record) else "") for i, k in wanted}
        if not any(values.values()) and not any(_text(c) for c in record):
            continue
        if len(rows) >= max_rows:
            raise TabularError("too_many_rows", limit=f"{max_rows:,}".replace(",", "."))
        rows.append(Row(number, values))
    return table


def _text(cell) -> str:
    if type(cell) is str:
        return cell.strip()
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "1" if cell else "0"
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else repr(cell)
    if isinstance(cell, datetime):
        return cell.date().isoformat() if not (cell.hour or cell.minute or cell.second) \
            else cell.isoformat(sep=" ")
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell).strip()


# ---------------------------------------------------------------------------------- CSV

def _decode(data: bytes) -> tuple[str, str]:
    if b"\x00" in data[:4096]:
        raise TabularError("binary")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise TabularError("encoding") from exc


def _separator(text: str) -> str:
    """The separator the header line uses most (outside quotes): ``;``, ``,`` or tab."""
    line, quoted = [], False
    for ch in text[:65536]:
        if ch == '"':
            quoted = not quoted
        elif ch in "\r\n" and not quoted:
            if "".join(line).strip():
                break
            line = []
            continue
        if not quoted:
            line.append(ch)
    head = "".join(line)
    counts = {sep: head.count(sep) for sep in (";", ",", "\t")}
    best = max(counts, key=lambda s: (counts[s], s == ";"))
    return best if counts[best] else ","


def _read_csv(data: bytes, aliases: dict[str, str], max_rows: int) -> Table:
    text, encoding = _decode(data)
    sep = _separator(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, quotechar='"',
                        doublequote=True, skipinitialspace=False, strict=False)

    def records():
        try:
            for i, rec in enumerate(reader, start=1):
                yield i, rec
        except csv.Error as exc:
            raise TabularError("bad_csv", detail=str(exc)) from exc

    table = _table(records(), aliases, max_rows, "csv")
    table.encoding, table.separator = encoding, sep
    return table


# --------------------------------------------------------------------------------- XLSX

def _check_zip(data: bytes, max_entries: int, max_unzipped: int) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise TabularError("bad_xlsx") from exc
    if len(infos) > max_entries:
        raise TabularError("zip_entries", n=len(infos), limit=max_entries)
    if sum(i.file_size for i in infos) > max_unzipped:
        raise TabularError("zip_size", limit=_mb(max_unzipped))


def _read_xlsx(data: bytes, aliases: dict[str, str], sheets: tuple[str, ...], max_rows: int,
               max_entries: int, max_unzipped: int) -> Table:
    import openpyxl
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML, "defusedxml must be installed to read XLSX files safely"
    _check_zip(data, max_entries, max_unzipped)
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged workbook
        raise TabularError("bad_xlsx") from exc
    try:
        names = list(wb.sheetnames)
        if not names:
            raise TabularError("empty")
        wanted = {fold_header(s) for s in sheets}
        chosen = next((n for n in names if fold_header(n) in wanted), names[0])
        ws = wb[chosen]
        wrong = TabularError("wrong_sheet", sheet=chosen, sheets=", ".join(names),
                             wanted=" / ".join(f'"{s}"' for s in sheets) or "-")
        guessed = fold_header(chosen) not in wanted and len(names) > 1
        try:
            records = ((i, list(rec)) for i, rec in
                       enumerate(ws.iter_rows(values_only=True), start=1))
            table = _table(records, aliases, max_rows, "xlsx")
        except TabularError as exc:
            if exc.reason == "empty" and guessed:
                raise wrong from exc
            raise
        except Exception as exc:
            raise TabularError("bad_xlsx") from exc
        if not table.columns and guessed:
            raise wrong
        table.sheet = chosen
        return table
    finally:
        wb.close()
