"""Administrators' queues: proposed skills and erasure requests."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import format_datetime, gettext as _, lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from skillmap.extensions import db
from skillmap.models import ErasureRequest, Person, Skill, SkillArea, SkillProposal
from skillmap.services import erasures, privacy, proposals
from skillmap.web import nav
from skillmap.web.access import require_same_org, roles
from skillmap.web.profiles import bp
from skillmap.web.profiles.forms import (AcceptProposalForm, CancelErasureForm,
                                         ConfirmErasureForm, MapProposalForm,
                                         RejectProposalForm)

# the queue of proposed skills is reached from the taxonomy editor and the admin home
nav.add("profiles.review_erasures", _l("Erasure requests"), order=84)


def _forms(p: SkillProposal, areas, skills) -> dict:
    accept = AcceptProposalForm(prefix=f"a{p.id}", area=p.area_id, name_it=p.name,
                                name_en=p.name)
    accept.area.choices = [SelectChoice(a.id, a.name_it) for a in areas]
    mapping = MapProposalForm(prefix=f"m{p.id}")
    mapping.skill.choices = [SelectChoice(s.id, f"{s.name_it} ({s.code})") for s in skills]
    return {"accept": accept, "map": mapping, "reject": RejectProposalForm(prefix=f"r{p.id}")}


def _taxonomy():
    org = current_user.organisation_id
    areas = db.session.scalars(sa.select(SkillArea).where(SkillArea.organisation_id == org)
                               .order_by(SkillArea.position, SkillArea.name_it)).all()
    skills = db.session.scalars(sa.select(Skill).where(Skill.organisation_id == org,
                                                       Skill.active.is_(True))
                                .order_by(Skill.name_it)).all()
    return areas, skills


@bp.route("/admin/proposals")
@roles("admin")
def review_proposals():
    areas, skills = _taxonomy()
    queue = proposals.pending(current_user.organisation_id)
    items = [{"proposal": p, "similar": proposals.similar(p), **_forms(p, areas, skills)}
             for p in queue]
    return render_template("profiles/review_proposals.html", items=items)


def _proposal_or_404(proposal_id: int) -> SkillProposal:
    p = db.session.get(SkillProposal, proposal_id)
    require_same_org(p)
    if p.status != "pending":
        abort(404)
    return p


@bp.route("/admin/proposals/<int:proposal_id>/<decision>", methods=["POST"])
@roles("admin")
def decide_proposal(proposal_id: int, decision: str):
    if decision not in ("accept", "map", "reject"):
        abort(404)
    p = _proposal_or_404(proposal_id)
    areas, skills = _taxonomy()
    forms = _forms(p, areas, skills)
    form = forms[decision]
    if not form.validate_on_submit():
        flash(_("Please check the choices for “%(name)s”.", name=p.name), "danger")
        return redirect(url_for("profiles.review_proposals"))
    if decision == "accept":
        area = db.session.get(SkillArea, form.area.data)
        skill = proposals.accept(p, area, form.name_it.data, form.name_en.data,
                                 actor=current_user)
        db.session.commit()
        flash(_("New skill created: %(name)s (%(code)s).", name=skill.name_it,
                code=skill.code), "success")
    elif decision == "map":
        skill = db.session.get(Skill, form.skill.data)
        proposals.map_to(p, skill, actor=current_user)
        db.session.commit()
        flash(_("Proposal linked to %(name)s.", name=skill.name_it), "success")
    else:
        proposals.reject(p, actor=current_user)
        db.session.commit()
        flash(_("Proposal rejected."), "success")
    return redirect(url_for("profiles.review_proposals"))


def _erasure_page(forms=None, status=200):
    queue = privacy.pending_requests(current_user.organisation_id)
    names = {p.id: p for p in db.session.scalars(sa.select(Person).where(
        Person.id.in_([r.person_id for r in queue if r.person_id])))}
    forms = forms or {}
    for r in queue:
        if r.id not in forms:
            forms[r.id] = (CancelErasureForm(prefix=f"c{r.id}") if r.erase_after is not None
                           else ConfirmErasureForm(prefix=f"e{r.id}"))
    return render_template("profiles/review_erasures.html",
                           waiting=[r for r in queue if r.erase_after is None],
                           scheduled=[r for r in queue if r.erase_after is not None],
                           people=names, forms=forms,
                           grace_hours=current_app.config["ERASURE_GRACE_HOURS"]), status


@bp.route("/admin/erasures")
@roles("admin")
def review_erasures():
    return _erasure_page()


@bp.route("/admin/erasures/<int:request_id>", methods=["POST"])
@roles("admin")
def carry_out_erasure(request_id: int):
    """Confirm an erasure (the person's name typed): it runs after the grace period."""
    req = db.session.get(ErasureRequest, request_id)
    require_same_org(req)
    form = ConfirmErasureForm(prefix=f"e{req.id}")
    if not form.validate_on_submit():
        return _erasure_page({req.id: form})
    try:
        when = erasures.confirm(req, form.name.data, actor=current_user)
    except erasures.ErasureError as exc:
        db.session.rollback()
        if exc.reason == "name":
            form.name.errors = [_("This is not the name of the person who asked for the "
                                  "erasure: type their first and last name as shown.")]
            return _erasure_page({req.id: form})
        flash(_("You cannot erase your own profile here: another admin must do it.")
              if exc.reason == "own" else
              _("This request has changed in the meantime (confirmed, withdrawn or carried "
                "out): check the list below."), "danger")
        return redirect(url_for("profiles.review_erasures"))
    db.session.commit()
    flash(_("Erasure confirmed: it will be carried out on %(when)s. Until then you can "
            "cancel it on this page.", when=format_datetime(when, "medium")), "success")
    return redirect(url_for("profiles.review_erasures"))


@bp.route("/admin/erasures/<int:request_id>/cancel", methods=["POST"])
@roles("admin")
def cancel_erasure(request_id: int):
    req = db.session.get(ErasureRequest, request_id)
    require_same_org(req)
    if not CancelErasureForm(prefix=f"c{req.id}").validate_on_submit():
        abort(400)
    try:
        erasures.cancel(req, actor=current_user)
    except erasures.ErasureError:
        db.session.rollback()
        flash(_("Too late to cancel: this erasure has already been carried out or "
                "withdrawn."), "danger")
    else:
        db.session.commit()
        flash(_("Erasure cancelled: nothing was deleted. The request is waiting again."),
              "success")
    return redirect(url_for("profiles.review_erasures"))
