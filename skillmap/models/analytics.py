"""Role targets and cached engine results."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from skillmap.extensions import db
from skillmap.models.base import created_col, org_fk


class RoleTarget(db.Model):
    """A skill and level that a job title needs (demand for the gap report)."""

    __table_args__ = (
        sa.UniqueConstraint("organisation_id", "job_title", "skill_id"),
        sa.CheckConstraint("min_level >= 1 AND min_level <= 5", name="level"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = org_fk()
    job_title: Mapped[str] = mapped_column(sa.String(200))
    skill_id: Mapped[int] = mapped_column(sa.ForeignKey("skill.id", ondelete="CASCADE"))
    min_level: Mapped[int] = mapped_column(sa.SmallInteger, default=3)
    created_at: Mapped[datetime] = created_col()

    skill: Mapped["Skill"] = relationship()  # noqa: F821


class EngineResult(db.Model):
    """An organisation-wide engine result (JSON) computed by a job at one data version.

    One row per organisation and kind (today only ``families``); pages show it
    "as of" its ``data_version`` and say so when the data has moved on since.
    """

    __table_args__ = (sa.UniqueConstraint("organisation_id", "kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = org_fk()
    kind: Mapped[str] = mapped_column(sa.String(60))
    payload: Mapped[str] = mapped_column(sa.Text, default="{}")
    computed_at: Mapped[datetime] = created_col()
    data_version: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class ReportSnapshot(db.Model):
    """A manager report computed by the ``reports`` job at one data version (pickled).

    One row per organisation and key (report kind, language, smallest group shown);
    every web process serves the same snapshot, "as of" its ``data_version``, until the
    job stores a newer one.
    """

    __table_args__ = (sa.UniqueConstraint("organisation_id", "key"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = org_fk()
    key: Mapped[str] = mapped_column(sa.String(80))
    data_version: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    computed_at: Mapped[datetime] = created_col()
    payload: Mapped[bytes] = mapped_column(sa.LargeBinary)
