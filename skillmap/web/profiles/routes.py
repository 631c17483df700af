"""My profile: skills, wishes, availability, proposals, and my data (export, erasure)."""
from __future__ import annotations

from flask import (Response, abort, flash, jsonify, make_response, redirect, render_template,
                   request, url_for)
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from skillmap import clock
from skillmap.extensions import db
from skillmap.i18n import spreadsheet_csv
from skillmap.models import Skill
from skillmap.services import (advice, privacy, profiles, proposals, skill_card,
                               skill_search)
from skillmap.services.errors import DuplicateError
from skillmap.web import nav
from skillmap.web.access import roles
from skillmap.web.inputs import db_id
from skillmap.web.profiles import bp
from skillmap.web.redirects import safe_next
from skillmap.web.profiles.forms import (LANGUAGE_CODES, ErasureForm, ProposalForm, SearchForm,
                                         SettingsForm, SkillForm, VersionForm, WishForm,
                                         WithdrawForm)

nav.add("profiles.mine", _l("My profile"), order=10,
        when=lambda: current_user.person_id is not None)


def _me():
    """The signed-in user's person; a user without one is told why there is no profile.

    An ended person's profile is read-only: only GET requests pass.
    """
    person = current_user.person
    if person is None:
        abort(make_response(render_template("profiles/no_person.html"), 404))
    if request.method != "GET" and person.has_ended():
        flash(_("Your work with the cooperative has ended: your profile can no longer be "
                "changed."), "warning")
        abort(redirect(url_for("profiles.mine")))
    return person


def _skill_data(form: SkillForm) -> profiles.SkillData:
    return profiles.SkillData(level=form.level.data, wants_to_grow=bool(form.wants_to_grow.data),
                              last_used_year=form.last_used_year.data,
                              note=form.note.data or "",
                              evidence_expires_on=form.evidence_expires_on.data)


def _attach(form, exc: profiles.ProfileError) -> None:
    target = getattr(form, exc.field, None) or form.level
    target.errors = list(target.errors or []) + [str(exc.message)]


@bp.route("/profile")
@roles("*")
def mine():
    person = _me()
    rows = profiles.person_skills(person)
    return render_template(
        "profiles/mine.html", person=person, groups=profiles.grouped_by_area(rows),
        has_skills=bool(rows), completeness=profiles.completeness(person, rows),
        history=profiles.history(person), viewers=profiles.viewers(person),
        view_context=profiles.disclosure_context,
        confirmers=profiles.confirmer_names(rows),
        proposals=profiles.my_proposals(current_user), search_form=SearchForm(),
        language_names=_language_names(), grow_next=advice.grow_next(person))


@bp.route("/profile/card")
@roles("*")
def my_card():
    """My printable skill card (seeing oneself is not a disclosure: nothing is logged)."""
    return render_template("profiles/card.html", card=skill_card.card(_me()), own=True,
                           today=clock.today())


@bp.route("/profile/skills/search")
@roles("*")
def search():
    """The search without JavaScript: a GET form and a list of results with Add links."""
    form = SearchForm(request.args)
    results = []
    if form.q.data and form.validate():
        results = skill_search.search_skills(current_user.organisation_id, form.q.data)
    held = _held_ids()
    return render_template("profiles/search.html", form=form, results=results, held=held,
                           searched=bool(form.q.data))


@bp.route("/profile/skills/search.json")
@roles("*")
def search_json():
    """The same search for the autocomplete: names in the user's language."""
    query = (request.args.get("q") or "")[:100]
    skills = skill_search.search_skills(current_user.organisation_id, query)
    held = _held_ids()
    from skillmap.i18n import lang

    loc = lang()
    return jsonify(count=len(skills), results=[{
        "id": s.id, "name": s.name(loc), "area": s.area.name(loc) if s.area else "",
        "held": s.id in held, "url": url_for("profiles.add_skill", skill=s.id)} for s in skills])


def _held_ids() -> set[int]:
    person = current_user.person
    if person is None:
        return set()
    return profiles.held_skill_ids(person)


@bp.route("/profile/skills/add", methods=["GET", "POST"])
@roles("*")
def add_skill():
    person = _me()
    form = SkillForm()
    raw = form.skill_id.data if request.method == "POST" else request.args.get("skill")
    skill_id = db_id(raw)
    skill = db.session.get(Skill, skill_id) if skill_id else None
    if skill is not None and skill.organisation_id != current_user.organisation_id:
        skill = None
    if request.method == "GET":
        if skill is None:
            return redirect(url_for("profiles.search"))
        form.skill_id.data = str(skill.id)
        if request.args.get("wish"):
            form.level.data = 0
    skill_errors = []
    if form.validate_on_submit():
        try:
            profiles.add_skill(person, skill_id, _skill_data(form), actor=current_user)
        except profiles.ProfileError as exc:
            if exc.field == "skill_id":
                skill_errors.append(str(exc.message))
            else:
                _attach(form, exc)
        except DuplicateError:   # added by another request (a double click, a second tab)
            flash(_("%(skill)s is already in your profile: it was added a moment ago, "
                    "maybe from another tab. Change it there if needed.",
                    skill=skill.name(current_user.locale)), "warning")
            return redirect(url_for("profiles.mine"))
        else:
            db.session.commit()
            flash(_("%(skill)s added to your profile.", skill=skill.name(current_user.locale)),
                  "success")
            return redirect(url_for("profiles.mine"))
    elif request.method == "POST" and skill is None:
        skill_errors.append(_("This skill is not in the list. Search again, or propose it as "
                              "a new skill."))
    return render_template("profiles/skill_form.html", form=form, skill=skill, ps=None,
                           skill_errors=skill_errors, stale=None)


@bp.route("/profile/skills/wish", methods=["POST"])
@roles("*")
def add_wish():
    """One click from "skills you could grow next": the skill becomes a wish (level 0,
    wants to learn) and the person is back where they clicked, told what happened."""
    person = _me()
    form = WishForm()
    back = safe_next(form.next.data, url_for("profiles.mine"))
    skill_id = db_id(form.skill_id.data)
    skill = db.session.get(Skill, skill_id) if skill_id else None
    if not form.validate_on_submit() or skill is None \
            or skill.organisation_id != current_user.organisation_id:
        flash(_("That suggestion could not be added: reload the page and try again."),
              "warning")
        return redirect(back)
    name = skill.name(current_user.locale)
    try:
        profiles.add_skill(person, skill.id, profiles.SkillData(level=0, wants_to_grow=True),
                           actor=current_user)
    except (profiles.ProfileError, DuplicateError):
        flash(_("%(skill)s is already in your profile.", skill=name), "info")
        return redirect(back)
    db.session.commit()
    flash(_("%(skill)s added to your wishes: you want to learn it.", skill=name), "success")
    return redirect(back)


@bp.route("/profile/skills/<int:ps_id>/edit", methods=["GET", "POST"])
@roles("*")
def edit_skill(ps_id: int):
    person = _me()
    ps = profiles.find_own_skill(person, ps_id)
    if ps is None:
        abort(404)
    form = SkillForm(obj=ps) if request.method == "GET" else SkillForm()
    if request.method == "GET":
        form.version.data = str(ps.version)
    stale = None
    if form.validate_on_submit():
        try:
            version = int(form.version.data) if (form.version.data or "").isdigit() else None
            profiles.update_skill(ps, version, _skill_data(form), actor=current_user)
        except profiles.ProfileError as exc:
            _attach(form, exc)
        except profiles.StaleEdit as exc:
            stale = exc.current
            if stale is None:
                flash(_("This skill was removed from your profile in the meantime."), "danger")
                return redirect(url_for("profiles.mine"))
            form.version.data = str(stale.version)
        else:
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for("profiles.mine"))
    status = 409 if stale is not None else 200
    return render_template("profiles/skill_form.html", form=form, skill=ps.skill, ps=ps,
                           skill_errors=[], stale=stale,
                           remove_form=VersionForm(prefix="rm", version=ps.version)), status


@bp.route("/profile/skills/<int:ps_id>/remove", methods=["POST"])
@roles("*")
def remove_skill(ps_id: int):
    person = _me()
    ps = profiles.find_own_skill(person, ps_id)
    if ps is None:
        abort(404)
    form = VersionForm(prefix="rm")
    if not form.validate_on_submit():
        abort(400)
    name = ps.skill.name(current_user.locale)
    try:
        version = int(form.version.data) if (form.version.data or "").isdigit() else None
        profiles.remove_skill(ps, version, actor=current_user)
    except profiles.StaleEdit as exc:
        if exc.current is None:   # removed by another request in the meantime
            flash(_("%(skill)s removed from your profile.", skill=name), "success")
            return redirect(url_for("profiles.mine"))
        flash(_("This skill changed in the meantime (maybe in another tab). Check it and "
                "try again."), "danger")
        return redirect(url_for("profiles.edit_skill", ps_id=ps_id))
    db.session.commit()
    flash(_("%(skill)s removed from your profile.", skill=name), "success")
    return redirect(url_for("profiles.mine"))


def _language_names() -> dict[str, str]:
    from babel import Locale

    from skillmap.i18n import lang

    names = dict(Locale.parse(lang()).languages)
    names["lis"] = str(_l("Italian Sign Language (LIS)"))  # ISO 639-3: not in CLDR
    return {code: (names.get(code) or code)[:1].upper() + (names.get(code) or code)[1:]
            for code in LANGUAGE_CODES}


@bp.route("/profile/settings", methods=["GET", "POST"])
@roles("*")
def settings():
    person = _me()
    names = _language_names()
    if request.method == "GET":
        form = SettingsForm(obj=person)
        form.languages.data = [c for c in person.languages.split(",") if c]
    else:
        form = SettingsForm()
    from wtforms.fields.choices import SelectChoice

    form.languages.choices = [SelectChoice(c, names[c]) for c in LANGUAGE_CODES]
    if form.validate_on_submit():
        try:
            profiles.update_settings(person, profiles.Settings(
                form.availability_hours.data, form.available_until.data,
                list(form.languages.data or []), bool(form.visible_to_colleagues.data),
                bool(form.email_notifications.data)),
                actor=current_user)
        except profiles.ProfileError as exc:
            _attach(form, exc)
        else:
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for("profiles.mine"))
    return render_template("profiles/settings.html", form=form)


@bp.route("/profile/propose", methods=["GET", "POST"])
@roles("*")
def propose():
    form = ProposalForm()
    if request.method == "GET" and request.args.get("name"):
        form.name.data = request.args["name"][:200]
    if form.validate_on_submit():
        try:
            proposals.propose(current_user, form.name.data, form.description.data)
        except profiles.ProfileError as exc:
            _attach(form, exc)
        else:
            db.session.commit()
            flash(_("Thank you: an administrator will review your proposal."), "success")
            return redirect(url_for("profiles.mine"))
    return render_template("profiles/propose.html", form=form)


# -- my data ---------------------------------------------------------------------------

@bp.route("/profile/data")
@roles("*")
def my_data():
    person = _me()
    return render_template("profiles/my_data.html", person=person,
                           pending=privacy.pending_request(person),
                           erase_form=ErasureForm(prefix="er"),
                           withdraw_form=WithdrawForm(prefix="wd"))


def _download(body: str, mimetype: str, ext: str) -> Response:
    resp = Response(body, mimetype=mimetype)
    resp.headers["Content-Disposition"] = f'attachment; filename="skillmap-my-data.{ext}"'
    resp.headers["Cache-Control"] = "no-store"
    return resp


@bp.route("/profile/data.json")
@roles("*")
def export_json():
    return _download(privacy.to_json(privacy.export_data(_me())), "application/json", "json")


@bp.route("/profile/data.csv")
@roles("*")
def export_csv():
    headers = (_("section"), _("record"), _("field"), _("value"))
    return _download("\ufeff" + privacy.to_csv(privacy.export_data(_me()), headers=headers,
                                                sep=spreadsheet_csv()["sep"]),
                     "text/csv; charset=utf-8", "csv")


@bp.route("/profile/erasure", methods=["POST"])
@roles("*")
def request_erasure():
    person = _me()
    if ErasureForm(prefix="er").validate_on_submit():
        privacy.request_erasure(person, actor=current_user)
        flash(_("Your request has been sent. An administrator will erase your data and "
                "your account."), "success")
    return redirect(url_for("profiles.my_data"))


@bp.route("/profile/erasure/withdraw", methods=["POST"])
@roles("*")
def withdraw_erasure():
    person = _me()
    if WithdrawForm(prefix="wd").validate_on_submit():
        privacy.withdraw_erasure(person, actor=current_user)
        flash(_("Your request has been withdrawn."), "success")
    return redirect(url_for("profiles.my_data"))
