"""Skill recommendations: item-item collaborative filtering on who holds what."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .model import prepare

__all__ = ["recommend_skills"]


def recommend_skills(data, person, k=5, *, wish_boost=0.5):
    """Recommend skills a person does not hold yet.

    A candidate skill ``c`` scores the mean item-item similarity (asymmetric
    cosine of holder sets, see :class:`EngineModel`) from the skills the
    person holds to ``c``: "people who have A
    and B often also have C". A wish (a level-0 row or ``wants_to_grow``)
    adds ``wish_boost`` times the best score of the person's candidates, so
    wished skills rise to the top but stay ordered among themselves.

    Parameters
    ----------
    data : DataFrame or EngineModel
        Long-form profiles, or the result of :func:`prepare` (fast path).
    person : label
        Whose recommendations.
    k : int
        At most this many rows.
    wish_boost : float
        Weight of a wish, see above.

    Returns
    -------
    DataFrame
        At most ``k`` rows, best first, columns ``skill``, ``score``,
        ``reason`` (plain English), ``because`` (list of held skills behind
        the reason, strongest first), ``wished`` (bool). Only skills with a
        positive score are listed.

    Raises
    ------
    KeyError
        If ``person`` is not in the profiles.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = [("a", "saw"), ("a", "drill"), ("a", "sand"),
    ...         ("b", "saw"), ("b", "drill"), ("b", "sand"),
    ...         ("c", "saw"), ("c", "drill"), ("d", "excel")]
    >>> df = pd.DataFrame(rows, columns=["person", "skill"]).assign(level=3)
    >>> rec = recommend_skills(df, "c", k=2)
    >>> rec["skill"].tolist(), rec["because"][0]
    (['sand'], ['saw', 'drill'])
    >>> rec["reason"][0]
    'people who have saw and drill often also have sand'
    """
    if k < 0:
        raise ValueError("k must be >= 0")
    model = prepare(data)
    i = model.row(person)
    start, end = model.binary.indptr[i], model.binary.indptr[i + 1]
    held_idx = model.binary.indices[start:end]
    wished = np.zeros(len(model.skills), dtype=bool)
    wished[model.wishes.indices[model.wishes.indptr[i]:model.wishes.indptr[i + 1]]] = True

    sim_rows = model.item_similarity[held_idx]                  # held x skills
    score = sim_rows.mean(axis=0) if len(held_idx) else np.zeros(len(model.skills))
    score = score.astype(np.float64)
    candidate = np.ones(len(model.skills), dtype=bool)
    candidate[held_idx] = False
    top = score[candidate].max() if candidate.any() else 0.0
    score = score + wish_boost * max(top, 1e-9) * wished
    score[~candidate] = 0.0
    order = np.lexsort((np.arange(len(score)), -score))
    order = order[score[order] > 0][:k]

    rows = []
    for c in order:
        contrib = sim_rows[:, c] if len(held_idx) else np.zeros(0)
        best = [j for j in np.argsort(-contrib, kind="stable")[:2] if contrib[j] > 0]
        because = [model.skills[held_idx[j]] for j in best]
        name = model.skills[c]
        if because:
            reason = (f"people who have {' and '.join(map(str, because))} "
                      f"often also have {name}")
            if wished[c]:
                reason += f"; you want to learn {name}"
        else:
            reason = f"you want to learn {name}"
        rows.append((name, float(score[c]), reason, because, bool(wished[c])))
    return pd.DataFrame(rows, columns=["skill", "score", "reason", "because", "wished"])
