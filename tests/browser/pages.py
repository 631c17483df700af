"""Every HTML page of the app, with the role that opens it, for the axe-core checks.

Add an entry for each new page; ``test_every_page_is_listed`` fails when a GET
endpoint that renders HTML is missing here. ``args`` is a dict of URL values or a
function ``(session) -> dict`` that finds them in the demo data.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import sqlalchemy as sa


@dataclass(frozen=True)
class Page:
    role: str
    endpoint: str
    args: dict | Callable = field(default_factory=dict)
    query: str = ""

    @property
    def id(self) -> str:
        return f"{self.role}:{self.endpoint}{('?' + self.query) if self.query else ''}"


def first_id(model, *where):
    """A function that finds the first id of ``model`` in the demo data."""
    def find(session):
        return session.scalar(sa.select(model.id).where(*where).order_by(model.id).limit(1))
    return find


def _demo_employee(session):
    """The person linked to the demo employee login (who has skills and colleagues)."""
    from skillmap.models import User

    return session.scalar(sa.select(User.person_id).where(User.email == "dipendente@demo.coop"))


PAGES: list[Page] = [
    Page("anonymous", "auth.login"),
    Page("anonymous", "auth.login", query="lang=en"),
    Page("employee", "main.home"),
    Page("coordinator", "main.home"),
    Page("manager", "main.home"),
    Page("admin", "main.home"),
    Page("employee", "main.privacy"),
    Page("employee", "auth.account"),
    Page("admin", "admin.users"),
    Page("admin", "admin.sign_ins"),
    Page("admin", "admin.audit_log"),
    # skills engine (insights): families, recompute progress; backups panel on the person page
    Page("coordinator", "insights.families"),
    Page("manager", "insights.families"),
    Page("manager", "insights.recompute_status"),
    Page("manager", "profiles.person", lambda session: {"person_id": _demo_employee(session)}),
]

# Manager reports (issue 6)
def _report_people_args(session):
    from skillmap.models import PersonSkill

    skill = session.scalar(sa.select(PersonSkill.skill_id).where(PersonSkill.level >= 3)
                           .order_by(PersonSkill.skill_id).limit(1))
    return {"kind": "holders", "skill": skill}


def _role_target_args(session):
    from skillmap.models import RoleTarget

    return {"target_id": first_id(RoleTarget)(session)}


PAGES += [
    Page("manager", "reports.matrix"),
    Page("manager", "reports.matrix", query="area=1"),
    Page("manager", "reports.gaps"),
    Page("manager", "reports.growth"),
    Page("manager", "reports.trends"),
    Page("manager", "reports.families"),
    Page("manager", "reports.people", _report_people_args),
    Page("manager", "reports.role_target_list"),
    Page("manager", "reports.role_target_edit", _role_target_args),
]

#: GET endpoints that answer with something other than an HTML page
NOT_HTML: set[str] = {"static", "insights.recompute_status_json", "reports.export"}

# Skill profiles, people and privacy (issue 3)
def _demo_employee_skill(session):
    from skillmap.models import PersonSkill

    return {"ps_id": session.scalar(sa.select(PersonSkill.id).where(
        PersonSkill.person_id == _demo_employee(session)).order_by(PersonSkill.id).limit(1))}


def _skill_to_add(session):
    from skillmap.models import Skill

    return {"skill": session.scalar(sa.select(Skill.id).where(Skill.code == "LNG-EN"))}


PAGES += [
    Page("employee", "profiles.mine"),
    Page("employee", "profiles.search"),
    Page("employee", "profiles.search", query="q=inglese"),
    Page("employee", "profiles.add_skill", _skill_to_add),
    Page("employee", "profiles.edit_skill", _demo_employee_skill),
    Page("employee", "profiles.settings"),
    Page("employee", "profiles.propose"),
    Page("employee", "profiles.my_data"),
    Page("employee", "profiles.people", query="skill=inglese"),
    Page("coordinator", "profiles.people", query="skill=inglese"),
    Page("manager", "profiles.people"),
    Page("coordinator", "profiles.person", lambda session: {"person_id": _demo_employee(session)}),
    Page("admin", "profiles.review_proposals"),
    Page("admin", "profiles.review_erasures"),
]
NOT_HTML |= {"profiles.search_json", "profiles.export_json", "profiles.export_csv"}
NOT_HTML |= {"admin.audit_csv"}

# Innovation projects and the team builder (issue 5)
def _staffing_project(session):
    from skillmap.models import Project

    return {"project_id": first_id(Project, Project.status == "staffing")(session)}


def _team_person(session):
    from skillmap.models import Person

    return {**_staffing_project(session), "person_id": first_id(Person)(session)}


def _requirement_open(session):
    from skillmap.models import ProjectRequirement

    args = _staffing_project(session)
    return {**args, "req": session.scalar(sa.select(ProjectRequirement.id).where(
        ProjectRequirement.project_id == args["project_id"]).order_by(
        ProjectRequirement.id).limit(1))}


PAGES += [
    Page("coordinator", "projects.index"),
    Page("manager", "projects.index"),
    Page("coordinator", "projects.new"),
    Page("coordinator", "projects.edit", _staffing_project),
    Page("coordinator", "projects.edit", _staffing_project, query="q=inglese"),
    # a required skill open for editing in place (issue 15)
    Page("coordinator", "projects.edit", lambda session: _requirement_open(session)),
    Page("coordinator", "projects.detail", _staffing_project),
    Page("employee", "projects.detail", _staffing_project),
    Page("employee", "projects.open_projects"),
    Page("employee", "projects.propose"),
    Page("coordinator", "projects.team", _staffing_project),
    Page("coordinator", "projects.team", _staffing_project, query="asked=1&growth_places=2&max_per_unit=1"),
    Page("manager", "projects.team", _staffing_project),
    Page("coordinator", "projects.team_person", _team_person),
]

# Health (issue 10): JSON for monitoring; the outage page it pairs with is checked in
# test_error_pages.py against a server whose database is down
NOT_HTML |= {"health.healthz"}

# People onboarding (issue 11): people, accounts, units and job titles, links by e-mail
def _a_person_without_account(session):
    from skillmap.models import Person, User

    return {"person_id": session.scalar(
        sa.select(Person.id).outerjoin(User, User.person_id == Person.id)
        .where(User.id.is_(None)).order_by(Person.id).limit(1))}


def _demo_employee_account(session):
    from skillmap.models import User

    return {"user_id": session.scalar(sa.select(User.id).where(
        User.email == "dipendente@demo.coop"))}


def _a_live_link(session):
    """A fresh password link for an account made for this check (never a demo login)."""
    from skillmap.models import Organisation, User
    from skillmap.models import NO_PASSWORD
    from skillmap.services.invitations import _issue

    user = session.scalar(sa.select(User).where(User.email == "axe-link@demo.coop"))
    if user is None:
        org = session.scalar(sa.select(Organisation).limit(1))
        user = User(organisation_id=org.id, email="axe-link@demo.coop",
                    password_hash=NO_PASSWORD, role="employee")
        session.add(user)
        session.flush()
    token = _issue(user, "invite")
    session.commit()
    return {"token": token}


PAGES += [
    Page("admin", "admin.people"),
    Page("manager", "admin.people", query="state=no_account"),
    Page("admin", "admin.person_new"),
    Page("admin", "admin.person", _a_person_without_account),
    Page("manager", "admin.person", lambda session: {"person_id": _demo_employee(session)}),
    Page("admin", "admin.user_detail", _demo_employee_account),
    Page("admin", "admin.units"),
    Page("admin", "admin.job_titles"),
    Page("manager", "admin.job_titles"),
    Page("admin", "admin.retention_due"),
    Page("anonymous", "auth.forgot_password"),
    Page("anonymous", "auth.set_password", _a_live_link),
]

# HR API (issue 16): the token page and the reference page; the API answers JSON
PAGES += [
    Page("admin", "admin.api_tokens"),
    Page("admin", "api_docs.reference"),
]
NOT_HTML |= {"api_docs.openapi_json", "api.list_people", "api.get_person", "api.list_units",
             "api.list_areas", "api.list_skills", "api.get_skill", "api.list_projects",
             "api.get_project", "api.list_training_courses", "api.list_training_records",
             "api.get_training_record"}
# Taxonomy care (issue 16): the editor, a skill, an area, the merge preview
def _a_skill(session):
    from skillmap.models import Skill

    return {"skill_id": session.scalar(sa.select(Skill.id).where(Skill.code == "LNG-EN"))}


def _merge_preview(session):
    from skillmap.models import Skill

    ids = dict(session.execute(sa.select(Skill.code, Skill.id).where(
        Skill.code.in_(["LNG-EN", "LNG-FR"]))).all())
    return {"skill_id": ids["LNG-FR"], "into": ids["LNG-EN"]}


def _an_area(session):
    from skillmap.models import Skill

    return {"area_id": session.scalar(sa.select(Skill.area_id).where(Skill.code == "LNG-EN"))}


PAGES += [
    Page("admin", "admin.taxonomy"),
    Page("admin", "admin.taxonomy", query="state=all&q=inglese"),
    Page("manager", "admin.taxonomy"),
    Page("admin", "admin.taxonomy_skill", _a_skill),
    Page("manager", "admin.taxonomy_skill", _a_skill),
    Page("admin", "admin.taxonomy_skill_new"),
    Page("admin", "admin.taxonomy_merge", _merge_preview),
    Page("admin", "admin.taxonomy_area", _an_area),
    Page("manager", "admin.taxonomy_area", _an_area),
    Page("admin", "admin.taxonomy_area_new"),
    Page("admin", "admin.taxonomy_import"),
]
# Mandatory training (issue 14): deadlines and coverage, one's own register, set-up
def _training_course(session):
    from skillmap.models import TrainingCourse

    return {"course_id": first_id(TrainingCourse, TrainingCourse.code == "HACCP")(session)}


PAGES += [
    Page("manager", "training.deadlines"),
    Page("manager", "training.deadlines", query="status=all&on=2027-06-30"),
    Page("employee", "training.mine"),
    Page("manager", "training.person", lambda session: {"person_id": _demo_employee(session)}),
    Page("manager", "training.rules"),
    Page("admin", "training.catalogue"),
    Page("admin", "training.edit_course", _training_course),
    Page("admin", "training.reminders"),
]
NOT_HTML |= {"training.export", "training.certificate"}


def _training_plan(session):
    """A saved plan (made on the fly in the demo data: the demo has none)."""
    from datetime import date

    from skillmap.models import Organisation, TrainingPlan, TrainingPlanLine

    plan_id = first_id(TrainingPlan)(session)
    if plan_id is None:
        org = session.scalar(sa.select(Organisation.id).order_by(Organisation.id).limit(1))
        plan = TrainingPlan(organisation_id=org, title="Piano di prova",
                            window_start=date(2027, 1, 1), window_end=date(2027, 12, 31))
        plan.lines.append(TrainingPlanLine(topic="Antincendio – livello 2", kind="mandatory",
                                           hours_each=8, priority=1, reason="prova"))
        session.add(plan)
        session.commit()
        plan_id = plan.id
    return {"plan_id": plan_id}


PAGES += [
    Page("manager", "training.plans"),
    Page("manager", "training.new_plan"),
    Page("manager", "training.plan", _training_plan),
]
NOT_HTML |= {"training.export_plan_file"}
# Bulk import of people and skills (issue 11); the preview (a POST) is checked in
# test_import_journey.py, on a server of its own
NOT_HTML |= {"admin.import_people_template"}
PAGES += [Page("admin", "admin.import_people")]
# Full export (issue 16): the page with its button, progress and links; the files and the
# progress are not HTML. Single sign-on's callback only redirects (its login page with the
# button is checked in test_sso_journey.py, against a real provider)
PAGES += [
    Page("admin", "admin.export"),
]
NOT_HTML |= {"admin.export_status_json", "admin.export_download", "auth.sso_callback"}
# Everyday usability (issue 15): trends with chosen skills, period and two months; the
# printable skill card for the person and for HR
def _trend_choices(session):
    from skillmap.models import Skill
    from skillmap.services.reports.trends import month_range

    keys = [str(m) for m in month_range()]
    skills = session.scalars(sa.select(Skill.id).where(Skill.code.in_(
        ("HEA-OSS-BASIC-CARE", "SOC-PEI", "LNG-EN"))).order_by(Skill.id)).all()
    return {"skill": skills, "period": 12, "month_a": keys[-13], "month_b": keys[-1]}


PAGES += [
    Page("manager", "reports.trends", _trend_choices),
    Page("employee", "profiles.my_card"),
    Page("manager", "profiles.person_card",
         lambda session: {"person_id": _demo_employee(session)}),
]
# Training records import (issue 14): the preview (a POST) is checked by tests/web
PAGES += [Page("manager", "training.import_records")]
