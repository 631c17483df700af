"""Forms of the profile pages: one per use case, messages in the user's language."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from skillmap import clock
from skillmap.web.forms import FlaskForm, IntegerField
from wtforms import (BooleanField, DateField, HiddenField, RadioField,
                     SearchField, SelectField, SelectMultipleField, StringField, SubmitField,
                     TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from skillmap.i18n import LEVEL_NAMES
from skillmap.services.profiles import FIRST_YEAR, HOURS_MAX, NOTE_MAX

#: languages offered on the profile (ISO 639-1), the most spoken in Italian cooperatives
LANGUAGE_CODES = ("it", "en", "fr", "de", "es", "pt", "ro", "sq", "ar", "uk", "ru", "zh",
                  "hi", "bn", "ur", "wo", "tl", "pl", "lis")


class WholeNumberField(IntegerField):
    """A whole number (hours, a year); a year gives a year as its example."""


class LocalDateField(DateField):
    """A date picker (yyyy-mm-dd) whose parse error speaks plainly."""

    def __init__(self, *args, **kw):
        kw.setdefault("render_kw", {})["type"] = "date"
        super().__init__(*args, format="%Y-%m-%d", **kw)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Enter a real date, for example 2027-03-31."))


def level_choices(with_wish: bool = True) -> list[SelectChoice]:
    out = [SelectChoice(n, f"{n} – {LEVEL_NAMES[n]}") for n in range(1, 6)]
    if with_wish:
        out.insert(0, SelectChoice(0, _l("I do not have it yet: I want to learn it")))
    return out


def _coerce_level(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


class SkillForm(FlaskForm):
    skill_id = HiddenField()
    version = HiddenField()
    level = RadioField(_l("Your level"), choices=[], coerce=_coerce_level,
                       validate_choice=False,
                       validators=[InputRequired(_l("Choose a level from 1 to 5."))])
    wants_to_grow = BooleanField(_l("I want to grow in this skill"))
    last_used_year = WholeNumberField(_l("Year you last used it (optional)"),
                                      example=clock.today().year - 1,
                                      validators=[Optional()],
                                      render_kw={"inputmode": "numeric", "autocomplete": "off"})
    note = TextAreaField(_l("Note (optional): a course, a project or a certificate"),
                         validators=[Length(max=NOTE_MAX, message=_l(
                             "The note can be at most %(n)d characters long.", n=NOTE_MAX))],
                         render_kw={"rows": 3, "maxlength": NOTE_MAX})
    evidence_expires_on = LocalDateField(_l("Certificate expiry date (optional)"),
                                         validators=[Optional()])
    submit = SubmitField(_l("Save"))

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.level.choices = level_choices()  # labels in the language of this request

    def validate_level(self, field):
        if field.data not in (0, 1, 2, 3, 4, 5):
            raise ValidationError(_l("Choose a level from 1 to 5."))
        if field.data == 0 and not self.wants_to_grow.data:
            self.wants_to_grow.data = True  # choosing "I want to learn it" is the wish

    def validate_last_used_year(self, field):
        if field.data is None:
            return
        if field.data > clock.today().year:
            raise ValidationError(_l("The year cannot be in the future."))
        if field.data < FIRST_YEAR:
            raise ValidationError(_l("Enter a year after %(year)d.", year=FIRST_YEAR))


class VersionForm(FlaskForm):
    """Remove a skill: nothing but the version the page was built from."""

    version = HiddenField()
    submit = SubmitField(_l("Remove"))


class SearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form

    q = SearchField(_l("Search a skill by name"),
                    validators=[Length(max=100)],
                    render_kw={"autocomplete": "off", "spellcheck": "false"})


class SettingsForm(FlaskForm):
    availability_hours = WholeNumberField(
        _l("Hours per month for innovation projects"),
        validators=[InputRequired(_l("Enter a number of hours from 0 to %(n)d.", n=HOURS_MAX)),
                    NumberRange(0, HOURS_MAX, message=_l(
                        "Enter a number of hours from 0 to %(n)d.", n=HOURS_MAX))],
        render_kw={"inputmode": "numeric", "min": 0, "max": HOURS_MAX})
    available_until = LocalDateField(_l("Available until (optional)"), validators=[Optional()])
    #: checkboxes (each option an <input type="checkbox"> with its own label)
    languages = SelectMultipleField(_l("Languages I speak"), validate_choice=True,
                                    widget=ListWidget(prefix_label=False),
                                    option_widget=CheckboxInput())
    visible_to_colleagues = BooleanField(_l("Colleagues may find me by skill"))
    email_notifications = BooleanField(_l("E-mail me about project teams"))
    submit = SubmitField(_l("Save"))

    def validate_available_until(self, field):
        if field.data is not None and field.data < clock.today():
            raise ValidationError(_l("The date cannot be in the past."))


class ProposalForm(FlaskForm):
    name = StringField(_l("Name of the skill"), validators=[
        InputRequired(_l("Write the name of the skill.")),
        Length(max=200, message=_l("The name can be at most %(n)d characters long.", n=200))])
    description = TextAreaField(_l("What is it? (optional)"), validators=[
        Length(max=1000, message=_l("The description can be at most %(n)d characters long.",
                                    n=1000))], render_kw={"rows": 3})
    submit = SubmitField(_l("Send the proposal"))


class ErasureForm(FlaskForm):
    submit = SubmitField(_l("Ask to erase my data"))


class WishForm(FlaskForm):
    """Add a suggested skill as a wish: the skill and where to go back to."""

    skill_id = HiddenField()
    next = HiddenField()


class WithdrawForm(FlaskForm):
    submit = SubmitField(_l("Withdraw my request"))


class ConfirmForm(FlaskForm):
    level = SelectField(_l("Confirmed level"), choices=[],
                        coerce=_coerce_level, validate_choice=False)
    comment = StringField(_l("Short comment (optional)"), validators=[
        Length(max=NOTE_MAX, message=_l("The comment can be at most %(n)d characters long.",
                                        n=NOTE_MAX))])
    submit = SubmitField(_l("Confirm"))

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.level.choices = level_choices(with_wish=False)

    def validate_level(self, field):
        if field.data not in (1, 2, 3, 4, 5):
            raise ValidationError(_l("Choose a level from 1 to 5."))


class PeopleSearchForm(FlaskForm):
    class Meta:
        csrf = False

    skill = SearchField(_l("Skill"), validators=[Length(max=100)])
    name = SearchField(_l("Name"), validators=[Length(max=100)])


class AcceptProposalForm(FlaskForm):
    area = SelectField(_l("Area"), coerce=int)
    name_it = StringField(_l("Name in Italian"), validators=[
        InputRequired(_l("Write the name of the skill.")), Length(max=200)])
    name_en = StringField(_l("Name in English"), validators=[
        InputRequired(_l("Write the name of the skill.")), Length(max=200)])
    submit = SubmitField(_l("Accept as a new skill"))


class MapProposalForm(FlaskForm):
    skill = SelectField(_l("Existing skill"), coerce=int)
    submit = SubmitField(_l("It is this existing skill"))


class RejectProposalForm(FlaskForm):
    submit = SubmitField(_l("Reject"))


class ConfirmErasureForm(FlaskForm):
    """An erasure is confirmed by typing the person's name; it runs after a grace period."""

    name = StringField(_l("To confirm, type the person's full name"), validators=[
        DataRequired(_l("Type the person's first and last name.")), Length(max=300)],
        render_kw={"autocomplete": "off", "spellcheck": "false"})
    submit = SubmitField(_l("Confirm the erasure"))


class CancelErasureForm(FlaskForm):
    submit = SubmitField(_l("Cancel the erasure"))
