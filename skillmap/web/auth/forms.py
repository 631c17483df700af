"""Forms for signing in, changing password and language."""
from flask_babel import lazy_gettext as _l
from skillmap.web.forms import FlaskForm
from wtforms import EmailField, PasswordField, RadioField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

from skillmap.services.accounts import MIN_PASSWORD

#: the password policy's refusals, worded for users (reason -> message)
PASSWORD_PROBLEMS = {
    "short": _l("Use at least %(n)d characters.", n=MIN_PASSWORD),
    "long": _l("Use at most %(n)d characters.", n=200),
    "common": _l("This password is too common or easy to guess: choose a longer phrase of "
                 "your own, even without digits or symbols."),
    "personal": _l("The password must not contain your e-mail address or your name."),
    "current": _l("The new password must be different from the current one."),
}


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Enter your email."))],
                       render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"),
                             validators=[DataRequired(_l("Enter your password."))],
                             render_kw={"autocomplete": "current-password"})
    submit = SubmitField(_l("Sign in"))


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"),
                            validators=[DataRequired(_l("Enter your current password."))],
                            render_kw={"autocomplete": "current-password"})
    new = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Enter a new password.")),
                    Length(min=MIN_PASSWORD, max=200,
                           message=_l("Use at least %(n)d characters.", n=MIN_PASSWORD))],
        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(_l("Repeat the new password.")),
                    EqualTo("new", message=_l("The two passwords do not match."))],
        render_kw={"autocomplete": "new-password"})
    submit = SubmitField(_l("Change password"))


class LanguageForm(FlaskForm):
    lang = RadioField(_l("Language"), choices=[SelectChoice("it", "Italiano"), SelectChoice("en", "English")],
                      validators=[DataRequired()])
    submit = SubmitField(_l("Change language"))


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(_l("Enter your email.")),
                                                Length(max=254)],
                       render_kw={"autocomplete": "username"})
    submit = SubmitField(_l("Send me a link"))


class SetPasswordForm(FlaskForm):
    new = PasswordField(_l("New password"),
                        validators=[DataRequired(_l("Enter a new password.")), Length(max=200)],
                        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(_l("Repeat the new password.")),
                    EqualTo("new", message=_l("The two passwords do not match."))],
        render_kw={"autocomplete": "new-password"})
    submit = SubmitField(_l("Save the password"))
