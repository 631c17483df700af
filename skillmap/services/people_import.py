"""Bulk import of people and their skills from CSV or XLSX (issue 11).

One row per person and skill, the person's columns repeated; a row with the skill
columns empty is a person without skills. People are keyed by e-mail (case
ignored), so importing the same file again changes nothing. Skills that are not in
the file stay as they are: an import adds and updates, it never removes.

:func:`validate` reads the database and the table and writes nothing; it returns a
:class:`PeoplePlan` with the report and the preview. :func:`apply` writes what the
plan says with bulk statements (flush only: the view or the command commits once,
so a failed import leaves the database as it was). A new skill or a changed level
writes the profile history (``SkillChange``) with source ``import``; the import
itself is one audit event ``import.people`` (who, file, counts).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased

from skillmap import clock
from skillmap.extensions import db
from skillmap.i18n import lang
from skillmap.models import (WORK_RELATIONSHIPS, AuditEvent, JobTitle, Person, PersonSkill,
                             Skill, SkillChange, Unit, User)
from skillmap.models.base import utcnow
from skillmap.services import (audit, importing, invitations, jobs, org_structure, people,
                               skill_search, tabular)
from skillmap.services.profiles import FIRST_YEAR

__all__ = ["COLUMNS", "HEADERS", "SHEETS", "PeoplePlan", "apply", "invitation_count", "read",
           "template_rows", "validate"]

#: column key -> the header names that mean it (the key itself is accepted too)
COLUMNS = {
    "email": ("e-mail", "mail", "indirizzo email", "posta elettronica"),
    "first_name": ("nome", "first name", "given name", "firstname"),
    "last_name": ("cognome", "last name", "surname", "family name", "lastname"),
    "unit": ("unita", "unit", "unita organizzativa", "reparto", "department"),
    "job_title": ("mansione", "job title", "qualifica", "jobtitle"),
    "relationship": ("rapporto", "relationship", "rapporto di lavoro", "working relationship",
                     "work relationship"),
    "skill": ("competenza", "skill", "codice competenza", "skill code"),
    "level": ("livello", "level"),
    "last_used": ("ultimo uso", "last used", "anno ultimo uso", "last used year"),
}
#: the template's headers in each language
HEADERS = {
    "it": ("email", "nome", "cognome", "unita", "mansione", "rapporto", "competenza",
           "livello", "ultimo_uso"),
    "en": ("email", "first_name", "last_name", "unit", "job_title", "relationship", "skill",
           "level", "last_used"),
}
SHEETS = ("Persone", "People")
REQUIRED = ("email", "first_name", "last_name")
NAME_MAX, TITLE_MAX = 100, 200


def _header(key: str) -> str:
    lang_code = "en" if lang() == "en" else "it"
    return HEADERS[lang_code][list(COLUMNS).index(key)]


def read(data: bytes, filename: str) -> tabular.Table:
    """The upload as a table, with the configured limits."""
    cfg = current_app.config
    return tabular.read_table(data, filename, columns=COLUMNS, sheets=SHEETS,
                              max_bytes=cfg["IMPORT_MAX_BYTES"], max_rows=cfg["IMPORT_MAX_ROWS"])


def read_file(path: str) -> tabular.Table:
    cfg = current_app.config
    return tabular.read_path(path, columns=COLUMNS, sheets=SHEETS,
                             max_bytes=cfg["IMPORT_MAX_BYTES"], max_rows=cfg["IMPORT_MAX_ROWS"])


# ------------------------------------------------------------------------------- the plan

@dataclass
class _PersonRow:
    email: str
    first_name: str
    last_name: str
    unit: str            # folded unit name, "" when the column is empty
    job_title: str
    relationship: str | None
    first_row: int
    rows: list[int] = field(default_factory=list)


@dataclass
class _SkillRow:
    email: str
    skill_id: int
    level: int
    last_used: int | None
    row: int


@dataclass
class PeoplePlan(importing.Plan):
    organisation_id: int = 0
    create_units: bool = False
    people: dict[str, _PersonRow] = field(default_factory=dict)
    skills: list[_SkillRow] = field(default_factory=list)
    #: folded name -> Unit id (existing) / the name as written (to create)
    units: dict[str, int] = field(default_factory=dict)
    new_units: dict[str, str] = field(default_factory=dict)
    #: lower-case title -> name as held (existing) / as written (to create)
    titles: dict[str, str] = field(default_factory=dict)
    new_titles: dict[str, str] = field(default_factory=dict)
    #: lower-case e-mail -> (id, first, last, unit_id, job_title, relationship)
    existing: dict[str, tuple] = field(default_factory=dict)
    #: (person id, skill id) -> (PersonSkill id, level, last used year, version)
    held: dict[tuple[int, int], tuple] = field(default_factory=dict)


def _fold(text: str) -> str:
    return skill_search.fold(text)


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


class _Skills:
    """Skill codes, names (Italian, English) and aliases -> id, from one query."""

    def __init__(self, org_id: int):
        self.org_id = org_id
        self.by_code, self.by_name, self.by_alias = {}, {}, {}
        self.names: dict[int, str] = {}
        en = lang() == "en"
        for sid, code, it, en_name, aliases in db.session.execute(
                sa.select(Skill.id, Skill.code, Skill.name_it, Skill.name_en, Skill.aliases)
                .where(Skill.organisation_id == org_id, Skill.active.is_(True))
                .order_by(Skill.id)):
            self.by_code.setdefault(code.strip().lower(), sid)
            for name in (it, en_name):
                self.by_name.setdefault(_fold(name), sid)
            for alias in (aliases or "").split("|"):
                if _fold(alias):
                    self.by_alias.setdefault(_fold(alias), set()).add(sid)
            self.names[sid] = en_name if en else it
        self.cache: dict[str, tuple[int | None, str]] = {}

    def find(self, text: str) -> tuple[int | None, str]:
        """(skill id, "") or (None, why, in words)."""
        if text in self.cache:
            return self.cache[text]
        key = _fold(text)
        sid = self.by_code.get(text.strip().lower()) or self.by_name.get(key)
        why = ""
        if sid is None:
            found = self.by_alias.get(key, set())
            if len(found) == 1:
                sid = next(iter(found))
            elif found:
                why = str(_l("\"%(value)s\" is a synonym of more than one skill: %(names)s. "
                             "Write the skill's code or name.", value=text,
                             names=", ".join(sorted(self.names[i] for i in found))))
            else:
                close = [self.names[m.skill_id] for m in
                         skill_search.search(self.org_id, text, 3) if m.skill_id in self.names]
                why = str(_l("Unknown skill \"%(value)s\". Closest: %(names)s.", value=text,
                             names=", ".join(close)) if close else
                          _l("Unknown skill \"%(value)s\": no similar skill in the list.",
                             value=text))
        self.cache[text] = (sid, why)
        return sid, why


def _number(text: str) -> int | None:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        return None
    return int(value) if value.is_integer() else None


_EMAIL = re.compile(r"^(?!\.)(?!.*\.\.)[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}(?<!\.)@"
                    r"(?=.{4,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
                    r"[A-Za-z]{2,63}$")


def _email_ok(email: str) -> bool:
    """A plain ASCII address is checked by a pattern (fast: 10,000 in a few ms); anything
    else (an internationalised address) by email_validator."""
    from email_validator import EmailNotValidError, validate_email

    if email.isascii():
        return _EMAIL.match(email) is not None
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def validate(organisation_id: int, table: tabular.Table, *, create_units: bool = False,
             filename: str = "") -> PeoplePlan:
    """Check every row against the database; nothing is written."""
    report = importing.Report()
    plan = PeoplePlan(report, filename=filename, organisation_id=organisation_id,
                      create_units=create_units)
    importing.check_columns(table, report, {k: _header(k) for k in REQUIRED})
    if "skill" in table.columns and "level" not in table.columns:
        report.add(None, _header("level"), _l("The file has a skill column but no level "
                                              "column."))
    importing.check_formulas(table, report)
    if report.fatal:
        return plan
    for uid, name, name_en in db.session.execute(sa.select(Unit.id, Unit.name, Unit.name_en)
                                                 .where(Unit.organisation_id == organisation_id)):
        for n in (name_en, name):
            if n:
                plan.units[_fold(n)] = uid
    for name, in db.session.execute(sa.select(JobTitle.name)
                                    .where(JobTitle.organisation_id == organisation_id)):
        plan.titles[" ".join(name.split()).lower()] = name
    skills = _Skills(organisation_id)
    emails: dict[str, bool] = {}
    checked: dict[str, tuple] = {}
    numbers: dict[str, int | None] = {}
    folded: dict[str, str] = {}
    relationships: dict[str, str] = {}
    seen_skill: dict[tuple[str, int], tuple[int, int]] = {}
    col = table.label
    this_year = clock.today().year

    for row in table.rows:
        v, n = row.values, row.number
        email = v.get("email", "")
        key = email.lower()
        raw = (email, v.get("first_name", ""), v.get("last_name", ""), v.get("unit", ""),
               v.get("job_title", ""), v.get("relationship", ""))
        if checked.get(key) == raw:  # the same person columns as a valid row before
            plan.people[key].rows.append(n)
        else:
            errors_before = len(report.problems)
            if not email:
                report.add(n, col("email"), _l("Enter the e-mail address: it identifies the "
                                               "person."))
            else:
                if key not in emails:
                    emails[key] = _email_ok(email)
                if not emails[key]:
                    report.add(n, col("email"), _l("\"%(value)s\" is not a valid e-mail address.",
                                                   value=email))
            first, last = v.get("first_name", ""), v.get("last_name", "")
            for k, value in (("first_name", first), ("last_name", last)):
                if not value:
                    report.add(n, col(k), _l("Enter the first name.") if k == "first_name"
                               else _l("Enter the last name."))
                elif len(value) > NAME_MAX:
                    report.add(n, col(k), _l("At most %(n)d characters.", n=NAME_MAX))
            unit_text = v.get("unit", "")
            unit_key = folded.get(unit_text)
            if unit_key is None:
                unit_key = folded[unit_text] = _fold(unit_text)
            if unit_key and unit_key not in plan.units:
                if create_units:
                    plan.new_units.setdefault(unit_key, " ".join(v["unit"].split())[:200])
                else:
                    report.add(n, col("unit"), _l("Unknown unit \"%(value)s\". Create it first, or "
                                                  "allow the import to create new units.",
                                                  value=v["unit"]))
            title = " ".join(v.get("job_title", "").split())
            if len(title) > TITLE_MAX:
                report.add(n, col("job_title"), _l("At most %(n)d characters.", n=TITLE_MAX))
            elif title and title.lower() not in plan.titles:
                plan.new_titles.setdefault(title.lower(), title)
            relationship = None
            if v.get("relationship"):
                text = v["relationship"]
                if text not in relationships:
                    try:
                        relationships[text] = people.relationship_code(text)
                    except people.PersonError:
                        relationships[text] = ""
                relationship = relationships[text] or None
                if not relationship:
                    report.add(n, col("relationship"), _l(
                        "Unknown working relationship \"%(value)s\". Use one of: %(names)s.",
                        value=v["relationship"], names=", ".join(
                            (en if lang() == "en" else it)
                            for it, en in WORK_RELATIONSHIPS.values())))
            person_ok = len(report.problems) == errors_before
            # the person's columns must agree on every row of the same e-mail
            if email and emails.get(key):
                known = plan.people.get(key)
                if known is None:
                    if person_ok:
                        plan.people[key] = _PersonRow(email, first, last, unit_key, title,
                                                      relationship, n, [n])
                else:
                    known.rows.append(n)
                    if first and last and not (_same(first, known.first_name)
                                               and _same(last, known.last_name)):
                        report.add(n, col("first_name"), _l(
                            "The e-mail %(email)s has another name on row %(row)d: %(name)s.",
                            email=email, row=known.first_row,
                            name=f"{known.first_name} {known.last_name}"))
                    for k, mine, theirs in (("unit", unit_key, known.unit),
                                            ("job_title", title.lower(), known.job_title.lower()),
                                            ("relationship", relationship, known.relationship)):
                        if mine and theirs and mine != theirs:
                            report.add(n, col(k), _l("Differs from row %(row)d of the same e-mail.",
                                                     row=known.first_row))
                        elif mine and not theirs and k == "unit":
                            known.unit = mine
            if len(report.problems) == errors_before and key in plan.people:
                checked[key] = raw
        # the skill columns
        skill_text, level_text = v.get("skill", ""), v.get("level", "")
        used_text = v.get("last_used", "")
        if not skill_text:
            if level_text or used_text:
                report.add(n, col("skill"), _l("Enter the skill this level is for, or leave "
                                               "the level empty."))
            continue
        sid, why = skills.find(skill_text)
        if sid is None:
            report.add(n, col("skill"), why)
        if level_text not in numbers:
            numbers[level_text] = _number(level_text) if level_text else None
        level = numbers[level_text]
        if not level_text:
            report.add(n, col("level") if "level" in table.columns else _header("level"),
                       _l("Enter the level, from 1 to 5 (0 = wants to learn)."))
        elif level is None or not 0 <= level <= 5:
            report.add(n, col("level"), _l("The level must be a whole number from 0 to 5 "
                                           "(0 = wants to learn); \"%(value)s\" is not.",
                                           value=level_text))
            level = None
        used = None
        if used_text:
            if used_text not in numbers:
                numbers[used_text] = _number(used_text)
            used = numbers[used_text]
            if used is None or not FIRST_YEAR <= used <= this_year:
                report.add(n, col("last_used"), _l("Enter a year between %(first)d and "
                                                   "%(last)d.", first=FIRST_YEAR, last=this_year))
                used = None
        if sid is None or level is None or not email:
            continue
        before = seen_skill.get((key, sid))
        if before is not None:
            if before[1] != level:
                report.add(n, col("level"), _l(
                    "The same person and skill are on row %(row)d with level %(level)d.",
                    row=before[0], level=before[1]))
            continue  # the same level twice: the first row is imported
        seen_skill[(key, sid)] = (n, level)
        plan.skills.append(_SkillRow(key, sid, level, used, n))
    _load_existing(plan)
    plan.preview = _preview(plan)
    return plan


def _load_existing(plan: PeoplePlan) -> None:
    org = plan.organisation_id
    for row in db.session.execute(
            sa.select(sa.func.lower(Person.email), Person.id, Person.first_name,
                      Person.last_name, Person.unit_id, Person.job_title,
                      Person.work_relationship)
            .where(Person.organisation_id == org, Person.email.is_not(None))):
        plan.existing[row[0]] = tuple(row[1:])
    if plan.skills:
        for ps_id, pid, sid, level, used, version in db.session.execute(
                sa.select(PersonSkill.id, PersonSkill.person_id, PersonSkill.skill_id,
                          PersonSkill.level, PersonSkill.last_used_year, PersonSkill.version)
                .join(Person, Person.id == PersonSkill.person_id)
                .where(Person.organisation_id == org)):
            plan.held[(pid, sid)] = (ps_id, level, used, version)


# ------------------------------------------------------------------------- what changes

def _good(plan: PeoplePlan, rows) -> bool:
    return any(not plan.report.is_bad(r) for r in rows)


def _person_changes(plan: PeoplePlan, p: _PersonRow) -> dict:
    """The columns of an existing person that the file changes (empty cells change nothing)."""
    _, first, last, unit_id, title, rel = plan.existing[p.email.lower()]
    out = {}
    if p.first_name != first:
        out["first_name"] = p.first_name
    if p.last_name != last:
        out["last_name"] = p.last_name
    if p.unit and p.unit in plan.units and plan.units[p.unit] != unit_id:
        out["unit_id"] = plan.units[p.unit]
    elif p.unit in plan.new_units:
        out["unit_id"] = p.unit  # resolved once the unit exists
    if p.job_title and plan.titles.get(p.job_title.lower(), p.job_title) != title:
        out["job_title"] = p.job_title
    if p.relationship and p.relationship != rel:
        out["work_relationship"] = p.relationship
    return out


def _skill_changes(plan: PeoplePlan, s: _SkillRow) -> tuple[str, tuple | None]:
    """"new", "changed" or "same" for one skill row, with the held row when there is one."""
    person = plan.existing.get(s.email)
    held = plan.held.get((person[0], s.skill_id)) if person else None
    if held is None:
        return "new", None
    _, level, used, _ = held
    if level != s.level or (s.last_used is not None and s.last_used != used):
        return "changed", held
    return "same", held


def _preview(plan: PeoplePlan) -> list[importing.PreviewLine]:
    ppl = importing.PreviewLine(str(_l("People")))
    for p in plan.people.values():
        if not _good(plan, p.rows):
            continue
        if p.email.lower() not in plan.existing:
            ppl.created += 1
        elif _person_changes(plan, p):
            ppl.updated += 1
        else:
            ppl.unchanged += 1
    sk = importing.PreviewLine(str(_l("Skills in people's profiles")))
    for s in plan.skills:
        if plan.report.is_bad(s.row):
            continue
        what, _ = _skill_changes(plan, s)
        if what == "new":
            sk.created += 1
        elif what == "changed":
            sk.updated += 1
        else:
            sk.unchanged += 1
    used_units = _used(plan, lambda p: p.unit, plan.new_units)
    used_titles = _used(plan, lambda p: p.job_title.lower(), plan.new_titles)
    units = importing.PreviewLine(str(_l("Units")), created=len(used_units),
                                  examples=sorted(used_units.values())[:10])
    titles = importing.PreviewLine(str(_l("Job titles")), created=len(used_titles),
                                   examples=sorted(used_titles.values())[:10])
    return [ppl, sk, units, titles]


def _used(plan: PeoplePlan, key, new: dict) -> dict:
    """The entries of ``new`` (units or titles to create) that a good row uses."""
    out = {}
    for p in plan.people.values():
        k = key(p)
        if k in new and _good(plan, p.rows):
            out[k] = new[k]
    return out


# -------------------------------------------------------------------------------- apply

def invitation_count(plan: PeoplePlan) -> tuple[int, int]:
    """What the invitation option would do: (new people of the file it would invite, people
    already in SkillMap without an account that the same job invites too).

    The bulk invitation job (:mod:`skillmap.services.invitation_job`) invites everyone still
    working who has an e-mail and no account; an e-mail already used by an account is
    skipped by it, so it is not counted here either."""
    org = plan.organisation_id
    new = sorted({p.email.lower() for p in plan.people.values()
                  if p.email.lower() not in plan.existing and _good(plan, p.rows)})
    taken: set[str] = set()
    low = sa.func.lower(User.email)
    for i in range(0, len(new), 900):
        taken.update(db.session.scalars(sa.select(low).where(low.in_(new[i:i + 900]))))
    other_user = aliased(User)
    waiting = invitations.people_without_account(org).where(
        Person.email.is_not(None), Person.email != "",
        ~sa.exists().where(sa.func.lower(other_user.email) == sa.func.lower(Person.email)))
    others = db.session.scalar(sa.select(sa.func.count()).select_from(
        waiting.order_by(None).subquery())) or 0
    return len(new) - len(taken), others


def apply(plan: PeoplePlan, *, actor_id: int | None, only_valid: bool = False,
          invite: bool = False) -> dict:
    """Write the plan (flush only; the caller commits). Returns the counts.

    Refuses a plan with problems unless ``only_valid`` (then the rows with problems are
    left out) and always refuses a plan whose file is unusable as a whole. With ``invite``
    and new people, the bulk invitation job is requested in the same transaction (its
    queue message leaves after the commit; a rollback forgets it)."""
    report = plan.report
    if report.fatal or (report.problems and not only_valid):
        raise ValueError("the plan has problems")
    org, now = plan.organisation_id, utcnow()
    counts = {"people_created": 0, "people_updated": 0, "skills_created": 0,
              "skills_updated": 0, "units_created": 0, "job_titles_created": 0}
    # units and job titles first (a handful): through the ORM, with their audit
    for k, name in _used(plan, lambda p: p.unit, plan.new_units).items():
        unit = Unit(organisation_id=org, name=name)
        db.session.add(unit)
        db.session.flush()
        plan.units[k] = unit.id
        audit.record(org, actor_id, "unit.created", detail=f"unit {unit.id}: {name} (import)")
        counts["units_created"] += 1
    for k, name in _used(plan, lambda p: p.job_title.lower(), plan.new_titles).items():
        plan.titles[k] = org_structure.job_title_named(org, name, create=True).name
        counts["job_titles_created"] += 1

    # people: one bulk INSERT for the new, one executemany UPDATE for the changed
    new_people, changed, events = [], [], []
    for p in plan.people.values():
        if not _good(plan, p.rows):
            continue
        values = {"first_name": p.first_name, "last_name": p.last_name,
                  "unit_id": plan.units.get(p.unit) if p.unit else None,
                  "job_title": plan.titles.get(p.job_title.lower()) if p.job_title else None,
                  "work_relationship": p.relationship}
        if p.email.lower() not in plan.existing:
            new_people.append({**values, "organisation_id": org, "email": p.email.lower(),
                               "languages": "", "availability_hours": 0,
                               "visible_to_colleagues": False, "email_notifications": True,
                               "retention_reason": "", "created_at": now, "updated_at": now})
        else:
            diff = _person_changes(plan, p)
            if diff:
                pid = plan.existing[p.email.lower()][0]
                if "unit_id" in diff:
                    diff["unit_id"] = values["unit_id"]
                if "job_title" in diff:
                    diff["job_title"] = values["job_title"]
                changed.append((pid, diff))
    if new_people:
        importing.bulk_insert(Person.__table__, new_people)
        emails = [p["email"] for p in new_people]
        for i in range(0, len(emails), 900):
            for pid, email in db.session.execute(
                    sa.select(Person.id, Person.email).where(Person.organisation_id == org,
                                                             Person.email.in_(emails[i:i + 900]))):
                plan.existing[email] = (pid, None, None, None, None, None)
                events.append(_event(org, actor_id, "person.created", pid, now))
    for pid, diff in changed:
        db.session.execute(sa.update(Person.__table__).where(Person.id == pid)
                           .values(**diff, updated_at=now))
        events.append(_event(org, actor_id, "person.updated", pid, now))
    counts["people_created"], counts["people_updated"] = len(new_people), len(changed)

    # skills: bulk INSERT of the new, executemany UPDATE of the changed, and their history
    add_rows, upd_rows, history = [], [], []
    ps = PersonSkill.__table__
    for s in plan.skills:
        if report.is_bad(s.row):
            continue
        what, held = _skill_changes(plan, s)
        pid = plan.existing[s.email][0]
        if what == "new":
            add_rows.append({"person_id": pid, "skill_id": s.skill_id, "level": s.level,
                             "wants_to_grow": s.level == 0, "last_used_year": s.last_used,
                             "note": "", "confirmation_comment": "", "version": 1,
                             "updated_at": now})
            history.append(_history(pid, s.skill_id, actor_id, "added" if s.level else "wish",
                                    None, s.level, now))
        elif what == "changed":
            ps_id, level, used, _ = held
            upd_rows.append({"b_id": ps_id, "b_level": s.level,
                             "b_used": s.last_used if s.last_used is not None else used,
                             "b_wish": s.level == 0, "b_now": now})
            if level != s.level:
                history.append(_history(pid, s.skill_id, actor_id, "level", level, s.level,
                                        now))
    if add_rows:
        importing.bulk_insert(ps, add_rows)
    if upd_rows:
        db.session.execute(
            sa.update(ps).where(ps.c.id == sa.bindparam("b_id")).values(
                level=sa.bindparam("b_level"), last_used_year=sa.bindparam("b_used"),
                wants_to_grow=sa.or_(ps.c.wants_to_grow, sa.bindparam("b_wish")),
                version=ps.c.version + 1, updated_at=sa.bindparam("b_now")), upd_rows)
    if history:
        importing.bulk_insert(SkillChange.__table__, history)
    if events:
        importing.bulk_insert(AuditEvent.__table__, events)
    counts["skills_created"], counts["skills_updated"] = len(add_rows), len(upd_rows)
    counts["invitations_requested"] = False
    if invite and new_people:
        jobs.request(org, invitations.KIND, origin="web" if actor_id else "cli",
                     user_id=actor_id)
        counts["invitations_requested"] = True
    audit.record(org, actor_id, "import.people", detail=json.dumps({
        "file": plan.filename, "rows": report.rows, "rows_imported": report.good_rows,
        "rows_skipped": report.bad_rows if only_valid else 0, **counts}))
    db.session.flush()
    return counts


def _event(org: int, actor_id: int | None, action: str, pid: int, now) -> dict:
    return {"organisation_id": org, "actor_id": actor_id, "action": action,
            "subject_person_id": pid, "subject_ref": "", "detail": "import", "created_at": now}


def _history(pid: int, sid: int, actor_id: int | None, kind: str, old, new, now) -> dict:
    return {"person_id": pid, "skill_id": sid, "changed_by_id": actor_id, "kind": kind,
            "old_level": old, "new_level": new, "source": "import", "changed_at": now}


# ----------------------------------------------------------------------------- template

def template_rows(organisation_id: int, locale: str) -> list[list[str]]:
    """The template: the headers in ``locale`` and one filled example row, using a unit,
    a job title and a skill of the organisation when it has them."""
    en = locale == "en"

    def first(col, *where):
        return db.session.scalar(sa.select(col).where(*where).order_by(col).limit(1))

    unit = first(Unit.name_en if en else Unit.name, Unit.organisation_id == organisation_id,
                 Unit.retired.is_(False), (Unit.name_en if en else Unit.name).is_not(None))
    unit = unit or first(Unit.name, Unit.organisation_id == organisation_id)
    title = first(JobTitle.name, JobTitle.organisation_id == organisation_id,
                  JobTitle.retired.is_(False))
    skill = first(Skill.code, Skill.organisation_id == organisation_id, Skill.active.is_(True))
    relationship = WORK_RELATIONSHIPS["socio_lavoratore"][1 if en else 0]
    example = ["anna.rossi@example.org", "Anna", "Rossi", unit or "", title or "",
               relationship, skill or "", "3" if skill else "", str(clock.today().year - 1)
               if skill else ""]
    return [list(HEADERS["en" if en else "it"]), example]
