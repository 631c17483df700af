"""marshmallow schemas of the HR API: what each resource looks like, in and out.

The OpenAPI document is generated from these (flask-smorest + apispec). Error messages of
input fields are fixed English strings that :mod:`skillmap.web.api.problems` translates;
the checks that the forms make (names, e-mail taken, dates, levels) stay in the services,
so the API answers with the forms' own messages.
"""
from __future__ import annotations

from datetime import timezone

import marshmallow as ma
from flask_babel import lazy_gettext as _l
from marshmallow import fields, validate

from skillmap.models import PROJECT_STATUSES, SAFETY_ROLES, WORK_RELATIONSHIPS
from skillmap.web.api import problems

ID_MAX = 2**31 - 1
LIMIT_MAX = 200

#: fixed messages of the API's own field checks (translated by problems.translate_errors)
TOO_LONG = {n: f"Field cannot be longer than {n} characters." for n in (100, 200, 254, 500)}
problems.FIELD_MESSAGES.update({
    TOO_LONG[100]: _l("Field cannot be longer than 100 characters."),
    TOO_LONG[200]: _l("Field cannot be longer than 200 characters."),
    TOO_LONG[254]: _l("Field cannot be longer than 254 characters."),
    TOO_LONG[500]: _l("Field cannot be longer than 500 characters."),
    "Enter a valid email address.": _l("Enter a valid email address."),
    "Choose a level from 1 to 5.": _l("Choose a level from 1 to 5."),
    "Choose a number from 1 to 200.": _l("Choose a number from 1 to 200."),
    "Not a valid id.": _l("Not a valid id."),
    "Enter a year between 1950 and 2100.": _l("Enter a year between 1950 and 2100."),
    # the training record form's own messages
    "Choose a course.": _l("Choose a course."),
    "Choose a course of the list.": _l("Choose a course of the list."),
    "Enter the date of completion.": _l("Enter the date of completion."),
})

#: the statuses a training record can have (skillmap.engine.training decides them)
RECORD_STATUSES = ("valid", "expiring", "expired")


def _id(**kw):
    return fields.Integer(strict=False, validate=validate.Range(1, ID_MAX, error="Not a valid id."),
                          **kw)


def _text(n: int, **kw):
    return fields.String(validate=validate.Length(max=n, error=TOO_LONG[n]), **kw)


class Strict(ma.Schema):
    """Input schemas refuse unknown fields."""

    class Meta:
        unknown = ma.RAISE


# ------------------------------------------------------------------------------- paging

class PageQuery(Strict):
    class Meta:
        unknown = ma.EXCLUDE

    limit = fields.Integer(load_default=50, validate=validate.Range(
        1, LIMIT_MAX, error="Choose a number from 1 to 200."),
        metadata={"description": "Items per page (1-200)."})
    cursor = fields.String(validate=validate.Length(max=500), metadata={
        "description": "The `next_cursor` of the previous page (opaque)."})


class PeopleQuery(PageQuery):
    unit = _id(metadata={"description": "Only people of this unit (id)."})
    skill = _id(metadata={"description": "Only people who hold this skill (id) ..."})
    min_level = fields.Integer(validate=validate.Range(1, 5, error="Choose a level from 1 to 5."),
                               metadata={"description": "... at this level or higher "
                                         "(1-5, default 1)."})
    updated_since = fields.AwareDateTime(default_timezone=timezone.utc, metadata={
        "description": "Only people whose own data or skills changed at or after this "
                       "moment (ISO 8601; without an offset: UTC)."})


class SkillsQuery(PageQuery):
    area = _id(metadata={"description": "Only skills of this area (id)."})


class ProjectsQuery(PageQuery):
    status = fields.String(validate=validate.OneOf(PROJECT_STATUSES),
                           metadata={"description": "Only projects in this state."})
    updated_since = fields.AwareDateTime(default_timezone=timezone.utc, metadata={
        "description": "Only projects changed at or after this moment (ISO 8601)."})


def page_of(item_schema, name: str):
    """A page of ``item_schema`` items: ``{"items": [...], "next_cursor": ...}``."""
    return type(name, (ma.Schema,), {
        "items": fields.List(fields.Nested(item_schema), required=True),
        "next_cursor": fields.String(required=True, allow_none=True, metadata={
            "description": "Pass it as `cursor` for the next page; null on the last page."}),
    })


# ------------------------------------------------------------------------------ output

class ProfileSkillOut(ma.Schema):
    skill_id = fields.Integer(required=True)
    skill_code = fields.String(required=True)
    level = fields.Integer(required=True, metadata={
        "description": "1-5; 0 means the person only wants to learn the skill."})
    confirmed_level = fields.Integer(required=True, allow_none=True, metadata={
        "description": "The level a coordinator confirmed, if any."})
    wants_to_grow = fields.Boolean(required=True)
    last_used_year = fields.Integer(required=True, allow_none=True)
    note = fields.String(required=True)
    evidence_expires_on = fields.Date(required=True, allow_none=True)
    updated_at = fields.DateTime(required=True)
    version = fields.Integer(required=True, metadata={
        "description": "Send it back when changing the skill to refuse a stale edit."})


class PersonOut(ma.Schema):
    id = fields.Integer(required=True)
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    email = fields.String(required=True, allow_none=True)
    unit_id = fields.Integer(required=True, allow_none=True)
    job_title = fields.String(required=True, allow_none=True)
    work_relationship = fields.String(required=True, allow_none=True)
    start_date = fields.Date(required=True, allow_none=True)
    end_date = fields.Date(required=True, allow_none=True)
    updated_at = fields.DateTime(required=True)
    skills = fields.List(fields.Nested(ProfileSkillOut), required=True)


class UnitOut(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    name_en = fields.String(required=True, allow_none=True)
    site = fields.String(required=True, allow_none=True)
    retired = fields.Boolean(required=True)


class AreaOut(ma.Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    parent_id = fields.Integer(required=True, allow_none=True)
    name_it = fields.String(required=True)
    name_en = fields.String(required=True)
    description_it = fields.String(required=True)
    description_en = fields.String(required=True)
    position = fields.Integer(required=True)


class SkillOut(ma.Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    area_id = fields.Integer(required=True, allow_none=True)
    name_it = fields.String(required=True)
    name_en = fields.String(required=True)
    description_it = fields.String(required=True)
    description_en = fields.String(required=True)
    aliases = fields.List(fields.String(), required=True)
    esco_uri = fields.String(required=True, allow_none=True)
    active = fields.Boolean(required=True, metadata={
        "description": "False for a retired skill (kept in profiles, hidden from search)."})


class RequirementOut(ma.Schema):
    skill_id = fields.Integer(required=True)
    skill_code = fields.String(required=True)
    min_level = fields.Integer(required=True)
    weight = fields.Integer(required=True, metadata={"description": "Importance, 1-5."})
    count = fields.Integer(required=True, metadata={"description": "People needed."})


class MemberOut(ma.Schema):
    person_id = fields.Integer(required=True)
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": ["interested", "invited",
                                                             "accepted", "declined"]})
    role = fields.String(required=True, metadata={"description": "member, growth or mentor"})


class ProjectOut(ma.Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": list(PROJECT_STATUSES)})
    start_date = fields.Date(required=True, allow_none=True)
    end_date = fields.Date(required=True, allow_none=True)
    hours_per_month = fields.Integer(required=True)
    team_size = fields.Integer(required=True)
    updated_at = fields.DateTime(required=True)
    requirements = fields.List(fields.Nested(RequirementOut), required=True)
    team = fields.List(fields.Nested(MemberOut), required=True)


PeoplePage = page_of(PersonOut, "PeoplePage")
UnitsPage = page_of(UnitOut, "UnitsPage")
AreasPage = page_of(AreaOut, "AreasPage")
SkillsPage = page_of(SkillOut, "SkillsPage")
ProjectsPage = page_of(ProjectOut, "ProjectsPage")


# ------------------------------------------------------------------------------- input

class PersonIn(Strict):
    """A person, as on the admin's person form."""

    first_name = _text(100, required=True)
    last_name = _text(100, required=True)
    email = fields.Email(allow_none=True, validate=validate.Length(max=254, error=TOO_LONG[254]),
                         error_messages={"invalid": "Enter a valid email address."})
    unit_id = _id(allow_none=True)
    job_title = _text(200, allow_none=True)
    work_relationship = fields.String(allow_none=True, metadata={
        "enum": [*WORK_RELATIONSHIPS, None]})
    start_date = fields.Date(allow_none=True)
    end_date = fields.Date(allow_none=True, metadata={
        "description": "The last day of work: once past, the account closes."})


class PersonChange(PersonIn):
    """The fields of a person to change (the others keep their value)."""

    first_name = _text(100)
    last_name = _text(100)


class ProfileSkillIn(Strict):
    """One skill of a profile, as on the profile's skill form."""

    level = fields.Integer(required=True, validate=validate.Range(
        0, 5, error="Choose a level from 1 to 5."), metadata={
        "description": "1-5, or 0 with wants_to_grow for a skill the person wants to learn."})
    wants_to_grow = fields.Boolean(load_default=False)
    last_used_year = fields.Integer(allow_none=True, load_default=None, validate=validate.Range(
        1950, 2100, error="Enter a year between 1950 and 2100."))
    note = _text(500, load_default="")
    evidence_expires_on = fields.Date(allow_none=True, load_default=None)
    version = fields.Integer(validate=validate.Range(1, ID_MAX, error="Not a valid id."),
                             metadata={"description": "The version you read: a newer one "
                                       "on the server refuses the change (409)."})


# ---------------------------------------------------------------------------- training

class TrainingRecordsQuery(PageQuery):
    person = _id(metadata={"description": "Only the records of this person (id)."})
    course = _id(metadata={"description": "Only the records of this course (id)."})
    status = fields.String(validate=validate.OneOf(RECORD_STATUSES), metadata={
        "description": "Only records in this state today: `expired` (past its last valid "
                       "day), `expiring` (its last valid day is within the training window, "
                       "60 days by default) or `valid` (later, or never expires); the same "
                       "rule as the training deadlines page."})
    updated_since = fields.AwareDateTime(default_timezone=timezone.utc, metadata={
        "description": "Only records added at or after this moment (ISO 8601; without an "
                       "offset: UTC). Records are not edited: a correction is a new record."})


class TrainingCourseOut(ma.Schema):
    id = fields.Integer(required=True)
    code = fields.String(required=True)
    name_it = fields.String(required=True)
    name_en = fields.String(required=True)
    legal_basis = fields.String(required=True)
    hours_first = fields.Integer(required=True, metadata={
        "description": "Hours of the first course."})
    hours_renewal = fields.Integer(required=True, allow_none=True, metadata={
        "description": "Hours of a renewal (null: as the first course)."})
    validity_months = fields.Integer(required=True, allow_none=True, metadata={
        "description": "Months a completed course stays valid (null: never expires)."})
    safety_role = fields.String(required=True, allow_none=True, metadata={
        "enum": [*SAFETY_ROLES, None],
        "description": "The safety role a valid course qualifies for, if any."})
    skill_id = fields.Integer(required=True, allow_none=True, metadata={
        "description": "The profile skill a completed course gives or renews."})
    active = fields.Boolean(required=True, metadata={
        "description": "False for a course retired from the catalogue (no new records)."})


class TrainingRecordOut(ma.Schema):
    id = fields.Integer(required=True)
    person_id = fields.Integer(required=True)
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    course_id = fields.Integer(required=True)
    course_code = fields.String(required=True)
    completed_on = fields.Date(required=True)
    expires_on = fields.Date(required=True, allow_none=True, metadata={
        "description": "The last valid day (null: never expires)."})
    status = fields.String(required=True, metadata={
        "enum": list(RECORD_STATUSES), "description": "The record's state today."})
    hours = fields.Integer(required=True)
    provider = fields.String(required=True)
    certificate_number = fields.String(required=True)
    has_certificate = fields.Boolean(required=True, metadata={
        "description": "A certificate file is stored (download it from SkillMap)."})
    created_at = fields.DateTime(required=True)


TrainingCoursesPage = page_of(TrainingCourseOut, "TrainingCoursesPage")
TrainingRecordsPage = page_of(TrainingRecordOut, "TrainingRecordsPage")


class TrainingRecordIn(Strict):
    """A completed course, as on the training record form (no certificate file)."""

    person_id = _id(required=True, metadata={"description": "A person of your organisation."})
    course_id = fields.Integer(required=True, error_messages={"required": "Choose a course."},
                               validate=validate.Range(1, ID_MAX,
                                                       error="Choose a course of the list."),
                               metadata={"description": "An active course of the catalogue."})
    completed_on = fields.Date(required=True, error_messages={
        "required": "Enter the date of completion."}, metadata={
        "description": "Not in the future; the expiry follows from the course's validity."})
    hours = fields.Integer(allow_none=True, load_default=None, metadata={
        "description": "0-2000; null or absent: the course's hours."})
    provider = _text(200, load_default="")
    certificate_number = _text(100, load_default="")


class ProblemSchema(ma.Schema):
    """Problem details (RFC 9457)."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    field = fields.String(metadata={"description": "The input field the problem is about."})
    errors = fields.Dict(metadata={"description": "Messages by input field."})
