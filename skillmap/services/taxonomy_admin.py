"""The administrators' taxonomy editor: areas and skills, retire and restore, move.

Every function flushes and never commits (the view or the command commits once), writes
the audit trail, and marks what it changed with ``edited_at``, so that ``load-taxonomy``
(:mod:`skillmap.services.taxonomy`) never undoes an administrator's edit.

What "retired" means (``Skill.active`` False): the skill is hidden from the search, the
proposals queue's choices, the project requirements and every derived figure
(:mod:`skillmap.services.profile_data` leaves it out); the profiles and histories that hold
it keep it and show it as retired. A skill merged into another
(:mod:`skillmap.services.skill_merge`) is retired for good and holds no rows.

Errors cross to the views and the imports as :class:`TaxonomyEditError` (field, reason);
:data:`MESSAGES` has the words for each reason.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from skillmap.extensions import db
from skillmap.models import PersonSkill, ProjectRequirement, Skill, SkillArea, User
from skillmap.models.base import utcnow
from skillmap.services import audit
from skillmap.services.skill_search import fold

__all__ = [
    "ESCO_SKILL_RE",
    "MESSAGES",
    "AreaData",
    "SkillData",
    "TaxonomyEditError",
    "area_tree",
    "check_esco_uri",
    "create_area",
    "create_skill",
    "find_by_esco_uri",
    "find_by_name",
    "join_aliases",
    "set_skill_retired",
    "skill_list",
    "split_aliases",
    "update_area",
    "update_skill",
    "usage",
]

NAME_MAX = 200
ALIAS_MAX = 200
DESCRIPTION_MAX = 4000
#: the shape of an ESCO skill (or knowledge) concept's URI
ESCO_SKILL_RE = re.compile(
    r"^http://data\.europa\.eu/esco/skill/"
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

MESSAGES = {
    "empty": _l("Enter a name."),
    "too_long": _l("Use at most %(n)d characters.", n=NAME_MAX),
    "description_too_long": _l("Use at most %(n)d characters.", n=DESCRIPTION_MAX),
    "alias_too_long": _l("Each alias can be at most %(n)d characters long.", n=ALIAS_MAX),
    "name_taken": _l("Another skill already has this name."),
    "area_name_taken": _l("Another area already has this name."),
    "no_area": _l("Choose an area."),
    "bad_parent": _l("An area cannot be inside itself or inside one of its own sub-areas."),
    "esco_shape": _l("An ESCO address looks like "
                     "http://data.europa.eu/esco/skill/ followed by a code of 36 letters, "
                     "digits and dashes."),
    "esco_taken": _l("Another skill already has this ESCO address."),
    "merged": _l("This skill was merged into another one and cannot be used again."),
}


class TaxonomyEditError(ValueError):
    """The change cannot be saved: ``field`` names the form field, ``reason`` says why
    (a key of :data:`MESSAGES`)."""

    def __init__(self, field: str, reason: str):
        super().__init__(f"{field}: {reason}")
        self.field, self.reason = field, reason

    @property
    def message(self):
        return MESSAGES[self.reason]


@dataclass
class SkillData:
    area_id: int | None
    name_it: str
    name_en: str
    description_it: str = ""
    description_en: str = ""
    #: one alias an item (the form's lines, ESCO's altLabels)
    aliases: tuple[str, ...] = ()
    esco_uri: str | None = None


@dataclass
class AreaData:
    name_it: str
    name_en: str
    description_it: str = ""
    description_en: str = ""
    parent_id: int | None = None


# -- small checks ------------------------------------------------------------------------

def _name(value: str, field: str) -> str:
    value = " ".join((value or "").split())
    if not value:
        raise TaxonomyEditError(field, "empty")
    if len(value) > NAME_MAX:
        raise TaxonomyEditError(field, "too_long")
    return value


def _description(value: str, field: str) -> str:
    value = (value or "").strip()
    if len(value) > DESCRIPTION_MAX:
        raise TaxonomyEditError(field, "description_too_long")
    return value


def split_aliases(text: str) -> list[str]:
    """Aliases written one a line (or stored with ``|``), cleaned, without repeats."""
    out, seen = [], set()
    for raw in re.split(r"[\r\n|]+", text or ""):
        alias = " ".join(raw.split())
        key = fold(alias)
        if alias and key not in seen:
            seen.add(key)
            out.append(alias)
    return out


def join_aliases(aliases, *, but=()) -> str:
    """The stored form (``|``-separated) of ``aliases``, without repeats and without the
    names in ``but`` (a skill's own names are not its aliases)."""
    skip = {fold(n) for n in but if n}
    kept = [a for a in split_aliases("\n".join(aliases)) if fold(a) not in skip]
    for alias in kept:
        if len(alias) > ALIAS_MAX:
            raise TaxonomyEditError("aliases", "alias_too_long")
    return "|".join(kept)


def check_esco_uri(value: str | None) -> str | None:
    """The ESCO URI in its canonical form (``http``, lower case), None when empty; raises
    :class:`TaxonomyEditError` when it is not the address of an ESCO skill."""
    value = (value or "").strip()
    if not value:
        return None
    if value.lower().startswith("https://"):
        value = "http://" + value[len("https://"):]
    value = value.lower()
    if not ESCO_SKILL_RE.match(value):
        raise TaxonomyEditError("esco_uri", "esco_shape")
    return value


def find_by_esco_uri(organisation_id: int, uri: str) -> Skill | None:
    """The skill (never a merged one) carrying this ESCO URI."""
    return db.session.scalar(sa.select(Skill).where(
        Skill.organisation_id == organisation_id, Skill.esco_uri == uri,
        Skill.merged_into_id.is_(None)).order_by(Skill.id).limit(1))


def find_by_name(organisation_id: int, name: str, *, aliases: bool = False) -> Skill | None:
    """The skill (never a merged one) whose Italian or English name is ``name`` (case,
    accents and punctuation ignored); with ``aliases``, an alias counts too."""
    key = fold(name)
    if not key:
        return None
    rows = db.session.execute(sa.select(Skill.id, Skill.name_it, Skill.name_en, Skill.aliases)
                              .where(Skill.organisation_id == organisation_id,
                                     Skill.merged_into_id.is_(None))
                              .order_by(Skill.active.desc(), Skill.id)).all()
    for sid, it, en, _al in rows:
        if key in (fold(it), fold(en)):
            return db.session.get(Skill, sid)
    if aliases:
        for sid, _it, _en, al in rows:
            if key in {fold(a) for a in (al or "").split("|")}:
                return db.session.get(Skill, sid)
    return None


def _check_skill(organisation_id: int, data: SkillData, skill: Skill | None) -> SkillData:
    name_it = _name(data.name_it, "name_it")
    name_en = _name(data.name_en, "name_en")
    area = db.session.get(SkillArea, data.area_id) if data.area_id else None
    if area is None or area.organisation_id != organisation_id:
        raise TaxonomyEditError("area_id", "no_area")
    for field, value in (("name_it", name_it), ("name_en", name_en)):
        other = find_by_name(organisation_id, value)
        if other is not None and (skill is None or other.id != skill.id):
            raise TaxonomyEditError(field, "name_taken")
    uri = check_esco_uri(data.esco_uri)
    if uri:
        other = find_by_esco_uri(organisation_id, uri)
        if other is not None and (skill is None or other.id != skill.id):
            raise TaxonomyEditError("esco_uri", "esco_taken")
    return SkillData(area.id, name_it, name_en,
                     _description(data.description_it, "description_it"),
                     _description(data.description_en, "description_en"),
                     tuple(split_aliases("\n".join(data.aliases))), uri)


# -- skills ------------------------------------------------------------------------------

def new_skill_code(area: SkillArea, name: str) -> str:
    """``AREA-WORD-WORD`` from the folded name, unique in the organisation."""
    from skillmap.services.proposals import new_code

    return new_code(area, name)


def create_skill(organisation_id: int, data: SkillData, *, actor: User | None) -> Skill:
    """A new skill with a new code (flushed; the caller commits)."""
    data = _check_skill(organisation_id, data, None)
    area = db.session.get(SkillArea, data.area_id)
    skill = Skill(organisation_id=organisation_id, code=new_skill_code(area, data.name_en),
                  area_id=area.id, name_it=data.name_it, name_en=data.name_en,
                  description_it=data.description_it, description_en=data.description_en,
                  aliases=join_aliases(data.aliases, but=(data.name_it, data.name_en)),
                  esco_uri=data.esco_uri, active=True, edited_at=utcnow())
    db.session.add(skill)
    db.session.flush()
    audit.record(organisation_id, actor.id if actor else None, "skill.created",
                 detail=f"{skill.code}: {skill.name_it}")
    return skill


def update_skill(skill: Skill, data: SkillData, *, actor: User | None) -> list[str]:
    """Change names, descriptions, aliases, ESCO URI and area (a move); returns the names
    of the fields that changed (flushed; nothing is written when nothing changed)."""
    if skill.merged_into_id is not None:
        raise TaxonomyEditError("name_it", "merged")
    data = _check_skill(skill.organisation_id, data, skill)
    new = {"area_id": data.area_id, "name_it": data.name_it, "name_en": data.name_en,
           "description_it": data.description_it, "description_en": data.description_en,
           "aliases": join_aliases(data.aliases, but=(data.name_it, data.name_en)),
           "esco_uri": data.esco_uri}
    changed = [k for k, v in new.items() if getattr(skill, k) != v]
    if not changed:
        return []
    before = {k: getattr(skill, k) for k in changed}
    for key in changed:
        setattr(skill, key, new[key])
    skill.edited_at = utcnow()
    parts = []
    for key in changed:
        if key in ("name_it", "name_en", "area_id", "esco_uri"):
            parts.append(f"{key}: {before[key]} -> {new[key]}")
        else:
            parts.append(key)
    action = "skill.moved" if changed == ["area_id"] else "skill.updated"
    audit.record(skill.organisation_id, actor.id if actor else None, action,
                 detail=f"{skill.code}: " + "; ".join(parts))
    db.session.flush()
    return changed


def set_skill_retired(skill: Skill, retired: bool, *, actor: User | None) -> None:
    """Retire a skill (hidden from search, suggestions and figures, kept in profiles) or
    offer it again. A merged skill stays retired."""
    if skill.merged_into_id is not None:
        raise TaxonomyEditError("active", "merged")
    if skill.active == (not retired):
        return
    skill.active = not retired
    skill.edited_at = utcnow()
    audit.record(skill.organisation_id, actor.id if actor else None,
                 "skill.retired" if retired else "skill.restored",
                 detail=f"{skill.code}: {skill.name_it}")
    db.session.flush()


# -- areas -------------------------------------------------------------------------------

def _area_code(organisation_id: int, name: str) -> str:
    words = fold(name).upper().split()[:3]
    base = "-".join(words)[:36] or "AREA"
    taken = set(db.session.scalars(sa.select(SkillArea.code).where(
        SkillArea.organisation_id == organisation_id)))
    taken |= set(db.session.scalars(sa.select(Skill.code).where(
        Skill.organisation_id == organisation_id, Skill.code.like(f"{base}%"))))
    code, n = base, 2
    while code in taken:
        code, n = f"{base}-{n}", n + 1
    return code


def _check_area(organisation_id: int, data: AreaData, area: SkillArea | None) -> AreaData:
    name_it, name_en = _name(data.name_it, "name_it"), _name(data.name_en, "name_en")
    for field, value in (("name_it", name_it), ("name_en", name_en)):
        key = fold(value)
        for other in db.session.scalars(sa.select(SkillArea).where(
                SkillArea.organisation_id == organisation_id)):
            if (area is None or other.id != area.id) and key in (fold(other.name_it),
                                                                 fold(other.name_en)):
                raise TaxonomyEditError(field, "area_name_taken")
    parent_id = data.parent_id or None
    if parent_id is not None:
        parent = db.session.get(SkillArea, parent_id)
        if parent is None or parent.organisation_id != organisation_id:
            raise TaxonomyEditError("parent_id", "bad_parent")
        seen = set()
        while parent is not None and parent.id not in seen:  # no cycle
            if area is not None and parent.id == area.id:
                raise TaxonomyEditError("parent_id", "bad_parent")
            seen.add(parent.id)
            parent = parent.parent
    return AreaData(name_it, name_en, _description(data.description_it, "description_it"),
                    _description(data.description_en, "description_en"), parent_id)


def create_area(organisation_id: int, data: AreaData, *, actor: User | None) -> SkillArea:
    data = _check_area(organisation_id, data, None)
    last = db.session.scalar(sa.select(sa.func.max(SkillArea.position)).where(
        SkillArea.organisation_id == organisation_id)) or 0
    area = SkillArea(organisation_id=organisation_id, code=_area_code(organisation_id,
                                                                      data.name_en),
                     parent_id=data.parent_id, name_it=data.name_it, name_en=data.name_en,
                     description_it=data.description_it, description_en=data.description_en,
                     position=last + 1, edited_at=utcnow())
    db.session.add(area)
    db.session.flush()
    audit.record(organisation_id, actor.id if actor else None, "skill_area.created",
                 detail=f"{area.code}: {area.name_it}")
    return area


def update_area(area: SkillArea, data: AreaData, *, actor: User | None) -> list[str]:
    data = _check_area(area.organisation_id, data, area)
    new = {"name_it": data.name_it, "name_en": data.name_en,
           "description_it": data.description_it, "description_en": data.description_en,
           "parent_id": data.parent_id}
    changed = [k for k, v in new.items() if getattr(area, k) != v]
    if not changed:
        return []
    before = {k: getattr(area, k) for k in changed}
    for key in changed:
        setattr(area, key, new[key])
    area.edited_at = utcnow()
    audit.record(area.organisation_id, actor.id if actor else None, "skill_area.updated",
                 detail=f"{area.code}: " + "; ".join(
                     f"{k}: {before[k]} -> {new[k]}" if k.startswith("name") else k
                     for k in changed))
    db.session.flush()
    return changed


# -- reading -----------------------------------------------------------------------------

def area_tree(organisation_id: int) -> list[tuple[SkillArea, int]]:
    """Every area with its depth, parents before their children, in shipped order."""
    areas = list(db.session.scalars(sa.select(SkillArea).where(
        SkillArea.organisation_id == organisation_id).order_by(SkillArea.position,
                                                               SkillArea.name_it)))
    children: dict[int | None, list[SkillArea]] = {}
    ids = {a.id for a in areas}
    for a in areas:
        children.setdefault(a.parent_id if a.parent_id in ids else None, []).append(a)
    out: list[tuple[SkillArea, int]] = []

    def walk(parent, depth):
        for a in children.get(parent, []):
            if all(a is not b for b, _d in out):
                out.append((a, depth))
                walk(a.id, depth + 1)
    walk(None, 0)
    return out


def skill_list(organisation_id: int, *, area_id: int | None = None, query: str = "",
               state: str = "active") -> list[Skill]:
    """Skills of the editor's list: ``state`` active, retired (merged ones included) or
    all; ``query`` matches names, aliases and codes (accents and case ignored)."""
    q = (sa.select(Skill).options(sa.orm.joinedload(Skill.area),
                                  sa.orm.joinedload(Skill.merged_into))
         .where(Skill.organisation_id == organisation_id))
    if state == "active":
        q = q.where(Skill.active.is_(True))
    elif state == "retired":
        q = q.where(Skill.active.is_(False))
    if area_id:
        q = q.where(Skill.area_id == area_id)
    rows = list(db.session.scalars(q.order_by(Skill.name_it)))
    key = fold(query)
    if key:
        rows = [s for s in rows if key in fold(" ".join((s.name_it, s.name_en, s.code,
                                                          (s.aliases or "").replace("|", " "))))]
    return rows


def usage(organisation_id: int) -> dict[int, tuple[int, int]]:
    """skill id -> (profile rows, project requirements), for the editor's list."""
    held = dict(db.session.execute(
        sa.select(PersonSkill.skill_id, sa.func.count())
        .join(Skill, Skill.id == PersonSkill.skill_id)
        .where(Skill.organisation_id == organisation_id).group_by(PersonSkill.skill_id)).all())
    needed = dict(db.session.execute(
        sa.select(ProjectRequirement.skill_id, sa.func.count())
        .join(Skill, Skill.id == ProjectRequirement.skill_id)
        .where(Skill.organisation_id == organisation_id)
        .group_by(ProjectRequirement.skill_id)).all())
    return {sid: (held.get(sid, 0), needed.get(sid, 0)) for sid in set(held) | set(needed)}
