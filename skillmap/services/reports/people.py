"""Named lists behind report figures, for managers only, each opening audited."""
from __future__ import annotations

import json

import pandas as pd
import sqlalchemy as sa

from skillmap.extensions import db
from skillmap.models import Person, PersonSkill, Skill, SkillArea, Unit
from skillmap.services import audit
from skillmap.services.reports.base import STRONG, Filters, person_unit_filter, top_area_col
from skillmap.services.reports.gaps import gap_table

#: cell: people behind a matrix cell; holders: level 3+ in a skill; candidates: could be trained
PEOPLE_KINDS = ("cell", "holders", "candidates")


def list_people(organisation_id: int, actor_id: int, kind: str, f: Filters,
                skill_id: int | None, lang: str) -> pd.DataFrame:
    """The people behind a figure; writes ``report.people_listed`` to the audit trail.

    Columns ``person_id``, ``name``, ``unit``, ``job_title``, ``skill``,
    ``level``, ``wants_to_grow``. Raises ``ValueError`` for an unknown kind or
    a list that needs a skill without one.
    """
    if kind not in PEOPLE_KINDS:
        raise ValueError(kind)
    if kind in ("holders", "candidates") and not skill_id:
        raise ValueError("skill required")
    if kind == "cell" and not (skill_id or f.area_id):
        raise ValueError("area or skill required")
    unit_name = Unit.name_en if lang == "en" else Unit.name
    q = (sa.select(Person.id, Person.first_name, Person.last_name, unit_name, Person.job_title,
                   (Skill.name_en if lang == "en" else Skill.name_it), PersonSkill.level,
                   PersonSkill.wants_to_grow)
         .select_from(PersonSkill).join(Person, Person.id == PersonSkill.person_id)
         .join(Skill, Skill.id == PersonSkill.skill_id)
         .outerjoin(SkillArea, Skill.area_id == SkillArea.id)
         .outerjoin(Unit, Unit.id == Person.unit_id)
         .where(Person.organisation_id == organisation_id, Skill.active.is_(True)))
    q = person_unit_filter(q, f.unit_id)
    if skill_id:
        q = q.where(Skill.id == skill_id)
    elif f.area_id:
        q = q.where(top_area_col() == f.area_id)
    if kind in ("cell", "holders"):
        q = q.where(PersonSkill.level >= STRONG)
    else:
        need = gap_table(organisation_id, Filters(f.unit_id, None), lang)
        row = need[need["skill_id"] == skill_id]
        level = int(row["need_level"].iloc[0]) if len(row) else STRONG
        q = q.where(PersonSkill.level < level,
                    sa.or_(PersonSkill.level >= 1, PersonSkill.wants_to_grow.is_(True)))
    q = q.order_by(PersonSkill.level.desc(), PersonSkill.wants_to_grow.desc(), Person.last_name,
                   Person.first_name)
    rows = db.session.execute(q).all()
    df = pd.DataFrame(rows, columns=["person_id", "first", "last", "unit", "job_title", "skill",
                                     "level", "wants_to_grow"])
    if kind == "cell" and not skill_id:  # one row per person: their best skill of the area
        df = df.drop_duplicates("person_id", keep="first")
    df.insert(1, "name", df["first"] + " " + df["last"])
    df = df.drop(columns=["first", "last"]).reset_index(drop=True)
    audit.record_now(organisation_id, actor_id, "report.people_listed", detail=json.dumps({
        "kind": kind, "unit_id": f.unit_id, "area_id": f.area_id, "skill_id": skill_id,
        "people": int(df["person_id"].nunique())}))
    return df
