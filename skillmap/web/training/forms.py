"""Forms of the training pages: one per use case."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from skillmap.web.forms import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from skillmap.web.profiles.forms import LocalDateField, WholeNumberField

#: the deadline filters of the Scadenze page
STATUS_FILTERS = ("attention", "expired", "30", "60", "90", "missing", "all")


def _coerce_id(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


class RecordForm(FlaskForm):
    course_id = SelectField(_l("Course"), coerce=_coerce_id,
                            validators=[InputRequired(_l("Choose a course."))])
    completed_on = LocalDateField(_l("Date of completion"),
                                  validators=[InputRequired(_l("Enter the date of completion."))])
    hours = WholeNumberField(_l("Hours (optional: the course's hours if empty)"),
                             validators=[Optional(), NumberRange(0, 2000)],
                             render_kw={"inputmode": "numeric"})
    provider = StringField(_l("Provider (optional)"), validators=[Length(max=200)])
    certificate_number = StringField(_l("Certificate number (optional)"),
                                     validators=[Length(max=100)])
    certificate = FileField(_l("Certificate file (optional: PDF, PNG or JPEG)"),
                            render_kw={"accept": ".pdf,.png,.jpg,.jpeg,application/pdf,"
                                                 "image/png,image/jpeg"})


class SafetyRolesForm(FlaskForm):
    roles = SelectMultipleField(_l("Safety roles in their unit"), choices=[],
                                option_widget=CheckboxInput(), widget=ListWidget(prefix_label=False))


class DeadlineFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter changes nothing

    status = SelectField(_l("Show"), choices=[], default="attention")
    unit = SelectField(_l("Unit"), coerce=_coerce_id, choices=[], default=0)
    course = SelectField(_l("Course"), coerce=_coerce_id, choices=[], default=0)
    on = LocalDateField(_l("Coverage on"), validators=[Optional()])


class RuleForm(FlaskForm):
    course_id = SelectField(_l("Course"), coerce=_coerce_id,
                            validators=[InputRequired(_l("Choose a course."))])
    job_title = SelectField(_l("Job title"), choices=[])
    work_relationship = SelectField(_l("Working relationship"), choices=[])
    unit_id = SelectField(_l("Unit"), coerce=_coerce_id, choices=[])
    safety_role = SelectField(_l("Safety role"), choices=[])


class CoverageForm(FlaskForm):
    unit_id = SelectField(_l("Unit"), coerce=_coerce_id,
                          validators=[InputRequired(_l("Choose a unit."))])
    role = SelectField(_l("Safety role"), choices=[])
    minimum = WholeNumberField(_l("At least this many valid people"),
                               validators=[InputRequired(_l("Enter a number from 1 to 50.")),
                                           NumberRange(1, 50)],
                               render_kw={"inputmode": "numeric"})


class CourseForm(FlaskForm):
    name_it = StringField(_l("Name in Italian"), validators=[InputRequired(), Length(max=200)])
    name_en = StringField(_l("Name in English"), validators=[InputRequired(), Length(max=200)])
    legal_basis = StringField(_l("Legal basis"), validators=[Length(max=300)])
    hours_first = WholeNumberField(_l("Hours of the first course"),
                                   validators=[InputRequired(), NumberRange(0, 2000)])
    hours_renewal = WholeNumberField(_l("Hours of each renewal (empty: none)"),
                                     validators=[Optional(), NumberRange(0, 2000)])
    validity_months = WholeNumberField(_l("Valid for months (empty: never expires)"),
                                       validators=[Optional(), NumberRange(1, 600)])
    safety_role = SelectField(_l("Counts for the safety role"), choices=[])
    skill_id = SelectField(_l("Linked skill"), coerce=_coerce_id, choices=[])
    aliases = StringField(_l("Other names, separated by |"), validators=[Length(max=1000)])
    source = TextAreaField(_l("Source of these values (check it locally)"),
                           validators=[Length(max=2000)])
    active = BooleanField(_l("In use"))
