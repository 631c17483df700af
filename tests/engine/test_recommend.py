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


def test_peer_part_by_hand(two_trades):
    # c2 holds saw, drill, sand. Its similar people are the other carpenters:
    # c4 and c6 (cosine 1) and c1, c3, c5 who also have teamwork (cosine
    # sqrt(27 / 31), equal idf cancels). Weighted share of teamwork among them:
    # 3 * 0.9333 / (2 + 3 * 0.9333) = 0.5833. Item part: teamwork is the only
    # candidate co-held with c2's skills, so it is 1 after scaling.
    peer_share = 3 * (27 / 31) ** 0.5 / (2 + 3 * (27 / 31) ** 0.5)
    rec = recommend_skills(two_trades, "c2", k=5, prior_weight=0)
    assert rec["skill"].tolist() == ["teamwork"]
    assert rec["score"][0] == pytest.approx(1 + peer_share)
    # item part (1) >= peer part (0.58): the reason stays the item-item one
    assert rec["reason"][0] == "people who have saw and drill often also have teamwork"
    # weight the peers more: they give the reason, without naming anyone
    rec = recommend_skills(two_trades, "c2", k=5, peer_weight=2, prior_weight=0)
    assert rec["score"][0] == pytest.approx(1 + 2 * peer_share)
    assert rec["reason"][0] == "most people with skills like yours (saw and drill) have teamwork"
    assert rec["because"][0] == ["saw", "drill"]
    assert not any(p in rec["reason"][0] for p in ("c1", "c3", "c4", "c5", "c6"))


def test_prior_by_hand(two_trades):
    # teamwork has 6 holders, as many as the commonest skill: prior = 0.2 * 6 / 6
    plain = recommend_skills(two_trades, "c2", prior_weight=0)
    rec = recommend_skills(two_trades, "c2", prior_weight=0.2)
    assert rec["score"][0] == pytest.approx(plain["score"][0] + 0.2)


def test_prior_needs_other_evidence(workshop):
    # excel is held by d only, who shares nothing with c: no prior, not listed
    rec = recommend_skills(workshop, "c", k=5, prior_weight=10)
    assert rec["skill"].tolist() == ["sand"]
    # sand: item 1 + peers 1 (a and b both have it) + 10 * 2 holders / 3
    assert rec["score"][0] == pytest.approx(2 + 10 * 2 / 3)


def test_parts_switched_off_is_item_item(workshop):
    rec = recommend_skills(workshop, "c", neighbours=0, prior_weight=0)
    # item-item only, scaled so that the best candidate scores 1
    assert rec["skill"].tolist() == ["sand"] and rec["score"][0] == pytest.approx(1.0)


def test_person_with_no_held_skill_gets_only_wishes():
    df = pd.DataFrame({"person": ["a", "a", "b"], "skill": ["x", "y", "y"], "level": [3, 0, 0]})
    rec = recommend_skills(df, "b")
    assert rec["skill"].tolist() == ["y"] and rec["reason"][0] == "you want to learn y"
