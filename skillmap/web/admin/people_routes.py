"""People and their accounts (admins change, managers read), and the end of work."""
from __future__ import annotations

import json

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from skillmap.extensions import db
from skillmap.models import Person, User
from skillmap.services import (invitations, jobs, mail, org_structure, people,
                               retention)
from skillmap.web import nav
from skillmap.web.access import require_same_org, roles
from skillmap.web.admin import bp
from skillmap.web.admin.people_forms import (EndForm, ExtendForm, InviteForm, LinkForm,
                                             PersonForm)

nav.add("admin.people", _l("People"), order=75)

PERSON_ERRORS = {
    ("first_name", "empty"): _l("Enter the first name."),
    ("last_name", "empty"): _l("Enter the last name."),
    ("email", "taken"): _l("Another person or account already has this e-mail."),
    ("work_relationship", "unknown"): _l("Choose a working relationship from the list."),
    ("end_date", "before_start"): _l("The end date cannot come before the start date."),
    ("person", "has_account"): _l("This person already has another account."),
    ("person", "unknown"): _l("Choose a person from the list."),
}
INVITE_ERRORS = {
    "no_email": _l("This person has no e-mail address: add one first."),
    "ended": _l("This person's work has ended: no invitation is sent."),
    "email_taken": _l("An account with this e-mail already exists: link it from its account "
                      "page."),
    "has_account": _l("This person already has an account with a password."),
    "disabled": _l("The account is disabled: enable it first."),
}
STATES = {"current": _l("Working now"), "no_account": _l("Without an account"),
          "ended": _l("Ended"), "all": _l("Everyone")}


def _person(person_id: int) -> Person:
    person = db.session.get(Person, person_id)
    require_same_org(person)
    return person


def _data(form: PersonForm) -> people.PersonData:
    return people.PersonData(
        first_name=form.first_name.data or "", last_name=form.last_name.data or "",
        email=form.email.data or None,
        unit_id=int(form.unit_id.data) if (form.unit_id.data or "").isdigit() else None,
        job_title=form.job_title.data or None,
        work_relationship=form.work_relationship.data or None,
        start_date=form.start_date.data, end_date=form.end_date.data)


def _person_error(form, exc: people.PersonError) -> None:
    target = getattr(form, exc.field, None) or form.first_name
    target.errors = list(target.errors or []) + [
        str(PERSON_ERRORS.get((exc.field, exc.reason), _l("This value cannot be saved.")))]


@bp.route("/people", endpoint="people")
@roles("admin", "manager")
def people_list():
    org = current_user.organisation_id
    state = request.args.get("state", "current")
    state = state if state in STATES else "current"
    query = (request.args.get("q") or "")[:100]
    job = jobs.latest(org, invitations.KIND)
    return render_template(
        "admin/people.html", people=people.people(org, query=query, state=state), state=state,
        states=STATES, q=query, job=job, job_state=jobs.effective_state(job) if job else None,
        job_result=json.loads(job.result or "{}") if job else {},
        without_account=len(db.session.scalars(invitations.people_without_account(org)).all()),
        relationship_label=people.relationship_label)


@bp.route("/people/invite-all", methods=["POST"])
@roles("admin")
def invite_all():
    _job, queued = invitations.invite_all_request(current_user.organisation_id, current_user)
    db.session.commit()
    flash(_("The invitations are being sent: this page shows the progress.") if queued
          else _("Invitations are already being sent."), "info")
    return redirect(url_for("admin.people", state="no_account"))


@bp.route("/people/new", methods=["GET", "POST"])
@roles("admin")
def person_new():
    org = current_user.organisation_id
    form = PersonForm()
    form.fill_choices(org_structure.units(org, include_retired=False))
    if form.validate_on_submit():
        try:
            person = people.create_person(org, _data(form), actor=current_user)
            if form.invite.data:
                invitations.invite_person(person, actor=current_user, role=form.role.data,
                                          locale=current_user.locale)
            db.session.commit()
        except people.PersonError as exc:
            db.session.rollback()
            _person_error(form, exc)
        except invitations.InvitationError as exc:
            db.session.rollback()
            form.invite.errors = [str(INVITE_ERRORS[exc.reason])]
        else:
            flash(_("%(name)s added.", name=person.full_name)
                  + (" " + _("The invitation is on its way.") if form.invite.data else ""),
                  "success")
            return redirect(url_for("admin.person", person_id=person.id))
    return render_template("admin/person_new.html", form=form, titles=_titles(org))


def _titles(org: int) -> list[str]:
    return [t.name for t in org_structure.job_titles(org, include_retired=False)]


@bp.route("/people/<int:person_id>", methods=["GET", "POST"])
@roles("admin", "manager")
def person(person_id: int):
    person = _person(person_id)
    org = current_user.organisation_id
    can_edit = current_user.role == "admin"
    if request.method == "POST" and not can_edit:
        abort(403)
    form = PersonForm(obj=person) if request.method == "GET" else PersonForm()
    form.fill_choices([u for u in org_structure.units(org)
                       if not u.retired or u.id == person.unit_id])
    if request.method == "GET":
        form.unit_id.data = str(person.unit_id or "")
        form.work_relationship.data = person.work_relationship or ""
    if form.validate_on_submit():
        try:
            people.update_person(person, _data(form), actor=current_user)
            db.session.commit()
        except people.PersonError as exc:
            db.session.rollback()
            _person_error(form, exc)
        else:
            flash(_("Changes saved."), "success")
            return redirect(url_for("admin.person", person_id=person.id))
    end_form = EndForm(prefix="end", end_date=person.end_date)
    return render_template(
        "admin/person.html", person=person, form=form, can_edit=can_edit,
        invite_form=InviteForm(prefix="inv"), end_form=end_form,
        extend_form=ExtendForm(prefix="ext"), erase_on=retention.erase_on(person),
        titles=_titles(org), relationship_label=people.relationship_label,
        ended=person.has_ended())


@bp.route("/people/<int:person_id>/invite", methods=["POST"])
@roles("admin")
def person_invite(person_id: int):
    person = _person(person_id)
    form = InviteForm(prefix="inv")
    if not form.validate_on_submit():
        flash(_("Choose a valid role."), "danger")
    else:
        try:
            invitations.invite_person(person, actor=current_user, role=form.role.data,
                                      locale=current_user.locale)
        except invitations.InvitationError as exc:
            db.session.rollback()
            flash(str(INVITE_ERRORS[exc.reason]), "danger")
        else:
            db.session.commit()
            flash(_("Invitation sent to %(email)s.", email=person.email), "success")
    return redirect(url_for("admin.person", person_id=person.id))


@bp.route("/people/<int:person_id>/end", methods=["POST"])
@roles("admin")
def person_end(person_id: int):
    person = _person(person_id)
    form = EndForm(prefix="end")
    if form.validate_on_submit():
        try:
            people.end_person(person, form.end_date.data, actor=current_user)
            db.session.commit()
        except people.PersonError:
            db.session.rollback()
            flash(_("The end date cannot come before the start date."), "danger")
        else:
            flash(_("%(name)s's work ends on %(day)s.", name=person.full_name,
                    day=form.end_date.data.strftime("%d/%m/%Y")), "success")
    else:
        flash(" ".join(str(e) for e in form.end_date.errors), "danger")
    return redirect(url_for("admin.person", person_id=person.id))


RETENTION_ERRORS = {
    "not_ended": _l("This person is still working: there is nothing to keep longer."),
    "no_reason": _l("Write why the data must be kept longer."),
    "not_later": _l("Choose a day after the planned erasure."),
}


@bp.route("/people/<int:person_id>/retention", methods=["POST"])
@roles("admin")
def person_extend(person_id: int):
    person = _person(person_id)
    form = ExtendForm(prefix="ext")
    if form.validate_on_submit():
        try:
            retention.extend(person, form.until.data, form.reason.data, actor=current_user)
        except retention.RetentionError as exc:
            db.session.rollback()
            flash(str(RETENTION_ERRORS[exc.reason]), "danger")
        else:
            flash(_("The data of %(name)s is kept until %(day)s.", name=person.full_name,
                    day=form.until.data.strftime("%d/%m/%Y")), "success")
    else:
        flash(" ".join(str(e) for f in (form.until, form.reason) for e in f.errors), "danger")
    return redirect(url_for("admin.person", person_id=person.id))


@bp.route("/retention")
@roles("admin")
def retention_due():
    org = current_user.organisation_id
    return render_template("admin/retention.html", due=retention.due_within(org, 30),
                           months=current_app.config["RETENTION_MONTHS"])


# -- accounts ----------------------------------------------------------------------------

def _user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    require_same_org(user)
    return user


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@roles("admin")
def user_detail(user_id: int):
    """The account page: its person (link or unlink), state, invitation and reset."""
    user = _user(user_id)
    org = current_user.organisation_id
    form = LinkForm(prefix="link")
    free = [p for p in people.people(org, state="no_account")]
    from wtforms.fields.choices import SelectChoice

    form.person_id.choices = [SelectChoice("", _l("No person"))] + [
        SelectChoice(str(p.id), f"{p.last_name} {p.first_name}"
                     + (f" ({p.email})" if p.email else "")) for p in free]
    if user.person is not None:
        form.person_id.choices.insert(1, SelectChoice(str(user.person.id),
                                                      user.person.full_name))
    if request.method == "GET":
        form.person_id.data = str(user.person_id or "")
    if form.validate_on_submit():
        pid = form.person_id.data
        target = _person(int(pid)) if pid.isdigit() else None
        try:
            people.link_account(user, target, actor=current_user)
            db.session.commit()
        except people.PersonError as exc:
            db.session.rollback()
            form.person_id.errors = [str(PERSON_ERRORS[(exc.field, exc.reason)])]
        else:
            flash(_("Account linked to %(name)s.", name=target.full_name) if target
                  else _("The account is no longer linked to a person."), "success")
            return redirect(url_for("admin.user_detail", user_id=user.id))
    return render_template("admin/user.html", user=user, form=form,
                           sent=mail.sent_to(org, user.email))


@bp.route("/users/<int:user_id>/reset", methods=["POST"])
@roles("admin")
def user_reset(user_id: int):
    user = _user(user_id)
    try:
        if user.has_password:
            invitations.send_reset(user, actor=current_user)
        else:
            invitations.reinvite(user, actor=current_user)
    except invitations.InvitationError as exc:
        db.session.rollback()
        flash(str(INVITE_ERRORS[exc.reason]), "danger")
    else:
        db.session.commit()
        flash(_("A link to choose a password was sent to %(email)s.", email=user.email),
              "success")
    if request.form.get("back") == "person" and user.person_id:
        return redirect(url_for("admin.person", person_id=user.person_id))
    return redirect(url_for("admin.user_detail", user_id=user.id))
