"""Named lists behind report figures, for managers only, each opening audited.

A list of names tells how many people stand behind a figure, so a list is
refused when the report hides its figure (decided on the finest table, see
:mod:`skillmap.services.suppression`).
"""
from __future__ import annotations

import json

import pandas as pd
import sqlalchemy as sa

from skillmap.extensions import db
from skillmap.models import Person, PersonSkill, Skill, SkillArea, Unit
from skillmap.services import audit
from skillmap.services.reports.base import STRONG, Filters, person_unit_filter, top_area_col
from skillmap.services.reports.growth import growth_cells
from skillmap.services.reports.matrix import cell_hidden
from skillmap.services.suppression import TOTAL

#: cell: people behind a matrix cell; holders: level 3+ in a skill; candidates: could be trained
PEOPLE_KINDS = ("cell", "holders", "candidates")


class HiddenGroup(PermissionError):
    """The figure behind a list is hidden: naming its people would give it back."""


def _top_area(skill_id: int) -> int | None:
    return db.session.scalar(sa.select(top_area_col()).select_from(Skill)
                             .outerjoin(SkillArea, Skill.area_id == SkillArea.id)
                             .where(Skill.id == skill_id))


def figure_hidden(organisation_id: int, kind: str, f: Filters, skill_id: int | None,
                  min_group: int) -> bool:
    """Whether the report figure behind a named list is hidden (the list is then refused).

    ``cell``/``holders``: the matrix cell (unit or whole organisation, by area or,
    drilled down, by skill) decided on the finest table; ``candidates``: the
    training plan's figure for the unit and skill.
    """
    if kind in ("cell", "holders"):
        if skill_id:
            return cell_hidden(organisation_id, f.unit_id, _top_area(skill_id), skill_id,
                               min_group)
        return cell_hidden(organisation_id, f.unit_id, None, f.area_id, min_group)
    cells = growth_cells(organisation_id, min_group)
    row = TOTAL if f.unit_id is None else f.unit_id
    mask = cells["hidden"]["candidates"]
    if skill_id not in mask.columns:
        raise ValueError("no training plan for this skill")
    return row not in mask.index or bool(mask.at[row, skill_id])


def list_people(organisation_id: int, actor_id: int, kind: str, f: Filters,
                skill_id: int | None, lang: str, min_group: int) -> pd.DataFrame:
    """The people behind a figure; writes one ``report.people_listed`` row per person listed.

    Columns ``person_id``, ``name``, ``unit``, ``job_title``, ``skill``,
    ``level``, ``wants_to_grow``. Raises ``ValueError`` for an unknown kind or
    a list that needs a skill without one, and :class:`HiddenGroup` when the
    report hides the figure (a list of names would tell how many they are).
    """
    if kind not in PEOPLE_KINDS:
        raise ValueError(kind)
    if kind in ("holders", "candidates") and not skill_id:
        raise ValueError("skill required")
    if kind == "cell" and not (skill_id or f.area_id):
        raise ValueError("area or skill required")
    if figure_hidden(organisation_id, kind, f, skill_id, min_group):
        raise HiddenGroup(kind)
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
        # the level the training plan counts with (the organisation's, for every unit)
        need = growth_cells(organisation_id, min_group)["need_level"]
        level = int(need.get(skill_id, STRONG))
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
    context = {"cell": "matrix", "holders": "holders", "candidates": "candidates"}[kind]
    audit.record_disclosures(organisation_id, actor_id, "report.people_listed",
                             df["person_id"].unique().tolist(), context=json.dumps({
                                 "list": context, "unit_id": f.unit_id, "area_id": f.area_id,
                                 "skill_id": skill_id}))
    db.session.commit()
    return df
