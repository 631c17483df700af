"""A project asks for a valid course: the team suggestion respects it (hard constraint)."""
from datetime import date

import pytest
import sqlalchemy as sa

from skillmap.extensions import db
from skillmap.models import ProjectTraining, TrainingCourse, TrainingRecord
from skillmap.services.training_catalogue import load_courses
from tests.web.test_teams import lab, team_names  # noqa: F401  (the hand-checked project)


@pytest.fixture
def haccp(org, lab):
    load_courses(org)
    db.session.flush()
    course = db.session.scalar(sa.select(TrainingCourse).where(TrainingCourse.code == "HACCP"))
    lab["project"].end_date = date(2027, 6, 30)
    ids = lab["ids"]
    # Ada and Sam hold HACCP until after the project's end; Gen's expires before it
    for name, expires in (("Ada", date(2028, 1, 1)), ("Sam", date(2027, 12, 1)),
                          ("Gen", date(2027, 1, 31))):
        db.session.add(TrainingRecord(organisation_id=org.id, person_id=ids[name],
                                      course_id=course.id, completed_on=date(2025, 1, 1),
                                      expires_on=expires))
    db.session.commit()
    return course


def _ask(post_form, lab, course, who="all", n="1"):
    pid = lab["project"].id
    return post_form(f"/projects/{pid}/training", {"course_id": course.id, "who": who,
                                                    "min_members": n},
                     page=f"/projects/{pid}/edit")


def test_every_member_must_hold_the_course(client, auth, post_form, lab, haccp):
    auth.login("coordinator")
    before = team_names(client.get(f"/projects/{lab['project'].id}/team").get_data(as_text=True))
    assert "Gen Test" in before   # the best pair without the constraint is Gen + Anna
    assert _ask(post_form, lab, haccp).status_code == 302
    assert db.session.scalar(sa.select(ProjectTraining.min_members)) is None
    html = client.get(f"/projects/{lab['project'].id}/team").get_data(as_text=True)
    names = team_names(html)
    assert set(names) <= {"Ada Test", "Sam Test"} and names
    assert "Igiene degli alimenti (HACCP)" in html and "requisito soddisfatto" in html


def test_at_least_one_member_and_nobody_holds_it(client, auth, post_form, lab, org):
    load_courses(org)
    db.session.commit()
    rls = db.session.scalar(sa.select(TrainingCourse).where(TrainingCourse.code == "RLS"))
    auth.login("coordinator")
    assert _ask(post_form, lab, rls, who="some", n="1").status_code == 302
    assert db.session.scalar(sa.select(ProjectTraining.min_members)) == 1
    html = client.get(f"/projects/{lab['project'].id}/team").get_data(as_text=True)
    assert "nessuna persona disponibile lo possiede" in html


def test_only_the_coordinator_sets_training_needs(client, auth, post_form, lab, haccp):
    auth.login("employee")
    token_page = "/"
    resp = post_form(f"/projects/{lab['project'].id}/training", {"course_id": haccp.id,
                                                                  "who": "all"}, page=token_page)
    assert resp.status_code == 403
