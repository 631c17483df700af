"""The full export page: a button, the progress of the job, the download links (admins)."""
from __future__ import annotations

import json

from flask import abort, flash, jsonify, redirect, render_template, send_file, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from skillmap.web.forms import FlaskForm
from wtforms import SubmitField

from skillmap.extensions import db
from skillmap.services import audit, full_export, jobs
from skillmap.services.export_tables import TABLES
from skillmap.web import nav
from skillmap.web.access import roles
from skillmap.web.admin import bp

nav.add("admin.export", _l("Export"), order=87)


class ExportForm(FlaskForm):
    submit = SubmitField(_l("Prepare a full export"))


def _step_label(key: str) -> str:
    if key.startswith("table:"):
        return _("exporting the table %(name)s", name=key[len("table:"):])
    return {"write": _("writing the files"), "queued": _("waiting to start"),
            "done": _("done")}.get(key, key)


def _status() -> dict:
    """The newest export of the organisation as the page describes it (reads only)."""
    job = jobs.latest(current_user.organisation_id, full_export.KIND)
    steps = len(full_export.STEPS)
    if job is None:
        return {"state": "none", "step": 0, "steps": steps, "live": False, "job": None,
                "message": _("No export has been prepared yet.")}
    state = jobs.effective_state(job)
    data = {"state": state, "step": job.step, "steps": steps, "job": job,
            "live": state in ("queued", "running")}
    if state == "queued":
        data["message"] = _("Waiting to start: the export begins in a few moments.")
    elif state == "running":
        data["message"] = _("Step %(n)d of %(total)d: %(what)s…", n=job.step or 1,
                            total=steps, what=_step_label(job.label))
    elif state == "done":
        files = full_export.files_of(job)
        if files is None:
            data["message"] = _("The last export has been removed: prepare a new one.")
        else:
            data["message"] = _("The export is ready.")
            data["files"] = files
            data["expires_at"] = full_export.expires_at(job)
            data["rows"] = json.loads(job.result or "{}").get("rows", {})
    else:
        data["message"] = _("The export failed. Try again; if it fails again, ask the "
                            "administrator to read the queue consumer's log.")
    return data


@bp.route("/export")
@roles("admin")
def export():
    return render_template("admin/export.html", status=_status(), form=ExportForm(),
                           tables=TABLES, keep_hours=full_export.keep().total_seconds() / 3600)


@bp.route("/export", methods=["POST"])
@roles("admin")
def export_start():
    form = ExportForm()
    if not form.validate_on_submit():
        abort(400)
    _job, queued = full_export.request(current_user.organisation_id, current_user.id)
    db.session.commit()
    if not queued:
        flash(_("An export is already waiting to start."), "info")
    return redirect(url_for("admin.export"))


@bp.route("/export/status.json")
@roles("admin")
def export_status_json():
    status = _status()
    return jsonify({k: status.get(k) for k in ("state", "step", "steps", "message")})


@bp.route("/export/<int:job_id>.<fmt>")
@roles("admin")
def export_download(job_id: int, fmt: str):
    """Only an admin of the export's organisation, only while the file is kept."""
    try:
        path = full_export.path_for(current_user.organisation_id, job_id, fmt)
    except full_export.ExportMissing:
        abort(404)
    audit.record_now(current_user.organisation_id, current_user.id, "export.downloaded",
                     detail=f"job {job_id} {fmt}")
    return send_file(path, mimetype=full_export.FORMATS[fmt][1], as_attachment=True,
                     download_name=path.name, max_age=0)
