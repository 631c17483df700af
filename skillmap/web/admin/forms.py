"""Forms for managing accounts."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length

from skillmap.i18n import ROLE_NAMES
from skillmap.services.accounts import WeakPassword, check_new_password, find_user
from skillmap.web.auth.forms import PASSWORD_PROBLEMS


class CreateUserForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[
        DataRequired(_l("Enter an email.")), Email(_l("Enter a valid email address.")),
        Length(max=254)])
    role = SelectField(_l("Role"), choices=[SelectChoice(k, v) for k, v in ROLE_NAMES.items()],
                       validators=[DataRequired()])
    password = PasswordField(_l("First password"), validators=[
        DataRequired(_l("Enter a first password."))])
    submit = SubmitField(_l("Create account"))

    def validate_email(self, field):
        if find_user(field.data or "") is not None:
            from wtforms.validators import ValidationError

            raise ValidationError(_l("An account with this email already exists."))

    def validate_password(self, field):
        from wtforms.validators import ValidationError

        try:
            check_new_password(field.data or "", email=self.email.data or "")
        except WeakPassword as exc:
            raise ValidationError(PASSWORD_PROBLEMS[exc.reason]) from exc


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[SelectChoice(k, v) for k, v in ROLE_NAMES.items()],
                       validators=[DataRequired()])
    submit = SubmitField(_l("Change role"))
