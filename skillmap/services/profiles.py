"""Employee skill profiles: adding, changing and removing skills, with their history.

Every change writes a :class:`SkillChange` row in the same transaction, so the
timeline on the profile is never out of step with the profile itself. Edits
carry the ``PersonSkill.version`` the form was built from; a save made from
an older version is refused (:class:`StaleEdit`), never silently applied.

Functions flush and never commit: the request or the command that calls them
commits once, so an import can compose them in one transaction.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from skillmap import clock
from skillmap.extensions import db
from skillmap.models import (AuditEvent, Person, PersonSkill, Skill, SkillArea, SkillChange,
                             SkillProposal, User)
from skillmap.models.base import utcnow
from skillmap.services import audit
from skillmap.services.errors import DuplicateError

NOTE_MAX = 500
HOURS_MAX = 200
FIRST_YEAR = 1950


class ProfileError(ValueError):
    """Input the service refuses; ``field`` names the form field, the message is for users."""

    def __init__(self, field_name: str, message):
        super().__init__(field_name)
        self.field = field_name
        self.message = message


class StaleEdit(Exception):
    """The skill changed since the form was opened (another tab, another person)."""

    def __init__(self, current: PersonSkill | None):
        super().__init__("stale edit")
        self.current = current


@dataclass
class SkillData:
    """What an employee enters for one skill."""

    level: int
    wants_to_grow: bool = False
    last_used_year: int | None = None
    note: str = ""
    evidence_expires_on: date | None = None


def check(data: SkillData) -> None:
    """Refuse what the database would refuse, with a message tied to the field."""
    if data.level not in (0, 1, 2, 3, 4, 5):
        raise ProfileError("level", _l("Choose a level from 1 to 5."))
    if data.level == 0 and not data.wants_to_grow:
        raise ProfileError("level", _l("Choose a level from 1 to 5, or mark that you want "
                                       "to learn this skill."))
    if data.last_used_year is not None and not (
            FIRST_YEAR <= data.last_used_year <= clock.today().year):
        raise ProfileError("last_used_year", _l("Enter a year between %(first)d and %(last)d.",
                                                first=FIRST_YEAR, last=clock.today().year))
    if len(data.note or "") > NOTE_MAX:
        raise ProfileError("note", _l("The note can be at most %(n)d characters long.",
                                      n=NOTE_MAX))


def _change(ps: PersonSkill, actor: User | None, kind: str, old: int | None,
            new: int | None) -> None:
    db.session.add(SkillChange(person_id=ps.person_id, skill_id=ps.skill_id,
                               changed_by_id=actor.id if actor else None, kind=kind,
                               old_level=old, new_level=new))


def person_skills(person: Person) -> list[PersonSkill]:
    """The person's skills with their taxonomy row and area, in area then name order."""
    return list(db.session.scalars(
        sa.select(PersonSkill).join(Skill, Skill.id == PersonSkill.skill_id)
        .outerjoin(SkillArea, SkillArea.id == Skill.area_id)
        .options(joinedload(PersonSkill.skill).joinedload(Skill.area))
        .where(PersonSkill.person_id == person.id)
        .order_by(SkillArea.position, Skill.name_it)))


def held_skill_ids(person: Person) -> set[int]:
    """Ids of the skills in the person's profile (held or wished)."""
    return set(db.session.scalars(sa.select(PersonSkill.skill_id)
                                  .where(PersonSkill.person_id == person.id)))


def grouped_by_area(rows: list[PersonSkill]) -> list[tuple[SkillArea | None, list[PersonSkill]]]:
    groups: dict[int | None, tuple[SkillArea | None, list[PersonSkill]]] = {}
    for ps in rows:
        area = ps.skill.area
        groups.setdefault(area.id if area else None, (area, []))[1].append(ps)
    return list(groups.values())


def find_own_skill(person: Person, ps_id: int) -> PersonSkill | None:
    return db.session.scalar(sa.select(PersonSkill).where(
        PersonSkill.id == ps_id, PersonSkill.person_id == person.id))


def add_skill(person: Person, skill_id: int | None, data: SkillData, *,
              actor: User) -> PersonSkill:
    """Add a skill (or a wish, level 0) to the person's profile."""
    check(data)
    skill = db.session.get(Skill, skill_id) if skill_id else None
    if skill is None or skill.organisation_id != person.organisation_id or not skill.active:
        raise ProfileError("skill_id", _l("This skill is not in the list. Search again, or "
                                          "propose it as a new skill."))
    if db.session.scalar(sa.select(PersonSkill.id).where(
            PersonSkill.person_id == person.id, PersonSkill.skill_id == skill.id)):
        raise ProfileError("skill_id", _l("This skill is already in your profile: change it "
                                          "there."))
    ps = PersonSkill(person_id=person.id, skill_id=skill.id, level=data.level,
                     wants_to_grow=data.wants_to_grow or data.level == 0,
                     last_used_year=data.last_used_year, note=(data.note or "").strip(),
                     evidence_expires_on=data.evidence_expires_on)
    db.session.add(ps)
    try:
        db.session.flush()
        _change(ps, actor, "added" if data.level else "wish", None, data.level)
        db.session.flush()
    except sa.exc.IntegrityError as exc:
        # the same skill added by another request (double click, second tab) in the meantime
        db.session.rollback()
        existing = db.session.scalar(sa.select(PersonSkill).where(
            PersonSkill.person_id == person.id, PersonSkill.skill_id == skill.id))
        if existing is None:
            raise
        raise DuplicateError(existing) from exc
    return ps


def update_skill(ps: PersonSkill, version: int | None, data: SkillData, *,
                 actor: User) -> PersonSkill:
    """Apply an edit made on ``version``; refuse it if the skill changed since."""
    check(data)
    if version is None or version != ps.version:
        raise StaleEdit(ps)
    ps_id = ps.id
    old_level, old_wish, old_note = ps.level, ps.wants_to_grow, ps.note
    ps.level = data.level
    ps.wants_to_grow = data.wants_to_grow or data.level == 0
    ps.last_used_year = data.last_used_year
    ps.note = (data.note or "").strip()
    ps.evidence_expires_on = data.evidence_expires_on
    if ps.level != old_level:
        _change(ps, actor, "level", old_level, ps.level)
    if ps.wants_to_grow != old_wish:
        _change(ps, actor, "wish", ps.level, ps.level)
    if ps.note != old_note:
        _change(ps, actor, "note", ps.level, ps.level)
    try:
        db.session.flush()
    except StaleDataError:  # another request saved between our read and our write
        db.session.rollback()
        raise StaleEdit(db.session.get(PersonSkill, ps_id))
    return ps


def remove_skill(ps: PersonSkill, version: int | None, *, actor: User) -> None:
    if version is not None and version != ps.version:
        raise StaleEdit(ps)
    ps_id = ps.id
    _change(ps, actor, "removed", ps.level, None)
    db.session.delete(ps)
    try:
        db.session.flush()
    except StaleDataError:  # changed or removed by another request in the meantime
        db.session.rollback()
        raise StaleEdit(db.session.get(PersonSkill, ps_id))


def history(person: Person, limit: int = 30) -> list[SkillChange]:
    return list(db.session.scalars(
        sa.select(SkillChange).options(joinedload(SkillChange.skill))
        .where(SkillChange.person_id == person.id)
        .order_by(SkillChange.changed_at.desc(), SkillChange.id.desc()).limit(limit)))


# -- availability, languages and visibility ---------------------------------------------

@dataclass
class Settings:
    availability_hours: int
    available_until: date | None
    languages: list[str] = field(default_factory=list)
    visible_to_colleagues: bool = False
    #: the e-mails not needed for the account (team invitations and answers)
    email_notifications: bool = True


def update_settings(person: Person, data: Settings, *, actor: User) -> None:
    if not (0 <= data.availability_hours <= HOURS_MAX):
        raise ProfileError("availability_hours", _l("Enter a number of hours from 0 to %(n)d.",
                                                     n=HOURS_MAX))
    if data.available_until is not None and data.available_until < clock.today():
        raise ProfileError("available_until", _l("The date cannot be in the past."))
    person.availability_hours = data.availability_hours
    person.available_until = data.available_until
    person.languages = ",".join(sorted(dict.fromkeys(data.languages)))
    person.visible_to_colleagues = data.visible_to_colleagues
    person.email_notifications = data.email_notifications
    audit.record(person.organisation_id, actor.id, "profile.settings_changed",
                 subject_person_id=person.id)


# -- completeness ------------------------------------------------------------------------

@dataclass
class Completeness:
    percent: int
    done: list[str]
    todo: list[str]

    @property
    def next_step(self) -> str | None:
        return self.todo[0] if self.todo else None


def completeness(person: Person, rows: list[PersonSkill]) -> Completeness:
    """Five simple steps; the first one not done is the hint shown to the employee."""
    held = [ps for ps in rows if ps.level >= 1]
    steps = [
        (len(held) >= 3, _l("Add at least three skills you use at work.")),
        (bool(held) and all(ps.last_used_year for ps in held),
         _l("Say when you last used each skill.")),
        (any(ps.wants_to_grow for ps in rows), _l("Mark a skill you want to learn or improve.")),
        (bool(person.languages), _l("Add the languages you speak.")),
        (person.availability_hours > 0 or person.available_until is not None,
         _l("Say how many hours a month you could give to innovation projects.")),
    ]
    done = [str(label) for ok, label in steps if ok]
    todo = [str(label) for ok, label in steps if not ok]
    return Completeness(round(100 * len(done) / len(steps)), done, todo)


# -- confirmation by a coordinator or manager --------------------------------------------

def confirm_level(ps: PersonSkill, level: int, comment: str, *, actor: User) -> None:
    """A coordinator or manager confirms a level (or proposes another); never their own."""
    if actor.role not in ("coordinator", "manager"):
        raise ProfileError("level", _l("Only coordinators and HR can confirm levels."))
    if actor.person_id is not None and actor.person_id == ps.person_id:
        raise ProfileError("level", _l("You cannot confirm your own skills."))
    if level not in (1, 2, 3, 4, 5):
        raise ProfileError("level", _l("Choose a level from 1 to 5."))
    if ps.level not in (1, 2, 3, 4, 5):
        raise ProfileError("level", _l("Only a skill the person holds can be confirmed: this "
                                       "one they only want to learn."))
    if len(comment or "") > NOTE_MAX:
        raise ProfileError("comment", _l("The comment can be at most %(n)d characters long.",
                                         n=NOTE_MAX))
    ps_id, old = ps.id, ps.confirmed_level
    ps.confirmed_level = level
    ps.confirmed_by_id = actor.id
    ps.confirmed_at = utcnow()
    ps.confirmation_comment = (comment or "").strip()
    _change(ps, actor, "confirmed", old, level)
    audit.record(actor.organisation_id, actor.id, "skill.confirmed",
                 subject_person_id=ps.person_id,
                 detail=f"skill {ps.skill_id}: level {ps.level}, confirmed {level}")
    try:
        db.session.flush()
    except StaleDataError:  # the employee (or another confirmer) saved it in the meantime
        db.session.rollback()
        raise StaleEdit(db.session.get(PersonSkill, ps_id))


# -- who viewed my profile ---------------------------------------------------------------

def record_view(viewer: User, person: Person) -> None:
    """Log that ``viewer`` opened ``person``'s profile (nothing is logged for oneself).

    The one write of a profile page's GET: the view commits it."""
    if viewer.person_id == person.id:
        return
    audit.record(viewer.organisation_id, viewer.id, "profile.viewed",
                     subject_person_id=person.id)


def viewers(person: Person, limit: int = 50) -> list[tuple[AuditEvent, User | None]]:
    """Who saw ``person``'s data (profile, search, team suggestion, report list), newest first."""
    return list(db.session.execute(
        sa.select(AuditEvent, User).outerjoin(User, User.id == AuditEvent.actor_id)
        .options(joinedload(User.person))
        .where(AuditEvent.subject_person_id == person.id,
               AuditEvent.action.in_(audit.DISCLOSURES))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()).limit(limit)).all())


def disclosure_context(event: AuditEvent) -> str:
    """In plain words, where ``event`` showed the person's data."""
    import json

    try:
        detail = json.loads(event.detail) if event.detail.startswith("{") else {}
    except ValueError:
        detail = {}
    if event.action == "profile.viewed":
        return _l("Opened your profile") if not event.detail else _l(
            "Opened your profile from a team page")
    if event.action == "profile.card_viewed":
        return _l("Opened your printable skill card")
    if event.action == "people.listed":
        return _l("Found you in a people search")
    if event.action == "team.suggested":
        return _l("Saw you in a team suggestion for a project")
    if event.action == "report.people_listed":
        return {"candidates": _l("Listed you among people who could be trained (report)"),
                "holders": _l("Listed you among the holders of a skill (report)")}.get(
            detail.get("list"), _l("Listed you behind a figure of the skills matrix (report)"))
    if event.action == "training.viewed":
        return _l("Opened your training register (courses, certificates and deadlines)")
    if event.action == "training.listed":
        return (_l("Saw you in the list of training deadlines") if detail.get("via") == "deadlines"
                else _l("Downloaded the list of training deadlines, which names you"))
    if event.action == "training.certificate_read":
        return _l("Downloaded one of your course certificates")
    if event.action == "audit.exported":
        return _l("Exported audit records about you")
    if event.action == "api.read":
        return _l("An HR program read your data through the API (token: %(name)s)",
                  name=detail.get("token", ""))
    return event.action


def my_proposals(user: User) -> list[SkillProposal]:
    return list(db.session.scalars(
        sa.select(SkillProposal).where(SkillProposal.proposed_by_id == user.id)
        .order_by(SkillProposal.created_at.desc())))


def confirmer_names(rows: list[PersonSkill]) -> dict[int, str]:
    """user id -> the name of whoever confirmed one of ``rows`` (email if no person)."""
    ids = {ps.confirmed_by_id for ps in rows if ps.confirmed_by_id}
    if not ids:
        return {}
    users = db.session.scalars(sa.select(User).options(joinedload(User.person))
                               .where(User.id.in_(ids)))
    return {u.id: u.person.full_name if u.person else u.email for u in users}
