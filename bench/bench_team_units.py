"""How close is suggest_team to the exact optimum when a team may hold at most N people of a unit?

The instances of ``bench_teams.py`` (same generator), everyone put in one of six units, with
a per-unit limit of 1 or 2 (only where six units can fill the team). The baseline is the exact
optimum of the same problem as an integer program (HiGHS through scipy.optimize.milp), one
constraint per unit. Prints, per number of people, the mean and worst coverage ratio
(suggest_team / optimum, 1.0 = optimal), the alternatives' mean ratio and the median times.

``python bench/bench_team_units.py [--per-cell N]``
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_teams as B

from skillmap.engine.teams import suggest_team

UNITS = 6


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-cell", type=int, default=6, help="instances per size and kind")
    args = ap.parse_args()
    print("load average: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    rows = []
    for n in (300, 2000):
        for kind in B.KINDS:
            for i in range(args.per_cell):
                prof, req, k = B.instance(n, kind, i, 7)
                people = pd.unique(prof["person"])
                units = pd.Series(np.random.default_rng(i).integers(0, UNITS, len(people)),
                                  index=people)
                for cap in (1, 2):
                    if cap * UNITS < k:
                        continue
                    t0 = time.perf_counter()
                    s = suggest_team(prof, req, k, units=units, max_per_unit=cap, alternatives=2)
                    t1 = time.perf_counter()
                    opt = B.exact(prof, req, k, 60.0, units=units, cap=cap)[1]
                    t2 = time.perf_counter()
                    alts = [a.coverage / opt for a in s.alternatives] if opt > 0 else []
                    rows.append({"n": n, "ratio": s.coverage / opt if opt > 0 else 1.0,
                                 "alternatives": np.mean(alts) if alts else np.nan,
                                 "ours_ms": 1e3 * (t1 - t0), "milp_ms": 1e3 * (t2 - t1)})
    df = pd.DataFrame(rows)
    out = df.groupby("n").agg(runs=("ratio", "size"), mean=("ratio", "mean"),
                              worst=("ratio", "min"), alternatives=("alternatives", "mean"),
                              ours_ms=("ours_ms", "median"), milp_ms=("milp_ms", "median"))
    with pd.option_context("display.width", 200, "display.max_columns", 10):
        print(out.round(4))
    print("load average: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
