"""Import of past training records (HR and admins): upload -> check and preview -> confirm,
through the same machinery and page macros as the people import."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from skillmap.extensions import db
from skillmap.services import importing, tabular, training_import
from skillmap.web.access import roles
from skillmap.web.training import bp

HR = ("manager", "admin")
_FORM_ROOM = 1024 * 1024


def _upload_page(error: str | None = None, status: int = 200):
    cfg = current_app.config
    return render_template("training/import.html", error=error,
                           max_mb=f"{cfg['IMPORT_MAX_BYTES'] / 1024 / 1024:g}".replace(".", ","),
                           max_rows=f"{cfg['IMPORT_MAX_ROWS']:,}".replace(",", ".")), status


def _validate(data: bytes, filename: str):
    return training_import.validate(current_user.organisation_id,
                                    training_import.read(data, filename), filename=filename)


@bp.route("/import", methods=["GET", "POST"])
@roles(*HR)
def import_records():
    if request.method == "GET":
        return _upload_page()
    request.max_content_length = current_app.config["IMPORT_MAX_BYTES"] + _FORM_ROOM
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _upload_page(_("Choose a CSV or Excel file to import."), 400)
    data = upload.read(current_app.config["IMPORT_MAX_BYTES"] + 1)
    try:
        plan = _validate(data, upload.filename)
    except tabular.TabularError as exc:
        return _upload_page(exc.message(), 400)
    token = importing.park(data, upload.filename, current_user.id)
    return _preview(plan, token)


def _preview(plan, token: str, status: int = 200):
    return render_template("training/import_preview.html", plan=plan, report=plan.report,
                           token=token), status


@bp.route("/import/confirm", methods=["POST"])
@roles(*HR)
def import_records_confirm():
    token = request.form.get("token", "")
    parked = importing.unpark(token, current_user.id)
    if parked is None:
        flash(_("The file to import is no longer available: upload it again."), "danger")
        return redirect(url_for("training.import_records"))
    data, filename = parked
    only_valid = request.form.get("only_valid") == "1"
    try:
        plan = _validate(data, filename)
    except tabular.TabularError as exc:
        importing.discard(token, current_user.id)
        flash(exc.message(), "danger")
        return redirect(url_for("training.import_records"))
    if plan.report.fatal or (plan.report.problems and not only_valid):
        db.session.rollback()
        return _preview(plan, token, 409)
    counts = training_import.apply(plan, actor_id=current_user.id, only_valid=only_valid)
    db.session.commit()
    importing.discard(token, current_user.id)
    flash(_("Import done: %(c)d training records added, %(u)d updated.", c=counts["created"],
            u=counts["updated"]), "success")
    return redirect(url_for("training.deadlines"))


@bp.route("/import/cancel", methods=["POST"])
@roles(*HR)
def import_records_cancel():
    importing.discard(request.form.get("token", ""), current_user.id)
    flash(_("Import cancelled: nothing was written."), "info")
    return redirect(url_for("training.import_records"))
