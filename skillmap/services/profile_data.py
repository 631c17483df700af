"""The one reader that turns profile rows into DataFrames for the engine and the reports.

Everything derived (reports, the engine's prepared model, skill families,
team suggestions) starts from :func:`profile_table`, read with one query per
data version (:mod:`skillmap.services.versions`) into compact integer columns.
Retired skills are left out everywhere: they stay in people's own profiles and
history, but no report, suggestion or team counts them.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import sqlalchemy as sa

from skillmap.extensions import db
from skillmap.models import Person, PersonSkill, Skill
from skillmap.services import versions
from skillmap.services.frames import int_columns

__all__ = ["NO_UNIT", "in_unit", "people_table", "profile_table", "profiles_frame"]

#: the ``unit_id`` of people without a unit
NO_UNIT = 0


def _profile_rows(organisation_id: int, people=None) -> pd.DataFrame:
    q = (sa.select(PersonSkill.person_id,
                   sa.func.coalesce(Person.unit_id, sa.literal_column(str(NO_UNIT))),
                   PersonSkill.skill_id, PersonSkill.level,
                   sa.case((PersonSkill.wants_to_grow, 1), else_=0))
         .join(Person, Person.id == PersonSkill.person_id)
         .join(Skill, Skill.id == PersonSkill.skill_id)
         .where(Person.organisation_id == int(organisation_id), Skill.active.is_(True)))
    if people is not None:
        q = q.where(PersonSkill.person_id.in_(sorted(int(p) for p in people)))
    return int_columns(q, {"person": "int64", "unit_id": "int64", "skill": "int64",
                           "level": "int8", "wants_to_grow": "bool"})


def _patched(old: pd.DataFrame, fresh: pd.DataFrame, people: set[int],
             order: list[str]) -> pd.DataFrame:
    """``old`` without the rows of ``people``, plus their ``fresh`` rows, in ``order``.

    ``old`` is already in order (by person first) and every row of a changed person is in
    ``fresh``: each changed person's old block is cut out with a binary search and their
    fresh rows put in its place, one ``take`` of the whole table, no sort of it.
    """
    if not people:
        return old
    ids = np.sort(np.fromiter(people, dtype=np.int64))
    held = old["person"].to_numpy()
    lo, hi = np.searchsorted(held, ids, side="left"), np.searchsorted(held, ids, side="right")
    fresh = fresh.sort_values(order, kind="stable", ignore_index=True)
    new = fresh["person"].to_numpy()
    f_lo, f_hi = np.searchsorted(new, ids, side="left"), np.searchsorted(new, ids, side="right")
    pieces, start, n_old = [], 0, len(old)
    for k in range(len(ids)):
        pieces += [np.arange(start, lo[k]), n_old + np.arange(f_lo[k], f_hi[k])]
        start = hi[k]
    pieces.append(np.arange(start, n_old))
    out = pd.concat([old, fresh], ignore_index=True)
    return out.take(np.concatenate(pieces)).reset_index(drop=True)


def profile_table(organisation_id: int) -> pd.DataFrame:
    """Every profile row of an active skill, long form: ``person``, ``unit_id``
    (0 = no unit), ``skill``, ``level`` (int8), ``wants_to_grow``; ordered by person, skill.

    Read once per data version; after an edit only the rows of the people it changed
    are read again (:func:`skillmap.services.versions.memo_patched`). Shared between
    requests while the data version is unchanged: do not modify it.
    """
    order = ["person", "skill"]

    def load():
        # sorting in pandas is much cheaper than asking SQLite to sort the joined rows
        return _profile_rows(organisation_id).sort_values(order, kind="stable",
                                                          ignore_index=True)

    def patch(old, people):
        return _patched(old, _profile_rows(organisation_id, people), people, order)
    return versions.memo_patched(organisation_id, "profiles", load, patch)


def _people_rows(organisation_id: int, people=None) -> pd.DataFrame:
    q = (sa.select(Person.id, sa.func.coalesce(Person.unit_id, sa.literal_column(str(NO_UNIT))),
                   Person.job_title, Person.availability_hours, Person.available_until)
         .where(Person.organisation_id == organisation_id))
    if people is not None:
        q = q.where(Person.id.in_(sorted(int(p) for p in people)))
    rows = db.session.connection().execute(q).fetchall()
    ids, units, titles, hours, until = ((list(c) for c in zip(*rows)) if rows
                                        else ([], [], [], [], []))
    return pd.DataFrame({"person": np.array(ids, dtype=np.int64),
                         "unit_id": np.array(units, dtype=np.int64),
                         "job_title": pd.Series(titles, dtype=object),
                         "hours": np.array([h or 0 for h in hours], dtype=np.int64),
                         "available_until": pd.to_datetime(pd.Series(until, dtype=object))})


def people_table(organisation_id: int) -> pd.DataFrame:
    """Everyone of the organisation: ``person``, ``unit_id`` (0 = no unit), ``job_title``,
    ``hours`` (free hours a month, 0 if none), ``available_until`` (NaT: no end), ordered
    by person; patched after an edit like :func:`profile_table`.

    Shared between requests while the data version is unchanged: do not modify it.
    """
    def load():
        return _people_rows(organisation_id).sort_values("person", ignore_index=True)

    def patch(old, people):
        return _patched(old, _people_rows(organisation_id, people), people, ["person"])
    return versions.memo_patched(organisation_id, "people", load, patch)


def in_unit(df: pd.DataFrame, unit_id: int | None) -> pd.DataFrame:
    """Rows of :func:`profile_table` or :func:`people_table` in one unit (0 = no unit)."""
    return df if unit_id is None else df[df["unit_id"].to_numpy() == unit_id]


def profiles_frame(organisation_id: int, *, unit_id: int | None = None, skill_ids=None,
                   people=(), held_only: bool = False) -> pd.DataFrame:
    """The engine's input: ``person``, ``skill``, ``level`` (int64), ``wants_to_grow``.

    ``skill_ids`` keeps rows of those skills only, plus every row of ``people``
    (the team builder's pinned people); ``held_only`` drops wishes (level 0).
    A new DataFrame: the caller may change it.
    """
    df = in_unit(profile_table(organisation_id), unit_id)
    if skill_ids is not None:
        keep = np.isin(df["skill"].to_numpy(), np.array([int(s) for s in skill_ids], dtype=np.int64))
        if len(people):
            keep |= np.isin(df["person"].to_numpy(), np.array([int(p) for p in people],
                                                             dtype=np.int64))
        df = df[keep]
    if held_only:
        df = df[df["level"].to_numpy() >= 1]
    return df[["person", "skill", "level", "wants_to_grow"]].astype(
        {"level": "int64"}).reset_index(drop=True)
