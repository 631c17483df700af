"""Role targets: the skills and levels a job title needs (demand for the gap report)."""
from __future__ import annotations

import sqlalchemy as sa

from skillmap.extensions import db
from skillmap.models import Person, RoleTarget, Skill
from skillmap.services import audit


class RoleTargetError(ValueError):
    """The target cannot be saved (e.g. the job title already has that skill)."""


def job_titles(organisation_id: int) -> list[str]:
    """Job titles in use: people's and those already targeted."""
    people = db.session.scalars(sa.select(Person.job_title).distinct().where(
        Person.organisation_id == organisation_id, Person.job_title.is_not(None)))
    targets = db.session.scalars(sa.select(RoleTarget.job_title).distinct().where(
        RoleTarget.organisation_id == organisation_id))
    return sorted({t for t in (*people, *targets) if t})


def list_targets(organisation_id: int) -> list[tuple[RoleTarget, Skill]]:
    return db.session.execute(
        sa.select(RoleTarget, Skill).join(Skill, Skill.id == RoleTarget.skill_id)
        .where(RoleTarget.organisation_id == organisation_id)
        .order_by(RoleTarget.job_title, Skill.code)).all()


def find_target(organisation_id: int, job_title: str, skill_id: int) -> RoleTarget | None:
    return db.session.scalar(sa.select(RoleTarget).where(
        RoleTarget.organisation_id == organisation_id, RoleTarget.job_title == job_title,
        RoleTarget.skill_id == skill_id))


def create_target(organisation_id: int, job_title: str, skill_id: int, min_level: int, *,
                  actor_id: int) -> RoleTarget:
    job_title = job_title.strip()
    if find_target(organisation_id, job_title, skill_id) is not None:
        raise RoleTargetError("duplicate")
    target = RoleTarget(organisation_id=organisation_id, job_title=job_title, skill_id=skill_id,
                        min_level=min_level)
    db.session.add(target)
    db.session.flush()
    audit.record(organisation_id, actor_id, "role_target.created",
                 detail=f"target {target.id}: {job_title} / skill {skill_id} >= {min_level}")
    return target


def update_target(target: RoleTarget, min_level: int, *, actor_id: int) -> None:
    old = target.min_level
    target.min_level = min_level
    audit.record(target.organisation_id, actor_id, "role_target.updated",
                 detail=f"target {target.id}: level {old} -> {min_level}")


def delete_target(target: RoleTarget, *, actor_id: int) -> None:
    audit.record(target.organisation_id, actor_id, "role_target.deleted",
                 detail=f"target {target.id}: {target.job_title} / skill {target.skill_id}")
    db.session.delete(target)
