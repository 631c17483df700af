"""API tokens (admins only): create one (its text is shown once, on the answer to the
form, never again), see when each was last used, revoke."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from skillmap.web.forms import FlaskForm, IntegerField
from wtforms import SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from skillmap.extensions import db
from skillmap.models import ApiToken
from skillmap.services import api_tokens
from skillmap.web import nav
from skillmap.web.access import roles
from skillmap.web.admin import bp

nav.add("admin.api_tokens", _l("API tokens"), order=90)

SCOPE_NAMES = {"read": _l("Read only"), "write": _l("Read and write people and profiles")}
STATE_NAMES = {"active": _l("Active"), "expired": _l("Expired"), "revoked": _l("Revoked")}


class TokenForm(FlaskForm):
    name = StringField(_l("Name (what uses the token)"), validators=[
        DataRequired(_l("Enter a name.")), Length(max=100)])
    scope = SelectField(_l("What the token may do"),
                        choices=[SelectChoice(k, v) for k, v in SCOPE_NAMES.items()],
                        default="read")
    expires_days = IntegerField(_l("Expires after (days, empty: never)"), validators=[
        Optional(), NumberRange(1, 3650, _l("Enter a number of days from 1 to 3650."))],
        default=365)
    submit = SubmitField(_l("Create token"))


class RevokeForm(FlaskForm):
    submit = SubmitField(_l("Revoke"))


@bp.route("/api-tokens", methods=["GET", "POST"], endpoint="api_tokens")
@roles("admin")
def api_tokens_page():
    form = TokenForm()
    created = None
    if form.validate_on_submit():
        try:
            token, clear = api_tokens.create_token(
                current_user.organisation_id, form.name.data, form.scope.data,
                expires_days=form.expires_days.data, actor=current_user)
        except api_tokens.TokenError:
            form.name.errors = list(form.name.errors or []) + [_("This token cannot be created.")]
        else:
            db.session.commit()
            created = {"token": token, "text": clear}
            form = TokenForm(formdata=None)
    return render_template("admin/api_tokens.html", form=form, created=created,
                           tokens=api_tokens.tokens(current_user.organisation_id),
                           state=api_tokens.state, revoke_form=RevokeForm(),
                           SCOPE_NAMES=SCOPE_NAMES, STATE_NAMES=STATE_NAMES)


@bp.route("/api-tokens/<int:token_id>/revoke", methods=["POST"])
@roles("admin")
def revoke_api_token(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.organisation_id != current_user.organisation_id:
        abort(404)
    if RevokeForm().validate_on_submit():
        if api_tokens.revoke_token(token, actor=current_user):
            db.session.commit()
            flash(_("Token %(name)s revoked: it no longer works.", name=token.name), "success")
    return redirect(url_for("admin.api_tokens"))
