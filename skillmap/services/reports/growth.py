"""Growth report: what people want to learn, set against the gaps, and a training plan."""
from __future__ import annotations

import numpy as np
import pandas as pd
from flask_babel import gettext as _

from skillmap.services.report_exports import Table
from skillmap.services import versions
from skillmap.services.reports.base import (Filters, Report, in_unit, level_counts,
                                            profile_table, skills_frame, units_frame)
from skillmap.services.reports.gaps import _hidden as _gap_hidden
from skillmap.services.reports.gaps import gap_cells, gap_table, order_hidden_last
from skillmap.services.suppression import TOTAL, finest_mask, hidden_last, view_rows

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


def growth_cells(organisation_id: int, min_group: int) -> dict:
    """Every unit's wishes and training candidates per skill, the ``TOTAL`` row and the masks.

    ``wishes`` covers every active skill; ``candidates``, ``want`` and
    ``one_away`` the demanded skills, at the level the whole organisation
    needs (the same level for every unit filter, so that the unit figures add
    up to the organisation's). Decided once, read by every view and by the
    candidate lists.
    """
    return versions.memo(organisation_id, "growth_cells", (min_group,),
                         lambda: _growth_cells(organisation_id, min_group))


def _growth_cells(organisation_id: int, min_group: int) -> dict:
    unit_ids = units_frame(organisation_id, "it")["unit_id"].tolist()
    prof = profile_table(organisation_id)
    need = gap_cells(organisation_id, min_group)["need_level"]
    values = {}
    wish = prof[prof["wants_to_grow"].to_numpy()]
    p = wish.groupby(["unit_id", "skill"]).size().unstack(fill_value=0) if len(wish) else \
        pd.DataFrame()
    values["wishes"] = p.reindex(index=unit_ids, columns=skills_frame(
        organisation_id, "it")["skill_id"].tolist(), fill_value=0)
    df = prof[prof["skill"].isin(need.index)]
    lvl = df["skill"].map(need).to_numpy()
    level = df["level"].to_numpy()
    could = (level < lvl) & ((level >= 1) | df["wants_to_grow"].to_numpy())
    for name, mask in (("candidates", could), ("want", could & df["wants_to_grow"].to_numpy()),
                       ("one_away", could & (level == lvl - 1))):
        sub = df[mask]
        p = sub.groupby(["unit_id", "skill"]).size().unstack(fill_value=0) if len(sub) else \
            pd.DataFrame()
        values[name] = p.reindex(index=unit_ids, columns=list(need.index), fill_value=0)
    values = {k: pd.concat([v, v.sum().to_frame(TOTAL).T]) for k, v in values.items()}
    return {"values": values, "need_level": need,
            "hidden": {k: finest_mask(v, min_group) for k, v in values.items()}}


def growth_report(organisation_id: int, f: Filters, min_group: int, lang: str) -> Report:
    skills = skills_frame(organisation_id, lang, f.area_id)
    gaps = gap_table(organisation_id, f, lang)
    cells = growth_cells(organisation_id, min_group)
    gap_cols = gaps[["skill_id", "total_gap"]] if len(gaps) else pd.DataFrame(
        columns=["skill_id", "total_gap"])
    wishes_row = view_rows(cells["values"]["wishes"], f.unit_id)
    wish = skills.assign(wishes=skills["skill_id"].map(wishes_row).fillna(0).astype(int))
    wish = wish[wish["wishes"] > 0].merge(gap_cols, on="skill_id", how="left")
    wish["is_gap"] = wish["total_gap"].fillna(0) > 0
    hid_row = view_rows(cells["hidden"]["wishes"], f.unit_id)
    wish_hidden = pd.DataFrame(False, index=wish.index, columns=wish.columns)
    wish_hidden["wishes"] = wish["skill_id"].map(hid_row).fillna(False).astype(bool)
    # gap skills first, then most wished; hidden counts after the shown ones, by name
    wish = wish.sort_values(["is_gap", "code"], ascending=[False, True], kind="stable")
    wish_hidden = wish_hidden.loc[wish.index]
    pos = np.lexsort((hidden_last(wish["wishes"], wish_hidden["wishes"]).argsort(),
                      ~wish["is_gap"].to_numpy()))
    wish = wish.iloc[pos].reset_index(drop=True)
    wish_hidden = wish_hidden.iloc[pos].reset_index(drop=True)
    wcols = {"skill": _("Skill"), "area": _("Area"), "wishes": _("People who want to learn it"),
             "is_gap": _("Gap skill")}
    shown = wish.reindex(columns=list(wcols)).copy()
    shown["is_gap"] = shown["is_gap"].map({True: _("yes"), False: _("no")})
    # the gap itself is shown on the gap report with its own hiding; here only yes/no
    wish_table = Table(_("Wishes"), _("What people want to learn, gap skills first"),
                       shown.rename(columns=wcols),
                       wish_hidden.reindex(columns=list(wcols)).rename(columns=wcols))

    # largest gaps first, as the gap report orders them (hidden totals last)
    gaps, _hide = order_hidden_last(gaps, _gap_hidden(organisation_id, gaps, f.unit_id,
                                                      min_group), "total_gap", ["code"])
    need = gaps[gaps["total_gap"] > 0].head(PLAN_SIZE) if len(gaps) else gaps
    plan = need[["skill_id", "skill", "area"]].copy() if len(need) else \
        pd.DataFrame(columns=["skill_id", "skill", "area"])
    plan["need_level"] = plan["skill_id"].map(cells["need_level"])
    plan_hidden = pd.DataFrame(False, index=plan.index, columns=list(plan.columns) + [
        "candidates", "want", "one_away"])
    for col in ("candidates", "want", "one_away"):
        plan[col] = plan["skill_id"].map(view_rows(cells["values"][col], f.unit_id)
                                         ).fillna(0).astype(int)
        plan_hidden[col] = plan["skill_id"].map(view_rows(cells["hidden"][col], f.unit_id)
                                                ).fillna(False).astype(bool)
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
