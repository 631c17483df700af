import pandas as pd
import pytest

from skillmap.engine import skill_gaps


@pytest.fixture
def staff():
    rows = [("a", "saw", 4), ("b", "saw", 3), ("c", "saw", 2), ("d", "saw", 0),
            ("a", "vat", 5), ("b", "excel", 2), ("c", "excel", 1)]
    return pd.DataFrame(rows, columns=["person", "skill", "level"])


def test_exact_numbers(staff):
    demand = pd.DataFrame({"skill": ["saw", "vat", "excel", "welding"],
                           "min_level": [3, 4, 1, 2], "count": [4, 1, 1, 2]})
    out = skill_gaps(staff, demand)
    assert list(out.columns) == ["skill", "min_level", "demand", "supply", "gap",
                                 "single_point", "holders_3plus"]
    got = out.set_index("skill")
    # saw: a(4), b(3) at >= 3 -> supply 2 (d's level 0 is a wish), gap 2
    assert got.loc["saw"].tolist() == [3, 4, 2, 2, False, 2]
    assert got.loc["vat"].tolist() == [4, 1, 1, 0, True, 1]      # only a at >= 3
    assert got.loc["excel"].tolist() == [1, 1, 2, 0, True, 0]    # nobody at >= 3
    assert got.loc["welding"].tolist() == [2, 2, 0, 2, True, 0]
    # gap descending, then skill
    assert out["skill"].tolist() == ["saw", "welding", "excel", "vat"]


def test_inputs_untouched(staff):
    demand = pd.DataFrame({"skill": ["saw"], "min_level": [1], "count": [1]})
    before = staff.copy(), demand.copy()
    skill_gaps(staff, demand)
    pd.testing.assert_frame_equal(staff, before[0])
    pd.testing.assert_frame_equal(demand, before[1])


@pytest.mark.parametrize("demand, message", [
    (pd.DataFrame({"skill": ["saw"], "count": [1]}), "min_level"),
    (pd.DataFrame({"skill": ["saw"], "min_level": [0], "count": [1]}), "1 to 5"),
    (pd.DataFrame({"skill": ["saw"], "min_level": [6], "count": [1]}), "1 to 5"),
    (pd.DataFrame({"skill": ["saw"], "min_level": [3], "count": [-1]}), ">= 0"),
    (pd.DataFrame({"skill": ["saw", "saw"], "min_level": [3, 2], "count": [1, 1]}), "more than once"),
])
def test_bad_demand(staff, demand, message):
    with pytest.raises(ValueError, match=message):
        skill_gaps(staff, demand)


def test_bad_profiles():
    bad = pd.DataFrame({"person": ["a"], "skill": ["saw"], "level": [7]})
    with pytest.raises(ValueError, match="0 to 5"):
        skill_gaps(bad, pd.DataFrame({"skill": ["saw"], "min_level": [1], "count": [1]}))
