"""A prepared model so that per-person questions are answered fast.

``prepare(profiles)`` does the heavy work once (sparse matrices, item-item
similarity, people vectors); :func:`recommend_skills` and
:func:`similar_people` accept either the profiles or the prepared model.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import sparse

from .convert import _to_matrix, validate_profiles

__all__ = ["EngineModel", "prepare"]

#: Exponent of the asymmetric cosine used for item-item similarity.
ALPHA = 0.7


@dataclass(frozen=True)
class EngineModel:
    """Everything per-person queries need, computed once by :func:`prepare`.

    Attributes
    ----------
    people, skills : Index
        Row / column labels (everyone and every skill in the profiles,
        wishes included).
    levels : csr_matrix
        People x skills held levels (1-5; wishes are not held).
    binary : csr_matrix
        0/1 version of ``levels``.
    wishes : csr_matrix
        People x skills 0/1: level-0 rows and rows with ``wants_to_grow``.
    item_similarity : ndarray
        Dense skills x skills *asymmetric cosine* of the holder sets, zero
        diagonal (float32): ``both[i, c] / (holders[i] ** 0.7 * holders[c] ** 0.3)``,
        read as "how much holding ``i`` points to ``c``". Between plain cosine
        (0.5) and P(c | i) (1.0); 0.7 gave the best hold-out hit rate in
        ``bench/bench_engine.py``.
    people_vectors : csr_matrix
        Rows are idf-weighted level vectors scaled to unit length, so that
        ``people_vectors @ people_vectors.T`` is the cosine similarity.
    holders : ndarray
        Number of holders of each skill.
    """

    people: pd.Index
    skills: pd.Index
    levels: sparse.csr_matrix = field(repr=False)
    binary: sparse.csr_matrix = field(repr=False)
    wishes: sparse.csr_matrix = field(repr=False)
    item_similarity: np.ndarray = field(repr=False)
    people_vectors: sparse.csr_matrix = field(repr=False)
    holders: np.ndarray = field(repr=False)

    def row(self, person) -> int:
        """Row number of ``person``; KeyError with a clear message if unknown."""
        try:
            i = self.people.get_loc(person)
        except KeyError:
            raise KeyError(f"unknown person: {person!r}") from None
        if not isinstance(i, (int, np.integer)):
            raise KeyError(f"person label is not unique: {person!r}")
        return int(i)


def prepare(profiles) -> EngineModel:
    """Prepare profiles for fast :func:`recommend_skills` / :func:`similar_people`.

    Memory: sparse people x skills matrices plus one dense skills x skills
    float32 matrix (16 MB at 2,000 skills).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"person": ["a", "a", "b"], "skill": ["x", "y", "x"],
    ...                    "level": [3, 0, 2]})
    >>> m = prepare(df)
    >>> list(m.people), list(m.skills), m.wishes.toarray().tolist()
    (['a', 'b'], ['x', 'y'], [[0.0, 1.0], [0.0, 0.0]])
    """
    if isinstance(profiles, EngineModel):
        return profiles
    prof = validate_profiles(profiles)
    people = pd.Index(pd.unique(prof["person"]))
    skills = pd.Index(pd.unique(prof["skill"]))
    pm = _to_matrix(prof, people, skills)
    levels = pm.matrix
    binary = pm.binary()
    wish_rows = prof[(prof["level"] == 0) | prof["wants_to_grow"]]
    wishes = sparse.csr_matrix(
        (np.ones(len(wish_rows)), (people.get_indexer(wish_rows["person"]),
                                   skills.get_indexer(wish_rows["skill"]))),
        shape=(len(people), len(skills)))
    holders = np.asarray(binary.sum(axis=0)).ravel()

    co = (binary.T @ binary).toarray().astype(np.float32)
    h = holders.astype(np.float32)
    with np.errstate(divide="ignore", invalid="ignore"):
        sim = np.nan_to_num(co / (h[:, None] ** ALPHA) / (h[None, :] ** (1 - ALPHA)))
    np.fill_diagonal(sim, 0.0)

    idf = np.log((1 + len(people)) / (1 + holders)) + 1.0
    vec = (levels @ sparse.diags(idf)).tocsr()
    lengths = np.sqrt(np.asarray(vec.multiply(vec).sum(axis=1)).ravel())
    lengths[lengths == 0] = 1.0
    vec = (sparse.diags(1.0 / lengths) @ vec).tocsr()
    return EngineModel(people, skills, levels, binary, wishes.tocsr(), sim, vec, holders)

