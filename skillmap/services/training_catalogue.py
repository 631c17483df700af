"""The course catalogue: loaded from seed_data/training_courses.csv, edited by admins.

Loading adds the courses whose code is new and leaves the others alone, so that an
admin's local corrections (a Region's HACCP period, the hours of a new State-Regions
agreement) survive a second load. Every default carries its ``source``; they must be
checked against the official texts before use (docs/TRAINING.md).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from skillmap.extensions import db
from skillmap.models import SAFETY_ROLES, Organisation, Skill, TrainingCourse
from skillmap.services.taxonomy import SEED_DIR, TaxonomyError

__all__ = ["COURSE_COLUMNS", "CourseData", "LoadReport", "load_courses", "update_course"]

COURSE_COLUMNS = ["code", "name_it", "name_en", "legal_basis", "hours_first", "hours_renewal",
                  "validity_months", "safety_role", "skill_code", "aliases", "source"]


@dataclass
class LoadReport:
    added: int = 0
    kept: int = 0


@dataclass
class CourseData:
    name_it: str
    name_en: str
    legal_basis: str = ""
    hours_first: int = 0
    hours_renewal: int | None = None
    validity_months: int | None = None
    safety_role: str | None = None
    skill_id: int | None = None
    source: str = ""
    aliases: str = ""
    active: bool = True


def _int(value: str, what: str, row: int) -> int | None:
    if value == "":
        return None
    try:
        number = int(value)
    except ValueError:
        raise TaxonomyError(f"training_courses.csv: row {row}: {what} {value!r} is not a "
                            "whole number") from None
    if number < 0:
        raise TaxonomyError(f"training_courses.csv: row {row}: {what} is negative")
    return number


def read_courses(path: Path) -> pd.DataFrame:
    from skillmap.services.taxonomy import read_csv

    df = read_csv(path, COURSE_COLUMNS)
    bad = df[(df["safety_role"] != "") & ~df["safety_role"].isin(SAFETY_ROLES)]
    if not bad.empty:
        raise TaxonomyError(f"{path.name}: row {int(bad.index[0]) + 2}: unknown safety role "
                            f"{bad['safety_role'].iloc[0]!r}")
    return df


def load_courses(org: Organisation, seed_dir: Path | None = None) -> LoadReport:
    """Add the catalogue's new courses to ``org`` (flushed; the caller commits)."""
    df = read_courses((seed_dir or SEED_DIR) / "training_courses.csv")
    skills = dict(db.session.execute(sa.select(Skill.code, Skill.id).where(
        Skill.organisation_id == org.id)).all())
    have = set(db.session.scalars(sa.select(TrainingCourse.code).where(
        TrainingCourse.organisation_id == org.id)))
    report = LoadReport()
    for i, row in enumerate(df.to_dict("records"), start=2):
        if row["code"] in have:
            report.kept += 1
            continue
        validity = _int(row["validity_months"], "validity_months", i)
        db.session.add(TrainingCourse(
            organisation_id=org.id, code=row["code"], name_it=row["name_it"],
            name_en=row["name_en"], legal_basis=row["legal_basis"],
            hours_first=_int(row["hours_first"], "hours_first", i) or 0,
            hours_renewal=_int(row["hours_renewal"], "hours_renewal", i),
            validity_months=validity or None, safety_role=row["safety_role"] or None,
            skill_id=skills.get(row["skill_code"]), aliases=row["aliases"],
            source=row["source"], active=True))
        report.added += 1
    db.session.flush()
    return report


def update_course(course: TrainingCourse, data: CourseData) -> TrainingCourse:
    """An admin's correction of a course (flushed; the view commits)."""
    for key, value in vars(data).items():
        setattr(course, key, value)
    db.session.flush()
    return course
