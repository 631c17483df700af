"""Units and job titles: create, rename, merge, retire (admins).

``Person.job_title`` and ``RoleTarget.job_title`` hold a title's name (reports
group by it); :class:`JobTitle` is the list admins manage. Renaming or merging a
title rewrites those names in the same transaction, so the three never disagree.
:func:`job_title_named` is what other services (people, imports) call to get a
title by name, creating it when asked.
"""
from __future__ import annotations

import sqlalchemy as sa

from skillmap.extensions import db
from skillmap.models import JobTitle, Person, RoleTarget, Unit
from skillmap.services import audit

__all__ = ["StructureError", "create_job_title", "create_unit", "job_title_named",
           "job_titles", "merge_job_titles", "merge_units", "rename_job_title", "rename_unit",
           "set_job_title_retired", "set_unit_retired", "unit_named", "units"]


class StructureError(Exception):
    """A change to units or titles that cannot be made; ``reason`` names why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _clean(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise StructureError("empty")
    if len(name) > 200:
        raise StructureError("too_long")
    return name


# -- units -------------------------------------------------------------------------------

def units(organisation_id: int, *, include_retired: bool = True) -> list[Unit]:
    q = sa.select(Unit).where(Unit.organisation_id == organisation_id)
    if not include_retired:
        q = q.where(Unit.retired.is_(False))
    return list(db.session.scalars(q.order_by(Unit.retired, Unit.name)))


def unit_named(organisation_id: int, name: str) -> Unit | None:
    """The unit with this name (Italian or English, case ignored), or None."""
    key = " ".join((name or "").split()).lower()
    return db.session.scalar(sa.select(Unit).where(
        Unit.organisation_id == organisation_id,
        sa.or_(sa.func.lower(Unit.name) == key, sa.func.lower(Unit.name_en) == key)).limit(1))


def _unit_taken(organisation_id: int, name: str, but: int | None = None) -> bool:
    found = unit_named(organisation_id, name)
    return found is not None and found.id != but


def create_unit(organisation_id: int, name: str, *, actor, name_en: str = "") -> Unit:
    name = _clean(name)
    if _unit_taken(organisation_id, name):
        raise StructureError("exists")
    unit = Unit(organisation_id=organisation_id, name=name, name_en=name_en.strip() or None)
    db.session.add(unit)
    db.session.flush()
    audit.record(organisation_id, actor.id, "unit.created", detail=f"unit {unit.id}: {name}")
    return unit


def rename_unit(unit: Unit, name: str, *, actor, name_en: str = "") -> None:
    name = _clean(name)
    if _unit_taken(unit.organisation_id, name, but=unit.id):
        raise StructureError("exists")
    old, unit.name = unit.name, name
    unit.name_en = name_en.strip() or None
    audit.record(unit.organisation_id, actor.id, "unit.renamed",
                 detail=f"unit {unit.id}: {old} -> {name}")


def merge_units(source: Unit, target: Unit, *, actor) -> int:
    """Move everyone of ``source`` into ``target`` and delete ``source``; returns how many."""
    if source.id == target.id or source.organisation_id != target.organisation_id:
        raise StructureError("same")
    moved = db.session.execute(sa.update(Person).where(Person.unit_id == source.id)
                               .values(unit_id=target.id)).rowcount or 0
    audit.record(source.organisation_id, actor.id, "unit.merged",
                 detail=f"unit {source.id} ({source.name}) -> {target.id}: {moved} people")
    db.session.delete(source)
    db.session.flush()
    return moved


def set_unit_retired(unit: Unit, retired: bool, *, actor) -> None:
    unit.retired = retired
    audit.record(unit.organisation_id, actor.id, "unit.retired" if retired else "unit.restored",
                 detail=f"unit {unit.id}")


# -- job titles --------------------------------------------------------------------------

def job_titles(organisation_id: int, *, include_retired: bool = True) -> list[JobTitle]:
    q = sa.select(JobTitle).where(JobTitle.organisation_id == organisation_id)
    if not include_retired:
        q = q.where(JobTitle.retired.is_(False))
    return list(db.session.scalars(q.order_by(JobTitle.retired, JobTitle.name)))


def job_title_named(organisation_id: int, name: str, *, create: bool = False) -> JobTitle | None:
    """The title with this name (case and spaces ignored); created (flushed) if asked."""
    name = " ".join((name or "").split())
    if not name:
        return None
    found = db.session.scalar(sa.select(JobTitle).where(
        JobTitle.organisation_id == organisation_id,
        sa.func.lower(JobTitle.name) == name.lower()).limit(1))
    if found is None and create:
        found = JobTitle(organisation_id=organisation_id, name=_clean(name))
        db.session.add(found)
        db.session.flush()
    return found


def create_job_title(organisation_id: int, name: str, *, actor) -> JobTitle:
    name = _clean(name)
    if job_title_named(organisation_id, name) is not None:
        raise StructureError("exists")
    title = job_title_named(organisation_id, name, create=True)
    audit.record(organisation_id, actor.id, "job_title.created", detail=f"{name}")
    return title


def _rewrite(organisation_id: int, old: str, new: str) -> int:
    n = db.session.execute(sa.update(Person).where(
        Person.organisation_id == organisation_id, Person.job_title == old)
        .values(job_title=new)).rowcount or 0
    db.session.execute(sa.update(RoleTarget).where(
        RoleTarget.organisation_id == organisation_id, RoleTarget.job_title == old)
        .values(job_title=new))
    return n


def rename_job_title(title: JobTitle, name: str, *, actor) -> None:
    """Rename the title and every person and role target holding it."""
    name = _clean(name)
    other = job_title_named(title.organisation_id, name)
    if other is not None and other.id != title.id:
        raise StructureError("exists")
    old = title.name
    _rewrite(title.organisation_id, old, name)
    title.name = name
    audit.record(title.organisation_id, actor.id, "job_title.renamed", detail=f"{old} -> {name}")


def merge_job_titles(source: JobTitle, target: JobTitle, *, actor) -> int:
    """Give ``source``'s people ``target``'s title and delete ``source``.

    Role targets move too, except where ``target`` already has one for the same
    skill (that one stays and the source's is dropped).
    """
    if source.id == target.id or source.organisation_id != target.organisation_id:
        raise StructureError("same")
    org = source.organisation_id
    have = set(db.session.scalars(sa.select(RoleTarget.skill_id).where(
        RoleTarget.organisation_id == org, RoleTarget.job_title == target.name)))
    if have:
        db.session.execute(sa.delete(RoleTarget).where(
            RoleTarget.organisation_id == org, RoleTarget.job_title == source.name,
            RoleTarget.skill_id.in_(have)))
    moved = _rewrite(org, source.name, target.name)
    audit.record(org, actor.id, "job_title.merged",
                 detail=f"{source.name} -> {target.name}: {moved} people")
    db.session.delete(source)
    db.session.flush()
    return moved


def set_job_title_retired(title: JobTitle, retired: bool, *, actor) -> None:
    title.retired = retired
    audit.record(title.organisation_id, actor.id,
                 "job_title.retired" if retired else "job_title.restored", detail=title.name)


def headcounts(kind: str, organisation_id: int) -> dict:
    """People per unit id (``kind`` "units") or per job title name ("job-titles")."""
    col = Person.unit_id if kind == "units" else Person.job_title
    rows = db.session.execute(sa.select(col, sa.func.count()).where(
        Person.organisation_id == organisation_id, col.is_not(None)).group_by(col)).all()
    return {k: n for k, n in rows}
