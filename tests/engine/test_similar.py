import pandas as pd
import pytest

from skillmap.engine import prepare, similar_people


@pytest.fixture
def crew():
    rows = [("a", "saw", 3), ("a", "drill", 4), ("a", "teamwork", 2),
            ("b", "saw", 3), ("b", "drill", 4),
            ("c", "saw", 2), ("c", "teamwork", 2),
            ("d", "excel", 5), ("d", "teamwork", 2),
            ("e", "drill", 0)]            # e only wishes to learn drilling
    return pd.DataFrame(rows, columns=["person", "skill", "level"])


def test_closest_first_with_shared_skills(crew):
    out = similar_people(crew, "b", k=10)
    assert list(out.columns) == ["person", "similarity", "shared"]
    assert out["person"].tolist() == ["a", "c"]       # d shares nothing; e holds nothing
    assert out["shared"].tolist() == [["drill", "saw"], ["saw"]]
    assert out["similarity"].is_monotonic_decreasing
    assert 0 < out["similarity"].iloc[-1] < out["similarity"].iloc[0] <= 1


def test_rare_shared_skill_counts_more_than_teamwork(crew):
    # for c, a shares saw + teamwork, d shares only teamwork
    out = similar_people(crew, "c").set_index("person")
    assert out.loc["a", "similarity"] > out.loc["d", "similarity"]


def test_k_and_self_excluded(crew):
    out = similar_people(crew, "a", k=1)
    assert out["person"].tolist() == ["b"]
    assert "a" not in similar_people(crew, "a")["person"].tolist()


def test_person_with_only_wishes_has_no_backup(crew):
    assert similar_people(crew, "e").empty


def test_prepared_model_and_no_mutation(crew):
    before = crew.copy()
    pd.testing.assert_frame_equal(similar_people(prepare(crew), "a"), similar_people(crew, "a"))
    pd.testing.assert_frame_equal(crew, before)


def test_unknown_person(crew):
    with pytest.raises(KeyError, match="unknown person"):
        similar_people(crew, "nobody")


@pytest.mark.parametrize("bad", [
    pd.DataFrame({"person": ["a"], "skill": ["x"]}),
    pd.DataFrame({"person": ["a"], "skill": ["x"], "level": [6]}),
])
def test_bad_profiles(bad):
    with pytest.raises(ValueError):
        similar_people(bad, "a")
