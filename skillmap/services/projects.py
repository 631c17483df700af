"""Innovation projects: create, edit, requirements, ideas, interest and who may see what.

Every function that changes data writes the audit trail in the same transaction and
flushes, never commits: the views only validate forms, call these and commit once.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from skillmap.extensions import db
from skillmap.models import (PROJECT_STATUSES, Person, PersonSkill, Project, ProjectRequirement,
                             Skill, SkillArea, TeamMember, User)
from skillmap.models.base import utcnow
from skillmap.services import audit
from skillmap.services.errors import ConflictError, DuplicateError
from skillmap.services.teams import lock_team

OPEN_STATUSES = ("staffing", "active")
PROJECT_FIELDS = ("title", "description", "goals", "start_date", "end_date", "hours_per_month",
                  "team_size", "status")
TEXT_FIELDS = ("description", "goals")  # NOT NULL columns: missing text is empty text
MAX_TEAM = 50


class ProjectError(ValueError):
    """A change that cannot be made; ``field`` names the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class StaleRequirement(ConflictError):
    """The requirement was changed (or removed) since the page that edits it was drawn."""


class InvitationClosed(ConflictError):
    """The invitation was answered (or withdrawn) by another request first."""


def status_rank(status: str) -> int:
    return PROJECT_STATUSES.index(status)


def allowed_statuses(current: str | None) -> list[str]:
    """The statuses a project may move to: the same one or a later one."""
    start = 0 if current is None else status_rank(current)
    return list(PROJECT_STATUSES[start:])


# ----------------------------------------------------------------- who sees what

def can_manage(project: Project, user: User) -> bool:
    """Only the project's own coordinator edits it and builds its team."""
    return user.role == "coordinator" and project.coordinator_id == user.id


def can_view_team(project: Project, user: User) -> bool:
    """The suggestion page: the project's coordinator, managers and admins, never employees."""
    return can_manage(project, user) or user.role in ("manager", "admin")


def can_view(project: Project, user: User) -> bool:
    """Employees see open projects, their own proposals and projects they are part of."""
    if user.role in ("manager", "admin") or can_manage(project, user):
        return True
    if project.status in OPEN_STATUSES:
        return True
    if project.proposed_by_id == user.id:
        return True
    if user.role == "coordinator" and project.status == "idea":
        return True  # ideas wait for a coordinator to take them up
    if user.person_id is not None:
        return db.session.scalar(sa.select(TeamMember.id).where(
            TeamMember.project_id == project.id, TeamMember.person_id == user.person_id)) is not None
    return False


def projects_for(user: User) -> list[Project]:
    """The project list: managers and admins see all, coordinators theirs and open ideas."""
    q = sa.select(Project).where(Project.organisation_id == user.organisation_id)
    if user.role == "coordinator":
        q = q.where(sa.or_(Project.coordinator_id == user.id,
                           sa.and_(Project.status == "idea", Project.coordinator_id.is_(None))))
    order = sa.case({s: i for i, s in enumerate(PROJECT_STATUSES)}, value=Project.status)
    return list(db.session.scalars(q.order_by(order, Project.title)))


# ----------------------------------------------------------------- projects

def _check_dates(data: dict) -> None:
    start, end = data.get("start_date"), data.get("end_date")
    if start and end and end < start:
        raise ProjectError("end before start", "end_date")


def create_project(user: User, data: dict) -> Project:
    """A coordinator's new project; the coordinator runs it."""
    _check_dates(data)
    if not 1 <= int(data.get("team_size") or 0) <= MAX_TEAM:
        raise ProjectError("team size", "team_size")
    project = Project(organisation_id=user.organisation_id, coordinator_id=user.id,
                      **{k: data[k] for k in PROJECT_FIELDS if k in data})
    db.session.add(project)
    db.session.flush()
    audit.record(user.organisation_id, user.id, "project.created", detail=f"project {project.id}")
    return project


def update_project(project: Project, data: dict, actor: User) -> Project:
    """Change a project's fields; the status only moves forward."""
    _check_dates(data)
    new_status = data.get("status", project.status)
    if new_status not in allowed_statuses(project.status):
        raise ProjectError("status backwards", "status")
    for key in PROJECT_FIELDS:
        if key in data:
            value = data[key]
            if key in TEXT_FIELDS and value is None:  # a form without the field: no text
                value = ""
            setattr(project, key, value)
    audit.record(project.organisation_id, actor.id, "project.updated",
                 detail=f"project {project.id} status {project.status}")
    return project


def propose_idea(user: User, data: dict) -> Project:
    """An employee's idea: no coordinator yet, status idea."""
    project = Project(organisation_id=user.organisation_id, status="idea", proposed_by_id=user.id,
                      title=data["title"], description=data.get("description") or "",
                      goals=data.get("goals") or "", team_size=4)
    db.session.add(project)
    db.session.flush()
    audit.record(user.organisation_id, user.id, "project.proposed", detail=f"project {project.id}")
    return project


def take_up(project: Project, user: User) -> Project:
    """A coordinator adopts an idea: they coordinate it and it looks for a team."""
    if project.status != "idea" or project.coordinator_id not in (None, user.id):
        raise ProjectError("not an open idea")
    project.coordinator_id = user.id
    project.status = "staffing"
    audit.record(project.organisation_id, user.id, "project.taken_up",
                 detail=f"project {project.id}")
    return project


# ----------------------------------------------------------------- requirements

def skill_choices(organisation_id: int, query: str = "") -> list[tuple[Skill, SkillArea | None]]:
    """Active skills with their area, by area then name; ``query`` filters name, code, aliases."""
    q = (sa.select(Skill, SkillArea).outerjoin(SkillArea, Skill.area_id == SkillArea.id)
         .where(Skill.organisation_id == organisation_id, Skill.active.is_(True)))
    query = (query or "").strip().lower()
    if query:
        like = f"%{query}%"
        q = q.where(sa.or_(sa.func.lower(Skill.name_it).like(like),
                           sa.func.lower(Skill.name_en).like(like),
                           sa.func.lower(Skill.code).like(like),
                           sa.func.lower(Skill.aliases).like(like)))
    q = q.order_by(SkillArea.position, SkillArea.name_it, Skill.name_it)
    return [tuple(r) for r in db.session.execute(q).all()]


def _check_requirement(project: Project, data: dict, *, other_than: int | None = None) -> Skill:
    """The skill of ``data`` if it may be required (known, active, not required twice) and
    the numbers are in range; :class:`ProjectError` naming the field otherwise."""
    skill = db.session.get(Skill, data.get("skill_id") or 0)
    if skill is None or skill.organisation_id != project.organisation_id or not skill.active:
        raise ProjectError("unknown skill", "skill")
    if any(r.skill_id == skill.id and r.id != other_than for r in project.requirements):
        raise ProjectError("duplicate skill", "skill")
    for key, low, high in (("min_level", 1, 5), ("weight", 1, 5), ("count", 1, MAX_TEAM)):
        if not low <= int(data.get(key) or 0) <= high:
            raise ProjectError(key, key)
    return skill


def add_requirement(project: Project, data: dict, actor: User) -> ProjectRequirement:
    """Add one required skill; refuses unknown skills, duplicates and out-of-range numbers.

    Two requests adding the same skill at once: the second finds the first's row (unique
    per project and skill) and gets :class:`DuplicateError`.
    """
    skill = _check_requirement(project, data)
    req = ProjectRequirement(skill_id=skill.id, min_level=data["min_level"],
                             weight=data["weight"], count=data["count"])
    project.requirements.append(req)
    audit.record(project.organisation_id, actor.id, "project.requirement_added",
                 detail=f"project {project.id} skill {skill.id}")
    try:
        db.session.flush()
    except sa.exc.IntegrityError as exc:
        db.session.rollback()
        if db.session.scalar(sa.select(ProjectRequirement.id).where(
                ProjectRequirement.project_id == project.id,
                ProjectRequirement.skill_id == skill.id)) is None:
            raise
        raise DuplicateError() from exc
    return req


def update_requirement(project: Project, requirement_id: int, data: dict, actor: User, *,
                       seen_version: int) -> ProjectRequirement:
    """Change one required skill: the skill, minimum level, importance and head count.

    ``seen_version`` is the requirement's ``version`` when the edit page was drawn: if the
    row changed (or went) since, :class:`StaleRequirement` is raised and nothing is saved.
    The version moves by one with each edit, checked by the ``UPDATE`` itself, so two
    edits racing from the same page save one and refuse the other. The skill may become
    one the project does not require yet (:class:`DuplicateError` when another request
    added it at the same moment).
    """
    req = next((r for r in project.requirements if r.id == requirement_id), None)
    if req is None or req.version != seen_version:
        raise StaleRequirement()
    skill = _check_requirement(project, data, other_than=req.id)
    before = (req.skill_id, req.min_level, req.weight, req.count)
    req.skill_id, req.min_level = skill.id, int(data["min_level"])
    req.weight, req.count = int(data["weight"]), int(data["count"])
    unchanged = (req.skill_id, req.min_level, req.weight, req.count) == before
    if unchanged:  # still written, so that the version check decides: an edit that changes
        flag_modified(req, "min_level")  # nothing must not pass as saved over a newer one
    try:
        db.session.flush()
    except StaleDataError as exc:  # another edit (or a removal) committed first
        db.session.rollback()
        raise StaleRequirement() from exc
    except sa.exc.IntegrityError as exc:  # the same skill added by another request
        db.session.rollback()
        raise DuplicateError() from exc
    if unchanged:
        return req
    audit.record(project.organisation_id, actor.id, "project.requirement_changed",
                 detail=f"project {project.id} skill {before[0]} -> {skill.id}, level "
                        f"{before[1]} -> {req.min_level}, importance {before[2]} -> "
                        f"{req.weight}, people {before[3]} -> {req.count}")
    return req


def remove_requirement(project: Project, requirement_id: int, actor: User) -> None:
    req = next((r for r in project.requirements if r.id == requirement_id), None)
    if req is None:
        raise ProjectError("unknown requirement")
    project.requirements.remove(req)
    try:
        db.session.flush()
    except StaleDataError as exc:  # edited (or removed) by another request in the meantime
        db.session.rollback()
        raise StaleRequirement() from exc
    audit.record(project.organisation_id, actor.id, "project.requirement_removed",
                 detail=f"project {project.id} skill {req.skill_id}")


# ----------------------------------------------------------------- employees

@dataclass
class OpenProject:
    project: Project
    holds: list = field(default_factory=list)    # (skill, my level, min_level)
    wishes: list = field(default_factory=list)   # skills I want to grow in
    membership: TeamMember | None = None

    @property
    def matches(self) -> bool:
        return bool(self.holds or self.wishes)


def open_projects_for(person: Person | None, organisation_id: int) -> list[OpenProject]:
    """Open projects, those matching the person's skills or wishes first, with the reasons."""
    projects = list(db.session.scalars(
        sa.select(Project).where(Project.organisation_id == organisation_id,
                                 Project.status.in_(OPEN_STATUSES)).order_by(Project.title)))
    out = {p.id: OpenProject(p) for p in projects}
    if person is not None and out:
        rows = db.session.execute(
            sa.select(ProjectRequirement.project_id, Skill, PersonSkill.level,
                      PersonSkill.wants_to_grow, ProjectRequirement.min_level)
            .join(PersonSkill, PersonSkill.skill_id == ProjectRequirement.skill_id)
            .join(Skill, Skill.id == ProjectRequirement.skill_id)
            .where(PersonSkill.person_id == person.id,
                   ProjectRequirement.project_id.in_(list(out)))
            .order_by(Skill.name_it)).all()
        for project_id, skill, level, grow, need in rows:
            if level >= 1:
                out[project_id].holds.append((skill, level, need))
            if grow or level == 0:
                out[project_id].wishes.append(skill)
        for tm in db.session.scalars(sa.select(TeamMember).where(
                TeamMember.person_id == person.id, TeamMember.project_id.in_(list(out)))):
            out[tm.project_id].membership = tm
    return sorted(out.values(), key=lambda o: (not o.matches, -len(o.holds) - len(o.wishes)))


def my_proposals(user: User) -> list[Project]:
    return list(db.session.scalars(sa.select(Project).where(
        Project.proposed_by_id == user.id).order_by(Project.created_at.desc())))


def membership(project: Project, person_id: int) -> TeamMember | None:
    return db.session.scalar(sa.select(TeamMember).where(
        TeamMember.project_id == project.id, TeamMember.person_id == person_id))


def say_interested(project: Project, user: User) -> TeamMember:
    """An employee says they would like to join an open project (saying it twice is fine).

    The project's row is locked first, so the check and the insert see every other change
    of this team; a duplicate that still slips through (a request that did not lock) is
    read back after the rollback.
    """
    if project.status not in OPEN_STATUSES or user.person_id is None:
        raise ProjectError("not open")
    lock_team(project.id, bump=False)
    tm = membership(project, user.person_id)
    if tm is None:
        tm = TeamMember(project_id=project.id, person_id=user.person_id, status="interested",
                        role="member")
        db.session.add(tm)
        audit.record(project.organisation_id, user.id, "project.interested",
                     subject_person_id=user.person_id, detail=f"project {project.id}")
        try:
            db.session.flush()
        except sa.exc.IntegrityError as exc:
            db.session.rollback()
            tm = membership(project, user.person_id)
            if tm is None:
                raise
            if tm.status != "interested":
                raise ProjectError("already on the team") from exc
        return tm
    if tm.status != "interested":
        db.session.rollback()   # refused: release the lock
        raise ProjectError("already on the team")
    return tm   # said before: nothing to change (the caller's commit releases the lock)


def withdraw_interest(project: Project, user: User) -> None:
    if user.person_id is None:
        raise ProjectError("not interested")
    lock_team(project.id, bump=False)
    tm = membership(project, user.person_id)
    if tm is None or tm.status != "interested":
        db.session.rollback()
        raise ProjectError("not interested")
    db.session.delete(tm)
    audit.record(project.organisation_id, user.id, "project.interest_withdrawn",
                 subject_person_id=user.person_id, detail=f"project {project.id}")


def respond_to_invitation(tm: TeamMember, user: User, accept: bool) -> TeamMember:
    """The invited person accepts or declines; a decline reopens the place.

    Only one answer counts: the status changes with ``WHERE status = 'invited'``, after the
    project's row is locked (an answer changes the team, so it adds 1 to ``team_version``
    and a coordinator's page drawn before it can no longer be saved over it). A second
    answer, or one to an invitation withdrawn meanwhile, gets :class:`InvitationClosed`.
    """
    if tm.person_id != user.person_id:
        raise ProjectError("not your invitation")
    if tm.status != "invited":
        raise InvitationClosed()
    project_id, organisation_id, member_id = tm.project_id, tm.project.organisation_id, tm.id
    lock_team(project_id)
    table = TeamMember.__table__
    changed = db.session.execute(
        sa.update(table).where(table.c.id == member_id, table.c.status == "invited")
        .values(status="accepted" if accept else "declined", responded_at=utcnow())).rowcount
    if changed != 1:
        db.session.rollback()
        raise InvitationClosed()
    audit.record(organisation_id, user.id, "team.accepted" if accept else "team.declined",
                 subject_person_id=user.person_id, detail=f"project {project_id}")
    from skillmap.services import notify

    notify.team_answered(db.session.get(Project, project_id), user.person, accept)
    db.session.flush()
    return db.session.get(TeamMember, member_id)
