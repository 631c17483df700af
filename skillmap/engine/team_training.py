"""Team suggestions under training requirements (a hard constraint).

A project may ask for a course valid until its end (HACCP for a kitchen, first aid
for a summer camp) for every member (``min_members`` missing) or for at least
``min_members`` of them. ``holders`` says who holds which course validly until then.

* "every member": only holders of all such courses are candidates.
* "at least N": the unconstrained best team is computed first; when it holds the
  course fewer than N times, its own holders are kept, the other holders with the
  largest coverage gain are added one by one up to N, and the team is solved again
  with them in (``must_include``); a few repairs are tried (the t-th starting from
  the t-th best holder) and the best team kept. Alternatives that break a constraint
  are dropped.

Coverage is :func:`skillmap.engine.teams.suggest_team`'s; ``TeamSuggestion.training``
says, per training requirement, who in the team holds it, how many were needed and how
many candidates hold it (0: "nobody available holds it", like an uncovered skill).
``bench/bench_teams.py`` compares these teams with the exact integer program under the
same constraints.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .teams import TeamSuggestion, suggest_team

__all__ = ["suggest_team_trained", "training_table"]


def _needs(training: pd.DataFrame) -> list[tuple]:
    out = []
    for row in training.to_dict("records"):
        n = row.get("min_members")
        out.append((row["course"], None if n is None or pd.isna(n) else int(n)))
    return out


def training_table(members, training: pd.DataFrame, holders: pd.DataFrame, team_size: int,
                   pool=None) -> pd.DataFrame:
    """Per training requirement: ``course``, ``min_members``, ``needed``, ``holders``
    (members who hold it), ``available`` (holders in ``pool``), ``met``."""
    held = holders.groupby("course")["person"].apply(set).to_dict() if len(holders) else {}
    rows = []
    for course, n in _needs(training):
        who = held.get(course, set())
        in_team = [p for p in members if p in who]
        needed = len(members) if n is None else min(n, team_size)
        available = len(who if pool is None else who & set(pool))
        met = (bool(members) and len(in_team) == len(members)) if n is None \
            else len(in_team) >= n
        rows.append({"course": course, "min_members": n, "needed": needed,
                     "holders": in_team, "available": available, "met": bool(met)})
    return pd.DataFrame(rows, columns=["course", "min_members", "needed", "holders",
                                       "available", "met"])


def _pad(profiles: pd.DataFrame, requirements: pd.DataFrame, people) -> pd.DataFrame:
    """Give people without a row of a required skill a zero row (the engine needs them)."""
    missing = [p for p in people if p not in set(profiles["person"])]
    if not missing or not len(requirements):
        return profiles
    pad = pd.DataFrame({"person": missing, "skill": requirements["skill"].iloc[0], "level": 0})
    if "wants_to_grow" in profiles.columns:
        pad["wants_to_grow"] = False
    return pd.concat([profiles, pad], ignore_index=True)


#: repairs tried: the t-th one starts from the t-th best first holder
_TRIALS = 3


def _gains(rows: pd.DataFrame, requirements: pd.DataFrame, forced, options) -> np.ndarray:
    """Coverage of ``forced + [p]`` for each ``p`` of ``options``, in one vectorised pass
    (the coverage formula of :mod:`skillmap.engine.teams`)."""
    people = list(forced) + list(options)
    best = (rows[rows["person"].isin(people)].groupby(["person", "skill"])["level"].max())
    need = requirements["min_level"].to_numpy(float)
    count = (requirements["count"] if "count" in requirements else
             pd.Series(1, index=requirements.index)).to_numpy(float)
    weight = (requirements["weight"] if "weight" in requirements else
              pd.Series(1.0, index=requirements.index)).to_numpy(float)
    pos = {p: i for i, p in enumerate(people)}
    C = np.zeros((len(people), len(requirements)))
    for r, skill in enumerate(requirements["skill"]):
        lv = best.xs(skill, level="skill") if skill in best.index.get_level_values(1) else None
        if lv is None:
            continue
        idx = [pos[p] for p in lv.index]
        vals = lv.to_numpy(float)
        C[idx, r] = np.where(vals >= need[r], 1.0, np.where(vals > 0, vals / (2 * need[r]), 0))
    base = C[:len(forced)].sum(axis=0)
    cover = np.minimum(count, base[None, :] + C[len(forced):]) / count
    return cover @ weight / weight.sum() if weight.sum() else np.zeros(len(options))


def _force(members, must, needy, held, pool, rows, requirements, team_size, trial):
    """The people a repaired team must include: ``must``, the members who already hold a
    needed course, then the holders of largest coverage gain (trial ``t`` takes the t-th
    best first); None when the trial has no such first choice."""
    forced = list(must)
    first = True
    for course, n in needy:
        who = held.get(course, set())
        forced += [p for p in members if p in who and p not in forced]
        options = sorted((p for p in who & pool if p not in forced), key=str)
        while sum(p in who for p in forced) < n and options and len(forced) < team_size:
            gains = _gains(rows, requirements, forced, options)
            ranked = [options[i] for i in np.lexsort((np.arange(len(options)), -gains))]
            pick = trial if first else 0
            if pick >= len(ranked):
                return None
            forced.append(ranked[pick])
            options.remove(ranked[pick])
            first = False
    if first and trial:
        return None  # nothing was chosen: every trial would be the same
    return forced


def suggest_team_trained(profiles: pd.DataFrame, requirements: pd.DataFrame, team_size: int, *,
                         training: pd.DataFrame, holders: pd.DataFrame, candidates=None,
                         must_include=(), exclude=(), **kw) -> TeamSuggestion:
    """:func:`suggest_team` with training requirements as hard constraints.

    Examples
    --------
    Ann is the better cook but only Bob holds HACCP, which everyone needs:

    >>> prof = pd.DataFrame({"person": ["ann", "bob"], "skill": ["cook", "cook"],
    ...                      "level": [5, 3]})
    >>> req = pd.DataFrame({"skill": ["cook"], "min_level": [4]})
    >>> tr = pd.DataFrame({"course": ["HACCP"], "min_members": [None]})
    >>> hold = pd.DataFrame({"person": ["bob"], "course": ["HACCP"]})
    >>> s = suggest_team_trained(prof, req, 1, training=tr, holders=hold)
    >>> s.members, bool(s.training["met"].all())
    (['bob'], True)
    """
    needs = _needs(training)
    people = set(profiles["person"])
    pool = set(people if candidates is None else candidates) - set(exclude)
    held = holders.groupby("course")["person"].apply(set).to_dict() if len(holders) else {}
    for course, n in needs:
        if n is None:
            pool &= held.get(course, set())
    must = list(dict.fromkeys(must_include))
    cands = sorted(pool | set(must), key=str)
    result = suggest_team(profiles, requirements, team_size, candidates=cands,
                          must_include=must, exclude=exclude, **kw)
    needy = [(c, n) for c, n in needs if n is not None
             and sum(p in held.get(c, set()) for p in result.members) < n]
    if needy:
        # only the required skills matter to the coverage: score on those rows alone
        rows = profiles[profiles["skill"].isin(set(requirements["skill"]))]
        best = None
        for trial in range(_TRIALS):
            forced = _force(result.members, must, needy, held, pool, rows, requirements,
                            team_size, trial)
            if forced is None:
                break
            team = suggest_team(_pad(profiles, requirements, forced), requirements, team_size,
                                candidates=cands, must_include=forced, exclude=exclude, **kw)
            if best is None or team.coverage > best.coverage + 1e-12:
                best = team
        result = best if best is not None else result
    result.training = training_table(result.members, training, holders, team_size, pool)
    result.alternatives = [
        alt for alt in result.alternatives
        if training_table(alt.members, training, holders, team_size, pool)["met"].all()]
    for alt in result.alternatives:
        alt.training = training_table(alt.members, training, holders, team_size, pool)
    return result
