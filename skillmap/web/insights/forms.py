"""The recompute button: a form with nothing but its CSRF token."""
from flask_babel import lazy_gettext as _l
from skillmap.web.forms import FlaskForm
from wtforms import SubmitField


class RecomputeForm(FlaskForm):
    submit = SubmitField(_l("Recompute now"))
