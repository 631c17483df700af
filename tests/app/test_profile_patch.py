"""profile_data._patched: the rows of the changed people replaced, in the table's order,
as a full sort of the new rows would give (new people, people gone, people at both ends)."""
import numpy as np
import pandas as pd
import pytest

from skillmap.services.profile_data import _patched


def table(rng, people):
    rows = [(p, s, int(rng.integers(0, 6))) for p in people
            for s in sorted(rng.choice(50, size=rng.integers(1, 5), replace=False).tolist())]
    return pd.DataFrame(rows, columns=["person", "skill", "level"]).astype(
        {"person": "int64", "skill": "int64", "level": "int8"})


@pytest.mark.parametrize("seed", range(10))
def test_patched_equals_sorting_everything(seed):
    rng = np.random.default_rng(seed)
    everyone = sorted(rng.choice(np.arange(1, 200), size=60, replace=False).tolist())
    old = table(rng, everyone)
    changed = set(rng.choice(everyone, size=3, replace=False).tolist())
    changed |= {everyone[0], everyone[-1], 500, 0}          # both ends, a new one on each side
    gone = set(rng.choice(sorted(changed - {0, 500}), size=1).tolist())
    fresh = table(rng, sorted(changed - gone))[::-1]         # in any order
    expected = (pd.concat([old[~old["person"].isin(changed)], fresh])
                .sort_values(["person", "skill"], ignore_index=True))
    got = _patched(old, fresh, changed, ["person", "skill"])
    pd.testing.assert_frame_equal(got, expected)
    assert _patched(old, fresh.iloc[:0], set(), ["person", "skill"]) is old
