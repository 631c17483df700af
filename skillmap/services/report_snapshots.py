"""Manager reports computed by a job at each data version, served "as of" that version.

A report of the whole organisation (no filter) costs a few hundred milliseconds
to compute at 10,000 people, and every saved skill level makes the one held in
the versioned cache (:mod:`skillmap.services.versions`) outdated. With people
saving all day, every manager would wait for a fresh computation, and each web
process would make its own. Instead:

* after every change of data, the same transaction queues the debounced job
  ``reports`` (at most one waits per organisation, as for the recompute);
* the job computes the unfiltered reports of :data:`KINDS` in every language
  and stores each, with the data version it was computed from, in
  :class:`~skillmap.models.ReportSnapshot`;
* the pages and the exports of those views serve the stored snapshot (every
  process the same one) and say "as of" when the data has changed since, with a
  way to compute the current figures at once. A snapshot older than
  ``REPORT_SNAPSHOT_MAX_AGE`` seconds that is behind the data is not served
  (no consumer runs): the report is computed in the request as before.

Filtered views (a unit, an area) are computed in the request, at the current
version, as before. A snapshot holds aggregates only, with the small-group
decision of the same version: values and what is hidden always agree.
"""
from __future__ import annotations

import pickle
import threading
import time
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, has_app_context
from flask_babel import force_locale

from skillmap.extensions import db
from skillmap.models import ReportSnapshot
from skillmap.models.base import utcnow
from skillmap.services import jobs, versions
from skillmap.services.reports import BUILDERS, Filters, Report

__all__ = ["JOB_KIND", "KINDS", "Snapshot", "enabled", "forget", "latest", "request"]

JOB_KIND = "reports"
#: the reports kept as snapshots (their unfiltered view)
KINDS = ("matrix", "gaps", "growth")
#: snapshots loaded by this process: (organisation, key) -> Snapshot
_LOADED: dict[tuple[str, int, str], "Snapshot"] = {}
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Snapshot:
    """A stored report and the version it shows."""

    report: Report
    data_version: int
    current_version: int
    computed_at: datetime

    @property
    def behind(self) -> int:
        """Changes of data since the snapshot (0: it is current)."""
        return max(0, self.current_version - self.data_version)


def enabled() -> bool:
    return bool(current_app.config.get("REPORT_SNAPSHOTS", True))


def _key(kind: str, lang: str, min_group: int) -> str:
    return f"{kind}:{lang}:{int(min_group)}"


def latest(organisation_id: int, kind: str, lang: str, min_group: int) -> Snapshot | None:
    """The stored unfiltered ``kind`` report, or None when there is none to serve.

    Never computes and never writes: one small query, and the payload is read
    and unpickled once per process and snapshot.
    """
    if kind not in KINDS or not enabled():
        return None
    key = _key(kind, lang, min_group)
    row = db.session.execute(sa.select(ReportSnapshot.id, ReportSnapshot.data_version,
                                       ReportSnapshot.computed_at).where(
        ReportSnapshot.organisation_id == organisation_id, ReportSnapshot.key == key)).first()
    if row is None:
        return None
    current = versions.current(organisation_id)
    version = int(row.data_version)
    computed = row.computed_at if row.computed_at.tzinfo else row.computed_at.replace(
        tzinfo=utcnow().tzinfo)
    max_age = float(current_app.config.get("REPORT_SNAPSHOT_MAX_AGE", 600))
    if version < current and utcnow() - computed > timedelta(seconds=max_age):
        return None  # no consumer has refreshed it for too long: compute in the request
    with _LOCK:
        hit = _LOADED.get((versions._database(), organisation_id, key))
    if hit is None or hit.data_version != version or hit.computed_at != computed:
        payload = db.session.scalar(sa.select(ReportSnapshot.payload)
                                    .where(ReportSnapshot.id == row.id))
        report = pickle.loads(payload)
        hit = Snapshot(report, version, version, computed)
        with _LOCK:
            _LOADED[(versions._database(), organisation_id, key)] = hit
    return replace(hit, current_version=current)


def forget() -> None:
    """Drop the snapshots this process has loaded (tests)."""
    with _LOCK:
        _LOADED.clear()


def _store(organisation_id: int, key: str, version: int, report: Report) -> None:
    row = db.session.scalar(sa.select(ReportSnapshot).where(
        ReportSnapshot.organisation_id == organisation_id, ReportSnapshot.key == key))
    if row is None:
        row = ReportSnapshot(organisation_id=organisation_id, key=key)
        db.session.add(row)
    elif int(row.data_version) > version:
        return  # a newer snapshot is already there
    row.data_version = version
    row.computed_at = report.computed_at
    row.payload = pickle.dumps(report, protocol=pickle.HIGHEST_PROTOCOL)


@jobs.register(JOB_KIND, ("reports", "save"))
def _run(ctx: jobs.JobContext) -> dict:
    """The job: compute the unfiltered reports at the current version, store them."""
    org = ctx.organisation_id
    ctx.step("reports")
    version = versions.read_fresh(org)  # before the input: a later change shows as newer
    min_group = int(current_app.config["PRIVACY_MIN_GROUP"])
    started = time.perf_counter()
    made = []
    for lang in current_app.config["LANGUAGES"]:
        with force_locale(lang):
            for kind in KINDS:
                report = BUILDERS[kind](org, Filters(), min_group, lang)
                made.append((_key(kind, lang, min_group), report))
    ctx.step("save")
    for key, report in made:
        _store(org, key, version, report)
    db.session.commit()
    return {"data_version": version, "reports": len(made),
            "seconds": round(time.perf_counter() - started, 3)}


def request(organisation_id: int, *, origin: str = "auto", delay: float | None = None):
    """Queue the job for ``organisation_id`` (flushes; the caller commits)."""
    if delay is None:
        delay = float(current_app.config.get("REPORT_SNAPSHOT_DELAY", 10))
    return jobs.request(organisation_id, JOB_KIND, origin=origin, delay=delay)


def _after_change(organisations: set[int]) -> None:
    """In a transaction that changes data: queue one debounced snapshot job per
    organisation (nothing when one is already waiting)."""
    if not has_app_context() or not enabled():
        return
    for org in sorted(organisations):
        request(org)


if _after_change not in versions.changing:
    versions.changing.append(_after_change)
