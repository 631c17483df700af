"""Manager report pages, their CSV / XLSX exports, named lists and role targets."""
from __future__ import annotations

import sqlalchemy as sa
from flask import (Response, abort, current_app, flash, redirect, render_template, request,
                   url_for)
from flask_babel import format_datetime, gettext as _, lazy_gettext as _l
from flask_login import current_user

from skillmap.extensions import db
from skillmap.i18n import lang, month_label, spreadsheet_csv
from skillmap.models import RoleTarget, Skill
from markupsafe import Markup

from skillmap.services import report_exports, report_snapshots, reports, role_targets, versions
from skillmap.services.reports import Filters
from skillmap.services.reports import trends as trend_service
from skillmap.services.reports.people import HiddenGroup
from skillmap.services.suppression import hidden_help, hidden_label
from skillmap.services.reports.matrix import shade_class
from skillmap.web import nav
from skillmap.web.access import require_same_org, roles
from skillmap.web.inputs import db_id
from skillmap.web.reports import bp, charts
from skillmap.web.reports.forms import FilterForm, RoleTargetForm, TargetLevelForm, TrendsForm

nav.add("reports.matrix", _l("Reports"), order=60)

MANAGERS = ("manager", "admin")
EXPORTS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _filters() -> tuple[FilterForm, Filters]:
    opts = reports.filter_options(current_user.organisation_id, lang())
    form = FilterForm(request.args, opts["units"], opts["areas"])
    unit_id, area_id = form.values()
    return form, Filters(unit_id, area_id)


def _trends_form(f: Filters) -> TrendsForm:
    """The trends choices: the skills of the chosen area (all areas: every skill)."""
    skills = reports.base.skills_frame(current_user.organisation_id, lang(), f.area_id)
    skills = skills.sort_values(["area", "skill"], kind="stable")
    months = trend_service.month_range()
    form = TrendsForm(request.args, list(zip(skills["skill_id"].astype(int), skills["skill"],
                                             skills["area"])),
                      [(str(m), month_label(m)) for m in reversed(months)], trend_service.PERIODS)
    if not form.period.data:
        form.period.data = str(trend_service.DEFAULT_PERIOD)
    return form


def _build(kind: str, f: Filters, trends_form: TrendsForm | None = None
           ) -> tuple[reports.Report, int, int]:
    """The report a page or an export shows, the data version it shows, and how many
    changes of data it is behind (0: current).

    The unfiltered views of the snapshot kinds come from the ``reports`` job
    (:mod:`skillmap.services.report_snapshots`), the same in every process;
    ``?fresh=1`` (the "show the current figures" link) and the filtered views are
    computed now, at the current version.
    """
    org = current_user.organisation_id
    min_group = current_app.config["PRIVACY_MIN_GROUP"]
    if f == Filters() and not request.args.get("fresh"):
        snap = report_snapshots.latest(org, kind, lang(), min_group)
        if snap is not None:
            return snap.report, snap.data_version, snap.behind
    kw = {}
    if kind == "trends":
        values = (trends_form or _trends_form(f)).values()
        kw["options"] = trend_service.TrendOptions(
            values["skill_ids"], values["period"] or trend_service.DEFAULT_PERIOD,
            values["month_a"], values["month_b"])
    return reports.BUILDERS[kind](org, f, min_group, lang(), **kw), versions.current(org), 0


def _page(kind: str, template: str, cache_body: bool = False, **extra):
    """A report page. With ``cache_body`` the report's own part (its tables and charts,
    which depend only on the report, the query string and the language) is rendered once
    per data version and reused by every request until the data changes."""
    form, f = _filters()
    if kind == "trends":
        extra["trends_form"] = _trends_form(f)
    report, version, behind = _build(kind, f, extra.get("trends_form"))
    min_group = current_app.config["PRIVACY_MIN_GROUP"]
    context = dict(report=report, form=form, f=f, charts=charts, min_group=min_group,
                   hidden_word=hidden_label(), hidden_help=hidden_help(min_group),
                   behind=behind, **extra)
    if cache_body:
        args = tuple(sorted((k, v) for k, v in request.args.items(multi=True) if k != "fresh"))
        context["report_body"] = versions.memo(
            current_user.organisation_id, "report_body", (kind, version, args, lang(), min_group),
            lambda: _render_block(template, "report", context), version=version)
    return render_template(template, **context)


def _render_block(template: str, block: str, context: dict) -> Markup:
    """One block of a template, rendered alone with the page's context."""
    tmpl = current_app.jinja_env.get_template(template)
    ctx = dict(context)
    current_app.update_template_context(ctx)
    return Markup("".join(tmpl.blocks[block](tmpl.new_context(ctx))))


@bp.route("/matrix")
@roles(*MANAGERS)
def matrix():
    return _page("matrix", "reports/matrix.html", cache_body=True, shade=shade_class)


@bp.route("/gaps")
@roles(*MANAGERS)
def gaps():
    return _page("gaps", "reports/gaps.html", cache_body=True)


@bp.route("/growth")
@roles(*MANAGERS)
def growth():
    return _page("growth", "reports/growth.html", cache_body=True)


@bp.route("/trends")
@roles(*MANAGERS)
def trends():
    return _page("trends", "reports/trends.html")


@bp.route("/families")
@roles(*MANAGERS)
def families():
    return _page("families", "reports/families.html")


@bp.route("/<kind>.<fmt>")
@roles(*MANAGERS)
def export(kind: str, fmt: str):
    if kind not in reports.BUILDERS or fmt not in EXPORTS:
        abort(404)
    form, f = _filters()
    report, version, _behind = _build(kind, f)
    args = tuple(sorted((k, v) for k, v in request.args.items(multi=True) if k != "fresh"))
    # the file is made once per data version, query string and language (openpyxl is slow)
    body = versions.memo(current_user.organisation_id, "report_export",
                         (kind, fmt, version, args, lang(), current_app.config["PRIVACY_MIN_GROUP"]),
                         lambda: _export_body(report, f, fmt), version=version)
    stamp = report.computed_at.strftime("%Y%m%d-%H%M")
    return Response(body, mimetype=EXPORTS[fmt], headers={
        "Content-Disposition": f'attachment; filename="skillmap-{kind}-{stamp}.{fmt}"',
        "Cache-Control": "no-store"})


def _export_body(report: reports.Report, f: Filters, fmt: str) -> bytes | str:
    choices = reports.filter_options(current_user.organisation_id, lang())
    opts = dict((str(k), v) for k, v in choices["units"])
    areas = dict((str(k), v) for k, v in choices["areas"])
    info = [(_("Computed at"), format_datetime(report.computed_at, "medium")),
            (_("Computed at (UTC, ISO 8601)"), report.computed_at.isoformat(timespec="seconds")),
            (_("Unit"), opts.get(str(f.unit_id), _("No unit") if f.unit_id == 0 else _("All units"))),
            (_("Skill area"), areas.get(str(f.area_id), _("All areas"))),
            (_("Privacy"), hidden_help(current_app.config["PRIVACY_MIN_GROUP"]))]
    maker = report_exports.to_csv if fmt == "csv" else report_exports.to_xlsx
    kw = spreadsheet_csv() if fmt == "csv" else {"info_sheet": _("Info")}
    return maker(str(report.title), report.computed_at, report.tables, info, **kw)


@bp.route("/people")
@roles(*MANAGERS)
def people():
    kind = request.args.get("kind", "")
    skill_id = db_id(request.args.get("skill")) if request.args.get("skill") else None
    if request.args.get("skill") and skill_id is None:
        abort(404)
    _form, f = _filters()
    if skill_id is not None:
        require_same_org(db.session.get(Skill, skill_id))
    skill = db.session.get(Skill, skill_id) if skill_id else None
    back = request.args.get("back", "matrix")
    try:
        rows = reports.list_people(current_user.organisation_id, current_user.id, kind, f,
                                   skill_id, lang(), current_app.config["PRIVACY_MIN_GROUP"])
    except HiddenGroup:
        return render_template("reports/people.html", rows=None, refused=True, kind=kind,
                               skill=skill, f=f, back=back), 403
    except ValueError:
        abort(404)
    return render_template("reports/people.html", rows=rows, kind=kind, skill=skill, f=f,
                           back=back)


@bp.route("/role-targets", methods=["GET", "POST"])
@roles(*MANAGERS)
def role_target_list():
    org_id = current_user.organisation_id
    skills = db.session.execute(
        sa.select(Skill.id, Skill.name_en if lang() == "en" else Skill.name_it)
        .where(Skill.organisation_id == org_id, Skill.active.is_(True))
        .order_by(Skill.name_en if lang() == "en" else Skill.name_it)).all()
    titles = role_targets.job_titles(org_id)
    form = RoleTargetForm(skills=skills, titles=titles,
                          existing=lambda t, s: role_targets.find_target(org_id, t, s))
    if form.validate_on_submit():
        role_targets.create_target(org_id, form.job_title.data, int(form.skill.data),
                                   int(form.min_level.data), actor_id=current_user.id)
        db.session.commit()
        flash(_("Target added."), "success")
        return redirect(url_for("reports.role_target_list"))
    return render_template("reports/role_targets.html", form=form, titles=titles,
                           targets=role_targets.list_targets(org_id))


def _target_or_404(target_id: int) -> RoleTarget:
    target = db.session.get(RoleTarget, target_id)
    require_same_org(target)
    return target


@bp.route("/role-targets/<int:target_id>/edit", methods=["GET", "POST"])
@roles(*MANAGERS)
def role_target_edit(target_id: int):
    target = _target_or_404(target_id)
    form = TargetLevelForm(data={"min_level": str(target.min_level)}
                           if request.method == "GET" else None)
    if form.validate_on_submit():
        role_targets.update_target(target, int(form.min_level.data), actor_id=current_user.id)
        db.session.commit()
        flash(_("Level saved."), "success")
        return redirect(url_for("reports.role_target_list"))
    return render_template("reports/role_target_edit.html", form=form, target=target)


@bp.route("/role-targets/<int:target_id>/delete", methods=["POST"])
@roles(*MANAGERS)
def role_target_delete(target_id: int):
    target = _target_or_404(target_id)
    role_targets.delete_target(target, actor_id=current_user.id)
    db.session.commit()
    flash(_("Target removed."), "success")
    return redirect(url_for("reports.role_target_list"))
