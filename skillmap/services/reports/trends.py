"""Trends: how many people hold chosen skills at level 3 or more, month by month.

Rebuilt from the change history (``SkillChange``: added / level / removed with
``new_level``): each change that crosses level 3 adds or removes one person
from the count of its month; a cumulative sum gives the coverage at each
month's end.

The reader chooses the skills (by default the five with the largest gap), the
period (the last 6 to 36 months) and two months to compare. The figures are
always computed over the longest period, and small groups are hidden per
(skill, month) column on every unit at once: the choice of skills, period,
months or unit never changes what is hidden. A difference between two months
is hidden when either of its months is.
"""
from __future__ import annotations

from dataclasses import dataclass, field
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
                                            person_unit_filter, skills_frame, units_frame)
from skillmap.services.reports.gaps import _hidden as gap_hidden
from skillmap.services.reports.gaps import gap_table, order_hidden_last
from skillmap.services.suppression import TOTAL, finest_mask, view_rows

KEY_SKILLS = 5
#: the longest period offered; every figure is computed over it
MONTHS = 36
#: periods a reader can choose, in months; the default is 24
PERIODS = (6, 12, 24, 36)
DEFAULT_PERIOD = 24
#: most skills followed at once (one line style each)
MAX_SKILLS = 8
LEVEL_KINDS = ("added", "level", "removed", "merged")


@dataclass(frozen=True)
class TrendOptions:
    """What the reader chose: skills (empty = the key gap skills), the period in months,
    and two months to compare ("YYYY-MM", None = first and last month of the period)."""

    skill_ids: tuple[int, ...] = field(default_factory=tuple)
    period: int = DEFAULT_PERIOD
    month_a: str | None = None
    month_b: str | None = None


def month_range(now: datetime | None = None) -> pd.PeriodIndex:
    """The months figures are computed for: the last :data:`MONTHS`, this one included."""
    now = now or datetime.now(timezone.utc)
    return pd.period_range(end=pd.Period(now.strftime("%Y-%m"), "M"), periods=MONTHS, freq="M")


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


def _key_skills(organisation_id: int, f: Filters, min_group: int, lang: str) -> dict:
    """The five skills with the largest gap, as the gap report orders them (hidden last)."""
    gaps = gap_table(organisation_id, f, lang)
    gaps, _hide = order_hidden_last(gaps, gap_hidden(organisation_id, gaps, f.unit_id,
                                                     min_group), "total_gap", ["code"])
    key = gaps.head(KEY_SKILLS) if len(gaps) else gaps
    return dict(zip((int(s) for s in key.get("skill_id", [])), key.get("skill", [])))


def _chosen_skills(organisation_id: int, skill_ids, lang: str) -> dict:
    """skill_id -> name for the chosen skills of this organisation (unknown ids dropped)."""
    skills = skills_frame(organisation_id, lang)
    names = dict(zip(skills["skill_id"].astype(int), skills["skill"]))
    return {int(s): names[int(s)] for s in skill_ids if int(s) in names}


def trends_report(organisation_id: int, f: Filters, min_group: int, lang: str,
                  options: TrendOptions | None = None) -> Report:
    options = options or TrendOptions()
    chosen = _chosen_skills(organisation_id, options.skill_ids[:MAX_SKILLS], lang)
    names = chosen or _key_skills(organisation_id, f, min_group, lang)
    all_months = month_range()
    period = options.period if options.period in PERIODS else DEFAULT_PERIOD
    months = all_months[-period:]
    skill_ids = tuple(sorted(names))
    cells = coverage_cells(organisation_id, skill_ids, all_months[-1], min_group)
    row, hid_row = view_rows(cells["values"], f.unit_id), view_rows(cells["hidden"], f.unit_id)
    if len(row):
        cover = row.unstack(level=1).reindex(index=all_months, columns=list(names),
                                             fill_value=0)
        hidden = hid_row.unstack(level=1).reindex(index=all_months, columns=list(names),
                                                  fill_value=False).astype(bool)
    else:
        cover = pd.DataFrame(0, index=all_months, columns=list(names))
        hidden = pd.DataFrame(False, index=all_months, columns=list(names))
    keys = [str(m) for m in all_months]
    month_a = options.month_a if options.month_a in keys else str(months[0])
    month_b = options.month_b if options.month_b in keys else str(months[-1])
    compare = _comparison(cover, hidden, names, pd.Period(month_a, "M"),
                          pd.Period(month_b, "M"))
    cover, hidden = cover.loc[months], hidden.loc[months]
    table = cover.rename(columns=names)
    labels = [month_label(m) for m in months]   # "gen 2025" in Italian
    table.index = labels
    table.index.name = _("Month")
    hid = hidden.rename(columns=names)
    hid.index = table.index
    return Report("trends", _("Coverage over time"), f, tables=[
        Table(_("Coverage by month"),
              _("People at level 3 or more in the chosen skills, at the end of each month"),
              table.reset_index(), hid.reset_index().assign(**{table.index.name: False})),
        Table(_("Comparison of two months"),
              _("People at level 3 or more at the end of %(a)s and of %(b)s, and the "
                "difference", a=month_label(month_a), b=month_label(month_b)),
              compare["data"], compare["hidden"]),
    ], extra={
        "series": [(names[s], cover[s].tolist(), hidden[s].tolist()) for s in names],
        "months": labels, "skill_ids": list(names), "chosen": bool(chosen), "max_skills": MAX_SKILLS,
        "period": period, "month_a": month_a, "month_b": month_b,
        "month_keys": keys, "month_labels": [month_label(m) for m in all_months]})


def _comparison(cover: pd.DataFrame, hidden: pd.DataFrame, names: dict, a: pd.Period,
                b: pd.Period) -> dict:
    """Per skill: the count at the end of month ``a``, of month ``b``, and ``b - a``.
    The difference is hidden when either count is: with one of them it gives the other."""
    va, vb = cover.loc[a], cover.loc[b]
    ha, hb = hidden.loc[a].astype(bool), hidden.loc[b].astype(bool)
    la, lb = month_label(a), month_label(b)
    diff_col = _("Difference")
    data = pd.DataFrame({_("Skill"): [names[s] for s in names],
                         la: [int(va[s]) for s in names],
                         lb: [int(vb[s]) for s in names],
                         diff_col: [int(vb[s] - va[s]) for s in names]})
    if la == lb:   # the same month twice: keep both columns apart
        data.columns = [_("Skill"), la + " (A)", lb + " (B)", diff_col]
    mask = pd.DataFrame({data.columns[0]: [False] * len(names),
                         data.columns[1]: [bool(ha[s]) for s in names],
                         data.columns[2]: [bool(hb[s]) for s in names],
                         data.columns[3]: [bool(ha[s] or hb[s]) for s in names]})
    return {"data": data, "hidden": mask}
