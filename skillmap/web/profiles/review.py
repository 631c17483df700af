"""Administrators' queues: proposed skills and erasure requests."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from skillmap.extensions import db
from skillmap.models import ErasureRequest, Person, Skill, SkillArea, SkillProposal
from skillmap.services import privacy, proposals
from skillmap.web import nav
from skillmap.web.access import require_same_org, roles
from skillmap.web.profiles import bp
from skillmap.web.profiles.forms import (AcceptProposalForm, CarryOutErasureForm,
                                         MapProposalForm, RejectProposalForm)

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


@bp.route("/admin/erasures")
@roles("admin")
def review_erasures():
    queue = privacy.pending_requests(current_user.organisation_id)
    names = {p.id: p.full_name for p in db.session.scalars(sa.select(Person).where(
        Person.id.in_([r.person_id for r in queue if r.person_id])))}
    return render_template("profiles/review_erasures.html", queue=queue, people=names,
                           forms={r.id: CarryOutErasureForm(prefix=f"e{r.id}") for r in queue})


@bp.route("/admin/erasures/<int:request_id>", methods=["POST"])
@roles("admin")
def carry_out_erasure(request_id: int):
    req = db.session.get(ErasureRequest, request_id)
    require_same_org(req)
    if not CarryOutErasureForm(prefix=f"e{req.id}").validate_on_submit():
        abort(400)
    try:
        privacy.carry_out_erasure(req, actor=current_user)
    except privacy.PrivacyError:
        flash(_("This request cannot be carried out (already done, withdrawn, or about "
                "your own profile)."), "danger")
    else:
        flash(_("The data has been erased. The audit log keeps only %(ref)s.",
                ref=req.pseudonym), "success")
    return redirect(url_for("profiles.review_erasures"))
