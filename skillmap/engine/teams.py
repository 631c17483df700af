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
upper bound could still win; a vectorised stand-in for the usual heap)
followed by a 1-swap local search over the strongest candidates of each
requirement. The swap search keeps a short tabu memory so that it can walk
past the first local optimum (plain 1-swap stopped up to 8% short on
tie-heavy instances). The pool drops people whom ``k + 1`` others match or
beat on every requirement (they are never needed), which also removes the
copies of interchangeable people that made the search wander. After the
first tabu search, a few ruin-and-recreate restarts (drop some members at
random, refill greedily without them, tabu again; seeds derived from
``seed``) escape optima that need several members changed at once (scarce
skills: one search stopped at 96.9% of the optimum). The restarts run under
a budget counted in swap values computed, not in seconds, so the same input
and seed give the same team on any machine.

The search also stops as soon as the team reaches an upper bound on every
team's coverage (each requirement taking its own best people, or the
Lagrangian bound from the dual of the linear relaxation, solved once per
search by HiGHS on the pool): then no team is better, and about half the
instances stop there, most before the first tabu search ends. The same
dual bounds, with one person forced in, drop from the restarts everyone who
cannot be part of a better team than the best one found. ``bench/bench_teams.py``
compares the result with the exact integer program (HiGHS): an exact solve on
the pool was tried and dropped, as HiGHS took from 15 ms to several seconds
on the same pool sizes, and only a clock could cap it.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import linprog

from .convert import validate_profiles

__all__ = ["TeamSuggestion", "UnitCapExceeded", "team_coverage", "suggest_team"]

_TOL = 1e-12
_GAP = 1e-9       # a team this close to an upper bound is optimal: stop searching
_BLOCK = 64        # candidates whose exact gain is computed per greedy step
_POOL_PER_REQ = 100  # local-search candidates kept per requirement (at least 4 x team)
_TABU_ITERS = 800   # at most this many swap rounds ...
_TABU_PATIENCE = 50  # ... stopping after this many without a better team
_RESTARTS = 6       # ruin-and-recreate restarts after the first tabu search ...
_RESTART_PATIENCE = 60  # ... each with a shorter patience ...
_RESTART_STALE = 3  # ... and until this many in a row found nothing better ...
_RESTART_WORK = 4_000_000  # ... while (members x pool nonzeros x rounds) stays below this
_TENURE = 10       # rounds a person who left stays out (drawn from TENURE..2 TENURE)

class UnitCapExceeded(ValueError):
    """The people who must be in the team already break ``max_per_unit``."""


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
    training : DataFrame
        Training requirements and who meets them (empty unless the team was built by
        :func:`skillmap.engine.team_training.suggest_team_trained`).
    """

    members: list
    coverage: float
    per_requirement: pd.DataFrame
    explanations: dict
    alternatives: list = field(default_factory=list)
    uncovered: pd.DataFrame = field(default_factory=pd.DataFrame)
    growth: list = field(default_factory=list)
    training: pd.DataFrame = field(default_factory=pd.DataFrame)


# ----------------------------------------------------------------- inputs

def _requirements(requirements: pd.DataFrame) -> pd.DataFrame:
    """Validated copy of the requirements with ``weight`` and ``count``."""
    if not isinstance(requirements, pd.DataFrame):
        raise TypeError("requirements must be a pandas DataFrame")
    missing = [c for c in ("skill", "min_level") if c not in requirements.columns]
    if missing:
        raise ValueError(f"requirements lacks column(s): {', '.join(missing)}")
    skill = requirements["skill"]
    if skill.isna().any():
        raise ValueError("requirements: skill must not be empty")
    cols = {"skill": skill}
    for col, default, low in (("min_level", None, 1), ("weight", 1.0, 0), ("count", 1, 1)):
        values = requirements[col] if col in requirements.columns else default
        if isinstance(values, pd.Series) and values.dtype.kind in "iuf":
            num = values.to_numpy(float, na_value=np.nan)     # the usual case: no conversion
        else:
            num = pd.to_numeric(pd.Series(values, index=requirements.index, dtype=object),
                                errors="coerce").to_numpy(float)
        if not np.isfinite(num).all() or (num < low).any():
            raise ValueError(f"requirements: {col} must be a number >= {low}")
        if col != "weight" and (num != np.floor(num)).any():
            raise ValueError(f"requirements: {col} must be a whole number")
        cols[col] = num if col == "weight" else num.astype(np.int64)
    out = pd.DataFrame(cols, index=requirements.index)
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
    rows: pd.DataFrame   # validated rows of required skills, person/skill as codes
    people: pd.Index     # person label of each code (= row of C)
    rskill: np.ndarray   # skill code of each requirement
    C: np.ndarray        # people x requirements credit matrix

    def __post_init__(self):
        self.c = self.req["count"].to_numpy(float)
        self.w = self.req["weight"].to_numpy(float)

    def value(self, idx) -> float:
        """Coverage of the team made of rows ``idx`` of C (order matters for rounding)."""
        if not len(self.req):
            return 0.0
        cur = self.C[list(idx)].sum(axis=0) if len(idx) else np.zeros(len(self.req))
        return float((self.w * np.minimum(cur, self.c) / self.c).sum() / self.w.sum())

    @property
    def level_matrix(self) -> np.ndarray:
        """People x required skills: the level of every row (0: no row, or a wish)."""
        if getattr(self, "_levels", None) is None:
            L = np.zeros((len(self.people), int(self.rskill.max()) + 1 if len(self.rskill) else 0),
                         dtype=np.int64)
            L[self.rows["person"].to_numpy(), self.rows["skill"].to_numpy()] = \
                self.rows["level"].to_numpy()
            self._levels = L
        return self._levels

    def levels(self, idx) -> dict:
        """(person code, skill code) -> level for the people ``idx`` (levels above 0)."""
        idx = list(idx)
        sub = self.level_matrix[idx]
        r, c = np.nonzero(sub)
        return dict(zip(zip(np.asarray(idx)[r].tolist(), c.tolist()), sub[r, c].tolist()))


def _skill_codes(column, skills: pd.Index) -> np.ndarray:
    """Position in ``skills`` of every row's skill, -1 for other skills.

    One hash pass over the column (the dominant cost on a million string
    rows); a categorical column only looks up its categories.
    """
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy()
        lookup = np.append(skills.get_indexer(column.cat.categories), -1)
        return lookup[codes]                      # code -1 (missing) -> the appended -1
    return skills.get_indexer(column)


def _instance(profiles, requirements, persons=None, extra=()) -> _Instance:
    """Read only the profile rows of required skills (and ``persons`` if given).

    Rows of other skills are neither copied nor validated: that is what keeps
    100,000 people fast. The selected rows are taken column by column as numpy
    arrays (no copy of the whole frame), people and skills become integer
    codes, and levels are checked on those rows only; duplicate (person,
    skill) rows, which are rare, go through ``validate_profiles`` (highest
    level kept).
    """
    req = _requirements(requirements)
    if not isinstance(profiles, pd.DataFrame):
        raise TypeError("profiles must be a pandas DataFrame")
    missing = [c for c in ("person", "skill", "level") if c not in profiles.columns]
    if missing:
        raise ValueError(f"profiles lacks column(s): {', '.join(missing)}")
    skills = pd.Index(pd.unique(req["skill"]))
    skill_code = _skill_codes(profiles["skill"], skills)
    mask = skill_code >= 0
    if persons is not None:
        mask &= profiles["person"].isin(persons).to_numpy()
    take = np.flatnonzero(mask)
    codes, people = pd.factorize(profiles["person"].take(take).to_numpy())
    people = pd.Index(people)
    extra = [p for p in dict.fromkeys(extra) if p not in people]
    if extra:
        people = people.append(pd.Index(extra, dtype=object if people.dtype == object else None))
    level = profiles["level"].take(take)
    if not pd.api.types.is_numeric_dtype(level.dtype) or pd.api.types.is_bool_dtype(level.dtype):
        level = pd.to_numeric(level, errors="coerce")
    level = level.to_numpy(float, na_value=np.nan)
    if np.isnan(level).any() or ((level < 0) | (level > 5)).any():
        raise ValueError("level must be a number from 0 to 5")
    if "wants_to_grow" in profiles.columns:
        grow = profiles["wants_to_grow"].take(take).fillna(False).to_numpy(bool)
    else:
        grow = np.zeros(len(take), bool)
    rows = pd.DataFrame({"person": codes, "skill": skill_code[take],
                         "level": level.astype(np.int64), "wants_to_grow": grow})
    if (codes < 0).any():
        rows = rows[codes >= 0].reset_index(drop=True)   # a row without a person is nobody's
    key = rows["person"].to_numpy() * len(skills) + rows["skill"].to_numpy()
    if len(key) and np.bincount(key).max() > 1:
        rows = validate_profiles(rows)
    pc, sc, lv = (rows[c].to_numpy() for c in ("person", "skill", "level"))
    held = lv >= 1
    pc, sc, lv = pc[held], sc[held], lv[held]
    C = np.zeros((len(people), len(req)), order="F")
    rskill = skills.get_indexer(req["skill"])
    need = req["min_level"].to_numpy()
    left = np.arange(len(req))
    while len(left):            # one pass per requirement naming a skill again (rare)
        _, first = np.unique(rskill[left], return_index=True)
        layer, left = left[first], np.delete(left, first)
        req_of = np.full(len(skills), -1)
        req_of[rskill[layer]] = layer
        r = req_of[sc]
        hit = r >= 0
        C[pc[hit], r[hit]] = _credit(lv[hit], need[r[hit]])
    return _Instance(req, rows, people, rskill, C)


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
    where = inst.people.get_indexer(members)
    return inst.value(where[where >= 0])


# ----------------------------------------------------------------- solver

class _Solver:
    """Lazy greedy on every candidate, then local search on a small pool.

    The pool keeps, for each requirement, its strongest candidates (plus the
    strongest overall and the greedy team); the 1-swap search with a short
    tabu memory runs on that pool only. Everything is a numpy operation on a
    people x requirements matrix; ties go to the candidate with the smallest
    seeded key, and the tabu tenures are drawn from the same seed.
    """

    def __init__(self, C, req, allowed, key, unit_codes, cap, seed):
        self.C = C
        self.c = req["count"].to_numpy(float)
        w = req["weight"].to_numpy(float)
        self.a = w / (self.c * w.sum()) if len(w) else w
        # credits are <= 1 <= count: no cap needed. einsum, not BLAS: on 100,000 rows a
        # threaded gemv cost 7 ms (and more when the machine is busy) against 1 ms
        self.single = np.einsum("ij,j->i", C, self.a)
        self.allowed = allowed & (self.single > 0)
        self.key, self.units, self.cap, self.seed = key, unit_codes, cap, seed
        self.n_units = int(unit_codes.max()) + 1 if len(unit_codes) else 0
        self._pool = None

    def _val(self, cur):
        return float(np.minimum(cur, self.c) @ self.a)

    def _gains(self, M, cur, idx):
        return (np.minimum(cur + M[idx], self.c) - np.minimum(cur, self.c)) @ self.a

    def _count(self, units, members):
        u = units[members] if len(members) else np.array([], int)
        return np.bincount(u[u >= 0], minlength=self.n_units)

    def _greedy(self, M, bound, avail, members, k, key, units):
        """Lazy greedy: exact gains only for candidates whose bound can still win."""
        cur = M[members].sum(axis=0) if members else np.zeros(M.shape[1])
        avail = avail.copy()
        avail[members] = False
        cand = np.flatnonzero(avail)
        bound, ckey, cunit = bound[cand], key[cand], units[cand]
        live = np.ones(len(cand), bool)
        while len(members) < k:
            ok = live
            if self.cap is not None:
                count = self._count(units, members)
                ok = live & ((cunit < 0) | (count[np.maximum(cunit, 0)] < self.cap))
            at = np.flatnonzero(ok)
            if not len(at):
                break
            top = at[np.argpartition(-bound[at], _BLOCK)[:_BLOCK]] if len(at) > 2 * _BLOCK else at
            bound[top] = self._gains(M, cur, cand[top])
            while True:
                best = bound[top].max()
                hi = at[bound[at] >= best - _TOL]
                new = np.setdiff1d(hi, top, assume_unique=True)
                if not len(new):
                    break
                bound[new] = self._gains(M, cur, cand[new])
                top = np.union1d(top, new)
            if best <= _TOL:
                break
            pick = hi[np.argmin(ckey[hi])]
            members.append(int(cand[pick]))
            cur = cur + M[cand[pick]]
            live[pick] = False
        return members

    def _bound(self, M, members, n_fixed, avail, k):
        """Upper bounds on the value of any team: fixed members plus ``avail`` rows.

        Returns ``(bound, forced)``: ``forced[p]`` bounds the teams that
        contain ``p`` (None when the cheap bound already matches ``members``).

        The smaller of two bounds: each requirement taking its own best
        ``k`` people, and the Lagrangian bound of the linear relaxation,
        ``sum_r c_r (a_r - l_r)+ + l . fixed + (top free-seat sum of M l)``,
        valid for every ``l >= 0``; ``l`` is the dual of the relaxation
        (HiGHS), but the bound itself is computed here, so it stays valid
        whatever the LP solver's accuracy. A team that reaches it is optimal
        and the search stops.
        """
        fixed = M[members[:n_fixed]].sum(axis=0) if n_fixed else np.zeros(M.shape[1])
        seats = k - n_fixed
        Mc = M[avail]
        if seats <= 0 or not len(Mc):
            return self._val(fixed), None
        seats = min(seats, len(Mc))
        top = -np.partition(-Mc, seats - 1, axis=0)[:seats] if seats < len(Mc) else Mc
        bound = self._val(fixed + top.sum(axis=0))
        if bound <= self._val(M[members].sum(axis=0)) + _TOL:
            return bound, None
        n, R = Mc.shape
        A = np.zeros((R + 1, n + R))
        A[:R, :n], A[:R, n:], A[R, :n] = -Mc.T, np.eye(R), 1.0
        res = linprog(np.concatenate([np.zeros(n), -self.a]), A_ub=A,
                      b_ub=np.append(fixed, seats), method="highs", options={"presolve": False},
                      bounds=np.column_stack([np.zeros(n + R), np.append(np.ones(n), self.c)]))
        if res.status != 0:
            return bound, None
        lam = np.maximum(-res.ineqlin.marginals[:R], 0)
        v = np.maximum(Mc @ lam, 0)
        kth = np.partition(v, n - seats)[n - seats]
        lagr = float(self.c @ np.maximum(self.a - lam, 0) + lam @ fixed
                     + np.partition(v, n - seats)[n - seats:].sum())
        # the bound with candidate p forced in: lagr - kth + v_p for p outside the top
        forced = np.full(len(M), -np.inf)
        forced[np.flatnonzero(avail)] = np.where(v >= kth, lagr, lagr - kth + v)
        return min(bound, lagr), forced

    def _tabu(self, M, members, n_fixed, avail, units, seed, patience=_TABU_PATIENCE,
              bound=np.inf):
        """1-swap local search that does not stop at the first local optimum.

        Every round takes the best swap (member out, candidate in): while one
        improves, this is plain best-improvement 1-swap search. At a local
        optimum it takes the least bad swap, and the person who just left may
        not come back for a while (unless that beats the best team), which
        walks the search off the optimum. Stops after ``patience`` rounds
        without a better team, or as soon as a team reaches ``bound`` (an
        upper bound: nothing better exists); returns the best team seen.
        """
        members = list(members)
        best = list(members)
        cur = M[members].sum(axis=0) if members else np.zeros(M.shape[1])
        best_val = self._val(cur)
        if len(members) == n_fixed or best_val >= bound - _GAP:
            return best
        cand = np.flatnonzero(avail)
        Mc = M[cand]
        # swap values through Mc's nonzeros only: a pool member holds few required
        # skills. Gain of adding credit x to r where the team is at b: a_r min(x, c_r - b)+.
        nz_row, nz_col = np.nonzero(Mc)      # row-major: each candidate's nonzeros together
        a_val = self.a[nz_col] * Mc[nz_row, nz_col]
        starts = np.searchsorted(nz_row, np.arange(len(cand)))      # every candidate has one
        buf = np.empty((len(members) - n_fixed, len(nz_row)))       # reused: no page faults
        where = np.full(len(M), -1)
        where[cand] = np.arange(len(cand))
        until = np.zeros(len(cand), int)
        full = float(self.a @ self.c)
        tenure = np.random.default_rng(seed).integers(_TENURE, 2 * _TENURE + 1, _TABU_ITERS)
        stale = 0
        for it in range(_TABU_ITERS):
            if stale >= patience or len(members) - n_fixed >= len(cand):
                break
            stale += 1
            free = members[n_fixed:]
            base = cur - M[free]
            room = np.subtract(self.c, base)
            np.maximum(room, 0, out=room)
            np.multiply(room, self.a, out=room)          # a_r (c_r - b_r)+
            np.take(room, nz_col, axis=1, out=buf)
            vals = np.add.reduceat(np.minimum(buf, a_val, out=buf), starts, axis=1)
            vals += (full - room.sum(axis=1))[:, None]   # + value of the team without i
            vals[:, where[free]] = -np.inf
            if self.cap is not None:
                count = self._count(units, members)
                um, up = units[free][:, None], units[cand][None, :]
                vals[(up >= 0) & (count[np.maximum(up, 0)] - (um == up) >= self.cap)] = -np.inf
            blocked = np.flatnonzero(until > it)
            if len(blocked):        # tabu, unless the swap beats the best team
                sub = vals[:, blocked]
                sub[sub <= best_val + _TOL] = -np.inf
                vals[:, blocked] = sub
            i, j = np.unravel_index(np.argmax(vals), vals.shape)
            if not np.isfinite(vals[i, j]):
                break
            until[where[free[i]]] = it + 1 + tenure[it]
            members[n_fixed + i] = int(cand[j])
            cur = base[i] + Mc[j]
            if vals[i, j] > best_val + _TOL:
                best, best_val, stale = list(members), float(vals[i, j]), 0
                if best_val >= bound - _GAP:
                    break
        return best

    def pool(self, k):
        """The strongest candidates of each requirement and overall (global rows).

        Within a requirement, credit first, then the candidate's value alone,
        then the seeded key.
        """
        if self._pool is None:
            m = max(_POOL_PER_REQ, 4 * k)
            single = self.single - self.key * (1e-6 / (len(self.key) + 1))
            single[~self.allowed] = -np.inf
            picks = [np.flatnonzero(self.allowed)] if self.allowed.sum() <= m else \
                [np.argpartition(-single, m)[:m]]
            for r in range(self.C.shape[1]):
                col = self.C[:, r]                      # C is column-major: a cheap read
                ok = np.flatnonzero((col > 0) & self.allowed)
                if len(ok) > m:
                    ok = ok[np.argpartition(-(col[ok] + 1e-3 * single[ok]), m)[:m]]
                picks.append(ok)
            pool = np.unique(np.concatenate(picks))
            pool = pool[np.argsort(self.key[pool], kind="stable")]
            if self.cap is None:
                self._pool = self._undominated(pool, k + 1)
            else:   # within one unit: swapping for someone of the same unit keeps the limit
                units = self.units[pool]
                keep = min(self.cap, k) + 1
                kept = np.concatenate([self._undominated(pool[units == u], keep if u >= 0 else k + 1)
                                       for u in np.unique(units)])
                self._pool = kept[np.argsort(self.key[kept], kind="stable")]
        return self._pool

    def _undominated(self, pool, keep):
        """Drop pool candidates that ``keep`` others at least as good make useless.

        People with the same credits are interchangeable: only the ``keep``
        with the smallest seeded key stay. A candidate whose credits are
        matched or beaten on every requirement by ``keep`` others (counting
        copies) is never needed either: a team of ``keep - 1`` can always
        swap it for one of them and lose nothing. With ``keep = k + 1`` this
        stays true when one more person is banned (alternatives). With unit caps
        it is applied within each unit (a swap inside a unit keeps every limit),
        with ``keep = cap + 1``: a team holds at most ``cap`` people of a unit.
        """
        M = self.C[pool]
        U, inv, mult = np.unique(M, axis=0, return_inverse=True, return_counts=True)
        order = np.argsort(inv, kind="stable")            # by pattern, then by key
        rank = np.empty(len(pool), int)
        rank[order] = np.arange(len(pool)) - np.repeat(np.cumsum(mult) - mult, mult)
        copies = np.minimum(mult, keep)
        dominated = np.zeros(len(U))
        for lo in range(0, len(U), 256):                   # blocks keep memory small
            ge = np.ones((len(U), min(256, len(U) - lo)), bool)
            for r in range(U.shape[1]):     # only where the candidate has credit: >= 0 holds
                cols = np.flatnonzero(U[lo:lo + 256, r] > 0)
                if len(cols):
                    ge[:, cols] &= U[:, r, None] >= U[None, lo + cols, r]
            ge[np.arange(lo, lo + ge.shape[1]), np.arange(ge.shape[1])] = False   # itself
            dominated[lo:lo + ge.shape[1]] = np.einsum("i,ij->j", copies, ge)   # no BLAS threads
        return pool[(rank < keep) & (dominated[inv] < keep)]

    def solve(self, k, fixed=(), banned=(), restarts=_RESTARTS):
        """Greedy on every candidate, then tabu search on the pool, then up to ``restarts``
        ruin-and-recreate restarts while they find better teams."""
        avail = self.allowed.copy()
        avail[list(banned)] = False
        avail[list(fixed)] = False
        members = self._greedy(self.C, self.single, avail, list(fixed), k, self.key, self.units)
        pool = self.pool(k)
        pool = np.concatenate([members, pool[avail[pool] & ~np.isin(pool, members)]]).astype(int)
        M, av, units, n_fixed = self.C[pool], avail[pool], self.units[pool], len(fixed)
        bound, forced = self._bound(M, list(range(len(members))), n_fixed, av, k)
        best = self._tabu(M, list(range(len(members))), n_fixed, av, units, self.seed,
                          bound=bound)
        best_val = self._val(M[best].sum(axis=0))
        if forced is not None:      # people who cannot be in a better team leave the search
            av = av & (forced > best_val + _GAP)
            av[best[n_fixed:]] = True
        rng = np.random.default_rng([self.seed, 1])
        nnz = int(np.count_nonzero(M[av]))
        work = 0                    # swap values computed by the restarts: a budget that,
        stale = 0
        for t in range(restarts):   # unlike a clock, gives the same team on every machine
            free = len(best) - n_fixed
            if (free < 2 or work >= _RESTART_WORK or best_val >= bound - _GAP
                    or stale >= _RESTART_STALE):
                break
            stale += 1
            work += free * nnz * 2 * _RESTART_PATIENCE     # about two patiences per restart
            out = n_fixed + rng.choice(free, int(rng.integers(1, free // 2 + 1)) + (free > 3),
                                       replace=False)
            keep = [m for i, m in enumerate(best) if i not in set(out.tolist())]
            ban = av.copy()
            ban[[best[i] for i in out]] = False
            team = self._greedy(M, self.single[pool], ban, keep, k, self.key[pool], units)
            team = self._tabu(M, team, n_fixed, av, units, [self.seed, 2, t], _RESTART_PATIENCE,
                              bound)
            val = self._val(M[team].sum(axis=0))
            if val > best_val + _TOL:
                best, best_val, stale = team, val, 0
                if forced is not None:
                    av = av & (forced > best_val + _GAP)
                    av[best[n_fixed:]] = True
        return pool[best].tolist()


# ----------------------------------------------------------------- output

def _fmt_cover(skill, level, need, credit):
    if credit >= 1:
        return f"{skill} at level {level} (needs {need})"
    return f"{skill} at level {level} (needs {need}, partial credit {credit:.2f})"


def _describe(inst, idx, pool_mask):
    """Coverage, per_requirement, explanations and uncovered for the rows ``idx``."""
    req, C = inst.req, inst.C
    names = inst.people[list(idx)].tolist()
    levels = inst.levels(idx)
    total = inst.value(idx)
    c = req["count"].to_numpy(float)
    table = list(zip(req["skill"].tolist(), inst.rskill, req["min_level"].tolist()))
    team = C[list(idx)]
    cred = team.tolist()                   # plain floats: cheap to read one by one
    per = req.copy()
    per["coverage"] = [min(c[r], team[:, r].sum()) / c[r] for r in range(len(req))]
    per["covered_by"] = [sorted(((p, levels.get((i, code), 0), row[r])
                                 for i, p, row in zip(idx, names, cred) if row[r] > 0),
                                key=lambda t: -t[2])
                         for r, (_, code, _) in enumerate(table)]
    expl = {}
    for i, p, row in zip(idx, names, cred):
        covers = [(s, levels.get((i, code), 0), need, row[r])
                  for r, (s, code, need) in enumerate(table) if row[r] > 0]
        loss = total - inst.value([j for j in idx if j != i])
        if covers:
            text = (f"{p} covers " + "; ".join(_fmt_cover(*t) for t in covers)
                    + f". Without {p} the team would lose {100 * loss:.1f} points of coverage.")
        else:
            text = f"{p} was asked for in the team but covers no requirement."
        expl[p] = {"covers": covers, "loss": loss, "text": text}
    held = np.einsum("i,ij->j", pool_mask.astype(float), C) > 0   # credits >= 0: sum > 0 iff one is
    uncovered = req.loc[~held]
    return total, per, expl, uncovered


def _growth(inst, idx, n, eligible):
    """Pair up to ``n`` people who want to grow in a required skill with a mentor.

    ``eligible`` is a boolean array over person codes.
    """
    if n <= 0 or not len(inst.req):
        return []
    idx = list(idx)
    L = inst.level_matrix
    rows = inst.rows
    pc = rows["person"].to_numpy()
    ok = eligible[pc] & ~np.isin(pc, idx) & (rows["wants_to_grow"] | (rows["level"] == 0)).to_numpy()
    rp, rs, rl = pc[ok], rows["skill"].to_numpy()[ok], rows["level"].to_numpy()[ok]
    opts = []
    for s, code, need, w in zip(inst.req["skill"].tolist(), inst.rskill.tolist(),
                                inst.req["min_level"].tolist(), inst.req["weight"].tolist()):
        mentors = [(int(L[m, code]), pos, m) for pos, m in enumerate(idx) if L[m, code] >= need]
        if not mentors:
            continue
        hit = (rs == code) & (rl < need)
        opts += [(-w, -lvl, p, s, lvl, need, mentors)
                 for p, lvl in zip(rp[hit].tolist(), rl[hit].tolist())]
    out, taken, load = [], set(), {}
    for _, _, p, s, lvl, need, mentors in sorted(opts, key=lambda t: t[:2]):
        if len(out) >= n:
            break
        if p in taken:
            continue
        mlvl, _, mentor = min(mentors, key=lambda t: (-t[0], load.get(t[2], 0), t[1]))
        load[mentor] = load.get(mentor, 0) + 1
        taken.add(p)
        out.append({"person": inst.people[[p]].tolist()[0], "skill": s, "level": lvl,
                    "min_level": need, "mentor": inst.people[[mentor]].tolist()[0],
                    "mentor_level": mlvl})
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
    present = set(profiles.loc[profiles["person"].isin(must), "person"]) if must else set()
    unknown = [p for p in must if p not in present]
    if unknown:
        raise ValueError(f"must_include names unknown people: {unknown}")

    people = inst.people
    allowed = np.ones(len(people), bool)
    if excl:
        allowed &= ~people.isin(list(excl))
    if candidates is not None:
        allowed &= people.isin(list(candidates))
    fixed = people.get_indexer(must).tolist() if must else []
    unit_codes = np.full(len(people), -1)
    if units is not None:
        unit_codes = pd.factorize(pd.Series(units).reindex(people))[0]
    if max_per_unit is not None:
        count = np.bincount(unit_codes[fixed][unit_codes[fixed] >= 0], minlength=1)
        if (count > max_per_unit).any():
            raise UnitCapExceeded(
                f"must_include has more than {max_per_unit} people from one unit")
    key = np.random.default_rng(seed).permutation(len(people))
    solver = _Solver(inst.C, inst.req, allowed, key, unit_codes, max_per_unit, seed)
    pool_mask = allowed.copy()
    pool_mask[fixed] = True

    def build(idx):
        total, per, expl, uncovered = _describe(inst, idx, pool_mask)
        growth = _growth(inst, idx, growth_places, allowed)
        return TeamSuggestion(people[list(idx)].tolist(), total, per, expl, [], uncovered, growth)

    if not len(inst.req):
        return build(fixed)
    idx = solver.solve(team_size, fixed=fixed)
    best = build(idx)
    seen = {frozenset(idx)}
    loss = [e["loss"] for e in best.explanations.values()]
    by_loss = sorted(idx[len(fixed):], key=lambda i: -loss[idx.index(i)])
    for i in by_loss:
        if len(best.alternatives) >= alternatives:
            break
        # an alternative is another good team, not a second optimum: one tabu search
        # without the restarts (with a per-unit limit no bound stops the search early, and
        # the restarts made the three solves 100 ms instead of 30)
        alt = solver.solve(team_size, fixed=fixed, banned=[i], restarts=0)
        if frozenset(alt) not in seen:
            seen.add(frozenset(alt))
            best.alternatives.append(build(alt))
    best.alternatives.sort(key=lambda t: -t.coverage)
    return best
