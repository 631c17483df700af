"""The team builder page: a suggested team, pins and exclusions, swaps, saving the invitations."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from skillmap.extensions import db
from skillmap.models import Person
from skillmap.services import projects as svc
from skillmap.services import teams
from skillmap.web.access import require_same_org, roles
from skillmap.web.projects import bp
from skillmap.web.projects.forms import SaveTeamForm, SwapForm, TeamOptionsForm
from skillmap.web.projects.routes import project_or_404


def _viewable(project_id: int):
    project = project_or_404(project_id)
    if not svc.can_view_team(project, current_user):
        abort(403)
    return project


def _team_error(form, exc: teams.TeamError) -> str | None:
    """Put the service's refusal next to its field; return a page-level message otherwise."""
    messages = {
        "pin and exclude": _("A person cannot be both kept and left out."),
        "too many pins": _("You kept more people than the team has places."),
        "team too large": _("The team has more people than places."),
        "unknown person": _("This person is not in the cooperative."),
        "unit cap": _("The people you kept already break this limit: raise it or keep fewer "
                      "people from one unit."),
        "no requirements": _("Add the skills the project needs before asking for a team."),
    }
    message = messages.get(str(exc), _("The suggestion could not be computed with these options."))
    target = getattr(form, exc.field or "", None)
    if target is not None and exc.field in ("pins", "excludes", "max_per_unit"):
        target.errors = list(target.errors) + [message]
        return None
    return message


def _options(form, swap) -> teams.Options | None:
    """The options asked for, or None when the form has errors."""
    explicit = None
    if swap.swap_out.data and swap.swap_in.data:
        current = list(swap.team.data or [])
        if swap.swap_out.data not in current or swap.swap_in.data in current:
            form.team.errors = [_("Choose someone in the team to take out and someone "
                                  "outside it to put in.")]
            return None
        explicit = [swap.swap_in.data if p == swap.swap_out.data else p for p in current]
    elif form.team.data:
        explicit = list(form.team.data)
    return teams.Options(pins=list(dict.fromkeys(form.pins.data or [])),
                         excludes=list(dict.fromkeys(form.excludes.data or [])),
                         max_per_unit=form.max_per_unit.data,
                         growth_places=form.growth_places.data or 0,
                         widen=bool(form.widen.data), team=explicit)


@bp.route("/<int:project_id>/team")
@roles("coordinator", "manager", "admin")
def team(project_id: int):
    project = _viewable(project_id)
    form = TeamOptionsForm(request.args, team_size=project.team_size)
    swap = SwapForm(request.args)
    error, result, options = None, None, None
    if "asked" not in request.args:
        options = teams.default_options(project)
        form.pins.data, form.excludes.data = options.pins, options.excludes
    elif form.validate():
        options = _options(form, swap)
    if options is not None:
        try:
            result = teams.suggest(project, options)
        except teams.TeamError as exc:
            error = _team_error(form, exc)
    return render_template("projects/team.html", project=project, form=form, result=result,
                           error=error, options=options, current=teams.current_team(project),
                           save_form=SaveTeamForm(),
                           chosen=teams.people_named(project.organisation_id,
                                                     (form.pins.data or []) + (form.excludes.data or [])),
                           can_manage=svc.can_manage(project, current_user))


@bp.route("/<int:project_id>/team", methods=["POST"])
@roles("coordinator")
def save_team(project_id: int):
    project = project_or_404(project_id)
    if not svc.can_manage(project, current_user):
        abort(403)
    form = SaveTeamForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        invited = teams.save_team(project, form.members.data or [], form.growth_pairs(),
                                  current_user)
    except (teams.TeamError, ValueError) as exc:
        db.session.rollback()
        message = (_("Move the project to \"looking for a team\" before inviting people.")
                   if str(exc) == "not staffing" else
                   _("The team could not be saved: ask for a new suggestion and try again."))
        flash(message, "danger")
        return redirect(url_for("projects.team", project_id=project.id))
    flash(_("Team saved: %(n)d invitations sent.", n=invited), "success")
    return redirect(url_for("projects.detail", project_id=project.id))


@bp.route("/<int:project_id>/team/people/<int:person_id>")
@roles("coordinator", "manager", "admin")
def team_person(project_id: int, person_id: int):
    project = _viewable(project_id)
    person = db.session.get(Person, person_id)
    require_same_org(person)
    rows = teams.person_profile(person, current_user, project)
    required = {r.skill_id: r for r in project.requirements}
    return render_template("projects/person.html", project=project, person=person, rows=rows,
                           required=required)
