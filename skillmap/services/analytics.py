"""The skills engine in the app: database -> engine input, cached results, recompute.

Design
------
* :func:`profiles_frame` turns an organisation's profiles into the engine's
  long DataFrame with one SQL select (``person``, ``skill`` = database ids).
* Organisation-wide results (skill families with their drawing positions) are
  computed by :func:`recompute` (CLI ``flask recompute`` or the managers'
  button, which runs it in a background thread) and cached as JSON in
  :class:`EngineResult` rows; pages only read them.
* Per-person answers (skills to grow next, backups) use the prepared
  :class:`EngineModel`, cached in process memory keyed by (organisation,
  ``computed_at`` of the ``kind="model"`` row). When that row is missing or
  stale the model is rebuilt from the database (a fraction of a second for
  10,000 people) and the row refreshed, so other processes rebuild too.
* Staleness needs nobody's cooperation: an ``after_flush`` session event marks
  every cached result of an organisation stale when one of its people's
  level or wish changes, a skill row is added or removed, or a person is
  deleted. (Bulk ``DELETE``/``UPDATE`` statements bypass the ORM and are not
  seen; the services use the ORM.)
* Progress of a running recompute is an ``EngineResult(kind="progress")``
  row, so every worker process sees it.
"""
from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable

import networkx as nx
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.orm import Session

from skillmap import engine
from skillmap.extensions import db
from skillmap.models import EngineResult, Person, PersonSkill, Skill
from skillmap.models.base import utcnow
from skillmap.services.frames import int_columns

#: cached kinds; "progress" is the recompute status, never marked stale
FAMILIES, MODEL, PROGRESS = "families", "model", "progress"
#: recompute steps, in order (labels are translated by the templates)
STEPS = ("load", "model", "families", "layout", "save")
#: a "running" record older than this is taken as a crashed run
RUN_TIMEOUT = timedelta(minutes=30)
#: at most this many links are drawn (the strongest)
MAX_EDGES = 1500
SEED = 0

ProgressFn = Callable[[int, str, float], None]


# --------------------------------------------------------------------------- input

def profiles_frame(organisation_id: int) -> pd.DataFrame:
    """The organisation's profiles as the engine's long DataFrame.

    Columns ``person`` (Person.id), ``skill`` (Skill.id), ``level`` (0-5),
    ``wants_to_grow`` (bool); one row per PersonSkill of an active skill,
    ordered by person and skill. People without skills have no rows.
    """
    stmt = (sa.select(PersonSkill.person_id, PersonSkill.skill_id, PersonSkill.level,
                      sa.case((PersonSkill.wants_to_grow, 1), else_=0))
            .join(Person, Person.id == PersonSkill.person_id)
            .join(Skill, Skill.id == PersonSkill.skill_id)
            .where(Person.organisation_id == int(organisation_id), Skill.active.is_(True)))
    frame = int_columns(stmt, {"person": "int64", "skill": "int64", "level": "int64",
                               "wants_to_grow": "bool"})
    # sorting in pandas is much cheaper than asking SQLite to sort the joined rows
    return frame.sort_values(["person", "skill"], kind="stable", ignore_index=True)


# --------------------------------------------------------------------------- cache rows

def _utc_key(value: datetime) -> str:
    """``computed_at`` as naive UTC text: SQLite drops the zone, PostgreSQL keeps it."""
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value.isoformat()


def _row(organisation_id: int, kind: str) -> EngineResult | None:
    return db.session.scalar(sa.select(EngineResult).where(
        EngineResult.organisation_id == organisation_id, EngineResult.kind == kind))


def _data_version(organisation_id: int) -> tuple:
    """What the organisation's data looks like now (token, row counts, highest ids).

    Imported here, not at the top: the reports package imports this module.
    """
    from skillmap.services.reports.cache import current_version

    return current_version(organisation_id)


def _store(organisation_id: int, kind: str, payload: dict,
           read_at: tuple | None = None) -> EngineResult:
    """Insert or replace a cached result (the caller commits).

    ``read_at`` is the data version read *before* the input was: when the data
    has changed since (a profile saved while the engine ran), the result is
    kept, since it is the best there is, but stays marked stale so that pages say
    so and the next view or recompute catches the change.
    """
    row = _row(organisation_id, kind)
    if row is None:
        row = EngineResult(organisation_id=organisation_id, kind=kind)
        db.session.add(row)
    row.payload = json.dumps(payload, separators=(",", ":"))
    row.computed_at = utcnow()
    row.stale = read_at is not None and _data_version(organisation_id) != read_at
    return row


@dataclass(frozen=True)
class Cached:
    """A cached result as pages see it."""

    payload: dict
    computed_at: datetime
    stale: bool


def cached(organisation_id: int, kind: str = FAMILIES) -> Cached | None:
    """The cached result of ``kind``, or None when never computed. Never computes."""
    row = _row(organisation_id, kind)
    if row is None:
        return None
    return Cached(json.loads(row.payload or "{}"), row.computed_at, bool(row.stale))


# --------------------------------------------------------------------------- staleness

def _changed_orgs(session: Session) -> set[int]:
    person_ids: set[int] = set()
    orgs: set[int] = set()
    for obj in session.new:
        if isinstance(obj, PersonSkill):
            person_ids.add(obj.person_id)
    for obj in session.deleted:
        if isinstance(obj, PersonSkill):
            person = obj.__dict__.get("person")
            if person is not None and person.organisation_id:
                orgs.add(person.organisation_id)
            else:
                person_ids.add(obj.person_id)
        elif isinstance(obj, Person):
            orgs.add(obj.organisation_id)
    for obj in session.dirty:
        if not isinstance(obj, PersonSkill):
            continue
        state = sa.inspect(obj)
        if any(state.attrs[name].history.has_changes()
               for name in ("level", "wants_to_grow", "skill_id", "person_id")):
            person_ids.add(obj.person_id)
    person_ids.discard(None)
    if person_ids:
        orgs |= set(session.connection().execute(
            sa.select(Person.organisation_id).where(Person.id.in_(person_ids))).scalars())
    orgs.discard(None)
    return orgs


def _mark_stale_after_flush(session: Session, _context) -> None:
    """after_flush: a profile change of an organisation makes its cached results stale."""
    orgs = _changed_orgs(session)
    if orgs:
        session.connection().execute(
            sa.update(EngineResult.__table__)
            .where(EngineResult.__table__.c.organisation_id.in_(orgs),
                   EngineResult.__table__.c.kind != PROGRESS)
            .values(stale=True))


if not sa.event.contains(Session, "after_flush", _mark_stale_after_flush):
    sa.event.listen(Session, "after_flush", _mark_stale_after_flush)


# --------------------------------------------------------------------------- model cache

_MODELS: dict[int, tuple[str, engine.EngineModel]] = {}
#: how long a stale prepared model may still answer per-person questions
MODEL_MAX_LAG = timedelta(minutes=5)
_MODELS_LOCK = threading.Lock()


def _rebuild_model(organisation_id: int, frame: pd.DataFrame | None = None,
                   read_at: tuple | None = None):
    if frame is None:
        read_at = _data_version(organisation_id)
        frame = profiles_frame(organisation_id)
    model = engine.prepare(frame)
    row = _store(organisation_id, MODEL, {"people": int(frame["person"].nunique()),
                                          "rows": int(len(frame)),
                                          "skills": int(frame["skill"].nunique())}, read_at)
    db.session.commit()
    with _MODELS_LOCK:
        _MODELS[organisation_id] = (_utc_key(row.computed_at), model)
    return model


def engine_model(organisation_id: int) -> engine.EngineModel:
    """The prepared model, from memory when fresh, else rebuilt from the database.

    May commit (it refreshes the ``model`` cache row): call it after your own
    changes are committed.
    """
    row = _row(organisation_id, MODEL)
    with _MODELS_LOCK:
        hit = _MODELS.get(organisation_id)
    if row is not None and not row.stale:
        key = _utc_key(row.computed_at)
        if hit is not None and hit[0] == key:
            return hit[1]
        model = engine.prepare(profiles_frame(organisation_id))
        with _MODELS_LOCK:
            _MODELS[organisation_id] = (key, model)
        return model
    if row is not None and hit is not None and _age(row.computed_at) < MODEL_MAX_LAG:
        # Advice may lag a profile edit by a few minutes; rebuilding on the page view
        # that follows every edit would make each save wait for the whole organisation.
        return hit[1]
    return _rebuild_model(organisation_id)


def _age(computed_at: datetime) -> timedelta:
    if computed_at.tzinfo is None:
        computed_at = computed_at.replace(tzinfo=timezone.utc)
    return utcnow() - computed_at


def skills_by_id(ids) -> dict[int, Skill]:
    ids = {int(i) for i in ids}
    if not ids:
        return {}
    return {s.id: s for s in db.session.scalars(sa.select(Skill).where(Skill.id.in_(ids)))}


def grow_next(person: Person | None, k: int = 5) -> list[dict]:
    """Skills ``person`` could grow next: ``{"skill", "because": [Skill], "wished"}``."""
    if person is None:
        return []
    model = engine_model(person.organisation_id)
    if person.id not in model.people:
        return []
    held_now = set(db.session.scalars(sa.select(PersonSkill.skill_id).where(
        PersonSkill.person_id == person.id, PersonSkill.level >= 1)))
    rec = engine.recommend_skills(model, person.id, k + len(held_now))
    rec = rec[~rec["skill"].isin(held_now)].head(k)  # the model may predate the last edit
    skills = skills_by_id(list(rec["skill"]) + [s for b in rec["because"] for s in b])
    out = []
    for row in rec.itertuples(index=False):
        skill = skills.get(int(row.skill))
        if skill is None:
            continue
        because = [skills[int(s)] for s in row.because if int(s) in skills]
        out.append({"skill": skill, "because": because, "wished": bool(row.wished),
                    "score": float(row.score)})
    return out


def backups(person: Person | None, k: int = 5) -> list[dict]:
    """People who could back up ``person``: ``{"person", "similarity", "shared": [Skill]}``."""
    if person is None:
        return []
    model = engine_model(person.organisation_id)
    if person.id not in model.people:
        return []
    sim = engine.similar_people(model, person.id, k)
    people = {p.id: p for p in db.session.scalars(sa.select(Person).where(
        Person.id.in_([int(p) for p in sim["person"]]),
        Person.organisation_id == person.organisation_id))}
    skills = skills_by_id(s for shared in sim["shared"] for s in shared)
    out = []
    for row in sim.itertuples(index=False):
        other = people.get(int(row.person))
        if other is None:
            continue
        out.append({"person": other, "similarity": float(row.similarity),
                    "shared": [skills[int(s)] for s in row.shared if int(s) in skills]})
    return out


# --------------------------------------------------------------------------- families

def _family_payload(fam: engine.SkillFamilies) -> dict:
    """Families, bridges, positions and links as JSON-ready data (skill ids)."""
    graph = fam.graph
    labels = {int(s): int(f) for s, f in fam.labels.items()}
    families = []
    for f in sorted(set(labels.values()), key=lambda f: (f == -1, f)):
        members = [s for s, g in labels.items() if g == f]
        inside = set(members)
        if f == -1:
            score = {s: graph.nodes[s].get("holders", 0) for s in members}
        else:
            score = {s: sum(d.get("weight", 0.0) for t, d in graph[s].items() if t in inside)
                     for s in members}
        members.sort(key=lambda s: -score[s])
        families.append({"id": f, "size": len(members), "members": members,
                         "central": members[:3]})
    bridges = [{"skill": int(r.skill), "family": int(r.family),
                "connects": [int(c) for c in r.connects]}
               for r in fam.bridges.itertuples(index=False)]
    edges = sorted(graph.edges(data="weight", default=0.0), key=lambda e: -e[2])[:MAX_EDGES]
    return {"families": families, "bridges": bridges,
            "edges": [[int(a), int(b)] for a, b, _w in edges], "positions": {}}


def _disc_layout(sub: nx.Graph) -> dict:
    """Spring layout of one family around a hidden hub tied to every skill, so that
    skills without links inside the family stay near it instead of flying off."""
    nodes = list(sub.nodes)
    if len(nodes) == 1:
        return {nodes[0]: (0.0, 0.0)}
    hub = object()
    g = nx.Graph(sub.edges)
    g.add_nodes_from(nodes)
    g.add_edges_from((hub, s) for s in nodes)
    pos = nx.spring_layout(g, seed=SEED, weight=None)
    cx, cy = pos.pop(hub)
    scale = max(max(abs(x - cx), abs(y - cy)) for x, y in pos.values()) or 1.0
    return {s: ((x - cx) / scale, (y - cy) / scale) for s, (x, y) in pos.items()}


def _layout(graph: nx.Graph, labels: dict) -> dict[str, list[float]]:
    """Positions in the unit square: families as discs, skills spread inside them.

    One spring layout (fixed seed) places the families, linked by the total
    weight of the links between them; one spring layout per family places its
    skills inside a disc of less than half the distance to the nearest family,
    so that families never overlap on the picture.
    """
    if graph.number_of_nodes() == 0:
        return {}
    members: dict[int, list] = {}
    for s in graph.nodes:
        members.setdefault(labels.get(int(s), -1), []).append(s)
    between = nx.Graph()
    between.add_nodes_from(sorted(members))
    for a, b, w in graph.edges(data="weight", default=0.0):
        fa, fb = labels.get(int(a), -1), labels.get(int(b), -1)
        if fa != fb:
            old = between.get_edge_data(fa, fb, {"weight": 0.0})["weight"]
            between.add_edge(fa, fb, weight=old + w)
    centres = (nx.spring_layout(between, seed=SEED, weight="weight")
               if len(members) > 1 else {next(iter(members)): (0.0, 0.0)})
    pos = {}
    for f, nodes in members.items():
        cx, cy = centres[f]
        gaps = [((cx - x) ** 2 + (cy - y) ** 2) ** 0.5 for g, (x, y) in centres.items() if g != f]
        radius = 0.45 * min(gaps) if gaps else 1.0
        inner = _disc_layout(graph.subgraph(nodes))
        for s, (x, y) in inner.items():
            pos[s] = (cx + radius * x, cy + radius * y)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    x0, y0 = min(xs), min(ys)
    w, h = (max(xs) - x0) or 1.0, (max(ys) - y0) or 1.0
    return {str(int(s)): [round((p[0] - x0) / w, 4), round((p[1] - y0) / h, 4)]
            for s, p in pos.items()}


# --------------------------------------------------------------------------- recompute

def recompute(organisation_id: int, progress: ProgressFn | None = None) -> dict:
    """Recompute every cached result of the organisation; returns step timings (s).

    ``progress(step_number, step_key, seconds_of_previous_step)`` is called
    before each step (1-based, see :data:`STEPS`) and once more at the end
    with ``len(STEPS) + 1, "done"``.
    """
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def step(n: int, key: str):
        nonlocal clock
        now = time.perf_counter()
        if n > 1:
            timings[STEPS[n - 2]] = round(now - clock, 3)
        clock = now
        if progress is not None:
            progress(n, key, timings.get(STEPS[n - 2], 0.0) if n > 1 else 0.0)

    step(1, "load")
    read_at = _data_version(organisation_id)   # before the input: a later change shows
    frame = profiles_frame(organisation_id)
    step(2, "model")
    _rebuild_model(organisation_id, frame, read_at)
    step(3, "families")
    fam = engine.skill_families(frame, seed=SEED)
    step(4, "layout")
    payload = _family_payload(fam)
    payload["positions"] = _layout(fam.graph, {int(k): int(v) for k, v in fam.labels.items()})
    step(5, "save")
    payload["people"] = int(frame["person"].nunique())
    _store(organisation_id, FAMILIES, payload, read_at)
    db.session.commit()
    step(len(STEPS) + 1, "done")
    return timings


def progress_of(organisation_id: int) -> dict | None:
    """The last recompute's progress record, or None if none ever ran."""
    row = _row(organisation_id, PROGRESS)
    if row is None:
        return None
    data = json.loads(row.payload or "{}")
    if data.get("state") == "running":
        started = datetime.fromisoformat(data["started_at"])
        if utcnow() - started > RUN_TIMEOUT:
            data["state"] = "failed"
            data["error"] = "timeout"
    data["steps"] = len(STEPS)
    return data


def _save_progress(organisation_id: int, data: dict) -> None:
    row = _row(organisation_id, PROGRESS)
    if row is None:
        row = EngineResult(organisation_id=organisation_id, kind=PROGRESS)
        db.session.add(row)
    row.payload = json.dumps(data)
    row.computed_at = utcnow()
    db.session.commit()


def run_with_progress(organisation_id: int) -> None:
    """Recompute, writing each step to the progress record (used by the background job)."""
    data = progress_of(organisation_id) or {}
    data.update(state="running", step=1, label="load", error="",
                started_at=data.get("started_at") or utcnow().isoformat())

    def report(n: int, key: str, _seconds: float):
        if key == "done":
            return
        data.update(step=n, label=key)
        _save_progress(organisation_id, data)

    try:
        timings = recompute(organisation_id, report)
    except Exception as exc:  # the status page must say it failed, not spin forever
        db.session.rollback()
        data.update(state="failed", error=type(exc).__name__,
                    finished_at=utcnow().isoformat())
        _save_progress(organisation_id, data)
        raise
    data.update(state="done", step=len(STEPS), label="done", timings=timings,
                finished_at=utcnow().isoformat())
    _save_progress(organisation_id, data)


_THREADS: dict[int, threading.Thread] = {}


def start_recompute(app, organisation_id: int, *, background: bool = True) -> bool:
    """Start a recompute unless one is already running; False if one was running.

    In the background (the default) the request returns at once and the
    status page follows the progress record; ``background=False`` runs it
    in the caller (tests, tiny installations).
    """
    current = progress_of(organisation_id)
    if current and current.get("state") == "running":
        return False
    _save_progress(organisation_id, {"state": "running", "step": 0, "label": "queued",
                                     "started_at": utcnow().isoformat(), "error": ""})
    if not background:
        run_with_progress(organisation_id)
        return True

    def job():
        with app.app_context():
            try:
                run_with_progress(organisation_id)
            except Exception:  # already recorded in the progress row
                app.logger.exception("recompute failed for organisation %s", organisation_id)
            finally:
                db.session.remove()

    thread = threading.Thread(target=job, name=f"recompute-{organisation_id}", daemon=True)
    _THREADS[organisation_id] = thread
    thread.start()
    return True


def wait_for_recompute(organisation_id: int, timeout: float = 60.0) -> None:
    """Join a background recompute started in this process (tests, CLI)."""
    thread = _THREADS.get(organisation_id)
    if thread is not None:
        thread.join(timeout)
