"""Views for signing in and out, passwords and language."""
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from skillmap.services import accounts, invitations
from skillmap.web.access import public, roles
from skillmap.web.auth import bp
from skillmap.web.auth.forms import (ChangePasswordForm, ForgotPasswordForm, LanguageForm,
                                     LoginForm, SetPasswordForm)


def _safe_next(target: str | None) -> str | None:
    """Only follow ``next`` to a path on this site."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if request.args.get("lang") in current_app.config["LANGUAGES"]:
        session["lang"] = request.args["lang"]
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is None:
            flash(_("Email or password not recognised, or the account is disabled."), "danger")
        else:
            login_user(user)
            if user.privacy_seen_at is None:
                return redirect(url_for("main.privacy", first=1))
            return redirect(_safe_next(request.args.get("next")) or url_for("main.home"))
    return render_template("auth/login.html", form=form)


@bp.route("/language", methods=["POST"])
@roles("*")
def language():
    form = LanguageForm(prefix="l")
    if form.validate_on_submit():
        accounts.set_locale(current_user, form.lang.data)
        flash(_("Language changed."), "success")
    back = _safe_next(request.form.get("next"))
    return redirect(back or url_for("auth.login"))


@bp.route("/logout", methods=["POST"])
@roles("*")
def logout():
    logout_user()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@roles("*")
def account():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_password(current_user, form.current.data, form.new.data)
        except accounts.AccountError:
            form.current.errors.append(_("The current password is not right."))
        else:
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form,
                           lang_form=LanguageForm(prefix="l", lang=current_user.locale))


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
def forgot_password():
    """Same answer, same time, whether the address has an account or not: the look-up
    and the e-mail happen in the queue (:func:`invitations.request_reset`)."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        invitations.request_reset(form.email.data)
        flash(_("If %(email)s belongs to an account, a message with a link to choose a new "
                "password is on its way. The link works for %(hours)d hours.",
                email=form.email.data, hours=current_app.config["TOKEN_HOURS"]), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


@bp.route("/password/set/<token>", methods=["GET", "POST"])
@public
def set_password(token: str):
    """The page of a one-time link (invitation or reset): choose a password."""
    row = invitations.find_live(token)
    if row is None:
        return render_template("auth/link_dead.html"), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            user = invitations.set_password(token, form.new.data)
        except accounts.AccountError as exc:
            if str(exc) == "link":
                return render_template("auth/link_dead.html"), 410
            form.new.errors.append(str(exc))
        else:
            if current_user.is_authenticated:
                logout_user()
            login_user(user)
            accounts.record_login(user)
            flash(_("Your password is saved. Welcome to SkillMap."), "success")
            if user.privacy_seen_at is None:
                return redirect(url_for("main.privacy", first=1,
                                        next=url_for("profiles.mine") if user.person else None))
            return redirect(url_for("profiles.mine") if user.person else url_for("main.home"))
    return render_template("auth/set_password.html", form=form,
                           invite=row.purpose == "invite", email=row.user.email)
