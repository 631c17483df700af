"""Report filters (GET) and the role-target forms."""
from flask_babel import lazy_gettext as _l
from skillmap.web.forms import FlaskForm
from wtforms import Form, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from skillmap.i18n import LEVEL_NAMES

LEVEL_CHOICES = [SelectChoice(str(n), f"{n} – {name}") for n, name in LEVEL_NAMES.items()]


class FilterForm(Form):
    """Unit and skill area, read from the query string (no CSRF: it changes nothing)."""

    unit = SelectField(_l("Unit"), validate_choice=True)
    area = SelectField(_l("Skill area"), validate_choice=True)
    submit = SubmitField(_l("Apply filters"))

    def __init__(self, formdata, units, areas, no_unit: bool = True):
        super().__init__(formdata)
        self.unit.choices = [SelectChoice("", _l("All units"))] + [
            SelectChoice(str(i), n) for i, n in units]
        if no_unit:
            self.unit.choices.append(SelectChoice("0", _l("No unit")))
        self.area.choices = [SelectChoice("", _l("All areas"))] + [
            SelectChoice(str(i), n) for i, n in areas]

    def values(self) -> tuple[int | None, int | None]:
        """(unit_id, area_id); an unknown value counts as no filter."""
        ok = {c.value for c in self.unit.choices}, {c.value for c in self.area.choices}
        unit = self.unit.data if self.unit.data in ok[0] else ""
        area = self.area.data if self.area.data in ok[1] else ""
        return (int(unit) if unit else None), (int(area) if area else None)


class RoleTargetForm(FlaskForm):
    job_title = StringField(_l("Job title"), validators=[
        DataRequired(_l("Enter a job title.")), Length(max=200)],
        render_kw={"list": "job-titles", "autocomplete": "off"})
    skill = SelectField(_l("Skill"), validators=[DataRequired(_l("Choose a skill."))])
    min_level = SelectField(_l("Minimum level"), choices=LEVEL_CHOICES,
                            validators=[DataRequired(_l("Choose a level."))])
    submit = SubmitField(_l("Add target"))

    def __init__(self, *args, skills=(), titles=(), existing=None, **kw):
        super().__init__(*args, **kw)
        self.skill.choices = [SelectChoice("", _l("Choose a skill"))] + [
            SelectChoice(str(i), n) for i, n in skills]
        self._titles = set(titles)
        self._existing = existing

    def validate_job_title(self, field):
        if self._titles and field.data.strip() not in self._titles:
            raise ValidationError(_l("Choose a job title that people in the cooperative have."))

    def validate_skill(self, field):
        if self._existing and field.data and self._existing(self.job_title.data.strip(),
                                                            int(field.data)):
            raise ValidationError(_l("This job title already has a target for this skill: "
                                     "change its level in the list."))


class TargetLevelForm(FlaskForm):
    min_level = SelectField(_l("Minimum level"), choices=LEVEL_CHOICES,
                            validators=[DataRequired(_l("Choose a level."))])
    submit = SubmitField(_l("Save level"))
