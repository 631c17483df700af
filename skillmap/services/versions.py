"""One data version per organisation, and the one cache keyed by it.

Every change that affects derived results (people, profiles and their history,
skills and areas, units, projects, requirements, teams, role targets, the training
catalogue and records) bumps the
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
from sqlalchemy.orm.util import identity_key

from skillmap.models import (DataChange, DataVersion, Organisation, Person, PersonSkill, Project,
                             ProjectRequirement, RoleTarget, Skill, SkillArea, SkillChange,
                             TeamMember, TrainingCourse, TrainingRecord, Unit)
from skillmap.models.base import utcnow

__all__ = ["WATCHED", "bump", "changed_by_bulk", "changed_people", "changing", "clear", "current", "memo",
           "memo_patched", "prune", "read_fresh"]

#: the models whose rows feed derived results (the training catalogue and register feed
#: the API's training answers, whose ETags are this version)
WATCHED = (Person, PersonSkill, SkillChange, Skill, SkillArea, Unit, Project, ProjectRequirement,
           TeamMember, RoleTarget, TrainingCourse, TrainingRecord)
_WATCHED_TABLES = frozenset(m.__table__.name for m in WATCHED)
#: entries kept in the process (a profile table of 10,000 people is about 2 MB)
MAX_ENTRIES = 128
#: a cached value further behind than this many versions is reloaded, not patched
MAX_PATCH_VERSIONS = 500
#: the change log keeps this many versions per organisation
KEEP_CHANGES = 2000
#: a patch touching more people than this reloads in full
MAX_PATCH_PEOPLE = 2000
#: session.info keys
_TOUCHED, _ALL = "skillmap_touched_orgs", "skillmap_touched_all"

#: functions called inside the transaction, before its commit, with the organisations
#: whose version it moves
changing: list[Callable[[set[int]], None]] = []

_CACHE: OrderedDict = OrderedDict()
_LOCK = threading.Lock()
T = TypeVar("T")


# --------------------------------------------------------------------------- what changed

#: what a change means for cached profile data: these people changed, or (None) anything
Changes = dict[int, "set[int] | None"]


def _merge(into: Changes, org: int, people) -> None:
    """Add ``people`` (a set, or None for anything) to what ``org`` changed."""
    if org is None:
        return
    if org not in into:
        into[org] = None if people is None else set(people)
    elif into[org] is not None:
        if people is None:
            into[org] = None
        else:
            into[org] |= set(people)


def _changes_of_flush(session: Session) -> Changes:
    """Organisations whose derived data this flush changed, with the people whose own rows
    (person, profile) changed; a skill or area change may change anyone's profile data."""
    out: Changes = {}
    by_person: set[int] = set()     # profile rows whose person is not loaded
    by_project: set[int] = set()
    for obj in chain(session.new, session.dirty, session.deleted):
        if not isinstance(obj, WATCHED):
            continue
        if obj in session.dirty and not session.is_modified(obj, include_collections=False):
            continue
        state = vars(obj)
        if isinstance(obj, Person):
            _merge(out, state.get("organisation_id"), {obj.id})
        elif isinstance(obj, (Skill, SkillArea)):
            _merge(out, state.get("organisation_id"), None)
        elif isinstance(obj, (PersonSkill, SkillChange)):
            mine = {obj.person_id} if isinstance(obj, PersonSkill) else set()
            person = state.get("person")
            if person is None and obj.person_id is not None:   # loaded already: no query
                person = session.identity_map.get(identity_key(Person, obj.person_id))
            if person is not None and vars(person).get("organisation_id") is not None:
                _merge(out, vars(person)["organisation_id"], mine)
            elif obj.person_id is not None:
                by_person.add(obj.person_id)
                if mine:
                    out.setdefault(("person", obj.person_id), set()).update(mine)
        elif isinstance(obj, (ProjectRequirement, TeamMember)):
            project = state.get("project")
            if project is not None and vars(project).get("organisation_id") is not None:
                _merge(out, vars(project)["organisation_id"], ())
            elif obj.project_id is not None:
                by_project.add(obj.project_id)
        else:  # units, projects, role targets, training: no profile row changes
            _merge(out, state.get("organisation_id"), ())
    conn = session.connection()
    if by_person:
        for pid, org in conn.execute(sa.select(Person.id, Person.organisation_id)
                                     .where(Person.id.in_(by_person))):
            _merge(out, org, out.get(("person", pid), ()))
    for key in [k for k in out if isinstance(k, tuple)]:
        del out[key]
    if by_project:
        for org in conn.execute(sa.select(Project.organisation_id)
                                .where(Project.id.in_(by_project))).scalars():
            _merge(out, org, ())
    return out


def _after_flush(session: Session, _context) -> None:
    changes = _changes_of_flush(session)
    if changes:
        touched = session.info.setdefault(_TOUCHED, {})
        for org, people in changes.items():
            _merge(touched, org, people)
        _forget_request_versions()


def _on_execute(state) -> None:
    """do_orm_execute: a bulk statement on a watched table changes every organisation."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in _WATCHED_TABLES:
        changed_by_bulk(state.session)


def changed_by_bulk(session: Session) -> None:
    """A bulk write that did not go through ``session.execute`` (a DB-API executemany of
    an import) changed watched tables: every organisation's version moves at the commit."""
    session.info[_ALL] = True
    _forget_request_versions()


def _before_commit(session: Session) -> None:
    """Bump the versions of what this transaction changed, inside the transaction."""
    session.flush()  # the last changes reach after_flush before the counters move
    changes: Changes = dict(session.info.get(_TOUCHED, {}))
    if session.info.get(_ALL):
        changes = {org: None for org in
                   session.connection().execute(sa.select(Organisation.id)).scalars()}
    if changes:
        bump(session.connection(), changes)
        session.info[_TOUCHED] = changes
        for listener in list(changing):
            listener(set(changes))


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


def bump(conn, changes) -> None:
    """Add one to the version of each organisation (creating the row), on ``conn``, and
    log what the new version changed (:class:`DataChange`).

    ``changes`` maps organisation -> the people whose rows changed (None: anything);
    a plain iterable of organisations means "anything" for each.
    """
    if not isinstance(changes, dict):
        changes = {org: None for org in changes}
    table = DataVersion.__table__
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    now = utcnow()
    for org in sorted(changes):  # one order everywhere: no deadlock between writers
        stmt = insert(table).values(organisation_id=org, version=1, changed_at=now)
        version = conn.execute(stmt.on_conflict_do_update(
            index_elements=[table.c.organisation_id],
            set_={"version": table.c.version + 1, "changed_at": now})
            .returning(table.c.version)).scalar_one()
        people = changes[org]
        conn.execute(sa.insert(DataChange.__table__).values(
            organisation_id=org, version=version,
            people="*" if people is None else ",".join(str(p) for p in sorted(people))))


def changed_people(organisation_id: int, since: int, until: int) -> set[int] | None:
    """The people whose own rows changed after version ``since`` up to ``until``, or None
    when anything may have changed (or the log no longer reaches back that far)."""
    from skillmap.extensions import db

    if until <= since:
        return set()
    if until - since > MAX_PATCH_VERSIONS:
        return None
    rows = db.session.execute(sa.select(DataChange.people).where(
        DataChange.organisation_id == organisation_id, DataChange.version > since,
        DataChange.version <= until)).scalars().all()
    if len(rows) != until - since:
        return None
    out: set[int] = set()
    for people in rows:
        if people == "*":
            return None
        out.update(int(p) for p in people.split(",") if p)
    return out


def prune(conn, keep: int = KEEP_CHANGES) -> int:
    """Forget the change log older than ``keep`` versions (the minutely job)."""
    current_version = (sa.select(DataVersion.version)
                       .where(DataVersion.organisation_id == DataChange.organisation_id)
                       .scalar_subquery())
    return conn.execute(sa.delete(DataChange.__table__)
                        .where(DataChange.version < current_version - keep)).rowcount or 0


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


def memo(organisation_id: int, name: str, args: tuple, compute: Callable[[], T], *,
         version: int | None = None) -> T:
    """``compute()``, or its value from an earlier call at the same data version.

    ``version``: the data version the value belongs to when it is not the current one
    (a page rendered from a report snapshot of an earlier version).
    Values are shared between requests and threads: callers must not change them.
    """
    version = current(organisation_id) if version is None else int(version)
    key = (_database(), organisation_id, name, args)
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


def memo_patched(organisation_id: int, name: str, load: Callable[[], T],
                 patch: Callable[[T, set[int]], T]) -> T:
    """Like :func:`memo`, for values made of people's rows: when this process holds the
    value at an older version and only some people changed since, ``patch(old, people)``
    updates it instead of ``load()`` reading everything again."""
    version = current(organisation_id)
    key = (_database(), organisation_id, name, ())
    with _LOCK:
        hit = _CACHE.get(key)
    if hit is not None and hit[0] == version:
        return hit[1]
    if _has_own_changes():
        return load()  # this transaction's own changes may yet roll back
    value = None
    if hit is not None and hit[0] < version:
        people = changed_people(organisation_id, hit[0], version)
        if people is not None and len(people) <= MAX_PATCH_PEOPLE:
            value = patch(hit[1], people)
    if value is None:
        value = load()
    with _LOCK:
        current_hit = _CACHE.get(key)
        if current_hit is None or current_hit[0] <= version:
            _CACHE[key] = (version, value)
            _CACHE.move_to_end(key)
        while len(_CACHE) > MAX_ENTRIES:
            _CACHE.popitem(last=False)
    return value


def _database() -> str:
    """Which database the cached values come from: a process serving two databases (tests,
    a restore beside a live one) must not mix organisation 1 of one with that of the other."""
    from flask import current_app

    return str(current_app.config.get("SQLALCHEMY_DATABASE_URI", "")) if has_app_context() else ""


def clear() -> None:
    """Forget every cached value (tests, benchmarks)."""
    with _LOCK:
        _CACHE.clear()
