"""Projects: list, create, edit with required skills, ideas, open projects, interest, invitations."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from skillmap.extensions import db
from skillmap.models import Project, TeamMember
from skillmap.services import projects as svc
from skillmap.services import teams
from skillmap.services.errors import DuplicateError
from skillmap.web import nav
from skillmap.web.access import require_same_org, roles
from skillmap.web.projects import bp
from skillmap.web.redirects import safe_next
from skillmap.web.projects.forms import (ActionForm, EditRequirementForm, IdeaForm, ProjectForm,
                                         RequirementForm, SkillSearchForm)

nav.add("projects.index", _l("Projects"), order=30)
nav.add("projects.open_projects", _l("Open projects"), order=30)

FIELDS = ("title", "description", "goals", "start_date", "end_date", "hours_per_month",
          "team_size", "status")


def project_or_404(project_id: int) -> Project:
    project = db.session.get(Project, project_id)
    require_same_org(project)
    return project


def managed_or_404(project_id: int) -> Project:
    """A project the signed-in coordinator runs (others get 403)."""
    project = project_or_404(project_id)
    if not svc.can_manage(project, current_user):
        abort(403)
    return project


def _form_data(form) -> dict:
    return {k: getattr(form, k).data for k in FIELDS if hasattr(form, k)}


def _apply_error(form, exc: svc.ProjectError) -> None:
    messages = {"end_date": _("The end cannot come before the start."),
                "status": _("A project only moves forward: idea, looking for a team, active, closed."),
                "team_size": _("Enter a team size from 1 to %(n)d people.", n=svc.MAX_TEAM)}
    target = getattr(form, exc.field or "", None) or form.title
    target.errors = list(target.errors) + [messages.get(exc.field, _("This value is not valid."))]


@bp.route("/")
@roles("coordinator", "manager", "admin")
def index():
    return render_template("projects/index.html", projects=svc.projects_for(current_user),
                           action=ActionForm())


@bp.route("/new", methods=["GET", "POST"])
@roles("coordinator")
def new():
    form = ProjectForm(current_status=None)
    if form.validate_on_submit():
        try:
            project = svc.create_project(current_user, _form_data(form))
        except svc.ProjectError as exc:
            _apply_error(form, exc)
        else:
            db.session.commit()
            flash(_("Project created. Now add the skills it needs."), "success")
            return redirect(url_for("projects.edit", project_id=project.id))
    return render_template("projects/new.html", form=form)


def _edit_form(project, req, formdata=None) -> EditRequirementForm:
    """The form that changes ``req`` in place (every skill offered, the others taken)."""
    skills = svc.skill_choices(current_user.organisation_id)
    taken = [r.skill_id for r in project.requirements if r.id != req.id]
    if formdata is not None:
        return EditRequirementForm(prefix="edit", skills=skills, taken=taken)
    return EditRequirementForm(prefix="edit", skills=skills, taken=taken,
                               data={"skill": req.skill_id, "min_level": req.min_level,
                                     "weight": req.weight, "count": req.count,
                                     "version": str(req.version)})


def _edit_page(project, form=None, req_form=None, edit_form=None, editing=None, notice=None,
               status=200):
    query = request.args.get("q", "")
    skills = svc.skill_choices(current_user.organisation_id, query)
    search = SkillSearchForm(request.args)
    form = form or ProjectForm(obj=project, current_status=project.status)
    req_form = req_form or RequirementForm(prefix="req", skills=skills,
                                           taken=[r.skill_id for r in project.requirements])
    if edit_form is None and editing is None:
        wanted = request.args.get("req", type=int)
        editing = next((r for r in project.requirements if r.id == wanted), None)
        if editing is not None:
            edit_form = _edit_form(project, editing)
    from skillmap.web.projects.training_routes import training_context

    return render_template("projects/edit.html", project=project, form=form, req_form=req_form,
                           search=search, query=query, action=ActionForm(),
                           matches=len(skills), edit_form=edit_form,
                           editing=editing.id if editing is not None else None,
                           notice=notice, **training_context(project)), status


@bp.route("/<int:project_id>/edit", methods=["GET", "POST"])
@roles("coordinator")
def edit(project_id: int):
    project = managed_or_404(project_id)
    form = ProjectForm(obj=project if request.method == "GET" else None,
                       current_status=project.status)
    if form.validate_on_submit():
        try:
            svc.update_project(project, _form_data(form), current_user)
        except svc.ProjectError as exc:
            db.session.rollback()
            _apply_error(form, exc)
        else:
            db.session.commit()
            flash(_("Project saved."), "success")
            return redirect(url_for("projects.edit", project_id=project.id))
    return _edit_page(project, form=form)


@bp.route("/<int:project_id>/requirements", methods=["POST"])
@roles("coordinator")
def add_requirement(project_id: int):
    project = managed_or_404(project_id)
    skills = svc.skill_choices(current_user.organisation_id)
    req_form = RequirementForm(prefix="req", skills=skills,
                               taken=[r.skill_id for r in project.requirements])
    if req_form.validate_on_submit():
        try:
            svc.add_requirement(project, {"skill_id": req_form.skill.data,
                                          "min_level": req_form.min_level.data,
                                          "weight": req_form.weight.data,
                                          "count": req_form.count.data}, current_user)
        except DuplicateError:   # the same skill added from another tab at the same moment
            flash(_("This skill is already among the project's needs."), "warning")
        except svc.ProjectError:
            db.session.rollback()
            flash(_("This skill could not be added: choose it again from the list."), "danger")
        else:
            db.session.commit()
            flash(_("Skill added to the project."), "success")
        return redirect(url_for("projects.edit", project_id=project.id) + "#requirements")
    return _edit_page(project, req_form=req_form)


@bp.route("/<int:project_id>/requirements/<int:requirement_id>", methods=["POST"])
@roles("coordinator")
def edit_requirement(project_id: int, requirement_id: int):
    """Change a required skill in place; an edit from an older page is refused (409)."""
    project = managed_or_404(project_id)
    req = next((r for r in project.requirements if r.id == requirement_id), None)
    if req is None:
        abort(404)
    edit_form = _edit_form(project, req, formdata=request.form)
    if not edit_form.validate_on_submit():
        return _edit_page(project, edit_form=edit_form, editing=req)
    try:
        svc.update_requirement(project, req.id, {"skill_id": edit_form.skill.data,
                                                 "min_level": edit_form.min_level.data,
                                                 "weight": edit_form.weight.data,
                                                 "count": edit_form.count.data},
                               current_user, seen_version=edit_form.seen_version())
    except (svc.StaleRequirement, DuplicateError):
        db.session.rollback()
        db.session.expire_all()
        project = managed_or_404(project_id)
        return _edit_page(project, status=409, notice=_(
            "This skill was changed in the meantime (in another tab or by another request): "
            "here are the project's needs as they are now. Change it again if needed."))
    except svc.ProjectError as exc:
        db.session.rollback()
        target = getattr(edit_form, exc.field or "", None) or edit_form.skill
        target.errors = list(target.errors) + [_("This value is not valid.")]
        return _edit_page(project, edit_form=edit_form, editing=req)
    db.session.commit()
    flash(_("Required skill saved."), "success")
    return redirect(url_for("projects.edit", project_id=project.id) + f"#req-{req.id}")


@bp.route("/<int:project_id>/requirements/<int:requirement_id>/delete", methods=["POST"])
@roles("coordinator")
def remove_requirement(project_id: int, requirement_id: int):
    project = managed_or_404(project_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        svc.remove_requirement(project, requirement_id, current_user)
    except svc.ProjectError:
        abort(404)
    except svc.StaleRequirement:
        flash(_("This skill was changed in the meantime: check it and remove it again if "
                "needed."), "warning")
        return redirect(url_for("projects.edit", project_id=project.id) + "#requirements")
    db.session.commit()
    flash(_("Skill removed from the project."), "success")
    return redirect(url_for("projects.edit", project_id=project.id) + "#requirements")


@bp.route("/<int:project_id>")
@roles("*")
def detail(project_id: int):
    project = project_or_404(project_id)
    if not svc.can_view(project, current_user):
        abort(404)
    mine = svc.membership(project, current_user.person_id) if current_user.person_id else None
    team = teams.current_team(project) if svc.can_view_team(project, current_user) else None
    return render_template("projects/detail.html", project=project, mine=mine, team=team,
                           can_manage=svc.can_manage(project, current_user),
                           can_view_team=svc.can_view_team(project, current_user),
                           action=ActionForm())


@bp.route("/<int:project_id>/take-up", methods=["POST"])
@roles("coordinator")
def take_up(project_id: int):
    project = project_or_404(project_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        svc.take_up(project, current_user)
    except svc.ProjectError:
        flash(_("This idea already has a coordinator."), "danger")
        return redirect(url_for("projects.index"))
    db.session.commit()
    flash(_("You now coordinate this project: it is looking for a team."), "success")
    return redirect(url_for("projects.edit", project_id=project.id))


@bp.route("/propose", methods=["GET", "POST"])
@roles("*")
def propose():
    form = IdeaForm()
    if form.validate_on_submit():
        svc.propose_idea(current_user, {"title": form.title.data,
                                        "description": form.description.data,
                                        "goals": form.goals.data})
        db.session.commit()
        flash(_("Thank you: your idea is waiting for a coordinator."), "success")
        return redirect(url_for("projects.open_projects")
                        if current_user.role == "employee" else url_for("projects.index"))
    return render_template("projects/propose.html", form=form)


@bp.route("/open")
@roles("employee")
def open_projects():
    return render_template("projects/open.html",
                           rows=svc.open_projects_for(current_user.person,
                                                      current_user.organisation_id),
                           proposals=svc.my_proposals(current_user), action=ActionForm())


@bp.route("/<int:project_id>/interest", methods=["POST"])
@roles("employee")
def interest(project_id: int):
    project = project_or_404(project_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        svc.say_interested(project, current_user)
    except svc.ProjectError:
        flash(_("You cannot say you are interested in this project."), "danger")
    else:
        db.session.commit()
        flash(_("The coordinator will see that you are interested."), "success")
    return redirect(safe_next(request.form.get("next"), url_for("projects.open_projects")))


@bp.route("/<int:project_id>/withdraw", methods=["POST"])
@roles("employee")
def withdraw(project_id: int):
    project = project_or_404(project_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        svc.withdraw_interest(project, current_user)
    except svc.ProjectError:
        flash(_("You had not said you were interested."), "danger")
    else:
        db.session.commit()
        flash(_("You are no longer listed as interested."), "success")
    return redirect(url_for("projects.open_projects"))


@bp.route("/invitations/<int:member_id>/<answer>", methods=["POST"])
@roles("*")
def respond(member_id: int, answer: str):
    tm = db.session.get(TeamMember, member_id)
    if answer not in ("accept", "decline") or tm is None or tm.person_id is None or tm.person_id != current_user.person_id:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        svc.respond_to_invitation(tm, current_user, accept=answer == "accept")
    except (svc.ProjectError, svc.InvitationClosed):
        flash(_("This invitation has already been answered."), "danger")
    else:
        db.session.commit()
        flash(_("You joined the project team.") if answer == "accept"
              else _("You declined the invitation."), "success")
    return redirect(url_for("main.home"))
