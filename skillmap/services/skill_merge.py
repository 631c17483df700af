"""Merging two skills of the taxonomy: a preview of what changes, then the merge.

Everything that refers to the merged skill (the *source*) moves to the surviving one (the
*target*), in the caller's transaction (flushed; the view or command commits once):

* profile rows (``person_skill``): a person holding only the source now holds the target;
  a person holding both keeps one row with the higher level, the wish to grow if either
  had it, the newer evidence (last year of use, certificate expiry, confirmation) and
  both notes when they fit; every person moved gets a ``merged`` history row that says so;
* history rows (``skill_change``) move and keep the name they were written under;
* project requirements and role targets move; where the target is already required by
  the same project (or job title) the two become one with the higher level, importance
  and head count;
* proposals that led to the source point at the target; skills merged into the source
  earlier point at the target;
* any other column that refers to a skill and has no uniqueness to respect moves as is
  (:func:`references` finds them in the models; a new one with a unique constraint must
  get a rule here, and a test fails until it has one).

The source keeps its row, retired, with ``merged_into_id`` set (so ``load-taxonomy`` does
not bring its code back); its names and aliases become the target's aliases and its ESCO
URI moves to the target when the target has none. The engine results are recomputed
(:func:`skillmap.services.recompute.request`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from skillmap.extensions import db
from skillmap.models import (
    PersonSkill,
    ProjectRequirement,
    RoleTarget,
    Skill,
    SkillChange,
    SkillProposal,
    User,
)
from skillmap.models.base import utcnow
from skillmap.services import audit
from skillmap.services.taxonomy_admin import join_aliases, split_aliases

__all__ = ["MergeError", "MergePreview", "TableChange", "merge", "preview", "references"]

NOTE_MAX = 500

#: (table, column) pairs with a rule of their own below
HANDLED = {("person_skill", "skill_id"), ("skill_change", "skill_id"),
           ("project_requirement", "skill_id"), ("role_target", "skill_id"),
           ("skill_proposal", "resulting_skill_id"), ("skill", "merged_into_id")}

LABELS = {
    "person_skill": _l("Skills in people's profiles"),
    "skill_change": _l("History of profile changes"),
    "project_requirement": _l("Skills required by projects"),
    "role_target": _l("Role targets"),
    "skill_proposal": _l("Skill proposals"),
    "skill": _l("Skills of the taxonomy"),
}


class MergeError(ValueError):
    """The two skills cannot be merged; ``reason``: same, other_org, merged, target_retired,
    unsupported."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason, self.detail = reason, detail


@dataclass
class TableChange:
    """What a merge does to one table: rows moved to the target, rows combined with the
    target's row (and deleted), rows added, rows updated in place."""

    table: str
    moved: int = 0
    combined: int = 0
    added: int = 0
    updated: int = 0

    @property
    def total(self) -> int:
        return self.moved + self.combined + self.added + self.updated

    @property
    def label(self):
        return LABELS.get(self.table, self.table)


@dataclass
class MergePreview:
    source_id: int
    target_id: int
    tables: list[TableChange] = field(default_factory=list)
    #: people who held both skills
    people_with_both: int = 0

    def table(self, name: str) -> TableChange:
        for t in self.tables:
            if t.table == name:
                return t
        change = TableChange(name)
        self.tables.append(change)
        return change

    def as_dict(self) -> dict:
        return {t.table: {"moved": t.moved, "combined": t.combined, "added": t.added,
                          "updated": t.updated} for t in self.tables}


def references() -> list[tuple[str, str, bool]]:
    """Every column of the models that refers to ``skill.id``: (table, column, unique),
    ``unique`` when a unique constraint or index includes the column."""
    out = []
    for table in db.metadata.sorted_tables:
        for col in table.columns:
            if not any(fk.column.table.name == "skill" and fk.column.name == "id"
                       for fk in col.foreign_keys):
                continue
            unique = col.unique or any(
                isinstance(c, sa.UniqueConstraint) and col.name in c.columns
                for c in table.constraints) or any(
                idx.unique and col.name in idx.columns for idx in table.indexes)
            out.append((table.name, col.name, bool(unique)))
    return out


def _others() -> list[tuple[str, str]]:
    """Columns without a rule of their own; refuse the merge if one must stay unique."""
    out = []
    for table, column, unique in references():
        if (table, column) in HANDLED:
            continue
        if unique:
            raise MergeError("unsupported", f"{table}.{column}")
        out.append((table, column))
    return out


def _check(source: Skill, target: Skill) -> None:
    if source.id == target.id:
        raise MergeError("same")
    if source.organisation_id != target.organisation_id:
        raise MergeError("other_org")
    if source.merged_into_id is not None or target.merged_into_id is not None:
        raise MergeError("merged")
    if not target.active:
        raise MergeError("target_retired")


def _count(q) -> int:
    return int(db.session.scalar(sa.select(sa.func.count()).select_from(q.subquery())) or 0)


def _pairs(model, key_cols, source_id: int, target_id: int) -> list[tuple]:
    """(source row, target row) of ``model`` that share ``key_cols`` (the rest of their
    unique key): the rows a merge combines."""
    src = sa.orm.aliased(model)
    tgt = sa.orm.aliased(model)
    on = sa.and_(*[getattr(src, c) == getattr(tgt, c) for c in key_cols])
    return list(db.session.execute(
        sa.select(src, tgt).join(tgt, on).where(src.skill_id == source_id,
                                                tgt.skill_id == target_id)
        .order_by(src.id)).all())


def preview(source: Skill, target: Skill) -> MergePreview:
    """How many rows of each table the merge of ``source`` into ``target`` changes.
    Reads only."""
    _check(source, target)
    others = _others()
    p = MergePreview(source.id, target.id)
    s, t = source.id, target.id

    both = _count(sa.select(PersonSkill.id).where(
        PersonSkill.skill_id == s, PersonSkill.person_id.in_(
            sa.select(PersonSkill.person_id).where(PersonSkill.skill_id == t))))
    held = _count(sa.select(PersonSkill.id).where(PersonSkill.skill_id == s))
    ps = p.table("person_skill")
    ps.moved, ps.combined = held - both, both
    p.people_with_both = both
    sc = p.table("skill_change")
    sc.moved = _count(sa.select(SkillChange.id).where(SkillChange.skill_id == s))
    sc.added = held
    for model, key in ((ProjectRequirement, ProjectRequirement.project_id),
                       (RoleTarget, sa.tuple_(RoleTarget.organisation_id, RoleTarget.job_title))):
        change = p.table(model.__table__.name)
        total = _count(sa.select(model.id).where(model.skill_id == s))
        change.combined = len(_pairs(model, ["project_id"] if model is ProjectRequirement
                                     else ["organisation_id", "job_title"], s, t))
        change.moved = total - change.combined
    p.table("skill_proposal").moved = _count(sa.select(SkillProposal.id).where(
        SkillProposal.resulting_skill_id == s))
    sk = p.table("skill")
    sk.moved = _count(sa.select(Skill.id).where(Skill.merged_into_id == s))
    sk.updated = 2  # the source retired, the target's aliases
    for table, column in others:
        tbl = db.metadata.tables[table]
        p.table(table).moved = int(db.session.execute(
            sa.select(sa.func.count()).select_from(tbl).where(tbl.c[column] == s)).scalar() or 0)
    return p


def _names(skill: Skill) -> str:
    """How a history row remembers the skill it was written under: "Italian|English"."""
    return f"{skill.name_it}|{skill.name_en}"[:300]


def _newer(a, b):
    """The newer of two values that may be None."""
    return b if a is None else a if b is None else max(a, b)


def _combine_profile(src: PersonSkill, tgt: PersonSkill) -> int:
    """Fold ``src`` into ``tgt`` (same person); returns the target's level before."""
    before = tgt.level
    newer, older = (src, tgt) if (src.updated_at or utcnow()) > (tgt.updated_at or utcnow()) \
        else (tgt, src)
    tgt.level = max(src.level, tgt.level)
    tgt.wants_to_grow = bool(src.wants_to_grow or tgt.wants_to_grow or tgt.level == 0)
    tgt.last_used_year = _newer(src.last_used_year, tgt.last_used_year)
    tgt.evidence_expires_on = _newer(src.evidence_expires_on, tgt.evidence_expires_on)
    notes = [n for n in dict.fromkeys(((newer.note or "").strip(), (older.note or "").strip()))
             if n]
    joined = " · ".join(notes)
    tgt.note = joined if len(joined) <= NOTE_MAX else notes[0]
    if src.confirmed_at is not None and (tgt.confirmed_at is None
                                         or src.confirmed_at > tgt.confirmed_at):
        tgt.confirmed_level = src.confirmed_level
        tgt.confirmed_by_id = src.confirmed_by_id
        tgt.confirmed_at = src.confirmed_at
        tgt.confirmation_comment = src.confirmation_comment
    return before


def merge(source: Skill, target: Skill, *, actor: User | None) -> MergePreview:
    """Merge ``source`` into ``target`` (flushed; the caller commits once). Returns what
    changed, table by table (the same figures :func:`preview` announced)."""
    from skillmap.services import recompute

    plan = preview(source, target)
    others = _others()
    s, t = source.id, target.id
    actor_id = actor.id if actor else None
    db.session.flush()
    now = utcnow()

    # history rows keep the name they were written under
    db.session.execute(sa.update(SkillChange).where(SkillChange.skill_id == s,
                                                    SkillChange.detail == "")
                       .values(detail=_names(source)), execution_options={
                           "synchronize_session": False})
    db.session.execute(sa.update(SkillChange).where(SkillChange.skill_id == s)
                       .values(skill_id=t), execution_options={"synchronize_session": False})

    # profiles: people holding both keep one row; everyone moved gets a history row
    history = []
    for src, tgt in _pairs(PersonSkill, ["person_id"], s, t):
        src_level = src.level
        _combine_profile(src, tgt)
        history.append({"person_id": tgt.person_id, "skill_id": t, "changed_by_id": actor_id,
                        "kind": "merged", "old_level": src_level, "new_level": tgt.level,
                        "changed_at": now, "detail": _names(source)})
        db.session.delete(src)
    db.session.flush()
    for person_id, level in db.session.execute(sa.select(PersonSkill.person_id,
                                                         PersonSkill.level)
                                               .where(PersonSkill.skill_id == s)).all():
        history.append({"person_id": person_id, "skill_id": t, "changed_by_id": actor_id,
                        "kind": "merged", "old_level": level, "new_level": level,
                        "changed_at": now, "detail": _names(source)})
    db.session.execute(sa.update(PersonSkill).where(PersonSkill.skill_id == s)
                       .values(skill_id=t, version=PersonSkill.version + 1),
                       execution_options={"synchronize_session": False})
    if history:
        db.session.execute(sa.insert(SkillChange), history)

    # requirements and role targets: one per project (job title) and skill
    for src, tgt in _pairs(ProjectRequirement, ["project_id"], s, t):
        tgt.min_level = max(src.min_level, tgt.min_level)
        tgt.weight = max(src.weight, tgt.weight)
        tgt.count = max(src.count, tgt.count)
        db.session.delete(src)
    for src, tgt in _pairs(RoleTarget, ["organisation_id", "job_title"], s, t):
        tgt.min_level = max(src.min_level, tgt.min_level)
        db.session.delete(src)
    db.session.flush()
    for model in (ProjectRequirement, RoleTarget):
        db.session.execute(sa.update(model).where(model.skill_id == s).values(skill_id=t),
                           execution_options={"synchronize_session": False})
    db.session.execute(sa.update(SkillProposal).where(SkillProposal.resulting_skill_id == s)
                       .values(resulting_skill_id=t),
                       execution_options={"synchronize_session": False})
    db.session.execute(sa.update(Skill).where(Skill.merged_into_id == s)
                       .values(merged_into_id=t),
                       execution_options={"synchronize_session": False})
    for table, column in others:
        tbl = db.metadata.tables[table]
        db.session.execute(tbl.update().where(tbl.c[column] == s).values({column: t}))

    # the taxonomy: the source's names become aliases, the source is retired for good
    target.aliases = join_aliases(
        split_aliases(target.aliases) + [source.name_it, source.name_en]
        + split_aliases(source.aliases), but=(target.name_it, target.name_en))
    if not target.esco_uri and source.esco_uri:
        target.esco_uri = source.esco_uri
    source.esco_uri = None
    source.active = False
    source.merged_into_id = t
    source.edited_at = target.edited_at = now
    audit.record(source.organisation_id, actor_id, "skill.merged",
                 detail=f"{source.code} ({source.name_it}) -> {target.code} "
                        f"({target.name_it}): " + ", ".join(
                            f"{c.table} {c.total}" for c in plan.tables if c.total))
    db.session.flush()
    # the cached objects of the moved rows are stale after the bulk statements
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, (PersonSkill, SkillChange, ProjectRequirement, RoleTarget,
                            SkillProposal)) or (isinstance(obj, Skill) and obj is not source
                                                and obj is not target):
            db.session.expire(obj)
    recompute.request(source.organisation_id, origin="merge", user_id=actor_id)
    return plan
