"""Mandatory training (formazione obbligatoria): courses, who needs them, who did them.

The catalogue (:class:`TrainingCourse`) ships in ``seed_data/training_courses.csv`` and
admins edit it afterwards. :class:`TrainingRule` says who needs a course;
:class:`UnitCoverage` how many valid holders of a safety role a unit needs;
:class:`TrainingRecord` is one course a person completed. The status of a person
and a course (valid, expiring, expired, missing, not required) is never stored: it is
computed in one place, :mod:`skillmap.engine.training`.
"""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from skillmap.extensions import db
from skillmap.models.base import created_col, org_fk

#: named safety roles a person holds in their unit: code -> (Italian, English)
SAFETY_ROLES: dict[str, tuple[str, str]] = {
    "first_aid": ("Addetto al primo soccorso", "First-aider"),
    "fire": ("Addetto antincendio", "Fire warden"),
    "preposto": ("Preposto", "Supervisor (preposto)"),
}
_ROLE_CHECK = "IN ('first_aid', 'fire', 'preposto')"


class TrainingCourse(db.Model):
    """A course of the catalogue: hours, validity and the law that asks for it."""

    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "code"),
        sa.CheckConstraint("validity_months IS NULL OR validity_months > 0", name="validity"),
        sa.CheckConstraint(f"safety_role IS NULL OR safety_role {_ROLE_CHECK}", name="role"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = org_fk()
    code: Mapped[str] = mapped_column(sa.String(40))
    name_it: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str] = mapped_column(sa.String(200))
    legal_basis: Mapped[str] = mapped_column(sa.String(300), default="")
    hours_first: Mapped[int] = mapped_column(default=0)
    hours_renewal: Mapped[int | None] = mapped_column()
    #: None: the course never expires
    validity_months: Mapped[int | None] = mapped_column()
    #: a valid course makes its holder count for this safety role of their unit
    safety_role: Mapped[str | None] = mapped_column(sa.String(20))
    skill_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("skill.id", ondelete="SET NULL"), index=True)
    #: where the default comes from (law, agreement), to be checked locally
    source: Mapped[str] = mapped_column(sa.Text, default="")
    #: synonyms separated by "|" (searching "antincendio" finds the fire course)
    aliases: Mapped[str] = mapped_column(sa.Text, default="")
    active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())

    skill: Mapped[Skill | None] = relationship()  # noqa: F821

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_it


class TrainingRule(db.Model):
    """Who needs a course: every criterion given must match (none given: everybody)."""

    __table_args__ = (
        sa.CheckConstraint(f"safety_role IS NULL OR safety_role {_ROLE_CHECK}", name="role"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = org_fk()
    course_id: Mapped[int] = mapped_column(
        sa.ForeignKey("training_course.id", ondelete="CASCADE"), index=True)
    job_title: Mapped[str | None] = mapped_column(sa.String(200))
    work_relationship: Mapped[str | None] = mapped_column(sa.String(30))
    unit_id: Mapped[int | None] = mapped_column(sa.ForeignKey("unit.id", ondelete="CASCADE"))
    safety_role: Mapped[str | None] = mapped_column(sa.String(20))
    created_at: Mapped[datetime] = created_col()

    course: Mapped[TrainingCourse] = relationship()
    unit: Mapped[Unit | None] = relationship()  # noqa: F821


class SafetyRoleHolder(db.Model):
    """A person named to a safety role in their unit (addetto primo soccorso, ...)."""

    __table_args__ = (
        sa.UniqueConstraint("person_id", "role"),
        sa.CheckConstraint(f"role {_ROLE_CHECK}", name="role"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id", ondelete="CASCADE"),
                                           index=True)
    role: Mapped[str] = mapped_column(sa.String(20))


class UnitCoverage(db.Model):
    """"At least ``minimum`` people with a valid course for ``role`` in the unit"."""

    __table_args__ = (
        sa.UniqueConstraint("unit_id", "role"),
        sa.CheckConstraint(f"role {_ROLE_CHECK}", name="role"),
        sa.CheckConstraint("minimum >= 1", name="minimum"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = org_fk()
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("unit.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(sa.String(20))
    minimum: Mapped[int] = mapped_column(default=1)

    unit: Mapped[Unit] = relationship()  # noqa: F821


class TrainingRecord(db.Model):
    """One course a person completed, with its certificate (file optional)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = org_fk()
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id", ondelete="CASCADE"),
                                           index=True)
    course_id: Mapped[int] = mapped_column(
        sa.ForeignKey("training_course.id", ondelete="CASCADE"), index=True)
    completed_on: Mapped[date] = mapped_column(sa.Date)
    #: the last day the course is valid (from the course's validity); None: never expires
    expires_on: Mapped[date | None] = mapped_column(sa.Date, index=True)
    hours: Mapped[int] = mapped_column(default=0)
    provider: Mapped[str] = mapped_column(sa.String(200), default="")
    certificate_number: Mapped[str] = mapped_column(sa.String(100), default="")
    #: the stored file's name under TRAINING_FILES_DIR (random, never the uploaded name)
    file_key: Mapped[str | None] = mapped_column(sa.String(80))
    file_type: Mapped[str | None] = mapped_column(sa.String(40))
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_col()

    course: Mapped[TrainingCourse] = relationship()
    person: Mapped[Person] = relationship()  # noqa: F821


class TrainingReminder(db.Model):
    """A reminder that went out: one per deadline, step and audience, never twice."""

    __table_args__ = (sa.UniqueConstraint("organisation_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = org_fk()
    #: "<person>:<course>:<deadline>:<step>:<audience>" or "digest:<iso week>"
    key: Mapped[str] = mapped_column(sa.String(120))
    person_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("person.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("training_course.id", ondelete="CASCADE"))
    due_on: Mapped[date | None] = mapped_column(sa.Date)
    step: Mapped[int | None] = mapped_column()
    #: person, hr or digest
    audience: Mapped[str] = mapped_column(sa.String(10))
    to_address: Mapped[str] = mapped_column(sa.String(254), default="")
    sent_at: Mapped[datetime] = created_col()


class ProjectTraining(db.Model):
    """A project asks for a course valid until its end: for all members or at least N."""

    __table_args__ = (
        sa.UniqueConstraint("project_id", "course_id"),
        sa.CheckConstraint("min_members IS NULL OR min_members >= 1", name="members"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id", ondelete="CASCADE"),
                                            index=True)
    course_id: Mapped[int] = mapped_column(
        sa.ForeignKey("training_course.id", ondelete="CASCADE"))
    #: None: every member of the team
    min_members: Mapped[int | None] = mapped_column()

    course: Mapped[TrainingCourse] = relationship()


class TrainingPlan(db.Model):
    """A training plan saved by HR for a window of dates."""

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = org_fk()
    title: Mapped[str] = mapped_column(sa.String(200))
    window_start: Mapped[date] = mapped_column(sa.Date)
    window_end: Mapped[date] = mapped_column(sa.Date)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_col()

    lines: Mapped[list[TrainingPlanLine]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", order_by="TrainingPlanLine.position")


class TrainingPlanLine(db.Model):
    """A course or topic of a plan, its participants, hours, priority and reason."""

    __table_args__ = (sa.CheckConstraint("kind IN ('mandatory', 'development')", name="kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("training_plan.id", ondelete="CASCADE"),
                                         index=True)
    position: Mapped[int] = mapped_column(default=0)
    course_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("training_course.id", ondelete="SET NULL"))
    skill_id: Mapped[int | None] = mapped_column(sa.ForeignKey("skill.id", ondelete="SET NULL"))
    topic: Mapped[str] = mapped_column(sa.String(200))
    topic_area: Mapped[str] = mapped_column(sa.String(200), default="")
    kind: Mapped[str] = mapped_column(sa.String(12), default="mandatory")
    hours_each: Mapped[int] = mapped_column(default=0)
    priority: Mapped[int] = mapped_column(sa.SmallInteger, default=2)
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    estimated_cost: Mapped[int | None] = mapped_column()

    plan: Mapped[TrainingPlan] = relationship(back_populates="lines")
    participants: Mapped[list[TrainingPlanParticipant]] = relationship(
        cascade="all, delete-orphan")


class TrainingPlanParticipant(db.Model):
    __table_args__ = (sa.UniqueConstraint("line_id", "person_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(sa.ForeignKey("training_plan_line.id",
                                                       ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id", ondelete="CASCADE"),
                                           index=True)

    person: Mapped[Person] = relationship()  # noqa: F821
