"""Training requirements of projects: a course valid until the project's end, for every
member or at least N. The team builder treats them as hard constraints
(:mod:`skillmap.engine.team_training`)."""
from __future__ import annotations

from datetime import date

import pandas as pd
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from skillmap import clock
from skillmap.engine.training import latest_records
from skillmap.extensions import db
from skillmap.models import Project, ProjectTraining, TrainingCourse, TrainingRecord
from skillmap.services.training import TrainingError

__all__ = ["add_need", "holders_frame", "needs_frame", "remove_need", "valid_until"]


def valid_until(project: Project) -> date:
    """The day the course must still be valid: the project's end (or start, or today)."""
    return project.end_date or project.start_date or clock.today()


def add_need(project: Project, course_id: int, min_members: int | None) -> ProjectTraining:
    course = db.session.get(TrainingCourse, course_id) if course_id else None
    if course is None or course.organisation_id != project.organisation_id:
        raise TrainingError("course_id", _l("Choose a course of the list."))
    if min_members is not None and not 1 <= min_members <= 50:
        raise TrainingError("min_members", _l("Enter a number from 1 to 50."))
    row = db.session.scalar(sa.select(ProjectTraining).where(
        ProjectTraining.project_id == project.id, ProjectTraining.course_id == course.id))
    if row is None:
        row = ProjectTraining(project_id=project.id, course_id=course.id)
        db.session.add(row)
    row.min_members = min_members
    db.session.flush()
    return row


def remove_need(project: Project, need_id: int) -> None:
    row = db.session.get(ProjectTraining, need_id)
    if row is None or row.project_id != project.id:
        raise TrainingError("need", "not this project's")
    db.session.delete(row)
    db.session.flush()


def needs(project: Project) -> list[ProjectTraining]:
    return list(db.session.scalars(sa.select(ProjectTraining).where(
        ProjectTraining.project_id == project.id).order_by(ProjectTraining.id)))


def needs_frame(project: Project) -> pd.DataFrame:
    rows = [(n.course_id, n.min_members) for n in needs(project)]
    return pd.DataFrame({"course": [r[0] for r in rows],
                         "min_members": pd.Series([r[1] for r in rows], dtype=object)})


def holders_frame(organisation_id: int, course_ids, until: date,
                  today: date | None = None) -> pd.DataFrame:
    """``person``, ``course``: whose latest course, done by ``today``, is valid on ``until``."""
    today = today or clock.today()
    if not len(course_ids):
        return pd.DataFrame(columns=["person", "course"])
    recs = pd.DataFrame(db.session.execute(sa.select(
        TrainingRecord.person_id, TrainingRecord.course_id, TrainingRecord.completed_on,
        TrainingRecord.expires_on).where(
        TrainingRecord.organisation_id == organisation_id,
        TrainingRecord.course_id.in_(list(course_ids)),
        TrainingRecord.completed_on <= today)).all(),
        columns=["person", "course", "completed_on", "expires_on"])
    latest = latest_records(recs)
    ok = [e is None or pd.isna(e) or e >= until for e in latest["expires_on"]]
    return latest.loc[ok, ["person", "course"]].reset_index(drop=True)
