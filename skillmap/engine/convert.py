"""Conversion between the engine's long-form profiles and sparse matrices.

Every engine function receives profiles as a long pandas DataFrame with the
columns ``person``, ``skill``, ``level`` (0-5) and optionally
``wants_to_grow`` (bool). A row with level 0 is a *wish*: the person wants to
learn the skill but does not hold it. All conversion lives here so that the
algorithms never repeat it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

__all__ = ["ProfileMatrix", "validate_profiles", "to_matrix", "held"]

REQUIRED = ("person", "skill", "level")


def validate_profiles(profiles: pd.DataFrame) -> pd.DataFrame:
    """Check the long-form profiles and return a clean copy.

    The input is never mutated. Extra columns are dropped; ``wants_to_grow``
    is added as ``False`` when missing. Duplicate (person, skill) rows keep
    the highest level.

    Raises
    ------
    ValueError
        If a required column is missing or a level lies outside 0-5.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"person": ["a"], "skill": ["x"], "level": [3]})
    >>> validate_profiles(df).columns.tolist()
    ['person', 'skill', 'level', 'wants_to_grow']
    """
    if not isinstance(profiles, pd.DataFrame):
        raise TypeError("profiles must be a pandas DataFrame")
    missing = [c for c in REQUIRED if c not in profiles.columns]
    if missing:
        raise ValueError(f"profiles lacks column(s): {', '.join(missing)}")
    cols = list(REQUIRED) + (["wants_to_grow"] if "wants_to_grow" in profiles.columns else [])
    out = profiles.loc[:, cols].copy()
    if "wants_to_grow" not in out.columns:
        out["wants_to_grow"] = False
    if out["wants_to_grow"].dtype != bool:
        out["wants_to_grow"] = out["wants_to_grow"].fillna(False).astype(bool)
    if pd.api.types.is_integer_dtype(out["level"]):
        lv = out["level"].to_numpy()
        if len(lv) and (lv.min() < 0 or lv.max() > 5):
            raise ValueError("level must be a number from 0 to 5")
        out["level"] = lv.astype(np.int64, copy=False)
    else:
        levels = pd.to_numeric(out["level"], errors="coerce")
        if levels.isna().any() or ((levels < 0) | (levels > 5)).any():
            raise ValueError("level must be a number from 0 to 5")
        out["level"] = levels.astype(np.int64)
    if _has_duplicates(out["person"], out["skill"]):
        out = (out.sort_values("level", ascending=False, kind="stable")
                  .drop_duplicates(["person", "skill"], keep="first")
                  .sort_index())
    return out.reset_index(drop=True)


def _has_duplicates(person: pd.Series, skill: pd.Series) -> bool:
    """Whether a (person, skill) pair repeats; integer ids are checked as one int64 key
    (several times faster than hashing two columns at 100,000 rows)."""
    if (pd.api.types.is_integer_dtype(person) and pd.api.types.is_integer_dtype(skill)
            and len(person)):
        p, s = person.to_numpy(np.int64), skill.to_numpy(np.int64)
        if p.min() >= 0 and s.min() >= 0 and s.max() < 2**31 and p.max() < 2**31:
            key = (p << 31) | s
            if bool((key[1:] > key[:-1]).all()):   # ordered by person, skill: no repeat
                return False
            key = np.sort(key)
            return bool((key[1:] == key[:-1]).any())
    return bool(pd.DataFrame({"p": person, "s": skill}).duplicated().any())


def held(profiles: pd.DataFrame) -> pd.DataFrame:
    """Rows where the person actually holds the skill (level >= 1)."""
    return profiles[profiles["level"] >= 1]


@dataclass(frozen=True)
class ProfileMatrix:
    """People x skills sparse matrix with its row and column labels.

    ``matrix`` is a ``scipy.sparse.csr_matrix`` of levels (held skills only,
    wishes excluded); ``people`` and ``skills`` are pandas Index objects
    giving the label of each row and column.
    """

    matrix: sparse.csr_matrix
    people: pd.Index
    skills: pd.Index

    def binary(self) -> sparse.csr_matrix:
        """The 0/1 holding matrix (float64)."""
        b = self.matrix.copy().astype(np.float64)
        b.data[:] = 1.0
        return b


def to_matrix(profiles: pd.DataFrame, *, people=None, skills=None) -> ProfileMatrix:
    """Build the sparse people x skills matrix of held levels.

    Parameters
    ----------
    profiles : DataFrame
        Long-form profiles (validated or not).
    people, skills : sequence, optional
        Fix the row / column labels (e.g. to include people with only
        wishes). By default, every person and skill with a held row.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"person": ["a", "a", "b"], "skill": ["x", "y", "x"],
    ...                    "level": [3, 0, 2]})
    >>> pm = to_matrix(df)
    >>> pm.matrix.toarray().tolist(), list(pm.skills)
    ([[3.0], [2.0]], ['x'])
    """
    return _to_matrix(validate_profiles(profiles), people, skills)


def _to_matrix(prof: pd.DataFrame, people=None, skills=None) -> ProfileMatrix:
    """:func:`to_matrix` of profiles already validated."""
    h = held(prof)

    def labels(given, column):
        if given is None:
            return pd.Index(pd.unique(h[column]))
        return given if isinstance(given, pd.Index) else pd.Index(list(given))
    people_idx, skills_idx = labels(people, "person"), labels(skills, "skill")
    rows = people_idx.get_indexer(h["person"])
    cols = skills_idx.get_indexer(h["skill"])
    keep = (rows >= 0) & (cols >= 0)
    m = sparse.csr_matrix(
        (h["level"].to_numpy(np.float64)[keep], (rows[keep], cols[keep])),
        shape=(len(people_idx), len(skills_idx)),
    )
    return ProfileMatrix(m, people_idx, skills_idx)
