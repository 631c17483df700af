"""Skills matrix: units by skill areas (or, drilled down, by the skills of one area)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import sqlalchemy as sa
from flask_babel import gettext as _

from skillmap.extensions import db
from skillmap.models import SkillArea
from skillmap.services.report_exports import Table
from skillmap.services import versions
from skillmap.services.reports.base import (STRONG, Filters, Report, people_table,
                                            profile_table, skills_frame, units_frame)
from skillmap.services.suppression import TOTAL, finest_mask

#: heat classes: upper bound as a share of the largest shown count
SHADES = (0.0, 0.25, 0.5, 0.75, 1.0)


def _cell_tables(organisation_id: int, skills: pd.DataFrame, by_skill: bool,
                 unit_ids: list, col_ids) -> dict[str, pd.DataFrame]:
    """units x columns: people at level >= 3 (``n3``), people holding it (``holders``),
    level sum (``lsum``) and rows (``nrows``), each with the ``TOTAL`` row (the sum of the
    units). A person counts once per cell, with their best level in it.

    ``skills`` is :func:`skills_frame` (active skills, of the area); the columns are
    skills (``by_skill``) or areas. Plain numpy over the one profile table: one sort and a
    few ``bincount`` (a pandas groupby and four pivots cost ten times as much).
    """
    col_of = pd.Series(skills["skill_id" if by_skill else "area_id"].to_numpy(),
                       index=skills["skill_id"].to_numpy()).dropna()
    df = profile_table(organisation_id)
    held = df["level"].to_numpy() >= 1
    skill = df["skill"].to_numpy()[held]
    col = pd.Index(np.asarray(col_ids, dtype=np.int64)).get_indexer(
        pd.Series(skill).map(col_of).fillna(-1).to_numpy(dtype=np.int64))
    unit = pd.Index(np.asarray(unit_ids, dtype=np.int64)).get_indexer(
        df["unit_id"].to_numpy()[held])
    keep = (col >= 0) & (unit >= 0)
    n_units, n_cols = len(unit_ids), len(col_ids)
    cell = (unit * n_cols + col)[keep]
    person = df["person"].to_numpy()[held][keep]
    level = df["level"].to_numpy()[held][keep].astype(np.int64)
    size = n_units * n_cols
    order = np.lexsort((person, cell))
    cs, ps, ls = cell[order], person[order], level[order]
    first = np.ones(len(cs), dtype=bool)
    first[1:] = (cs[1:] != cs[:-1]) | (ps[1:] != ps[:-1])
    starts = np.flatnonzero(first)
    best = np.maximum.reduceat(ls, starts) if len(starts) else ls[:0]
    cells = cs[starts]
    values = {"n3": np.bincount(cells[best >= STRONG], minlength=size),
              "holders": np.bincount(cells, minlength=size),
              "lsum": np.bincount(cell, weights=level, minlength=size).astype(np.int64),
              "nrows": np.bincount(cell, minlength=size)}
    out = {}
    for name, flat in values.items():
        grid = flat.astype(np.int64).reshape(n_units, n_cols)
        table = np.vstack([grid, grid.sum(axis=0, keepdims=True)])
        out[name] = pd.DataFrame(table, index=list(unit_ids) + [TOTAL],
                                 columns=pd.Index(col_ids, name="col"))
    return out


def shade_class(value: float, top: float) -> int:
    """0-4: which heat class a count falls in (0 = none)."""
    if not value or not top:
        return 0
    return min(4, int(np.searchsorted(SHADES, value / top, side="left")))


def matrix_cells(organisation_id: int, area_id: int | None, min_group: int) -> dict:
    """The whole organisation's matrix (every unit and the ``TOTAL`` row) and its masks.

    Decided once per data version, area and minimum group; every view of the
    matrix (a unit filter, the people behind a cell) reads its cells from here,
    so no two views hide differently (see :mod:`skillmap.services.suppression`).
    """
    return versions.memo(organisation_id, "matrix_cells", (area_id, min_group),
                         lambda: _matrix_cells(organisation_id, area_id, min_group))


def _matrix_cells(organisation_id: int, area_id: int | None, min_group: int) -> dict:
    skills = skills_frame(organisation_id, "it", area_id)
    col_ids = (skills["skill_id"] if area_id else skills["area_id"].dropna()).astype(int).unique()
    unit_ids = units_frame(organisation_id, "it")["unit_id"].tolist()
    parts = _cell_tables(organisation_id, skills, bool(area_id), unit_ids, col_ids)
    n3, holders, lsum, nrows = (parts[v] for v in ("n3", "holders", "lsum", "nrows"))
    heads = people_table(organisation_id)["unit_id"].value_counts()
    heads = heads.reindex(unit_ids, fill_value=0)
    heads = pd.concat([heads, pd.Series({TOTAL: int(heads.sum())})]).to_frame("people")
    with np.errstate(invalid="ignore", divide="ignore"):
        avg = lsum / nrows.replace(0, np.nan)
    return {"counts": n3, "count_hidden": finest_mask(n3, min_group),
            "avg": avg, "avg_hidden": ((holders >= 1) & (holders < min_group)) | avg.isna(),
            "heads": heads, "heads_hidden": finest_mask(heads, min_group)}


def cell_hidden(organisation_id: int, unit_id: int | None, area_id: int | None,
                column: int, min_group: int) -> bool:
    """Whether the matrix hides the cell (unit or whole organisation, area or skill column)."""
    cells = matrix_cells(organisation_id, area_id, min_group)
    mask = cells["count_hidden"]
    row = TOTAL if unit_id is None else unit_id
    if row not in mask.index or column not in mask.columns:
        return False
    return bool(mask.at[row, column])


def matrix_report(organisation_id: int, f: Filters, min_group: int, lang: str) -> Report:
    skills = skills_frame(organisation_id, lang, f.area_id)
    if f.area_id:
        cols = skills[["skill_id", "skill"]].rename(columns={"skill_id": "col", "skill": "label"})
        drill_area = skills["area"].iloc[0] if len(skills) else ""
    else:
        cols = (skills.drop_duplicates("area_id").dropna(subset=["area_id"])
                [["area_id", "area"]].rename(columns={"area_id": "col", "area": "label"}))
        order = {a: i for i, a in enumerate(_area_order(organisation_id))}
        cols = cols.assign(o=cols["col"].map(order)).sort_values("o").drop(columns="o")
        drill_area = None
    cols["col"] = cols["col"].astype(int)
    units = units_frame(organisation_id, lang, f.unit_id)
    full = matrix_cells(organisation_id, f.area_id, min_group)
    total = TOTAL
    # a unit filter shows that unit's row, and its "all units" row is that same row
    rows = list(units["unit_id"])
    pick_total = total if f.unit_id is None else (rows[0] if rows else total)

    def view(df):
        out = df.reindex(index=rows + [pick_total], columns=cols["col"])
        out.index = rows + [total]
        return out

    counts, count_hidden = view(full["counts"]).fillna(0), view(full["count_hidden"]).fillna(False)
    avg, avg_hidden = view(full["avg"]), view(full["avg_hidden"]).fillna(True)
    heads = full["heads"].reindex(index=rows + [pick_total]).fillna(0)
    heads.index = rows + [total]
    heads_hidden = full["heads_hidden"].reindex(index=rows + [pick_total]).fillna(False)
    heads_hidden.index = rows + [total]
    count_hidden, avg_hidden, heads_hidden = (m.astype(bool) for m in
                                              (count_hidden, avg_hidden, heads_hidden))

    unit_labels = dict(zip(units["unit_id"], units["unit"]))
    unit_labels[total] = _("All units")
    col_labels = dict(zip(cols["col"], cols["label"]))
    top = counts.where(~count_hidden).drop(index=total).max().max()
    top = 0.0 if pd.isna(top) else float(top)

    def export(df, hidden, key, title, fmt=None):
        out = df.rename(index=unit_labels, columns=col_labels)
        if fmt:
            out = out.map(fmt)
        out.index.name = _("Unit")
        hid = hidden.rename(index=unit_labels, columns=col_labels)
        hid.index.name = out.index.name
        heads_col = heads.rename(index=unit_labels)["people"]
        out.insert(0, _("People in the unit"), heads_col)
        hid.insert(0, _("People in the unit"), heads_hidden.rename(index=unit_labels)["people"])
        return Table(key, title, out.reset_index(), hid.reset_index().assign(
            **{out.index.name: False}))

    what = _("skills") if f.area_id else _("skill areas")
    tables = [
        export(counts.astype(int), count_hidden, _("People level 3+"),
               _("People at level 3 or more, by unit and %(what)s", what=what)),
        export(avg.round(1), avg_hidden | avg.isna(), _("Average level"),
               _("Average level of those who hold it (1-5), by unit and %(what)s", what=what)),
    ]
    return Report("matrix", _("Skills matrix"), f, tables=tables, extra={
        "units": [(u, unit_labels[u]) for u in list(units["unit_id"]) + [total]],
        "columns": list(cols.itertuples(index=False, name=None)),
        "counts": counts, "count_hidden": count_hidden, "avg": avg, "avg_hidden": avg_hidden,
        "heads": heads["people"], "heads_hidden": heads_hidden["people"], "top": top,
        "drill_area": drill_area, "total_key": total,
        "shades": [(i, lo, hi) for i, lo, hi in (
            (i, int(np.floor(SHADES[i - 1] * top)) + 1, int(np.floor(SHADES[i] * top)))
            for i in range(1, 5)) if lo <= hi],
    })


def _area_order(organisation_id: int) -> list[int]:
    return list(db.session.scalars(
        sa.select(SkillArea.id).where(SkillArea.organisation_id == organisation_id,
                                      SkillArea.parent_id.is_(None))
        .order_by(SkillArea.position, SkillArea.code)))
