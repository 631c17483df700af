"""People with similar skills: who could back up whom."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .model import prepare

__all__ = ["similar_people"]


def similar_people(data, person, k=10):
    """People whose held skills are closest to ``person``'s.

    Similarity is the cosine between level vectors weighted by inverse
    document frequency (``log((1 + people) / (1 + holders)) + 1``), so that
    sharing a rare skill counts more than sharing "teamwork". Wishes are not
    held and do not count.

    Parameters
    ----------
    data : DataFrame or EngineModel
        Long-form profiles, or the result of :func:`prepare` (fast path).
    person : label
        Whose backups.
    k : int
        At most this many rows.

    Returns
    -------
    DataFrame
        At most ``k`` rows, closest first (ties by profile order), columns
        ``person``, ``similarity`` (0-1), ``shared`` (list of skills both
        hold, rarest first). People sharing no skill are not listed.

    Raises
    ------
    KeyError
        If ``person`` is not in the profiles.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = [("a", "saw", 3), ("a", "drill", 4), ("b", "saw", 3),
    ...         ("b", "drill", 4), ("c", "saw", 2), ("d", "excel", 5)]
    >>> df = pd.DataFrame(rows, columns=["person", "skill", "level"])
    >>> out = similar_people(df, "a")
    >>> out["person"].tolist(), float(out["similarity"][0].round(3)), out["shared"][0]
    (['b', 'c'], 1.0, ['drill', 'saw'])
    """
    if k < 0:
        raise ValueError("k must be >= 0")
    model = prepare(data)
    i = model.row(person)
    vec = model.people_vectors
    sim = np.asarray((vec @ vec[i].T).toarray()).ravel()
    sim[i] = 0.0
    n_pos = int((sim > 1e-12).sum())
    k = min(k, n_pos)
    if k == 0:
        return pd.DataFrame({"person": pd.Series(dtype=object), "similarity": pd.Series(dtype=float),
                             "shared": pd.Series(dtype=object)})
    cand = np.argpartition(-sim, k - 1)[:k] if k < len(sim) else np.arange(len(sim))
    # ties: fall back on row order; include everyone tied with the k-th
    kth = sim[cand].min()
    cand = np.flatnonzero(sim >= kth)
    cand = cand[np.lexsort((cand, -sim[cand]))][:k]

    b = model.binary
    mine = b.indices[b.indptr[i]:b.indptr[i + 1]]
    rows = []
    for j in cand:
        theirs = b.indices[b.indptr[j]:b.indptr[j + 1]]
        common = np.intersect1d(mine, theirs)
        common = common[np.lexsort((common, model.holders[common]))]
        rows.append((model.people[j], min(float(sim[j]), 1.0), [model.skills[c] for c in common]))
    return pd.DataFrame(rows, columns=["person", "similarity", "shared"])
