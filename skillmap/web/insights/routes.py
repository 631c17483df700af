"""Skill families and the recompute button with its progress page."""
from flask import abort, flash, jsonify, redirect, render_template, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from skillmap.engine.families import MIN_HOLDERS
from skillmap.extensions import db
from skillmap.i18n import lang
from skillmap.services import advice, jobs, recompute as recompute_service
from skillmap.web import nav
from skillmap.web.access import roles
from skillmap.web.insights import bp, drawing
from skillmap.web.insights.forms import RecomputeForm

nav.add("insights.families", _l("Skill families"), order=60)

#: what each recompute step is doing, in words
STEP_LABELS = {
    "queued": _l("Waiting to start"),
    "load": _l("Reading the profiles"),
    "families": _l("Finding the skill families"),
    "layout": _l("Drawing the skill network"),
    "save": _l("Saving the results"),
    "done": _l("Done"),
}


def _families_context(org_id: int) -> dict:
    result = recompute_service.family_result(org_id)
    if result is None:
        return {"result": None}
    payload = result.payload
    rare_ids = payload.get("not_enough_data", [])
    skills = advice.skills_by_id([s for f in payload["families"] for s in f["members"]]
                                 + rare_ids)
    families, placements = [], []
    for fam in payload["families"]:
        members = [skills[s] for s in fam["members"] if s in skills]
        families.append({"id": fam["id"], "size": len(members), "members": members,
                         "central": [skills[s] for s in fam["central"] if s in skills],
                         "marker": drawing.marker(fam["id"])})
        for s, conf in zip(fam["members"], fam.get("confidence") or [None] * len(members)):
            if s in skills and fam["id"] >= 0:
                placements.append({"skill": skills[s], "family": fam["id"],
                                   "marker": families[-1]["marker"], "confidence": conf,
                                   "sureness": sureness(conf)})
    bridges = [{"skill": skills[b["skill"]], "family": b["family"], "connects": b["connects"]}
               for b in payload["bridges"] if b["skill"] in skills]
    figure = drawing.figure(payload)
    for node in figure["nodes"]:
        node["name"] = skills.get(node["skill"])
    rare = sorted((skills[s] for s in rare_ids if s in skills),
                  key=lambda sk: sk.name(lang()).lower())
    return {"result": result, "families": families, "bridges": bridges, "figure": figure,
            "people": payload.get("people", 0), "placements": placements,
            "not_enough_data": rare, "min_holders": MIN_HOLDERS}


#: confidence thresholds of the words on the families page
SURE, FAIRLY_SURE = 0.75, 0.5


def sureness(confidence: float | None) -> str:
    """A placement's confidence in words (never colour alone): sure, fairly sure, unsure."""
    if confidence is None:
        return str(_("not measured"))
    if confidence >= SURE:
        return str(_("sure"))
    if confidence >= FAIRLY_SURE:
        return str(_("fairly sure"))
    return str(_("unsure"))


@bp.route("/families")
@roles("coordinator", "manager", "admin")
def families():
    ctx = _families_context(current_user.organisation_id)
    return render_template("insights/families.html", form=RecomputeForm(), status=_status(),
                           can_recompute=current_user.role in ("manager", "admin"), **ctx)


@bp.route("/recompute", methods=["POST"])
@roles("manager", "admin")
def recompute():
    form = RecomputeForm()
    if not form.validate_on_submit():
        abort(400)
    _job, queued = recompute_service.request(current_user.organisation_id,
                                             user_id=current_user.id)
    db.session.commit()
    if not queued:
        flash(_("A recomputation is already waiting to start: it will include every change."),
              "info")
    return redirect(url_for("insights.recompute_status"))


def _status() -> dict:
    """The last recompute job as the pages describe it (reads only)."""
    job = jobs.latest(current_user.organisation_id, recompute_service.KIND)
    steps = len(recompute_service.STEPS)
    if job is None:
        return {"state": "none", "step": 0, "steps": steps, "live": False,
                "message": _("No recomputation has run yet.")}
    state = jobs.effective_state(job)
    data = {"state": state, "step": job.step, "steps": steps, "job": job,
            "live": state in ("queued", "running")}
    label = STEP_LABELS.get(job.label, job.label)
    if state == "queued":
        data["message"] = _("Waiting to start: the computation begins in a few moments.")
    elif state == "running":
        data["message"] = _("Step %(n)d of %(total)d: %(what)s…", n=job.step or 1,
                            total=steps, what=label)
    elif state == "done":
        data["message"] = _("Recomputation finished.")
    elif job.state == "running":  # its consumer stopped beating
        data["message"] = _("The recomputation stopped unexpectedly (the background worker "
                            "was interrupted). You can start it again.")
    else:
        data["message"] = _("Recomputation failed. Try again; if it fails again, ask the "
                            "administrator to run “flask recompute” and read its output.")
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
