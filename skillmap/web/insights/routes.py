"""Skill families and the recompute button with its progress page."""
from flask import abort, current_app, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from skillmap.services import analytics
from skillmap.web import nav
from skillmap.web.access import roles
from skillmap.web.insights import bp, drawing
from skillmap.web.insights.forms import RecomputeForm

nav.add("insights.families", _l("Skill families"), order=60)

#: what each recompute step is doing, in words
STEP_LABELS = {
    "queued": _l("Waiting to start"),
    "load": _l("Reading the profiles"),
    "model": _l("Preparing the model for suggestions"),
    "families": _l("Finding the skill families"),
    "layout": _l("Drawing the skill network"),
    "save": _l("Saving the results"),
    "done": _l("Done"),
}


def _families_context(org_id: int) -> dict:
    result = analytics.cached(org_id, analytics.FAMILIES)
    if result is None:
        return {"result": None}
    payload = result.payload
    skills = analytics.skills_by_id(s for f in payload["families"] for s in f["members"])
    families = []
    for fam in payload["families"]:
        members = [skills[s] for s in fam["members"] if s in skills]
        families.append({"id": fam["id"], "size": len(members), "members": members,
                         "central": [skills[s] for s in fam["central"] if s in skills],
                         "marker": drawing.marker(fam["id"])})
    bridges = [{"skill": skills[b["skill"]], "family": b["family"], "connects": b["connects"]}
               for b in payload["bridges"] if b["skill"] in skills]
    figure = drawing.figure(payload)
    for node in figure["nodes"]:
        node["name"] = skills.get(node["skill"])
    return {"result": result, "families": families, "bridges": bridges, "figure": figure,
            "people": payload.get("people", 0)}


@bp.route("/families")
@roles("coordinator", "manager", "admin")
def families():
    ctx = _families_context(current_user.organisation_id)
    return render_template("insights/families.html", form=RecomputeForm(),
                           progress=analytics.progress_of(current_user.organisation_id),
                           can_recompute=current_user.role in ("manager", "admin"), **ctx)


@bp.route("/recompute", methods=["POST"])
@roles("manager", "admin")
def recompute():
    form = RecomputeForm()
    if not form.validate_on_submit():
        abort(400)
    app = current_app._get_current_object()
    started = analytics.start_recompute(
        app, current_user.organisation_id,
        background=app.config.get("RECOMPUTE_IN_BACKGROUND", True))
    if not started:
        flash(_("A recomputation is already running."), "info")
    return redirect(url_for("insights.recompute_status"))


def _status() -> dict:
    data = analytics.progress_of(current_user.organisation_id) or {"state": "none", "step": 0,
                                                                    "label": "queued"}
    data["steps"] = len(analytics.STEPS)
    label = STEP_LABELS.get(data.get("label"), data.get("label", ""))
    if data["state"] == "running":
        data["message"] = _("Step %(n)d of %(total)d: %(what)s…", n=data.get("step", 0),
                            total=data["steps"], what=label)
    elif data["state"] == "done":
        data["message"] = _("Recomputation finished.")
    elif data["state"] == "failed":
        data["message"] = _("Recomputation failed. Try again; if it fails again, ask the "
                            "administrator to run “flask recompute” and read its output.")
    else:
        data["message"] = _("No recomputation has run yet.")
    return data


@bp.route("/recompute")
@roles("manager", "admin")
def recompute_status():
    return render_template("insights/recompute.html", status=_status(), form=RecomputeForm())


@bp.route("/recompute/status.json")
@roles("manager", "admin")
def recompute_status_json():
    status = _status()
    return jsonify({k: status.get(k) for k in ("state", "step", "steps", "message")})

