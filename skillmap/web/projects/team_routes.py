"""The team builder page: a suggested team, pins and exclusions, swaps, saving the invitations."""
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l, ngettext
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


TEAM_ERRORS = {
    teams.PinAndExclude: _l("A person cannot be both kept and left out."),
    teams.TooManyPins: _l("You kept more people than the team has places."),
    teams.TeamTooLarge: _l("The team has more people than places."),
    teams.UnknownPerson: _l("This person is not in the cooperative."),
    teams.UnitCap: _l("The people you kept already break this limit: raise it or keep fewer "
                      "people from one unit."),
    teams.NoRequirements: _l("Add the skills the project needs before asking for a team."),
}


def _team_error(form, exc: teams.TeamError) -> str | None:
    """Put the service's refusal next to its field; return a page-level message otherwise."""
    message = str(TEAM_ERRORS.get(type(exc),
                                  _l("The suggestion could not be computed with these options.")))
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


def _team_page(project, args, notice: str | None = None, status: int = 200):
    """The team page for ``args`` (the options asked for); without options, the current team."""
    form = TeamOptionsForm(args, team_size=project.team_size)
    swap = SwapForm(args)
    error, result, options = None, None, None
    current = teams.current_team(project)
    if "asked" not in args:
        options = teams.default_options(project, current)
        form.pins.data, form.excludes.data = options.pins, options.excludes
    elif form.validate():
        options = _options(form, swap)
    found, swap_query = [], (args.get("swap_q") or "").strip()[:100]
    if options is not None:
        try:
            result = teams.suggest(project, options, viewer=current_user, team=current)
        except teams.TeamError as exc:
            error = _team_error(form, exc)
    if result and swap_query:
        found = teams.search_eligible(project, swap_query, widen=bool(form.widen.data),
                                      leave_out=[m["person"].id for m in result["members"]])
    page = render_template("projects/team.html", project=project, form=form, result=result,
                           error=error, notice=notice, options=options,
                           swap_query=swap_query, found=found,
                           current=current,
                           save_form=SaveTeamForm(team_version=project.team_version),
                           chosen=teams.people_named(project.organisation_id,
                                                     (form.pins.data or []) + (form.excludes.data or [])),
                           can_manage=svc.can_manage(project, current_user))
    # the audit of who the suggestion named, the one write of a GET, is committed after the
    # page is drawn: committing first would expire every row the page then reads again, one
    # query each (a third of the page's time on PostgreSQL)
    db.session.commit()
    return page, status


@bp.route("/<int:project_id>/team")
@roles("coordinator", "manager", "admin")
def team(project_id: int):
    return _team_page(_viewable(project_id), request.args)


@bp.route("/<int:project_id>/team", methods=["POST"])
@roles("coordinator")
def save_team(project_id: int):
    project = project_or_404(project_id)
    if not svc.can_manage(project, current_user):
        abort(403)
    form = SaveTeamForm()
    if not form.validate_on_submit():
        abort(400)
    stale = _("The team was changed in the meantime by someone else: here is the current "
              "team. Check it and save again if needed.")
    if form.seen_version() != project.team_version:
        return _team_page(project, {}, status=409, notice=stale)
    try:
        growth = form.growth_pairs()
    except ValueError:
        growth = None
    if growth is not None and form.confirmed.data != "1":
        leaving = teams.withdrawn_by(project, form.members.data or [], growth)
        if leaving:  # invitations would be withdrawn: ask first, on a page of its own
            return render_template("projects/team_confirm.html", project=project,
                                   leaving=leaving, form=form,
                                   staying=teams.people_named(project.organisation_id,
                                                              form.members.data or []))
    try:
        invited = teams.save_team(project, form.members.data or [], form.growth_pairs(),
                                  current_user, seen_version=form.seen_version())
    except teams.StaleTeam:
        # another save (or an answer) came first: show the team as it is now, never a mix
        return _team_page(project, {}, status=409, notice=stale)
    except (teams.TeamError, ValueError) as exc:
        db.session.rollback()
        message = (_("Move the project to \"looking for a team\" before inviting people.")
                   if isinstance(exc, teams.NotStaffing) else
                   _("The team could not be saved: ask for a new suggestion and try again."))
        flash(message, "danger")
        return redirect(url_for("projects.team", project_id=project.id))
    db.session.commit()
    flash(ngettext("Team saved: %(num)d invitation sent.", "Team saved: %(num)d invitations sent.",
                   invited), "success")
    return redirect(url_for("projects.detail", project_id=project.id))


@bp.route("/<int:project_id>/team/people/<int:person_id>")
@roles("coordinator", "manager", "admin")
def team_person(project_id: int, person_id: int):
    project = _viewable(project_id)
    person = db.session.get(Person, person_id)
    require_same_org(person)
    rows = teams.person_profile(person, current_user, project)
    db.session.commit()  # the audit of this view: the one write of this GET
    required = {r.skill_id: r for r in project.requirements}
    return render_template("projects/person.html", project=project, person=person, rows=rows,
                           required=required)
