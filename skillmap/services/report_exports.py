"""Reports out of the app: CSV and XLSX, with formula-like text escaped.

Spreadsheet programs run a cell that starts with ``= + - @`` (or a tab or
carriage return) as a formula; a skill or unit name such as ``=HYPERLINK(...)``
must stay text, so such strings get a leading apostrophe.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

__all__ = ["Table", "escape_formula", "to_csv", "to_xlsx"]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Table:
    """One table of a report: what the page shows and what a sheet holds.

    ``data`` holds display columns (already localised headers); ``hidden`` is
    a bool mask of the same shape for small groups (shown as the hidden label).
    """

    key: str
    title: str
    data: pd.DataFrame
    hidden: pd.DataFrame | None = None
    notes: list[str] = field(default_factory=list)

    def frame(self, mark: str | None = None) -> pd.DataFrame:
        """The table as published: hidden cells replaced by ``mark`` (by default the word
        of :func:`skillmap.services.suppression.hidden_label`)."""
        if mark is None:
            from skillmap.services.suppression import hidden_label

            mark = hidden_label()
        out = self.data.astype(object).copy()
        if self.hidden is not None:
            mask = self.hidden.reindex(index=out.index, columns=out.columns, fill_value=False)
            out = out.mask(mask.astype(bool), mark)
        return out.where(out.notna(), "")


def escape_formula(value):
    """``'=1+1`` for ``=1+1``; numbers and other text unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _escaped(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    out.columns = [escape_formula(str(c)) for c in out.columns]
    for col in out.columns:
        if out[col].dtype == object:
            out[col] = out[col].map(escape_formula)
    return out


def to_csv(title: str, computed_at: datetime, tables: list[Table], info: list[tuple], *,
           sep: str = ",", decimal: str = ".") -> bytes:
    """All tables one after the other, each under its title; UTF-8 with BOM for Excel.

    ``sep`` and ``decimal`` follow the reader's spreadsheet: Italian Excel wants ``;``
    between columns and ``,`` as the decimal mark.
    """
    buf = io.StringIO()
    opts = {"sep": sep, "decimal": decimal, "lineterminator": "\r\n", "index": False}
    head = pd.DataFrame([(escape_formula(k), escape_formula(str(v))) for k, v in
                         [(title, ""), *info]])
    head.to_csv(buf, header=False, **opts)
    for table in tables:
        buf.write("\r\n")
        pd.DataFrame([[escape_formula(table.title)]]).to_csv(buf, header=False, **opts)
        _escaped(table.frame()).to_csv(buf, **opts)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _sheet_name(key: str, used: set) -> str:
    name = "".join(ch for ch in key if ch not in "[]:*?/\\")[:31] or "Sheet"
    base, n = name, 2
    while name in used:
        name = f"{base[:28]}-{n}"
        n += 1
    used.add(name)
    return name


def to_xlsx(title: str, computed_at: datetime, tables: list[Table], info: list[tuple],
            info_sheet: str = "Info") -> bytes:
    """One sheet per table (frozen header row, readable widths) and an info sheet."""
    from openpyxl.styles import Font

    buf = io.BytesIO()
    used: set = set()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        about = pd.DataFrame([(escape_formula(str(k)), escape_formula(str(v)))
                              for k, v in info], columns=[escape_formula(title), ""])
        sheets = [(_sheet_name(info_sheet, used), about)]
        sheets += [(_sheet_name(t.key, used), _escaped(t.frame())) for t in tables]
        for name, df in sheets:
            df.to_excel(writer, sheet_name=name, index=False)
            ws = writer.sheets[name]
            ws.freeze_panes = "A2"
            for cell in ws[1]:
                cell.font = Font(bold=True)
            for i, col in enumerate(df.columns, start=1):
                longest = max([len(str(col))] + [len(str(v)) for v in df.iloc[:, i - 1].head(500)])
                ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = \
                    min(60, max(8, longest + 2))
    return buf.getvalue()
