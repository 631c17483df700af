"""What every report shares: filters, the taxonomy and people as DataFrames.

The people and their profile rows come from the one reader,
:mod:`skillmap.services.profile_data`, once per data version; the reports
aggregate them with pandas and keep their own tables in the same versioned
cache (:func:`skillmap.services.versions.memo`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd
import sqlalchemy as sa

from skillmap.extensions import db
from skillmap.models import Person, Skill, SkillArea, Unit
from skillmap.models.base import utcnow
from skillmap.services import versions
from skillmap.services.profile_data import (  # noqa: F401  (the reports import them from here)
    NO_UNIT, in_unit, people_table, profile_table, profiles_frame)
from skillmap.services.report_exports import Table

#: level from which a person "holds" a skill for the reports
STRONG = 3


@dataclass(frozen=True)
class Filters:
    """The GET filters every report accepts (None = all)."""

    unit_id: int | None = None
    area_id: int | None = None


@dataclass
class Report:
    """A computed report: its tables (for page and exports) and chart data."""

    kind: str
    title: str
    filters: Filters
    computed_at: datetime = field(default_factory=utcnow)
    tables: list[Table] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    def table(self, key: str) -> Table:
        return next(t for t in self.tables if t.key == key)


def top_area_col():
    """The top-level area of a skill (areas nest one level deep in the taxonomy)."""
    return sa.func.coalesce(SkillArea.parent_id, SkillArea.id)


def filter_options(organisation_id: int, lang: str) -> dict:
    """Units and top-level areas for the filter form."""
    units = db.session.execute(
        sa.select(Unit.id, Unit.name, Unit.name_en).where(Unit.organisation_id == organisation_id)
        .order_by(Unit.name)).all()
    areas = db.session.execute(
        sa.select(SkillArea.id, SkillArea.name_it, SkillArea.name_en)
        .where(SkillArea.organisation_id == organisation_id, SkillArea.parent_id.is_(None))
        .order_by(SkillArea.position, SkillArea.code)).all()
    pick = (lambda it, en: en or it) if lang == "en" else (lambda it, en: it)
    return {"units": [(u.id, pick(u.name, u.name_en)) for u in units],
            "areas": [(a.id, pick(a.name_it, a.name_en)) for a in areas]}


def skills_frame(organisation_id: int, lang: str, area_id: int | None = None) -> pd.DataFrame:
    """Active skills: ``skill_id``, ``code``, ``skill`` (name), ``area_id`` (top), ``area``."""
    return versions.memo(organisation_id, "skills", (lang, area_id),
                      lambda: _skills_frame(organisation_id, lang, area_id)).copy()


def _skills_frame(organisation_id: int, lang: str, area_id: int | None) -> pd.DataFrame:
    parent = sa.orm.aliased(SkillArea)
    top_name = sa.func.coalesce(parent.name_en if lang == "en" else parent.name_it,
                                SkillArea.name_en if lang == "en" else SkillArea.name_it)
    q = (sa.select(Skill.id.label("skill_id"), Skill.code,
                   (Skill.name_en if lang == "en" else Skill.name_it).label("skill"),
                   top_area_col().label("area_id"), top_name.label("area"))
         .outerjoin(SkillArea, Skill.area_id == SkillArea.id)
         .outerjoin(parent, SkillArea.parent_id == parent.id)
         .where(Skill.organisation_id == organisation_id, Skill.active.is_(True)))
    if area_id:
        q = q.where(top_area_col() == area_id)
    df = pd.DataFrame(db.session.execute(q.order_by(Skill.code)).all(),
                      columns=["skill_id", "code", "skill", "area_id", "area"])
    df["area"] = df["area"].fillna("—")
    return df


def units_frame(organisation_id: int, lang: str, unit_id: int | None = None) -> pd.DataFrame:
    """Units with their headcount (``unit_id`` 0 = people without a unit)."""
    heads = people_table(organisation_id)["unit_id"].value_counts().to_dict()
    names = db.session.execute(
        sa.select(Unit.id, Unit.name, Unit.name_en).where(Unit.organisation_id == organisation_id)
        .order_by(Unit.name)).all()
    rows = [(u.id, (u.name_en or u.name) if lang == "en" else u.name, heads.get(u.id, 0))
            for u in names]
    if heads.get(NO_UNIT):
        from flask_babel import gettext as _

        rows.append((NO_UNIT, _("No unit"), heads[NO_UNIT]))
    df = pd.DataFrame(rows, columns=["unit_id", "unit", "people"])
    if unit_id is not None:
        df = df[df["unit_id"] == unit_id]
    return df.reset_index(drop=True)


def person_unit_filter(q, unit_id: int | None):
    """Restrict a query joined to Person to one unit (0 = people without a unit)."""
    if unit_id is None:
        return q
    if unit_id == NO_UNIT:
        return q.where(Person.unit_id.is_(None))
    return q.where(Person.unit_id == unit_id)


def frame(query, columns: list[str]) -> pd.DataFrame:
    """Run a select and return its rows as a DataFrame, column by column (fast for 100k rows)."""
    rows = db.session.connection().execute(query).fetchall()
    if not rows:
        return pd.DataFrame({c: [] for c in columns})
    return pd.DataFrame(dict(zip(columns, (list(col) for col in zip(*rows)))))


def level_counts(organisation_id: int, unit_id: int | None = None, skill_ids=None
                 ) -> pd.DataFrame:
    """People per skill, level and wish: ``skill``, ``level``, ``wants_to_grow``, ``n``."""
    df = in_unit(profile_table(organisation_id), unit_id)
    if skill_ids is not None:
        df = df[df["skill"].isin([int(s) for s in skill_ids])]
    out = (df.groupby(["skill", "level", "wants_to_grow"], sort=True).size()
           .rename("n").reset_index())
    return out.astype({"skill": "int64", "level": "int64", "wants_to_grow": bool, "n": "int64"})


def anonymous_profiles(counts: pd.DataFrame) -> pd.DataFrame:
    """Long-form profiles rebuilt from :func:`level_counts`, one row per holder.

    For computations that only count people per skill and level (such as
    :func:`skillmap.engine.skill_gaps`) the person is irrelevant, so each row
    gets a made-up person number instead of loading 100,000 rows by person.
    """
    held = counts[counts["level"] >= 1]
    reps = held["n"].to_numpy()
    return pd.DataFrame({
        "person": np.arange(int(reps.sum()), dtype=np.int64),
        "skill": np.repeat(held["skill"].to_numpy(), reps),
        "level": np.repeat(held["level"].to_numpy(), reps)})
