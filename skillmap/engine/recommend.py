"""Skill recommendations: item-item and people-like-you collaborative filtering."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .model import prepare

__all__ = ["recommend_skills"]

#: Nearest people (by idf-weighted cosine) whose skills vote in the peer part.
NEIGHBOURS = 50
#: Weight of the peer part (share of similar people holding the skill, 0-1).
PEER_WEIGHT = 1.0
#: Weight of the popularity prior (holders / holders of the commonest skill).
PRIOR_WEIGHT = 0.2
# The three defaults were chosen on validation cooperatives (generator seeds
# 1-5, each with its own hold-out), never on the seed-0 hold-out that
# bench/bench_engine.py reports; see the commit message for the grid.


def _neighbours(model, i, n):
    """Rows and weights of the ``n`` people most similar to row ``i`` (similarity > 0).

    One sparse matrix-vector product, then ``argpartition``; ties at the
    ``n``-th place are broken by row order so the answer is deterministic.
    """
    vec = model.people_vectors
    sim = np.asarray((vec @ vec[i].T).toarray()).ravel()
    sim[i] = 0.0
    n = min(n, int((sim > 1e-12).sum()))
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0)
    cand = np.argpartition(-sim, n - 1)[:n] if n < len(sim) else np.arange(len(sim))
    cand = np.flatnonzero(sim >= sim[cand].min())
    cand = cand[np.lexsort((cand, -sim[cand]))][:n]
    return cand, sim[cand]


def recommend_skills(data, person, k=5, *, wish_boost=0.5, neighbours=NEIGHBOURS,
                     peer_weight=PEER_WEIGHT, prior_weight=PRIOR_WEIGHT):
    """Recommend skills a person does not hold yet.

    A candidate skill ``c`` scores the sum of three parts:

    * *skills*: the mean item-item similarity (asymmetric cosine of holder
      sets, see :class:`EngineModel`) from the skills the person holds to
      ``c``, divided by the best such mean among the candidates (0-1):
      "people who have A and B often also have C";
    * *peers*: ``peer_weight`` times the similarity-weighted share of the
      ``neighbours`` most similar people (cosine of idf-weighted level
      vectors, as in :func:`similar_people`) who hold ``c`` (0-1):
      "most people with skills like yours have C";
    * *prior*: ``prior_weight`` times ``c``'s holders divided by the holders
      of the commonest skill, added only when one of the other two parts is
      positive. Skills that nearly everyone has (teamwork) are otherwise
      under-rated by the cosine, which divides by their popularity.

    A wish (a level-0 row or ``wants_to_grow``) then adds ``wish_boost``
    times the best score of the person's candidates, so wished skills rise to
    the top but stay ordered among themselves.

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
    neighbours : int
        How many similar people vote in the peer part (0 switches it off).
    peer_weight, prior_weight : float
        Weights of the peer part and of the popularity prior (0 switches
        them off; all three at 0 gives plain item-item).

    Returns
    -------
    DataFrame
        At most ``k`` rows, best first, columns ``skill``, ``score``,
        ``reason`` (plain English, from the larger of the skills and peers
        parts; people are never named), ``because`` (list of held skills
        behind the reason, strongest first: for the skills part the held
        skills that point most to ``c``, for the peers part the held skills
        most common among the similar people who have ``c``), ``wished``
        (bool). Only skills with a positive score are listed.

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
    n_skills = len(model.skills)
    b = model.binary
    held_idx = b.indices[b.indptr[i]:b.indptr[i + 1]]
    wished = np.zeros(n_skills, dtype=bool)
    wished[model.wishes.indices[model.wishes.indptr[i]:model.wishes.indptr[i + 1]]] = True
    candidate = np.ones(n_skills, dtype=bool)
    candidate[held_idx] = False

    sim_rows = model.item_similarity[held_idx]                  # held x skills
    item = (sim_rows.mean(axis=0) if len(held_idx) else np.zeros(n_skills)).astype(np.float64)
    best_item = item[candidate].max() if candidate.any() else 0.0
    item = item / best_item if best_item > 0 else np.zeros(n_skills)

    peer = np.zeros(n_skills)
    nb, w = np.zeros(0, dtype=np.int64), np.zeros(0)
    if neighbours > 0 and peer_weight > 0 and len(held_idx):
        nb, w = _neighbours(model, i, neighbours)
        if len(nb):
            peer = np.asarray(b[nb].T @ w).ravel() / w.sum()
    peer = peer_weight * peer

    prior = np.zeros(n_skills)
    if prior_weight > 0 and model.holders.max() > 0:
        prior = prior_weight * model.holders / model.holders.max()
        prior[(item <= 0) & (peer <= 0)] = 0.0

    score = item + peer + prior
    score[~candidate] = 0.0
    top = score.max()
    score = score + wish_boost * max(top, 1e-9) * wished
    score[~candidate] = 0.0
    order = np.lexsort((np.arange(n_skills), -score))
    order = order[score[order] > 0][:k]

    rows = []
    for c in order:
        name = model.skills[c]
        if item[c] > 0 and item[c] >= peer[c]:
            contrib = sim_rows[:, c]
            best = [j for j in np.argsort(-contrib, kind="stable")[:2] if contrib[j] > 0]
            because = [model.skills[held_idx[j]] for j in best]
            reason = (f"people who have {' and '.join(map(str, because))} "
                      f"often also have {name}")
        elif peer[c] > 0:
            have_c = b[nb][:, [c]].toarray().ravel() > 0
            shared = np.asarray(b[nb[have_c]][:, held_idx].T @ w[have_c]).ravel()
            best = [j for j in np.argsort(-shared, kind="stable")[:2] if shared[j] > 0]
            because = [model.skills[held_idx[j]] for j in best]
            most = peer[c] / peer_weight >= 0.5
            reason = (f"{'most' if most else 'many'} people with skills like yours "
                      f"({' and '.join(map(str, because))}) have {name}")
        else:
            because, reason = [], ""
        if wished[c]:
            wish = f"you want to learn {name}"
            reason = f"{reason}; {wish}" if reason else wish
        rows.append((name, float(score[c]), reason, because, bool(wished[c])))
    return pd.DataFrame(rows, columns=["skill", "score", "reason", "because", "wished"])
