"""People of the cooperative: create, edit, end, and link to their login account.

What an import needs (issue 11, bulk import):

* :class:`PersonData` holds the fields an admin or an import sets;
  :func:`create_person` / :func:`update_person` apply it (they flush, the caller
  commits once, so a whole import is one transaction);
* :func:`relationship_code` reads a working relationship given as code, Italian
  or English label (case and spaces ignored);
* units by name: :func:`skillmap.services.org_structure.unit_named`; job titles:
  :func:`skillmap.services.org_structure.job_title_named` (``create=True`` adds it);
* :func:`find_by_email` is the key of a person.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from skillmap import clock
from skillmap.extensions import db
from skillmap.models import WORK_RELATIONSHIPS, Person, Project, TeamMember, User
from skillmap.services import audit, org_structure

__all__ = ["PersonData", "PersonError", "RELATIONSHIP_NAMES", "close_account", "create_person",
           "end_person", "find_by_email", "link_account", "people", "relationship_code",
           "relationship_label", "update_person", "withdraw_team_places"]

#: labels shown in the user's language (the Italian ones are the translations)
RELATIONSHIP_NAMES = {
    "socio_lavoratore": _l("Worker member"),
    "dipendente": _l("Employee"),
    "collaboratore": _l("Freelance collaborator"),
    "volontario": _l("Volunteer"),
    "tirocinante": _l("Trainee"),
    "servizio_civile": _l("Civil service volunteer"),
}


class PersonError(Exception):
    """The data cannot be saved; ``field`` and ``reason`` say why."""

    def __init__(self, field: str, reason: str):
        super().__init__(f"{field}: {reason}")
        self.field, self.reason = field, reason


@dataclass
class PersonData:
    first_name: str
    last_name: str
    email: str | None = None
    unit_id: int | None = None
    job_title: str | None = None
    work_relationship: str | None = None
    start_date: date | None = None
    end_date: date | None = None


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.replace("_", " ").replace("-", " ").lower().split())


def relationship_code(text: str | None) -> str | None:
    """The code of a working relationship given as code or Italian/English label.

    >>> relationship_code("Socio lavoratore"), relationship_code("volunteer")
    ('socio_lavoratore', 'volontario')

    Returns None for an empty value; raises :class:`PersonError` for an unknown one.
    """
    key = _fold(text or "")
    if not key:
        return None
    for code, (it, en) in WORK_RELATIONSHIPS.items():
        if key in (_fold(code), _fold(it), _fold(en)):
            return code
    if key == "servizio civile":
        return "servizio_civile"
    raise PersonError("work_relationship", "unknown")


def relationship_label(code: str | None) -> str:
    return str(RELATIONSHIP_NAMES[code]) if code in RELATIONSHIP_NAMES else ""


def find_by_email(organisation_id: int, email: str) -> Person | None:
    return db.session.scalar(sa.select(Person).where(
        Person.organisation_id == organisation_id,
        sa.func.lower(Person.email) == (email or "").strip().lower()))


def people(organisation_id: int, *, query: str = "", state: str = "all") -> list[Person]:
    """People of the organisation by name; ``state``: all, current, ended, no_account."""
    q = (sa.select(Person).outerjoin(User, User.person_id == Person.id)
         .where(Person.organisation_id == organisation_id))
    today = clock.today()
    if state == "current":
        q = q.where(sa.or_(Person.end_date.is_(None), Person.end_date >= today))
    elif state == "ended":
        q = q.where(Person.end_date < today)
    elif state == "no_account":
        q = q.where(User.id.is_(None))
    if query:
        like = f"%{query.strip().lower()}%"
        q = q.where(sa.or_(sa.func.lower(Person.first_name + " " + Person.last_name).like(like),
                           sa.func.lower(sa.func.coalesce(Person.email, "")).like(like)))
    return list(db.session.scalars(q.order_by(Person.last_name, Person.first_name)))


def _check(organisation_id: int, data: PersonData, person: Person | None) -> None:
    if not (data.first_name or "").strip():
        raise PersonError("first_name", "empty")
    if not (data.last_name or "").strip():
        raise PersonError("last_name", "empty")
    if data.email:
        other = find_by_email(organisation_id, data.email)
        if other is not None and (person is None or other.id != person.id):
            raise PersonError("email", "taken")
    if data.work_relationship is not None and data.work_relationship not in WORK_RELATIONSHIPS:
        raise PersonError("work_relationship", "unknown")
    if data.start_date and data.end_date and data.end_date < data.start_date:
        raise PersonError("end_date", "before_start")


def _apply(person: Person, data: PersonData) -> None:
    person.first_name = data.first_name.strip()
    person.last_name = data.last_name.strip()
    person.email = data.email.strip().lower() if data.email else None
    person.unit_id = data.unit_id
    title = org_structure.job_title_named(person.organisation_id, data.job_title or "",
                                          create=True)
    person.job_title = title.name if title else None
    person.work_relationship = data.work_relationship
    person.start_date = data.start_date


def create_person(organisation_id: int, data: PersonData, *, actor: User | None) -> Person:
    """A new person (flushed; the caller commits). An end date given here ends them too."""
    _check(organisation_id, data, None)
    person = Person(organisation_id=organisation_id, first_name="", last_name="",
                    languages="", availability_hours=0, visible_to_colleagues=False)
    _apply(person, data)
    db.session.add(person)
    db.session.flush()
    audit.record(organisation_id, actor.id if actor else None, "person.created",
                 subject_person_id=person.id)
    if data.end_date:
        end_person(person, data.end_date, actor=actor)
    return person


def update_person(person: Person, data: PersonData, *, actor: User | None) -> Person:
    """Change a person's fields (flushed). A changed end date goes through :func:`end_person`."""
    _check(person.organisation_id, data, person)
    _apply(person, data)
    if person.user is not None and person.email and person.user.email != person.email:
        from skillmap.services import accounts

        taken = accounts.find_user(person.email)
        if taken is not None and taken.id != person.user.id:
            raise PersonError("email", "taken")
        person.user.email = person.email
    audit.record(person.organisation_id, actor.id if actor else None, "person.updated",
                 subject_person_id=person.id)
    if data.end_date != person.end_date:
        end_person(person, data.end_date, actor=actor)
    db.session.flush()
    return person


def end_person(person: Person, end_date: date | None, *, actor: User | None,
               today: date | None = None) -> None:
    """Set (or clear) the last day of work. Once it has passed, the account closes and
    open team places and interests are withdrawn (now if it is already past, else by
    the daily task :func:`skillmap.services.retention.close_ended`)."""
    if end_date is not None and person.start_date and end_date < person.start_date:
        raise PersonError("end_date", "before_start")
    person.end_date = end_date
    if end_date is None:
        person.retention_until, person.retention_reason = None, ""
    audit.record(person.organisation_id, actor.id if actor else None,
                 "person.ended" if end_date else "person.end_cleared",
                 subject_person_id=person.id, detail=str(end_date or ""))
    if end_date is not None and end_date < (today or clock.today()):
        close_account(person, actor=actor)
    db.session.flush()


def close_account(person: Person, *, actor: User | None) -> None:
    """The end of work has passed: disable the account and leave the open teams."""
    user = person.user
    if user is not None and user.active:
        user.active = False
        audit.record(person.organisation_id, actor.id if actor else None, "account.closed",
                     subject_person_id=person.id, detail=f"user {user.id}: end of work")
    withdraw_team_places(person, actor=actor)


def withdraw_team_places(person: Person, *, actor: User | None) -> int:
    """Remove the person's open invitations and interests (the coordinator's team page
    shows the change: the team's version moves on). Accepted places of closed projects
    stay as history. Returns how many were withdrawn."""
    from skillmap.services.teams import lock_team

    rows = list(db.session.scalars(sa.select(TeamMember).join(Project).where(
        TeamMember.person_id == person.id,
        TeamMember.status.in_(("interested", "invited", "accepted")),
        Project.status.in_(("idea", "staffing", "active")))))
    for tm in rows:
        lock_team(tm.project_id)
        audit.record(person.organisation_id, actor.id if actor else None,
                     "team.withdrawn_end_of_work", subject_person_id=person.id,
                     detail=f"project {tm.project_id}: was {tm.status}")
        db.session.delete(tm)
    return len(rows)


def link_account(user: User, person: Person | None, *, actor: User) -> None:
    """Link ``user`` to ``person`` (or unlink with None); one account per person."""
    if person is not None:
        if person.organisation_id != user.organisation_id:
            raise PersonError("person", "unknown")
        if person.user is not None and person.user.id != user.id:
            raise PersonError("person", "has_account")
    old = user.person_id
    user.person = person
    audit.record(user.organisation_id, actor.id, "account.linked",
                 subject_person_id=person.id if person else old,
                 detail=f"user {user.id}: person {old} -> {person.id if person else None}")
    db.session.flush()
