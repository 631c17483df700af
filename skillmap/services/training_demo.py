"""The demo cooperative's training register: catalogue, rules, safety roles, records.

Dates are relative to ``today`` so the demo always shows the register at work:
some courses expired, some expiring within weeks, some never done, and one unit
whose first-aiders' course has expired (it lacks first-aiders). The demo employee's
specific safety training expires in 25 days, so their home shows a deadline.
"""
from __future__ import annotations

import random
from datetime import date, timedelta

import sqlalchemy as sa

from skillmap import clock
from skillmap.engine.training import add_months, expiry_date
from skillmap.extensions import db
from skillmap.models import (
    Organisation,
    Person,
    SafetyRoleHolder,
    TrainingCourse,
    TrainingRecord,
    TrainingRule,
    Unit,
    UnitCoverage,
    User,
)
from skillmap.services.training_catalogue import load_courses

__all__ = ["seed_training"]

CHUNK = 5000
KITCHEN = ("Cuoco/Cuoca", "Cameriere/Cameriera di sala")
SUPERVISORS = ("Coordinatore/Coordinatrice di servizio",)
PROVIDERS = ("Ente bilaterale", "Formazione Cooperativa", "Croce Rossa Italiana",
             "Studio sicurezza Rossi", "ASL")


def _done_for(rng: random.Random, course: TrainingCourse, today: date) -> date | None:
    """A completion date: about 8% never done, 10% expired, 10% expiring, the rest valid."""
    r = rng.random()
    if r < 0.08:
        return None
    months = course.validity_months
    if not months:
        return today - timedelta(days=rng.randrange(60, 3000))
    if r < 0.18:
        return add_months(today, -months) - timedelta(days=rng.randrange(10, 400))
    if r < 0.28:
        return add_months(today, -months) + timedelta(days=rng.randrange(5, 55))
    return add_months(today, -months) + timedelta(days=rng.randrange(70, months * 28))


def seed_training(org: Organisation, rng: random.Random, today: date | None = None) -> int:
    """Add the training register to the demo (once); returns how many records were added."""
    today = today or clock.today()
    if db.session.scalar(sa.select(TrainingRecord.id).where(
            TrainingRecord.organisation_id == org.id).limit(1)):
        return _complete(org, rng, today)
    load_courses(org)
    c = {x.code: x for x in db.session.scalars(sa.select(TrainingCourse).where(
        TrainingCourse.organisation_id == org.id))}
    rules = [(c["SIC-GEN"], {}), (c["SIC-SPEC-BASSO"], {}),
             (c["PS-BC"], {"safety_role": "first_aid"}), (c["AI-2"], {"safety_role": "fire"}),
             (c["SIC-PREPOSTO"], {"safety_role": "preposto"})]
    rules += [(c["HACCP"], {"job_title": t}) for t in KITCHEN]
    for course, crit in rules:
        db.session.add(TrainingRule(organisation_id=org.id, course_id=course.id, **crit))
    people = db.session.execute(sa.select(Person.id, Person.unit_id, Person.job_title).where(
        Person.organisation_id == org.id, Person.end_date.is_(None)).order_by(Person.id)).all()
    by_unit: dict[int, list] = {}
    for pid, unit_id, _title in people:
        if unit_id is not None:
            by_unit.setdefault(unit_id, []).append(pid)
    units = {u.id: u.name for u in db.session.scalars(sa.select(Unit).where(
        Unit.organisation_id == org.id))}
    ordered = sorted((u for u in by_unit if len(by_unit[u]) >= 3), key=lambda u: units[u])
    lacking = ordered[0] if ordered else None
    roles: dict[int, set] = {}
    for unit_id, pids in by_unit.items():
        for pid in pids[:2]:
            roles.setdefault(pid, set()).add("first_aid")
        for pid in pids[2:3]:
            roles.setdefault(pid, set()).add("fire")
        for role in ("first_aid", "fire"):
            db.session.add(UnitCoverage(organisation_id=org.id, unit_id=unit_id, role=role,
                                        minimum=2 if role == "first_aid" and len(pids) >= 20
                                        else 1))
    for pid, title in ((p, t) for p, _u, t in people if t in SUPERVISORS):
        roles.setdefault(pid, set()).add("preposto")
    holders = [{"person_id": p, "role": r} for p, rs in roles.items() for r in sorted(rs)]
    if holders:
        db.session.execute(sa.insert(SafetyRoleHolder), holders)
    employee = db.session.scalar(sa.select(User.person_id).where(
        User.email == "dipendente@demo.coop"))
    rows = []
    for pid, unit_id, title in people:
        wanted = [c["SIC-GEN"], c["SIC-SPEC-BASSO"]]
        wanted += [c["HACCP"]] if title in KITCHEN else []
        held = roles.get(pid, set())
        wanted += [x for role, x in (("first_aid", c["PS-BC"]), ("fire", c["AI-2"]),
                                     ("preposto", c["SIC-PREPOSTO"])) if role in held]
        for course in wanted:
            done = _done_for(rng, course, today)
            if course.code == "PS-BC":  # first-aiders: valid, except in the lacking unit
                done = (add_months(today, -40) if unit_id == lacking
                        else add_months(today, -12) - timedelta(days=rng.randrange(0, 300)))
            if pid == employee and course.code == "SIC-SPEC-BASSO":
                done = add_months(today, -60) + timedelta(days=25)
            if done is None:
                continue
            rows.append({"organisation_id": org.id, "person_id": pid, "course_id": course.id,
                         "completed_on": done,
                         "expires_on": expiry_date(done, course.validity_months),
                         "hours": course.hours_first, "provider": rng.choice(PROVIDERS),
                         "certificate_number": f"{course.code}-{done:%Y}-{pid:05d}"})
    return _insert(rows)


def _insert(rows: list[dict]) -> int:
    for start in range(0, len(rows), CHUNK):
        # the table, not the class: one executemany (see demo.seed_demo)
        db.session.execute(sa.insert(TrainingRecord.__table__), rows[start:start + CHUNK])
    db.session.flush()
    return len(rows)


def _complete(org: Organisation, rng: random.Random, today: date) -> int:
    """A second seed-demo run: the people added since get their basic courses."""
    c = {x.code: x for x in db.session.scalars(sa.select(TrainingCourse).where(
        TrainingCourse.organisation_id == org.id))}
    if not {"SIC-GEN", "SIC-SPEC-BASSO", "HACCP"} <= set(c):
        return 0
    trained = sa.select(TrainingRecord.person_id).where(TrainingRecord.organisation_id == org.id)
    people = db.session.execute(sa.select(Person.id, Person.job_title).where(
        Person.organisation_id == org.id, Person.end_date.is_(None),
        Person.id.not_in(trained)).order_by(Person.id)).all()
    rows = []
    for pid, title in people:
        for course in [c["SIC-GEN"], c["SIC-SPEC-BASSO"]] + ([c["HACCP"]] if title in KITCHEN
                                                             else []):
            done = _done_for(rng, course, today)
            if done is not None:
                rows.append({"organisation_id": org.id, "person_id": pid,
                             "course_id": course.id, "completed_on": done,
                             "expires_on": expiry_date(done, course.validity_months),
                             "hours": course.hours_first, "provider": rng.choice(PROVIDERS),
                             "certificate_number": f"{course.code}-{done:%Y}-{pid:05d}"})
    return _insert(rows)
