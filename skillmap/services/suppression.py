"""Small-group hiding for report figures (primary and complementary suppression).

A figure computed over fewer than ``min_group`` people (but at least one) is
hidden. When a line of figures is published with its total, hiding a single
cell of that line is useless: the total minus the others gives it back. So in
any such line where exactly one cell is hidden, the next smallest cell is
hidden too, and this repeats until no line has a lone hidden cell.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["small_group_mask"]


def small_group_mask(counts: pd.DataFrame, min_group: int, *, sum_axes=()) -> pd.DataFrame:
    """Which cells of a table of people counts must be hidden.

    Parameters
    ----------
    counts : DataFrame
        Non-negative people counts (NaN = no figure, never hidden).
    min_group : int
        Smallest group that may be shown; counts from 1 to ``min_group - 1``
        are hidden (0 is shown: it describes nobody).
    sum_axes : iterable of 0 and/or 1
        Axes along which the published totals are sums: ``0`` when each
        column has a total (a "all units" row), ``1`` when each row has one.
        Along those lines complementary suppression applies.

    Returns
    -------
    DataFrame of bool, same shape: True = hide.

    Examples
    --------
    >>> df = pd.DataFrame({"a": [2, 7, 9], "b": [6, 8, 9]})
    >>> small_group_mask(df, 5, sum_axes=(0,))["a"].tolist()  # 2 hidden, then 7
    [True, True, False]
    """
    values = counts.to_numpy(dtype=float, na_value=np.nan)
    hide = (values >= 1) & (values < min_group)
    changed = True
    while changed:
        changed = False
        for axis in sum_axes:
            lines = hide.T if axis == 0 else hide
            vals = values.T if axis == 0 else values
            for i in range(lines.shape[0]):
                if lines[i].sum() != 1:
                    continue
                candidates = np.where(~lines[i] & ~np.isnan(vals[i]))[0]
                if len(candidates) == 0:
                    continue
                # prefer a non-zero cell: hiding a zero protects nothing
                positive = candidates[vals[i][candidates] > 0]
                pool = positive if len(positive) else candidates
                pick = pool[np.argmin(vals[i][pool])]
                lines[i][pick] = True
                changed = True
    return pd.DataFrame(hide, index=counts.index, columns=counts.columns)
