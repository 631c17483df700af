"""The outbox: one row per e-mail, telling whether it was sent."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from skillmap.extensions import db
from skillmap.models.base import created_col, org_fk

#: queued (waiting or retrying), sent, failed (gave up after the retries)
MAIL_STATES = ("queued", "sent", "failed")


class OutboxMessage(db.Model):
    """An e-mail SkillMap sends. The body is not kept (it may hold a one-time link)."""

    __table_args__ = (sa.CheckConstraint("state IN ('queued', 'sent', 'failed')", name="state"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = org_fk()
    person_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("person.id", ondelete="SET NULL"), index=True)
    #: invite, reset, team_invite, team_answer
    kind: Mapped[str] = mapped_column(sa.String(30))
    to_address: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(300))
    state: Mapped[str] = mapped_column(sa.String(10), default="queued", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    error: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = created_col()
    sent_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True))
