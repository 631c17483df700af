"""Reading large selects into pandas quickly (100,000-row profile tables)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from skillmap.extensions import db


def raw_rows(query) -> list[tuple]:
    """Rows of a select as the driver's plain tuples, for 100,000-row reads.

    The driver's own cursor, in the session's transaction, skips building
    result rows (several times faster); the query's parameters must be
    numbers or constants, which the compiler inlines.
    """
    conn = db.session.connection()
    sql = str(query.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql)
        return cursor.fetchall()
    finally:
        cursor.close()


def int_columns(query, columns: dict[str, str]) -> pd.DataFrame:
    """Run a select of integer (or boolean) columns into a DataFrame of the given dtypes."""
    rows = raw_rows(query)
    cols = zip(*rows) if rows else ([] for _ in columns)
    return pd.DataFrame({name: np.array(col, dtype=np.int64).astype(dtype, copy=False)
                         for (name, dtype), col in zip(columns.items(), cols)})
