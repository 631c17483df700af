"""Forms for managing accounts."""
from flask_babel import lazy_gettext as _l
from skillmap.web.forms import FlaskForm
from wtforms import DateField, EmailField, Form, PasswordField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

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


class AuditFilterForm(Form):
    """Filters of the audit viewer, read from the query string (no CSRF: it changes nothing)."""

    person = SelectField(_l("Person concerned"), default="", validate_choice=True)
    actor = SelectField(_l("Who acted"), default="", validate_choice=True)
    kind = SelectField(_l("Kind of event"), default="", validate_choice=True)
    date_from = DateField(_l("From (date)"), validators=[Optional()])
    date_to = DateField(_l("To (date)"), validators=[Optional()])
    submit = SubmitField(_l("Show"))

    def __init__(self, formdata, people, actors, kinds):
        super().__init__(formdata)
        self.person.choices = [SelectChoice("", _l("Everyone"))] + [
            SelectChoice(str(i), n) for i, n in people]
        self.actor.choices = [SelectChoice("", _l("Anyone"))] + [
            SelectChoice(str(i), n) for i, n in actors]
        self.kind.choices = [SelectChoice("", _l("Every kind"))] + [
            SelectChoice(k, k) for k in kinds]

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date comes before the start date."))

    def filters(self) -> dict:
        return {"person_id": int(self.person.data) if self.person.data else None,
                "actor_id": int(self.actor.data) if self.actor.data else None,
                "action": self.kind.data or None,
                "date_from": self.date_from.data, "date_to": self.date_to.data}
