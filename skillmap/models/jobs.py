"""Background jobs and the per-organisation data version.

:class:`DataVersion` is the one counter every cache is keyed by: it is bumped
in the same transaction as any change that affects derived results (see
:mod:`skillmap.services.versions`). :class:`Job` is the one table that tells
what runs in the background: the queue's consumers write state and progress,
pages only read it.
"""
from __future__ import annotations

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from skillmap.extensions import db
from skillmap.models.base import created_col, org_fk, utcnow

#: job states; "queued" and "running" are live
JOB_STATES = ("queued", "running", "done", "failed")
LIVE_STATES = ("queued", "running")


class DataVersion(db.Model):
    """The organisation's data version: +1 with every change that derived results read."""

    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(sa.BigInteger, default=1)
    changed_at: Mapped[datetime] = mapped_column(sa.DateTime(timezone=True), default=utcnow)


class Job(db.Model):
    """One run of a background job (recompute, backup, ...), as its consumer reports it.

    At most one job of a kind per organisation waits in the queue and at most one
    runs (two partial unique indexes): a second request to start it is answered
    "already queued", and a change made while a recompute runs queues exactly one more.
    """

    __table_args__ = (
        sa.CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name="state"),
        sa.Index("uq_job_one_queued", "organisation_id", "kind", unique=True,
                 sqlite_where=sa.text("state = 'queued'"),
                 postgresql_where=sa.text("state = 'queued'")),
        sa.Index("uq_job_one_running", "organisation_id", "kind", unique=True,
                 sqlite_where=sa.text("state = 'running'"),
                 postgresql_where=sa.text("state = 'running'")),
        sa.Index("ix_job_org_kind_created", "organisation_id", "kind", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = org_fk()
    kind: Mapped[str] = mapped_column(sa.String(40))
    state: Mapped[str] = mapped_column(sa.String(10), default="queued")
    step: Mapped[int] = mapped_column(default=0)
    steps: Mapped[int] = mapped_column(default=0)
    label: Mapped[str] = mapped_column(sa.String(40), default="queued")
    error: Mapped[str] = mapped_column(sa.Text, default="")
    #: what the job produced, for its page (JSON text: timings, a file name, counts)
    result: Mapped[str] = mapped_column(sa.Text, default="{}")
    #: the data version the job started from (recompute) or None
    data_version: Mapped[Optional[int]] = mapped_column(sa.BigInteger)
    requested_by_id: Mapped[Optional[int]] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL"))
    #: "web", "cli", "auto" (after a change), "schedule"
    origin: Mapped[str] = mapped_column(sa.String(20), default="web")
    worker: Mapped[str] = mapped_column(sa.String(120), default="")
    created_at: Mapped[datetime] = created_col()
    started_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True))
    heartbeat_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True))
    finished_at: Mapped[Optional[datetime]] = mapped_column(sa.DateTime(timezone=True))


class DataChange(db.Model):
    """What one data version changed, for caches that update instead of reloading.

    ``people`` lists the ids of the people whose own rows (person, profile) changed,
    comma-separated; ``"*"`` means anything may have changed (a bulk statement, a skill
    renamed or retired): caches of profile data reload in full.
    """

    organisation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(sa.BigInteger, primary_key=True)
    people: Mapped[str] = mapped_column(sa.Text, default="")
