"""Tiny hand-made cooperatives whose answers can be checked by hand."""
import pandas as pd
import pytest


@pytest.fixture
def two_trades():
    """Carpenters (c1-c6) and accountants (a1-a6); half of each does teamwork.

    Carpentry: saw, drill, sand. Accounting: excel, invoice, vat. Teamwork is
    held by c1, c3, c5, a1, a3, a5: the same share in both trades.
    """
    rows = [(f"c{i}", s, 3) for i in range(1, 7) for s in ("saw", "drill", "sand")]
    rows += [(f"a{i}", s, 3) for i in range(1, 7) for s in ("excel", "invoice", "vat")]
    rows += [(p, "teamwork", 2) for p in ("c1", "c3", "c5", "a1", "a3", "a5")]
    return pd.DataFrame(rows, columns=["person", "skill", "level"])
