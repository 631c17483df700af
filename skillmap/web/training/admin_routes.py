"""Training set-up: who needs which course (HR) and the course catalogue (admins)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from skillmap.extensions import db
from skillmap.i18n import lang
from skillmap.models import (
    SAFETY_ROLES,
    WORK_RELATIONSHIPS,
    Skill,
    TrainingCourse,
    TrainingRule,
    UnitCoverage,
)
from skillmap.services import org_structure, training, training_catalogue
from skillmap.web import nav
from skillmap.web.access import require_same_org, roles
from skillmap.web.training import bp
from skillmap.web.training.forms import CourseForm, CoverageForm, RuleForm

nav.add("training.catalogue", _l("Training courses"), order=78)

HR = ("manager", "admin")


def _role_choices(blank):
    idx = 1 if lang() == "en" else 0
    return [("", blank)] + [(k, v[idx]) for k, v in SAFETY_ROLES.items()]


def _courses(org_id):
    return db.session.scalars(sa.select(TrainingCourse).where(
        TrainingCourse.organisation_id == org_id).order_by(TrainingCourse.code)).all()


def _unit_choices(org_id, blank):
    return [(0, blank)] + [(u.id, u.name) for u in org_structure.units(
        org_id, include_retired=False)]


@bp.route("/rules", methods=["GET", "POST"])
@roles(*HR)
def rules():
    org = current_user.organisation_id
    courses = _courses(org)
    rule_form = RuleForm(prefix="rule")
    rule_form.course_id.choices = [(0, _("Choose a course"))] + [
        (c.id, f"{c.code} – {c.name(lang())}") for c in courses]
    rule_form.job_title.choices = [("", _("Any job title"))] + [
        (t.name, t.name) for t in org_structure.job_titles(org, include_retired=False)]
    idx = 1 if lang() == "en" else 0
    rule_form.work_relationship.choices = [("", _("Any working relationship"))] + [
        (k, v[idx]) for k, v in WORK_RELATIONSHIPS.items()]
    rule_form.unit_id.choices = _unit_choices(org, _("Any unit"))
    rule_form.safety_role.choices = _role_choices(_("Any person (no safety role needed)"))
    cover_form = CoverageForm(prefix="cover")
    cover_form.unit_id.choices = _unit_choices(org, _("Choose a unit"))
    cover_form.role.choices = _role_choices(_("Choose a safety role"))[1:]
    what = request.form.get("what")
    if what == "rule" and rule_form.validate_on_submit():
        try:
            training.add_rule(org, rule_form.course_id.data, job_title=rule_form.job_title.data,
                              work_relationship=rule_form.work_relationship.data,
                              unit_id=rule_form.unit_id.data,
                              safety_role=rule_form.safety_role.data)
        except training.TrainingError as exc:
            rule_form.course_id.errors = [str(exc.message)]
        else:
            db.session.commit()
            flash(_("Rule added."), "success")
            return redirect(url_for("training.rules"))
    elif what == "cover" and cover_form.validate_on_submit():
        if cover_form.unit_id.data not in dict(cover_form.unit_id.choices) or \
                not cover_form.unit_id.data:
            cover_form.unit_id.errors = [_("Choose a unit.")]
        else:
            training.add_coverage(org, cover_form.unit_id.data, cover_form.role.data,
                                  cover_form.minimum.data)
            db.session.commit()
            flash(_("Minimum saved."), "success")
            return redirect(url_for("training.rules"))
    rule_rows = db.session.scalars(sa.select(TrainingRule).where(
        TrainingRule.organisation_id == org).order_by(TrainingRule.id)).all()
    minimums = db.session.scalars(sa.select(UnitCoverage).where(
        UnitCoverage.organisation_id == org).order_by(UnitCoverage.id)).all()
    bad = rule_form.errors or cover_form.errors
    return render_template("training/rules.html", rule_form=rule_form, cover_form=cover_form,
                           rule_rows=rule_rows, minimums=minimums, roles=SAFETY_ROLES,
                           relationships=WORK_RELATIONSHIPS), 400 if bad else 200


@bp.route("/rules/<int:rule_id>/delete", methods=["POST"])
@roles(*HR)
def delete_rule(rule_id: int):
    rule = db.session.get(TrainingRule, rule_id)
    require_same_org(rule)
    db.session.delete(rule)
    db.session.commit()
    flash(_("Rule removed."), "success")
    return redirect(url_for("training.rules"))


@bp.route("/minimums/<int:row_id>/delete", methods=["POST"])
@roles(*HR)
def delete_minimum(row_id: int):
    row = db.session.get(UnitCoverage, row_id)
    require_same_org(row)
    db.session.delete(row)
    db.session.commit()
    flash(_("Minimum removed."), "success")
    return redirect(url_for("training.rules"))


@bp.route("/courses")
@roles("admin")
def catalogue():
    return render_template("training/catalogue.html",
                           courses=_courses(current_user.organisation_id))


@bp.route("/courses/<int:course_id>", methods=["GET", "POST"])
@roles("admin")
def edit_course(course_id: int):
    course = db.session.get(TrainingCourse, course_id)
    require_same_org(course)
    form = CourseForm(obj=course)
    form.safety_role.choices = _role_choices(_("None"))
    skills = db.session.scalars(sa.select(Skill).where(
        Skill.organisation_id == course.organisation_id, Skill.active)
        .order_by(Skill.name_it)).all()
    form.skill_id.choices = [(0, _("None"))] + [(s.id, s.name(lang())) for s in skills]
    if request.method == "GET":
        form.safety_role.data = course.safety_role or ""
        form.skill_id.data = course.skill_id or 0
    if form.validate_on_submit():
        training_catalogue.update_course(course, training_catalogue.CourseData(
            name_it=form.name_it.data.strip(), name_en=form.name_en.data.strip(),
            legal_basis=form.legal_basis.data or "", hours_first=form.hours_first.data,
            hours_renewal=form.hours_renewal.data, validity_months=form.validity_months.data,
            safety_role=form.safety_role.data or None, skill_id=form.skill_id.data or None,
            source=form.source.data or "", aliases=form.aliases.data or "",
            active=form.active.data))
        db.session.commit()
        flash(_("Course saved. Records already entered keep their expiry date."), "success")
        return redirect(url_for("training.catalogue"))
    return render_template("training/course_edit.html", form=form, course=course), \
        400 if form.errors else 200


@bp.route("/reminders")
@roles("admin")
def reminders():
    """What the reminders sent: one line per deadline, step and audience."""
    from skillmap.models import Person, TrainingReminder

    rows = db.session.execute(
        sa.select(TrainingReminder, Person, TrainingCourse)
        .outerjoin(Person, Person.id == TrainingReminder.person_id)
        .outerjoin(TrainingCourse, TrainingCourse.id == TrainingReminder.course_id)
        .where(TrainingReminder.organisation_id == current_user.organisation_id)
        .order_by(TrainingReminder.sent_at.desc(), TrainingReminder.id.desc()).limit(300)).all()
    return render_template("training/reminders.html", rows=rows)
