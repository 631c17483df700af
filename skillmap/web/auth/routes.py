"""Views for signing in and out, passwords and language."""
import math

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user

from skillmap.services import accounts
from skillmap.web import sessions
from skillmap.web.access import public, roles
from skillmap.web.auth import bp
from skillmap.web.auth.forms import PASSWORD_PROBLEMS, ChangePasswordForm, LanguageForm, LoginForm
from skillmap.web.redirects import safe_next


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if request.args.get("lang") in current_app.config["LANGUAGES"]:
        session["lang"] = request.args["lang"]
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(form.email.data, form.password.data,
                                         request.remote_addr or "")
        except accounts.LoginLocked as exc:
            minutes = max(1, math.ceil(exc.seconds / 60))
            flash(ngettext("Too many failed sign-in attempts. Wait %(num)d minute, then try "
                           "again.",
                           "Too many failed sign-in attempts. Wait %(num)d minutes, then try "
                           "again.", minutes), "danger")
            return render_template("auth/login.html", form=form), 429
        if user is None:
            flash(_("Email or password not recognised, or the account is disabled."), "danger")
        else:
            sessions.start(user)
            session["lang"] = user.locale  # the outage page reads it: no database then
            if user.privacy_seen_at is None:
                return redirect(url_for("main.privacy", first=1))
            return redirect(safe_next(request.args.get("next"), url_for("main.home")))
    return render_template("auth/login.html", form=form)


@bp.route("/language", methods=["POST"])
@roles("*")
def language():
    form = LanguageForm(prefix="l")
    if form.validate_on_submit():
        accounts.set_locale(current_user, form.lang.data)
        session["lang"] = form.lang.data
        flash(_("Language changed."), "success")
    return redirect(safe_next(request.form.get("next"), url_for("auth.login")))


@bp.route("/logout", methods=["POST"])
@roles("*")
def logout():
    accounts.sign_out(current_user)
    sessions.end()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@roles("*")
def account():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user, form.current.data, form.new.data)
        except accounts.WeakPassword as exc:
            form.new.errors.append(PASSWORD_PROBLEMS[exc.reason])
        except accounts.AccountError:
            form.current.errors.append(_("The current password is not right."))
        else:
            sessions.renew(current_user)
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form,
                           lang_form=LanguageForm(prefix="l", lang=current_user.locale))
