"""The engine's one conversion: validation of long-form profiles (fast paths included)."""
from __future__ import annotations

import pandas as pd
import pytest

from skillmap.engine.convert import to_matrix, validate_profiles


@pytest.mark.parametrize("people,skills", [([2, 1, 2], [7, 7, 7]), (["b", "a", "b"], ["x"] * 3)])
def test_a_repeated_pair_keeps_the_highest_level(people, skills):
    df = pd.DataFrame({"person": people, "skill": skills, "level": [2, 1, 4]})
    out = validate_profiles(df)
    assert len(out) == 2
    assert out.set_index("person")["level"].to_dict() == {people[0]: 4, people[1]: 1}


def test_ordered_integer_profiles_without_repeats_pass_unchanged():
    df = pd.DataFrame({"person": [1, 1, 2, 3], "skill": [1, 2, 1, 5], "level": [1, 0, 5, 3],
                       "wants_to_grow": [False, True, False, False]})
    pd.testing.assert_frame_equal(validate_profiles(df), df)


@pytest.mark.parametrize("level", [-1, 6, "tre", None])
def test_a_level_outside_0_to_5_is_refused(level):
    df = pd.DataFrame({"person": [1, 2], "skill": [1, 1], "level": [3, level]})
    with pytest.raises(ValueError, match="0 to 5"):
        validate_profiles(df)


def test_float_levels_become_integers_and_missing_wishes_false():
    df = pd.DataFrame({"person": [1], "skill": [1], "level": [3.0],
                       "wants_to_grow": [None]})
    out = validate_profiles(df)
    assert out["level"].tolist() == [3] and out["wants_to_grow"].tolist() == [False]


def test_to_matrix_accepts_an_index_of_labels():
    df = pd.DataFrame({"person": [5, 6], "skill": [1, 2], "level": [3, 2]})
    pm = to_matrix(df, people=pd.Index([6, 5, 9]))
    assert pm.matrix.toarray().tolist() == [[0.0, 2.0], [3.0, 0.0], [0.0, 0.0]]
