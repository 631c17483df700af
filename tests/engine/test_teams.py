"""Team builder: coverage formula and suggest_team on instances solvable by hand."""
import pandas as pd
import pytest

from skillmap.engine.teams import TeamSuggestion, suggest_team, team_coverage


def profiles(rows):
    cols = ["person", "skill", "level", "wants_to_grow"][: len(rows[0])]
    return pd.DataFrame(rows, columns=cols)


def reqs(rows, cols=("skill", "min_level", "weight", "count")):
    return pd.DataFrame(rows, columns=list(cols[: len(rows[0])]))


# ann sql 4, bob sql 1, cat web 2; sql: level 2, count 2, weight 3; web: level 4, weight 1
PROF = profiles([("ann", "sql", 4), ("bob", "sql", 1), ("cat", "web", 2), ("dan", "web", 0)])
REQ = reqs([("sql", 2, 3.0, 2), ("web", 4, 1.0, 1)])


@pytest.mark.parametrize("members, expected", [
    ([], 0.0),
    (["ann"], 3 * (1 / 2) / 4),                        # one credit of two
    (["bob"], 3 * (0.25 / 2) / 4),                     # partial: 1 / (2 * 2)
    (["cat"], 1 * (2 / 8) / 4),                        # partial: 2 / (2 * 4)
    (["dan"], 0.0),                                    # a wish is not a skill
    (["ann", "bob", "cat"], (3 * 1.25 / 2 + 0.25) / 4),
    (["ann", "ann", "nobody"], 3 * (1 / 2) / 4),       # repeats count once, strangers add 0
])
def test_coverage_formula(members, expected):
    assert team_coverage(PROF, REQ, members) == pytest.approx(expected, abs=1e-15)


def test_count_caps_credit_and_defaults_apply():
    prof = profiles([(p, "sql", 5) for p in "abc"])
    assert team_coverage(prof, reqs([("sql", 3)]), ["a", "b"]) == 1.0      # count 1, weight 1
    assert team_coverage(prof, reqs([("sql", 3, 1, 2)]), ["a"]) == 0.5
    assert team_coverage(prof, reqs([("sql", 3, 1, 2)]), list("abc")) == 1.0


def test_same_skill_at_two_levels_is_scored_twice():
    prof = profiles([("ann", "sql", 4)])
    req = reqs([("sql", 2), ("sql", 5)])
    assert team_coverage(prof, req, ["ann"]) == pytest.approx((1 + 4 / 10) / 2)


def test_no_requirements_means_zero_coverage():
    empty = pd.DataFrame({"skill": [], "min_level": []})
    assert team_coverage(PROF, empty, ["ann"]) == 0.0
    s = suggest_team(PROF, empty, 2, must_include=["bob"])
    assert (s.members, s.coverage) == (["bob"], 0.0)


def test_suggestion_coverage_is_team_coverage_of_its_members():
    s = suggest_team(PROF, REQ, 3)
    assert isinstance(s, TeamSuggestion)
    assert sorted(s.members) == ["ann", "bob", "cat"]
    assert s.coverage == team_coverage(PROF, REQ, s.members)


def test_explanations_give_exact_losses_and_covers():
    s = suggest_team(PROF, REQ, 3)
    # full team 0.53125; without ann 0.15625, without bob 0.4375, without cat 0.46875
    assert s.coverage == pytest.approx(0.53125)
    assert {p: e["loss"] for p, e in s.explanations.items()} == pytest.approx(
        {"ann": 0.375, "bob": 0.09375, "cat": 0.0625})
    assert s.explanations["bob"]["covers"] == [("sql", 1, 2, 0.25)]
    assert s.explanations["cat"]["covers"] == [("web", 2, 4, 0.25)]
    assert "sql at level 1 (needs 2, partial credit 0.25)" in s.explanations["bob"]["text"]
    assert "37.5 points" in s.explanations["ann"]["text"]


def test_per_requirement_table():
    s = suggest_team(PROF, REQ, 3)
    per = s.per_requirement
    assert per.columns.tolist() == ["skill", "min_level", "weight", "count", "coverage", "covered_by"]
    assert per["coverage"].tolist() == [0.625, 0.25]
    assert per["covered_by"].tolist() == [[("ann", 4, 1.0), ("bob", 1, 0.25)], [("cat", 2, 0.25)]]


def test_generalist_trap_is_escaped():
    """gen holds sql, web, ops one level short (3 x 3/8 = 1.125 > 1), so greedy
    takes gen first and ends at (1 + 1 + 0.375) / 3; the three specialists
    cover everything."""
    prof = profiles([("gen", s, 3) for s in ("sql", "web", "ops")]
                    + [("s1", "sql", 4), ("s2", "web", 4), ("s3", "ops", 4)])
    req = reqs([(s, 4) for s in ("sql", "web", "ops")])
    assert team_coverage(prof, req, ["gen", "s1", "s2"]) == pytest.approx(2.375 / 3)
    s = suggest_team(prof, req, 3)
    assert sorted(s.members) == ["s1", "s2", "s3"]
    assert s.coverage == 1.0


def test_ties_are_broken_by_the_seed_only():
    prof = profiles([(p, "sql", 3) for p in "abcdef"])
    req = reqs([("sql", 3)])
    picks = {s: suggest_team(prof, req, 1, seed=s).members for s in range(12)}
    assert all(len(m) == 1 for m in picks.values())
    assert picks == {s: suggest_team(prof, req, 1, seed=s).members for s in range(12)}
    assert len({m[0] for m in picks.values()}) > 1          # different seeds, different ties


def test_uncovered_requirement_is_reported():
    prof = profiles([("ann", "sql", 4), ("bob", "cobol", 0)])          # bob only wishes cobol
    req = reqs([("sql", 3), ("cobol", 2)])
    s = suggest_team(prof, req, 2)
    assert s.members == ["ann"]
    assert s.coverage == 0.5
    assert s.uncovered["skill"].tolist() == ["cobol"]


def test_must_include_and_exclude():
    s = suggest_team(PROF, REQ, 2, must_include=["dan"], exclude=["ann"])
    assert s.members[0] == "dan"
    assert "ann" not in s.members
    assert s.members == ["dan", "bob"]                      # bob 0.09375 beats cat 0.0625
    assert s.explanations["dan"]["loss"] == 0.0


def test_team_larger_than_pool_takes_only_people_who_add_coverage():
    s = suggest_team(PROF, REQ, 10)
    assert sorted(s.members) == ["ann", "bob", "cat"]


def test_candidates_restrict_the_pool():
    s = suggest_team(PROF, REQ, 3, candidates=["bob", "cat"])
    assert sorted(s.members) == ["bob", "cat"]
    assert s.uncovered.empty


def test_max_per_unit():
    prof = profiles([("a1", "sql", 5), ("a2", "sql", 5), ("b1", "sql", 3), ("b2", "web", 1)])
    req = reqs([("sql", 4, 1, 2), ("web", 4, 1, 1)])
    units = {"a1": "A", "a2": "A", "b1": "B", "b2": "B"}
    free = suggest_team(prof, req, 2)
    assert sorted(free.members) == ["a1", "a2"]
    capped = suggest_team(prof, req, 2, units=units, max_per_unit=1)
    assert len([m for m in capped.members if units[m] == "A"]) == 1
    assert "b1" in capped.members                           # 3/8 on sql beats 1/8 on web
    assert capped.coverage == pytest.approx((1.375 / 2) / 2)


def test_alternatives_differ_by_at_least_one_member():
    prof = profiles([(p, "sql", lv) for p, lv in zip("abcde", (5, 4, 3, 3, 2))]
                    + [(p, "web", lv) for p, lv in zip("fgh", (5, 4, 2))])
    req = reqs([("sql", 4, 1, 2), ("web", 4, 1, 1)])
    s = suggest_team(prof, req, 3, alternatives=2)
    assert s.coverage == 1.0
    assert 1 <= len(s.alternatives) <= 2
    teams = [frozenset(s.members)] + [frozenset(a.members) for a in s.alternatives]
    assert len(set(teams)) == len(teams)
    for alt in s.alternatives:
        assert alt.coverage <= s.coverage
        assert alt.coverage == team_coverage(prof, req, alt.members)


def test_growth_places_pair_learners_with_a_mentor():
    prof = profiles([("ann", "sql", 4, False), ("dan", "sql", 1, True),
                     ("eve", "sql", 0, False), ("fay", "web", 1, True)])
    req = reqs([("sql", 3)])
    s = suggest_team(prof, req, 1, growth_places=2)
    assert s.members == ["ann"] and s.coverage == 1.0          # growth is outside the team
    assert s.growth == [
        {"person": "dan", "skill": "sql", "level": 1, "min_level": 3, "mentor": "ann", "mentor_level": 4},
        {"person": "eve", "skill": "sql", "level": 0, "min_level": 3, "mentor": "ann", "mentor_level": 4},
    ]
    assert suggest_team(prof, req, 1, growth_places=2, exclude=["dan"]).growth[0]["person"] == "eve"
    assert suggest_team(prof, req, 1).growth == []


def test_integer_ids_come_back_as_plain_ints():
    prof = profiles([(1, "sql", 4), (2, "sql", 1)])
    s = suggest_team(prof, reqs([("sql", 2, 1, 2)]), 2)
    assert sorted(s.members) == [1, 2] and all(type(m) is int for m in s.members)


def test_inputs_are_not_mutated():
    prof, req = PROF.copy(), REQ.copy()
    units = pd.Series({"ann": "A", "bob": "B", "cat": "A"})
    suggest_team(prof, req, 2, alternatives=1, units=units, max_per_unit=1, growth_places=1)
    team_coverage(prof, req, ["ann"])
    pd.testing.assert_frame_equal(prof, PROF)
    pd.testing.assert_frame_equal(req, REQ)
    assert units.to_dict() == {"ann": "A", "bob": "B", "cat": "A"}


@pytest.mark.parametrize("kwargs, message", [
    ({"profiles": PROF.drop(columns="level")}, "profiles lacks column"),
    ({"requirements": REQ.drop(columns="min_level")}, "requirements lacks column"),
    ({"requirements": reqs([("sql", 0)])}, "min_level"),
    ({"requirements": reqs([("sql", 6)])}, "min_level"),
    ({"requirements": reqs([("sql", 2, 1, 0)])}, "count"),
    ({"requirements": reqs([("sql", 2, -1)])}, "weight"),
    ({"requirements": REQ.assign(min_level=pd.array([2, None], dtype="Int64"))}, "min_level"),
    ({"team_size": 0}, "team_size"),
    ({"team_size": -2}, "team_size"),
    ({"team_size": 2.5}, "team_size"),
    ({"team_size": 1, "must_include": ["ann", "bob"]}, "must_include has 2 people"),
    ({"must_include": ["ann"], "exclude": ["ann"]}, "both name"),
    ({"must_include": ["zed"]}, "unknown people"),
    ({"max_per_unit": 1}, "needs units"),
    ({"must_include": ["ann", "cat"], "units": {"ann": "A", "cat": "A"}, "max_per_unit": 1},
     "from one unit"),
    ({"growth_places": -1}, "growth_places"),
])
def test_bad_inputs_raise_value_error(kwargs, message):
    args = {"profiles": PROF, "requirements": REQ, "team_size": 2} | kwargs
    with pytest.raises(ValueError, match=message):
        suggest_team(args.pop("profiles"), args.pop("requirements"), args.pop("team_size"), **args)


def _random_instance(seed, n_people=40, skills="abcdefgh"):
    import numpy as np
    rng = np.random.default_rng(seed)
    rows = [(f"p{i}", s, int(rng.integers(1, 6))) for i in range(n_people)
            for s in rng.choice(list(skills), size=int(rng.integers(1, 4)), replace=False)]
    req = reqs([(s, int(rng.integers(2, 6)), float(rng.integers(1, 4)), int(rng.integers(1, 4)))
                for s in skills[:6]])
    return profiles(rows), req


def test_same_seed_same_team_with_restarts():
    prof, req = _random_instance(3, n_people=120)
    runs = [suggest_team(prof, req, 6, seed=5, alternatives=2) for _ in range(2)]
    assert runs[0].members == runs[1].members
    assert [a.members for a in runs[0].alternatives] == [a.members for a in runs[1].alternatives]


@pytest.mark.parametrize("seed", range(4))
def test_small_random_instances_reach_the_brute_force_optimum(seed):
    """Every team of 3 out of the people who hold a required skill, checked one by one."""
    from itertools import combinations

    import numpy as np
    prof, req = _random_instance(seed, n_people=18)
    people = sorted(set(prof["person"]))
    level = prof.pivot_table(index="person", columns="skill", values="level").reindex(people)
    C = np.array([[0.0 if np.isnan(lv) else (1.0 if lv >= need else lv / (2 * need))
                   for lv in level[s]] for s, need in zip(req["skill"], req["min_level"])]).T
    c, w = req["count"].to_numpy(float), req["weight"].to_numpy(float)
    best = max((w * np.minimum(C[list(t)].sum(axis=0), c) / c).sum() / w.sum()
               for t in combinations(range(len(people)), 3))
    assert suggest_team(prof, req, 3, seed=seed).coverage == pytest.approx(best, abs=1e-12)


def test_interchangeable_people_stay_choosable_when_one_is_excluded():
    """Five identical sql experts: the pool keeps enough copies for exclusions."""
    prof = profiles([(f"s{i}", "sql", 4) for i in range(5)] + [("w", "web", 4)])
    req = reqs([("sql", 4, 1, 3), ("web", 4, 1, 1)])
    s = suggest_team(prof, req, 4, exclude=["s0", "s1"])
    assert s.coverage == 1.0
    assert sorted(s.members) == ["s2", "s3", "s4", "w"]


@pytest.mark.parametrize("seed", range(6))
def test_upper_bound_that_stops_the_search_is_never_below_the_optimum(seed):
    """The search stops at a team that reaches its upper bound: the bound must hold."""
    from itertools import combinations

    import numpy as np
    from skillmap.engine.teams import _instance, _Solver
    prof, req = _random_instance(seed + 10, n_people=16)
    inst = _instance(prof, req)
    n = len(inst.people)
    solver = _Solver(inst.C, inst.req, np.ones(n, bool), np.arange(n), np.full(n, -1), None, 0)
    best = max(solver._val(inst.C[list(t)].sum(axis=0)) for t in combinations(range(n), 3))
    for fixed in ([], [0]):
        avail = np.ones(n, bool)
        avail[fixed] = False
        bound, forced = solver._bound(inst.C, fixed + [1, 2], len(fixed), avail, 3)
        opt = max(solver._val(inst.C[fixed + list(t)].sum(axis=0))
                  for t in combinations(np.flatnonzero(avail), 3 - len(fixed)))
        assert bound >= opt - 1e-12
        if forced is not None:      # forcing a person in never beats the best team with them
            for p in np.flatnonzero(avail):
                with_p = max(solver._val(inst.C[fixed + [p] + list(t)].sum(axis=0))
                             for t in combinations(np.flatnonzero(avail & (np.arange(n) != p)),
                                                   2 - len(fixed)))
                assert forced[p] >= with_p - 1e-12
    assert suggest_team(prof, req, 3).coverage == pytest.approx(best, abs=1e-12)
