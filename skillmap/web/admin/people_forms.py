"""Forms for people, units, job titles and the end of work."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from skillmap.web.forms import FlaskForm
from wtforms import (BooleanField, DateField, EmailField, SelectField, StringField,
                     SubmitField, TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from skillmap.i18n import ROLE_NAMES
from skillmap.services.people import RELATIONSHIP_NAMES


class LocalDate(DateField):
    """A date field whose unreadable value gets a message in the user's language."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(_l("Write the date as dd/mm/yyyy, or pick it."))


def role_choices():
    return [SelectChoice(k, v) for k, v in ROLE_NAMES.items()]


class PersonForm(FlaskForm):
    first_name = StringField(_l("First name"), validators=[
        DataRequired(_l("Enter the first name.")), Length(max=100)])
    last_name = StringField(_l("Last name"), validators=[
        DataRequired(_l("Enter the last name.")), Length(max=100)])
    email = EmailField(_l("Email"), validators=[
        Optional(), Email(_l("Enter a valid email address.")), Length(max=254)])
    unit_id = SelectField(_l("Unit"), coerce=str)
    job_title = StringField(_l("Job title"), validators=[Length(max=200)],
                            render_kw={"list": "job-titles"})
    work_relationship = SelectField(_l("Working relationship"), coerce=str)
    start_date = LocalDate(_l("Start date"), validators=[Optional()])
    end_date = LocalDate(_l("End date (last day of work)"), validators=[Optional()])
    invite = BooleanField(_l("Send the invitation to SkillMap now"))
    role = SelectField(_l("Role of the account"), choices=role_choices(), default="employee")
    submit = SubmitField(_l("Save"))

    def fill_choices(self, units):
        self.unit_id.choices = [SelectChoice("", _l("No unit"))] + [
            SelectChoice(str(u.id), u.name) for u in units]
        self.work_relationship.choices = [SelectChoice("", _l("Not said"))] + [
            SelectChoice(k, v) for k, v in RELATIONSHIP_NAMES.items()]

    def validate_end_date(self, field):
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError(_l("The end date cannot come before the start date."))

    def validate_invite(self, field):
        if field.data and not self.email.data:
            raise ValidationError(_l("An invitation needs an e-mail address."))


class InviteForm(FlaskForm):
    role = SelectField(_l("Role of the account"), choices=role_choices(), default="employee")
    submit = SubmitField(_l("Send the invitation"))


class EndForm(FlaskForm):
    end_date = LocalDate(_l("Last day of work"),
                         validators=[DataRequired(_l("Choose the last day of work."))])
    submit = SubmitField(_l("End the work relationship"))


class ExtendForm(FlaskForm):
    until = LocalDate(_l("Keep the data until"),
                      validators=[DataRequired(_l("Choose a day."))])
    reason = TextAreaField(_l("Reason"), validators=[
        DataRequired(_l("Write why the data must be kept longer.")), Length(max=1000)])
    submit = SubmitField(_l("Keep longer"))


class LinkForm(FlaskForm):
    person_id = SelectField(_l("Person"), coerce=str)
    submit = SubmitField(_l("Link"))


class NameForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(_l("Enter a name.")),
                                               Length(max=200)])
    submit = SubmitField(_l("Add"))


class RenameForm(FlaskForm):
    name = StringField(_l("New name"), validators=[DataRequired(_l("Enter a name.")),
                                                   Length(max=200)])
    submit = SubmitField(_l("Rename"))


class MergeForm(FlaskForm):
    target = SelectField(_l("Merge into"), coerce=str,
                         validators=[DataRequired(_l("Choose where to merge."))])
    submit = SubmitField(_l("Merge"))
