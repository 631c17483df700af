"""Units and job titles: one page each (admins change, managers read)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from skillmap.extensions import db
from skillmap.models import JobTitle, Unit
from skillmap.services import org_structure as org_s
from skillmap.web.access import require_same_org, roles
from skillmap.web.admin import bp
from skillmap.web.admin.people_forms import MergeForm, NameForm, RenameForm

# reached from the People page (the admin's menu has no room for one more entry at 1280 px)

ERRORS = {
    "empty": _l("Enter a name."),
    "too_long": _l("Use at most 200 characters."),
    "exists": _l("This name is already used."),
    "same": _l("Choose another one to merge into."),
}

#: kind -> (model, list, create, rename, merge, retire, page title)
KINDS = {
    "units": (Unit, org_s.units, org_s.create_unit, org_s.rename_unit, org_s.merge_units,
              org_s.set_unit_retired, _l("Units")),
    "job-titles": (JobTitle, org_s.job_titles, org_s.create_job_title, org_s.rename_job_title,
                   org_s.merge_job_titles, org_s.set_job_title_retired, _l("Job titles")),
}


def _row(kind: str, row_id: int):
    row = db.session.get(KINDS[kind][0], row_id)
    require_same_org(row)
    return row


def _page(kind: str, form=None):
    model, listing, *_rest, title = KINDS[kind]
    org = current_user.organisation_id
    rows = listing(org)
    counts = org_s.headcounts(kind, org)
    return render_template("admin/structure.html", kind=kind, title=title, rows=rows,
                           counts=counts, form=form or NameForm(prefix="new"),
                           can_edit=current_user.role == "admin",
                           merge_choices=[SelectChoice(str(r.id), r.name) for r in rows
                                          if not r.retired])


@bp.route("/units", endpoint="units")
@roles("admin", "manager")
def units_page():
    return _page("units")


@bp.route("/job-titles", endpoint="job_titles")
@roles("admin", "manager")
def job_titles_page():
    return _page("job-titles")


def _back(kind: str):
    return redirect(url_for("admin.units" if kind == "units" else "admin.job_titles"))


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        abort(404)


@bp.route("/structure/<kind>/new", methods=["POST"])
@roles("admin")
def structure_create(kind: str):
    _check_kind(kind)
    form = NameForm(prefix="new")
    if form.validate_on_submit():
        try:
            KINDS[kind][2](current_user.organisation_id, form.name.data, actor=current_user)
            db.session.commit()
        except org_s.StructureError as exc:
            db.session.rollback()
            form.name.errors = [str(ERRORS[exc.reason])]
        else:
            flash(_("%(name)s added.", name=form.name.data.strip()), "success")
            return _back(kind)
    return _page(kind, form), 400


@bp.route("/structure/<kind>/<int:row_id>/rename", methods=["POST"])
@roles("admin")
def structure_rename(kind: str, row_id: int):
    _check_kind(kind)
    row = _row(kind, row_id)
    form = RenameForm(prefix=f"r{row_id}")
    if form.validate_on_submit():
        try:
            KINDS[kind][3](row, form.name.data, actor=current_user)
            db.session.commit()
        except org_s.StructureError as exc:
            db.session.rollback()
            flash(str(ERRORS[exc.reason]), "danger")
        else:
            flash(_("Renamed to %(name)s.", name=row.name), "success")
    else:
        flash(str(ERRORS["empty"]), "danger")
    return _back(kind)


@bp.route("/structure/<kind>/<int:row_id>/merge", methods=["POST"])
@roles("admin")
def structure_merge(kind: str, row_id: int):
    _check_kind(kind)
    row = _row(kind, row_id)
    form = MergeForm(prefix=f"m{row_id}")
    form.target.choices = [SelectChoice(str(r.id), r.name) for r in KINDS[kind][1](
        current_user.organisation_id)]
    if form.validate_on_submit():
        target = _row(kind, int(form.target.data))
        name = row.name
        try:
            moved = KINDS[kind][4](row, target, actor=current_user)
            db.session.commit()
        except org_s.StructureError as exc:
            db.session.rollback()
            flash(str(ERRORS[exc.reason]), "danger")
        else:
            flash(_("%(old)s merged into %(new)s: %(n)d people moved.", old=name,
                    new=target.name, n=moved), "success")
    else:
        flash(str(ERRORS["same"]), "danger")
    return _back(kind)


@bp.route("/structure/<kind>/<int:row_id>/retire", methods=["POST"])
@roles("admin")
def structure_retire(kind: str, row_id: int):
    _check_kind(kind)
    row = _row(kind, row_id)
    KINDS[kind][5](row, not row.retired, actor=current_user)
    db.session.commit()
    flash(_("%(name)s retired: it is no longer offered for new people.", name=row.name)
          if row.retired else _("%(name)s is offered again.", name=row.name), "success")
    return _back(kind)
