"""Growth report: what people want to learn, set against the gaps, and a training plan."""
from __future__ import annotations

import pandas as pd
from flask_babel import gettext as _

from skillmap.services.report_exports import Table
from skillmap.services.reports.base import (Filters, Report, in_unit, level_counts,
                                            profile_table, skills_frame)
from skillmap.services.reports.gaps import gap_table
from skillmap.services.suppression import small_group_mask

PLAN_SIZE = 20


def wishes(organisation_id: int, unit_id: int | None) -> pd.DataFrame:
    """Per skill: people who marked it "want to grow"."""
    df = in_unit(profile_table(organisation_id), unit_id)
    return (df[df["wants_to_grow"].to_numpy()].groupby("skill").size().rename("wishes")
            .rename_axis("skill_id").reset_index())


def candidate_counts(organisation_id: int, unit_id: int | None, need: pd.DataFrame
                     ) -> pd.DataFrame:
    """Per skill: people below ``need_level`` who hold it or wish it (could be trained),
    of whom one level away and of whom wanting to learn it.

    ``need`` has ``skill_id`` and ``need_level``.
    """
    counts = level_counts(organisation_id, unit_id, need["skill_id"])
    df = counts.merge(need.rename(columns={"skill_id": "skill"}), on="skill")
    df = df[(df["level"] < df["need_level"]) & ((df["level"] >= 1) | df["wants_to_grow"])]
    df = df.assign(want=df["n"].where(df["wants_to_grow"], 0),
                   one_away=df["n"].where(df["level"] == df["need_level"] - 1, 0))
    return (df.groupby("skill")[["n", "want", "one_away"]].sum().reset_index()
            .rename(columns={"skill": "skill_id", "n": "candidates"}))


def growth_report(organisation_id: int, f: Filters, min_group: int, lang: str) -> Report:
    skills = skills_frame(organisation_id, lang, f.area_id)
    gaps = gap_table(organisation_id, f, lang)
    gap_cols = gaps[["skill_id", "total_gap", "need_level"]] if len(gaps) else pd.DataFrame(
        columns=["skill_id", "total_gap", "need_level"])
    wish = (skills.merge(wishes(organisation_id, f.unit_id), on="skill_id")
            .merge(gap_cols, on="skill_id", how="left"))
    wish["is_gap"] = wish["total_gap"].fillna(0) > 0
    wish = wish.sort_values(["is_gap", "total_gap", "wishes", "code"],
                            ascending=[False, False, False, True]).reset_index(drop=True)
    wish_hidden = small_group_mask(wish[["wishes"]], min_group).reindex(
        columns=wish.columns, fill_value=False)
    wcols = {"skill": _("Skill"), "area": _("Area"), "wishes": _("People who want to learn it"),
             "is_gap": _("Gap skill"), "total_gap": _("Total gap")}
    shown = wish.reindex(columns=list(wcols)).copy()
    shown["is_gap"] = shown["is_gap"].map({True: _("yes"), False: _("no")})
    # the gap itself is shown on the gap report with its own hiding; here only yes/no
    shown = shown.drop(columns="total_gap")
    wcols.pop("total_gap")
    wish_table = Table(_("Wishes"), _("What people want to learn, gap skills first"),
                       shown.rename(columns=wcols),
                       wish_hidden.reindex(columns=list(wcols)).rename(columns=wcols))

    need = gaps[gaps["total_gap"] > 0].head(PLAN_SIZE) if len(gaps) else gaps
    plan = need[["skill_id", "skill", "area", "need_level"]].copy() if len(need) else \
        pd.DataFrame(columns=["skill_id", "skill", "area", "need_level"])
    if len(plan):
        counts = candidate_counts(organisation_id, f.unit_id, plan[["skill_id", "need_level"]])
        plan = plan.merge(counts, on="skill_id", how="left")
    for col in ("candidates", "want", "one_away"):
        plan[col] = plan.get(col, pd.Series(dtype=float)).fillna(0).astype(int)
    plan_hidden = small_group_mask(plan[["candidates", "want", "one_away"]], min_group)
    pcols = {"skill": _("Skill"), "area": _("Area"), "need_level": _("Level needed"),
             "candidates": _("People who could be trained"),
             "one_away": _("Of whom one level away"), "want": _("Of whom want to learn it")}
    plan_table = Table(_("Training plan"),
                       _("Training plan: who could be trained in each gap skill"),
                       plan.reindex(columns=list(pcols)).rename(columns=pcols),
                       plan_hidden.reindex(columns=list(pcols), fill_value=False)
                       .rename(columns=pcols))
    return Report("growth", _("Growth and training"), f, tables=[plan_table, wish_table], extra={
        "plan": plan, "plan_hidden": plan_hidden, "wish": wish, "wish_hidden": wish_hidden})
