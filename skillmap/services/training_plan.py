"""A training plan for a window of dates, as a fund (Foncoop, a Conto Formativo) asks for it.

:func:`propose` suggests the lines: the mandatory courses that expire or are missing by
the end of the window (first courses and renewals apart, expired and missing first),
and courses for the skills of the gap report, for the people who want to learn them
(the growth report's candidates). HR keep, change or drop each line and add their own;
:func:`save_plan` stores the plan with its date. Services flush; the view commits.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd
import sqlalchemy as sa
from flask_babel import gettext as _

from skillmap.extensions import db
from skillmap.models import (
    Person,
    PersonSkill,
    Skill,
    TrainingCourse,
    TrainingPlan,
    TrainingPlanLine,
    TrainingPlanParticipant,
    User,
)
from skillmap.services import training_status

__all__ = ["Line", "add_line", "propose", "remove_line", "save_plan"]

#: hours proposed for a skill course that no catalogue course describes (HR change them)
DEVELOPMENT_HOURS = 8
SAFETY_AREA_IT, SAFETY_AREA_EN = "Salute e sicurezza sul lavoro", "Health and safety at work"


@dataclass
class Line:
    topic: str
    kind: str                  # mandatory or development
    hours_each: int
    priority: int              # 1 high, 2 medium, 3 low
    reason: str
    participants: list[int] = field(default_factory=list)
    course_id: int | None = None
    skill_id: int | None = None
    topic_area: str = ""
    estimated_cost: int | None = None

    @property
    def total_hours(self) -> int:
        return self.hours_each * len(self.participants)


def _mandatory(org_id: int, start: date, end: date, locale: str) -> list[Line]:
    frame = training_status.status_table(org_id, start, locale=locale)
    if frame.empty:
        return []
    due = frame[(frame["status"] == "missing") | (frame["required"] & frame["expires_on"].notna()
                                                  & frame["expires_on"].map(
                                                      lambda d: d is not None and not pd.isna(d)
                                                      and d <= end))]
    courses = {c.id: c for c in db.session.scalars(sa.select(TrainingCourse).where(
        TrainingCourse.organisation_id == org_id))}
    lines = []
    for (course_id, first), rows in due.groupby(
            [due["course"], due["status"] == "missing"], sort=False):
        course = courses[int(course_id)]
        expired = int((rows["status"] == "expired").sum())
        later = len(rows) - expired
        if first:
            reason = _("%(n)d people never did it and need it.", n=len(rows))
        else:
            reason = _("%(expired)d expired, %(later)d expire by %(end)s.", expired=expired,
                       later=later, end=end.isoformat())
        area = SAFETY_AREA_EN if locale == "en" else SAFETY_AREA_IT
        if course.code.startswith("HACCP"):
            area = _("Food hygiene")
        hours = course.hours_first if first or course.hours_renewal is None \
            else course.hours_renewal
        name = course.name(locale) + ("" if first else " – " + _("refresher"))
        lines.append(Line(topic=name, kind="mandatory", hours_each=int(hours or 0),
                          priority=1 if first or expired else 2, reason=reason,
                          participants=sorted(int(p) for p in rows["person"]),
                          course_id=course.id, topic_area=area))
    return sorted(lines, key=lambda ln: (ln.priority, -len(ln.participants), ln.topic))


def _development(org_id: int, locale: str) -> list[Line]:
    from skillmap.services.reports.base import Filters
    from skillmap.services.reports.gaps import gap_table

    gaps = gap_table(org_id, Filters(), locale)
    if gaps.empty:
        return []
    gaps = gaps[gaps["total_gap"] > 0]
    need = dict(zip(gaps["skill_id"].astype(int), gaps["need_level"].astype(int)))
    if not need:
        return []
    rows = db.session.execute(sa.select(PersonSkill.skill_id, PersonSkill.person_id,
                                        PersonSkill.level).join(
        Person, Person.id == PersonSkill.person_id).where(
        Person.organisation_id == org_id, Person.end_date.is_(None),
        PersonSkill.skill_id.in_(list(need)), PersonSkill.wants_to_grow)).all()
    want: dict[int, list[int]] = {}
    for skill_id, person_id, level in rows:
        if level < need[skill_id]:
            want.setdefault(skill_id, []).append(person_id)
    skills = {s.id: s for s in db.session.scalars(sa.select(Skill).where(
        Skill.id.in_(list(want))))}
    linked = {c.skill_id: c for c in db.session.scalars(sa.select(TrainingCourse).where(
        TrainingCourse.organisation_id == org_id, TrainingCourse.skill_id.in_(list(want))))}
    gap = dict(zip(gaps["skill_id"].astype(int), gaps["total_gap"]))
    lines = []
    for skill_id, people in want.items():
        skill, course = skills[skill_id], linked.get(skill_id)
        lines.append(Line(
            topic=course.name(locale) if course else skill.name(locale), kind="development",
            hours_each=int(course.hours_first) if course else DEVELOPMENT_HOURS,
            priority=2 if gap[skill_id] >= 2 else 3,
            reason=_("Gap of %(gap)s in the gap report; %(n)d people want to learn it.",
                     gap=f"{gap[skill_id]:g}", n=len(people)),
            participants=sorted(people), course_id=course.id if course else None,
            skill_id=skill_id, topic_area=skill.area.name(locale) if skill.area else ""))
    return sorted(lines, key=lambda ln: (ln.priority, -len(ln.participants), ln.topic))


def propose(org_id: int, start: date, end: date, locale: str = "it") -> list[Line]:
    """The proposed lines for the window ``start`` - ``end``: mandatory first."""
    return _mandatory(org_id, start, end, locale) + _development(org_id, locale)


def _add_line(plan: TrainingPlan, line: Line, position: int) -> TrainingPlanLine:
    row = TrainingPlanLine(position=position, course_id=line.course_id, skill_id=line.skill_id,
                           topic=line.topic[:200], topic_area=(line.topic_area or "")[:200],
                           kind=line.kind if line.kind in ("mandatory", "development")
                           else "development", hours_each=max(0, int(line.hours_each)),
                           priority=min(3, max(1, int(line.priority))),
                           reason=(line.reason or "")[:500], estimated_cost=line.estimated_cost)
    people = set(db.session.scalars(sa.select(Person.id).where(
        Person.organisation_id == plan.organisation_id,
        Person.id.in_(list(line.participants))))) if line.participants else set()
    row.participants = [TrainingPlanParticipant(person_id=p) for p in sorted(people)]
    plan.lines.append(row)
    return row


def save_plan(org_id: int, title: str, start: date, end: date, lines: list[Line], *,
              actor: User | None) -> TrainingPlan:
    """Store a plan (flushed; the view commits)."""
    plan = TrainingPlan(organisation_id=org_id, title=title.strip()[:200] or _("Training plan"),
                        window_start=start, window_end=end,
                        created_by_id=actor.id if actor else None)
    db.session.add(plan)
    for i, line in enumerate(lines):
        _add_line(plan, line, i)
    db.session.flush()
    return plan


def add_line(plan: TrainingPlan, line: Line) -> TrainingPlanLine:
    row = _add_line(plan, line, 1 + max((ln.position for ln in plan.lines), default=-1))
    db.session.flush()
    return row


def remove_line(plan: TrainingPlan, line_id: int) -> None:
    row = db.session.get(TrainingPlanLine, line_id)
    if row is None or row.plan_id != plan.id:
        raise LookupError(line_id)
    plan.lines.remove(row)
    db.session.flush()
