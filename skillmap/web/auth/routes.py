"""Views for signing in and out, passwords and language."""
import math

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user

from skillmap.extensions import db
from skillmap.services import accounts, invitations
from skillmap.web import sessions
from skillmap.web.access import public, roles
from skillmap.web.auth import bp
from skillmap.web.auth.forms import (PASSWORD_PROBLEMS, ChangePasswordForm, ForgotPasswordForm,
                                     LanguageForm, LoginForm, SetPasswordForm)
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
        except accounts.PasswordsOff:
            db.session.commit()  # the refused attempt is recorded
            from skillmap.services import sso

            name = sso.provider_name()
            flash(_("This account signs in with %(provider)s only, not with a SkillMap "
                    "password: use the “Sign in with %(provider)s” button.", provider=name),
                  "danger")
            return render_template("auth/login.html", form=form), 403
        except accounts.LoginLocked as exc:
            db.session.commit()  # the refused attempt is recorded
            minutes = max(1, math.ceil(exc.seconds / 60))
            flash(ngettext("Too many failed sign-in attempts. Wait %(num)d minute, then try "
                           "again.",
                           "Too many failed sign-in attempts. Wait %(num)d minutes, then try "
                           "again.", minutes), "danger")
            return render_template("auth/login.html", form=form), 429
        db.session.commit()  # the attempt is recorded, whatever its outcome
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
        db.session.commit()
        session["lang"] = form.lang.data
        flash(_("Language changed."), "success")
    return redirect(safe_next(request.form.get("next"), url_for("auth.login")))


@bp.route("/logout", methods=["POST"])
@roles("*")
def logout():
    """Ends every session of the user; after a single sign-on, the provider's session
    too when the provider offers an end_session_endpoint."""
    from skillmap.web.auth import sso

    was_sso = bool(session.get(sso.SSO_KEY))
    accounts.sign_out(current_user)
    db.session.commit()
    sessions.end()
    flash(_("You have signed out."), "info")
    provider_logout = sso.end_session_url() if was_sso else None
    return redirect(provider_logout or url_for("auth.login"))


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
            db.session.commit()
            sessions.renew(current_user)
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
        except accounts.WeakPassword as exc:
            form.new.errors.append(PASSWORD_PROBLEMS[exc.reason])
        except accounts.AccountError as exc:
            if str(exc) == "link":
                return render_template("auth/link_dead.html"), 410
            form.new.errors.append(str(exc))
        else:
            sessions.start(user)  # a clean session: new CSRF token, fresh clocks
            session["lang"] = user.locale
            accounts.record_login(user)
            db.session.commit()  # the new password and the sign-in, together
            flash(_("Your password is saved. Welcome to SkillMap."), "success")
            if user.privacy_seen_at is None:
                return redirect(url_for("main.privacy", first=1,
                                        next=url_for("profiles.mine") if user.person else None))
            return redirect(url_for("profiles.mine") if user.person else url_for("main.home"))
    return render_template("auth/set_password.html", form=form,
                           invite=row.purpose == "invite", email=row.user.email)
