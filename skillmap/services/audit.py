"""Writing and reading the audit trail.

Every way of seeing another person's data leaves one row per person shown,
with ``subject_person_id`` set, so that the person finds it under "who saw my
data": opening a profile (``profile.viewed``), a people search
(``people.listed``), a team suggestion (``team.suggested``), a named list
behind a report figure (``report.people_listed``), a person's training register,
the training deadlines or a certificate (``training.viewed``, ``training.listed``,
``training.certificate_read``), an export that names people (``audit.exported``)
and a call of the HR API that returns their data (``api.read``, the actor being
the admin who created the token). ``detail`` says in what context.
"""
from __future__ import annotations

import sqlalchemy as sa

from skillmap.extensions import db
from skillmap.models import AuditEvent
from skillmap.models.base import utcnow

#: actions that show another person's data to the actor
DISCLOSURES = ("profile.viewed", "people.listed", "team.suggested", "report.people_listed",
               "audit.exported", "api.read", "profile.card_viewed", "training.viewed",
               "training.listed", "training.certificate_read")


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


# -- the data protection officer's viewer -------------------------------------------------

#: rows on the page; the CSV export has every matching row up to EXPORT_MAX
PAGE_ROWS = 200
EXPORT_MAX = 100_000


def _filtered(organisation_id: int, *, person_id=None, actor_id=None, action=None,
              date_from=None, date_to=None):
    from datetime import datetime, time, timedelta, timezone

    q = sa.select(AuditEvent).where(AuditEvent.organisation_id == organisation_id)
    if person_id:
        q = q.where(AuditEvent.subject_person_id == person_id)
    if actor_id:
        q = q.where(AuditEvent.actor_id == actor_id)
    if action:
        q = q.where(AuditEvent.action == action)
    if date_from:
        q = q.where(AuditEvent.created_at >= datetime.combine(date_from, time(), timezone.utc))
    if date_to:  # the whole last day
        q = q.where(AuditEvent.created_at < datetime.combine(
            date_to + timedelta(days=1), time(), timezone.utc))
    return q


def search(organisation_id: int, *, limit: int = PAGE_ROWS, **filters) -> tuple[list, int]:
    """Audit rows matching ``filters`` (person, actor, action, date_from, date_to), newest
    first, with their actor and subject loaded: ``([(event, actor, subject)], total)``."""
    from skillmap.models import Person, User

    base = _filtered(organisation_id, **filters)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(base.subquery()))
    sub = base.subquery()
    ev = sa.orm.aliased(AuditEvent, sub)
    rows = db.session.execute(
        sa.select(ev, User, Person).outerjoin(User, User.id == ev.actor_id)
        .outerjoin(Person, Person.id == ev.subject_person_id)
        .order_by(ev.created_at.desc(), ev.id.desc()).limit(limit)).all()
    return [tuple(r) for r in rows], total


def actions(organisation_id: int) -> list[str]:
    """Every kind of event the organisation's trail holds."""
    return list(db.session.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.organisation_id == organisation_id).distinct().order_by(AuditEvent.action)))


def export_csv(organisation_id: int, actor, headers: list[str], **filters) -> bytes:
    """The matching rows as an Italian CSV (``;``, UTF-8 with BOM, formulas defused).

    Exporting names people: each person in the file gets an ``audit.exported`` row.
    """
    import csv
    import io

    from skillmap.services.report_exports import escape_formula

    rows, _total = search(organisation_id, limit=EXPORT_MAX, **filters)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([escape_formula(h) for h in headers])
    for event, user, person in rows:
        writer.writerow([escape_formula(str(v)) for v in (
            event.created_at.isoformat(timespec="seconds"),
            (user.person.full_name if user is not None and user.person else
             (user.email if user is not None else "")),
            user.role if user is not None else "",
            event.action,
            person.full_name if person is not None else event.subject_ref,
            event.detail or "")])
    record_disclosures(organisation_id, actor.id, "audit.exported",
                       [p.id for _e, _u, p in rows if p is not None],
                       context='{"via": "audit export"}', skip_person_id=actor.person_id)
    db.session.commit()
    return ("\ufeff" + out.getvalue()).encode("utf-8")
