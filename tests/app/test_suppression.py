"""Small-group hiding, checked by hand on tiny tables."""
import numpy as np
import pandas as pd
import pytest

from skillmap.services.suppression import small_group_mask


def hidden(df, **kw):
    return small_group_mask(df, 5, **kw).to_numpy().tolist()


@pytest.mark.parametrize("value,hide", [(0, False), (1, True), (4, True), (5, False), (50, False)])
def test_primary_hides_one_to_four_people(value, hide):
    assert hidden(pd.DataFrame({"a": [value]})) == [[hide]]


def test_nan_is_never_hidden():
    assert hidden(pd.DataFrame({"a": [np.nan, 3.0]})) == [[False], [True]]


def test_lone_hidden_cell_in_a_column_with_total_hides_the_next_smallest():
    # column a: 2 (hidden), 7, 9, total 18 -> the total minus 7 and 9 gives 2 back,
    # so 7 (the next smallest) is hidden too; column b has nothing to hide
    df = pd.DataFrame({"a": [2, 7, 9, 18], "b": [6, 8, 9, 23]})
    assert hidden(df, sum_axes=(0,)) == [[True, False], [True, False], [False, False],
                                         [False, False]]


def test_two_hidden_cells_need_nothing_more():
    df = pd.DataFrame({"a": [2, 3, 9, 14]})
    assert hidden(df, sum_axes=(0,)) == [[True], [True], [False], [False]]


def test_zero_is_not_picked_when_a_positive_cell_can_be():
    # hiding the 0 would protect nothing: everyone knows 2 + 0 = 2
    df = pd.DataFrame({"a": [2, 0, 6, 8]})
    assert hidden(df, sum_axes=(0,)) == [[True], [False], [True], [False]]


def test_row_with_total():
    # 3 hidden; 19 - 10 - 6 would give it back, so 6 goes too
    df = pd.DataFrame([[3, 6, 10, 19], [20, 8, 9, 37]])
    assert hidden(df, sum_axes=(1,)) == [[True, True, False, False],
                                         [False, False, False, False]]


def test_table_with_row_and_column_totals_cascades():
    #        a   b  total      3 hidden -> column a hides 7; rows r0 and r1 then each
    # r0     3   6    9        have one hidden cell -> 6 and 8 hidden; then every
    # r1     7   8   15        line has two hidden cells: stable.
    # total 10  14   24
    df = pd.DataFrame([[3, 6, 9], [7, 8, 15], [10, 14, 24]])
    assert hidden(df, sum_axes=(0, 1)) == [[True, True, False], [True, True, False],
                                           [False, False, False]]


def test_without_totals_only_primary_hiding():
    df = pd.DataFrame({"a": [2, 7, 9]})
    assert hidden(df) == [[True], [False], [False]]


def test_input_is_not_changed():
    df = pd.DataFrame({"a": [2, 7, 9, 18]})
    small_group_mask(df, 5, sum_axes=(0,))
    assert df["a"].tolist() == [2, 7, 9, 18]
