"""Import of skills from ESCO's CSV download (issue 16), on the shared import machinery.

The administrator downloads ESCO's classification (CSV, one file per language, e.g.
``skills_it.csv``) and brings the file: SkillMap downloads nothing. The columns read are
``conceptUri``, ``preferredLabel``, ``altLabels`` (several, one a line inside a quoted
field), ``description`` and ``skillType``; ESCO's other columns are known and not used.
``skillType`` ("skill/competence" or "knowledge") chooses the rows when only some types
are imported (``types``); the rows of the other types are counted as left out.

Each row is matched to a skill of the taxonomy **by URI**, then **by name or alias**
(the preferred label against the Italian and English names, then the aliases; accents,
case and punctuation ignored; merged skills never match):

* a skill created by an ESCO import (code ``ESCO-...``) follows ESCO: its name and
  description in the file's language are ESCO's;
* any other skill keeps its names (the cooperative's words win): it gets the ESCO URI
  when it has none, the labels as aliases, and ESCO's description where its own is empty;
* a row that matches nothing adds a skill (code ``ESCO-`` and the concept's first 8
  hexadecimal digits) in the chosen area, by default an area "ESCO" created on need;
* a matched skill that would not change is left as it is.

:func:`validate` reads only and reports every problem by row and column; :func:`apply`
writes with bulk statements and flushes (the view or command commits once: all or
nothing). Changed and added skills get ``edited_at``, so ``load-taxonomy`` leaves them
alone. One audit event ``import.esco`` records who, the file and the counts.
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from skillmap.extensions import db
from skillmap.models import Skill, SkillArea
from skillmap.models.base import utcnow
from skillmap.services import audit, importing, tabular
from skillmap.services.skill_search import fold
from skillmap.services.taxonomy_admin import (ALIAS_MAX, DESCRIPTION_MAX, NAME_MAX,
                                              TaxonomyEditError, check_esco_uri, join_aliases,
                                              split_aliases)

__all__ = ["AREA_CODE", "COLUMNS", "LANGUAGES", "TYPES", "EscoPlan", "apply", "read",
           "read_file", "skill_type", "validate"]

#: ESCO's columns; the ones after ``skill_type`` are known and not used
COLUMNS = {
    "uri": ("conceptUri", "concept uri", "uri"),
    "label": ("preferredLabel", "preferred label"),
    "alt": ("altLabels", "alternative labels"),
    "description": ("description",),
    "skill_type": ("skillType", "skill type"),
    "_concept_type": ("conceptType",),
    "_reuse": ("reuseLevel",),
    "_hidden": ("hiddenLabels",),
    "_status": ("status",),
    "_modified": ("modifiedDate",),
    "_scope": ("scopeNote",),
    "_definition": ("definition",),
    "_scheme": ("inScheme",),
}
LANGUAGES = ("it", "en")
#: ESCO's skill types the import can keep: "skill/competence" and "knowledge"
TYPES = ("skill", "knowledge")
#: the area new ESCO skills go to unless another is chosen
AREA_CODE = "ESCO"
PREFIX = "ESCO-"


def read(data: bytes, filename: str) -> tabular.Table:
    cfg = current_app.config
    return tabular.read_table(data, filename, columns=COLUMNS,
                              max_bytes=cfg["IMPORT_MAX_BYTES"], max_rows=cfg["IMPORT_MAX_ROWS"])


def read_file(path: str) -> tabular.Table:
    cfg = current_app.config
    return tabular.read_path(path, columns=COLUMNS, max_bytes=cfg["IMPORT_MAX_BYTES"],
                             max_rows=cfg["IMPORT_MAX_ROWS"])


def skill_type(value: str) -> str | None:
    """ESCO's ``skillType`` as one of :data:`TYPES`: its English or Italian words or its
    address (``.../skill-type/knowledge``); None when empty or not known."""
    v = fold(value)
    if not v:
        return None
    if "knowledge" in v or "conoscenz" in v:
        return "knowledge"
    if "skill" in v or "competen" in v or "abilit" in v:
        return "skill"
    return None


@dataclass
class _Known:
    """A skill as the import sees it (read once)."""

    id: int
    code: str
    name_it: str
    name_en: str
    description_it: str
    description_en: str
    aliases: str
    esco_uri: str | None

    @property
    def from_esco(self) -> bool:
        return self.code.startswith(PREFIX)


@dataclass
class _Row:
    number: int
    uri: str
    label: str
    alt: list[str]
    description: str
    #: the skill it matches (None: a new skill)
    skill_id: int | None = None
    #: column -> new value, for a matched skill that changes
    changes: dict = field(default_factory=dict)


@dataclass
class EscoPlan(importing.Plan):
    organisation_id: int = 0
    language: str = "it"
    area_id: int | None = None       # None: the ESCO area, created when needed
    #: the skill types imported; rows of the others are left out (counted in ``left_out_type``)
    types: tuple[str, ...] = TYPES
    left_out_type: int = 0
    rows: list[_Row] = field(default_factory=list)
    added: int = 0
    updated: int = 0
    left: int = 0


def _labels(text: str) -> list[str]:
    """ESCO's altLabels: one a line (a "|" also separates)."""
    return split_aliases(text)


def _known(organisation_id: int) -> tuple[dict[int, _Known], dict, dict, dict]:
    rows = db.session.execute(sa.select(
        Skill.id, Skill.code, Skill.name_it, Skill.name_en, Skill.description_it,
        Skill.description_en, Skill.aliases, Skill.esco_uri)
        .where(Skill.organisation_id == organisation_id, Skill.merged_into_id.is_(None))
        .order_by(Skill.active.desc(), Skill.id)).all()
    known = {r[0]: _Known(*r) for r in rows}
    by_uri, by_name, by_alias = {}, {}, {}
    for k in known.values():
        if k.esco_uri:
            by_uri.setdefault(k.esco_uri, k.id)
        for name in (k.name_it, k.name_en):
            by_name.setdefault(fold(name), k.id)
        for alias in (k.aliases or "").split("|"):
            if alias:
                by_alias.setdefault(fold(alias), k.id)
    return known, by_uri, by_name, by_alias


def _changes(k: _Known, row: _Row, lang: str) -> dict:
    """What the import changes on skill ``k`` for ``row`` (empty: left as it is)."""
    name_col, desc_col = f"name_{lang}", f"description_{lang}"
    out = {}
    if not k.esco_uri:
        out["esco_uri"] = row.uri
    if k.from_esco:
        if getattr(k, name_col) != row.label:
            out[name_col] = row.label
        if row.description and getattr(k, desc_col) != row.description:
            out[desc_col] = row.description
    elif row.description and not getattr(k, desc_col):
        out[desc_col] = row.description
    names = (out.get("name_it", k.name_it), out.get("name_en", k.name_en))
    old = split_aliases(k.aliases)
    # the aliases change when a label is neither an alias already nor one of the names
    # (the quick test of join_aliases(old + labels) != join_aliases(old), folding each once)
    have = {fold(n) for n in names if n} | {fold(a) for a in old}
    if any(fold(a) not in have for a in (row.label, *row.alt)):
        out["aliases"] = join_aliases(old + [row.label] + row.alt, but=names)
    return out


def validate(organisation_id: int, table: tabular.Table, *, language: str = "it",
             area_id: int | None = None, filename: str = "",
             types: tuple[str, ...] | list[str] = TYPES) -> EscoPlan:
    """Check the whole file against the taxonomy; reads only.

    With ``types`` a part of :data:`TYPES`, only the rows of those ESCO skill types are
    imported (a row without a known ``skillType`` is then left out too); the others are
    counted in ``plan.left_out_type`` and neither checked nor counted as rows read."""
    chosen = tuple(t for t in TYPES if t in types) or TYPES
    plan = EscoPlan(importing.Report(), filename=filename, organisation_id=organisation_id,
                    language=language if language in LANGUAGES else "it", area_id=area_id,
                    types=chosen)
    report = plan.report
    importing.check_columns(table, report, {"uri": "conceptUri", "label": "preferredLabel"})
    if report.fatal:
        return plan
    if chosen != TYPES:
        if "skill_type" not in table.columns:
            report.add(None, "skillType", _l("The column is needed to import only some types "
                                             "of skill."))
            return plan
        kept = [r for r in table.rows if skill_type(r.values.get("skill_type", "")) in chosen]
        plan.left_out_type = len(table.rows) - len(kept)
        table = dataclasses.replace(table, rows=kept)
        report.rows = len(kept)
    importing.check_formulas(table, report)
    col = table.label
    known, by_uri, by_name, by_alias = _known(organisation_id)
    seen_uri: dict[str, int] = {}
    seen_skill: dict[int, int] = {}
    seen_new_name: dict[str, int] = {}
    for r in table.rows:
        v = r.values
        n = r.number
        uri = None
        if not v.get("uri"):
            report.add(n, col("uri"), _l("The ESCO address is missing."))
        else:
            try:
                uri = check_esco_uri(v["uri"])
            except TaxonomyEditError:
                report.add(n, col("uri"), _l(
                    "“%(value)s” is not the address of an ESCO skill "
                    "(http://data.europa.eu/esco/skill/ and its code).", value=v["uri"][:120]))
        label = " ".join((v.get("label") or "").split())
        if not label:
            report.add(n, col("label"), _l("The preferred label is missing."))
        elif len(label) > NAME_MAX:
            report.add(n, col("label"), _l("At most %(n)d characters.", n=NAME_MAX))
        alt = _labels(v.get("alt", ""))
        if any(len(a) > ALIAS_MAX for a in alt):
            report.add(n, col("alt"), _l("Each alternative label can be at most %(n)d "
                                         "characters long.", n=ALIAS_MAX))
        description = (v.get("description") or "").strip()
        if len(description) > DESCRIPTION_MAX:
            report.add(n, col("description"), _l("At most %(n)d characters.",
                                                 n=DESCRIPTION_MAX))
        if uri is None or not label:
            continue
        if uri in seen_uri:
            report.add(n, col("uri"), _l("The same ESCO address is on row %(row)d.",
                                         row=seen_uri[uri]))
            continue
        seen_uri[uri] = n
        row = _Row(n, uri, label, alt, description)
        skill_id = by_uri.get(uri)
        if skill_id is None:
            skill_id = by_name.get(fold(label)) or by_alias.get(fold(label))
            if skill_id is not None and known[skill_id].esco_uri:
                other = known[skill_id]
                report.add(n, col("label"), _l(
                    "The name matches the skill “%(name)s”, which is linked to another ESCO "
                    "concept (%(uri)s).", name=other.name_it, uri=other.esco_uri))
                continue
        if skill_id is not None:
            if skill_id in seen_skill:
                report.add(n, col("label"), _l(
                    "Row %(row)d already matches the same skill “%(name)s”.",
                    row=seen_skill[skill_id], name=known[skill_id].name_it))
                continue
            seen_skill[skill_id] = n
            row.skill_id = skill_id
            row.changes = _changes(known[skill_id], row, plan.language)
        else:
            key = fold(label)
            if key in seen_new_name:
                report.add(n, col("label"), _l("Row %(row)d adds a skill with the same name.",
                                               row=seen_new_name[key]))
                continue
            seen_new_name[key] = n
        plan.rows.append(row)
    good = [r for r in plan.rows if not report.is_bad(r.number)]
    plan.added = sum(1 for r in good if r.skill_id is None)
    plan.updated = sum(1 for r in good if r.skill_id is not None and r.changes)
    plan.left = sum(1 for r in good if r.skill_id is not None and not r.changes)
    examples = [r.label for r in good if r.skill_id is None][:5]
    plan.preview = [importing.PreviewLine(str(_l("Skills")), created=plan.added,
                                          updated=plan.updated, unchanged=plan.left,
                                          examples=examples)]
    if plan.added and plan.area_id is None and _esco_area(organisation_id) is None:
        plan.preview.append(importing.PreviewLine(str(_l("Areas")), created=1,
                                                  examples=[str(_l("ESCO skills"))]))
    return plan


def _esco_area(organisation_id: int) -> SkillArea | None:
    return db.session.scalar(sa.select(SkillArea).where(
        SkillArea.organisation_id == organisation_id, SkillArea.code == AREA_CODE))


def _area_for_new(plan: EscoPlan) -> int:
    if plan.area_id is not None:
        return plan.area_id
    area = _esco_area(plan.organisation_id)
    if area is None:
        last = db.session.scalar(sa.select(sa.func.max(SkillArea.position)).where(
            SkillArea.organisation_id == plan.organisation_id)) or 0
        area = SkillArea(organisation_id=plan.organisation_id, code=AREA_CODE,
                         name_it="Competenze ESCO", name_en="ESCO skills",
                         description_it="Competenze importate dalla classificazione europea "
                                        "ESCO.",
                         description_en="Skills imported from the European ESCO "
                                        "classification.",
                         position=last + 1, edited_at=utcnow())
        db.session.add(area)
        db.session.flush()
    return area.id


def _new_code(uri: str, taken: set[str]) -> str:
    hexa = uri.rsplit("/", 1)[-1].replace("-", "").upper()
    for size in (8, 12, 32):
        code = PREFIX + hexa[:size]
        if code not in taken:
            taken.add(code)
            return code
    raise ValueError(f"no free code for {uri}")  # the same URI twice is refused before


def apply(plan: EscoPlan, *, actor_id: int | None, only_valid: bool = False) -> dict:
    """Write what the plan says (flush only; the caller commits). Returns the counts."""
    org, lang = plan.organisation_id, plan.language
    rows = [r for r in plan.rows if not plan.report.is_bad(r.number)]
    if plan.report.problems and not only_valid:
        raise ValueError("the plan has problems: import only the valid rows, or nothing")
    now = utcnow()
    new_rows = [r for r in rows if r.skill_id is None]
    counts = {"added": len(new_rows), "updated": 0, "left": 0,
              "rows_skipped": plan.report.bad_rows, "left_out_type": plan.left_out_type,
              "types": list(plan.types), "file": plan.filename, "language": lang}
    if new_rows:
        area_id = _area_for_new(plan)
        taken = set(db.session.scalars(sa.select(Skill.code).where(
            Skill.organisation_id == org, Skill.code.like(f"{PREFIX}%"))))
        values = []
        for r in new_rows:
            names = {"name_it": r.label, "name_en": r.label}
            desc = {"description_it": "", "description_en": ""}
            desc[f"description_{lang}"] = r.description
            values.append({"organisation_id": org, "code": _new_code(r.uri, taken),
                           "area_id": area_id, **names, **desc,
                           "aliases": join_aliases(r.alt, but=(r.label,)),
                           "esco_uri": r.uri, "active": True, "edited_at": now})
        importing.bulk_insert(Skill.__table__, values)
    updates = [{"id": r.skill_id, **r.changes, "edited_at": now}
               for r in rows if r.skill_id is not None and r.changes]
    counts["updated"] = len(updates)
    counts["left"] = sum(1 for r in rows if r.skill_id is not None and not r.changes)
    # one statement per set of columns (an executemany needs the same keys on every row)
    by_keys: dict[tuple, list] = {}
    for u in updates:
        by_keys.setdefault(tuple(sorted(u)), []).append(u)
    for group in by_keys.values():
        db.session.execute(sa.update(Skill), group)
    audit.record(org, actor_id, "import.esco", detail=json.dumps(counts, ensure_ascii=False))
    db.session.flush()
    return counts
