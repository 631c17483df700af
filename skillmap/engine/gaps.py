"""Skill gaps: demand against the people who can cover it."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .convert import held, validate_profiles

__all__ = ["skill_gaps"]

COLUMNS = ["skill", "min_level", "demand", "supply", "gap", "single_point", "holders_3plus"]


def skill_gaps(profiles, demand):
    """Compare the demand for skills with the people who hold them.

    Parameters
    ----------
    profiles : DataFrame
        Long-form profiles (``person``, ``skill``, ``level``); wishes
        (level 0) never count as supply.
    demand : DataFrame
        One row per skill with ``skill``, ``min_level`` (1-5) and ``count``
        (people needed, >= 0).

    Returns
    -------
    DataFrame
        One row per demanded skill, columns ``skill``, ``min_level``,
        ``demand``, ``supply`` (people at level >= ``min_level``), ``gap``
        (``max(demand - supply, 0)``), ``single_point`` (True when at most
        one person holds the skill at level >= 3: losing them loses the
        skill), ``holders_3plus``. Sorted by gap (largest first), then skill.

    Raises
    ------
    ValueError
        Missing columns, ``min_level`` outside 1-5, negative ``count`` or a
        skill listed twice.

    Examples
    --------
    >>> import pandas as pd
    >>> prof = pd.DataFrame({"person": ["a", "b", "b"], "skill": ["saw", "saw", "vat"],
    ...                      "level": [4, 2, 3]})
    >>> need = pd.DataFrame({"skill": ["saw", "vat"], "min_level": [3, 1], "count": [3, 1]})
    >>> skill_gaps(prof, need)[["skill", "supply", "gap", "single_point"]].values.tolist()
    [['saw', 1, 2, True], ['vat', 1, 0, True]]
    """
    prof = held(validate_profiles(profiles))
    if not isinstance(demand, pd.DataFrame):
        raise TypeError("demand must be a pandas DataFrame")
    missing = [c for c in ("skill", "min_level", "count") if c not in demand.columns]
    if missing:
        raise ValueError(f"demand lacks column(s): {', '.join(missing)}")
    need = demand.loc[:, ["skill", "min_level", "count"]].copy()
    for col in ("min_level", "count"):
        need[col] = pd.to_numeric(need[col], errors="coerce")
    if need["min_level"].isna().any() or not need["min_level"].between(1, 5).all():
        raise ValueError("demand min_level must be a number from 1 to 5")
    if need["count"].isna().any() or (need["count"] < 0).any():
        raise ValueError("demand count must be a number >= 0")
    if need["skill"].duplicated().any():
        dup = need.loc[need["skill"].duplicated(), "skill"].tolist()
        raise ValueError(f"demand lists a skill more than once: {dup}")

    # each held row counted against its skill's demand: one lookup and two bincounts
    row = pd.Index(need["skill"]).get_indexer(prof["skill"])
    lv = prof["level"].to_numpy()
    asked = row >= 0
    row, lv = row[asked], lv[asked]
    min_level = need["min_level"].astype(np.int64).to_numpy()
    supply = np.bincount(row[lv >= min_level[row]], minlength=len(need))
    three = np.bincount(row[lv >= 3], minlength=len(need))
    out = pd.DataFrame({
        "skill": need["skill"].to_numpy(),
        "min_level": min_level,
        "demand": need["count"].astype(np.int64).to_numpy(),
        "supply": supply.astype(np.int64),
    })
    out["gap"] = (out["demand"] - out["supply"]).clip(lower=0)
    out["holders_3plus"] = three.astype(np.int64)
    out["single_point"] = out["holders_3plus"] <= 1
    order = sorted(range(len(out)), key=lambda i: (-out["gap"].iat[i], str(out["skill"].iat[i])))
    return out.iloc[order][COLUMNS].reset_index(drop=True)
