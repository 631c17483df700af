"""Import of skills from ESCO's CSV download (admins): upload -> check and preview ->
confirm, on the shared import machinery (the people import is the model)."""
from __future__ import annotations

import json

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from skillmap.extensions import db
from skillmap.models import AuditEvent, SkillArea, User
from skillmap.services import esco_import, importing, tabular
from skillmap.services import taxonomy_admin as tax
from skillmap.web.access import roles
from skillmap.web.admin import bp
from skillmap.web.admin.import_routes import _FORM_ROOM, _limits
from skillmap.web.inputs import db_id


def _types() -> tuple[str, ...]:
    """The ESCO skill types chosen (none ticked, or a first visit: all)."""
    chosen = tuple(t for t in esco_import.TYPES if t in request.form.getlist("types"))
    return chosen or esco_import.TYPES


def _options() -> tuple[str, int | None]:
    """The language of the file and the area chosen for new skills (None: ESCO's)."""
    language = request.form.get("language", "it")
    if language not in esco_import.LANGUAGES:
        language = "it"
    area_id = db_id(request.form.get("area_id"))
    if area_id is not None:
        area = db.session.get(SkillArea, area_id)
        if area is None or area.organisation_id != current_user.organisation_id:
            area_id = None
    return language, area_id


def _recent() -> list[tuple[AuditEvent, User | None, dict]]:
    rows = db.session.execute(
        sa.select(AuditEvent, User).outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.organisation_id == current_user.organisation_id,
               AuditEvent.action == "import.esco")
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()).limit(10)).all()
    out = []
    for event, user in rows:
        try:
            detail = json.loads(event.detail or "{}")
        except ValueError:
            detail = {}
        out.append((event, user, detail))
    return out


def _upload_page(error: str | None = None, status: int = 200):
    language, area_id = _options()
    return render_template("admin/taxonomy_import.html", error=error, recent=_recent(),
                           tree=tax.area_tree(current_user.organisation_id),
                           language=language, area_id=area_id, types=_types(),
                           all_types=esco_import.TYPES, **_limits()), status


def _validate(data: bytes, filename: str, language: str, area_id: int | None):
    table = esco_import.read(data, filename)
    return esco_import.validate(current_user.organisation_id, table, language=language,
                                area_id=area_id, filename=filename, types=_types())


def _preview(plan, token: str, status: int = 200):
    return render_template("admin/taxonomy_import_preview.html", plan=plan,
                           report=plan.report, token=token), status


@bp.route("/taxonomy/import", methods=["GET", "POST"])
@roles("admin")
def taxonomy_import():
    if request.method == "GET":
        return _upload_page()
    request.max_content_length = current_app.config["IMPORT_MAX_BYTES"] + _FORM_ROOM
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _upload_page(_("Choose the ESCO file (CSV) to import."), 400)
    data = upload.read(current_app.config["IMPORT_MAX_BYTES"] + 1)
    language, area_id = _options()
    try:
        plan = _validate(data, upload.filename, language, area_id)
    except tabular.TabularError as exc:
        return _upload_page(exc.message(), 400)
    token = importing.park(data, upload.filename, current_user.id)
    return _preview(plan, token)


@bp.route("/taxonomy/import/confirm", methods=["POST"])
@roles("admin")
def taxonomy_import_confirm():
    token = request.form.get("token", "")
    parked = importing.unpark(token, current_user.id)
    if parked is None:
        flash(_("The file to import is no longer available: upload it again."), "danger")
        return redirect(url_for("admin.taxonomy_import"))
    data, filename = parked
    language, area_id = _options()
    only_valid = request.form.get("only_valid") == "1"
    try:
        plan = _validate(data, filename, language, area_id)
    except tabular.TabularError as exc:
        importing.discard(token, current_user.id)
        flash(exc.message(), "danger")
        return redirect(url_for("admin.taxonomy_import"))
    report = plan.report
    if report.fatal or (report.problems and not only_valid):
        db.session.rollback()  # the taxonomy changed since the preview: show the new check
        return _preview(plan, token, 409)
    try:
        counts = esco_import.apply(plan, actor_id=current_user.id, only_valid=only_valid)
        db.session.commit()
    except Exception:
        db.session.rollback()
        current_app.logger.exception("ESCO import of %s failed", filename)
        flash(_("The import failed and nothing was written. Try again; if it fails again, "
                "check the file."), "danger")
        return redirect(url_for("admin.taxonomy_import"))
    importing.discard(token, current_user.id)
    message = _("ESCO import done: %(a)d skills added, %(u)d updated, %(l)d left as they were.",
                a=counts["added"], u=counts["updated"], l=counts["left"])
    if counts["left_out_type"]:
        message += " " + _("%(n)d rows left out (type).", n=counts["left_out_type"])
    flash(message, "success")
    return redirect(url_for("admin.taxonomy_import"))


@bp.route("/taxonomy/import/cancel", methods=["POST"])
@roles("admin")
def taxonomy_import_cancel():
    importing.discard(request.form.get("token", ""), current_user.id)
    flash(_("Import cancelled: nothing was written."), "info")
    return redirect(url_for("admin.taxonomy_import"))
