"""Account management for administrators."""
import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from skillmap.extensions import db
from skillmap.models import User
from skillmap.services import accounts, audit, login_guard
from skillmap.web import nav
from skillmap.web.access import roles
from skillmap.web.admin import bp
from skillmap.web.admin.forms import AuditFilterForm, CreateUserForm, RoleForm

nav.add("admin.users", _l("Accounts"), order=80)
nav.add("admin.audit_log", _l("Audit"), order=85)


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or user.organisation_id != current_user.organisation_id:
        abort(404)
    return user


@bp.route("/users", methods=["GET", "POST"])
@roles("admin")
def users():
    form = CreateUserForm()
    if form.validate_on_submit():
        try:
            accounts.create_user(current_user.organisation, form.email.data, form.password.data,
                                 form.role.data, locale=current_user.locale,
                                 actor_id=current_user.id)
        except accounts.AccountError as exc:
            form.email.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Account created for %(email)s.", email=form.email.data), "success")
            return redirect(url_for("admin.users"))
    rows = db.session.scalars(sa.select(User).where(
        User.organisation_id == current_user.organisation_id).order_by(User.email)).all()
    return render_template("admin/users.html", form=form, users=rows)


@bp.route("/users/<int:user_id>/role", methods=["POST"])
@roles("admin")
def change_role(user_id: int):
    user = _user_or_404(user_id)
    form = RoleForm()
    if form.validate_on_submit():
        try:
            accounts.change_role(user, form.role.data, actor=current_user)
        except accounts.AccountError:
            flash(_("You cannot remove your own administrator role."), "danger")
        else:
            db.session.commit()
            flash(_("Role changed for %(email)s.", email=user.email), "success")
    else:
        flash(_("Choose a valid role."), "danger")
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@roles("admin")
def toggle_active(user_id: int):
    user = _user_or_404(user_id)
    try:
        accounts.set_active(user, not user.active, actor=current_user)
    except accounts.AccountError:
        flash(_("You cannot disable your own account."), "danger")
    else:
        db.session.commit()
        flash(_("Account enabled.") if user.active else _("Account disabled."), "success")
    if request.form.get("back") == "account":
        return redirect(url_for("admin.user_detail", user_id=user.id))
    return redirect(url_for("admin.users"))


@bp.route("/users/<int:user_id>/sso-only", methods=["POST"])
@roles("admin")
def toggle_sso_only(user_id: int):
    """Passwords off (only single sign-on) for one account, or on again."""
    from skillmap.services import sso

    user = _user_or_404(user_id)
    if not sso.configured():
        abort(404)
    accounts.set_sso_only(user, not user.sso_only, actor=current_user)
    db.session.commit()
    flash(_("%(email)s now signs in only with %(provider)s.", email=user.email,
            provider=sso.provider_name()) if user.sso_only
          else _("%(email)s may sign in with a password again.", email=user.email), "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/sign-ins")
@roles("admin")
def sign_ins():
    """Failed and refused sign-ins of the last week, and the accounts that must wait now."""
    return render_template("admin/sign_ins.html",
                           attempts=login_guard.recent(current_user.organisation_id),
                           locked=login_guard.locked_accounts(current_user.organisation_id))


# -- audit viewer (the data protection officer's) ------------------------------------------

def _audit_form():
    from skillmap.models import Person

    org_id = current_user.organisation_id
    people = db.session.execute(sa.select(Person.id, Person.last_name, Person.first_name).where(
        Person.organisation_id == org_id).order_by(Person.last_name, Person.first_name)).all()
    actors = db.session.scalars(sa.select(User).where(User.organisation_id == org_id)
                                .order_by(User.email)).all()
    return AuditFilterForm(request.args, [(p.id, f"{p.last_name} {p.first_name}") for p in people],
                           [(u.id, u.person.full_name + f" ({u.email})" if u.person else u.email)
                            for u in actors], audit.actions(org_id))


@bp.route("/audit")
@roles("admin")
def audit_log():
    form = _audit_form()
    rows, total = [], 0
    valid = form.validate() if request.args else True
    if valid:
        rows, total = audit.search(current_user.organisation_id, **form.filters())
    return render_template("admin/audit.html", form=form, rows=rows, total=total,
                           page_rows=audit.PAGE_ROWS, valid=valid)


@bp.route("/audit.csv")
@roles("admin")
def audit_csv():
    form = _audit_form()
    if request.args and not form.validate():
        flash(_("Correct the filters before downloading."), "danger")
        return redirect(url_for("admin.audit_log", **request.args))
    body = audit.export_csv(current_user.organisation_id, current_user, [
        _("When (UTC)"), _("Who acted"), _("Role"), _("Kind of event"), _("Person concerned"),
        _("Detail")], **form.filters())
    return Response(body, mimetype="text/csv; charset=utf-8", headers={
        "Content-Disposition": 'attachment; filename="skillmap-audit.csv"',
        "Cache-Control": "no-store"})
