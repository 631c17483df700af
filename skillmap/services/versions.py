"""One data version per organisation, and the one cache keyed by it.

Every change that affects derived results (people, profiles and their history,
skills and areas, units, projects, requirements, teams, role targets) bumps the
organisation's :class:`~skillmap.models.DataVersion` in the same transaction:

* changes made through the ORM are collected by an ``after_flush`` session
  event and the counter is bumped once, just before the commit;
* bulk ``INSERT``/``UPDATE``/``DELETE`` statements on those tables (the demo
  seed, an erasure's cascades) are seen by a ``do_orm_execute`` event; they
  bump every organisation, since a bulk statement does not say whose rows it
  touches (the cost is one cache miss, never a wrong answer).

Every cache of derived data (reports, the engine model, the skill search
index) goes through :func:`memo`, keyed by (organisation, version, name,
arguments) and by nothing else: every worker process and every machine sees
the new version as soon as the change is committed, so all answer alike.

A value computed inside a transaction that has changed data of its own is
never stored: that transaction may still roll back, and its version number
would then be given to other data.

Just before the commit, :data:`changing` listeners run inside the transaction
with the organisations that changed (the recompute queues its debounced job
there, so the job row commits or rolls back with the change).
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from itertools import chain
from typing import Callable, TypeVar

import sqlalchemy as sa
from flask import g, has_app_context
from sqlalchemy.orm import Session

from skillmap.models import (DataVersion, Organisation, Person, PersonSkill, Project,
                             ProjectRequirement, RoleTarget, Skill, SkillArea, SkillChange,
                             TeamMember, Unit)
from skillmap.models.base import utcnow

__all__ = ["WATCHED", "bump", "changing", "clear", "current", "memo", "read_fresh"]

#: the models whose rows feed derived results
WATCHED = (Person, PersonSkill, SkillChange, Skill, SkillArea, Unit, Project, ProjectRequirement,
           TeamMember, RoleTarget)
_WATCHED_TABLES = frozenset(m.__table__.name for m in WATCHED)
#: entries kept in the process (a profile table of 10,000 people is about 2 MB)
MAX_ENTRIES = 64
#: session.info keys
_TOUCHED, _ALL = "skillmap_touched_orgs", "skillmap_touched_all"

#: functions called inside the transaction, before its commit, with the organisations
#: whose version it moves
changing: list[Callable[[set[int]], None]] = []

_CACHE: OrderedDict = OrderedDict()
_LOCK = threading.Lock()
T = TypeVar("T")


# --------------------------------------------------------------------------- what changed

def _orgs_of_flush(session: Session) -> set[int]:
    """Organisations whose derived data this flush changed (the ORM's own objects)."""
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
        elif isinstance(obj, (ProjectRequirement, TeamMember)):
            project = state.get("project")
            if project is not None and vars(project).get("organisation_id") is not None:
                orgs.add(vars(project)["organisation_id"])
            else:
                project_ids.add(obj.project_id)
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


def _after_flush(session: Session, _context) -> None:
    orgs = _orgs_of_flush(session)
    if orgs:
        session.info.setdefault(_TOUCHED, set()).update(orgs)
        _forget_request_versions()


def _on_execute(state) -> None:
    """do_orm_execute: a bulk statement on a watched table changes every organisation."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in _WATCHED_TABLES:
        state.session.info[_ALL] = True
        _forget_request_versions()


def _before_commit(session: Session) -> None:
    """Bump the versions of what this transaction changed, inside the transaction."""
    session.flush()  # the last changes reach after_flush before the counters move
    if session.info.get(_ALL):
        orgs = set(session.connection().execute(sa.select(Organisation.id)).scalars())
    else:
        orgs = set(session.info.get(_TOUCHED, ()))
    if orgs:
        bump(session.connection(), orgs)
        session.info[_TOUCHED] = orgs
        for listener in list(changing):
            listener(set(orgs))


def _after_commit(session: Session) -> None:
    orgs = session.info.pop(_TOUCHED, set())
    session.info.pop(_ALL, None)
    if orgs:
        _forget_request_versions()


def _after_rollback(session: Session) -> None:
    session.info.pop(_TOUCHED, None)
    session.info.pop(_ALL, None)


for _name, _fn in (("after_flush", _after_flush), ("do_orm_execute", _on_execute),
                   ("before_commit", _before_commit), ("after_commit", _after_commit),
                   ("after_rollback", _after_rollback)):
    if not sa.event.contains(Session, _name, _fn):
        sa.event.listen(Session, _name, _fn)


def bump(conn, organisation_ids) -> None:
    """Add one to the version of each organisation (creating the row), on ``conn``."""
    table = DataVersion.__table__
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    now = utcnow()
    for org in sorted(organisation_ids):  # one order everywhere: no deadlock between writers
        stmt = insert(table).values(organisation_id=org, version=1, changed_at=now)
        conn.execute(stmt.on_conflict_do_update(
            index_elements=[table.c.organisation_id],
            set_={"version": table.c.version + 1, "changed_at": now}))


# --------------------------------------------------------------------------- reading

def _forget_request_versions() -> None:
    if has_app_context():
        g.pop("_data_versions", None)


def current(organisation_id: int) -> int:
    """The organisation's data version (0 before its first change); read once per request."""
    from skillmap.extensions import db

    versions = g.setdefault("_data_versions", {}) if has_app_context() else {}
    if organisation_id not in versions:
        versions[organisation_id] = int(db.session.scalar(
            sa.select(DataVersion.version).where(
                DataVersion.organisation_id == organisation_id)) or 0)
    return versions[organisation_id]


def read_fresh(organisation_id: int) -> int:
    """The version read now, bypassing the per-request memo (long jobs)."""
    _forget_request_versions()
    return current(organisation_id)


def _has_own_changes() -> bool:
    from skillmap.extensions import db

    info = db.session.info
    return bool(info.get(_TOUCHED) or info.get(_ALL) or db.session.new or db.session.deleted
                or any(isinstance(o, WATCHED) for o in db.session.dirty))


def memo(organisation_id: int, name: str, args: tuple, compute: Callable[[], T]) -> T:
    """``compute()``, or its value from an earlier call at the same data version.

    Values are shared between requests and threads: callers must not change them.
    """
    version = current(organisation_id)
    key = (organisation_id, name, args)
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is not None and hit[0] == version:
            _CACHE.move_to_end(key)
            return hit[1]
    value = compute()
    if _has_own_changes():
        return value  # this transaction's own changes may yet roll back
    with _LOCK:
        _CACHE[key] = (version, value)
        _CACHE.move_to_end(key)
        while len(_CACHE) > MAX_ENTRIES:
            _CACHE.popitem(last=False)
    return value


def clear() -> None:
    """Forget every cached value (tests, benchmarks)."""
    with _LOCK:
        _CACHE.clear()
