"""Units, the skills taxonomy (areas and skills) and projects with their requirements and
teams: read only. A project's team names people, so it is audited like a people list."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from skillmap.models import Project, ProjectRequirement, Skill, SkillArea, TeamMember, Unit
from skillmap.web.api import bp
from skillmap.web.api.calls import (
    ETAG_HEADER,
    aware,
    current_token,
    disclose,
    etag_or_304,
    in_org,
    page,
    token_auth,
    with_etag,
)
from skillmap.web.api.people import utc
from skillmap.web.api.schemas import (
    AreasPage,
    PageQuery,
    ProjectOut,
    ProjectsPage,
    ProjectsQuery,
    SkillOut,
    SkillsPage,
    SkillsQuery,
    UnitsPage,
)

NOT_MODIFIED = "Not modified: your copy (If-None-Match) is current."


def _org() -> int:
    return current_token().organisation_id


@bp.route("/units", methods=["GET"])
@bp.arguments(PageQuery, location="query", as_kwargs=True)
@bp.response(200, UnitsPage, headers=ETAG_HEADER)
@bp.alt_response(304, description=NOT_MODIFIED)
@token_auth
def list_units(**args):
    """Units (areas, departments, sites), retired ones included"""
    tag, not_modified = etag_or_304()
    if not_modified:
        return not_modified
    rows, next_cursor = page(sa.select(Unit).where(Unit.organisation_id == _org()), Unit,
                             "units", args)
    items = [{"id": u.id, "name": u.name, "name_en": u.name_en, "site": u.site,
              "retired": u.retired} for u in rows]
    return with_etag({"items": items, "next_cursor": next_cursor}, tag)


@bp.route("/taxonomy/areas", methods=["GET"])
@bp.arguments(PageQuery, location="query", as_kwargs=True)
@bp.response(200, AreasPage, headers=ETAG_HEADER)
@bp.alt_response(304, description=NOT_MODIFIED)
@token_auth
def list_areas(**args):
    """Areas of the skills taxonomy (an area may sit inside another: `parent_id`)"""
    tag, not_modified = etag_or_304()
    if not_modified:
        return not_modified
    rows, next_cursor = page(sa.select(SkillArea).where(SkillArea.organisation_id == _org()),
                             SkillArea, "areas", args)
    items = [{"id": a.id, "code": a.code, "parent_id": a.parent_id, "name_it": a.name_it,
              "name_en": a.name_en, "description_it": a.description_it or "",
              "description_en": a.description_en or "", "position": a.position} for a in rows]
    return with_etag({"items": items, "next_cursor": next_cursor}, tag)


def skill_dict(s: Skill) -> dict:
    return {"id": s.id, "code": s.code, "area_id": s.area_id, "name_it": s.name_it,
            "name_en": s.name_en, "description_it": s.description_it or "",
            "description_en": s.description_en or "",
            "aliases": [a.strip() for a in (s.aliases or "").split("|") if a.strip()],
            "esco_uri": s.esco_uri or None, "active": s.active}


@bp.route("/taxonomy/skills", methods=["GET"])
@bp.arguments(SkillsQuery, location="query", as_kwargs=True)
@bp.response(200, SkillsPage, headers=ETAG_HEADER)
@bp.alt_response(304, description=NOT_MODIFIED)
@token_auth
def list_skills(**args):
    """Skills of the taxonomy, retired ones included (`active`: false)"""
    tag, not_modified = etag_or_304()
    if not_modified:
        return not_modified
    q = sa.select(Skill).where(Skill.organisation_id == _org())
    if args.get("area"):
        q = q.where(Skill.area_id == args["area"])
    rows, next_cursor = page(q, Skill, "skills", args)
    return with_etag({"items": [skill_dict(s) for s in rows], "next_cursor": next_cursor}, tag)


@bp.route("/taxonomy/skills/<int:skill_id>", methods=["GET"])
@bp.response(200, SkillOut, headers=ETAG_HEADER)
@bp.alt_response(304, description=NOT_MODIFIED)
@token_auth
def get_skill(skill_id: int):
    """One skill of the taxonomy"""
    tag, not_modified = etag_or_304()
    if not_modified:
        return not_modified
    return with_etag(skill_dict(in_org(Skill, skill_id)), tag)


def _project_query():
    return (sa.select(Project).where(Project.organisation_id == _org()).options(
        selectinload(Project.requirements).selectinload(ProjectRequirement.skill),
        selectinload(Project.members).selectinload(TeamMember.person)))


def project_dict(p: Project) -> dict:
    return {
        "id": p.id, "title": p.title, "description": p.description or "", "status": p.status,
        "start_date": p.start_date, "end_date": p.end_date,
        "hours_per_month": p.hours_per_month, "team_size": p.team_size,
        "updated_at": aware(p.updated_at),
        "requirements": [{"skill_id": r.skill_id, "skill_code": r.skill.code,
                          "min_level": r.min_level, "weight": r.weight, "count": r.count}
                         for r in sorted(p.requirements, key=lambda r: r.skill_id)],
        "team": [{"person_id": m.person_id, "first_name": m.person.first_name,
                  "last_name": m.person.last_name, "status": m.status, "role": m.role}
                 for m in sorted(p.members, key=lambda m: m.person_id)],
    }


def _disclose_teams(projects) -> None:
    disclose([m.person_id for p in projects for m in p.members], "project team")


@bp.route("/projects", methods=["GET"])
@bp.arguments(ProjectsQuery, location="query", as_kwargs=True)
@bp.response(200, ProjectsPage, headers=ETAG_HEADER)
@bp.alt_response(304, description=NOT_MODIFIED)
@token_auth
def list_projects(**args):
    """Projects with their required skills and their teams

    The people named in the teams are recorded in their "who saw my data".
    """
    tag, not_modified = etag_or_304()
    if not_modified:
        return not_modified
    q = _project_query()
    if args.get("status"):
        q = q.where(Project.status == args["status"])
    if args.get("updated_since"):
        q = q.where(Project.updated_at >= utc(args["updated_since"]))
    rows, next_cursor = page(q, Project, "projects", args)
    _disclose_teams(rows)
    return with_etag({"items": [project_dict(p) for p in rows], "next_cursor": next_cursor},
                     tag)


@bp.route("/projects/<int:project_id>", methods=["GET"])
@bp.response(200, ProjectOut, headers=ETAG_HEADER)
@bp.alt_response(304, description=NOT_MODIFIED)
@token_auth
def get_project(project_id: int):
    """One project with its required skills and its team"""
    tag, not_modified = etag_or_304()
    if not_modified:
        return not_modified
    project = in_org(Project, project_id)
    _disclose_teams([project])
    return with_etag(project_dict(project), tag)

