"""Bulk import of people and skills (admins): upload -> check and preview -> confirm.

The upload is checked and previewed without writing anything; the file waits in
``IMPORT_DIR`` (:func:`skillmap.services.importing.park`) until the admin confirms,
then it is read and checked again and imported in one commit.
"""
from __future__ import annotations

import csv
import io
import json

import sqlalchemy as sa
from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from skillmap.extensions import db
from skillmap.i18n import lang
from skillmap.models import AuditEvent, User
from skillmap.services import importing, people_import, tabular
from skillmap.web.access import roles
from skillmap.web.admin import bp

#: room for the form around the file: a larger request is refused by the 413 page
_FORM_ROOM = 1024 * 1024


def _limits() -> dict:
    cfg = current_app.config
    mb = cfg["IMPORT_MAX_BYTES"] / 1024 / 1024
    return {"max_mb": f"{mb:g}".replace(".", ","),
            "max_rows": f"{cfg['IMPORT_MAX_ROWS']:,}".replace(",", ".")}


def _recent() -> list[tuple[AuditEvent, User | None, dict]]:
    rows = db.session.execute(
        sa.select(AuditEvent, User).outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.organisation_id == current_user.organisation_id,
               AuditEvent.action == "import.people")
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
    return render_template("admin/import_people.html", error=error, recent=_recent(),
                           create_units=request.form.get("create_units") == "1",
                           invite=request.form.get("invite") == "1", **_limits()), status


def _validate(data: bytes, filename: str, create_units: bool) -> people_import.PeoplePlan:
    table = people_import.read(data, filename)
    return people_import.validate(current_user.organisation_id, table,
                                  create_units=create_units, filename=filename)


@bp.route("/import/people", methods=["GET", "POST"])
@roles("admin")
def import_people():
    if request.method == "GET":
        return _upload_page()
    request.max_content_length = current_app.config["IMPORT_MAX_BYTES"] + _FORM_ROOM
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _upload_page(_("Choose a CSV or Excel file to import."), 400)
    data = upload.read(current_app.config["IMPORT_MAX_BYTES"] + 1)
    create_units = request.form.get("create_units") == "1"
    try:
        plan = _validate(data, upload.filename, create_units)
    except tabular.TabularError as exc:
        return _upload_page(exc.message(), 400)
    token = importing.park(data, upload.filename, current_user.id)
    return _preview(plan, token, create_units, request.form.get("invite") == "1")


def _preview(plan, token: str, create_units: bool, invite: bool, status: int = 200):
    invited = people_import.invitation_count(plan) if invite and not plan.report.fatal else None
    return render_template("admin/import_people_preview.html", plan=plan, report=plan.report,
                           token=token, create_units=create_units, invite=invite,
                           invited=invited), status


@bp.route("/import/people/confirm", methods=["POST"])
@roles("admin")
def import_people_confirm():
    token = request.form.get("token", "")
    parked = importing.unpark(token, current_user.id)
    if parked is None:
        flash(_("The file to import is no longer available: upload it again."), "danger")
        return redirect(url_for("admin.import_people"))
    data, filename = parked
    create_units = request.form.get("create_units") == "1"
    only_valid = request.form.get("only_valid") == "1"
    invite = request.form.get("invite") == "1"
    try:
        plan = _validate(data, filename, create_units)
    except tabular.TabularError as exc:
        importing.discard(token, current_user.id)
        flash(exc.message(), "danger")
        return redirect(url_for("admin.import_people"))
    report = plan.report
    if report.fatal or (report.problems and not only_valid):
        # the data changed since the preview: show the new check, write nothing
        db.session.rollback()
        return _preview(plan, token, create_units, invite, 409)
    try:
        counts = people_import.apply(plan, actor_id=current_user.id, only_valid=only_valid,
                                     invite=invite)
        db.session.commit()
    except Exception:
        db.session.rollback()
        current_app.logger.exception("import of %s failed", filename)
        flash(_("The import failed and nothing was written. Try again; if it fails again, "
                "check the file."), "danger")
        return redirect(url_for("admin.import_people"))
    importing.discard(token, current_user.id)
    flash(_("Import done: %(p)d people added, %(u)d updated; %(s)d skills added, %(c)d "
            "changed.", p=counts["people_created"], u=counts["people_updated"],
            s=counts["skills_created"], c=counts["skills_updated"]), "success")
    if counts["invitations_requested"]:
        flash(_("The invitations are being sent: the people page shows the progress."), "info")
    return redirect(url_for("admin.import_people"))


@bp.route("/import/people/cancel", methods=["POST"])
@roles("admin")
def import_people_cancel():
    importing.discard(request.form.get("token", ""), current_user.id)
    flash(_("Import cancelled: nothing was written."), "info")
    return redirect(url_for("admin.import_people"))


@bp.route("/import/people/template.<fmt>")
@roles("admin")
def import_people_template(fmt: str):
    locale = lang()
    rows = people_import.template_rows(current_user.organisation_id, locale)
    name = "persone-competenze" if locale != "en" else "people-skills"
    if fmt == "csv":
        buf = io.StringIO()
        csv.writer(buf, delimiter=";" if locale != "en" else ",",
                   lineterminator="\r\n").writerows(rows)
        return Response(("\ufeff" + buf.getvalue()).encode("utf-8"),
                        mimetype="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f"attachment; filename={name}.csv"})
    if fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Font

        wb = Workbook()
        ws = wb.active
        ws.title = people_import.SHEETS[1 if locale == "en" else 0]
        for row in rows:
            ws.append(row)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        for col in ws.columns:
            ws.column_dimensions[col[0].column_letter].width = max(
                12, max(len(str(c.value or "")) for c in col) + 2)
        buf = io.BytesIO()
        wb.save(buf)
        return Response(buf.getvalue(), mimetype="application/vnd.openxmlformats-"
                        "officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": f"attachment; filename={name}.xlsx"})
    abort(404)
