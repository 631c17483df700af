"""Groups of people with similar skill profiles."""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.metrics import adjusted_rand_score
from sklearn.preprocessing import normalize

from .convert import to_matrix

__all__ = ["PeopleGroups", "people_groups"]

#: Group label of people who hold no skill.
NO_SKILLS = -1


@dataclass(frozen=True)
class PeopleGroups:
    """Result of :func:`people_groups`.

    Attributes
    ----------
    labels : Series
        Person -> group (0 is the largest group; ``-1`` holds no skill).
    k : int
        Number of groups chosen.
    top_skills : dict
        Group -> up to 5 skills most over-represented in the group (share of
        the group holding it minus share of everyone), strongest first.
    scores : DataFrame
        One row per candidate k: ``k``, ``stability`` (mean adjusted Rand
        index between clusterings with different seeds), ``chosen``.
    """

    labels: pd.Series
    k: int
    top_skills: dict
    scores: pd.DataFrame = field(repr=False)


def people_groups(profiles, *, seed=0, k_max=10, n_seeds=5, threshold=0.9,
                  n_components=20, max_sample=5_000):
    """Group people by skill profile, choosing the number of groups by stability.

    People are embedded with TruncatedSVD of their idf-weighted level vectors
    (sparse, rows scaled to unit length) and clustered with KMeans.

    **Choice of k.** For every candidate k in 2..``k_max``, KMeans runs with
    ``n_seeds`` different random states (derived from ``seed``); the
    *stability* of k is the mean adjusted Rand index over all pairs of those
    clusterings. A k that matches real structure gives the same groups
    whatever the seed; a k that splits a real group arbitrarily does not.
    The chosen k is the largest k whose stability is at least ``threshold``;
    if none reaches it, the most stable k. Silhouette is not used. Above
    ``max_sample`` people, stability is measured on a random sample of that
    size; the final clustering always uses everyone.

    Parameters
    ----------
    profiles : DataFrame
        Long-form profiles.
    seed : int
        Seed of every random step; same input and seed give the same output.
    k_max, n_seeds, threshold : int, int, float
        Candidate range and stability criterion, see above.
    n_components : int
        SVD dimensions (capped by the data).
    max_sample : int
        Sample size for the stability scan.

    Returns
    -------
    PeopleGroups
        ``labels``, ``k``, ``top_skills``, ``scores``.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = [(p, s) for p in "abcd" for s in ("saw", "drill")]
    >>> rows += [(p, s) for p in "efgh" for s in ("excel", "vat")]
    >>> df = pd.DataFrame(rows, columns=["person", "skill"]).assign(level=3)
    >>> g = people_groups(df)
    >>> g.k, g.labels.to_dict() == dict.fromkeys("abcd", 0) | dict.fromkeys("efgh", 1)
    (2, True)
    >>> g.top_skills[0]
    ['saw', 'drill']
    """
    pm = to_matrix(profiles)
    people = pm.people
    x = pm.matrix
    n = x.shape[0]
    if n == 0:
        return PeopleGroups(pd.Series([], dtype=np.int64, name="group"), 0, {},
                            pd.DataFrame(columns=["k", "stability", "chosen"]))
    holders = np.asarray((x > 0).sum(axis=0)).ravel()
    idf = np.log((1 + n) / (1 + holders)) + 1.0
    weighted = normalize(x @ sparse.diags(idf))
    n_comp = min(n_components, x.shape[1] - 1, n - 1)
    if n_comp >= 1:
        emb = TruncatedSVD(n_components=n_comp, random_state=seed).fit_transform(weighted)
        emb = normalize(emb)
    else:
        emb = weighted.toarray()
    n_distinct = len(np.unique(np.round(emb, 9), axis=0))
    ks = list(range(2, min(k_max, n_distinct, n - 1) + 1))

    rng = np.random.default_rng(seed)
    sample = emb if n <= max_sample else emb[rng.choice(n, max_sample, replace=False)]
    states = rng.integers(0, 2**31 - 1, n_seeds)
    rows = []
    for k in ks:
        runs = [KMeans(k, n_init=1, random_state=int(s)).fit_predict(sample) for s in states]
        ari = [adjusted_rand_score(a, b) for a, b in combinations(runs, 2)]
        rows.append((k, float(np.mean(ari))))
    scores = pd.DataFrame(rows, columns=["k", "stability"])
    if len(scores):
        stable = scores[scores["stability"] >= threshold]
        k = int(stable["k"].max()) if len(stable) else int(
            scores.sort_values(["stability", "k"], ascending=[False, True]).iloc[0]["k"])
        labels = KMeans(k, n_init=n_seeds, random_state=int(states[0])).fit_predict(emb)
    else:
        k, labels = 1, np.zeros(n, dtype=np.int64)
    scores["chosen"] = scores["k"] == k

    # renumber: 0 = largest group, ties by first person
    order = sorted(range(k), key=lambda g: (-(labels == g).sum(), np.argmax(labels == g)))
    labels = np.argsort(order)[labels]
    series = pd.Series(labels.astype(np.int64), index=people, name="group")
    all_people = pd.unique(profiles["person"])
    series = series.reindex(all_people, fill_value=NO_SKILLS)

    binary = (x > 0).astype(np.float64)
    overall = np.asarray(binary.mean(axis=0)).ravel()
    top = {}
    for g in range(k):
        share = np.asarray(binary[labels == g].mean(axis=0)).ravel()
        lift = share - overall
        best = [j for j in np.lexsort((np.arange(len(lift)), -lift))[:5] if lift[j] > 0]
        top[g] = [pm.skills[j] for j in best]
    return PeopleGroups(series, k, top, scores)
