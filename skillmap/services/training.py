"""Training records, rules, safety roles and unit minimums: the write side.

Services flush; the view or the command commits once. Recording a course also
updates the linked skill of the person's profile (its certificate expiry, and
the skill itself when the profile lacks it), with a line in the skill's history,
so the next gap report shows the effect.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from skillmap import clock
from skillmap.engine.training import expiry_date
from skillmap.extensions import db
from skillmap.models import (
    SAFETY_ROLES,
    Person,
    PersonSkill,
    SafetyRoleHolder,
    SkillChange,
    TrainingCourse,
    TrainingRecord,
    TrainingRule,
    UnitCoverage,
    User,
)
from skillmap.services import audit, training_files

__all__ = [
    "CERTIFICATE_READ",
    "LISTED",
    "VIEWED",
    "RecordData",
    "TrainingError",
    "add_coverage",
    "add_rule",
    "delete_record",
    "record_course",
    "record_disclosure",
    "set_safety_roles",
]

#: audit actions of someone else (HR, an admin) seeing a person's training data; each
#: person finds them under "who saw my data" (:data:`skillmap.services.audit.DISCLOSURES`)
VIEWED = "training.viewed"              # their training register opened
LISTED = "training.listed"              # named in the deadlines list, on the page or a download
CERTIFICATE_READ = "training.certificate_read"   # one of their certificate files downloaded

#: the level a course gives a skill the profile did not have (2 = basic)
LEVEL_FROM_COURSE = 2


class TrainingError(ValueError):
    """A training entry refused; ``field`` names the form field, ``message`` says why."""

    def __init__(self, field: str, message):
        super().__init__(str(message))
        self.field, self.message = field, message


@dataclass
class RecordData:
    course_id: int
    completed_on: date
    hours: int | None = None
    provider: str = ""
    certificate_number: str = ""
    file: bytes | None = None


def _course(org_id: int, course_id: int) -> TrainingCourse:
    course = db.session.get(TrainingCourse, course_id) if course_id else None
    if course is None or course.organisation_id != org_id:
        raise TrainingError("course_id", _l("Choose a course of the list."))
    return course


def record_course(person: Person, data: RecordData, *, actor: User | None,
                  today: date | None = None) -> TrainingRecord:
    """Add a completed course to ``person``'s register (flushed)."""
    course = _course(person.organisation_id, data.course_id)
    if data.completed_on > (today or clock.today()):
        raise TrainingError("completed_on", _l("The date of completion cannot be in the "
                                               "future."))
    if data.hours is not None and not 0 <= data.hours <= 2000:
        raise TrainingError("hours", _l("Hours must be between 0 and 2000."))
    key = ftype = None
    if data.file:
        try:
            key, ftype = training_files.store(data.file)
        except training_files.CertificateError as exc:
            raise TrainingError("certificate", exc.message) from exc
    record = TrainingRecord(
        organisation_id=person.organisation_id, person_id=person.id, course_id=course.id,
        completed_on=data.completed_on,
        expires_on=expiry_date(data.completed_on, course.validity_months),
        hours=course.hours_first if data.hours is None else data.hours,
        provider=(data.provider or "").strip()[:200],
        certificate_number=(data.certificate_number or "").strip()[:100],
        file_key=key, file_type=ftype, created_by_id=actor.id if actor else None)
    db.session.add(record)
    _update_skill(person, course, record, actor)
    db.session.flush()
    return record


def _update_skill(person: Person, course: TrainingCourse, record: TrainingRecord,
                  actor: User | None) -> None:
    if course.skill_id is None:
        return
    ps = db.session.scalar(sa.select(PersonSkill).where(
        PersonSkill.person_id == person.id, PersonSkill.skill_id == course.skill_id))
    by = actor.id if actor else None
    if ps is None:
        ps = PersonSkill(person_id=person.id, skill_id=course.skill_id, level=LEVEL_FROM_COURSE,
                         note=course.name_it[:500], evidence_expires_on=record.expires_on)
        db.session.add(ps)
        db.session.add(SkillChange(person_id=person.id, skill_id=course.skill_id,
                                   changed_by_id=by, kind="added", old_level=None,
                                   new_level=LEVEL_FROM_COURSE))
        return
    old = ps.level
    if ps.level == 0:  # a wish fulfilled by the course
        ps.level = LEVEL_FROM_COURSE
    current = ps.evidence_expires_on
    if record.expires_on is None or current is None or record.expires_on > current:
        ps.evidence_expires_on = record.expires_on
    db.session.add(SkillChange(person_id=person.id, skill_id=course.skill_id, changed_by_id=by,
                               kind="training", old_level=old, new_level=ps.level))


def delete_record(record: TrainingRecord) -> str | None:
    """Drop a record (flushed); returns its file key, to delete after the commit."""
    key = record.file_key
    db.session.delete(record)
    db.session.flush()
    return key


def files_of_person(person_id: int) -> list[str]:
    """The certificate files of a person (for erasure: delete them after the commit)."""
    return [k for k in db.session.scalars(sa.select(TrainingRecord.file_key).where(
        TrainingRecord.person_id == person_id)) if k]


def set_safety_roles(person: Person, roles) -> None:
    """Name ``person`` to exactly ``roles`` (codes of SAFETY_ROLES) in their unit."""
    wanted = {r for r in roles if r in SAFETY_ROLES}
    rows = db.session.scalars(sa.select(SafetyRoleHolder).where(
        SafetyRoleHolder.person_id == person.id)).all()
    for row in rows:
        if row.role not in wanted:
            db.session.delete(row)
    for role in wanted - {r.role for r in rows}:
        db.session.add(SafetyRoleHolder(person_id=person.id, role=role))
    db.session.flush()


def add_rule(org_id: int, course_id: int, *, job_title=None, work_relationship=None,
             unit_id=None, safety_role=None) -> TrainingRule:
    course = _course(org_id, course_id)
    rule = TrainingRule(organisation_id=org_id, course_id=course.id, job_title=job_title or None,
                        work_relationship=work_relationship or None, unit_id=unit_id or None,
                        safety_role=safety_role or None)
    db.session.add(rule)
    db.session.flush()
    return rule


def add_coverage(org_id: int, unit_id: int, role: str, minimum: int) -> UnitCoverage:
    """Set a unit's minimum of valid holders of ``role`` (replaces the previous one)."""
    row = db.session.scalar(sa.select(UnitCoverage).where(
        UnitCoverage.unit_id == unit_id, UnitCoverage.role == role))
    if row is None:
        row = UnitCoverage(organisation_id=org_id, unit_id=unit_id, role=role)
        db.session.add(row)
    row.minimum = max(1, int(minimum))
    db.session.flush()
    return row


def record_disclosure(viewer: User, action: str, person_ids, *, via: str = "") -> int:
    """One audit row per person whose training ``viewer`` saw (none for oneself), in one
    insert; ``via`` says where (``deadlines``, ``csv``, ``xlsx``). The view commits."""
    return audit.record_disclosures(viewer.organisation_id, viewer.id, action, person_ids,
                                    context=json.dumps({"via": via}) if via else "",
                                    skip_person_id=viewer.person_id)
