"""Figures for each role's home page, aggregated in SQL."""
from __future__ import annotations

import sqlalchemy as sa

from skillmap.extensions import db
from skillmap.models import (ErasureRequest, Person, PersonSkill, Project, ProjectRequirement,
                             Skill, SkillArea, SkillProposal, TeamMember, User)
from skillmap.services.profiles import completeness


def employee_summary(person: Person | None) -> dict:
    """The signed-in employee's own profile in brief."""
    if person is None:
        return {"person": None}
    rows = db.session.execute(
        sa.select(PersonSkill, Skill).join(Skill, PersonSkill.skill_id == Skill.id)
        .where(PersonSkill.person_id == person.id)
        .order_by(PersonSkill.level.desc(), Skill.name_it)).all()
    held = [(ps, s) for ps, s in rows if ps.level >= 1]
    wishes = [(ps, s) for ps, s in rows if ps.wants_to_grow]
    invitations = db.session.scalars(
        sa.select(TeamMember).where(TeamMember.person_id == person.id,
                                    TeamMember.status == "invited")).all()
    return {"person": person, "held": held, "top": held[:5], "wishes": wishes,
            "invitations": invitations,
            "completeness": completeness(person, [ps for ps, _s in rows])}


def coordinator_summary(user: User) -> dict:
    """Projects the coordinator runs, with their needs and team counts."""
    req_count = (sa.select(sa.func.count(ProjectRequirement.id))
                 .where(ProjectRequirement.project_id == Project.id).scalar_subquery())
    def count(*where):
        return (sa.select(sa.func.count(TeamMember.id))
                .where(TeamMember.project_id == Project.id, *where).scalar_subquery())

    # accepted members, pending invitations and growth places are told apart: a team of 4
    # with 3 accepted, 1 invited and 1 growth place is not "5 / 4"
    not_growth = TeamMember.role != "growth"
    rows = db.session.execute(
        sa.select(Project, req_count,
                  count(TeamMember.status == "accepted", not_growth),
                  count(TeamMember.status == "invited", not_growth),
                  count(TeamMember.status.in_(("invited", "accepted")),
                        TeamMember.role == "growth"))
        .where(Project.organisation_id == user.organisation_id,
               sa.or_(Project.coordinator_id == user.id, Project.status == "idea"))
        .order_by(Project.status, Project.title)).all()
    mine = [r for r in rows if r[0].coordinator_id == user.id]
    ideas = [r for r in rows if r[0].coordinator_id != user.id]
    return {"projects": mine, "ideas": ideas}


def manager_summary(organisation_id: int, min_group: int) -> dict:
    """Headline figures for HR: people, coverage, single points of failure, wishes."""
    people = db.session.scalar(sa.select(sa.func.count(Person.id))
                               .where(Person.organisation_id == organisation_id))
    held = (sa.select(PersonSkill.person_id, PersonSkill.skill_id, PersonSkill.level)
            .join(Person, Person.id == PersonSkill.person_id)
            .where(Person.organisation_id == organisation_id, PersonSkill.level >= 1)
            .subquery())
    mapped = db.session.scalar(sa.select(sa.func.count(sa.distinct(held.c.person_id))))
    n_rows = db.session.scalar(sa.select(sa.func.count()).select_from(held))
    skills_used = db.session.scalar(sa.select(sa.func.count(sa.distinct(held.c.skill_id))))
    strong = (sa.select(held.c.skill_id, sa.func.count().label("n"))
              .where(held.c.level >= 3).group_by(held.c.skill_id).subquery())
    single = db.session.scalar(sa.select(sa.func.count()).select_from(strong)
                               .where(strong.c.n == 1))
    wish_n = sa.func.count(PersonSkill.id).label("n")
    wished = db.session.execute(
        sa.select(Skill, wish_n).join(PersonSkill, PersonSkill.skill_id == Skill.id)
        .join(Person, Person.id == PersonSkill.person_id)
        .where(Person.organisation_id == organisation_id, PersonSkill.wants_to_grow.is_(True))
        .group_by(Skill.id).having(sa.func.count(PersonSkill.id) >= min_group)
        .order_by(wish_n.desc(), Skill.code).limit(5)).all()
    return {"people": people, "mapped": mapped, "skills_used": skills_used,
            "avg_skills": (n_rows / mapped) if mapped else 0.0, "single_points": single,
            "wished": wished}


def admin_summary(organisation_id: int) -> dict:
    """Accounts by role, taxonomy size and the queues waiting for an admin."""
    by_role = dict(db.session.execute(
        sa.select(User.role, sa.func.count(User.id))
        .where(User.organisation_id == organisation_id, User.active.is_(True))
        .group_by(User.role)).all())
    return {
        "by_role": by_role,
        "inactive": db.session.scalar(sa.select(sa.func.count(User.id)).where(
            User.organisation_id == organisation_id, User.active.is_(False))),
        "areas": db.session.scalar(sa.select(sa.func.count(SkillArea.id)).where(
            SkillArea.organisation_id == organisation_id)),
        "skills": db.session.scalar(sa.select(sa.func.count(Skill.id)).where(
            Skill.organisation_id == organisation_id, Skill.active.is_(True))),
        "proposals": db.session.scalar(sa.select(sa.func.count(SkillProposal.id)).where(
            SkillProposal.organisation_id == organisation_id,
            SkillProposal.status == "pending")),
        "erasures": db.session.scalar(sa.select(sa.func.count(ErasureRequest.id)).where(
            ErasureRequest.organisation_id == organisation_id,
            ErasureRequest.status == "pending")),
    }


def needs_attention(organisation_id: int) -> dict:
    """What an admin should act on: people without an account, invitations not accepted
    after 7 days, e-mails that failed after every retry, erasures due in 30 days."""
    from skillmap.services import invitations, mail, retention

    no_account = invitations.people_without_account(organisation_id)
    return {
        "no_account": db.session.scalar(sa.select(sa.func.count()).select_from(
            no_account.subquery())),
        "stale_invitations": invitations.pending_invitations(organisation_id, 7),
        "failed_mail": mail.failed(organisation_id, 20),
        "retention_due": len(retention.due_within(organisation_id, 30)),
    }
