"""Report inputs kept in process memory while the data behind them is unchanged.

Every report starts from the same few tables (the long profile table, the
people with their unit and role, the gap table); recomputing them on each
page view costs most of a request with 10,000 people. :func:`memo` keeps them
per organisation under a *data version* that changes whenever the data can
have changed, in any worker process:

* an ``after_flush`` session event (beside the one of
  :mod:`skillmap.services.analytics` that marks engine results stale) writes a
  new random token into the organisation's ``EngineResult(kind="reports")``
  row whenever the ORM adds, changes or deletes a person, a profile row, its
  history, a skill, an area, a unit, a project, a requirement or a role
  target; the token is committed (or rolled back) with the change itself;
* bulk statements bypass that event (the demo seed, an erasure's cascades),
  so the version also holds the row count and the highest id of the
  profile, people and history tables: one indexed query per request.

Cached values are shared between requests: callers must not change them.
"""
from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from itertools import chain
from typing import Callable, TypeVar

import sqlalchemy as sa
from flask import g, has_app_context
from sqlalchemy.orm import Session

from skillmap.models import (EngineResult, Person, PersonSkill, Project, ProjectRequirement,
                             RoleTarget, Skill, SkillArea, SkillChange, Unit)
from skillmap.models.base import utcnow

__all__ = ["KIND", "clear", "current_version", "data_version", "memo"]

#: the EngineResult kind that holds the token
KIND = "reports"
#: entries kept (a profile table of 10,000 people is about 2 MB)
MAX_ENTRIES = 64

WATCHED = (Person, PersonSkill, SkillChange, Skill, SkillArea, Unit, Project, ProjectRequirement,
           RoleTarget)

_CACHE: OrderedDict = OrderedDict()
_LOCK = threading.Lock()
T = TypeVar("T")


# --------------------------------------------------------------------------- the token

def _touched_orgs(session: Session) -> set[int]:
    """Organisations whose report data this flush changed."""
    orgs: set[int] = set()
    person_ids: set[int] = set()
    project_ids: set[int] = set()
    for obj in chain(session.new, session.dirty, session.deleted):
        if not isinstance(obj, WATCHED):
            continue
        if obj in session.dirty and not session.is_modified(obj, include_collections=False):
            continue
        state = vars(obj)
        if state.get("organisation_id") is not None:
            orgs.add(state["organisation_id"])
        elif isinstance(obj, (PersonSkill, SkillChange)):
            person = state.get("person")
            if person is not None and vars(person).get("organisation_id") is not None:
                orgs.add(vars(person)["organisation_id"])
            else:
                person_ids.add(obj.person_id)
        elif isinstance(obj, ProjectRequirement):
            project_ids.add(obj.project_id)
        else:
            orgs.add(obj.organisation_id)
    conn = session.connection()
    person_ids.discard(None)
    project_ids.discard(None)
    if person_ids:
        orgs |= set(conn.execute(sa.select(Person.organisation_id)
                                 .where(Person.id.in_(person_ids))).scalars())
    if project_ids:
        orgs |= set(conn.execute(sa.select(Project.organisation_id)
                                 .where(Project.id.in_(project_ids))).scalars())
    orgs.discard(None)
    return orgs


def _new_token_after_flush(session: Session, _context) -> None:
    """after_flush: a new token for every organisation whose report data changed."""
    orgs = _touched_orgs(session)
    if not orgs:
        return
    if has_app_context():
        g.pop("_report_versions", None)  # this request now sees the new version
    conn = session.connection()
    table = EngineResult.__table__
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif conn.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - the app runs on SQLite and PostgreSQL only
        raise RuntimeError(f"SkillMap runs on SQLite and PostgreSQL, not {conn.dialect.name}")
    for org in sorted(orgs):  # one order in every process: no deadlock between two flushes
        stmt = insert(table).values(organisation_id=org, kind=KIND, payload=uuid.uuid4().hex,
                                    computed_at=utcnow(), stale=False)
        conn.execute(stmt.on_conflict_do_update(
            index_elements=[table.c.organisation_id, table.c.kind],
            set_={"payload": stmt.excluded.payload, "computed_at": stmt.excluded.computed_at}))


if not sa.event.contains(Session, "after_flush", _new_token_after_flush):
    sa.event.listen(Session, "after_flush", _new_token_after_flush)


# --------------------------------------------------------------------------- the version

def _read_version(conn, organisation_id: int) -> tuple:
    counted = [(PersonSkill, True), (Person, True), (SkillChange, False)]
    cols = [sa.select(EngineResult.payload).where(
        EngineResult.organisation_id == organisation_id, EngineResult.kind == KIND)
        .scalar_subquery()]
    for model, count in counted:
        if count:
            cols.append(sa.select(sa.func.count()).select_from(model).scalar_subquery())
        cols.append(sa.select(sa.func.max(model.id)).scalar_subquery())
    return tuple(conn.execute(sa.select(*cols)).one())


def current_version(organisation_id: int) -> tuple:
    """The data version read now, bypassing the once-per-request memo (long jobs)."""
    from skillmap.extensions import db

    return _read_version(db.session.connection(), organisation_id)


def data_version(organisation_id: int) -> tuple:
    """What the organisation's report data looks like now (read once per request)."""
    versions = g.setdefault("_report_versions", {}) if has_app_context() else {}
    if organisation_id not in versions:
        versions[organisation_id] = current_version(organisation_id)
    return versions[organisation_id]


def memo(organisation_id: int, name: str, args: tuple, compute: Callable[[], T]) -> T:
    """``compute()``, or its value from an earlier call with the same data version."""
    version = data_version(organisation_id)
    key = (organisation_id, name, args)
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is not None and hit[0] == version:
            _CACHE.move_to_end(key)
            return hit[1]
    value = compute()
    with _LOCK:
        _CACHE[key] = (version, value)
        _CACHE.move_to_end(key)
        while len(_CACHE) > MAX_ENTRIES:
            _CACHE.popitem(last=False)
    return value


def clear() -> None:
    """Forget every cached value (tests)."""
    with _LOCK:
        _CACHE.clear()
