"""Shared column helpers."""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column


def utcnow() -> datetime:
    """Timezone-aware now, stored as UTC."""
    return datetime.now(timezone.utc)


def org_fk() -> Mapped[int]:
    """The owning organisation (every domain row belongs to one)."""
    return mapped_column(sa.ForeignKey("organisation.id", ondelete="CASCADE"), index=True)


def created_col() -> Mapped[datetime]:
    return mapped_column(sa.DateTime(timezone=True), default=utcnow)
