"""Innovation projects, the skills they need and their teams."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from skillmap.extensions import db
from skillmap.models.base import created_col, org_fk, utcnow

PROJECT_STATUSES = ("idea", "staffing", "active", "closed")
MEMBER_STATUSES = ("interested", "invited", "accepted", "declined")


class Project(db.Model):
    """An innovation project that needs a team."""

    __table_args__ = (sa.CheckConstraint(
        "status IN ('idea', 'staffing', 'active', 'closed')", name="status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = org_fk()
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.Text, default="")
    goals: Mapped[str] = mapped_column(sa.Text, default="")
    start_date: Mapped[Optional[date]] = mapped_column(sa.Date)
    end_date: Mapped[Optional[date]] = mapped_column(sa.Date)
    hours_per_month: Mapped[int] = mapped_column(default=0)
    team_size: Mapped[int] = mapped_column(default=4)
    status: Mapped[str] = mapped_column(sa.String(20), default="idea", index=True)
    #: +1 on every change of the team (a saved team, an answer, interest): a team page
    #: drawn from an older version cannot be saved over a newer team
    team_version: Mapped[int] = mapped_column(default=0, server_default="0")
    coordinator_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)
    proposed_by_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_col()
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow,
                                                 onupdate=utcnow)

    requirements: Mapped[list["ProjectRequirement"]] = relationship(
        back_populates="project", cascade="all, delete-orphan")
    members: Mapped[list["TeamMember"]] = relationship(
        back_populates="project", cascade="all, delete-orphan")


class ProjectRequirement(db.Model):
    """A skill a project needs: minimum level, importance and head count."""

    __table_args__ = (
        sa.UniqueConstraint("project_id", "skill_id"),
        sa.CheckConstraint("min_level >= 1 AND min_level <= 5", name="level"),
        sa.CheckConstraint("weight >= 1 AND weight <= 5", name="weight"),
        sa.CheckConstraint("count >= 1", name="count"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id", ondelete="CASCADE"),
                                            index=True)
    skill_id: Mapped[int] = mapped_column(sa.ForeignKey("skill.id", ondelete="CASCADE"))
    min_level: Mapped[int] = mapped_column(sa.SmallInteger, default=3)
    weight: Mapped[int] = mapped_column(sa.SmallInteger, default=3)
    count: Mapped[int] = mapped_column(sa.SmallInteger, default=1)
    #: +1 on every edit: an edit made from an older page is refused, never saved over a newer one
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    project: Mapped[Project] = relationship(back_populates="requirements")
    __mapper_args__ = {"version_id_col": version}
    # read with its requirement (one query for a project's requirements, not one per skill)
    skill: Mapped["Skill"] = relationship(lazy="joined")  # noqa: F821


class TeamMember(db.Model):
    """A person's place on a project: interested, invited, accepted or declined."""

    __table_args__ = (
        sa.UniqueConstraint("project_id", "person_id"),
        sa.CheckConstraint("status IN ('interested', 'invited', 'accepted', 'declined')",
                           name="status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("project.id", ondelete="CASCADE"),
                                            index=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id", ondelete="CASCADE"),
                                           index=True)
    status: Mapped[str] = mapped_column(sa.String(20), default="invited")
    #: member, growth (a growth place) or mentor
    role: Mapped[str] = mapped_column(sa.String(20), default="member")
    created_at: Mapped[datetime] = created_col()
    responded_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True))

    project: Mapped[Project] = relationship(back_populates="members")
    person: Mapped["Person"] = relationship()  # noqa: F821
