"""The job table: what runs in the background, as every page and process sees it.

A job is requested with :func:`request` (a page, a command, a change of data,
the schedule): a ``queued`` row is added in the caller's transaction and the
queue message is sent after the commit (:mod:`skillmap.queue`). A consumer
claims it (:func:`run`), turns it ``running``, reports progress and a
heartbeat, and ends it ``done`` or ``failed``.

* At most one job of a kind waits and at most one runs per organisation (two
  partial unique indexes), so two requests to start a job start it once, and
  changes made while a recompute runs queue exactly one more (debounce).
* A consumer killed mid-job stops its heartbeat: pages show the job failed
  once the heartbeat is older than ``JOB_DEAD_AFTER`` seconds (a minute at
  most), without writing; the next :func:`request` or the minutely
  :func:`reap` records it and a new run can start.
* A queued job whose message was lost (Redis restarted) is sent again by
  :func:`reap`; claiming is idempotent, so a message sent twice runs once.
"""
from __future__ import annotations

import json
import os
import socket
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session

from skillmap.extensions import db
from skillmap.models import Job
from skillmap.models.base import utcnow

__all__ = ["JobContext", "JobKind", "KINDS", "JobBusy", "dead_after", "effective_state",
           "latest", "register", "request", "reap", "run"]

#: session.info key: ids of jobs to send to the queue after the commit
PENDING = "skillmap_jobs_to_send"


class JobBusy(Exception):
    """Another run of the same job is running; the consumer retries later."""


@dataclass(frozen=True)
class JobKind:
    """A kind of job: its steps (keys, labelled by the pages) and the function that runs it."""

    name: str
    steps: tuple[str, ...]
    runner: Callable[["JobContext"], dict | None]


KINDS: dict[str, JobKind] = {}


def register(name: str, steps: tuple[str, ...]):
    """Decorator: ``runner(ctx) -> result dict`` becomes the job kind ``name``."""
    def wrap(fn):
        KINDS[name] = JobKind(name, tuple(steps), fn)
        return fn
    return wrap


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value


def dead_after() -> timedelta:
    return timedelta(seconds=current_app.config["JOB_DEAD_AFTER"])


def effective_state(job: Job) -> str:
    """The state pages show: a running job without a recent heartbeat has failed."""
    if job.state == "running":
        beat = _aware(job.heartbeat_at or job.started_at or job.created_at)
        if utcnow() - beat > dead_after():
            return "failed"
    return job.state


def latest(organisation_id: int, kind: str) -> Job | None:
    """The newest job of a kind (a live one first: it is what pages follow)."""
    return db.session.scalar(
        sa.select(Job).where(Job.organisation_id == organisation_id, Job.kind == kind)
        .order_by(sa.case((Job.state.in_(("running", "queued")), 0), else_=1),
                  Job.created_at.desc(), Job.id.desc()).limit(1))


def latest_done(organisation_id: int, kind: str) -> Job | None:
    return db.session.scalar(
        sa.select(Job).where(Job.organisation_id == organisation_id, Job.kind == kind,
                             Job.state == "done")
        .order_by(Job.finished_at.desc(), Job.id.desc()).limit(1))


def _mark_dead(conn, organisation_id: int | None = None, kind: str | None = None) -> int:
    """Record as failed the running jobs whose consumer stopped beating (returns how many)."""
    cutoff = utcnow() - dead_after()
    beat = sa.func.coalesce(Job.heartbeat_at, Job.started_at, Job.created_at)
    stmt = (sa.update(Job.__table__).where(Job.state == "running", beat < cutoff)
            .values(state="failed", finished_at=utcnow(), error="stopped"))
    if organisation_id is not None:
        stmt = stmt.where(Job.organisation_id == organisation_id)
    if kind is not None:
        stmt = stmt.where(Job.kind == kind)
    return conn.execute(stmt).rowcount or 0


def request(organisation_id: int, kind: str, *, origin: str = "web", user_id: int | None = None,
            delay: float = 0.0) -> tuple[Job, bool]:
    """Ask for a run of ``kind``; returns (the queued job, whether this call queued it).

    The row is added in the caller's transaction (flushed, not committed); the
    queue message leaves after the commit, ``delay`` seconds later at the earliest.
    """
    if kind not in KINDS:
        raise KeyError(kind)
    conn = db.session.connection()
    _mark_dead(conn, organisation_id, kind)
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = Job.__table__
    stmt = (insert(table).values(organisation_id=organisation_id, kind=kind, state="queued",
                                 origin=origin, requested_by_id=user_id,
                                 steps=len(KINDS[kind].steps), step=0, label="queued",
                                 error="", result="{}", worker="", created_at=utcnow())
            .on_conflict_do_nothing(index_elements=[table.c.organisation_id, table.c.kind],
                                    # a literal, not a parameter: PostgreSQL must match it
                                    # to the partial index when it plans the statement, and a
                                    # prepared (generic) plan sees only "$1"
                                    index_where=sa.text("state = 'queued'"))
            .returning(table.c.id))
    new_id = conn.execute(stmt).scalar()
    if new_id is None:  # one is already waiting: this request joins it
        return db.session.scalar(sa.select(Job).where(
            Job.organisation_id == organisation_id, Job.kind == kind,
            Job.state == "queued")), False
    job = db.session.get(Job, new_id)
    db.session.info.setdefault(PENDING, []).append((job.id, delay))
    return job, True


def _send_after_commit(session: Session) -> None:
    pending = session.info.pop(PENDING, [])
    if pending:
        from skillmap import queue

        for job_id, delay in pending:
            queue.send(job_id, delay)


def _forget_after_rollback(session: Session) -> None:
    session.info.pop(PENDING, None)


for _name, _fn in (("after_commit", _send_after_commit),
                   ("after_rollback", _forget_after_rollback)):
    if not sa.event.contains(Session, _name, _fn):
        sa.event.listen(Session, _name, _fn)


# --------------------------------------------------------------------------- consumer side

@dataclass
class JobContext:
    """What a running job gets: its ids and a way to report progress."""

    job_id: int
    organisation_id: int
    kind: JobKind
    on_step: Callable[[int, str], None] | None = None

    def step(self, key: str) -> None:
        """Report that the job starts step ``key`` (one of its kind's steps)."""
        n = self.kind.steps.index(key) + 1
        with db.engine.begin() as conn:
            conn.execute(sa.update(Job.__table__).where(Job.id == self.job_id)
                         .values(step=n, label=key, heartbeat_at=utcnow()))
        if self.on_step is not None:
            self.on_step(n, key)


class _Heartbeat:
    """Writes the job's heartbeat every few seconds from the consumer (not the web server)."""

    def __init__(self, app, job_id: int):
        self.app, self.job_id = app, job_id
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._beat, name=f"job-{job_id}-heartbeat",
                                       daemon=True)

    def _beat(self):
        every = self.app.config["JOB_HEARTBEAT"]
        with self.app.app_context():
            while not self.stop.wait(every):
                try:
                    with db.engine.begin() as conn:
                        conn.execute(sa.update(Job.__table__).where(
                            Job.id == self.job_id, Job.state == "running")
                            .values(heartbeat_at=utcnow()))
                except sa.exc.SQLAlchemyError:  # the next beat tries again
                    self.app.logger.warning("job %s: heartbeat not written", self.job_id)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(5)


def _claim(job_id: int) -> Job | None:
    """queued -> running, atomically; None when the job is no longer queued."""
    conn = db.session.connection()
    row = db.session.get(Job, job_id)
    if row is None:
        return None
    _mark_dead(conn, row.organisation_id, row.kind)
    now = utcnow()
    busy = db.session.scalar(sa.select(Job.id).where(
        Job.organisation_id == row.organisation_id, Job.kind == row.kind,
        Job.state == "running"))
    if busy is not None:
        db.session.commit()  # keep the dead jobs recorded
        raise JobBusy(job_id)
    try:
        done = db.session.execute(
            sa.update(Job.__table__).where(Job.id == job_id, Job.state == "queued")
            .values(state="running", started_at=now, heartbeat_at=now, step=0,
                    worker=f"{socket.gethostname()}:{os.getpid()}"[:120])).rowcount
        db.session.commit()
    except sa.exc.IntegrityError as exc:  # another consumer claimed a run of this kind first
        db.session.rollback()
        raise JobBusy(job_id) from exc
    if not done:
        return None
    db.session.expire_all()
    return db.session.get(Job, job_id)


def _finish(job_id: int, **values) -> None:
    with db.engine.begin() as conn:
        conn.execute(sa.update(Job.__table__).where(Job.id == job_id)
                     .values(finished_at=utcnow(), **values))


def run(job_id: int, on_step: Callable[[int, str], None] | None = None) -> str | None:
    """Run a queued job to its end in this process (the consumer, or a command).

    Returns the final state, or None when the job was not queued any more
    (already run, or recorded as lost). Raises :class:`JobBusy` when another
    run of the same kind is running (the queue retries later).
    """
    job = _claim(job_id)
    if job is None:
        return None
    kind = KINDS[job.kind]
    ctx = JobContext(job.id, job.organisation_id, kind, on_step)
    app = current_app._get_current_object()
    with _Heartbeat(app, job.id):
        try:
            result = kind.runner(ctx) or {}
        except Exception as exc:  # the page must say it failed, never spin forever
            db.session.rollback()
            app.logger.exception("job %s (%s) failed", job.id, job.kind)
            _finish(job.id, state="failed", error=type(exc).__name__)
            return "failed"
    _finish(job.id, state="done", step=len(kind.steps), label="done",
            result=json.dumps(result, default=str))
    return "done"


def reap() -> dict:
    """Record dead running jobs as failed, send again the messages of old queued jobs,
    prune the data change log and delete the kept forms whose time is over."""
    from skillmap import queue

    from skillmap.services import kept_forms, versions

    dead = _mark_dead(db.session.connection())
    pruned = versions.prune(db.session.connection())
    forms = kept_forms.prune()
    db.session.commit()
    cutoff = utcnow() - timedelta(seconds=current_app.config["JOB_RESEND_AFTER"])
    old = list(db.session.scalars(sa.select(Job.id).where(Job.state == "queued",
                                                          Job.created_at < cutoff)))
    for job_id in old:
        queue.send(job_id, 0)
    return {"dead": dead, "resent": len(old), "changes_pruned": pruned,
            "kept_forms_pruned": forms}
