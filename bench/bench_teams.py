"""Benchmark suggest_team against the exact optimum (scipy.optimize.milp / HiGHS).

Plain script, not a test::

    .venv/bin/python bench/bench_teams.py           # full run (a few minutes)
    .venv/bin/python bench/bench_teams.py --quick   # smoke run
    taskset -c 0 .venv/bin/python bench/bench_teams.py --speed   # speed case on one core
    .venv/bin/python bench/bench_teams.py --training   # training requirements as constraints

For every generated instance it prints nothing; at the end, per size and per
kind of instance: mean, 5th percentile and minimum of
coverage(suggest_team) / coverage(optimum), and the median time of each
solver with the speed-up, and the five worst instances (each instance has its
own seed, so ``instance(n, kind, i)`` rebuilds it alone). Then the speed
check: 100,000 people (~1.2 million profile rows), 20 requirements, a team
of 8, with wall and CPU time and the machine's load average (wall time on a
busy machine says more about the machine than about the code).

The exact model: binary x_p per candidate, continuous y_r in [0, c_r] with
y_r <= sum_p credit_pr x_p and sum_p x_p <= team_size, maximising
sum_r w_r y_r / (c_r sum w). The credit matrix is rebuilt here, independently
of the engine, so the two also cross-check the coverage formula.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from skillmap.engine.team_training import suggest_team_trained, training_table  # noqa: E402
from skillmap.engine.teams import suggest_team, team_coverage  # noqa: E402

KINDS = ("mixed", "scarce", "ties", "generalists")


# ------------------------------------------------------------ instances

def generate(rng, n_people, n_req, kind, skills_per_person=12, n_skills=None):
    """Profiles and requirements of one kind.

    mixed        Zipf-like skill popularity, levels 1-5, counts 1-4.
    scarce       required skills are the rarest; counts often above the
                 number of holders.
    ties         every level is 3 and every min_level 3, equal weights:
                 many equally good teams.
    generalists  specialists hold one required skill at min_level; a few
                 generalists hold many of them one level short, so they look
                 best one at a time while specialists are better together.
    """
    n_skills = n_skills or max(40, 6 * n_req)
    pop = 1.0 / np.arange(1, n_skills + 1) ** 0.9
    pop /= pop.sum()
    per = min(skills_per_person, n_skills)
    # sample per-person skill sets without replacement via Gumbel top-k
    g = np.log(pop)[None, :] - np.log(-np.log(rng.random((n_people, n_skills))))
    sk = np.argpartition(-g, per - 1, axis=1)[:, :per]
    person = np.repeat(np.arange(n_people), per)
    level = rng.choice([0, 1, 2, 3, 4, 5], size=n_people * per, p=[.08, .17, .25, .25, .15, .10])
    prof = pd.DataFrame({"person": person, "skill": sk.ravel(), "level": level,
                         "wants_to_grow": rng.random(n_people * per) < 0.1})
    if kind == "scarce":
        req_sk = np.arange(n_skills - n_req, n_skills)
    else:
        common = rng.choice(min(n_skills, 3 * n_req), size=n_req // 2, replace=False)
        rest = np.setdiff1d(np.arange(n_skills), common)
        req_sk = np.concatenate([common, rng.choice(rest, size=n_req - len(common), replace=False)])
    req = pd.DataFrame({"skill": req_sk,
                        "min_level": rng.integers(2, 6, n_req),
                        "weight": rng.integers(1, 6, n_req).astype(float),
                        "count": rng.choice([1, 1, 2, 2, 3, 4], n_req)})
    if kind == "scarce":
        req["count"] = rng.integers(2, 6, n_req)
    if kind == "ties":
        prof["level"] = np.where(prof["level"] > 0, 3, 0)
        req["min_level"], req["weight"] = 3, 1.0
    if kind == "generalists":
        need = dict(zip(req["skill"], req["min_level"]))
        heldreq = prof["skill"].isin(req_sk) & (prof["level"] > 0)
        prof.loc[heldreq, "level"] = prof.loc[heldreq, "skill"].map(need)
        gen = rng.choice(n_people, size=max(3, n_people // 50), replace=False)
        extra = [(p, s, max(1, need[s] - 1)) for p in gen
                 for s in rng.choice(req_sk, size=max(2, (2 * n_req) // 3), replace=False)]
        prof = prof[~prof["person"].isin(gen)]
        prof = pd.concat([prof, pd.DataFrame(extra, columns=["person", "skill", "level"])
                          .assign(wants_to_grow=False)], ignore_index=True)
    return prof.reset_index(drop=True), req


def credit_matrix(prof, req):
    """Independent rebuild of the credit matrix: (people, candidates x requirements)."""
    held = prof[prof["level"] > 0].drop_duplicates(["person", "skill"])
    people = pd.Index(pd.unique(held["person"]))
    C = np.zeros((len(people), len(req)))
    for r, (s, L) in enumerate(zip(req["skill"], req["min_level"])):
        h = held[held["skill"] == s]
        lv = h["level"].to_numpy(float)
        C[people.get_indexer(h["person"]), r] = np.where(lv >= L, 1.0, lv / (2 * L))
    keep = C.sum(axis=1) > 0
    return people[keep], C[keep]


def exact(prof, req, k, time_limit=120.0, units=None, cap=None):
    """The optimum as an integer program; with ``units`` (person -> unit) and ``cap``, at
    most ``cap`` people of one unit (bench_team_units.py)."""
    people, C = credit_matrix(prof, req)
    n, R = C.shape
    c = req["count"].to_numpy(float)
    w = req["weight"].to_numpy(float)
    obj = np.concatenate([np.zeros(n), -w / (c * w.sum())])
    A = sparse.hstack([-sparse.csr_matrix(C.T), sparse.eye(R)])
    size = sparse.hstack([sparse.csr_matrix(np.ones((1, n))), sparse.csr_matrix((1, R))])
    cons = [LinearConstraint(A, -np.inf, 0), LinearConstraint(size, 0, k)]
    if units is not None:
        u = units.reindex(people).to_numpy()
        for g in np.unique(u):
            row = sparse.csr_matrix((u == g).astype(float)[None, :])
            cons.append(LinearConstraint(sparse.hstack([row, sparse.csr_matrix((1, R))]), 0, cap))
    res = milp(obj, constraints=cons, integrality=np.concatenate([np.ones(n), np.zeros(R)]),
               bounds=Bounds(np.zeros(n + R), np.concatenate([np.ones(n), c])),
               options={"time_limit": time_limit})
    team = list(people[res.x[:n] > 0.5])
    return team, -res.fun, res.status == 0


# ------------------------------------------------------------ runs

def instance(n, kind, i, seed=0):
    """Instance ``i`` of one cell: its own seed, so any instance can be rebuilt alone."""
    rng = np.random.default_rng([seed, n, KINDS.index(kind), i])
    n_req, k = int(rng.integers(5, 26)), int(rng.integers(3, 11))
    prof, req = generate(rng, n, n_req, kind)
    return prof, req, k


def quality(sizes, per_cell, seed=0):
    rows = []
    for n in sizes:
        for kind in KINDS:
            for i in range(per_cell[n]):
                prof, req, k = instance(n, kind, i, seed)
                n_req = len(req)
                t0 = time.perf_counter()
                s = suggest_team(prof, req, k)
                t1 = time.perf_counter()
                team, opt, proven = exact(prof, req, k)
                t2 = time.perf_counter()
                check = team_coverage(prof, req, team)
                assert abs(check - opt) < 1e-6, (check, opt)   # formula cross-check
                rows.append({"n": n, "kind": kind, "i": i, "R": n_req, "k": k,
                             "ratio": s.coverage / opt if opt > 0 else 1.0,
                             "t_greedy": t1 - t0, "t_milp": t2 - t1, "proven": proven})
    return pd.DataFrame(rows)


def report(df):
    def agg(g):
        return pd.Series({"runs": len(g), "mean": g["ratio"].mean(),
                          "p5": g["ratio"].quantile(0.05), "min": g["ratio"].min(),
                          "greedy_ms": 1e3 * g["t_greedy"].median(),
                          "milp_ms": 1e3 * g["t_milp"].median(),
                          "speedup": (g["t_milp"] / g["t_greedy"]).median(),
                          "unproven": int((~g["proven"]).sum())})
    pd.set_option("display.width", 120)
    print(df.groupby(["n", "kind"]).apply(agg, include_groups=False).round(4).to_string())
    print("\nby size")
    print(df.groupby("n").apply(agg, include_groups=False).round(4).to_string())
    print("\nall:", agg(df).round(4).to_dict())
    print("\nworst instances (rebuild one with instance(n, kind, i)):")
    print(df.nsmallest(5, "ratio")[["n", "kind", "i", "R", "k", "ratio"]].round(4).to_string(index=False))


# ------------------------------------------------------------ training constraints

def trained_instance(n, kind, i, seed=0):
    """An instance of ``instance`` plus training: course "ALL" (held by ~60%) for every
    member, course "SOME" (held by ~10%) for at least ceil(k / 3) members."""
    prof, req, k = instance(n, kind, i, seed)
    rng = np.random.default_rng([seed, n, KINDS.index(kind), i, 14])
    people = np.unique(prof["person"])
    all_h = people[rng.random(len(people)) < 0.6]
    some_h = people[rng.random(len(people)) < 0.1]
    holders = pd.DataFrame({"person": np.concatenate([all_h, some_h]),
                            "course": ["ALL"] * len(all_h) + ["SOME"] * len(some_h)})
    training = pd.DataFrame({"course": ["ALL", "SOME"],
                             "min_members": pd.Series([None, -(-k // 3)], dtype=object)})
    return prof, req, k, training, holders


def exact_trained(prof, req, k, training, holders, time_limit=120.0):
    """The exact model with x_p = 0 outside the holders of every "all" course and
    sum of x_p over the holders of an "at least N" course >= N (zero-credit holders
    stay candidates: they may be needed only to meet N)."""
    held = holders.groupby("course")["person"].apply(set).to_dict()
    allowed = set(prof["person"])
    for course, n in zip(training["course"], training["min_members"]):
        if n is None:
            allowed &= held.get(course, set())
    sub = prof[prof["person"].isin(allowed)]
    people = pd.Index(sorted(allowed))
    C = np.zeros((len(people), len(req)))
    h = sub[sub["level"] > 0].drop_duplicates(["person", "skill"])
    for r, (s_, L) in enumerate(zip(req["skill"], req["min_level"])):
        hs = h[h["skill"] == s_]
        lv = hs["level"].to_numpy(float)
        C[people.get_indexer(hs["person"]), r] = np.where(lv >= L, 1.0, lv / (2 * L))
    n, R = C.shape
    c = req["count"].to_numpy(float)
    w = req["weight"].to_numpy(float)
    obj = np.concatenate([np.zeros(n), -w / (c * w.sum())])
    A = sparse.hstack([-sparse.csr_matrix(C.T), sparse.eye(R)])
    size = sparse.hstack([sparse.csr_matrix(np.ones((1, n))), sparse.csr_matrix((1, R))])
    cons = [LinearConstraint(A, -np.inf, 0), LinearConstraint(size, 0, k)]
    for course, m in zip(training["course"], training["min_members"]):
        if m is not None:
            row = np.array([p in held.get(course, set()) for p in people], float)
            cons.append(LinearConstraint(sparse.hstack([sparse.csr_matrix(row[None, :]),
                                                        sparse.csr_matrix((1, R))]), m, np.inf))
    res = milp(obj, constraints=cons, integrality=np.concatenate([np.ones(n), np.zeros(R)]),
               bounds=Bounds(np.zeros(n + R), np.concatenate([np.ones(n), c])),
               options={"time_limit": time_limit})
    if res.x is None:
        return None, None, False
    return list(people[res.x[:n] > 0.5]), -res.fun, res.status == 0


def quality_trained(sizes, per_cell, seed=0):
    rows = []
    for n in sizes:
        for kind in KINDS:
            for i in range(per_cell[n]):
                prof, req, k, training, holders = trained_instance(n, kind, i, seed)
                t0 = time.perf_counter()
                s = suggest_team_trained(prof, req, k, training=training, holders=holders)
                t1 = time.perf_counter()
                team, opt, proven = exact_trained(prof, req, k, training, holders)
                t2 = time.perf_counter()
                if team is None:
                    continue
                met = bool(training_table(s.members, training, holders, k)["met"].all())
                rows.append({"n": n, "kind": kind, "i": i, "R": len(req), "k": k,
                             "ratio": s.coverage / opt if opt > 0 else 1.0, "met": met,
                             "t_greedy": t1 - t0, "t_milp": t2 - t1, "proven": proven})
    return pd.DataFrame(rows)


def speed(runs, n_people=100_000, n_req=20, k=8, seed=1):
    rng = np.random.default_rng(seed)
    prof, req = generate(rng, n_people, n_req, "mixed", skills_per_person=12, n_skills=300)
    prof = prof.assign(person="p" + prof["person"].astype(str),
                       skill="skill_" + prof["skill"].astype(str))
    req = req.assign(skill="skill_" + req["skill"].astype(str))
    times, cpu = [], []
    load = os.getloadavg()
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        s = suggest_team(prof, req, k)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    print(f"\nspeed: {len(prof):,} profile rows, {prof['person'].nunique():,} people, "
          f"{n_req} requirements, team of {k}: median {1e3 * np.median(times):.0f} ms "
          f"(min {1e3 * min(times):.0f}, max {1e3 * max(times):.0f}; {runs} runs), "
          f"CPU time median {1e3 * np.median(cpu):.0f} ms, coverage {s.coverage:.4f}")
    print(f"machine: {os.cpu_count()} CPUs, allowed {sorted(os.sched_getaffinity(0))}, "
          f"load average before {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, "
          f"after {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a few small instances only")
    ap.add_argument("--speed", action="store_true",
                    help="the speed case only (e.g. under `taskset -c 0` at low load)")
    ap.add_argument("--training", action="store_true",
                    help="the instances with training requirements only (hard constraints)")
    args = ap.parse_args(argv)
    if args.speed:
        speed(15)
    elif args.training:
        df = quality_trained([200, 2000], {200: 20, 2000: 6})
        report(df)
        print(f"constraints met by every suggested team: {bool(df['met'].all())}")
    elif args.quick:
        df = quality([200, 2000], {200: 3, 2000: 1})
        report(df)
        df = quality_trained([200], {200: 3})
        print("\nwith training constraints:")
        report(df)
        print(f"constraints met by every suggested team: {bool(df['met'].all())}")
        speed(3)
    else:
        df = quality([200, 2000, 20000], {200: 40, 2000: 15, 20000: 4})
        report(df)
        df = quality_trained([200, 2000], {200: 20, 2000: 6})
        print("\nwith training constraints (every member holds ALL, at least k/3 hold SOME):")
        report(df)
        print(f"constraints met by every suggested team: {bool(df['met'].all())}")
        speed(9)


if __name__ == "__main__":
    main()
