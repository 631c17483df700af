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


# -- one decision on the finest table, reused by every view ------------------------------
#
# A report filtered by unit shows one unit's figures; unfiltered it shows the
# whole organisation's, which are the sums over the units. Deciding what to
# hide separately in each view lets a reader subtract: the organisation's
# figure minus every unit's visible figure gives back a unit's hidden one.
# So hiding is decided once per column of the finest table, units x skill (or
# units x area) with the organisation's total as one more row, and every view
# (unit filter, area filter, chart, export, sort) picks its cells from that one
# mask. In each column the total is the sum of the unit cells; the rule that a
# line never has exactly one hidden cell is applied along those columns (and,
# where a figure is the sum of two others in the same cell, along that triple
# too), so no published figure minus others gives back a hidden one. A
# column's mask depends on that column only, so choosing an area (a subset of
# the columns) never changes what is hidden.

TOTAL = "total"


def finest_mask(cells: pd.DataFrame, min_group: int) -> pd.DataFrame:
    """Hide small groups in a units x columns table whose last row ``TOTAL`` is the sum.

    ``cells`` has one row per unit plus the ``TOTAL`` row; returns the mask
    (True = hide) of the same shape, complementary suppression down each column.
    """
    return small_group_mask(cells, min_group, sum_axes=(0,))


def linked_masks(parts: dict[str, pd.DataFrame], total_of: tuple[str, str, str],
                 min_group: int) -> dict[str, pd.DataFrame]:
    """Masks for several units x columns tables linked cell by cell.

    ``parts`` maps a measure to its table (same index and columns, last row
    ``TOTAL``); ``total_of = (a, b, c)`` says that in every cell ``c = a + b``
    (for instance people meeting a target + people missing it = people asked).
    No column of any measure and no (a, b, c) triple of a cell is left with a
    single hidden figure.
    """
    names = list(parts)
    vals = {k: parts[k].to_numpy(dtype=float, na_value=np.nan) for k in names}
    hide = {k: (vals[k] >= 1) & (vals[k] < min_group) for k in names}
    a, b, c = total_of
    changed = True
    while changed:
        changed = False
        for k in names:  # down each column: the total row is the sum of the units
            for j in range(hide[k].shape[1]):
                col = hide[k][:, j]
                if col.sum() == 1 and _hide_next(col, vals[k][:, j]):
                    changed = True
        stack = np.stack([hide[a], hide[b], hide[c]])   # 3 x rows x cols
        stacked = np.stack([vals[a], vals[b], vals[c]])
        lone = stack.sum(axis=0) == 1
        for i, j in zip(*np.where(lone)):
            line = stack[:, i, j].copy()
            if _hide_next(line, stacked[:, i, j]):
                for n, key in enumerate((a, b, c)):
                    hide[key][i, j] = line[n]
                changed = True
    return {k: pd.DataFrame(hide[k], index=parts[k].index, columns=parts[k].columns)
            for k in names}


def _hide_next(line: np.ndarray, vals: np.ndarray) -> bool:
    """Hide the smallest shown figure of a line (a positive one if possible), in place."""
    candidates = np.where(~line & ~np.isnan(vals))[0]
    if len(candidates) == 0:
        return False
    positive = candidates[vals[candidates] > 0]
    pool = positive if len(positive) else candidates
    line[pool[np.argmin(vals[pool])]] = True
    return True


def view_rows(table: pd.DataFrame, unit_id: int | None) -> pd.Series:
    """The figures a view shows: one unit's row, or the organisation's ``TOTAL``."""
    key = TOTAL if unit_id is None else unit_id
    if key not in table.index:
        return pd.Series(0, index=table.columns, dtype=table.dtypes.iloc[0]
                         if len(table.columns) else float)
    return table.loc[key]


def hidden_last(values: pd.Series, hidden: pd.Series, ascending: bool = False) -> np.ndarray:
    """Positions that sort ``values`` with every hidden one after all shown ones.

    A hidden figure placed between two shown ones would tell its size; hidden
    figures keep their original order among themselves (which does not depend
    on their values when the caller passes them in a value-free order).
    """
    shown = values.where(~hidden.astype(bool))
    key = shown if ascending else -shown
    frame = pd.DataFrame({"hid": hidden.astype(bool).to_numpy(), "key": key.to_numpy(),
                          "pos": np.arange(len(values))})
    return frame.sort_values(["hid", "key", "pos"], kind="stable",
                             na_position="last")["pos"].to_numpy()


# -- how a hidden figure is written --------------------------------------------------------

def hidden_label() -> str:
    """The one word written in place of a hidden figure ("nascosto" / "hidden").

    Not ``<k``: complementary suppression also hides figures of ``k`` or more,
    so a bound would be wrong for some of them.
    """
    from flask_babel import gettext

    return gettext("hidden")


def hidden_help(min_group: int) -> str:
    """The sentence that explains hidden figures (pages and export headers)."""
    from flask_babel import gettext

    return gettext("Figures about fewer than %(n)d people are hidden, and so are a few "
                   "larger ones where a total or another filter would give them back.",
                   n=min_group)


__all__ += ["TOTAL", "finest_mask", "hidden_help", "hidden_label", "hidden_last",
            "linked_masks", "view_rows"]
