"""Reading the register into the engine: status per person and course, coverage per unit.

One reader turns the rows into the DataFrames of :mod:`skillmap.engine.training`,
which alone decides valid / expiring / expired / missing / not required.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import sqlalchemy as sa
from flask import current_app

from skillmap import clock
from skillmap.engine import training as engine
from skillmap.extensions import db
from skillmap.models import (
    SAFETY_ROLES,
    Person,
    SafetyRoleHolder,
    TrainingCourse,
    TrainingRecord,
    TrainingRule,
    Unit,
    UnitCoverage,
)

__all__ = ["Register", "coverage_table", "person_status", "read_register", "status_table",
           "window_days"]


def window_days() -> int:
    return int(current_app.config["TRAINING_WINDOW_DAYS"])


@dataclass
class Register:
    people: pd.DataFrame
    rules: pd.DataFrame
    records: pd.DataFrame
    courses: pd.DataFrame
    minimums: pd.DataFrame


def read_register(org_id: int, today: date, person_id: int | None = None) -> Register:
    """The organisation's register as DataFrames (people still at work on ``today``)."""
    pq = sa.select(Person.id, Person.first_name, Person.last_name, Person.job_title,
                   Person.work_relationship, Person.unit_id, Person.email).where(
        Person.organisation_id == org_id,
        sa.or_(Person.end_date.is_(None), Person.end_date >= today))
    if person_id is not None:
        pq = pq.where(Person.id == person_id)
    people = pd.DataFrame(db.session.execute(pq).all(),
                          columns=["person", "first_name", "last_name", "job_title",
                                   "work_relationship", "unit", "email"])
    roles: dict[int, set] = {}
    rq = sa.select(SafetyRoleHolder.person_id, SafetyRoleHolder.role).join(
        Person, Person.id == SafetyRoleHolder.person_id).where(Person.organisation_id == org_id)
    for pid, role in db.session.execute(rq):
        roles.setdefault(pid, set()).add(role)
    people["roles"] = [roles.get(p, set()) for p in people["person"]]
    rules = pd.DataFrame(db.session.execute(sa.select(
        TrainingRule.course_id, TrainingRule.job_title, TrainingRule.work_relationship,
        TrainingRule.unit_id, TrainingRule.safety_role).join(
        TrainingCourse, TrainingCourse.id == TrainingRule.course_id).where(
        TrainingRule.organisation_id == org_id, TrainingCourse.active)).all(),
        columns=["course", "job_title", "work_relationship", "unit", "safety_role"])
    recq = sa.select(TrainingRecord.person_id, TrainingRecord.course_id,
                     TrainingRecord.completed_on, TrainingRecord.expires_on).where(
        TrainingRecord.organisation_id == org_id)
    if person_id is not None:
        recq = recq.where(TrainingRecord.person_id == person_id)
    records = pd.DataFrame(db.session.execute(recq).all(),
                           columns=["person", "course", "completed_on", "expires_on"])
    records = records[records["person"].isin(people["person"])]
    courses = pd.DataFrame(db.session.execute(sa.select(
        TrainingCourse.id, TrainingCourse.code, TrainingCourse.name_it, TrainingCourse.name_en,
        TrainingCourse.safety_role, TrainingCourse.hours_first, TrainingCourse.hours_renewal,
        TrainingCourse.validity_months).where(TrainingCourse.organisation_id == org_id)).all(),
        columns=["course", "code", "name_it", "name_en", "safety_role", "hours_first",
                 "hours_renewal", "validity_months"])
    minimums = pd.DataFrame(db.session.execute(sa.select(
        UnitCoverage.unit_id, UnitCoverage.role, UnitCoverage.minimum).where(
        UnitCoverage.organisation_id == org_id)).all(), columns=["unit", "role", "minimum"])
    return Register(people, rules, records, courses, minimums)


def _unit_names(org_id: int, locale: str) -> dict[int, str]:
    rows = db.session.execute(sa.select(Unit.id, Unit.name, Unit.name_en).where(
        Unit.organisation_id == org_id)).all()
    return {i: (en if locale == "en" and en else it) for i, it, en in rows}


def status_table(org_id: int, today: date | None = None, window: int | None = None, *,
                 locale: str = "it", person_id: int | None = None) -> pd.DataFrame:
    """Status rows with names: ``person``, ``name``, ``email``, ``unit``, ``unit_name``,
    ``course``, ``code``, ``course_name``, ``required``, ``completed_on``, ``expires_on``,
    ``days_left``, ``status``, ``hours`` (of the next course: first or renewal)."""
    today = today or clock.today()
    window = window_days() if window is None else window
    reg = read_register(org_id, today, person_id)
    out = engine.training_status(reg.people, reg.rules, reg.records, today, window)
    if out.empty:
        return out.assign(name=[], email=[], unit=[], unit_name=[], code=[], course_name=[],
                          hours=[])
    people = reg.people.set_index("person")
    courses = reg.courses.set_index("course")
    units = _unit_names(org_id, locale)
    out["name"] = [f"{people.at[p, 'last_name']} {people.at[p, 'first_name']}"
                   for p in out["person"]]
    out["email"] = [people.at[p, "email"] for p in out["person"]]
    out["unit"] = [people.at[p, "unit"] for p in out["person"]]
    out["unit_name"] = [units.get(u, "") if pd.notna(u) else "" for u in out["unit"]]
    out["code"] = [courses.at[c, "code"] for c in out["course"]]
    name_col = "name_en" if locale == "en" else "name_it"
    out["course_name"] = [courses.at[c, name_col] for c in out["course"]]
    out["hours"] = [int(courses.at[c, "hours_first"] if s == engine.MISSING
                        else (courses.at[c, "hours_renewal"]
                              if pd.notna(courses.at[c, "hours_renewal"])
                              else courses.at[c, "hours_first"]))
                    for c, s in zip(out["course"], out["status"])]
    return out


def person_status(person: Person, today: date | None = None, *,
                  locale: str = "it") -> pd.DataFrame:
    """One person's courses and deadlines (the same rules as everybody's)."""
    return status_table(person.organisation_id, today, person_id=person.id, locale=locale)


def coverage_table(org_id: int, on: date | None = None, window: int | None = None, *,
                   locale: str = "it") -> pd.DataFrame:
    """Each unit's minimum of first-aiders, fire wardens, supervisors against who is valid."""
    on = on or clock.today()
    window = window_days() if window is None else window
    reg = read_register(org_id, on)
    out = engine.coverage(reg.people[["person", "unit"]], reg.records,
                          reg.courses[["course", "safety_role"]], reg.minimums, on, window)
    units = _unit_names(org_id, locale)
    people = reg.people.set_index("person")
    out["unit_name"] = [units.get(u, "") for u in out["unit"]]
    idx = 1 if locale == "en" else 0
    out["role_name"] = [SAFETY_ROLES[r][idx] for r in out["role"]]
    out["holder_names"] = [", ".join(f"{people.at[p, 'first_name']} {people.at[p, 'last_name']}"
                                     for p in ps) for ps in out["holders"]]
    return out.sort_values(["flagged", "unit_name"], ascending=[False, True],
                           kind="stable").reset_index(drop=True)
