"""Sign-in attempts, kept to throttle password guessing and to show admins what failed."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from skillmap.extensions import db
from skillmap.models.base import utcnow

#: outcomes of a sign-in attempt
OUTCOMES = ("ok", "failed", "locked")


class LoginAttempt(db.Model):
    """One POST to the sign-in form.

    Rows live in the database so that every worker of every server sees the same counts;
    ``organisation_id`` is set when the e-mail belongs to an account, so each admin sees
    only the attempts on their own cooperative's accounts.
    """

    __table_args__ = (
        sa.Index("ix_login_attempt_email_at", "email", "at"),
        sa.Index("ix_login_attempt_address_at", "address", "at"),
        sa.CheckConstraint("outcome IN ('ok', 'failed', 'locked')", name="outcome"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    #: the e-mail as typed, lower-cased (whether or not an account has it)
    email: Mapped[str] = mapped_column(sa.String(254))
    address: Mapped[str] = mapped_column(sa.String(64))
    outcome: Mapped[str] = mapped_column(sa.String(10))
    at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow, index=True)
