import pandas as pd
import pytest

from skillmap.engine import skill_families
from skillmap.engine.families import NOT_ENOUGH_DATA


def test_two_trades_and_transversal_teamwork(two_trades):
    fam = skill_families(two_trades)
    labels = fam.labels
    assert labels["saw"] == labels["drill"] == labels["sand"]
    assert labels["excel"] == labels["invoice"] == labels["vat"]
    assert labels["saw"] != labels["excel"]
    # teamwork is held alike in both trades: its own family, not glue
    assert labels["teamwork"] == -1
    assert set(labels.index) == {"saw", "drill", "sand", "excel", "invoice", "vat", "teamwork"}
    assert fam.names[-1] == "teamwork"
    assert set(fam.names[labels["saw"]].split(" / ")) == {"saw", "drill", "sand"}
    assert not fam.graph.has_edge("teamwork", "saw")
    assert fam.graph.has_edge("saw", "drill")


def test_wishes_are_not_held(two_trades):
    wish = pd.DataFrame({"person": ["c1"], "skill": ["welding"], "level": [0]})
    fam = skill_families(pd.concat([two_trades, wish], ignore_index=True))
    assert "welding" not in fam.labels.index


def test_bridge_skill_connects_two_of_four_trades():
    trades = {"c": ("saw", "drill", "sand"), "a": ("excel", "invoice", "vat"),
              "g": ("prune", "mow", "plant"), "k": ("cook", "bake", "serve")}
    rows = [(f"{t}{i}", s, 3) for t, skills in trades.items() for i in range(10) for s in skills]
    # every carpenter and every accountant writes estimates, nobody else does
    rows += [(f"{t}{i}", "estimates", 3) for t in "ca" for i in range(10)]
    fam = skill_families(pd.DataFrame(rows, columns=["person", "skill", "level"]))
    lab = fam.labels
    assert lab[["saw", "excel", "prune", "cook"]].nunique() == 4
    assert fam.bridges["skill"].tolist() == ["estimates"]
    row = fam.bridges.iloc[0]
    assert set(row["connects"]) == {lab["saw"], lab["excel"]}
    assert row["participation"] == pytest.approx(0.5)


def test_same_seed_same_output_and_input_untouched(two_trades):
    before = two_trades.copy()
    a = skill_families(two_trades, seed=3)
    b = skill_families(two_trades, seed=3)
    pd.testing.assert_series_equal(a.labels, b.labels)
    assert a.names == b.names
    pd.testing.assert_frame_equal(two_trades, before)


@pytest.mark.parametrize("bad, message", [
    (pd.DataFrame({"person": ["a"], "level": [3]}), "skill"),
    (pd.DataFrame({"person": ["a"], "skill": ["x"], "level": [7]}), "0 to 5"),
    (pd.DataFrame({"person": ["a"], "skill": ["x"], "level": ["high"]}), "0 to 5"),
])
def test_bad_profiles(bad, message):
    with pytest.raises(ValueError, match=message):
        skill_families(bad)


def test_communities_below_min_size_are_dissolved():
    trades = {"c": ("saw", "drill", "sand"), "a": ("excel", "invoice", "vat")}
    rows = [(f"{t}{i}", s, 3) for t, skills in trades.items() for i in range(10) for s in skills]
    df = pd.DataFrame(rows, columns=["person", "skill", "level"])
    assert skill_families(df).labels.nunique() == 2
    # a chance pair (two people who both play chess and do yoga) is no trade
    chance = pd.DataFrame([("c0", "chess", 2), ("c0", "yoga", 2), ("a0", "chess", 2),
                           ("a0", "yoga", 2)], columns=["person", "skill", "level"])
    both = pd.concat([df, chance], ignore_index=True)
    lab = skill_families(both, min_holders=0).labels
    assert lab["chess"] == lab["yoga"] == -1
    assert lab[["saw", "drill", "sand"]].nunique() == 1 and lab["saw"] != -1
    # by default two holders are too few to place them at all
    assert skill_families(both).labels[["chess", "yoga"]].tolist() == [-2, -2]


def test_a_small_trade_held_whole_by_many_people_is_kept():
    """Two 2-skill trades of 12 people each plus teamwork: Louvain finds pairs, and each
    pair is held whole by 12 people, so it is a real family, not noise to dissolve."""
    rows = []
    for i in range(12):
        rows += [(f"k{i}", "cook", 3), (f"k{i}", "haccp", 3), (f"k{i}", "team", 3),
                 (f"b{i}", "books", 3), (f"b{i}", "payroll", 3), (f"b{i}", "team", 3)]
        if i % 3 == 0:
            rows += [(f"k{i}", "menu", 2), (f"b{i}", "budget", 2)]
    lab = skill_families(pd.DataFrame(rows, columns=["person", "skill", "level"])).labels
    assert lab["cook"] == lab["haccp"] == lab["menu"] != -1
    assert lab["books"] == lab["payroll"] == lab["budget"] != -1
    assert lab["cook"] != lab["books"] and lab["team"] == -1


def test_rare_skill_goes_where_most_of_its_holders_work():
    """'ledger' is held by one carpenter with a long profile (8 carpentry skills)
    and by two accountants (3 accounting skills each). Counted per skill, the
    carpenter's 8 outweigh the accountants' 6 and no family is clearly ahead
    (ledger would be transversal); counted per person it is 1 to 2: accounting."""
    more = ("plane", "glue", "stain", "nail", "measure")
    rows = [(f"c{i}", s, 3) for i in range(6) for s in ("saw", "drill", "sand")]
    rows += [(f"c{i}", s, 3) for i in range(3) for s in more]
    rows += [(f"a{i}", s, 3) for i in range(6) for s in ("excel", "invoice", "vat")]
    rows += [("c0", "ledger", 2), ("a0", "ledger", 2), ("a1", "ledger", 2)]
    lab = skill_families(pd.DataFrame(rows, columns=["person", "skill", "level"])).labels
    assert lab[["saw", "drill", "sand", *more]].nunique() == 1
    assert lab["ledger"] == lab["excel"] != lab["saw"]


def test_a_trade_most_people_share_is_still_a_family():
    """12 carpenters and 3 accountants: carpentry skills are held by 80% of the
    people, but only inside carpentry, so they are a family, not transversal."""
    rows = [(f"c{i}", s, 3) for i in range(12) for s in ("saw", "drill", "sand")]
    rows += [(f"a{i}", s, 3) for i in range(3) for s in ("excel", "invoice", "vat")]
    lab = skill_families(pd.DataFrame(rows, columns=["person", "skill", "level"])).labels
    assert lab.to_dict() == {"saw": 0, "drill": 0, "sand": 0, "excel": 1, "invoice": 1, "vat": 1}


def test_a_chance_majority_does_not_make_a_transversal_skill_a_trade():
    """Three trades of 10 people; teamwork is held by 6 cooks, 3 accountants and
    3 carers. Half of its holders are cooks, but that is within chance (z about 1.5):
    teamwork is transversal, not a kitchen skill."""
    trades = {"k": ("cucina", "haccp", "menu"), "a": ("contabilita", "paghe", "bilancio"),
              "c": ("igiene", "mobilizzazione", "assistenza")}
    rows = [(f"{t}{i}", s, 3) for t, skills in trades.items() for i in range(10) for s in skills]
    rows += [(f"{t}{i}", "squadra", 3) for t, n in (("k", 6), ("a", 3), ("c", 3))
             for i in range(n)]
    lab = skill_families(pd.DataFrame(rows, columns=["person", "skill", "level"])).labels
    assert lab["squadra"] == -1
    assert lab[["cucina", "contabilita", "igiene"]].nunique() == 3
    assert (lab.drop("squadra") >= 0).all()


def test_a_skill_with_too_few_holders_is_left_out_and_the_rest_unchanged():
    """'ml' is held by one carpenter (a stray skill) and 'sql' by two: with the
    default ``min_holders=3`` neither is placed; the other families do not move;
    with ``min_holders=0`` the stray skill would join carpentry."""
    trades = {"c": ("saw", "drill", "sand"), "a": ("excel", "invoice", "vat")}
    rows = [(f"{t}{i}", s, 3) for t, skills in trades.items() for i in range(8) for s in skills]
    rows += [("c0", "ml", 2), ("c1", "sql", 2), ("c2", "sql", 2)]
    df = pd.DataFrame(rows, columns=["person", "skill", "level"])
    fam = skill_families(df)
    assert fam.labels["ml"] == fam.labels["sql"] == NOT_ENOUGH_DATA == -2
    everything = skill_families(df, min_holders=0)
    assert everything.labels["ml"] == everything.labels["saw"]
    placed = fam.labels[fam.labels != NOT_ENOUGH_DATA]
    pd.testing.assert_series_equal(placed, everything.labels[placed.index])
    assert -2 not in fam.names
    assert fam.confidence[["ml", "sql"]].isna().all()
    # held by exactly min_holders people: placed
    three = pd.concat([df, pd.DataFrame({"person": ["c3"], "skill": ["sql"], "level": [2]})])
    assert skill_families(three).labels["sql"] == fam.labels["saw"]


def test_confidence_is_the_share_of_holders_work_in_the_family():
    """Checked by hand: 'estimates' belongs to carpentry (4 carpenters hold it) but
    2 accountants hold it too. Each carpenter's other placed skills are all carpentry
    (share 1), each accountant's all accounting (share 0): (4 x 1 + 2 x 0) / 6 = 2/3.
    Carpentry skills are held by carpenters only, whose other skills are carpentry:
    confidence 1. 'excel': 8 accountants with accounting only (1 each) and 2 who also
    hold 'estimates' (2 of their 3 other skills are accounting): (8 + 2 x 2/3) / 10."""
    trades = {"c": ("saw", "drill", "sand"), "a": ("excel", "invoice", "vat")}
    rows = [(f"{t}{i}", s, 3) for t, skills in trades.items() for i in range(10) for s in skills]
    rows += [(f"c{i}", "estimates", 3) for i in range(4)]
    rows += [(f"a{i}", "estimates", 3) for i in range(2)]
    rows += [(f"{t}{i}", "team", 3) for t in "ca" for i in range(0, 10, 2)]
    fam = skill_families(pd.DataFrame(rows, columns=["person", "skill", "level"]), seed=1)
    lab, conf = fam.labels, fam.confidence
    assert lab["estimates"] == lab["saw"] != lab["excel"]
    assert conf["estimates"] == pytest.approx(4 / 6)
    assert conf["saw"] == pytest.approx(1.0)
    assert conf["excel"] == pytest.approx((8 + 2 * 2 / 3) / 10)
    assert lab["team"] == -1 and pd.isna(conf["team"])
    again = skill_families(pd.DataFrame(rows, columns=["person", "skill", "level"]), seed=1)
    pd.testing.assert_series_equal(conf, again.confidence)
