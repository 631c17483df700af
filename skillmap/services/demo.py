"""A deterministic demo cooperative built from seed_data/roles.csv and units.csv.

People get a job title drawn by the roles' weights and the skills that role
typically holds (so the engine finds real families, not noise), some wishes
to grow, a skill history spread over two years, projects with requirements,
role targets, and one demo login per role. Running it again adds nothing
that is already there (people are keyed by email, projects by title).
"""
from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import pandas as pd
import sqlalchemy as sa
from faker import Faker

from skillmap.extensions import db
from skillmap.models import (Organisation, Person, PersonSkill, Project, ProjectRequirement,
                             RoleTarget, Skill, SkillChange, Unit, User)
from skillmap.services import accounts
from skillmap.services.taxonomy import SEED_DIR

DEMO_PASSWORD = "skillmap-demo"
DEMO_DOMAIN = "demo.coop"
#: login -> (role, preferred job titles for the linked person)
DEMO_LOGINS = {
    f"dipendente@{DEMO_DOMAIN}": ("employee", ("Operatore/Operatrice socio-sanitario/a (OSS)",
                                                "Educatore/Educatrice professionale")),
    f"coordinatore@{DEMO_DOMAIN}": ("coordinator", ("Progettista sociale",
                                                    "Coordinatore/Coordinatrice di servizio")),
    f"hr@{DEMO_DOMAIN}": ("manager", ("Impiegato/Impiegata amministrativo/a",
                                      "Addetto/Addetta paghe e contributi")),
    f"admin@{DEMO_DOMAIN}": ("admin", ("Tecnico/Tecnica ICT e sviluppatore/sviluppatrice",
                                       "Impiegato/Impiegata amministrativo/a")),
}
CHUNK = 2000
#: what people of every role commonly want to learn: English, digital and project skills
GROWTH_POOL = ("LNG-EN", "DIGCOMP-1.1", "DIGCOMP-2.4", "DIGCOMP-3.1", "DIGCOMP-4.2",
               "TRV-LEADERSHIP", "TRV-PUBLIC-SPEAKING", "TRV-NEGOTIATION", "PRJ-PROJECT-MGMT",
               "PRJ-DESIGN-THINKING", "PRJ-SOCIAL-INNOVATION", "COM-SOCIAL-MEDIA")


@dataclass
class DemoReport:
    people_added: int = 0
    skills_added: int = 0
    projects_added: int = 0
    training_added: int = 0
    logins: tuple = ()


def _ascii(text: str) -> str:
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in norm.lower() if ch.isalnum())


def _read_roles() -> pd.DataFrame:
    roles = pd.read_csv(SEED_DIR / "roles.csv", dtype={"skill_code": str},
                        keep_default_na=False)
    return roles


def _ensure_units(org: Organisation) -> dict[str, Unit]:
    units_csv = pd.read_csv(SEED_DIR / "units.csv", keep_default_na=False)
    have = {u.name: u for u in db.session.scalars(
        sa.select(Unit).where(Unit.organisation_id == org.id))}
    for row in units_csv.itertuples(index=False):
        if row.name_it not in have:
            unit = Unit(organisation_id=org.id, name=row.name_it, name_en=row.name_en,
                        site=row.site)
            db.session.add(unit)
            have[row.name_it] = unit
    db.session.flush()
    return have


def _person_rows(n: int, seed: int, roles: pd.DataFrame, units: dict[str, Unit],
                 org_id: int) -> list[dict]:
    rng = random.Random(seed)
    fake = Faker("it_IT")
    fake.seed_instance(seed)
    titles = roles.drop_duplicates("job_title_it")[["job_title_it", "unit", "weight"]]
    names, weights = titles["job_title_it"].tolist(), titles["weight"].astype(float).tolist()
    unit_of = dict(zip(names, titles["unit"]))
    rows = []
    for i in range(n):
        title = rng.choices(names, weights=weights)[0]
        unit_name = unit_of[title]
        first, last = fake.first_name(), fake.last_name()
        langs = ["it"] + rng.sample(["en", "fr", "es", "de", "ar", "ro"], k=rng.choice([0, 1, 1, 2]))
        until = date(2027, 1, 1) + timedelta(days=rng.randrange(0, 540)) if rng.random() < 0.5 else None
        rows.append({
            "organisation_id": org_id, "unit_id": units[unit_name].id if unit_name in units else None,
            "first_name": first, "last_name": last,
            "email": f"{_ascii(first)}.{_ascii(last)}.{i + 1:05d}@{DEMO_DOMAIN}",
            "job_title": title, "availability_hours": rng.choice([0, 0, 4, 8, 8, 12, 16, 20]),
            "available_until": until, "languages": ",".join(langs),
            "visible_to_colleagues": rng.random() < 0.4,
        })
    return rows


#: skill-code prefixes anybody may plausibly hold, whatever the trade
EVERYONE_PREFIXES = ("TRV", "DIGCOMP", "LNG")


def _prefix(code: str) -> str:
    return code.split("-", 1)[0]


def plausible_extras(roles: pd.DataFrame, all_codes: list[str]) -> dict[str, list[str]]:
    """Job title -> the skills a person in that job could plausibly hold beyond the role's
    own: those of the other jobs of the same unit, of the same areas (code prefix) as the
    role's skills, and the skills anyone may hold (transversal, digital, languages).

    A stray skill drawn from every skill of the taxonomy gave a nurse "machine learning"
    and a bricklayer "Git": real profiles are untidy, but within reason."""
    out = {}
    known = set(all_codes)
    for title, rows in roles.groupby("job_title_it"):
        own = set(rows["skill_code"])
        unit = rows["unit"].iloc[0]
        prefixes = {_prefix(c) for c in own} | set(EVERYONE_PREFIXES)
        pool = set(roles.loc[roles["unit"] == unit, "skill_code"])
        pool |= {c for c in all_codes if _prefix(c) in prefixes}
        out[title] = sorted((pool & known) - own)
    return out


def _skills_for(rng: random.Random, role_rows: list, all_codes: list[str],
                extras: list[str] | None = None) -> dict:
    """code -> (level, wants_to_grow, last_used_year) for one person; ``role_rows`` are the
    rows of roles.csv for their job title (named tuples), ``extras`` the skills plausible
    for the role (:func:`plausible_extras`), where stray skills come from."""
    out = {}
    for r in role_rows:
        if rng.random() < float(r.probability):
            level = min(5, max(1, int(r.typical_level) + rng.choice([-1, 0, 0, 0, 1])))
            out[r.skill_code] = [level, False, rng.choice([2023, 2024, 2025, 2026, 2026])]
    if rng.random() < 0.15:  # a stray skill: real profiles are never perfectly tidy
        out.setdefault(rng.choice(extras or all_codes), [rng.randint(1, 3), False, 2024])
    if rng.random() < 0.5:  # wishes: grow a skill held at a low level, or learn a new one
        held_low = [c for c, v in out.items() if v[0] <= 3]
        role_missing = [r.skill_code for r in role_rows if r.skill_code not in out]
        roll = rng.random()
        if held_low and roll < 0.35:
            out[rng.choice(held_low)][1] = True
        else:
            pool = role_missing if role_missing and roll < 0.65 else GROWTH_POOL
            code = rng.choice([c for c in pool if c in all_codes] or all_codes)
            if code not in out:
                out[code] = [0, True, None]
    return out


def seed_demo(org: Organisation, n_people: int = 120, seed: int = 0) -> DemoReport:
    """Build (or complete) the demo cooperative; see the module docstring."""
    if n_people < 4:
        raise ValueError("the demo needs at least 4 people, one for each demo login")
    report = DemoReport()
    roles = _read_roles()
    skills = {s.code: s.id for s in db.session.scalars(
        sa.select(Skill).where(Skill.organisation_id == org.id))}
    if not skills:
        raise ValueError("load the taxonomy first: flask --app skillmap load-taxonomy")
    missing = sorted(set(roles["skill_code"]) - set(skills))
    if missing:
        raise ValueError(f"roles.csv names unknown skills: {', '.join(missing[:5])}")
    units = _ensure_units(org)
    from skillmap.services.org_structure import job_title_named

    for title in roles["job_title_it"].drop_duplicates():  # the admins' list of job titles
        job_title_named(org.id, title, create=True)
    people = _person_rows(n_people, seed, roles, units, org.id)
    have = set(db.session.scalars(sa.select(Person.email).where(Person.organisation_id == org.id)))
    new = [p for p in people if p["email"] not in have]
    rng = random.Random(seed + 1)
    codes = sorted(skills)
    # plain tuples: this loop runs once per person (10,000 in the benchmarks' cooperative)
    by_title = {t: list(g.itertuples(index=False)) for t, g in roles.groupby("job_title_it")}
    extras = plausible_extras(roles, codes)
    now = datetime(2026, 11, 1, tzinfo=timezone.utc)
    for start in range(0, len(new), CHUNK):
        chunk = new[start:start + CHUNK]
        # inserts into the tables (Core), not the classes: one executemany per chunk, where
        # the ORM's bulk insert split rows into a statement per run of alike empty columns
        # (a person with an end of availability, then one without: 77,000 statements)
        table = Person.__table__
        ids = db.session.scalars(sa.insert(table).returning(table.c.id,
                                                            sort_by_parameter_order=True),
                                 chunk).all()
        ps_rows, changes = [], []
        for pid, p in zip(ids, chunk):
            for code, (level, wish, year) in _skills_for(rng, by_title[p["job_title"]], codes,
                                                        extras[p["job_title"]]).items():
                when = now - timedelta(days=rng.randrange(30, 730))
                ps_rows.append({"person_id": pid, "skill_id": skills[code], "level": level,
                                "wants_to_grow": wish, "last_used_year": year, "note": "",
                                "version": 1, "updated_at": when, "confirmation_comment": ""})
                first_level = max(1, level - 1) if level >= 2 and rng.random() < 0.3 else level
                changes.append({"person_id": pid, "skill_id": skills[code], "kind": "added",
                                "old_level": None, "new_level": first_level, "changed_at": when})
                if first_level != level:
                    changes.append({"person_id": pid, "skill_id": skills[code], "kind": "level",
                                    "old_level": first_level, "new_level": level,
                                    "changed_at": when + timedelta(days=rng.randrange(20, 300))})
        if ps_rows:
            db.session.execute(sa.insert(PersonSkill.__table__), ps_rows)
            db.session.execute(sa.insert(SkillChange.__table__), changes)
        report.people_added += len(chunk)
        report.skills_added += len(ps_rows)
    db.session.flush()
    report.logins = _ensure_logins(org)
    _ensure_role_targets(org, roles, skills)
    report.projects_added = _ensure_projects(org, skills, random.Random(seed + 2))
    from skillmap.services.training_demo import seed_training

    report.training_added = seed_training(org, random.Random(seed + 3))
    db.session.flush()
    return report


def _ensure_logins(org: Organisation) -> tuple:
    taken = set(db.session.scalars(sa.select(User.person_id).where(User.person_id.is_not(None))))
    for email, (role, titles) in DEMO_LOGINS.items():
        if accounts.find_user(email) is not None:
            continue
        person = None
        for title in (*titles, None):
            q = sa.select(Person).where(Person.organisation_id == org.id,
                                        Person.id.not_in(taken) if taken else sa.true())
            if title:
                q = q.where(Person.job_title == title)
            person = db.session.scalar(q.order_by(Person.id).limit(1))
            if person is not None:
                break
        accounts.create_user(org, email, DEMO_PASSWORD, role, person=person)
        if person is not None:
            taken.add(person.id)
    return tuple((email, role, DEMO_PASSWORD) for email, (role, _t) in DEMO_LOGINS.items())


def _ensure_role_targets(org: Organisation, roles: pd.DataFrame, skills: dict) -> None:
    have = set(db.session.execute(sa.select(RoleTarget.job_title, RoleTarget.skill_id)
                                  .where(RoleTarget.organisation_id == org.id)).all())
    core = roles[roles["probability"].astype(float) >= 0.7]
    for r in core.itertuples(index=False):
        key = (r.job_title_it, skills[r.skill_code])
        if key not in have:
            db.session.add(RoleTarget(organisation_id=org.id, job_title=r.job_title_it,
                                      skill_id=skills[r.skill_code],
                                      min_level=max(1, min(5, int(r.typical_level)))))
            have.add(key)


#: title, status, team size, hours, [(skill code prefix or code, min level, weight, count)]
DEMO_PROJECTS = [
    ("Orti sociali e inclusione lavorativa", "staffing", 5, 8,
     "Un orto condiviso dove persone in inserimento lavorativo imparano la coltivazione "
     "biologica e la vendita diretta."),
    ("Sportello digitale di comunità", "staffing", 4, 6,
     "Un punto di facilitazione digitale per anziani e famiglie straniere nei quartieri."),
    ("Turismo accessibile nelle Marche", "active", 6, 10,
     "Itinerari culturali accessibili a persone con disabilità, con guide formate."),
    ("Cucina di comunità a km zero", "idea", 4, 6,
     "Una cucina che trasforma i prodotti dell'agricoltura sociale per mense e catering."),
]


def _ensure_projects(org: Organisation, skills: dict, rng: random.Random) -> int:
    coordinator = accounts.find_user(f"coordinatore@{DEMO_DOMAIN}")
    have = set(db.session.scalars(sa.select(Project.title).where(Project.organisation_id == org.id)))
    popular = [code for code, _n in db.session.execute(
        sa.select(Skill.code, sa.func.count(PersonSkill.id))
        .join(PersonSkill, PersonSkill.skill_id == Skill.id)
        .where(Skill.organisation_id == org.id, PersonSkill.level >= 1)
        .group_by(Skill.code).order_by(sa.func.count(PersonSkill.id).desc(), Skill.code)).all()]
    added = 0
    for i, (title, status, size, hours, description) in enumerate(DEMO_PROJECTS):
        if title in have:
            continue
        project = Project(organisation_id=org.id, title=title, status=status, team_size=size,
                          hours_per_month=hours, description=description,
                          goals=description, start_date=date(2027, 1 + i, 1),
                          end_date=date(2027, 12, 31),
                          coordinator_id=coordinator.id if coordinator and status != "idea" else None)
        picks = rng.sample(popular[: max(12, len(popular) // 3)], k=min(5, len(popular)))
        for code in picks:
            project.requirements.append(ProjectRequirement(
                skill_id=skills[code], min_level=rng.choice([2, 3, 3, 4]),
                weight=rng.choice([2, 3, 4, 5]), count=rng.choice([1, 1, 2])))
        db.session.add(project)
        added += 1
    return added
