"""Erasure with a grace period: an admin confirms by typing the person's name, the erasure
runs ``ERASURE_GRACE_HOURS`` later in the queue (:func:`erase_due`, a periodic task), and
until then an admin can cancel it.

A request is *waiting* (``status == "pending"``, no ``erase_after``), *scheduled* (pending
with ``erase_after``), then ``done``; a cancelled one goes back to waiting. Cancelling and
erasing are each one conditional ``UPDATE`` of the request row, so when both happen at the
same moment exactly one of them wins: the erasure of a cancelled request never runs, and
a cancel that comes too late says so.

These functions flush; the view commits (the queue task commits each erasure).
"""
from __future__ import annotations

import unicodedata
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from skillmap.extensions import db
from skillmap.models import ErasureRequest, Person, User
from skillmap.models.base import utcnow
from skillmap.services import audit, privacy

__all__ = ["ErasureError", "cancel", "confirm", "erase_due", "grace", "name_matches"]


class ErasureError(ValueError):
    """The request cannot be confirmed or cancelled; ``reason`` says why: ``name`` (the
    name typed is not the person's), ``own`` (an admin's own profile), ``state`` (already
    scheduled, done or withdrawn), ``too_late`` (the erasure has run)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def grace() -> timedelta:
    return timedelta(hours=float(current_app.config["ERASURE_GRACE_HOURS"]))


def _plain(text: str) -> str:
    """Case, accents (NFC), apostrophes and spaces do not matter when typing a name."""
    text = unicodedata.normalize("NFC", text or "").replace("’", "'").casefold()
    return " ".join(text.split())


def name_matches(person: Person, typed: str) -> bool:
    """The typed text is the person's full name (first and last name, in either order)."""
    typed = _plain(typed)
    first, last = _plain(person.first_name), _plain(person.last_name)
    return bool(typed) and typed in {f"{first} {last}", f"{last} {first}"}


def confirm(req: ErasureRequest, typed_name: str, *, actor: User) -> datetime:
    """Schedule the erasure of ``req`` after the grace period; returns when it will run."""
    person = db.session.get(Person, req.person_id) if req.person_id else None
    if req.status != "pending" or req.erase_after is not None or person is None:
        raise ErasureError("state")
    if actor.person_id == person.id:
        raise ErasureError("own")
    if not name_matches(person, typed_name):
        raise ErasureError("name")
    when = utcnow() + grace()
    done = db.session.execute(
        sa.update(ErasureRequest.__table__)
        .where(ErasureRequest.id == req.id, ErasureRequest.status == "pending",
               ErasureRequest.erase_after.is_(None))
        .values(erase_after=when, confirmed_by_id=actor.id)).rowcount
    if not done:  # confirmed, withdrawn or done by another request meanwhile
        raise ErasureError("state")
    audit.record(req.organisation_id, actor.id, "erasure.confirmed",
                 subject_person_id=person.id,
                 detail=f"erase after {when.strftime('%Y-%m-%d %H:%M')} UTC")
    db.session.expire(req)
    return when


def cancel(req: ErasureRequest, *, actor: User) -> None:
    """Stop a scheduled erasure: the request waits again (it can be confirmed later)."""
    done = db.session.execute(
        sa.update(ErasureRequest.__table__)
        .where(ErasureRequest.id == req.id, ErasureRequest.status == "pending",
               ErasureRequest.erase_after.is_not(None))
        .values(erase_after=None, confirmed_by_id=None)).rowcount
    if not done:
        raise ErasureError("too_late")
    audit.record(req.organisation_id, actor.id, "erasure.cancelled",
                 subject_person_id=req.person_id)
    db.session.expire(req)


def scheduled(org_id: int) -> list[ErasureRequest]:
    return list(db.session.scalars(sa.select(ErasureRequest).where(
        ErasureRequest.organisation_id == org_id, ErasureRequest.status == "pending",
        ErasureRequest.erase_after.is_not(None)).order_by(ErasureRequest.erase_after)))


def _due_ids(now: datetime) -> list[int]:
    return list(db.session.scalars(sa.select(ErasureRequest.id).where(
        ErasureRequest.status == "pending", ErasureRequest.erase_after.is_not(None),
        ErasureRequest.erase_after <= now).order_by(ErasureRequest.erase_after)))


def erase_due(now: datetime | None = None) -> int:
    """Carry out every scheduled erasure whose grace period is over (the queue's periodic
    task); returns how many. Each erasure is its own transaction."""
    now = now or utcnow()
    due = _due_ids(now)
    db.session.rollback()
    erased = 0
    for req_id in due:
        # claim the row: the same conditions as a cancel, so one of the two wins; the
        # row stays locked (PostgreSQL) or the database write-locked (SQLite) until commit
        claimed = db.session.execute(
            sa.update(ErasureRequest.__table__)
            .where(ErasureRequest.id == req_id, ErasureRequest.status == "pending",
                   ErasureRequest.erase_after.is_not(None), ErasureRequest.erase_after <= now)
            .values(erase_after=ErasureRequest.erase_after)).rowcount
        if not claimed:  # cancelled, withdrawn or erased in the meantime
            db.session.rollback()
            continue
        req = db.session.get(ErasureRequest, req_id)
        db.session.refresh(req)
        actor = db.session.get(User, req.confirmed_by_id) if req.confirmed_by_id else None
        try:
            privacy.carry_out_erasure(req, actor=actor)  # commits
        except privacy.PrivacyError:
            db.session.rollback()
            current_app.logger.warning("erasure request %s could not be carried out", req_id)
            continue
        erased += 1
    return erased
