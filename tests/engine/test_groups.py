import sys
from pathlib import Path

import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

from skillmap.engine import people_groups


def test_two_obvious_groups(two_trades):
    # without teamwork: two sets of identical profiles, so at most k = 2
    g = people_groups(two_trades[two_trades["skill"] != "teamwork"])
    assert g.k == 2
    carpenters = {f"c{i}" for i in range(1, 7)}
    lab = g.labels
    assert lab[list(carpenters)].nunique() == 1
    assert lab[[f"a{i}" for i in range(1, 7)]].nunique() == 1
    assert lab["c1"] != lab["a1"]
    assert set(g.top_skills[lab["c1"]]) == {"saw", "drill", "sand"}
    assert set(g.top_skills[lab["a1"]]) == {"excel", "invoice", "vat"}
    assert list(g.scores.columns) == ["k", "stability", "chosen"]
    assert g.scores.loc[g.scores["chosen"], "k"].tolist() == [2]


def test_identical_subprofiles_are_stable_groups(two_trades):
    # teamwork splits each trade into two sets of identical profiles: every
    # seed finds the same 4 groups, and 4 is the largest stable k
    g = people_groups(two_trades)
    assert g.k == 4
    assert g.labels["c1"] == g.labels["c3"] != g.labels["c2"]


def test_person_without_held_skills_is_minus_one(two_trades):
    wish = pd.DataFrame({"person": ["newbie"], "skill": ["saw"], "level": [0]})
    g = people_groups(pd.concat([two_trades, wish], ignore_index=True))
    assert g.labels["newbie"] == -1


def test_stability_picks_planted_number_of_groups():
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    from generate import planted_profiles

    profiles, _, people = planted_profiles(150, 120, 6, seed=0, with_people=True)
    g = people_groups(profiles, seed=0)
    chosen = g.scores.set_index("k").loc[g.k, "stability"]
    # the rule: largest k whose stability reaches the threshold (0.9)
    assert chosen >= 0.9
    assert (g.scores.loc[g.scores["k"] > g.k, "stability"] < 0.9).all()
    assert g.k == 6
    assert adjusted_rand_score(people.reindex(g.labels.index), g.labels) > 0.9


def test_same_seed_same_output_and_input_untouched(two_trades):
    before = two_trades.copy()
    a, b = people_groups(two_trades, seed=1), people_groups(two_trades, seed=1)
    pd.testing.assert_series_equal(a.labels, b.labels)
    pd.testing.assert_frame_equal(a.scores, b.scores)
    pd.testing.assert_frame_equal(two_trades, before)


@pytest.mark.parametrize("bad", [
    pd.DataFrame({"person": ["a"], "level": [1]}),
    pd.DataFrame({"person": ["a"], "skill": ["x"], "level": [9]}),
])
def test_bad_profiles(bad):
    with pytest.raises(ValueError):
        people_groups(bad)
