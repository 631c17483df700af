"""Training reminders by e-mail: to the person and to HR at each step, and a weekly digest.

Steps are days before a deadline (``TRAINING_REMINDER_DAYS``, 90, 30 and 0 by default).
When a run finds a course whose latest step has been reached, it e-mails the person
(unless they turned off the messages that are not needed, ``Person.email_notifications``,
or their work has ended) and lists it for HR (managers; admins when there is no
manager: HR always receive them, it is their duty). Only the tightest step reached
is sent, and each (person, course, deadline, step, audience) only once: the
:class:`~skillmap.models.TrainingReminder` table has a unique key per sent reminder.
A deadline more than :data:`LATE_DAYS` days past is left to the weekly digest.

Services flush; the task or the command commits once (the e-mails leave after it).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from skillmap import clock
from skillmap.extensions import db
from skillmap.models import Person, TrainingCourse, TrainingReminder, User
from skillmap.services import mail, training_status, training_words

__all__ = ["RunReport", "hr_recipients", "send_digest", "send_due", "step_for"]

#: a step-0 reminder is still sent this many days after the deadline (a run was missed)
LATE_DAYS = 7


@dataclass
class RunReport:
    person_messages: int = 0
    hr_messages: int = 0
    reminders: int = 0


def steps() -> tuple[int, ...]:
    return tuple(sorted({int(s) for s in current_app.config["TRAINING_REMINDER_DAYS"]},
                        reverse=True))


def step_for(days_left: int, the_steps=None) -> int | None:
    """The tightest step reached ``days_left`` days before a deadline (None: none yet).

    >>> step_for(25, (90, 30, 0)), step_for(91, (90, 30, 0)), step_for(-3, (90, 30, 0))
    (30, None, 0)
    """
    the_steps = steps() if the_steps is None else the_steps
    reached = [s for s in the_steps if days_left <= s]
    if not reached or days_left < -LATE_DAYS:
        return None
    return min(reached)


def hr_recipients(org_id: int) -> list[User]:
    """The HR office: active managers, or the admins when there is none."""
    for role in ("manager", "admin"):
        users = db.session.scalars(sa.select(User).where(
            User.organisation_id == org_id, User.role == role, User.active)
            .order_by(User.id)).all()
        if users:
            return list(users)
    return []


def _key(person_id, course_id, due_on, step, audience) -> str:
    return f"{person_id}:{course_id}:{due_on.isoformat()}:{step}:{audience}"


def _sent_keys(org_id: int) -> set[str]:
    return set(db.session.scalars(sa.select(TrainingReminder.key).where(
        TrainingReminder.organisation_id == org_id)))


def _item(row, course: TrainingCourse, step: int) -> dict:
    # a reminder speaks of the deadline even when it is further away than the window
    status = "expired" if row["days_left"] < 0 else "expiring"
    return {"person": row["name"], "unit": row["unit_name"], "code": course.code,
            "name_it": course.name_it, "name_en": course.name_en, "status": status,
            "expires_on": row["expires_on"], "days_left": int(row["days_left"]), "step": step}


def send_due(org_id: int, today: date | None = None) -> RunReport:
    """Queue the reminders due on ``today`` (flushed; the caller commits)."""
    today = today or clock.today()
    frame = training_status.status_table(org_id, today)
    report = RunReport()
    if frame.empty:
        return report
    sent = _sent_keys(org_id)
    courses = {c.id: c for c in db.session.scalars(sa.select(TrainingCourse).where(
        TrainingCourse.organisation_id == org_id))}
    for_hr: list[dict] = []
    for row in frame[frame["expires_on"].notna()].to_dict("records"):
        step = step_for(int(row["days_left"]))
        if step is None:
            continue
        course = courses[row["course"]]
        person = db.session.get(Person, int(row["person"]))
        pkey = _key(person.id, course.id, row["expires_on"], step, "person")
        if pkey not in sent and _wants(person):
            _to_person(person, _item(row, course, step))
            _remember(org_id, pkey, person, course, row["expires_on"], step, "person",
                      person.email)
            report.person_messages += 1
            report.reminders += 1
        hkey = _key(person.id, course.id, row["expires_on"], step, "hr")
        if hkey not in sent:
            for_hr.append(_item(row, course, step))
            _remember(org_id, hkey, person, course, row["expires_on"], step, "hr", "")
            report.reminders += 1
    if for_hr:
        for user in hr_recipients(org_id):
            mail.queue_message(org_id, user.email, "training_hr", "training_hr",
                               _l("Training deadlines: %(n)s to handle"), locale=user.locale,
                               person_id=user.person_id, n=len(for_hr), items=for_hr,
                               status_name=training_words.status_name,
                               link=mail.external_url("training.deadlines"))
            report.hr_messages += 1
    db.session.flush()
    return report


def _wants(person: Person) -> bool:
    return bool(person.email and person.email_notifications and not person.has_ended())


def _to_person(person: Person, item: dict) -> None:
    user = person.user
    locale = user.locale if user is not None else "it"
    mail.queue_message(person.organisation_id, person.email, "training_reminder",
                       "training_reminder", _l("Your mandatory training: %(course)s"),
                       locale=locale, person_id=person.id, name=person.first_name,
                       course=item["name_en"] if locale == "en" else item["name_it"], item=item,
                       link=mail.external_url("training.mine"), has_account=user is not None,
                       explain=training_words.explain, what_to_do=training_words.what_to_do)


def _remember(org_id, key, person, course, due_on, step, audience, address) -> None:
    db.session.add(TrainingReminder(organisation_id=org_id, key=key, person_id=person.id,
                                    course_id=course.id, due_on=due_on, step=step,
                                    audience=audience, to_address=address or ""))


def send_digest(org_id: int, today: date | None = None) -> int:
    """The weekly digest to HR: counts and the most urgent courses; once per ISO week and
    recipient. Returns how many messages were queued (flushed; the caller commits)."""
    today = today or clock.today()
    year, week, _day = today.isocalendar()
    frame = training_status.status_table(org_id, today)
    if not frame.empty:
        frame = frame[frame["status"].isin(["expired", "expiring", "missing"])]
    counts = {s: int((frame["status"] == s).sum()) if not frame.empty else 0
              for s in ("expired", "expiring", "missing")}
    if not sum(counts.values()):
        return 0
    sent = _sent_keys(org_id)
    courses = {c.id: c for c in db.session.scalars(sa.select(TrainingCourse).where(
        TrainingCourse.organisation_id == org_id))}
    top = [{"person": r["name"], "unit": r["unit_name"], "status": r["status"],
            "name_it": courses[r["course"]].name_it, "name_en": courses[r["course"]].name_en,
            "expires_on": r["expires_on"] if r["expires_on"] == r["expires_on"] else None}
           for r in frame.head(30).to_dict("records")]
    queued = 0
    for user in hr_recipients(org_id):
        key = f"digest:{year}-W{week:02d}:{user.id}"
        if key in sent:
            continue
        mail.queue_message(org_id, user.email, "training_digest", "training_digest",
                           _l("Training: the week's deadlines"), locale=user.locale,
                           person_id=user.person_id, counts=counts, items=top,
                           more=max(0, len(frame) - len(top)),
                           status_name=training_words.status_name,
                           link=mail.external_url("training.deadlines"))
        db.session.add(TrainingReminder(organisation_id=org_id, key=key, audience="digest",
                                        to_address=user.email))
        queued += 1
    db.session.flush()
    return queued


def run_all(today: date | None = None, *, digest: bool | None = None) -> dict:
    """Every organisation's reminders (and the digest on Mondays); commits once per
    organisation, so one organisation's failure does not undo another's."""
    from skillmap.models import Organisation

    today = today or clock.today()
    digest = today.weekday() == 0 if digest is None else digest
    out = {"person": 0, "hr": 0, "digest": 0}
    for org_id in db.session.scalars(sa.select(Organisation.id).order_by(Organisation.id)):
        report = send_due(org_id, today)
        out["person"] += report.person_messages
        out["hr"] += report.hr_messages
        if digest:
            out["digest"] += send_digest(org_id, today)
        db.session.commit()
    return out
