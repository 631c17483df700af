import pandas as pd
import pytest

from skillmap.engine import prepare, recommend_skills


@pytest.fixture
def workshop():
    """a, b hold saw+drill+sand; c holds saw+drill; d holds excel only."""
    rows = [("a", "saw"), ("a", "drill"), ("a", "sand"), ("b", "saw"), ("b", "drill"),
            ("b", "sand"), ("c", "saw"), ("c", "drill"), ("d", "excel")]
    return pd.DataFrame(rows, columns=["person", "skill"]).assign(level=3)


def test_obvious_recommendation(workshop):
    rec = recommend_skills(workshop, "c", k=5)
    # sand goes with saw and drill; excel has nothing in common with c
    assert rec["skill"].tolist() == ["sand"]
    assert list(rec.columns) == ["skill", "score", "reason", "because", "wished"]
    assert rec["because"][0] == ["saw", "drill"]
    assert rec["reason"][0] == "people who have saw and drill often also have sand"


def test_never_recommends_held_skills_and_respects_k(two_trades):
    rec = recommend_skills(two_trades, "c2", k=1)
    assert len(rec) == 1
    assert rec["skill"][0] == "teamwork"
    held = set(two_trades.loc[two_trades["person"] == "c2", "skill"])
    assert not held & set(recommend_skills(two_trades, "c2", k=10)["skill"])


def test_wish_raises_score(workshop):
    wish = pd.DataFrame({"person": ["c", "c"], "skill": ["excel", "welding"], "level": [0, 0],
                         "wants_to_grow": [True, True]})
    with_wish = pd.concat([workshop, wish], ignore_index=True)
    rec = recommend_skills(with_wish, "c", k=5).set_index("skill")
    plain = recommend_skills(workshop, "c", k=5).set_index("skill")
    assert rec.loc["sand", "score"] == pytest.approx(plain.loc["sand", "score"])
    assert rec.loc["excel", "score"] > 0 and rec.loc["excel", "wished"]
    assert rec.loc["welding", "reason"] == "you want to learn welding"
    assert rec.loc["welding", "because"] == []
    # a wish held by nobody still appears, below the skill with strong evidence
    assert rec.index.tolist() == ["sand", "excel", "welding"]


def test_prepared_model_gives_same_answer(two_trades):
    model = prepare(two_trades)
    pd.testing.assert_frame_equal(recommend_skills(model, "a2"), recommend_skills(two_trades, "a2"))


def test_input_untouched_and_repeatable(workshop):
    before = workshop.copy()
    a = recommend_skills(workshop, "c")
    pd.testing.assert_frame_equal(a, recommend_skills(workshop, "c"))
    pd.testing.assert_frame_equal(workshop, before)


def test_unknown_person(workshop):
    with pytest.raises(KeyError, match="unknown person: 'zoe'"):
        recommend_skills(workshop, "zoe")


@pytest.mark.parametrize("bad, message", [
    (pd.DataFrame({"skill": ["x"], "level": [3]}), "person"),
    (pd.DataFrame({"person": ["c"], "skill": ["x"], "level": [7]}), "0 to 5"),
    (pd.DataFrame({"person": ["c"], "skill": ["x"], "level": [-1]}), "0 to 5"),
])
def test_bad_profiles(bad, message):
    with pytest.raises(ValueError, match=message):
        recommend_skills(bad, "c")
