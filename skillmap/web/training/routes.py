"""Training pages: HR's deadlines and coverage, a person's register, one's own deadlines."""
from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from skillmap import clock
from skillmap.extensions import db
from skillmap.i18n import lang, spreadsheet_csv
from skillmap.models import (
    SAFETY_ROLES,
    Person,
    SafetyRoleHolder,
    TrainingCourse,
    TrainingRecord,
)
from skillmap.services import training, training_files, training_status
from skillmap.services.training_exports import deadline_tables, export_body
from skillmap.services.training_words import status_name, with_words
from skillmap.web import nav
from skillmap.web.access import require_same_org, roles
from skillmap.web.training import bp
from skillmap.web.training.forms import (
    STATUS_FILTERS,
    DeadlineFilterForm,
    RecordForm,
    SafetyRolesForm,
)

nav.add("training.deadlines", _l("Training deadlines"), order=62)
nav.add("training.mine", _l("My training"), order=12,
        when=lambda: current_user.person is not None)

HR = ("manager", "admin")
EXPORTS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
STATUS_LABELS = {"attention": _l("Expired, expiring or missing"), "expired": _l("Expired"),
                 "30": _l("Expiring within 30 days"), "60": _l("Expiring within 60 days"),
                 "90": _l("Expiring within 90 days"), "missing": _l("Missing"),
                 "all": _l("Everything")}


@bp.app_template_filter("certificate_status")
def certificate_status(expires_on):
    """(status, plain words) for a profile skill's certificate expiry, same window as the
    register: "Certificate expired on 1 Jan 2020: renew it."."""
    from skillmap.services.training_words import certificate_words

    return certificate_words(expires_on, clock.today(), training_status.window_days())


def _courses(org_id: int):
    return db.session.scalars(sa.select(TrainingCourse).where(
        TrainingCourse.organisation_id == org_id, TrainingCourse.active)
        .order_by(TrainingCourse.code)).all()


def _filter_form():
    from skillmap.services.reports import filter_options

    form = DeadlineFilterForm(request.args)
    form.status.choices = [(k, STATUS_LABELS[k]) for k in STATUS_FILTERS]
    units = filter_options(current_user.organisation_id, lang())["units"]
    form.unit.choices = [(0, _("All units"))] + [(int(k), v) for k, v in units if k]
    form.course.choices = [(0, _("All courses"))] + [
        (c.id, f"{c.code} – {c.name(lang())}") for c in _courses(current_user.organisation_id)]
    if not form.validate():
        form.status.data, form.unit.data, form.course.data, form.on.data = "attention", 0, 0, None
    return form


def filtered(frame, status: str, unit: int, course: int):
    """The rows the Scadenze filters keep (30/60/90: expiring within that many days)."""
    if frame.empty:
        return frame
    keep = frame["status"] != "not_required"
    if status == "attention":
        keep &= frame["status"].isin(["expired", "expiring", "missing"])
    elif status == "expired":
        keep &= frame["status"] == "expired"
    elif status == "missing":
        keep &= frame["status"] == "missing"
    elif status in ("30", "60", "90"):
        keep &= frame["days_left"].notna() & frame["days_left"].between(0, int(status))
    if unit:
        keep &= frame["unit"] == unit
    if course:
        keep &= frame["course"] == course
    return frame[keep]


@bp.route("/deadlines")
@roles(*HR)
def deadlines():
    form = _filter_form()
    org = current_user.organisation_id
    # the 30/60/90 filters read days_left, so the configured window only names the status
    frame = training_status.status_table(org, locale=lang())
    rows = filtered(frame, form.status.data, form.unit.data, form.course.data)
    on = form.on.data or clock.today()
    cover = training_status.coverage_table(org, on, locale=lang())
    tables = deadline_tables(rows)
    page = render_template("training/deadlines.html", form=form, rows=rows, tables=tables,
                           cover=cover, on=on, status_name=status_name,
                           window=training_status.window_days())
    # everyone the list names finds it under "who saw my data"
    training.record_disclosure(current_user, training.LISTED, rows["person"], via="deadlines")
    db.session.commit()
    return page


@bp.route("/deadlines/export.<fmt>")
@roles(*HR)
def export(fmt: str):
    if fmt not in EXPORTS:
        abort(404)
    form = _filter_form()
    org = current_user.organisation_id
    frame = training_status.status_table(org, locale=lang())
    rows = filtered(frame, form.status.data, form.unit.data, form.course.data)
    on = form.on.data or clock.today()
    cover = training_status.coverage_table(org, on, locale=lang())
    now = datetime.now(UTC)
    info = [(_("Computed at (UTC, ISO 8601)"), now.isoformat(timespec="seconds")),
            (_("Show"), str(STATUS_LABELS[form.status.data])),
            (_("Coverage on"), format_date(on, "medium")),
            (_("Note"), _("Defaults of the catalogue must be checked against the official "
                          "texts; see the source of each course."))]
    kw = spreadsheet_csv() if fmt == "csv" else {}
    body = export_body(fmt, _("Training deadlines"), now, rows, cover, info, **kw)
    training.record_disclosure(current_user, training.LISTED, rows["person"], via=fmt)
    db.session.commit()
    return Response(body, mimetype=EXPORTS[fmt], headers={
        "Content-Disposition": f'attachment; filename="skillmap-scadenze-{now:%Y%m%d}.{fmt}"',
        "Cache-Control": "no-store"})


def _record_form(org_id: int) -> RecordForm:
    form = RecordForm()
    form.course_id.choices = [(0, _("Choose a course"))] + [
        (c.id, f"{c.code} – {c.name(lang())}") for c in _courses(org_id)]
    return form


def _save_record(person: Person, form: RecordForm) -> bool:
    upload = form.certificate.data
    data = training.RecordData(
        course_id=form.course_id.data, completed_on=form.completed_on.data,
        hours=form.hours.data, provider=form.provider.data or "",
        certificate_number=form.certificate_number.data or "",
        file=upload.read(current_app.config["TRAINING_FILE_MAX_BYTES"] + 1)
        if upload and getattr(upload, "filename", "") else None)
    try:
        training.record_course(person, data, actor=current_user)
    except training.TrainingError as exc:
        db.session.rollback()
        getattr(form, exc.field).errors = list(getattr(form, exc.field).errors) + [
            str(exc.message)]
        return False
    db.session.commit()
    flash(_("The course is recorded."), "success")
    return True


def _records(person_id: int):
    return db.session.scalars(sa.select(TrainingRecord).where(
        TrainingRecord.person_id == person_id)
        .order_by(TrainingRecord.completed_on.desc())).all()


@bp.route("/mine", methods=["GET", "POST"])
@roles("*")
def mine():
    person = current_user.person
    if person is None:
        return render_template("profiles/no_person.html"), 404
    form = _record_form(person.organisation_id)
    if form.validate_on_submit() and _save_record(person, form):
        return redirect(url_for("training.mine"))
    status = with_words(training_status.person_status(person, locale=lang()))
    return render_template("training/mine.html", person=person, form=form, status=status,
                           records=_records(person.id)), 400 if form.errors else 200


@bp.route("/people/<int:person_id>", methods=["GET", "POST"])
@roles(*HR)
def person(person_id: int):
    person = db.session.get(Person, person_id)
    require_same_org(person)
    form = _record_form(person.organisation_id)
    role_form = SafetyRolesForm(prefix="roles")
    role_form.roles.choices = [(k, v[1] if lang() == "en" else v[0])
                               for k, v in SAFETY_ROLES.items()]
    if request.method == "POST" and request.form.get("what") == "roles":
        if role_form.validate_on_submit():
            training.set_safety_roles(person, role_form.roles.data)
            db.session.commit()
            flash(_("Safety roles saved."), "success")
            return redirect(url_for("training.person", person_id=person.id))
    elif form.validate_on_submit() and _save_record(person, form):
        return redirect(url_for("training.person", person_id=person.id))
    if request.method == "GET":
        role_form.roles.data = list(db.session.scalars(sa.select(SafetyRoleHolder.role).where(
            SafetyRoleHolder.person_id == person.id)))
    status = with_words(training_status.person_status(person, locale=lang()))
    page = render_template("training/person.html", person=person, form=form,
                           role_form=role_form, status=status, records=_records(person.id))
    training.record_disclosure(current_user, training.VIEWED, [person.id])
    db.session.commit()
    return page, 400 if form.errors or role_form.errors else 200


@bp.route("/records/<int:record_id>/delete", methods=["POST"])
@roles(*HR)
def delete_record(record_id: int):
    record = db.session.get(TrainingRecord, record_id)
    require_same_org(record)
    person_id = record.person_id
    key = training.delete_record(record)
    db.session.commit()
    training_files.delete_files([key])
    flash(_("The record is deleted."), "success")
    return redirect(url_for("training.person", person_id=person_id))


@bp.route("/records/<int:record_id>/certificate")
@roles("*")
def certificate(record_id: int):
    """The certificate file: for the person, HR (managers) and admins of the organisation."""
    record = db.session.get(TrainingRecord, record_id)
    require_same_org(record)
    own = current_user.person_id is not None and current_user.person_id == record.person_id
    if not (own or current_user.role in HR):
        abort(404)
    path = training_files.path_of(record.file_key or "")
    if path is None:
        abort(404)
    if not own:
        training.record_disclosure(current_user, training.CERTIFICATE_READ, [record.person_id])
        db.session.commit()
    ext = path.suffix
    return send_file(path, mimetype=record.file_type, as_attachment=True,
                     download_name=f"attestato-{record.course.code}-{record.completed_on}{ext}",
                     max_age=0)
