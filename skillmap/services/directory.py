"""Finding people by skill or name, honouring each person's visibility choice.

Employees find only colleagues who switched on "colleagues may find me by
skill"; coordinators, managers and admins find everyone, because forming
teams and planning training is their job (opening a profile is logged).
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from skillmap.extensions import db
from skillmap.models import Person, PersonSkill, Skill, User
from skillmap.services import audit, skill_search

SEES_EVERYONE = ("coordinator", "manager", "admin")
MAX_RESULTS = 50


@dataclass
class Found:
    person: Person
    skill: Skill | None = None
    level: int | None = None


def search_people(viewer: User, skill_query: str = "", name_query: str = "") -> tuple[
        list[Found], list[Skill]]:
    """People matching a skill and/or a name, best level first; and the skills matched.

    Every person listed gets a ``people.listed`` row in the audit trail (they see
    it under "who saw my data"); the view commits it.
    """
    found, skills = _search(viewer, skill_query, name_query)
    if found:
        context = {"via": "search"}
        if skills:
            context["skills"] = [s.code for s in skills]
        if (name_query or "").strip() and viewer.role in SEES_EVERYONE:
            context["by_name"] = True
        audit.record_disclosures(viewer.organisation_id, viewer.id, "people.listed",
                                 [f.person.id for f in found], context=json.dumps(context),
                                 skip_person_id=viewer.person_id)
    return found, skills


def _search(viewer: User, skill_query: str, name_query: str) -> tuple[list[Found], list[Skill]]:
    skill_query, name_query = (skill_query or "").strip(), (name_query or "").strip()
    if viewer.role not in SEES_EVERYONE:
        name_query = ""  # the opt-in is to be found by skill, not to be listed by name
    if not skill_query and not name_query and viewer.role not in SEES_EVERYONE:
        return [], []  # colleagues are found by skill, not browsed
    q = (sa.select(Person).options(joinedload(Person.unit))
         .where(Person.organisation_id == viewer.organisation_id))
    if viewer.person_id is not None:
        q = q.where(Person.id != viewer.person_id)
    if viewer.role not in SEES_EVERYONE:
        q = q.where(Person.visible_to_colleagues.is_(True))
    if name_query:
        like = f"%{name_query.lower()[:100]}%"
        q = q.where(sa.or_(sa.func.lower(Person.first_name + " " + Person.last_name).like(like),
                           sa.func.lower(Person.last_name).like(like)))
    skills: list[Skill] = []
    if skill_query:
        skills = skill_search.search_skills(viewer.organisation_id, skill_query, 3)
        if not skills:
            return [], []
        q = (q.add_columns(PersonSkill).join(PersonSkill, PersonSkill.person_id == Person.id)
             .where(PersonSkill.skill_id.in_([s.id for s in skills]), PersonSkill.level >= 1)
             .order_by(PersonSkill.level.desc(), Person.last_name, Person.first_name))
        by_id = {s.id: s for s in skills}
        rows = db.session.execute(q.limit(MAX_RESULTS)).all()
        return [Found(p, by_id[ps.skill_id], ps.level) for p, ps in rows], skills
    rows = db.session.scalars(q.order_by(Person.last_name, Person.first_name)
                              .limit(MAX_RESULTS)).all()
    return [Found(p) for p in rows], skills
