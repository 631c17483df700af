"""Writing and reading the audit trail.

Every way of seeing another person's data leaves one row per person shown,
with ``subject_person_id`` set, so that the person finds it under "who saw my
data": opening a profile (``profile.viewed``), a people search
(``people.listed``), a team suggestion (``team.suggested``), a named list
behind a report figure (``report.people_listed``) and an export that names
people (``audit.exported``). ``detail`` says in what context.
"""
from __future__ import annotations

import sqlalchemy as sa

from skillmap.extensions import db
from skillmap.models import AuditEvent
from skillmap.models.base import utcnow

#: actions that show another person's data to the actor
DISCLOSURES = ("profile.viewed", "people.listed", "team.suggested", "report.people_listed",
               "audit.exported")


def record(organisation_id: int, actor_id: int | None, action: str, *,
           subject_person_id: int | None = None, detail: str = "") -> AuditEvent:
    """Add an audit event to the current transaction (the caller commits)."""
    event = AuditEvent(organisation_id=organisation_id, actor_id=actor_id, action=action,
                       subject_person_id=subject_person_id, detail=detail[:2000])
    db.session.add(event)
    return event


def record_now(organisation_id: int, actor_id: int | None, action: str, **kw) -> AuditEvent:
    """Record an event in its own commit (for read-only views such as profile views)."""
    event = record(organisation_id, actor_id, action, **kw)
    db.session.commit()
    return event


def record_disclosures(organisation_id: int, actor_id: int | None, action: str,
                       person_ids, *, context: str = "", skip_person_id: int | None = None
                       ) -> int:
    """One audit row per person shown to ``actor_id``, in one bulk INSERT (the caller commits).

    ``skip_person_id`` is the actor's own person (seeing oneself is not a disclosure).
    Returns the number of rows written.
    """
    now = utcnow()
    rows = [{"organisation_id": organisation_id, "actor_id": actor_id, "action": action,
             "subject_person_id": int(pid), "subject_ref": "", "detail": context[:2000],
             "created_at": now}
            for pid in dict.fromkeys(person_ids) if pid is not None and pid != skip_person_id]
    if rows:
        db.session.execute(sa.insert(AuditEvent), rows)
    return len(rows)


def disclosures_about(person_id: int, limit: int = 100):
    """Who saw ``person_id``'s data, when and in what context, newest first."""
    from skillmap.models import User

    return list(db.session.execute(
        sa.select(AuditEvent, User).outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.subject_person_id == person_id, AuditEvent.action.in_(DISCLOSURES))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()).limit(limit)).all())
