"""The taxonomy editor: areas and skills (admins change, managers read), retire, move,
merge with a preview. The proposals queue (``profiles.review_proposals``) links here."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from skillmap.extensions import db
from skillmap.models import Skill, SkillArea, SkillProposal
from skillmap.services import skill_merge
from skillmap.services import taxonomy_admin as tax
from skillmap.web import nav
from skillmap.web.access import require_same_org, roles
from skillmap.web.admin import bp
from skillmap.web.admin.taxonomy_forms import AreaForm, MergeConfirmForm, RetireForm, SkillForm
from skillmap.web.inputs import db_id

nav.add("admin.taxonomy", _l("Taxonomy"), order=82)

STATES = {"active": _l("Skills in use"), "retired": _l("Retired skills"), "all": _l("All skills")}
MERGE_ERRORS = {
    "same": _l("Choose another skill: a skill cannot be merged into itself."),
    "other_org": _l("Choose another skill."),
    "merged": _l("This skill was merged into another one already."),
    "target_retired": _l("The skill that stays is retired: offer it again first, or merge "
                         "the other way round."),
    "unsupported": _l("This merge cannot be made automatically: a table holds data that "
                      "SkillMap cannot combine yet."),
}


def _skill(skill_id: int) -> Skill:
    skill = db.session.get(Skill, skill_id)
    require_same_org(skill)
    return skill


def _area(area_id: int) -> SkillArea:
    area = db.session.get(SkillArea, area_id)
    require_same_org(area)
    return area


def _pending_proposals(org: int) -> int:
    return db.session.scalar(sa.select(sa.func.count(SkillProposal.id)).where(
        SkillProposal.organisation_id == org, SkillProposal.status == "pending")) or 0


@bp.route("/taxonomy")
@roles("admin", "manager")
def taxonomy():
    org = current_user.organisation_id
    state = request.args.get("state", "active")
    if state not in STATES:
        state = "active"
    query = (request.args.get("q") or "").strip()[:100]
    tree = tax.area_tree(org)
    area_id = db_id(request.args.get("area"))
    if area_id not in {a.id for a, _d in tree}:
        area_id = None
    rows = tax.skill_list(org, area_id=area_id, query=query, state=state)
    return render_template("admin/taxonomy.html", rows=rows, tree=tree, area_id=area_id,
                           query=query, state=state, states=STATES, usage=tax.usage(org),
                           proposals=_pending_proposals(org),
                           can_edit=current_user.role == "admin")


def _skill_data(form: SkillForm) -> tax.SkillData:
    return tax.SkillData(area_id=db_id(form.area_id.data), name_it=form.name_it.data or "",
                         name_en=form.name_en.data or "",
                         description_it=form.description_it.data or "",
                         description_en=form.description_en.data or "",
                         aliases=tuple(tax.split_aliases(form.aliases.data or "")),
                         esco_uri=form.esco_uri.data or None)


def _show_error(form, exc: tax.TaxonomyEditError) -> None:
    target = getattr(form, exc.field, None) or form.name_it
    target.errors = [str(exc.message)]


@bp.route("/taxonomy/skills/new", methods=["GET", "POST"])
@roles("admin")
def taxonomy_skill_new():
    org = current_user.organisation_id
    form = SkillForm()
    form.fill_choices(tax.area_tree(org))
    if request.method == "GET" and db_id(request.args.get("area")):
        form.area_id.data = str(db_id(request.args.get("area")))
    if form.validate_on_submit():
        try:
            skill = tax.create_skill(org, _skill_data(form), actor=current_user)
        except tax.TaxonomyEditError as exc:
            db.session.rollback()
            _show_error(form, exc)
        else:
            db.session.commit()
            flash(_("Skill added: %(name)s (%(code)s).", name=skill.name_it, code=skill.code),
                  "success")
            return redirect(url_for("admin.taxonomy_skill", skill_id=skill.id))
    status = 400 if form.errors else 200
    return render_template("admin/taxonomy_skill.html", form=form, skill=None,
                           can_edit=True), status


@bp.route("/taxonomy/skills/<int:skill_id>", methods=["GET", "POST"])
@roles("admin", "manager")
def taxonomy_skill(skill_id: int):
    skill = _skill(skill_id)
    can_edit = current_user.role == "admin" and skill.merged_into_id is None
    if request.method == "POST" and current_user.role != "admin":
        abort(403)
    form = SkillForm(obj=skill if request.method == "GET" else None)
    form.fill_choices(tax.area_tree(skill.organisation_id))
    if request.method == "GET":
        form.area_id.data = str(skill.area_id or "")
        form.aliases.data = "\n".join(tax.split_aliases(skill.aliases))
        form.esco_uri.data = skill.esco_uri or ""
    elif not can_edit:
        abort(409)
    if form.validate_on_submit():
        try:
            changed = tax.update_skill(skill, _skill_data(form), actor=current_user)
        except tax.TaxonomyEditError as exc:
            db.session.rollback()
            _show_error(form, exc)
        else:
            db.session.commit()
            flash(_("Saved.") if changed else _("Nothing to save: no field changed."),
                  "success")
            return redirect(url_for("admin.taxonomy_skill", skill_id=skill.id))
    usage = tax.usage(skill.organisation_id).get(skill.id, (0, 0))
    merge_choices = []
    if can_edit:
        merge_choices = [s for s in tax.skill_list(skill.organisation_id, state="active")
                         if s.id != skill.id]
    status = 400 if form.errors else 200
    return render_template("admin/taxonomy_skill.html", form=form, skill=skill,
                           can_edit=can_edit, usage=usage, retire_form=RetireForm(),
                           merge_choices=merge_choices), status


@bp.route("/taxonomy/skills/<int:skill_id>/retire", methods=["POST"])
@roles("admin")
def taxonomy_skill_retire(skill_id: int):
    skill = _skill(skill_id)
    if not RetireForm().validate_on_submit():
        abort(400)
    try:
        tax.set_skill_retired(skill, skill.active, actor=current_user)
    except tax.TaxonomyEditError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
    else:
        db.session.commit()
        flash(_("%(name)s is retired: it is no longer offered in searches and suggestions; "
                "the profiles that hold it keep it.", name=skill.name_it) if not skill.active
              else _("%(name)s is offered again.", name=skill.name_it), "success")
    return redirect(url_for("admin.taxonomy_skill", skill_id=skill.id))


@bp.route("/taxonomy/skills/<int:skill_id>/merge", methods=["GET"])
@roles("admin")
def taxonomy_merge(skill_id: int):
    """The preview: what merging this skill into the chosen one changes (reads only)."""
    source = _skill(skill_id)
    target_id = db_id(request.args.get("into"))
    if target_id is None:
        flash(str(_l("Choose the skill that stays.")), "danger")
        return redirect(url_for("admin.taxonomy_skill", skill_id=source.id))
    target = _skill(target_id)
    try:
        plan = skill_merge.preview(source, target)
    except skill_merge.MergeError as exc:
        flash(str(MERGE_ERRORS[exc.reason]), "danger")
        return redirect(url_for("admin.taxonomy_skill", skill_id=source.id))
    form = MergeConfirmForm(into=str(target.id))
    return render_template("admin/taxonomy_merge.html", source=source, target=target,
                           plan=plan, form=form)


@bp.route("/taxonomy/skills/<int:skill_id>/merge", methods=["POST"])
@roles("admin")
def taxonomy_merge_confirm(skill_id: int):
    source = _skill(skill_id)
    form = MergeConfirmForm()
    target_id = db_id(form.into.data)
    if not form.validate_on_submit() or target_id is None:
        abort(400)
    target = _skill(target_id)
    name = source.name_it
    try:
        plan = skill_merge.merge(source, target, actor=current_user)
    except skill_merge.MergeError as exc:
        db.session.rollback()
        flash(str(MERGE_ERRORS[exc.reason]), "danger")
        return redirect(url_for("admin.taxonomy_skill", skill_id=source.id))
    db.session.commit()
    flash(_("%(old)s merged into %(new)s: %(n)d profiles moved, %(both)d of them held both "
            "skills. The skill families are being recomputed.", old=name, new=target.name_it,
            n=plan.table("person_skill").moved + plan.table("person_skill").combined,
            both=plan.people_with_both), "success")
    return redirect(url_for("admin.taxonomy_skill", skill_id=target.id))


# -- areas -------------------------------------------------------------------------------

def _area_data(form: AreaForm) -> tax.AreaData:
    return tax.AreaData(name_it=form.name_it.data or "", name_en=form.name_en.data or "",
                        description_it=form.description_it.data or "",
                        description_en=form.description_en.data or "",
                        parent_id=db_id(form.parent_id.data))


@bp.route("/taxonomy/areas/new", methods=["GET", "POST"])
@roles("admin")
def taxonomy_area_new():
    org = current_user.organisation_id
    form = AreaForm()
    form.fill_choices(tax.area_tree(org))
    if form.validate_on_submit():
        try:
            area = tax.create_area(org, _area_data(form), actor=current_user)
        except tax.TaxonomyEditError as exc:
            db.session.rollback()
            _show_error(form, exc)
        else:
            db.session.commit()
            flash(_("Area added: %(name)s.", name=area.name_it), "success")
            return redirect(url_for("admin.taxonomy", area=area.id, state="all"))
    status = 400 if form.errors else 200
    return render_template("admin/taxonomy_area.html", form=form, area=None,
                           can_edit=True), status


@bp.route("/taxonomy/areas/<int:area_id>", methods=["GET", "POST"])
@roles("admin", "manager")
def taxonomy_area(area_id: int):
    area = _area(area_id)
    can_edit = current_user.role == "admin"
    if request.method == "POST" and not can_edit:
        abort(403)
    form = AreaForm(obj=area if request.method == "GET" else None)
    form.fill_choices(tax.area_tree(area.organisation_id), but=area.id)
    if request.method == "GET":
        form.parent_id.data = str(area.parent_id or "")
    if form.validate_on_submit():
        try:
            changed = tax.update_area(area, _area_data(form), actor=current_user)
        except tax.TaxonomyEditError as exc:
            db.session.rollback()
            _show_error(form, exc)
        else:
            db.session.commit()
            flash(_("Saved.") if changed else _("Nothing to save: no field changed."),
                  "success")
            return redirect(url_for("admin.taxonomy_area", area_id=area.id))
    status = 400 if form.errors else 200
    count = db.session.scalar(sa.select(sa.func.count(Skill.id)).where(
        Skill.area_id == area.id, Skill.active.is_(True)))
    return render_template("admin/taxonomy_area.html", form=form, area=area, count=count,
                           can_edit=can_edit), status
