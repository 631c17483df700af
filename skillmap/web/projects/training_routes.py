"""A project's mandatory training requirements (coordinators)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from skillmap.extensions import db
from skillmap.models import TrainingCourse
from skillmap.services import project_training
from skillmap.services.training import TrainingError
from skillmap.web.access import roles
from skillmap.web.inputs import db_id
from skillmap.web.projects import bp
from skillmap.web.projects.forms import ActionForm
from skillmap.web.projects.routes import managed_or_404


def training_context(project) -> dict:
    courses = db.session.scalars(sa.select(TrainingCourse).where(
        TrainingCourse.organisation_id == project.organisation_id, TrainingCourse.active)
        .order_by(TrainingCourse.code)).all()
    return {"training_needs": project_training.needs(project), "training_courses": courses}


@bp.route("/<int:project_id>/training", methods=["POST"])
@roles("coordinator")
def add_training(project_id: int):
    project = managed_or_404(project_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    n = None
    if request.form.get("who") == "some":
        n = db_id(request.form.get("min_members"))
        if n is None:
            n = 0  # refused below with a message
    try:
        project_training.add_need(project, db_id(request.form.get("course_id")), n)
    except TrainingError as exc:
        db.session.rollback()
        flash(str(exc.message), "danger")
    else:
        db.session.commit()
        flash(_("The project now asks for this course."), "success")
    return redirect(url_for("projects.edit", project_id=project.id) + "#training-needs")


@bp.route("/<int:project_id>/training/<int:need_id>/delete", methods=["POST"])
@roles("coordinator")
def remove_training(project_id: int, need_id: int):
    project = managed_or_404(project_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        project_training.remove_need(project, need_id)
    except TrainingError:
        abort(404)
    db.session.commit()
    flash(_("The course is no longer asked for."), "success")
    return redirect(url_for("projects.edit", project_id=project.id) + "#training-needs")
