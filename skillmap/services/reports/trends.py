"""Trends: how many people hold the key gap skills at level 3 or more, month by month.

Rebuilt from the change history (``SkillChange``: added / level / removed with
``new_level``): each change that crosses level 3 adds or removes one person
from the count of its month; a cumulative sum gives the coverage at each
month's end.
"""
from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd
import sqlalchemy as sa
from flask_babel import gettext as _

from skillmap.models import Person, SkillChange
from skillmap.i18n import month_label
from skillmap.services.frames import raw_rows
from skillmap.services.report_exports import Table
from skillmap.services import versions
from skillmap.services.reports.base import (STRONG, Filters, Report, people_table,
                                            person_unit_filter, units_frame)
from skillmap.services.reports.gaps import _hidden as gap_hidden
from skillmap.services.reports.gaps import gap_table, order_hidden_last
from skillmap.services.suppression import TOTAL, finest_mask, view_rows

KEY_SKILLS = 5
MONTHS = 24
LEVEL_KINDS = ("added", "level", "removed", "merged")


def coverage_by_month(changes: pd.DataFrame, months: pd.PeriodIndex) -> pd.DataFrame:
    """Month x skill: people at level >= 3 at each month's end.

    ``changes`` has ``person``, ``skill``, ``kind``, ``new_level``,
    ``changed_at``; history before ``months`` counts towards the first month.
    """
    if changes.empty:
        return pd.DataFrame(index=months)
    df = changes.copy()
    df["level"] = df["new_level"].where(df["kind"] != "removed", 0).fillna(0)
    df["month"] = (pd.to_datetime(df["changed_at"], utc=True, format="ISO8601")
                   .dt.tz_localize(None).dt.to_period("M"))
    df = df.sort_values("changed_at", kind="stable")
    state = df.groupby(["person", "skill", "month"], sort=False)["level"].last().reset_index()
    state = state.sort_values("month", kind="stable")
    state["strong"] = (state["level"] >= STRONG).astype(int)
    state["delta"] = state["strong"] - state.groupby(["person", "skill"])["strong"].shift(
        fill_value=0)
    state["month"] = state["month"].clip(lower=months[0])
    moves = state.pivot_table(index="month", columns="skill", values="delta", aggfunc="sum",
                              fill_value=0)
    grid = moves.reindex(moves.index.union(months), fill_value=0).sort_index().cumsum()
    return grid.reindex(months).astype(int)


def key_changes(organisation_id: int, unit_id: int | None, skill_ids: list[int]
                ) -> pd.DataFrame:
    """Level history of a few skills: ``person``, ``skill``, ``kind``, ``new_level``,
    ``changed_at`` (text on SQLite, parsed by :func:`coverage_by_month`)."""
    q = (sa.select(SkillChange.person_id, SkillChange.skill_id, SkillChange.kind,
                   SkillChange.new_level, SkillChange.changed_at)
         .join(Person, Person.id == SkillChange.person_id)
         .where(Person.organisation_id == organisation_id, SkillChange.kind.in_(LEVEL_KINDS),
                SkillChange.skill_id.in_(skill_ids)))
    # the driver's tuples: no per-row datetime processing; pandas parses the column at once
    rows = raw_rows(person_unit_filter(q, unit_id))
    columns = ["person", "skill", "kind", "new_level", "changed_at"]
    return pd.DataFrame(rows, columns=columns) if rows else pd.DataFrame(columns=columns)


def coverage_cells(organisation_id: int, skill_ids: tuple[int, ...], end: pd.Period,
                   min_group: int) -> dict:
    """Coverage by month for every unit and the ``TOTAL`` row, and what to hide.

    Columns are (skill, month); hiding is decided per column on all units at once
    (see :mod:`skillmap.services.suppression`), so every unit filter and the whole
    organisation read the same decision.
    """
    def compute():
        months = pd.period_range(end=end, periods=MONTHS, freq="M")
        changes = key_changes(organisation_id, None, list(skill_ids))
        units = people_table(organisation_id).set_index("person")["unit_id"]
        changes["unit_id"] = changes["person"].map(units)
        unit_ids = units_frame(organisation_id, "it")["unit_id"].tolist()
        per_unit = {}
        for u in unit_ids:
            grid = coverage_by_month(changes[changes["unit_id"] == u], months)
            per_unit[u] = grid.reindex(columns=list(skill_ids), fill_value=0).reindex(
                months, fill_value=0)
        stacked = pd.DataFrame(
            {u: g.stack() for u, g in per_unit.items()}).T if per_unit else pd.DataFrame()
        stacked = stacked.reindex(index=unit_ids).fillna(0).astype(int)
        table = pd.concat([stacked, stacked.sum().to_frame(TOTAL).T])
        return {"values": table, "hidden": finest_mask(table, min_group), "months": months}
    return versions.memo(organisation_id, "coverage_cells", (skill_ids, str(end), min_group),
                         compute)


def trends_report(organisation_id: int, f: Filters, min_group: int, lang: str) -> Report:
    gaps = gap_table(organisation_id, f, lang)
    # the key skills: the largest gaps as the gap report orders them (hidden totals last)
    gaps, _hide = order_hidden_last(gaps, gap_hidden(organisation_id, gaps, f.unit_id,
                                                     min_group), "total_gap", ["code"])
    key = gaps.head(KEY_SKILLS) if len(gaps) else gaps
    now = datetime.now(timezone.utc)
    end = pd.Period(now.strftime("%Y-%m"), "M")
    months = pd.period_range(end=end, periods=MONTHS, freq="M")
    skill_ids = tuple(int(s) for s in key.get("skill_id", []))
    names = dict(zip(key.get("skill_id", []), key.get("skill", [])))
    cells = coverage_cells(organisation_id, skill_ids, end, min_group)
    row, hid_row = view_rows(cells["values"], f.unit_id), view_rows(cells["hidden"], f.unit_id)
    if len(row):
        cover = row.unstack(level=1).reindex(index=months, columns=list(names), fill_value=0)
        hidden = hid_row.unstack(level=1).reindex(index=months, columns=list(names),
                                                  fill_value=False).astype(bool)
    else:
        cover = pd.DataFrame(0, index=months, columns=list(names))
        hidden = pd.DataFrame(False, index=months, columns=list(names))
    table = cover.rename(columns=names)
    labels = [month_label(m) for m in months]   # "gen 2025" in Italian
    table.index = labels
    table.index.name = _("Month")
    hid = hidden.rename(columns=names)
    hid.index = table.index
    return Report("trends", _("Coverage over time"), f, tables=[Table(
        _("Coverage by month"),
        _("People at level 3 or more in the key gap skills, at the end of each month"),
        table.reset_index(), hid.reset_index().assign(**{table.index.name: False}))], extra={
        "series": [(names[s], cover[s].tolist(), hidden[s].tolist()) for s in names],
        "months": labels, "skill_ids": list(names)})
