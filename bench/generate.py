"""Synthetic cooperatives with planted skill families, for the benchmarks.

``planted_profiles`` draws long-form profiles (``person``, ``skill``,
``level``, ``wants_to_grow``) from a simple latent model:

* skills are split into ``n_families`` families of uneven size, plus a few
  *transversal* skills (think "teamwork", "basic computer use") held by
  people of every family with the same probability;
* every person belongs to one primary family, some (``p_two_families``) to a
  second one as well, where they hold skills at half the rate;
* inside a family, skill popularity follows a Zipf law, so there are popular
  and rare skills;
* ``noise`` random skills per person (Poisson mean) come from any family;
* some people have a wish: a level-0 row on a skill of their family they do
  not hold (``wants_to_grow`` True).

The truth Series maps every skill to its family; transversal skills get
label ``-1``. How the benchmarks treat that label in NMI is documented in
``bench_engine.py``: they are excluded from the headline NMI and counted as
their own family in the second figure.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["planted_profiles"]


def planted_profiles(n_people, n_skills, n_families, *, seed=0, n_transversal=None,
                     skills_per_person=8.0, p_two_families=0.15, noise=1.0,
                     wish_rate=0.3, zipf=1.0, transversal_prevalence=(0.1, 0.5),
                     with_people=False):
    """Draw profiles with planted skill families.

    Parameters
    ----------
    n_people, n_skills, n_families : int
        Size of the cooperative. ``n_skills`` includes the transversal ones.
    seed : int
        Seed of the only random generator used.
    n_transversal : int, optional
        Number of transversal skills; default ``max(2, min(8, n_skills // 40))``.
    skills_per_person : float
        Expected number of primary-family skills per person (before clipping).
    p_two_families : float
        Share of people who also belong to a second family.
    noise : float
        Mean number of random (any family) skills per person.
    wish_rate : float
        Share of people with one level-0 wish.
    zipf : float
        Exponent of skill popularity inside a family.
    transversal_prevalence : (float, float)
        Each transversal skill is held by a share of everyone drawn uniformly
        from this range, independently of family.
    with_people : bool
        Also return a Series person -> primary family.

    Returns
    -------
    profiles : DataFrame
        Columns ``person``, ``skill``, ``level``, ``wants_to_grow``.
    truth : Series
        Skill -> family (``-1`` for transversal skills).
    people : Series, only if ``with_people``
        Person -> primary family.
    """
    rng = np.random.default_rng(seed)
    n_t = max(2, min(8, n_skills // 40)) if n_transversal is None else n_transversal
    n_fam_skills = n_skills - n_t
    if n_fam_skills < 3 * n_families:
        raise ValueError("need at least 3 non-transversal skills per family")

    # uneven family sizes, at least 3 skills each
    share = rng.uniform(0.6, 1.4, n_families)
    sizes = np.maximum(3, np.floor(share / share.sum() * n_fam_skills).astype(int))
    sizes[-1] = n_fam_skills - sizes[:-1].sum()
    starts = np.concatenate([[0], np.cumsum(sizes)])
    skill_family = np.repeat(np.arange(n_families), sizes)
    # shuffled labels, so that label order says nothing about families
    skill_ids = np.array([f"s{i:05d}" for i in rng.permutation(n_skills)])

    people_ids = np.array([f"p{i:06d}" for i in range(n_people)])
    fam_weight = rng.uniform(0.6, 1.4, n_families)
    primary = rng.choice(n_families, size=n_people, p=fam_weight / fam_weight.sum())
    second = np.where(rng.random(n_people) < p_two_families,
                      (primary + rng.integers(1, n_families, n_people)) % n_families, -1)

    rows_p, rows_s = [], []
    for f in range(n_families):
        m = sizes[f]
        w = 1.0 / np.arange(1, m + 1) ** zipf
        w = w[rng.permutation(m)]
        p = np.clip(skills_per_person * w / w.sum(), 0.0, 0.95)
        for members, rate in ((np.flatnonzero(primary == f), 1.0),
                              (np.flatnonzero(second == f), 0.5)):
            if len(members) == 0:
                continue
            hit = rng.random((len(members), m)) < p * rate
            r, c = np.nonzero(hit)
            rows_p.append(members[r])
            rows_s.append(starts[f] + c)
    prevalence = rng.uniform(*transversal_prevalence, n_t)
    hit = rng.random((n_people, n_t)) < prevalence
    r, c = np.nonzero(hit)
    rows_p.append(r)
    rows_s.append(n_fam_skills + c)
    n_noise = rng.poisson(noise, n_people)
    rows_p.append(np.repeat(np.arange(n_people), n_noise))
    rows_s.append(rng.integers(0, n_fam_skills, n_noise.sum()))

    pairs = np.unique(np.stack([np.concatenate(rows_p), np.concatenate(rows_s)]), axis=1)
    pp, ss = pairs
    levels = rng.choice([1, 2, 3, 4, 5], size=len(pp), p=[0.15, 0.25, 0.3, 0.2, 0.1])
    grow = rng.random(len(pp)) < 0.1

    # wishes: one primary-family skill the person does not hold
    wishers = np.flatnonzero(rng.random(n_people) < wish_rate)
    f = primary[wishers]
    wish_skill = starts[f] + (rng.random(len(wishers)) * sizes[f]).astype(int)
    held = set(zip(pp.tolist(), ss.tolist()))
    keep = np.array([(a, b) not in held for a, b in zip(wishers.tolist(), wish_skill.tolist())],
                    dtype=bool)
    wishers, wish_skill = wishers[keep], wish_skill[keep]

    profiles = pd.DataFrame({
        "person": people_ids[np.concatenate([pp, wishers])],
        "skill": skill_ids[np.concatenate([ss, wish_skill])],
        "level": np.concatenate([levels, np.zeros(len(wishers), dtype=int)]),
        "wants_to_grow": np.concatenate([grow, np.ones(len(wishers), dtype=bool)]),
    })
    truth = pd.Series(np.concatenate([skill_family, np.full(n_t, -1)]), index=skill_ids,
                      name="family")
    if with_people:
        return profiles, truth, pd.Series(primary, index=people_ids, name="family")
    return profiles, truth
