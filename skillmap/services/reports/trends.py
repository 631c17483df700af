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
from skillmap.services.reports.base import STRONG, Filters, Report, person_unit_filter
from skillmap.services.reports.gaps import gap_table
from skillmap.services.suppression import small_group_mask

KEY_SKILLS = 5
MONTHS = 24
LEVEL_KINDS = ("added", "level", "removed")


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


def trends_report(organisation_id: int, f: Filters, min_group: int, lang: str) -> Report:
    gaps = gap_table(organisation_id, f, lang)
    key = gaps.head(KEY_SKILLS) if len(gaps) else gaps
    now = datetime.now(timezone.utc)
    end = pd.Period(now.strftime("%Y-%m"), "M")
    months = pd.period_range(end=end, periods=MONTHS, freq="M")
    skill_ids = [int(s) for s in key.get("skill_id", [])]
    cover = versions.memo(organisation_id, "coverage", (f.unit_id, tuple(skill_ids), str(end)),
                       lambda: coverage_by_month(
                           key_changes(organisation_id, f.unit_id, skill_ids), months)).copy()
    names = dict(zip(key.get("skill_id", []), key.get("skill", [])))
    cover = cover.reindex(columns=list(names), fill_value=0)
    hidden = small_group_mask(cover, min_group)
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
        "months": labels})
