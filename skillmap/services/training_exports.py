"""The Scadenze tables as the page shows them and as CSV / XLSX (the reports' writer)."""
from __future__ import annotations

from datetime import datetime

import pandas as pd
from flask_babel import format_date
from flask_babel import gettext as _

from skillmap.services import report_exports
from skillmap.services.report_exports import Table
from skillmap.services.training_words import status_name

__all__ = ["deadline_tables", "export_body"]

COUNTED = ("expired", "expiring", "missing")


def _counts(rows: pd.DataFrame, by: str, label: str) -> pd.DataFrame:
    cols = [label, _("Expired"), _("Expiring"), _("Missing")]
    if rows.empty:
        return pd.DataFrame(columns=cols)
    table = (rows[rows["status"].isin(COUNTED)]
             .pivot_table(index=by, columns="status", values="person", aggfunc="count",
                          fill_value=0)
             .reindex(columns=list(COUNTED), fill_value=0))
    table.index = [i if i else _("No unit") for i in table.index]
    out = table.reset_index()
    out.columns = cols
    return out.sort_values(cols[1:], ascending=False, kind="stable").reset_index(drop=True)


def deadline_tables(rows: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """``by_unit`` and ``by_course``: expired / expiring / missing counts."""
    return {"by_unit": _counts(rows, "unit_name", _("Unit")),
            "by_course": _counts(rows, "course_name", _("Course"))}


def _detail(rows: pd.DataFrame) -> pd.DataFrame:
    def day(value):
        return format_date(value, "short") if value is not None and not pd.isna(value) else ""

    return pd.DataFrame({
        _("Person"): rows["name"], _("Unit"): rows["unit_name"], _("Course code"): rows["code"],
        _("Course"): rows["course_name"], _("Status"): [status_name(s) for s in rows["status"]],
        _("Required"): [_("yes") if r else _("no") for r in rows["required"]],
        _("Completed on"): [day(v) for v in rows["completed_on"]],
        _("Expires on"): [day(v) for v in rows["expires_on"]],
        _("Days left"): [("" if v is None or pd.isna(v) else int(v)) for v in rows["days_left"]],
        _("Hours of the next course"): rows["hours"],
    }) if not rows.empty else pd.DataFrame(columns=[_("Person"), _("Course"), _("Status")])


def _coverage(cover: pd.DataFrame) -> pd.DataFrame:
    if cover.empty:
        return pd.DataFrame(columns=[_("Unit"), _("Safety role"), _("Minimum")])
    return pd.DataFrame({
        _("Unit"): cover["unit_name"], _("Safety role"): cover["role_name"],
        _("Minimum"): cover["minimum"], _("Valid on the date"): cover["valid"],
        _("Still valid at the end of the window"): cover["valid_later"],
        _("Below the minimum"): [_("yes") if f else _("no") for f in cover["flagged"]],
        _("Single point of failure"): [_("yes") if v == 1 else _("no") for v in cover["valid"]],
        _("Who"): cover["holder_names"]})


def export_body(fmt: str, title: str, now: datetime, rows: pd.DataFrame, cover: pd.DataFrame,
                info: list[tuple], **kw) -> bytes:
    tabs = deadline_tables(rows)
    tables = [Table("deadlines", _("Deadlines"), _detail(rows)),
              Table("by-unit", _("By unit"), tabs["by_unit"]),
              Table("by-course", _("By course"), tabs["by_course"]),
              Table("coverage", _("Unit coverage"), _coverage(cover))]
    if fmt == "csv":
        return report_exports.to_csv(title, now, tables, info, **kw)
    return report_exports.to_xlsx(title, now, tables, info, info_sheet=_("Info"))
