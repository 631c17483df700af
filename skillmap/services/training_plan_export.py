"""A saved training plan as XLSX and CSV with what a fund's plan asks for.

Foncoop, a Conto Formativo or a call want, per action: topic and topic area, mandatory
or development training, period, hours per participant and in total, the estimated
cost, and per participant the working relationship and the unit. Two tables: the
actions, and the participants (one row per participant and action).
"""
from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
from flask_babel import format_date
from flask_babel import gettext as _

from skillmap.models import WORK_RELATIONSHIPS, TrainingPlan
from skillmap.services import report_exports
from skillmap.services.report_exports import Table

__all__ = ["export_plan", "plan_tables"]


def kind_name(kind: str) -> str:
    return _("Mandatory") if kind == "mandatory" else _("Development")


def plan_tables(plan: TrainingPlan, locale: str = "it") -> list[Table]:
    period = f"{format_date(plan.window_start, 'short')} – {format_date(plan.window_end, 'short')}"
    actions, people = [], []
    for n, line in enumerate(plan.lines, start=1):
        count = len(line.participants)
        actions.append({
            _("Action"): n, _("Topic"): line.topic, _("Topic area"): line.topic_area,
            _("Type"): kind_name(line.kind), _("Period"): period,
            _("Participants"): count, _("Hours each"): line.hours_each,
            _("Total hours"): line.hours_each * count, _("Priority"): line.priority,
            _("Estimated cost (EUR)"): "" if line.estimated_cost is None else line.estimated_cost,
            _("Reason"): line.reason})
        for part in sorted(line.participants, key=lambda p: (p.person.last_name,
                                                              p.person.first_name)):
            person = part.person
            rel = WORK_RELATIONSHIPS.get(person.work_relationship or "")
            people.append({
                _("Action"): n, _("Topic"): line.topic, _("Type"): kind_name(line.kind),
                _("Last name"): person.last_name, _("First name"): person.first_name,
                _("Working relationship"): (rel[1] if locale == "en" else rel[0]) if rel else "",
                _("Unit"): person.unit.name if person.unit else "",
                _("Job title"): person.job_title or "", _("Hours"): line.hours_each})
    return [Table("actions", _("Training actions"), pd.DataFrame(actions)),
            Table("participants", _("Participants"), pd.DataFrame(people))]


def export_plan(plan: TrainingPlan, fmt: str, locale: str = "it", **kw) -> bytes:
    tables = plan_tables(plan, locale)
    now = datetime.now(UTC)
    total_h = sum(ln.hours_each * len(ln.participants) for ln in plan.lines)
    cost = sum(ln.estimated_cost or 0 for ln in plan.lines)
    info = [(_("Plan"), plan.title),
            (_("Period"), f"{plan.window_start.isoformat()} – {plan.window_end.isoformat()}"),
            (_("Saved on"), plan.created_at.date().isoformat() if plan.created_at else ""),
            (_("Total hours"), total_h), (_("Estimated cost (EUR)"), cost),
            (_("Exported at (UTC, ISO 8601)"), now.isoformat(timespec="seconds"))]
    if fmt == "csv":
        return report_exports.to_csv(plan.title, now, tables, info, **kw)
    return report_exports.to_xlsx(plan.title, now, tables, info, info_sheet=_("Info"))
