"""Per-person advice from the engine: skills to grow next, who could back someone up.

Both read the prepared :class:`~skillmap.engine.EngineModel` of the
organisation, kept in the versioned cache (:mod:`skillmap.services.versions`):
built from the one profile reader at the current data version, in memory
only, so every worker answers alike right after an edit, and a page view never
writes.
"""
from __future__ import annotations

import sqlalchemy as sa

from skillmap import engine
from skillmap.extensions import db
from skillmap.models import Person, Skill
from skillmap.services import versions
from skillmap.services.profile_data import profiles_frame

__all__ = ["backups", "engine_model", "grow_next", "skills_by_id"]


def engine_model(organisation_id: int) -> engine.EngineModel:
    """The organisation's prepared model at the current data version.

    After an edit only the people it changed are counted again (:func:`engine.update`,
    the same model as a fresh :func:`engine.prepare`, for a fraction of its time)."""
    def load():
        return engine.prepare(profiles_frame(organisation_id))

    def patch(old, people):
        return engine.update(old, profiles_frame(organisation_id), people)
    return versions.memo_patched(organisation_id, "engine_model", load, patch)


def skills_by_id(ids) -> dict[int, Skill]:
    ids = {int(i) for i in ids}
    if not ids:
        return {}
    return {s.id: s for s in db.session.scalars(sa.select(Skill).where(Skill.id.in_(ids)))}


def grow_next(person: Person | None, k: int = 5) -> list[dict]:
    """Skills ``person`` could grow next: ``{"skill", "because": [Skill], "wished"}``."""
    if person is None:
        return []
    model = engine_model(person.organisation_id)
    if person.id not in model.people:
        return []
    rec = engine.recommend_skills(model, person.id, k)
    skills = skills_by_id(list(rec["skill"]) + [s for b in rec["because"] for s in b])
    out = []
    for row in rec.itertuples(index=False):
        skill = skills.get(int(row.skill))
        if skill is None:
            continue
        because = [skills[int(s)] for s in row.because if int(s) in skills]
        out.append({"skill": skill, "because": because, "wished": bool(row.wished),
                    "score": float(row.score)})
    return out


def backups(person: Person | None, k: int = 5) -> list[dict]:
    """People who could back up ``person``: ``{"person", "similarity", "shared": [Skill]}``."""
    if person is None:
        return []
    model = engine_model(person.organisation_id)
    if person.id not in model.people:
        return []
    sim = engine.similar_people(model, person.id, k)
    people = {p.id: p for p in db.session.scalars(sa.select(Person).where(
        Person.id.in_([int(p) for p in sim["person"]]),
        Person.organisation_id == person.organisation_id))}
    skills = skills_by_id(s for shared in sim["shared"] for s in shared)
    out = []
    for row in sim.itertuples(index=False):
        other = people.get(int(row.person))
        if other is None:
            continue
        out.append({"person": other, "similarity": float(row.similarity),
                    "shared": [skills[int(s)] for s in row.shared if int(s) in skills]})
    return out
