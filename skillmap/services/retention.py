"""End of work and data retention.

* :func:`close_ended` (daily task): accounts of people whose end date has passed
  are disabled and their open team places withdrawn.
* :func:`erase_due` (daily task): ``RETENTION_MONTHS`` after the end date (or on
  the day an admin extended it to) the person is erased through the erasure path
  of :mod:`skillmap.services.privacy`, and an audit event says why.
* :func:`due_within` lists what will be erased soon; :func:`extend` keeps one
  person's data longer, with a reason.
"""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from skillmap import clock
from skillmap.engine.training import add_months
from skillmap.extensions import db
from skillmap.models import ErasureRequest, Person, User
from skillmap.services import audit, people, privacy

__all__ = ["RetentionError", "close_ended", "due_within", "erase_due", "erase_on", "extend"]


class RetentionError(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def erase_on(person: Person) -> date | None:
    """The day the person's data is erased (None while they work)."""
    if person.end_date is None:
        return None
    default = add_months(person.end_date, current_app.config["RETENTION_MONTHS"])
    return max(default, person.retention_until) if person.retention_until else default


def close_ended(today: date | None = None) -> int:
    """Disable the accounts (and withdraw team places) of people whose end date passed."""
    today = today or clock.today()
    rows = list(db.session.scalars(
        sa.select(Person).join(User, User.person_id == Person.id)
        .where(Person.end_date < today, User.active.is_(True))))
    for person in rows:
        people.close_account(person, actor=None)
    db.session.commit()
    return len(rows)


def _ended(organisation_id: int | None = None) -> list[Person]:
    q = sa.select(Person).where(Person.end_date.is_not(None))
    if organisation_id is not None:
        q = q.where(Person.organisation_id == organisation_id)
    return list(db.session.scalars(q.order_by(Person.end_date)))


def due_within(organisation_id: int, days: int = 30,
               today: date | None = None) -> list[tuple[Person, date]]:
    """People whose data is erased in the next ``days`` days, with the day."""
    today = today or clock.today()
    out = [(p, erase_on(p)) for p in _ended(organisation_id)]
    return sorted([(p, d) for p, d in out if d <= today + timedelta(days=days)],
                  key=lambda pd: (pd[1], pd[0].last_name))


def extend(person: Person, until: date, reason: str, *, actor: User,
           today: date | None = None) -> None:
    """Keep ``person``'s data until ``until`` (later than planned), saying why."""
    today = today or clock.today()
    reason = " ".join((reason or "").split())
    if person.end_date is None:
        raise RetentionError("not_ended")
    if not reason:
        raise RetentionError("no_reason")
    current = erase_on(person)
    if until <= max(today, current):
        raise RetentionError("not_later")
    person.retention_until, person.retention_reason = until, reason[:1000]
    audit.record(person.organisation_id, actor.id, "retention.extended",
                 subject_person_id=person.id, detail=f"until {until}: {reason}"[:2000])
    db.session.commit()


def erase_due(today: date | None = None) -> int:
    """Erase everyone whose retention period is over; returns how many."""
    today = today or clock.today()
    done = 0
    for person in _ended():
        day = erase_on(person)
        if day is None or day > today:
            continue
        org, end, pid = person.organisation_id, person.end_date, person.id
        req = privacy.pending_request(person) or ErasureRequest(
            organisation_id=org, person_id=pid, pseudonym=privacy.pseudonym(pid))
        db.session.add(req)
        db.session.flush()
        privacy.carry_out_erasure(req, actor=None)
        event = audit.record(org, None, "retention.erased",
                             detail=f"end of work {end}, retention over on {day}")
        event.subject_ref = req.pseudonym
        db.session.commit()
        done += 1
    return done
