"""Each role's home page and the privacy notice."""
from flask import current_app, redirect, render_template, request, url_for
from flask_login import current_user

from skillmap.extensions import db
from skillmap.services import accounts, advice, backup, dashboard
from skillmap.web.redirects import safe_next
from skillmap.web.access import roles
from skillmap.web.main import bp


@bp.route("/")
@roles("*")
def home():
    role = current_user.role
    if role == "employee":
        data = dashboard.employee_summary(current_user.person)
        data["grow_next"] = advice.grow_next(current_user.person)
    elif role == "coordinator":
        data = dashboard.coordinator_summary(current_user)
    elif role == "manager":
        data = dashboard.manager_summary(current_user.organisation_id,
                                         current_app.config["PRIVACY_MIN_GROUP"])
    else:
        data = dashboard.admin_summary(current_user.organisation_id)
        data["backup"] = backup.backup_status()
        data["attention"] = dashboard.needs_attention(current_user.organisation_id)
    if current_user.person is not None:
        data["training_due"] = _training_due(current_user.person)
    return render_template(f"main/home_{role}.html", **data)


def _training_due(person):
    """The person's own expired, expiring and missing courses, in plain words."""
    from skillmap.i18n import lang
    from skillmap.services import training_status
    from skillmap.services.training_words import with_words

    return with_words(training_status.person_status(person, locale=lang()), attention_only=True)


@bp.route("/privacy", methods=["GET", "POST"])
@roles("*")
def privacy():
    if request.method == "POST":  # "I have read it", CSRF-checked like every form
        accounts.mark_privacy_seen(current_user)
        db.session.commit()
        return redirect(safe_next(request.form.get("next"), url_for("main.home")))
    return render_template("main/privacy.html", first=current_user.privacy_seen_at is None,
                           next=request.args.get("next", ""))
