"""engine.update: the prepared model after a few people changed equals a fresh prepare."""
import numpy as np
import pandas as pd
import pytest

from skillmap.engine import prepare, recommend_skills, similar_people, update


def world(seed, people=60, skills=15):
    rng = np.random.default_rng(seed)
    rows = []
    for p in range(1, people + 1):
        for s in rng.choice(np.arange(100, 100 + skills), size=rng.integers(1, 7), replace=False):
            rows.append((p, int(s), int(rng.integers(0, 6)), bool(rng.random() < 0.2)))
    df = pd.DataFrame(rows, columns=["person", "skill", "level", "wants_to_grow"])
    return df.sort_values(["person", "skill"], ignore_index=True)


def same(a, b):
    assert a.people.equals(b.people) and a.skills.equals(b.skills)
    for name in ("levels", "binary", "wishes", "people_vectors"):
        x, y = getattr(a, name), getattr(b, name)
        assert (x != y).nnz == 0, name
        assert np.array_equal(x.toarray(), y.toarray()), name
    for name in ("item_similarity", "holders", "co_holders"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name


def edit(df, rng, people):
    """New levels and wishes for ``people``; one of them drops a skill, one gains one
    that someone else already holds (so the skills and their order stay)."""
    df = df.copy()
    mine = df["person"].isin(people).to_numpy()
    df.loc[mine, "level"] = rng.integers(0, 6, mine.sum())
    df.loc[mine, "wants_to_grow"] = rng.random(mine.sum()) < 0.5
    first = people[0]
    theirs = set(df.loc[df["person"] == first, "skill"])
    later = df[(df["person"] > first) & ~df["skill"].isin(theirs)
               & df["skill"].isin(df.loc[df["person"] < first, "skill"])]
    if len(later):
        df = pd.concat([df, pd.DataFrame([(first, int(later["skill"].iloc[0]), 4, False)],
                                         columns=df.columns)])
    return df.sort_values(["person", "skill"], ignore_index=True)


@pytest.mark.parametrize("seed", range(8))
def test_update_equals_a_fresh_prepare(seed):
    rng = np.random.default_rng(100 + seed)
    df = world(seed)
    model = prepare(df)
    for step in range(5):   # several edits one after the other, as the versions move
        people = sorted(int(p) for p in rng.choice(np.arange(20, 61), size=rng.integers(1, 4),
                                                   replace=False))
        new = edit(df, rng, people)
        updated = update(model, new, people)
        if updated is None:   # the edit moved a skill's first holder: a fresh prepare
            assert not pd.Index(pd.unique(new["skill"])).equals(model.skills)
            updated = prepare(new)
        fresh = prepare(new)
        same(updated, fresh)
        for p in (people[0], 1, 45):
            pd.testing.assert_frame_equal(recommend_skills(updated, p), recommend_skills(fresh, p))
            pd.testing.assert_frame_equal(similar_people(updated, p), similar_people(fresh, p))
        df, model = new, updated


def test_nothing_changed_gives_the_same_model():
    df = world(1)
    model = prepare(df)
    assert update(model, df, []) is model
    same(update(model, df, [3, 4]), prepare(df))


@pytest.mark.parametrize("change", ["new person", "person gone", "new skill", "skill gone"])
def test_what_update_cannot_do_returns_none(change):
    df = world(2)
    model = prepare(df)
    if change == "new person":
        new = pd.concat([df, pd.DataFrame([(999, 100, 3, False)], columns=df.columns)])
        who = [999]
    elif change == "person gone":
        new, who = df[df["person"] != 7], [7]
    elif change == "new skill":
        new = pd.concat([df, pd.DataFrame([(7, 555, 3, False)], columns=df.columns)])
        who = [7]
    else:
        skill = df["skill"].iloc[0]
        new, who = df[df["skill"] != skill], sorted(set(df.loc[df["skill"] == skill, "person"]))
    new = new.sort_values(["person", "skill"], ignore_index=True)
    assert update(model, new, who) is None


def test_update_does_not_change_the_model_it_starts_from():
    df = world(3)
    model = prepare(df)
    before = (model.levels.copy(), model.co_holders.copy(), model.item_similarity.copy())
    new = edit(df, np.random.default_rng(0), [30, 31])
    update(model, new, [30, 31])
    assert (model.levels != before[0]).nnz == 0
    assert np.array_equal(model.co_holders, before[1])
    assert np.array_equal(model.item_similarity, before[2])
