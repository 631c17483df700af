"""Bearer tokens of the HR API (``/api/v1/``)."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from skillmap.extensions import db
from skillmap.models.base import created_col, org_fk

#: what a token may do: read every resource, or read and write people and profiles
API_SCOPES = ("read", "write")


class ApiToken(db.Model):
    """A bearer token of one organisation, created by an admin and shown once.

    Only the SHA-256 of the token is stored (the token is 256 random bits, so a plain hash
    is enough: there is nothing to guess). ``prefix`` (the first characters) lets admins
    tell tokens apart. A token works until ``expires_at`` (if any) and until revoked.
    """

    __table_args__ = (sa.CheckConstraint("scope IN ('read', 'write')", name="scope"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = org_fk()
    name: Mapped[str] = mapped_column(sa.String(100))
    scope: Mapped[str] = mapped_column(sa.String(10))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(16))
    created_by_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = created_col()
    expires_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True))
    last_used_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True))
    revoked_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True))

    created_by: Mapped[Optional["User"]] = relationship()  # noqa: F821
