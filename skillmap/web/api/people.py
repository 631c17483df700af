"""People and the skills in their profiles: read (named, audited) and write (through the
same services and with the same messages as the admin's person form and the profile's
skill form)."""
from __future__ import annotations

from datetime import timezone

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from skillmap.extensions import db
from skillmap.models import Person, PersonSkill, Skill, SkillChange, Unit
from skillmap.services import people as people_service
from skillmap.services import profiles
from skillmap.services.errors import ConflictError
from skillmap.web.api import bp
from skillmap.web.api.calls import (
    ETAG_HEADER,
    Problem,
    actor,
    aware,
    current_token,
    disclose,
    etag_or_304,
    in_org,
    page,
    token_auth,
    with_etag,
)
from skillmap.web.api.schemas import (
    PeoplePage,
    PeopleQuery,
    PersonChange,
    PersonIn,
    PersonOut,
    ProfileSkillIn,
    ProfileSkillOut,
)

UNIT_UNKNOWN = _l("Choose a unit from the list.")
ENDED = _l("This person's work has ended: their profile is read-only.")
STALE = _l("This skill was changed by someone else in the meantime: read it again and "
           "repeat your change.")


def skill_dict(ps: PersonSkill) -> dict:
    return {"skill_id": ps.skill_id, "skill_code": ps.skill.code, "level": ps.level,
            "confirmed_level": ps.confirmed_level, "wants_to_grow": ps.wants_to_grow,
            "last_used_year": ps.last_used_year, "note": ps.note or "",
            "evidence_expires_on": ps.evidence_expires_on, "updated_at": aware(ps.updated_at),
            "version": ps.version}


def person_dict(p: Person) -> dict:
    return {"id": p.id, "first_name": p.first_name, "last_name": p.last_name,
            "email": p.email, "unit_id": p.unit_id, "job_title": p.job_title,
            "work_relationship": p.work_relationship, "start_date": p.start_date,
            "end_date": p.end_date, "updated_at": aware(p.updated_at),
            "skills": [skill_dict(ps) for ps in sorted(p.skills, key=lambda s: s.skill_id)]}


def utc(moment):
    """An aware datetime in UTC (how the database stores them); 422 when out of range."""
    try:
        return moment.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        raise Problem(422, _l("This date and time is out of range."),
                      field="updated_since") from None


@bp.route("/people", methods=["GET"])
@bp.arguments(PeopleQuery, location="query", as_kwargs=True)
@bp.response(200, PeoplePage, headers=ETAG_HEADER)
@bp.alt_response(304, description="Not modified: your copy (If-None-Match) is current.")
@token_auth
def list_people(**args):
    """People with their skills and levels

    Filters: `unit`, `skill` with `min_level`, `updated_since` (the person's data or
    skills changed since). Pages in id order: pass `next_cursor` as `cursor`.
    Each person listed is recorded in their "who saw my data".
    """
    tag, not_modified = etag_or_304()
    if not_modified:
        return not_modified
    org = current_token().organisation_id
    q = (sa.select(Person).where(Person.organisation_id == org)
         .options(selectinload(Person.skills).selectinload(PersonSkill.skill)))
    if args.get("unit"):
        q = q.where(Person.unit_id == args["unit"])
    if args.get("skill"):
        q = q.where(sa.exists().where(PersonSkill.person_id == Person.id,
                                      PersonSkill.skill_id == args["skill"],
                                      PersonSkill.level >= (args.get("min_level") or 1)))
    if args.get("updated_since"):
        since = utc(args["updated_since"])
        q = q.where(sa.or_(Person.updated_at >= since, sa.exists().where(
            SkillChange.person_id == Person.id, SkillChange.changed_at >= since)))
    rows, next_cursor = page(q, Person, "people", args)
    disclose([p.id for p in rows], "people")
    return with_etag({"items": [person_dict(p) for p in rows], "next_cursor": next_cursor}, tag)


@bp.route("/people/<int:person_id>", methods=["GET"])
@bp.response(200, PersonOut, headers=ETAG_HEADER)
@bp.alt_response(304, description="Not modified: your copy (If-None-Match) is current.")
@token_auth
def get_person(person_id: int):
    """One person with their skills and levels

    Recorded in the person's "who saw my data".
    """
    tag, not_modified = etag_or_304()
    if not_modified:
        return not_modified
    person = in_org(Person, person_id)
    disclose([person.id], "person")
    return with_etag(person_dict(person), tag)


def _unit(unit_id, current: int | None = None) -> int | None:
    if unit_id is None:
        return None
    unit = db.session.get(Unit, unit_id)
    if (unit is None or unit.organisation_id != current_token().organisation_id
            or (unit.retired and unit.id != current)):
        raise Problem(422, UNIT_UNKNOWN, field="unit_id",
                      errors={"unit_id": [str(UNIT_UNKNOWN)]})
    return unit.id


def _save(data: people_service.PersonData, person: Person | None) -> Person:
    from skillmap.web.admin.people_routes import PERSON_ERRORS

    try:
        if person is None:
            person = people_service.create_person(current_token().organisation_id, data,
                                                  actor=actor())
        else:
            people_service.update_person(person, data, actor=actor())
    except people_service.PersonError as exc:
        message = str(PERSON_ERRORS.get((exc.field, exc.reason),
                                        _l("This value cannot be saved.")))
        raise Problem(422, message, field=exc.field, errors={exc.field: [message]}) from None
    db.session.commit()
    return person


@bp.route("/people", methods=["POST"])
@bp.arguments(PersonIn)
@bp.response(201, PersonOut)
@token_auth
def create_person(body):
    """Add a person (write token)

    The same checks and messages as the admin's person form: names required, an e-mail
    no other person has, a working relationship from the list, an end date not before
    the start date. An account is not created: invite the person from SkillMap.
    """
    data = people_service.PersonData(
        first_name=body["first_name"], last_name=body["last_name"], email=body.get("email"),
        unit_id=_unit(body.get("unit_id")), job_title=body.get("job_title"),
        work_relationship=body.get("work_relationship"), start_date=body.get("start_date"),
        end_date=body.get("end_date"))
    return person_dict(_save(data, None)), 201


@bp.route("/people/<int:person_id>", methods=["PATCH"])
@bp.arguments(PersonChange)
@bp.response(200, PersonOut)
@token_auth
def update_person(body, person_id: int):
    """Change a person (write token)

    Send only the fields to change; `null` clears an optional field. Same checks as the
    admin's person form.
    """
    person = in_org(Person, person_id)
    current = {"first_name": person.first_name, "last_name": person.last_name,
               "email": person.email, "unit_id": person.unit_id,
               "job_title": person.job_title, "work_relationship": person.work_relationship,
               "start_date": person.start_date, "end_date": person.end_date}
    merged = {**current, **body}
    if "unit_id" in body:
        merged["unit_id"] = _unit(body["unit_id"], current=person.unit_id)
    return person_dict(_save(people_service.PersonData(**merged), person))


def _own_skill(person: Person, skill_id: int) -> PersonSkill | None:
    return db.session.scalar(sa.select(PersonSkill).where(
        PersonSkill.person_id == person.id, PersonSkill.skill_id == skill_id))


def _writable(person_id: int) -> Person:
    person = in_org(Person, person_id)
    if person.has_ended():
        raise Problem(409, ENDED)
    return person


@bp.route("/people/<int:person_id>/skills/<int:skill_id>", methods=["PUT"])
@bp.arguments(ProfileSkillIn)
@bp.response(200, ProfileSkillOut)
@bp.alt_response(201, schema=ProfileSkillOut, description="The skill was added.")
@token_auth
def put_skill(body, person_id: int, skill_id: int):
    """Add a skill to a profile or change it (write token)

    Level 1-5, or 0 with `wants_to_grow` for a skill the person wants to learn; the same
    checks and messages as the profile's skill form. Send the `version` you read to
    refuse the change (409) if someone changed the skill since. Written to the person's
    history of changes.
    """
    person = _writable(person_id)
    version = body.pop("version", None)
    data = profiles.SkillData(**body)
    ps = _own_skill(person, skill_id)
    try:
        if ps is None:
            ps = profiles.add_skill(person, skill_id, data, actor=actor())
            status = 201
        else:
            ps = profiles.update_skill(ps, version if version is not None else ps.version,
                                       data, actor=actor())
            status = 200
    except profiles.ProfileError as exc:
        raise Problem(422, exc.message, field=exc.field,
                      errors={exc.field: [str(exc.message)]}) from None
    except (profiles.StaleEdit, ConflictError):
        raise Problem(409, STALE) from None
    db.session.commit()
    ps = db.session.get(PersonSkill, ps.id)
    db.session.refresh(ps)
    return skill_dict(ps), status


@bp.route("/people/<int:person_id>/skills/<int:skill_id>", methods=["DELETE"])
@bp.response(204)
@token_auth
def delete_skill(person_id: int, skill_id: int):
    """Remove a skill from a profile (write token)

    Written to the person's history of changes.
    """
    person = _writable(person_id)
    ps = _own_skill(person, skill_id)
    if ps is None or db.session.get(Skill, skill_id) is None:
        raise Problem(404, _l("This skill is not in the person's profile."))
    try:
        profiles.remove_skill(ps, None, actor=actor())
    except profiles.StaleEdit:
        raise Problem(409, STALE) from None
    db.session.commit()
    return ""
