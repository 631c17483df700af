"""Bulk import of past training records from CSV or XLSX, through the shared machinery.

One row per completed course: the person's e-mail, the course (code or name, Italian or
English), the date of completion and, optionally, hours, provider and certificate
number. Records are keyed by (person, course, date): the same file twice changes nothing
the second time; a known record whose hours, provider or number differ is updated.
:func:`validate` writes nothing; :func:`apply` flushes bulk statements (the command or
the page commits once), updates the linked skills with history rows of source
``import`` and writes one audit event ``import.training``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from skillmap import clock
from skillmap.engine.training import expiry_date
from skillmap.extensions import db
from skillmap.models import (
    Person,
    PersonSkill,
    SkillChange,
    TrainingCourse,
    TrainingRecord,
)
from skillmap.models.base import utcnow
from skillmap.services import audit, importing, tabular

__all__ = ["COLUMNS", "SHEETS", "TrainingPlan", "apply", "read", "read_file", "validate"]

COLUMNS = {
    "email": ("e-mail", "mail", "posta elettronica"),
    "course": ("corso", "codice corso", "course code"),
    "completed_on": ("data", "completato il", "data completamento", "svolto il", "date",
                     "completed", "completion date"),
    "hours": ("ore", "hours"),
    "provider": ("ente", "ente formatore", "provider"),
    "certificate_number": ("numero attestato", "attestato", "certificate", "certificate number"),
}
SHEETS = ("Formazione", "Training")
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")


def read(data: bytes, filename: str) -> tabular.Table:
    cfg = current_app.config
    return tabular.read_table(data, filename, columns=COLUMNS, sheets=SHEETS,
                              max_bytes=cfg["IMPORT_MAX_BYTES"], max_rows=cfg["IMPORT_MAX_ROWS"])


def read_file(path: str) -> tabular.Table:
    cfg = current_app.config
    return tabular.read_path(path, columns=COLUMNS, sheets=SHEETS,
                             max_bytes=cfg["IMPORT_MAX_BYTES"], max_rows=cfg["IMPORT_MAX_ROWS"])


@dataclass
class TrainingImportPlan(importing.Plan):
    organisation_id: int = 0
    #: row number -> the values to write
    rows: dict = field(default_factory=dict)
    #: row number -> id of the record to update
    updates: dict = field(default_factory=dict)


TrainingPlan = TrainingImportPlan  # the name docs/IMPORTS.md uses for "an import's plan"


def _day(text: str) -> date | None:
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def validate(org_id: int, table: tabular.Table, *, filename: str = "",
             today: date | None = None) -> TrainingImportPlan:
    """Check every row and say what the import will do (reads only)."""
    today = today or clock.today()
    report = importing.Report()
    importing.check_columns(table, report, {"email": "email", "course": "course",
                                            "completed_on": "completed_on"})
    importing.check_formulas(table, report)
    plan = TrainingImportPlan(report, filename=filename, organisation_id=org_id)
    if report.fatal:
        return plan
    people = {e.casefold(): i for i, e in db.session.execute(sa.select(
        Person.id, Person.email).where(Person.organisation_id == org_id,
                                       Person.email.is_not(None))).all()}
    courses = {}
    for c in db.session.scalars(sa.select(TrainingCourse).where(
            TrainingCourse.organisation_id == org_id)):
        for key in (c.code, c.name_it, c.name_en):
            courses.setdefault(_fold(key), c)
    known = {(p, c, d): (i, h, pr, n) for i, p, c, d, h, pr, n in db.session.execute(sa.select(
        TrainingRecord.id, TrainingRecord.person_id, TrainingRecord.course_id,
        TrainingRecord.completed_on, TrainingRecord.hours, TrainingRecord.provider,
        TrainingRecord.certificate_number).where(TrainingRecord.organisation_id == org_id))}
    created = updated = unchanged = 0
    seen = set()
    for row in table.rows:
        v = row.values
        person = people.get(v.get("email", "").casefold())
        if person is None:
            report.add(row.number, table.label("email"),
                       _l("No person has this e-mail: import or create the person first."))
        course = courses.get(_fold(v.get("course", "")))
        if course is None:
            report.add(row.number, table.label("course"),
                       _l("Unknown course: use a code or a name of the catalogue."))
        day = _day(v.get("completed_on", ""))
        if day is None:
            report.add(row.number, table.label("completed_on"),
                       _l("Not a date: write it as 31/03/2025 or 2025-03-31."))
        elif day > today:
            report.add(row.number, table.label("completed_on"),
                       _l("The date of completion cannot be in the future."))
        hours = None
        if v.get("hours"):
            try:
                hours = int(v["hours"])
                if not 0 <= hours <= 2000:
                    raise ValueError
            except ValueError:
                report.add(row.number, table.label("hours"),
                           _l("Hours must be a whole number between 0 and 2000."))
        if report.is_bad(row.number):
            continue
        key = (person, course.id, day)
        if key in seen:
            report.add(row.number, None, _l("The same course and date appear twice for this "
                                            "person."))
            continue
        seen.add(key)
        values = {"person_id": person, "course_id": course.id, "completed_on": day,
                  "expires_on": expiry_date(day, course.validity_months),
                  "hours": course.hours_first if hours is None else hours,
                  "provider": v.get("provider", "")[:200],
                  "certificate_number": v.get("certificate_number", "")[:100],
                  "skill_id": course.skill_id}
        old = known.get(key)
        if old is None:
            created += 1
        elif (old[1], old[2], old[3]) != (values["hours"], values["provider"],
                                          values["certificate_number"]):
            updated += 1
            plan.updates[row.number] = old[0]
        else:
            unchanged += 1
            continue
        plan.rows[row.number] = values
    plan.preview = [importing.PreviewLine(str(_l("Training records")), created, updated,
                                          unchanged)]
    return plan


def apply(plan: TrainingImportPlan, *, actor_id: int | None, only_valid: bool = False) -> dict:
    """Write the plan (flushed; the caller commits once)."""
    org = plan.organisation_id
    now = utcnow()
    new = [dict(v, organisation_id=org, created_by_id=actor_id, created_at=now)
           for n, v in plan.rows.items() if n not in plan.updates]
    for row in new:
        row.pop("skill_id")
    if new:
        importing.bulk_insert(TrainingRecord.__table__, new)
    for n, record_id in plan.updates.items():
        v = plan.rows[n]
        db.session.execute(sa.update(TrainingRecord).where(TrainingRecord.id == record_id)
                           .values(hours=v["hours"], provider=v["provider"],
                                   certificate_number=v["certificate_number"]))
    skills = _update_skills(plan, actor_id)
    audit.record(org, actor_id, "import.training", detail=json.dumps({
        "file": plan.filename, "records_created": len(new), "records_updated": len(plan.updates),
        "skills_updated": skills, "rows_skipped": plan.report.bad_rows}))
    db.session.flush()
    return {"created": len(new), "updated": len(plan.updates), "skills": skills}


def _update_skills(plan: TrainingImportPlan, actor_id: int | None) -> int:
    """The linked skills: the furthest certificate expiry, the skill added when missing."""
    from skillmap.services.training import LEVEL_FROM_COURSE

    best: dict[tuple, object] = {}
    for v in plan.rows.values():
        if v["skill_id"] is None:
            continue
        key = (v["person_id"], v["skill_id"])
        exp = v["expires_on"] or date.max
        best[key] = max(best.get(key, date.min), exp)
    if not best:
        return 0
    have = {(ps.person_id, ps.skill_id): ps for ps in db.session.scalars(
        sa.select(PersonSkill).where(PersonSkill.person_id.in_({p for p, _s in best})))}
    changes = []
    for (person, skill), exp in best.items():
        exp = None if exp == date.max else exp
        ps = have.get((person, skill))
        if ps is None:
            db.session.add(PersonSkill(person_id=person, skill_id=skill,
                                       level=LEVEL_FROM_COURSE, evidence_expires_on=exp))
            changes.append({"person_id": person, "skill_id": skill, "changed_by_id": actor_id,
                            "kind": "added", "old_level": None,
                            "new_level": LEVEL_FROM_COURSE, "source": "import"})
            continue
        old = ps.level
        ps.level = ps.level or LEVEL_FROM_COURSE
        if exp is None or ps.evidence_expires_on is None or exp > ps.evidence_expires_on:
            ps.evidence_expires_on = exp
        changes.append({"person_id": person, "skill_id": skill, "changed_by_id": actor_id,
                        "kind": "training", "old_level": old, "new_level": ps.level,
                        "source": "import"})
    db.session.flush()
    db.session.execute(sa.insert(SkillChange), changes)
    return len(changes)
