"""Report filters (GET) and the role-target forms."""
from flask_babel import lazy_gettext as _l
from skillmap.web.forms import FlaskForm
from wtforms import Form, SelectField, SelectMultipleField, StringField, SubmitField
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


class TrendsForm(Form):
    """The trends page's own choices, from the query string: skills, period, two months.

    ``skills`` are (id, name, area) of the taxonomy; ``months`` are ("YYYY-MM", label).
    Unknown values are ignored rather than refused: it is a filter that changes nothing.
    """

    skill = SelectMultipleField(_l("Skills to follow"), validate_choice=False)
    period = SelectField(_l("Period"), validate_choice=False)
    month_a = SelectField(_l("Compare the end of (A)"), validate_choice=False)
    month_b = SelectField(_l("with the end of (B)"), validate_choice=False)

    def __init__(self, formdata, skills, months, periods):
        super().__init__(formdata)
        groups: dict = {}
        for sid, name, area in skills:
            groups.setdefault(area, []).append(SelectChoice(str(sid), name))
        self.skill.choices = groups
        self.period.choices = [SelectChoice(str(n), _l("Last %(n)d months", n=n))
                               for n in periods]
        self.month_a.choices = [SelectChoice("", _l("First month of the period"))] + [
            SelectChoice(k, label) for k, label in months]
        self.month_b.choices = [SelectChoice("", _l("Last month of the period"))] + [
            SelectChoice(k, label) for k, label in months]
        self._ids = {str(sid) for sid, _n, _a in skills}
        self._months = {k for k, _l in months}
        self._periods = {str(n) for n in periods}

    def values(self) -> dict:
        """skill_ids (known ones, in the order given), period, month_a, month_b."""
        ids = []
        for v in self.skill.data or []:
            if v in self._ids and int(v) not in ids:
                ids.append(int(v))
        return {"skill_ids": tuple(ids),
                "period": int(self.period.data) if self.period.data in self._periods else None,
                "month_a": self.month_a.data if self.month_a.data in self._months else None,
                "month_b": self.month_b.data if self.month_b.data in self._months else None}


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
