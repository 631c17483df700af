"""Team builder: choose the people who best cover a project's requirements.

A requirement asks for ``count`` people with skill ``skill`` at level
``min_level`` or above, with importance ``weight``. A person at level ``l``
earns credit 1 if ``l >= min_level``, ``l / (2 * min_level)`` if
``0 < l < min_level`` (partial credit) and 0 without the skill (level 0 is a
wish, not a skill). The coverage of one requirement is
``min(count, sum of the members' credits) / count``; the team's coverage is
the weighted mean over requirements, a number in [0, 1]. Several requirements
may name the same skill at different levels; each is scored on its own.
No requirements means nothing to cover: the coverage is 0.0.

Coverage is a monotone submodular function of the team, so the solver is a
lazy greedy (exact marginal gains, re-evaluated only for candidates whose
upper bound could still win) followed by a 1-swap local search over the
strongest candidates of each requirement. ``bench/bench_teams.py`` compares it
with the exact integer program.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .convert import validate_profiles

__all__ = ["TeamSuggestion", "team_coverage", "suggest_team"]

_TOL = 1e-12
_BLOCK = 64        # candidates whose exact gain is computed per greedy step
_POOL_PER_REQ = 40  # swap candidates kept per requirement


@dataclass
class TeamSuggestion:
    """A suggested team and why it was chosen.

    Attributes
    ----------
    members : list
        Person ids, at most ``team_size``: ``must_include`` first, then in the
        order the solver settled them.
    coverage : float
        ``team_coverage`` of ``members`` (exactly the same number).
    per_requirement : DataFrame
        One row per requirement (the requirements' index): ``skill``,
        ``min_level``, ``weight``, ``count``, ``coverage`` and ``covered_by``,
        a list of ``(person, level, credit)`` with the best credit first.
    explanations : dict
        person -> ``{"covers": [(skill, level, min_level, credit), ...],
        "loss": float, "text": str}``; ``loss`` is the coverage the team would
        lose without that person. ``covers`` and ``loss`` let the app write
        the sentence in Italian; ``text`` is plain English.
    alternatives : list of TeamSuggestion
        Further good teams, each differing by at least one member, best first.
    uncovered : DataFrame
        Requirements nobody in the candidate pool holds at any level.
    growth : list of dict
        Growth places, outside ``members`` and ``coverage``: ``person``,
        ``skill``, ``level``, ``min_level``, ``mentor``, ``mentor_level``.
    """

    members: list
    coverage: float
    per_requirement: pd.DataFrame
    explanations: dict
    alternatives: list = field(default_factory=list)
    uncovered: pd.DataFrame = field(default_factory=pd.DataFrame)
    growth: list = field(default_factory=list)


# ----------------------------------------------------------------- inputs

def _requirements(requirements: pd.DataFrame) -> pd.DataFrame:
    """Validated copy of the requirements with ``weight`` and ``count``."""
    if not isinstance(requirements, pd.DataFrame):
        raise TypeError("requirements must be a pandas DataFrame")
    missing = [c for c in ("skill", "min_level") if c not in requirements.columns]
    if missing:
        raise ValueError(f"requirements lacks column(s): {', '.join(missing)}")
    out = pd.DataFrame(index=requirements.index)
    out["skill"] = requirements["skill"]
    if out["skill"].isna().any():
        raise ValueError("requirements: skill must not be empty")
    for col, default, low in (("min_level", None, 1), ("weight", 1.0, 0), ("count", 1, 1)):
        values = requirements[col] if col in requirements.columns else default
        num = pd.to_numeric(pd.Series(values, index=out.index, dtype=object), errors="coerce")
        if num.isna().any() or (num < low).any() or not np.isfinite(num.to_numpy(float)).all():
            raise ValueError(f"requirements: {col} must be a number >= {low}")
        if col != "weight" and (num != np.floor(num)).any():
            raise ValueError(f"requirements: {col} must be a whole number")
        out[col] = num.astype(float if col == "weight" else np.int64)
    if (out["min_level"] > 5).any():
        raise ValueError("requirements: min_level must be from 1 to 5")
    if len(out) and out["weight"].sum() <= 0:
        raise ValueError("requirements: weights must not all be zero")
    return out


def _credit(level, min_level):
    level = np.asarray(level, dtype=float)
    need = np.asarray(min_level, dtype=float)
    return np.where(level >= need, 1.0, np.where(level > 0, level / (2 * need), 0.0))


@dataclass
class _Instance:
    req: pd.DataFrame
    rows: pd.DataFrame   # validated profile rows of required skills (wishes too)
    people: list         # label of each row of C
    C: np.ndarray        # people x requirements credit matrix

    def value(self, idx) -> float:
        """Coverage of the team made of rows ``idx`` of C (order matters for rounding)."""
        if not len(self.req):
            return 0.0
        cur = self.C[list(idx)].sum(axis=0) if len(idx) else np.zeros(len(self.req))
        c = self.req["count"].to_numpy(float)
        w = self.req["weight"].to_numpy(float)
        return float((w * np.minimum(cur, c) / c).sum() / w.sum())


def _instance(profiles, requirements, persons=None, extra=()) -> _Instance:
    """Read only the profile rows of required skills (and ``persons`` if given).

    Rows of other skills are neither copied nor validated: that is what keeps
    100,000 people fast.
    """
    req = _requirements(requirements)
    if not isinstance(profiles, pd.DataFrame):
        raise TypeError("profiles must be a pandas DataFrame")
    missing = [c for c in ("person", "skill", "level") if c not in profiles.columns]
    if missing:
        raise ValueError(f"profiles lacks column(s): {', '.join(missing)}")
    mask = profiles["skill"].isin(pd.unique(req["skill"]))
    if persons is not None:
        mask &= profiles["person"].isin(persons)
    rows = validate_profiles(profiles.loc[mask])
    holders = rows[rows["level"] >= 1]
    codes, uniques = pd.factorize(holders["person"])
    people = list(uniques) + [p for p in dict.fromkeys(extra) if p not in set(uniques)]
    C = np.zeros((len(people), len(req)))
    skills = pd.Index(pd.unique(req["skill"]))
    skill_of = skills.get_indexer(holders["skill"])
    levels = holders["level"].to_numpy()
    for r, (s, need) in enumerate(zip(req["skill"], req["min_level"])):
        hit = skill_of == skills.get_loc(s)
        C[codes[hit], r] = _credit(levels[hit], need)
    return _Instance(req, rows, people, C)


def team_coverage(profiles: pd.DataFrame, requirements: pd.DataFrame, members) -> float:
    """Coverage in [0, 1] of the requirements by a given team.

    People not in ``profiles`` count as covering nothing; a repeated member
    counts once. No requirements gives 0.0.

    Examples
    --------
    >>> import pandas as pd
    >>> prof = pd.DataFrame({"person": ["ann", "bob"], "skill": ["sql", "sql"],
    ...                      "level": [4, 1]})
    >>> req = pd.DataFrame({"skill": ["sql"], "min_level": [2], "count": [2]})
    >>> team_coverage(prof, req, ["ann"])            # 1 credit out of 2
    0.5
    >>> team_coverage(prof, req, ["ann", "bob"])     # bob: 1 / (2 * 2)
    0.625
    """
    members = list(dict.fromkeys(members))
    inst = _instance(profiles, requirements, persons=members)
    where = pd.Index(inst.people).get_indexer(members) if inst.people else np.full(len(members), -1)
    return inst.value(where[where >= 0])


# ----------------------------------------------------------------- solver

class _Solver:
    """Greedy + 1-swap on the dense credit matrix of the candidate pool."""

    def __init__(self, C, req, allowed, key, unit_codes, cap):
        self.C = C
        self.c = req["count"].to_numpy(float)
        w = req["weight"].to_numpy(float)
        self.a = w / (self.c * w.sum()) if len(w) else w
        self.allowed, self.key = allowed, key
        self.unit_codes, self.cap = unit_codes, cap
        self.n_units = int(unit_codes.max()) + 1 if len(unit_codes) else 0
        self.single = np.minimum(C, self.c) @ self.a
        self._pool = None

    def _val(self, cur):
        return float(np.minimum(cur, self.c) @ self.a)

    def _gains(self, cur, idx):
        return (np.minimum(cur + self.C[idx], self.c) - np.minimum(cur, self.c)) @ self.a

    def _unit_ok(self, count):
        if self.cap is None:
            return np.ones(len(self.C), bool)
        u = self.unit_codes
        return (u < 0) | (count[np.maximum(u, 0)] < self.cap)

    def _count(self, members):
        u = self.unit_codes[members] if members else np.array([], int)
        return np.bincount(u[u >= 0], minlength=self.n_units)

    def pool(self, k):
        """Swap candidates: the strongest few of each requirement, by seeded tie-break."""
        if self._pool is None:
            ok = np.flatnonzero(self.allowed & (self.single > 0))
            m = max(_POOL_PER_REQ, 4 * k)
            tie = self.key[ok] / (len(self.key) + 1) * 1e-6
            picks = [ok[np.argsort(-(self.single[ok] - tie), kind="stable")[:m]]]
            for r in range(self.C.shape[1]):
                score = self.C[ok, r] + 1e-3 * self.single[ok] - tie
                top = np.argpartition(-score, m)[:m] if len(ok) > m else np.arange(len(ok))
                picks.append(ok[top[self.C[ok[top], r] > 0]])
            pool = np.unique(np.concatenate(picks))
            self._pool = pool[np.argsort(self.key[pool], kind="stable")]
        return self._pool

    def solve(self, k, fixed=(), banned=()):
        members = list(fixed)
        cur = self.C[members].sum(axis=0) if members else np.zeros(self.C.shape[1])
        avail = self.allowed & (self.single > 0)
        avail[members] = False
        avail[list(banned)] = False
        bound = self.single.copy()
        while len(members) < k:      # lazy greedy
            cand = np.flatnonzero(avail & self._unit_ok(self._count(members)))
            if not len(cand):
                break
            top = cand[np.argpartition(-bound[cand], _BLOCK)[:_BLOCK]] if len(cand) > _BLOCK else cand
            bound[top] = self._gains(cur, top)
            while True:
                best = bound[top].max()
                hi = cand[bound[cand] >= best - _TOL]
                new = np.setdiff1d(hi, top, assume_unique=True)
                if not len(new):
                    break
                bound[new] = self._gains(cur, new)
                top = np.union1d(top, new)
            if best <= _TOL:
                break
            pick = int(hi[np.argmin(self.key[hi])])
            members.append(pick)
            cur = cur + self.C[pick]
            avail[pick] = False
        return self._swap(members, cur, k, len(fixed), banned)

    def _swap(self, members, cur, k, n_fixed, banned):
        pool = self.pool(k)
        pool = pool[~np.isin(pool, list(banned))]
        Cp = self.C[pool]
        while len(members) > n_fixed and len(pool):
            free = members[n_fixed:]
            base = cur - self.C[free]                                  # (m, R)
            vals = np.minimum(base[:, None, :] + Cp[None, :, :], self.c) @ self.a
            vals[:, np.isin(pool, members)] = -np.inf
            if self.cap is not None:
                count = self._count(members)
                um, up = self.unit_codes[free][:, None], self.unit_codes[pool][None, :]
                full = (up >= 0) & (count[np.maximum(up, 0)] - (um == up) >= self.cap)
                vals[full] = -np.inf
            i, j = np.unravel_index(np.argmax(vals), vals.shape)
            if vals[i, j] <= self._val(cur) + _TOL:
                break
            members[n_fixed + i] = int(pool[j])
            cur = base[i] + Cp[j]
        return members


# ----------------------------------------------------------------- output

def _fmt_cover(skill, level, need, credit):
    if credit >= 1:
        return f"{skill} at level {level} (needs {need})"
    return f"{skill} at level {level} (needs {need}, partial credit {credit:.2f})"


def _describe(inst, idx, levels, pool_mask):
    """per_requirement, explanations and the team's coverage for rows ``idx``."""
    req, C, people = inst.req, inst.C, inst.people
    total = inst.value(idx)
    per = req.copy()
    cov, by = [], []
    c = req["count"].to_numpy(float)
    for r, (s, need) in enumerate(zip(req["skill"], req["min_level"])):
        got = [(people[i], levels.get((people[i], s), 0), float(C[i, r])) for i in idx if C[i, r] > 0]
        by.append(sorted(got, key=lambda t: -t[2]))
        cov.append(min(c[r], sum(C[i, r] for i in idx)) / c[r])
    per["coverage"] = cov
    per["covered_by"] = by
    expl = {}
    for i in idx:
        p = people[i]
        covers = [(s, levels.get((p, s), 0), int(need), float(C[i, r]))
                  for r, (s, need) in enumerate(zip(req["skill"], req["min_level"])) if C[i, r] > 0]
        loss = total - inst.value([j for j in idx if j != i])
        if covers:
            text = (f"{p} covers " + "; ".join(_fmt_cover(*t) for t in covers)
                    + f". Without {p} the team would lose {100 * loss:.1f} points of coverage.")
        else:
            text = f"{p} was asked for in the team but covers no requirement."
        expl[p] = {"covers": covers, "loss": loss, "text": text}
    uncovered = req.loc[~(C[pool_mask] > 0).any(axis=0)] if len(req) else req
    return total, per, expl, uncovered


def _growth(inst, idx, levels, n, eligible):
    """Pair up to ``n`` people who want to grow in a required skill with a mentor."""
    if n <= 0 or not len(inst.req):
        return []
    members = [inst.people[i] for i in idx]
    rows = inst.rows
    rows = rows[(rows["wants_to_grow"] | (rows["level"] == 0))
                & ~rows["person"].isin(members) & eligible(rows["person"])]
    opts = []
    for r, (s, need, w) in enumerate(zip(inst.req["skill"], inst.req["min_level"], inst.req["weight"])):
        mentors = [(levels[(m, s)], m) for m in members if levels.get((m, s), 0) >= need]
        if not mentors:
            continue
        for p, lvl in rows.loc[(rows["skill"] == s) & (rows["level"] < need), ["person", "level"]].itertuples(index=False):
            opts.append((-w, -lvl, p, s, int(lvl), int(need), mentors))
    out, taken, load = [], set(), {}
    for _, _, p, s, lvl, need, mentors in sorted(opts, key=lambda t: t[:2]):
        if p in taken or len(out) >= n:
            continue
        mlvl, mentor = min(mentors, key=lambda t: (-t[0], load.get(t[1], 0), members.index(t[1])))
        load[mentor] = load.get(mentor, 0) + 1
        taken.add(p)
        out.append({"person": p, "skill": s, "level": lvl, "min_level": need,
                    "mentor": mentor, "mentor_level": int(mlvl)})
    return out


def _check_int(name, value, low):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(f"{name} must be a whole number >= {low}, got {value!r}")
    return int(value)


def suggest_team(profiles: pd.DataFrame, requirements: pd.DataFrame, team_size: int, *,
                 candidates=None, must_include=(), exclude=(), alternatives: int = 0,
                 seed: int = 0, max_per_unit: int | None = None, units=None,
                 growth_places: int = 0) -> TeamSuggestion:
    """Suggest the team of at most ``team_size`` people with the best coverage.

    Parameters
    ----------
    profiles : DataFrame
        Long-form profiles: ``person``, ``skill``, ``level`` and optionally
        ``wants_to_grow``. Only rows of required skills are read.
    requirements : DataFrame
        ``skill``, ``min_level`` (1-5), optional ``weight`` (default 1) and
        ``count`` (default 1).
    team_size : int
        Maximum number of members (>= 1). The team is smaller when nobody
        else would add coverage: nobody is added just to fill a seat.
    candidates : iterable, optional
        Only these people may be picked (``must_include`` is always in).
    must_include, exclude : iterable
        People always in the team / never in it, nor in a growth place.
    alternatives : int
        How many further teams to return: each one re-solves without one of
        the members who matter most (largest loss), duplicates dropped.
    seed : int
        Breaks ties between equally good candidates; same seed, same team.
    max_per_unit : int, optional
        At most this many members from one unit; needs ``units``.
    units : dict or Series, optional
        person -> unit. People without a unit are not capped.
    growth_places : int
        Up to this many extra places, outside ``members`` and ``coverage``,
        for people who want to grow in a required skill (``wants_to_grow``
        or a level-0 wish) and are below its ``min_level``, each paired with
        a member who meets that level as mentor (highest level first, then
        the mentor with fewest mentees). Higher-weight skills and people
        closer to the level come first; unit caps do not apply.

    Returns
    -------
    TeamSuggestion

    Raises
    ------
    ValueError
        On missing columns, ``team_size`` < 1, more ``must_include`` than
        ``team_size``, a person both included and excluded, an unknown
        ``must_include`` person, or a unit cap that ``must_include`` breaks.

    Examples
    --------
    A generalist looks best alone, but two specialists cover more:

    >>> import pandas as pd
    >>> prof = pd.DataFrame({"person": ["gen", "gen", "ann", "bob"],
    ...                      "skill": ["sql", "web", "sql", "web"],
    ...                      "level": [3, 3, 4, 4]})
    >>> req = pd.DataFrame({"skill": ["sql", "web"], "min_level": [4, 4]})
    >>> s = suggest_team(prof, req, 2)
    >>> sorted(s.members), s.coverage
    (['ann', 'bob'], 1.0)
    >>> s.explanations["ann"]["covers"], s.explanations["ann"]["loss"]
    ([('sql', 4, 4, 1.0)], 0.5)
    """
    team_size = _check_int("team_size", team_size, 1)
    alternatives = _check_int("alternatives", alternatives, 0)
    growth_places = _check_int("growth_places", growth_places, 0)
    must = list(dict.fromkeys(must_include))
    excl = set(exclude)
    if len(must) > team_size:
        raise ValueError(f"must_include has {len(must)} people but team_size is {team_size}")
    if excl & set(must):
        raise ValueError(f"must_include and exclude both name: {sorted(map(str, excl & set(must)))}")
    if max_per_unit is not None:
        max_per_unit = _check_int("max_per_unit", max_per_unit, 1)
        if units is None:
            raise ValueError("max_per_unit needs units (person -> unit)")
    inst = _instance(profiles, requirements, extra=must)
    unknown = set(must) - set(inst.rows["person"])
    if unknown:
        unknown -= set(profiles.loc[profiles["person"].isin(unknown), "person"])
        if unknown:
            raise ValueError(f"must_include names unknown people: {sorted(map(str, unknown))}")

    people = pd.Index(inst.people)
    allowed = ~people.isin(list(excl)) if excl else np.ones(len(people), bool)
    if candidates is not None:
        allowed &= people.isin(list(candidates))
    fixed = people.get_indexer(must).tolist()
    unit_codes = np.full(len(people), -1)
    if units is not None:
        unit_codes = pd.factorize(pd.Series(units).reindex(people))[0]
    if max_per_unit is not None:
        count = np.bincount(unit_codes[fixed][unit_codes[fixed] >= 0], minlength=1)
        if (count > max_per_unit).any():
            raise ValueError(f"must_include has more than {max_per_unit} people from one unit")
    key = np.random.default_rng(seed).permutation(len(people))
    solver = _Solver(inst.C, inst.req, np.asarray(allowed, bool), key, unit_codes, max_per_unit)
    pool_mask = np.asarray(allowed, bool).copy()
    pool_mask[fixed] = True

    def eligible(persons):
        ok = ~persons.isin(list(excl))
        return ok & persons.isin(list(candidates)) if candidates is not None else ok

    def build(idx):
        names = [inst.people[i] for i in idx]
        rows = inst.rows[inst.rows["person"].isin(names)]
        levels = dict(zip(zip(rows["person"], rows["skill"]), rows["level"].tolist()))
        total, per, expl, uncovered = _describe(inst, idx, levels, pool_mask)
        growth = _growth(inst, idx, levels, growth_places, eligible)
        return TeamSuggestion(names, total, per, expl, [], uncovered, growth)

    if not len(inst.req):
        return build(fixed)
    idx = solver.solve(team_size, fixed=fixed)
    best = build(idx)
    seen = {frozenset(idx)}
    by_loss = sorted(idx[len(fixed):], key=lambda i: -best.explanations[inst.people[i]]["loss"])
    for i in by_loss:
        if len(best.alternatives) >= alternatives:
            break
        alt = solver.solve(team_size, fixed=fixed, banned=[i])
        if frozenset(alt) not in seen:
            seen.add(frozenset(alt))
            best.alternatives.append(build(alt))
    best.alternatives.sort(key=lambda t: -t.coverage)
    return best
