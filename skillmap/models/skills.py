"""The skills taxonomy and what each person holds."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from skillmap.extensions import db
from skillmap.models.base import created_col, org_fk, utcnow

#: the proficiency scale; 0 is only used for wishes (wants to learn)
LEVELS = (1, 2, 3, 4, 5)


class SkillArea(db.Model):
    """A branch of the taxonomy (areas nest through ``parent_id``)."""

    __table_args__ = (sa.UniqueConstraint("organisation_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = org_fk()
    code: Mapped[str] = mapped_column(sa.String(40))
    parent_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("skill_area.id", ondelete="SET NULL"), index=True)
    name_it: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str] = mapped_column(sa.String(200))
    description_it: Mapped[str] = mapped_column(sa.Text, default="")
    description_en: Mapped[str] = mapped_column(sa.Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    #: set when an administrator edits the area: ``load-taxonomy`` then leaves it as it is
    edited_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True))

    parent: Mapped[Optional["SkillArea"]] = relationship(remote_side="SkillArea.id")
    skills: Mapped[list["Skill"]] = relationship(back_populates="area")

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_it


class Skill(db.Model):
    """A skill of the shared taxonomy, with a stable code."""

    __table_args__ = (sa.UniqueConstraint("organisation_id", "code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = org_fk()
    code: Mapped[str] = mapped_column(sa.String(40))
    area_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("skill_area.id", ondelete="SET NULL"), index=True)
    name_it: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str] = mapped_column(sa.String(200))
    description_it: Mapped[str] = mapped_column(sa.Text, default="")
    description_en: Mapped[str] = mapped_column(sa.Text, default="")
    #: synonyms separated by "|"
    aliases: Mapped[str] = mapped_column(sa.Text, default="")
    esco_uri: Mapped[Optional[str]] = mapped_column(sa.String(300))
    #: False = retired: hidden from search, suggestions and every derived figure, kept
    #: (and shown as retired) in the profiles and histories that hold it
    active: Mapped[bool] = mapped_column(default=True)
    #: set when this skill was merged into another: it is retired and holds no rows
    merged_into_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("skill.id", ondelete="SET NULL"))
    #: set when an administrator edits the skill: ``load-taxonomy`` then leaves it as it is
    edited_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True))

    area: Mapped[Optional[SkillArea]] = relationship(back_populates="skills")
    merged_into: Mapped[Optional["Skill"]] = relationship(remote_side="Skill.id")

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_it

    def description(self, locale: str) -> str:
        return self.description_en if locale == "en" else self.description_it


class PersonSkill(db.Model):
    """One person's level in one skill (level 0 = a wish to learn it).

    ``version`` is SQLAlchemy's optimistic lock: an update carrying a stale
    version fails instead of silently overwriting a concurrent edit.
    """

    __table_args__ = (
        sa.UniqueConstraint("person_id", "skill_id"),
        sa.CheckConstraint("level >= 0 AND level <= 5", name="level"),
        sa.CheckConstraint("confirmed_level IS NULL OR (confirmed_level >= 1 AND confirmed_level <= 5)",
                           name="confirmed"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id", ondelete="CASCADE"),
                                           index=True)
    skill_id: Mapped[int] = mapped_column(sa.ForeignKey("skill.id", ondelete="CASCADE"),
                                          index=True)
    level: Mapped[int] = mapped_column(sa.SmallInteger)
    wants_to_grow: Mapped[bool] = mapped_column(default=False)
    last_used_year: Mapped[Optional[int]] = mapped_column(sa.SmallInteger)
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    evidence_expires_on: Mapped[Optional[date]] = mapped_column(sa.Date)
    confirmed_level: Mapped[Optional[int]] = mapped_column(sa.SmallInteger)
    confirmed_by_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"))
    confirmed_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True))
    confirmation_comment: Mapped[str] = mapped_column(sa.String(500), default="")
    updated_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow,
                                                 onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    person: Mapped["Person"] = relationship(back_populates="skills")  # noqa: F821
    skill: Mapped[Skill] = relationship()

    __mapper_args__ = {"version_id_col": version}


class SkillChange(db.Model):
    """History: who changed which level of whose skill, and when."""

    #: a person's history, newest first, is read from this index (a top-30 scan, however
    #: many years of changes the person has); it also serves the person_id foreign key
    __table_args__ = (sa.Index("ix_skill_change_person_id_changed_at",
                               "person_id", "changed_at", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id", ondelete="CASCADE"))
    skill_id: Mapped[int] = mapped_column(sa.ForeignKey("skill.id", ondelete="CASCADE"),
                                          index=True)
    changed_by_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"))
    #: added, level, wish, note, removed, confirmed, merged, training (a course was recorded)
    kind: Mapped[str] = mapped_column(sa.String(20))
    old_level: Mapped[Optional[int]] = mapped_column(sa.SmallInteger)
    new_level: Mapped[Optional[int]] = mapped_column(sa.SmallInteger)
    #: "" for a change made on a page, "import" for a bulk import of people and skills
    source: Mapped[str] = mapped_column(sa.String(20), default="", server_default="")
    changed_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow,
                                                 index=True)
    #: the skill's name when the row was written under a skill merged since (kind
    #: ``merged``: the name of the skill merged in)
    #: (a server default only: bulk inserts that do not name the column get "" too)
    detail: Mapped[str] = mapped_column(sa.String(300), server_default="")

    skill: Mapped[Skill] = relationship()

    def former_name(self, locale: str) -> str:
        """The name of the skill this row was written under, when merged since ("" if not)."""
        if not self.detail:
            return ""
        it, _sep, en = self.detail.partition("|")
        return (en or it) if locale == "en" else it


class SkillProposal(db.Model):
    """A skill an employee found missing from the taxonomy, awaiting review."""

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = org_fk()
    proposed_by_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str] = mapped_column(sa.String(1000), default="")
    area_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("skill_area.id", ondelete="SET NULL"))
    #: pending, accepted, mapped, rejected
    status: Mapped[str] = mapped_column(sa.String(20), default="pending")
    resulting_skill_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("skill.id", ondelete="SET NULL"))
    reviewed_by_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_col()
    reviewed_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True))
