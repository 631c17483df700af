"""Loading the shipped taxonomy (seed_data/*.csv) into an organisation, idempotently."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from skillmap.extensions import db
from skillmap.models import Organisation, Skill, SkillArea

SEED_DIR = Path(__file__).resolve().parents[2] / "seed_data"
AREA_COLUMNS = ["code", "parent_code", "name_it", "name_en", "description_it", "description_en"]
SKILL_COLUMNS = ["code", "area_code", "name_it", "name_en", "description_it", "description_en",
                 "aliases", "esco_uri"]


class TaxonomyError(ValueError):
    """The taxonomy files are not usable; the message says which row and why."""


@dataclass
class LoadReport:
    areas_added: int = 0
    areas_updated: int = 0
    skills_added: int = 0
    skills_updated: int = 0
    #: rows an administrator edited (or merged) since: left as they are
    areas_kept: int = 0
    skills_kept: int = 0


def read_csv(path: Path, columns: list[str]) -> pd.DataFrame:
    """Read a taxonomy CSV (UTF-8), checking its columns; empty cells become ''."""
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise TaxonomyError(f"{path.name}: cannot be read ({exc})") from exc
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise TaxonomyError(f"{path.name}: missing column(s) {', '.join(missing)}")
    df = df[columns].apply(lambda col: col.str.strip())
    dup = df["code"][df["code"].duplicated()]
    if not dup.empty:
        raise TaxonomyError(f"{path.name}: duplicate code(s) {', '.join(sorted(set(dup)))}")
    empty = df[(df["code"] == "") | (df["name_it"] == "") | (df["name_en"] == "")]
    if not empty.empty:
        raise TaxonomyError(f"{path.name}: row {int(empty.index[0]) + 2} lacks a code or a name")
    return df


def load_taxonomy(org: Organisation, seed_dir: Path | None = None) -> LoadReport:
    """Insert or update areas and skills by their stable code, flushed (the caller commits).

    Codes never change meaning, so running this again updates names and
    descriptions in place and adds new codes, without duplicating anything. Areas and
    skills an administrator edited in SkillMap (``edited_at``: the taxonomy editor, a
    merge, an ESCO import) are left as they are, and an ESCO URI is never emptied.
    """
    seed_dir = seed_dir or SEED_DIR
    areas = read_csv(seed_dir / "skill_areas.csv", AREA_COLUMNS)
    skills = read_csv(seed_dir / "skills.csv", SKILL_COLUMNS)
    area_codes = set(areas["code"])
    bad_parent = areas[(areas["parent_code"] != "") & ~areas["parent_code"].isin(area_codes)]
    if not bad_parent.empty:
        raise TaxonomyError(f"skill_areas.csv: unknown parent_code {bad_parent.iloc[0]['parent_code']}")
    bad_area = skills[~skills["area_code"].isin(area_codes)]
    if not bad_area.empty:
        raise TaxonomyError(f"skills.csv: skill {bad_area.iloc[0]['code']} has unknown "
                            f"area_code {bad_area.iloc[0]['area_code']!r}")
    report = LoadReport()
    existing = {a.code: a for a in db.session.scalars(
        sa.select(SkillArea).where(SkillArea.organisation_id == org.id))}
    for pos, row in enumerate(areas.itertuples(index=False)):
        area = existing.get(row.code)
        if area is None:
            area = SkillArea(organisation_id=org.id, code=row.code)
            db.session.add(area)
            existing[row.code] = area
            report.areas_added += 1
        elif area.edited_at is not None:
            report.areas_kept += 1
            continue
        elif (area.name_it, area.name_en) != (row.name_it, row.name_en):
            report.areas_updated += 1
        area.name_it, area.name_en = row.name_it, row.name_en
        area.description_it, area.description_en = row.description_it, row.description_en
        area.position = pos
    db.session.flush()
    for row in areas.itertuples(index=False):
        if existing[row.code].edited_at is None:
            existing[row.code].parent_id = (existing[row.parent_code].id if row.parent_code
                                            else None)
    known = {s.code: s for s in db.session.scalars(
        sa.select(Skill).where(Skill.organisation_id == org.id))}
    for row in skills.itertuples(index=False):
        skill = known.get(row.code)
        if skill is None:
            skill = Skill(organisation_id=org.id, code=row.code)
            db.session.add(skill)
            report.skills_added += 1
        elif skill.edited_at is not None or skill.merged_into_id is not None:
            report.skills_kept += 1
            continue
        elif (skill.name_it, skill.name_en) != (row.name_it, row.name_en):
            report.skills_updated += 1
        skill.area_id = existing[row.area_code].id
        skill.name_it, skill.name_en = row.name_it, row.name_en
        skill.description_it, skill.description_en = row.description_it, row.description_en
        skill.aliases = row.aliases
        skill.esco_uri = row.esco_uri or skill.esco_uri or None
    db.session.flush()
    return report
