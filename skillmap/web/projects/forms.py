"""Forms for projects, required skills, ideas, interest and the team builder."""
from flask_babel import lazy_gettext as _l
from skillmap.web.forms import FlaskForm, IntegerField
from wtforms import (BooleanField, DateField, HiddenField, SelectField,
                     SelectMultipleField, StringField, SubmitField, TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.validators import ValidationError

from skillmap.i18n import PROJECT_STATUS_NAMES
from skillmap.services.projects import MAX_TEAM, allowed_statuses



def _int(label, low, high, message, default=None, required=True):
    checks = [InputRequired(message)] if required else [Optional()]
    return IntegerField(label, default=default,
                        validators=checks + [NumberRange(low, high, message=message)])


class ProjectForm(FlaskForm):
    title = StringField(_l("Title"), validators=[
        DataRequired(_l("Enter a title.")), Length(max=200, message=_l("Use at most 200 characters."))])
    description = TextAreaField(_l("Description"), validators=[Length(max=5000)])
    goals = TextAreaField(_l("Goals"), validators=[Length(max=5000)])
    start_date = DateField(_l("Start"), validators=[Optional()])
    end_date = DateField(_l("End"), validators=[Optional()])
    hours_per_month = _int(_l("Expected hours per month for each member"), 0, 200,
                           _l("Enter a number of hours from 0 to 200."), default=0)
    team_size = _int(_l("Team size"), 1, MAX_TEAM,
                     _l("Enter a team size from 1 to %(n)d people.", n=MAX_TEAM), default=4)
    status = SelectField(_l("Status"), validate_choice=False)
    submit = SubmitField(_l("Save the project"))

    def __init__(self, *args, current_status=None, **kwargs):
        super().__init__(*args, **kwargs)
        self._current = current_status
        self.status.choices = [SelectChoice(s, PROJECT_STATUS_NAMES[s])
                               for s in allowed_statuses(current_status)]
        if self.status.data is None:
            self.status.data = current_status or "staffing"

    def validate_status(self, field):
        if field.data not in allowed_statuses(self._current):
            raise ValidationError(_l("A project only moves forward: idea, looking for a team, "
                                     "active, closed."))

    def validate_end_date(self, field):
        if field.data and self.start_date.data and field.data < self.start_date.data:
            raise ValidationError(_l("The end cannot come before the start."))


class IdeaForm(FlaskForm):
    title = StringField(_l("Title"), validators=[
        DataRequired(_l("Enter a title.")), Length(max=200, message=_l("Use at most 200 characters."))])
    description = TextAreaField(_l("What is the idea?"), validators=[
        DataRequired(_l("Describe the idea in a few words.")), Length(max=5000)])
    goals = TextAreaField(_l("Goals"), validators=[Length(max=5000)])
    submit = SubmitField(_l("Propose the idea"))


class RequirementForm(FlaskForm):
    skill = SelectField(_l("Skill"), coerce=int, validate_choice=False)
    min_level = _int(_l("Minimum level (1-5)"), 1, 5, _l("Choose a level from 1 to 5."), default=3)
    weight = _int(_l("Importance (1-5)"), 1, 5, _l("Choose an importance from 1 to 5."), default=3)
    count = _int(_l("People needed at this level"), 1, MAX_TEAM,
                 _l("Enter from 1 to %(n)d people.", n=MAX_TEAM), default=1)
    submit = SubmitField(_l("Add the skill"))

    def __init__(self, *args, skills=(), taken=(), **kwargs):
        """``skills``: (Skill, SkillArea) pairs offered; ``taken``: skill ids already required."""
        super().__init__(*args, **kwargs)
        from skillmap.i18n import lang

        en = lang() == "en"
        self._known = {s.id for s, _ in skills}
        self._taken = set(taken)
        self.skill.choices = [SelectChoice(0, _l("Choose a skill…"))] + [
            SelectChoice(s.id, s.name_en if en else s.name_it,
                         optgroup=(a.name_en if en else a.name_it) if a else "—")
            for s, a in skills]

    def validate_skill(self, field):
        if not field.data:
            raise ValidationError(_l("Choose a skill from the list."))
        if field.data not in self._known:
            raise ValidationError(_l("This skill is not in the taxonomy."))
        if field.data in self._taken:
            raise ValidationError(_l("The project already requires this skill: change it "
                                     "in the list of required skills."))


class EditRequirementForm(RequirementForm):
    """One required skill changed in place; ``version`` is the row's version when the page
    was drawn (an edit from an older page is refused)."""

    version = HiddenField()
    submit = SubmitField(_l("Save the changes"))

    def seen_version(self) -> int:
        raw = (self.version.data or "").strip()
        return int(raw) if raw.isdigit() else -1


class SkillSearchForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Search a skill"), validators=[Length(max=100)])


class ActionForm(FlaskForm):
    """A button with nothing but the CSRF token (take up, interest, withdraw, accept...)."""


class TeamOptionsForm(FlaskForm):
    """The team builder's options, sent with GET: asking again changes nothing."""

    class Meta:
        csrf = False

    asked = HiddenField(default="1")
    pins = SelectMultipleField(_l("Keep in the team"), coerce=int, validate_choice=False)
    excludes = SelectMultipleField(_l("Leave out"), coerce=int, validate_choice=False)
    team = SelectMultipleField(_l("Team"), coerce=int, validate_choice=False)
    max_per_unit = _int(_l("At most this many people from one unit"), 1, MAX_TEAM,
                        _l("Enter from 1 to %(n)d people, or leave empty.", n=MAX_TEAM),
                        required=False)
    growth_places = _int(_l("Growth places"), 0, 10, _l("Enter from 0 to 10 places."),
                         default=0, required=False)
    widen = BooleanField(_l("Look beyond the people who declared hours available"))
    submit = SubmitField(_l("Ask for a suggestion"))

    def __init__(self, *args, team_size=1, **kwargs):
        super().__init__(*args, **kwargs)
        self._team_size = team_size

    def validate_pins(self, field):
        if len(set(field.data or [])) > self._team_size:
            raise ValidationError(_l("You kept %(n)d people but the team has %(size)d places.",
                                     n=len(set(field.data)), size=self._team_size))

    def validate_excludes(self, field):
        if set(field.data or []) & set(self.pins.data or []):
            raise ValidationError(_l("A person cannot be both kept and left out."))


class SwapForm(FlaskForm):
    class Meta:
        csrf = False

    team = SelectMultipleField(_l("Team"), coerce=int, validate_choice=False)
    swap_out = SelectField(_l("Take out"), coerce=int, validate_choice=False)
    swap_in = SelectField(_l("Put in"), coerce=int, validate_choice=False)
    submit = SubmitField(_l("Swap and recompute"))


class SaveTeamForm(FlaskForm):
    #: the project's team_version when the page was drawn (a save from an older page is refused)
    team_version = HiddenField()
    members = SelectMultipleField(_l("Members"), coerce=int, validate_choice=False)
    growth = SelectMultipleField(_l("Growth places"), validate_choice=False)
    #: "1" once the coordinator has confirmed that people leave the saved team
    confirmed = HiddenField()
    submit = SubmitField(_l("Save the team and send the invitations"))

    def seen_version(self) -> int:
        """The version the page was drawn from; a page without one (older than the field)
        counts as stale (-1 never matches)."""
        raw = (self.team_version.data or "").strip()
        return int(raw) if raw.isdigit() else -1

    def growth_pairs(self) -> list[tuple[int, int]]:
        pairs = []
        for value in self.growth.data or []:
            person, _, mentor = str(value).partition(":")
            if not (person.isdigit() and mentor.isdigit()):
                raise ValueError(value)
            pairs.append((int(person), int(mentor)))
        return pairs
