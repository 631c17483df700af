"""Writing the audit trail."""
from __future__ import annotations

from skillmap.extensions import db
from skillmap.models import AuditEvent


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
