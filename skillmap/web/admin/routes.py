"""Account management for administrators."""
import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user

from skillmap.extensions import db
from skillmap.models import User
from skillmap.services import accounts, login_guard
from skillmap.web import nav
from skillmap.web.access import roles
from skillmap.web.admin import bp
from skillmap.web.admin.forms import CreateUserForm, RoleForm

nav.add("admin.users", _l("Accounts"), order=80)


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


@bp.route("/sign-ins")
@roles("admin")
def sign_ins():
    """Failed and refused sign-ins of the last week, and the accounts that must wait now."""
    return render_template("admin/sign_ins.html",
                           attempts=login_guard.recent(current_user.organisation_id),
                           locked=login_guard.locked_accounts(current_user.organisation_id))
