"""Training plans (HR): propose from a window, edit, save, add and remove lines, export."""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from skillmap import clock
from skillmap.engine.training import add_months
from skillmap.extensions import db
from skillmap.i18n import lang, spreadsheet_csv
from skillmap.models import Person, TrainingPlan
from skillmap.services import org_structure, training_plan
from skillmap.services.training_plan_export import export_plan, kind_name
from skillmap.web import nav
from skillmap.web.access import require_same_org, roles
from skillmap.web.inputs import db_id
from skillmap.web.training import bp

nav.add("training.plans", _l("Training plans"), order=63)

HR = ("manager", "admin")
EXPORTS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _day(value, default: date) -> date | None:
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _window():
    start = _day(request.values.get("start"), clock.today())
    end = _day(request.values.get("end"), add_months(clock.today(), 12) - timedelta(days=1))
    if start is None or end is None or end < start or (end - start).days > 3 * 366:
        return None, None
    return start, end


def _int(name: str, default: int | None, low: int, high: int) -> int | None:
    raw = (request.form.get(name) or "").strip()
    if not raw:
        return default
    try:
        return min(high, max(low, int(raw)))
    except ValueError:
        return default


@bp.route("/plans")
@roles(*HR)
def plans():
    rows = db.session.scalars(sa.select(TrainingPlan).where(
        TrainingPlan.organisation_id == current_user.organisation_id)
        .order_by(TrainingPlan.created_at.desc())).all()
    start = clock.today()
    return render_template("training/plans.html", plans=rows, start=start,
                           end=add_months(start, 12) - timedelta(days=1))


@bp.route("/plans/new", methods=["GET", "POST"])
@roles(*HR)
def new_plan():
    start, end = _window()
    if start is None:
        flash(_("Choose a window: the end after the start, at most three years."), "danger")
        return redirect(url_for("training.plans"))
    org = current_user.organisation_id
    lines = training_plan.propose(org, start, end, lang())
    if request.method == "POST":
        kept = []
        for i, line in enumerate(lines):
            if not request.form.get(f"keep-{i}"):
                continue
            chosen = {db_id(v) for v in request.form.getlist(f"people-{i}")}
            line.participants = [p for p in line.participants if p in chosen]
            line.hours_each = _int(f"hours-{i}", line.hours_each, 0, 2000)
            line.priority = _int(f"priority-{i}", line.priority, 1, 3)
            line.estimated_cost = _int(f"cost-{i}", None, 0, 10_000_000)
            kept.append(line)
        title = (request.form.get("title") or "").strip() or _("Training plan %(start)s – %(end)s",
                                                              start=start, end=end)
        plan = training_plan.save_plan(org, title, start, end, kept, actor=current_user)
        db.session.commit()
        flash(_("Plan saved."), "success")
        return redirect(url_for("training.plan", plan_id=plan.id))
    names = {p.id: p for p in db.session.scalars(sa.select(Person).where(
        Person.id.in_({p for ln in lines for p in ln.participants})))} if lines else {}
    return render_template("training/plan_new.html", lines=lines, names=names, start=start,
                           end=end, kind_name=kind_name)


def _plan(plan_id: int) -> TrainingPlan:
    plan = db.session.get(TrainingPlan, plan_id)
    require_same_org(plan)
    return plan


@bp.route("/plans/<int:plan_id>")
@roles(*HR)
def plan(plan_id: int):
    plan = _plan(plan_id)
    org = current_user.organisation_id
    return render_template("training/plan.html", plan=plan, kind_name=kind_name,
                           units=org_structure.units(org, include_retired=False),
                           titles=org_structure.job_titles(org, include_retired=False))


@bp.route("/plans/<int:plan_id>/lines", methods=["POST"])
@roles(*HR)
def add_plan_line(plan_id: int):
    plan = _plan(plan_id)
    topic = (request.form.get("topic") or "").strip()
    if not topic:
        flash(_("Enter the topic of the line."), "danger")
        return redirect(url_for("training.plan", plan_id=plan.id) + "#add-line")
    q = sa.select(Person.id).where(Person.organisation_id == plan.organisation_id,
                                   Person.end_date.is_(None))
    unit_id = db_id(request.form.get("unit"))
    if unit_id:
        q = q.where(Person.unit_id == unit_id)
    if request.form.get("job_title"):
        q = q.where(Person.job_title == request.form["job_title"])
    people = list(db.session.scalars(q)) if unit_id or request.form.get("job_title") else []
    kind = request.form.get("kind") if request.form.get("kind") in ("mandatory", "development") \
        else "development"
    training_plan.add_line(plan, training_plan.Line(
        topic=topic, kind=kind, hours_each=_int("hours", 8, 0, 2000),
        priority=_int("priority", 2, 1, 3), reason=(request.form.get("reason") or "").strip(),
        participants=people, topic_area=(request.form.get("topic_area") or "").strip(),
        estimated_cost=_int("cost", None, 0, 10_000_000)))
    db.session.commit()
    flash(_("Line added."), "success")
    return redirect(url_for("training.plan", plan_id=plan.id))


@bp.route("/plans/<int:plan_id>/lines/<int:line_id>/delete", methods=["POST"])
@roles(*HR)
def remove_plan_line(plan_id: int, line_id: int):
    plan = _plan(plan_id)
    try:
        training_plan.remove_line(plan, line_id)
    except LookupError:
        abort(404)
    db.session.commit()
    flash(_("Line removed."), "success")
    return redirect(url_for("training.plan", plan_id=plan.id))


@bp.route("/plans/<int:plan_id>/export.<fmt>")
@roles(*HR)
def export_plan_file(plan_id: int, fmt: str):
    if fmt not in EXPORTS:
        abort(404)
    plan = _plan(plan_id)
    kw = spreadsheet_csv() if fmt == "csv" else {}
    body = export_plan(plan, fmt, lang(), **kw)
    return Response(body, mimetype=EXPORTS[fmt], headers={
        "Content-Disposition": f'attachment; filename="piano-formativo-{plan.id}.{fmt}"',
        "Cache-Control": "no-store"})
