"""GDPR self-service: a person's data as JSON or CSV, and erasure on request.

The CSV export is one long table with the columns ``section, record, field,
value`` (one row per value): every section (person, skills, history,
projects, views, proposals) fits in one file that a spreadsheet opens, and a
record's fields share its ``record`` number. Cells that a spreadsheet would
run as a formula (starting with = + - @, tab or carriage return) get a
leading apostrophe.

Erasure deletes the Person row (skills, history, team places and training records go
with it through ``ON DELETE CASCADE``; certificate files leave the disk after the
commit) and the login account. Audit rows about the
person keep only that something happened to an erased person: no id, no
pseudonym that would link the rows together, no detail (levels, skill ids).
The free text the person wrote goes too: skill proposals not taken into the
taxonomy and project ideas nobody took up are deleted; the others lose their
author (and a proposal its description). On SQLite the deleted rows are
overwritten (``secure_delete``) and the write-ahead log is checkpointed and
truncated, so the surname and e-mail are no longer anywhere in the files.
"""
from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app

from skillmap.extensions import db
from skillmap.models import (AuditEvent, ErasureRequest, Person, PersonSkill,
                             Project, SafetyRoleHolder, SkillChange, SkillProposal, TeamMember,
                             TrainingPlanParticipant, TrainingRecord, TrainingReminder, User)
from skillmap.models.base import utcnow
from skillmap.services import audit

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: what audit rows about an erased person keep instead of the person
ERASED = "erased"
#: audit actions whose detail is text the actor wrote
WROTE_TEXT = ("skill.proposed", "project.proposed", "project.created", "project.updated")


class PrivacyError(ValueError):
    """A privacy request that cannot be carried out."""


def pseudonym(person_id: int) -> str:
    """A stable pseudonym that cannot be turned back into the id without the secret key."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(key, f"person:{person_id}".encode(), hashlib.sha256).hexdigest()
    return f"erased-{digest[:10]}"


# -- export ------------------------------------------------------------------------------

def _plain(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def export_data(person: Person) -> dict:
    """Everything SkillMap holds about ``person``, as plain JSON-ready data."""
    user = person.user
    skills = db.session.scalars(sa.select(PersonSkill).where(PersonSkill.person_id == person.id)
                                .order_by(PersonSkill.id)).all()
    changes = db.session.scalars(sa.select(SkillChange).where(SkillChange.person_id == person.id)
                                 .order_by(SkillChange.changed_at, SkillChange.id)).all()
    members = db.session.execute(
        sa.select(TeamMember, Project).join(Project, Project.id == TeamMember.project_id)
        .where(TeamMember.person_id == person.id).order_by(TeamMember.id)).all()
    views = db.session.execute(
        sa.select(AuditEvent, User).outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.subject_person_id == person.id,
               AuditEvent.action.in_(audit.DISCLOSURES)).order_by(AuditEvent.id)).all()
    proposals = db.session.scalars(sa.select(SkillProposal).where(
        SkillProposal.proposed_by_id == user.id)).all() if user else []
    training = db.session.scalars(sa.select(TrainingRecord).where(
        TrainingRecord.person_id == person.id).order_by(TrainingRecord.completed_on)).all()
    return {
        "person": {
            "first_name": person.first_name, "last_name": person.last_name,
            "email": person.email, "job_title": person.job_title,
            "unit": person.unit.name if person.unit else None,
            "availability_hours": person.availability_hours,
            "available_until": _plain(person.available_until),
            "languages": person.languages, "visible_to_colleagues": person.visible_to_colleagues,
            "account_email": user.email if user else None,
            "account_role": user.role if user else None,
            "created_at": _plain(person.created_at),
        },
        "skills": [{
            "code": ps.skill.code, "name_it": ps.skill.name_it, "name_en": ps.skill.name_en,
            "retired_skill": not ps.skill.active, "level": ps.level, "wants_to_grow": ps.wants_to_grow,
            "last_used_year": ps.last_used_year, "note": ps.note,
            "evidence_expires_on": _plain(ps.evidence_expires_on),
            "confirmed_level": ps.confirmed_level, "confirmed_at": _plain(ps.confirmed_at),
            "confirmation_comment": ps.confirmation_comment,
            "updated_at": _plain(ps.updated_at)} for ps in skills],
        "history": [{
            "skill_code": c.skill.code, "kind": c.kind, "old_level": c.old_level,
            "new_level": c.new_level, "changed_at": _plain(c.changed_at),
            "skill_then_called": c.detail.replace("|", " / ")} for c in changes],
        "projects": [{
            "project": p.title, "status": m.status, "role": m.role,
            "since": _plain(m.created_at)} for m, p in members],
        "profile_views": [{
            "viewed_by": u.email if u else None, "viewer_role": u.role if u else None,
            "viewed_at": _plain(e.created_at), "context": e.action} for e, u in views],
        "skill_proposals": [{
            "name": p.name, "description": p.description, "status": p.status,
            "created_at": _plain(p.created_at)} for p in proposals],
        "training": [{
            "course": t.course.code, "name_it": t.course.name_it,
            "completed_on": _plain(t.completed_on), "expires_on": _plain(t.expires_on),
            "hours": t.hours, "provider": t.provider,
            "certificate_number": t.certificate_number,
            "certificate_file": bool(t.file_key)} for t in training],
    }


def to_json(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def safe_cell(value) -> str:
    """The cell as text, defused if a spreadsheet would read it as a formula."""
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


CSV_HEADERS = ("section", "record", "field", "value")


def to_csv(data: dict, *, headers=CSV_HEADERS, sep: str = ",") -> str:
    """One long CSV: ``section, record, field, value`` (see the module docstring), with
    ``headers`` in the reader's language and their spreadsheet's separator ``sep``."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep)
    writer.writerow(list(headers))
    for section, content in data.items():
        records = content if isinstance(content, list) else [content]
        for number, record in enumerate(records, start=1):
            for key, value in record.items():
                writer.writerow([section, number, key, safe_cell(value)])
    return out.getvalue()


# -- erasure -----------------------------------------------------------------------------

def pending_request(person: Person) -> ErasureRequest | None:
    return db.session.scalar(sa.select(ErasureRequest).where(
        ErasureRequest.person_id == person.id, ErasureRequest.status == "pending"))


def request_erasure(person: Person, *, actor: User) -> ErasureRequest:
    existing = pending_request(person)
    if existing is not None:
        return existing
    req = ErasureRequest(organisation_id=person.organisation_id, person_id=person.id,
                         pseudonym=pseudonym(person.id))
    db.session.add(req)
    audit.record(person.organisation_id, actor.id, "erasure.requested",
                 subject_person_id=person.id)
    db.session.commit()
    return req


def withdraw_erasure(person: Person, *, actor: User) -> None:
    req = pending_request(person)
    if req is None:
        return
    req.status = "withdrawn"
    audit.record(person.organisation_id, actor.id, "erasure.withdrawn",
                 subject_person_id=person.id)
    db.session.commit()


def pending_requests(org_id: int) -> list[ErasureRequest]:
    return list(db.session.scalars(sa.select(ErasureRequest).where(
        ErasureRequest.organisation_id == org_id, ErasureRequest.status == "pending")
        .order_by(ErasureRequest.created_at)))


def carry_out_erasure(req: ErasureRequest, *, actor: User | None) -> None:
    """Erase the person of ``req``: profile, skills, history, team places and account.

    ``actor`` None: the retention task erases after the retention period.
    """
    if req.status != "pending" or req.person_id is None:
        raise PrivacyError("not pending")
    person = db.session.get(Person, req.person_id)
    if person is None:
        raise PrivacyError("person already gone")
    if actor is not None and actor.person_id == person.id:
        raise PrivacyError("own profile")
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(sa.text("PRAGMA secure_delete=ON"))  # zero what is deleted
    db.session.execute(sa.update(AuditEvent).where(AuditEvent.subject_person_id == person.id)
                       .values(subject_person_id=None, subject_ref=ERASED, detail=""))
    user = db.session.scalar(sa.select(User).where(User.person_id == person.id))
    if user is not None:
        _erase_writings(user.id)
        db.session.delete(user)
    # team places and history have no ORM relationship: the database cascades them
    from skillmap.services import training, training_files

    certificates = training.files_of_person(person.id)
    for model in (TrainingRecord, TrainingReminder, SafetyRoleHolder, TrainingPlanParticipant):
        db.session.execute(sa.delete(model).where(model.person_id == person.id))
    db.session.execute(sa.delete(SkillChange).where(SkillChange.person_id == person.id))
    db.session.execute(sa.delete(TeamMember).where(TeamMember.person_id == person.id))
    db.session.delete(person)
    req.person_id = None
    req.status = "done"
    req.done_at = utcnow()
    req.pseudonym = ERASED
    event = audit.record(req.organisation_id, actor.id if actor else None, "person.erased")
    event.subject_ref = ERASED
    db.session.commit()
    training_files.delete_files(certificates)  # the certificates go with the person
    scrub_files()


def _erase_writings(user_id: int) -> None:
    """Delete or anonymise what the user wrote (proposals, project ideas, their audit text)."""
    kept = ("accepted", "mapped")
    db.session.execute(sa.delete(SkillProposal).where(
        SkillProposal.proposed_by_id == user_id, SkillProposal.status.not_in(kept)))
    db.session.execute(sa.update(SkillProposal).where(SkillProposal.proposed_by_id == user_id)
                       .values(proposed_by_id=None, description=""))
    ideas = db.session.scalars(sa.select(Project).where(
        Project.proposed_by_id == user_id, Project.status == "idea")).all()
    for project in ideas:
        db.session.delete(project)
    db.session.execute(sa.update(Project).where(Project.proposed_by_id == user_id)
                       .values(proposed_by_id=None))
    db.session.execute(sa.update(AuditEvent).where(AuditEvent.actor_id == user_id,
                                                   AuditEvent.action.in_(WROTE_TEXT))
                       .values(detail=""))


def scrub_files() -> None:
    """SQLite: copy the write-ahead log into the database and empty it (deleted rows were
    overwritten by ``secure_delete``), so nothing erased is left in either file."""
    engine = db.engine
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
