"""Finding colleagues by skill, and other people's profiles (logged) with confirmations."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from skillmap import clock
from skillmap.extensions import db
from skillmap.models import Person, PersonSkill
from skillmap.services import advice, directory, profiles, skill_card
from skillmap.web import nav
from skillmap.web.access import require_same_org, roles
from skillmap.web.profiles import bp
from skillmap.web.profiles.forms import ConfirmForm, PeopleSearchForm

nav.add("profiles.people", _l("People"), order=20)

CONFIRMERS = ("coordinator", "manager")


@bp.route("/people")
@roles("*")
def people():
    form = PeopleSearchForm(request.args)
    found, skills = [], []
    searched = bool(form.skill.data or form.name.data)
    if form.validate():
        found, skills = directory.search_people(current_user, form.skill.data or "",
                                                form.name.data or "")
        db.session.commit()  # the audit of who the search named: the one write of a GET
    return render_template("profiles/people.html", form=form, found=found, skills=skills,
                           searched=searched,
                           sees_everyone=current_user.role in directory.SEES_EVERYONE)


def _person_or_404(person_id: int) -> Person:
    person = db.session.get(Person, person_id)
    require_same_org(person)
    return person


@bp.route("/people/<int:person_id>")
@roles("coordinator", "manager", "admin")
def person(person_id: int):
    person = _person_or_404(person_id)
    if person.id == current_user.person_id:
        return redirect(url_for("profiles.mine"))
    profiles.record_view(current_user, person)
    db.session.commit()  # the audit of this view: the one write of this GET
    rows = profiles.person_skills(person)
    can_confirm = current_user.role in CONFIRMERS
    backup = ({"backups": advice.backups(person), "backup_subject": person}
              if current_user.role == "manager" else {})
    return render_template("profiles/person.html", person=person, **backup,
                           groups=profiles.grouped_by_area(rows), can_confirm=can_confirm,
                           confirmers=profiles.confirmer_names(rows),
                           confirm_forms={ps.id: ConfirmForm(prefix=f"c{ps.id}",
                                                             level=ps.confirmed_level or ps.level)
                                          for ps in rows if can_confirm and ps.level >= 1})


@bp.route("/people/<int:person_id>/card")
@roles("manager", "admin")
def person_card(person_id: int):
    """HR's printable skill card of a person: a disclosure, logged like a profile view."""
    person = _person_or_404(person_id)
    if person.id == current_user.person_id:
        return redirect(url_for("profiles.my_card"))
    skill_card.record_view(current_user, person)
    db.session.commit()  # the audit of this view: the one write of this GET
    return render_template("profiles/card.html", card=skill_card.card(person), own=False,
                           today=clock.today())


@bp.route("/people/<int:person_id>/skills/<int:ps_id>/confirm", methods=["POST"])
@roles(*CONFIRMERS)
def confirm(person_id: int, ps_id: int):
    person = _person_or_404(person_id)
    ps = db.session.get(PersonSkill, ps_id)
    if ps is None or ps.person_id != person.id:
        abort(404)
    if person.id == current_user.person_id:
        abort(403)  # nobody confirms their own skills
    form = ConfirmForm(prefix=f"c{ps.id}")
    if form.validate_on_submit():
        try:
            profiles.confirm_level(ps, form.level.data, form.comment.data or "",
                                   actor=current_user)
        except profiles.ProfileError as exc:
            flash(str(exc.message), "danger")
        except profiles.StaleEdit as exc:
            flash(_("This skill was changed in the meantime: check the level shown now and "
                    "confirm again.") if exc.current is not None else
                  _("This skill was removed from the profile in the meantime."), "warning")
        else:
            db.session.commit()
            flash(_("Level confirmed."), "success")
    else:
        for errors in form.errors.values():
            for e in errors:
                flash(str(e), "danger")
    return redirect(url_for("profiles.person", person_id=person.id) + f"#ps-{ps.id}")
