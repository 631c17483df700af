"""Forms of the taxonomy editor. The service checks the values (one set of rules for the
pages and the imports); the forms carry the fields and the CSRF token."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from skillmap.web.forms import FlaskForm
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice


class SkillForm(FlaskForm):
    area_id = SelectField(_l("Area"), coerce=str, validate_choice=False)
    name_it = StringField(_l("Name in Italian"), render_kw={"maxlength": 200})
    name_en = StringField(_l("Name in English"), render_kw={"maxlength": 200})
    description_it = TextAreaField(_l("Description in Italian"), render_kw={"rows": 3})
    description_en = TextAreaField(_l("Description in English"), render_kw={"rows": 3})
    aliases = TextAreaField(_l("Other names (aliases), one a line"), render_kw={"rows": 4})
    esco_uri = StringField(_l("ESCO address (URI)"), render_kw={
        "inputmode": "url", "spellcheck": "false", "autocomplete": "off"})
    submit = SubmitField(_l("Save"))

    def fill_choices(self, areas) -> None:
        self.area_id.choices = [SelectChoice("", _l("Choose an area"))] + [
            SelectChoice(str(a.id), ("– " * depth) + a.name_it) for a, depth in areas]


class AreaForm(FlaskForm):
    name_it = StringField(_l("Name in Italian"), render_kw={"maxlength": 200})
    name_en = StringField(_l("Name in English"), render_kw={"maxlength": 200})
    description_it = TextAreaField(_l("Description in Italian"), render_kw={"rows": 3})
    description_en = TextAreaField(_l("Description in English"), render_kw={"rows": 3})
    parent_id = SelectField(_l("Inside the area"), coerce=str, validate_choice=False)
    submit = SubmitField(_l("Save"))

    def fill_choices(self, areas, but=None) -> None:
        self.parent_id.choices = [SelectChoice("", _l("None: a main area"))] + [
            SelectChoice(str(a.id), ("– " * depth) + a.name_it) for a, depth in areas
            if but is None or a.id != but]


class RetireForm(FlaskForm):
    submit = SubmitField(_l("Retire"))


class MergeConfirmForm(FlaskForm):
    into = StringField()
    submit = SubmitField(_l("Merge"))
