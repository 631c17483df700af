"""The audit trail and erasure requests."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from skillmap.extensions import db
from skillmap.models.base import created_col, org_fk


class AuditEvent(db.Model):
    """Who did what to whom, and when.

    ``subject_person_id`` names the person whose data was touched, so that
    each person can see who viewed their profile. After an erasure the
    person id is dropped and ``subject_ref`` keeps a pseudonymous trace.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = org_fk()
    actor_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(sa.String(60), index=True)
    subject_person_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("person.id", ondelete="SET NULL"), index=True)
    subject_ref: Mapped[str] = mapped_column(sa.String(120), default="")
    detail: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True),
                                                 default=sa.func.now(), index=True)


class ErasureRequest(db.Model):
    """A person's request to erase their data, carried out by an admin."""

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = org_fk()
    person_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("person.id", ondelete="SET NULL"))
    pseudonym: Mapped[str] = mapped_column(sa.String(120))
    #: pending, done, withdrawn; a pending request with ``erase_after`` is confirmed by an
    #: admin and waits for its grace period to end (an admin may still cancel it)
    status: Mapped[str] = mapped_column(sa.String(20), default="pending")
    created_at: Mapped[datetime] = created_col()
    done_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True))
    erase_after: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True),
                                                            index=True)
    confirmed_by_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"))


class KeptForm(db.Model):
    """What a person typed in a form refused for an expired session or a stale token,
    kept for a short time so that the form can be shown again (passwords never kept)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"),
                                         index=True)
    path: Mapped[str] = mapped_column(sa.String(2000))
    #: the fields as JSON: [[name, value], ...] in the order they were posted
    fields: Mapped[str] = mapped_column(sa.Text, default="[]")
    created_at: Mapped[datetime] = created_col()
    expires_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), index=True)
