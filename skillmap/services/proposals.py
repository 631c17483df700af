"""Skills proposed by employees, reviewed by an administrator.

An admin accepts a proposal (a new Skill in a chosen area, with a new code)
or maps it to an existing skill, or rejects it; the proposer sees the
outcome on their profile. Before deciding, the admin sees the existing
skills with similar names, so duplicates stay rare.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from skillmap.extensions import db
from skillmap.models import Skill, SkillArea, SkillProposal, User
from skillmap.models.base import utcnow
from skillmap.services import audit, skill_search
from skillmap.services.profiles import ProfileError

NAME_MAX = 200
DESCRIPTION_MAX = 1000


def propose(user: User, name: str, description: str = "",
            area_id: int | None = None) -> SkillProposal:
    name = " ".join((name or "").split())
    if not name:
        raise ProfileError("name", _l("Write the name of the skill."))
    if len(name) > NAME_MAX:
        raise ProfileError("name", _l("The name can be at most %(n)d characters long.",
                                      n=NAME_MAX))
    if len(description or "") > DESCRIPTION_MAX:
        raise ProfileError("description", _l(
            "The description can be at most %(n)d characters long.", n=DESCRIPTION_MAX))
    proposal = SkillProposal(organisation_id=user.organisation_id, proposed_by_id=user.id,
                             name=name, description=(description or "").strip(),
                             area_id=area_id)
    db.session.add(proposal)
    audit.record(user.organisation_id, user.id, "skill.proposed", detail=name)
    db.session.flush()
    return proposal


def pending(org_id: int) -> list[SkillProposal]:
    return list(db.session.scalars(sa.select(SkillProposal).where(
        SkillProposal.organisation_id == org_id, SkillProposal.status == "pending")
        .order_by(SkillProposal.created_at)))


def similar(proposal: SkillProposal, limit: int = 5) -> list[Skill]:
    return skill_search.search_skills(proposal.organisation_id, proposal.name, limit)


def new_code(area: SkillArea, name: str) -> str:
    """``AREA-WORD-WORD`` from the folded name, made unique with a number if needed."""
    words = skill_search.fold(name).upper().split()[:3]
    base = f"{area.code}-{'-'.join(words) or 'NEW'}"[:36]
    taken = set(db.session.scalars(sa.select(Skill.code).where(
        Skill.organisation_id == area.organisation_id, Skill.code.like(f"{base}%"))))
    code, n = base, 2
    while code in taken:
        code, n = f"{base}-{n}", n + 1
    return code


def _close(proposal: SkillProposal, status: str, skill: Skill | None, actor: User) -> None:
    proposal.status = status
    proposal.resulting_skill_id = skill.id if skill else None
    proposal.reviewed_by_id = actor.id
    proposal.reviewed_at = utcnow()
    audit.record(actor.organisation_id, actor.id, f"proposal.{status}",
                 detail=f"proposal {proposal.id}" + (f" -> {skill.code}" if skill else ""))


def accept(proposal: SkillProposal, area: SkillArea, name_it: str, name_en: str, *,
           actor: User) -> Skill:
    """Create the proposed skill in ``area`` with a new code."""
    name_it = " ".join((name_it or proposal.name).split())[:NAME_MAX]
    name_en = " ".join((name_en or name_it).split())[:NAME_MAX]
    skill = Skill(organisation_id=proposal.organisation_id, code=new_code(area, name_en),
                  area_id=area.id, name_it=name_it, name_en=name_en,
                  description_it=proposal.description, aliases=proposal.name)
    db.session.add(skill)
    db.session.flush()
    _close(proposal, "accepted", skill, actor)
    return skill


def map_to(proposal: SkillProposal, skill: Skill, *, actor: User) -> None:
    """The proposal is an existing skill under another name."""
    _close(proposal, "mapped", skill, actor)


def reject(proposal: SkillProposal, *, actor: User) -> None:
    _close(proposal, "rejected", None, actor)
