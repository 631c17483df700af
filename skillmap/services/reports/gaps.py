"""Gap report: demand from open projects and role targets against the people who can cover it.

Two sources of demand, kept apart because they mean different things:

* projects looking for a team or active: each requirement asks for ``count``
  people at ``min_level``; supply is everyone (in the unit filter) at that
  level, and :func:`skillmap.engine.skill_gaps` compares the two;
* role targets: every person with a job title should hold the target skill at
  its level; the gap is the number of people in that role who do not (yet).

Single points of failure come from the engine: demanded skills held at level
3 or more by one person or nobody.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import sqlalchemy as sa
from flask_babel import gettext as _

from skillmap.engine import skill_gaps
from skillmap.extensions import db
from skillmap.models import Project, ProjectRequirement, RoleTarget
from skillmap.services.report_exports import Table
from skillmap.services import versions
from skillmap.services.reports.base import (Filters, Report, anonymous_profiles, frame, in_unit,
                                            level_counts, people_table, profile_table,
                                            skills_frame, units_frame)
from skillmap.services.suppression import (TOTAL, finest_mask, hidden_last, linked_masks,
                                           view_rows)

OPEN_STATUSES = ("staffing", "active")


def project_demand(organisation_id: int) -> pd.DataFrame:
    """Per skill: people asked for by open projects and the highest level asked."""
    rows = db.session.execute(
        sa.select(ProjectRequirement.skill_id, sa.func.sum(ProjectRequirement.count),
                  sa.func.max(ProjectRequirement.min_level),
                  sa.func.count(sa.distinct(Project.id)))
        .join(Project, Project.id == ProjectRequirement.project_id)
        .where(Project.organisation_id == organisation_id, Project.status.in_(OPEN_STATUSES))
        .group_by(ProjectRequirement.skill_id)).all()
    return pd.DataFrame(rows, columns=["skill_id", "proj_demand", "proj_level", "projects"])


def role_demand(organisation_id: int, unit_id: int | None) -> pd.DataFrame:
    """Per skill and unit: people whose role targets the skill, and how many meet the level."""
    return versions.memo(organisation_id, "role_demand", (unit_id,),
                      lambda: _role_demand(organisation_id, unit_id)).copy()


def _role_demand(organisation_id: int, unit_id: int | None) -> pd.DataFrame:
    targets = frame(sa.select(RoleTarget.job_title, RoleTarget.skill_id, RoleTarget.min_level)
                    .where(RoleTarget.organisation_id == organisation_id),
                    ["job_title", "skill_id", "min_level"])
    targets["job_title"] = targets["job_title"].astype(object)  # no rows: not float
    people = in_unit(people_table(organisation_id), unit_id)
    pairs = people[people["job_title"].notna()].astype({"job_title": object}).merge(
        targets, on="job_title")
    prof = profile_table(organisation_id)
    prof = prof[prof["skill"].isin(targets["skill_id"].unique())]
    pairs = pairs.merge(prof[["person", "skill", "level"]].rename(columns={"skill": "skill_id"}),
                        on=["person", "skill_id"], how="left")
    pairs["meets"] = (pairs["level"] >= pairs["min_level"]).astype(int)
    df = (pairs.groupby(["skill_id", "unit_id"])
          .agg(role_demand=("person", "size"), role_meet=("meets", "sum"),
               role_level=("min_level", "max")).reset_index())
    df = df.astype({"skill_id": "int64", "unit_id": "int64", "role_demand": "int64",
                    "role_meet": "int64"})
    df["role_gap"] = df["role_demand"] - df["role_meet"]
    return df[["skill_id", "unit_id", "role_demand", "role_meet", "role_level", "role_gap"]]


def gap_table(organisation_id: int, f: Filters, lang: str, roles: pd.DataFrame | None = None
              ) -> pd.DataFrame:
    """Unsuppressed per-skill figures, sorted by total gap (largest first).

    Kept per organisation, filters and language while the data is unchanged
    (gaps, growth, trends and the candidate lists all start from it). ``roles``
    is accepted for callers that have :func:`role_demand` already (it is cached too).
    """
    return versions.memo(organisation_id, "gap_table", (f.unit_id, f.area_id, lang),
                      lambda: _gap_table(organisation_id, f, lang)).copy()


def _gap_table(organisation_id: int, f: Filters, lang: str) -> pd.DataFrame:
    skills = skills_frame(organisation_id, lang, f.area_id)
    proj = project_demand(organisation_id)
    roles = role_demand(organisation_id, f.unit_id)
    role_by_skill = roles.groupby("skill_id").agg(
        role_demand=("role_demand", "sum"), role_meet=("role_meet", "sum"),
        role_gap=("role_gap", "sum"), role_level=("role_level", "max")).reset_index()
    table = (skills.merge(proj, on="skill_id", how="left")
             .merge(role_by_skill, on="skill_id", how="left"))
    table = table[table["proj_demand"].notna() | table["role_demand"].notna()].copy()
    if table.empty:
        return table.assign(supply=[], proj_gap=[], total_gap=[], holders_3plus=[],
                            single_point=[], need_level=[])
    table["need_level"] = table[["proj_level", "role_level"]].max(axis=1).astype(int)
    demand = pd.DataFrame({
        "skill": table["skill_id"].astype(int),
        "min_level": table["proj_level"].fillna(table["need_level"]).astype(int),
        "count": table["proj_demand"].fillna(0).astype(int)})
    profiles = anonymous_profiles(level_counts(organisation_id, f.unit_id, demand["skill"]))
    engine = skill_gaps(profiles, demand).rename(
        columns={"skill": "skill_id"})
    table = table.merge(engine[["skill_id", "supply", "gap", "holders_3plus", "single_point"]],
                        on="skill_id", how="left")
    has_proj = table["proj_demand"].notna()
    table["supply"] = table["supply"].where(has_proj)
    table["proj_gap"] = table["gap"].where(has_proj)
    table["total_gap"] = table["proj_gap"].fillna(0) + table["role_gap"].fillna(0)
    table = table.drop(columns="gap").sort_values(["total_gap", "code"],
                                                  ascending=[False, True], kind="stable")
    return table.reset_index(drop=True)


def gap_cells(organisation_id: int, min_group: int) -> dict:
    """Every unit's figures per demanded skill, the ``TOTAL`` row, and what to hide.

    Measures (each a units x skill_id table, last row ``TOTAL``): ``supply``
    (people at the level projects ask), ``holders_3plus``, ``role_demand``,
    ``role_meet``, ``role_gap`` (``role_meet + role_gap = role_demand`` in
    every cell). The masks are decided here once, on these finest tables, and
    every view of the gap and growth reports reads its cells from them.
    """
    return versions.memo(organisation_id, "gap_cells", (min_group,),
                         lambda: _gap_cells(organisation_id, min_group))


def _gap_cells(organisation_id: int, min_group: int) -> dict:
    whole = gap_table(organisation_id, Filters(), "it")
    unit_ids = units_frame(organisation_id, "it")["unit_id"].tolist()
    skill_ids = whole["skill_id"].astype(int).tolist() if len(whole) else []
    proj_level = (whole.set_index("skill_id")["proj_level"] if len(whole)
                  else pd.Series(dtype=float))
    prof = profile_table(organisation_id)
    prof = prof[prof["skill"].isin(skill_ids)]
    asked = prof["skill"].map(proj_level).to_numpy()

    def count(mask):
        df = prof[mask]
        p = (df.groupby(["unit_id", "skill"]).size().unstack(fill_value=0)
             if len(df) else pd.DataFrame())
        p = p.reindex(index=unit_ids, columns=skill_ids, fill_value=0)
        return pd.concat([p, p.sum().to_frame(TOTAL).T])

    level = prof["level"].to_numpy()
    supply = count(level >= asked).astype(float)
    supply.loc[:, proj_level.reindex(skill_ids).isna().to_numpy()] = np.nan  # no project asks
    parts = {"supply": supply, "holders_3plus": count(level >= 3)}
    roles = role_demand(organisation_id, None)
    for m in ("role_demand", "role_meet", "role_gap"):
        p = (roles.pivot_table(index="unit_id", columns="skill_id", values=m, aggfunc="sum",
                               fill_value=0) if len(roles) else pd.DataFrame())
        p = p.reindex(index=unit_ids, columns=skill_ids, fill_value=0)
        parts[m] = pd.concat([p, p.sum().to_frame(TOTAL).T])
    role_masks = linked_masks({m: parts[m] for m in ("role_meet", "role_gap", "role_demand")},
                              ("role_meet", "role_gap", "role_demand"), min_group)
    masks = {"supply": finest_mask(supply, min_group),
             "holders_3plus": finest_mask(parts["holders_3plus"], min_group), **role_masks}
    return {"values": parts, "hidden": masks, "need_level": whole.set_index("skill_id")[
        "need_level"] if len(whole) else pd.Series(dtype="int64")}


def _hidden(organisation_id: int, table: pd.DataFrame, unit_id: int | None,
            min_group: int) -> pd.DataFrame:
    """Which figures of the per-skill table to hide: the view's cells of :func:`gap_cells`."""
    hide = pd.DataFrame(False, index=table.index, columns=table.columns)
    if not len(table):
        return hide
    masks = gap_cells(organisation_id, min_group)["hidden"]
    skills = table["skill_id"].astype(int)
    for m, mask in masks.items():
        row = view_rows(mask, unit_id)
        hide[m] = skills.map(row).fillna(False).astype(bool).to_numpy()
    hide["proj_gap"] = hide["supply"]  # demand is public: the gap would give supply back
    hide["total_gap"] = hide["proj_gap"] | hide["role_gap"]
    hide["single_point"] = hide["holders_3plus"]  # "yes" would say: one person or nobody
    return hide


def order_hidden_last(table: pd.DataFrame, hide: pd.DataFrame, by: str,
                      names: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``table`` and ``hide`` sorted by ``by`` (largest first, then ``names``), hidden
    figures after all shown ones in the order of ``names`` alone (which tells nothing)."""
    if not len(table):
        return table, hide
    first = table.sort_values(names, kind="stable").index
    table, hide = table.loc[first], hide.loc[first]
    pos = hidden_last(table[by], hide[by])
    return (table.iloc[pos].reset_index(drop=True), hide.iloc[pos].reset_index(drop=True))


def gaps_report(organisation_id: int, f: Filters, min_group: int, lang: str) -> Report:
    roles = role_demand(organisation_id, f.unit_id)
    table = gap_table(organisation_id, f, lang, roles)
    hide = _hidden(organisation_id, table, f.unit_id, min_group)
    # gap table order (total gap, then code) with hidden totals after all shown ones
    table, hide = order_hidden_last(table, hide, "total_gap", ["code"])
    labels = {
        "skill": _("Skill"), "area": _("Area"), "projects": _("Open projects"),
        "proj_demand": _("People asked by projects"), "proj_level": _("Level asked"),
        "supply": _("People at that level"), "proj_gap": _("Project gap"),
        "role_demand": _("People whose role needs it"), "role_meet": _("Of whom at target level"),
        "role_gap": _("Role gap"), "total_gap": _("Total gap"),
        "holders_3plus": _("People at level 3+"), "single_point": _("Single point of failure"),
    }
    cols = list(labels)
    shown = table.reindex(columns=cols).copy()
    if len(shown):
        shown["single_point"] = shown["single_point"].map({True: _("yes"), False: _("no")})
    by_skill = Table(_("Gaps by skill"), _("Gaps by skill, largest first"),
                     shown.rename(columns=labels),
                     hide.reindex(columns=cols, fill_value=False).rename(columns=labels)
                     if len(table) else None)

    units = units_frame(organisation_id, lang, f.unit_id)
    skills = skills_frame(organisation_id, lang, f.area_id)[["skill_id", "skill", "area"]]
    cells = gap_cells(organisation_id, min_group)
    per_unit = (roles.merge(skills, on="skill_id").merge(units[["unit_id", "unit"]], on="unit_id")
                .query("role_gap > 0")
                .sort_values(["unit", "skill"]).reset_index(drop=True))
    unit_hide = pd.DataFrame(False, index=per_unit.index, columns=per_unit.columns)
    for m in ("role_meet", "role_gap", "role_demand"):
        mask = cells["hidden"][m]
        unit_hide[m] = [bool(mask.at[u, s]) if u in mask.index and s in mask.columns else False
                        for u, s in zip(per_unit["unit_id"], per_unit["skill_id"])]
    per_unit, unit_hide = order_hidden_last(per_unit, unit_hide, "role_gap", ["unit", "skill"])
    ucols = {"unit": _("Unit"), "skill": _("Skill"), "area": _("Area"),
             "role_level": _("Target level"), "role_demand": labels["role_demand"],
             "role_meet": labels["role_meet"], "role_gap": labels["role_gap"]}
    by_unit = Table(_("Role gaps by unit"),
                    _("Role-target gaps by unit and skill, largest first"),
                    per_unit.reindex(columns=list(ucols)).rename(columns=ucols),
                    unit_hide.reindex(columns=list(ucols), fill_value=False)
                    .rename(columns=ucols))

    # "one person" would give a hidden count back: a skill is listed when nobody holds it
    # at level 3+ or when that figure is hidden, and a hidden figure stays hidden here
    if len(table):
        listed = (table["single_point"].astype(bool) & ~hide["holders_3plus"]) | \
            hide["holders_3plus"]
        singles, singles_hidden = table[listed], hide[listed]
    else:
        singles, singles_hidden = table, hide
    single_rows = pd.DataFrame({
        _("Skill"): singles.get("skill", pd.Series(dtype=object)),
        _("Area"): singles.get("area", pd.Series(dtype=object)),
        _("People at level 3+"): singles.get("holders_3plus", pd.Series(dtype=float)),
        _("Total gap"): singles.get("total_gap", pd.Series(dtype=float)),
    }).reset_index(drop=True)
    single_mask = pd.DataFrame({
        _("Skill"): False, _("Area"): False,
        _("People at level 3+"): singles_hidden.get("holders_3plus", pd.Series(dtype=bool)),
        _("Total gap"): singles_hidden.get("total_gap", pd.Series(dtype=bool)),
    }).reset_index(drop=True).astype(bool)
    single_table = Table(_("Single points"),
                         _("Single points of failure: demanded skills held at level 3 or more "
                           "by nobody, or by a group too small to show"), single_rows,
                         single_mask)
    chart = table.head(15) if len(table) else table
    chart_hidden = hide.head(15) if len(table) else hide
    return Report("gaps", _("Skill gaps"), f, tables=[by_skill, by_unit, single_table], extra={
        "table": table, "hidden": hide, "per_unit": per_unit, "unit_hidden": unit_hide,
        "singles": singles, "singles_hidden": singles_hidden, "chart": chart, "chart_hidden": chart_hidden,
        "unit_filtered": f.unit_id is not None,
    })


__all__ = ["gaps_report", "gap_cells", "gap_table", "order_hidden_last", "project_demand", "role_demand", "OPEN_STATUSES"]
