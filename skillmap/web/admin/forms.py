"""Forms for managing accounts."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length

from skillmap.i18n import ROLE_NAMES
from skillmap.services.accounts import MIN_PASSWORD, find_user


class CreateUserForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[
        DataRequired(_l("Enter an email.")), Email(_l("Enter a valid email address.")),
        Length(max=254)])
    role = SelectField(_l("Role"), choices=[SelectChoice(k, v) for k, v in ROLE_NAMES.items()],
                       validators=[DataRequired()])
    password = PasswordField(_l("First password"), validators=[
        DataRequired(_l("Enter a first password.")),
        Length(min=MIN_PASSWORD, max=200,
               message=_l("Use at least %(n)d characters.", n=MIN_PASSWORD))])
    submit = SubmitField(_l("Create account"))

    def validate_email(self, field):
        if find_user(field.data or "") is not None:
            from wtforms.validators import ValidationError

            raise ValidationError(_l("An account with this email already exists."))


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[SelectChoice(k, v) for k, v in ROLE_NAMES.items()],
                       validators=[DataRequired()])
    submit = SubmitField(_l("Change role"))
