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


def profile_table(organisation_id: int) -> pd.DataFrame:
    """Every profile row of an active skill, long form: ``person``, ``unit_id``
    (0 = no unit), ``skill``, ``level`` (int8), ``wants_to_grow``; ordered by person, skill.

    Shared between requests while the data version is unchanged: do not modify it.
    """
    def load():
        q = (sa.select(PersonSkill.person_id,
                       sa.func.coalesce(Person.unit_id, sa.literal_column(str(NO_UNIT))),
                       PersonSkill.skill_id, PersonSkill.level,
                       sa.case((PersonSkill.wants_to_grow, 1), else_=0))
             .join(Person, Person.id == PersonSkill.person_id)
             .join(Skill, Skill.id == PersonSkill.skill_id)
             .where(Person.organisation_id == int(organisation_id), Skill.active.is_(True)))
        df = int_columns(q, {"person": "int64", "unit_id": "int64", "skill": "int64",
                             "level": "int8", "wants_to_grow": "bool"})
        # sorting in pandas is much cheaper than asking SQLite to sort the joined rows
        return df.sort_values(["person", "skill"], kind="stable", ignore_index=True)
    return versions.memo(organisation_id, "profiles", (), load)


def people_table(organisation_id: int) -> pd.DataFrame:
    """Everyone of the organisation: ``person``, ``unit_id`` (0 = no unit), ``job_title``.

    Shared between requests while the data version is unchanged: do not modify it.
    """
    def load():
        rows = db.session.connection().execute(
            sa.select(Person.id, sa.func.coalesce(Person.unit_id, sa.literal_column(str(NO_UNIT))),
                      Person.job_title)
            .where(Person.organisation_id == organisation_id).order_by(Person.id)).fetchall()
        ids, units, titles = (list(c) for c in zip(*rows)) if rows else ([], [], [])
        return pd.DataFrame({"person": np.array(ids, dtype=np.int64),
                             "unit_id": np.array(units, dtype=np.int64),
                             "job_title": pd.Series(titles, dtype=object)})
    return versions.memo(organisation_id, "people", (), load)


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
