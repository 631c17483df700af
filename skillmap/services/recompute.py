"""Organisation-wide engine results (skill families with their drawing), computed by a job.

The recompute runs in a queue consumer as the job kind ``recompute``
(:mod:`skillmap.services.jobs`): requested by the managers' button, by
``flask recompute``, every night, and automatically after every change of
data (debounced: at most one waits per organisation). Its result is stored
with the data version it was computed from; pages show it "as of" that
version and say so when the data has changed since.
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from skillmap import engine
from skillmap.extensions import db
from skillmap.models import EngineResult, Job, Organisation
from skillmap.models.base import utcnow
from skillmap.services import health, jobs, versions
from skillmap.services.profile_data import profiles_frame

__all__ = ["FAMILIES", "KIND", "SEED", "STEPS", "Result", "family_result", "request",
           "request_for_all", "run_now"]

KIND = "recompute"
FAMILIES = "families"
#: recompute steps, in order (labels are translated by the pages)
STEPS = ("load", "families", "layout", "save")
SEED = 0


@dataclass(frozen=True)
class Result:
    """A stored result as pages see it."""

    payload: dict
    computed_at: datetime
    data_version: int
    current_version: int

    @property
    def outdated(self) -> bool:
        """The data has changed since the result was computed."""
        return self.data_version < self.current_version


def family_result(organisation_id: int) -> Result | None:
    """The last stored families, or None when never computed. Never computes, never writes."""
    row = db.session.scalar(sa.select(EngineResult).where(
        EngineResult.organisation_id == organisation_id, EngineResult.kind == FAMILIES))
    if row is None:
        return None
    return Result(json.loads(row.payload or "{}"), row.computed_at, int(row.data_version),
                  versions.current(organisation_id))


def _store(organisation_id: int, payload: dict, version: int) -> None:
    row = db.session.scalar(sa.select(EngineResult).where(
        EngineResult.organisation_id == organisation_id, EngineResult.kind == FAMILIES))
    if row is None:
        row = EngineResult(organisation_id=organisation_id, kind=FAMILIES)
        db.session.add(row)
    elif int(row.data_version) > version:
        return  # a newer result is already there
    row.payload = json.dumps(payload, separators=(",", ":"))
    row.computed_at = utcnow()
    row.data_version = version


@jobs.register(KIND, STEPS)
def _run(ctx: jobs.JobContext) -> dict:
    """The job: read the profiles, find the families, draw them, store them."""
    org = ctx.organisation_id
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def step(key: str):
        nonlocal clock
        now = time.perf_counter()
        if timings or key != STEPS[0]:
            timings[STEPS[STEPS.index(key) - 1]] = round(now - clock, 3)
        clock = now
        ctx.step(key)

    step("load")
    version = versions.read_fresh(org)  # before the input: a later change shows as newer
    frame = profiles_frame(org)
    db.session.execute(sa.update(Job.__table__).where(Job.id == ctx.job_id)
                       .values(data_version=version))
    db.session.commit()
    step("families")
    fam = engine.skill_families(frame, seed=SEED)
    step("layout")
    payload = engine.family_payload(fam)
    placed = {int(k): int(v) for k, v in fam.labels.items() if v != engine.NOT_ENOUGH_DATA}
    payload["positions"] = engine.layout(fam.graph.subgraph(placed), placed, seed=SEED)
    payload["people"] = int(frame["person"].nunique())
    step("save")
    _store(org, payload, version)
    db.session.commit()
    timings["save"] = round(time.perf_counter() - clock, 3)
    families = len([f for f in payload["families"] if f["id"] >= 0])
    return {"timings": timings, "people": payload["people"], "families": families,
            "bridges": len(payload["bridges"]), "data_version": version}


def request(organisation_id: int, *, origin: str = "web", user_id: int | None = None,
            delay: float = 0.0):
    """Queue a recompute (flushes; the caller commits). Returns (job, queued_now)."""
    return jobs.request(organisation_id, KIND, origin=origin, user_id=user_id, delay=delay)


def request_for_all(origin: str = "schedule") -> int:
    """Queue a recompute for every organisation (the nightly run); returns how many."""
    n = 0
    for org_id in db.session.scalars(sa.select(Organisation.id)):
        n += request(org_id, origin=origin)[1]
    db.session.commit()
    return n


def run_now(organisation_id: int, *, origin: str = "cli", on_step=None) -> tuple[Job, str | None]:
    """Queue and run a recompute in this process (``flask recompute``, tests), with
    progress in the job table. Returns the job and its final state (None when a
    consumer took it first); raises :class:`jobs.JobBusy` when one is running."""
    job, _new = request(organisation_id, origin=origin)
    job_id = job.id
    db.session.info.pop(jobs.PENDING, None)  # this process runs it itself
    db.session.commit()
    state = jobs.run(job_id, on_step=on_step)
    db.session.expire_all()
    return db.session.get(Job, job_id), state


def _auto_recompute(organisations: set[int]) -> None:
    """In a transaction that changes data: queue one debounced recompute per organisation
    (nothing when one is already waiting); the message leaves after the commit."""
    from flask import has_app_context

    if not has_app_context() or not current_app.config.get("AUTO_RECOMPUTE", True):
        return
    delay = float(current_app.config.get("AUTO_RECOMPUTE_DELAY", 30))
    for org in sorted(organisations):
        request(org, origin="auto", delay=delay)


if _auto_recompute not in versions.changing:
    versions.changing.append(_auto_recompute)


@health.check("recompute", needs=("database",))
def _recompute_health() -> health.CheckResult:
    """Age of the last finished recompute, and whether the last run failed.

    Fails when the newest run failed (or its consumer died) or when a run has
    waited longer than ``QUEUE_STUCK_AFTER`` seconds: then no consumer takes jobs.
    """
    now = utcnow()
    dead = now - jobs.dead_after()
    with health.probe_connection() as conn:
        last = conn.execute(sa.select(Job.state, Job.heartbeat_at, Job.started_at, Job.created_at)
                            .where(Job.kind == KIND)
                            .order_by(Job.created_at.desc(), Job.id.desc()).limit(1)).first()
        done_at = conn.execute(sa.select(sa.func.max(Job.finished_at))
                               .where(Job.kind == KIND, Job.state == "done")).scalar()
        waiting_since = conn.execute(sa.select(sa.func.min(Job.created_at))
                                     .where(Job.kind == KIND, Job.state == "queued")).scalar()
    if last is None:
        return True, {"last_done_age_s": None}
    state = last.state
    beat = jobs._aware(last.heartbeat_at or last.started_at or last.created_at)
    if state == "running" and beat < dead:
        state = "failed"
    age = None if done_at is None else round((now - jobs._aware(done_at)).total_seconds())
    limit = float(current_app.config["QUEUE_STUCK_AFTER"])
    stuck = waiting_since is not None and (now - jobs._aware(waiting_since)).total_seconds() > limit
    return state != "failed" and not stuck, {"last_state": state, "last_done_age_s": age}
