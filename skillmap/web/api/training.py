"""Mandatory training: the course catalogue (read) and the training records (read, named
and audited like people; added and removed through the same service and with the same
messages as HR's training record form, without a certificate file).

A record's ``status`` is its state today, decided by
:func:`skillmap.engine.training.status_on` (the rule of the deadlines page); the
``status`` filter asks the database for the same date ranges (:func:`status_condition`),
and a record's ETag includes the day and the window, since the status moves with them.
"""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from skillmap import clock
from skillmap.engine.training import EXPIRED, EXPIRING, status_on
from skillmap.extensions import db
from skillmap.models import Person, TrainingCourse, TrainingRecord
from skillmap.services import training, training_files, training_status
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
from skillmap.web.api.people import utc
from skillmap.web.api.schemas import (
    PageQuery,
    TrainingCoursesPage,
    TrainingRecordIn,
    TrainingRecordOut,
    TrainingRecordsPage,
    TrainingRecordsQuery,
)

NOT_MODIFIED = "Not modified: your copy (If-None-Match) is current."
NO_SUCH_PERSON = _l("There is no such item in your organisation.")


def _org() -> int:
    return current_token().organisation_id


def _today_and_window() -> tuple[date, int]:
    return clock.today(), training_status.window_days()


def status_condition(status: str, today: date, window: int):
    """The records whose :func:`status_on` is ``status`` on ``today``, as a SQL condition
    (the same boundaries: the expiry day itself is still "expiring", the day after
    "expired"; exactly ``window`` days ahead is "expiring")."""
    last_expiring = today + timedelta(days=window)
    exp = TrainingRecord.expires_on
    if status == EXPIRED:
        return exp < today
    if status == EXPIRING:
        return sa.and_(exp >= today, exp <= last_expiring)
    return sa.or_(exp.is_(None), exp > last_expiring)


def course_dict(c: TrainingCourse) -> dict:
    return {"id": c.id, "code": c.code, "name_it": c.name_it, "name_en": c.name_en,
            "legal_basis": c.legal_basis or "", "hours_first": c.hours_first or 0,
            "hours_renewal": c.hours_renewal, "validity_months": c.validity_months,
            "safety_role": c.safety_role, "skill_id": c.skill_id, "active": bool(c.active)}


def record_dict(r: TrainingRecord, today: date, window: int) -> dict:
    return {"id": r.id, "person_id": r.person_id, "first_name": r.person.first_name,
            "last_name": r.person.last_name, "course_id": r.course_id,
            "course_code": r.course.code, "completed_on": r.completed_on,
            "expires_on": r.expires_on, "status": status_on(r.expires_on, today, window),
            "hours": r.hours or 0, "provider": r.provider or "",
            "certificate_number": r.certificate_number or "",
            "has_certificate": bool(r.file_key), "created_at": aware(r.created_at)}


def _records():
    return (sa.select(TrainingRecord).where(TrainingRecord.organisation_id == _org())
            .options(joinedload(TrainingRecord.person), joinedload(TrainingRecord.course)))


@bp.route("/training/courses", methods=["GET"])
@bp.arguments(PageQuery, location="query", as_kwargs=True)
@bp.response(200, TrainingCoursesPage, headers=ETAG_HEADER)
@bp.alt_response(304, description=NOT_MODIFIED)
@token_auth
def list_training_courses(**args):
    """The training course catalogue, retired courses included"""
    tag, not_modified = etag_or_304()
    if not_modified:
        return not_modified
    rows, next_cursor = page(sa.select(TrainingCourse).where(
        TrainingCourse.organisation_id == _org()), TrainingCourse, "training-courses", args)
    return with_etag({"items": [course_dict(c) for c in rows], "next_cursor": next_cursor},
                     tag)


@bp.route("/training/records", methods=["GET"])
@bp.arguments(TrainingRecordsQuery, location="query", as_kwargs=True)
@bp.response(200, TrainingRecordsPage, headers=ETAG_HEADER)
@bp.alt_response(304, description=NOT_MODIFIED)
@token_auth
def list_training_records(**args):
    """Training records: who completed which course, when, until when

    Filters: `person`, `course`, `status` (today's), `updated_since`. Pages in id order:
    pass `next_cursor` as `cursor`. Each person listed is recorded in their "who saw my
    data".
    """
    today, window = _today_and_window()
    tag, not_modified = etag_or_304(f"{today.isoformat()}|{window}")
    if not_modified:
        return not_modified
    q = _records()
    if args.get("person"):
        q = q.where(TrainingRecord.person_id == args["person"])
    if args.get("course"):
        q = q.where(TrainingRecord.course_id == args["course"])
    if args.get("status"):
        q = q.where(status_condition(args["status"], today, window))
    if args.get("updated_since"):
        q = q.where(TrainingRecord.created_at >= utc(args["updated_since"]))
    rows, next_cursor = page(q, TrainingRecord, "training-records", args)
    disclose(sorted({r.person_id for r in rows}), "training records")
    return with_etag({"items": [record_dict(r, today, window) for r in rows],
                      "next_cursor": next_cursor}, tag)


@bp.route("/training/records/<int:record_id>", methods=["GET"])
@bp.response(200, TrainingRecordOut, headers=ETAG_HEADER)
@bp.alt_response(304, description=NOT_MODIFIED)
@token_auth
def get_training_record(record_id: int):
    """One training record

    Recorded in the person's "who saw my data".
    """
    today, window = _today_and_window()
    tag, not_modified = etag_or_304(f"{today.isoformat()}|{window}")
    if not_modified:
        return not_modified
    record = in_org(TrainingRecord, record_id)
    disclose([record.person_id], "training record")
    return with_etag(record_dict(record, today, window), tag)


@bp.route("/training/records", methods=["POST"])
@bp.arguments(TrainingRecordIn)
@bp.response(201, TrainingRecordOut)
@token_auth
def create_training_record(body):
    """Record a completed course (write token)

    The same checks and messages as HR's training record form: an active course of the
    catalogue, a completion date not in the future, hours 0-2000 (the course's hours when
    absent). The expiry follows from the course's validity, and the course's linked skill
    is added to or renewed in the person's profile. A certificate file can only be
    attached in SkillMap.
    """
    person = db.session.get(Person, body["person_id"])
    if person is None or person.organisation_id != _org():
        raise Problem(422, NO_SUCH_PERSON, field="person_id",
                      errors={"person_id": [str(NO_SUCH_PERSON)]})
    course = db.session.get(TrainingCourse, body["course_id"])
    course_id = body["course_id"] if course is not None and course.active else 0
    data = training.RecordData(course_id=course_id, completed_on=body["completed_on"],
                               hours=body.get("hours"), provider=body.get("provider") or "",
                               certificate_number=body.get("certificate_number") or "")
    try:
        record = training.record_course(person, data, actor=actor())
    except training.TrainingError as exc:
        raise Problem(422, exc.message, field=exc.field,
                      errors={exc.field: [str(exc.message)]}) from None
    db.session.commit()
    today, window = _today_and_window()
    return record_dict(db.session.get(TrainingRecord, record.id), today, window), 201


@bp.route("/training/records/<int:record_id>", methods=["DELETE"])
@bp.response(204)
@token_auth
def delete_training_record(record_id: int):
    """Remove a training record (write token)

    As HR's "delete" on the person's training page; a stored certificate file goes with
    it. The person's profile skill is left as it is.
    """
    record = in_org(TrainingRecord, record_id)
    key = training.delete_record(record)
    db.session.commit()
    training_files.delete_files([key])
    return ""
