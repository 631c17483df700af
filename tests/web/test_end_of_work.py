"""Team e-mails, the profile settings (languages, e-mail opt-out), end of work and retention."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from skillmap import clock
from skillmap.extensions import db
from skillmap.models import (AuditEvent, ErasureRequest, Person, PersonSkill, Project,
                             TeamMember, User)
from skillmap.services import retention
from tests.conftest import run_jobs


@pytest.fixture
def project(org, users):
    p = Project(organisation_id=org.id, title="Orto sociale", status="staffing", team_size=3,
                coordinator_id=users["coordinator"].id)
    db.session.add(p)
    db.session.commit()
    return p


# -- team e-mails -------------------------------------------------------------------------

def test_team_invitation_and_answer_are_e_mailed(client, auth, users, project, post_form, smtp):
    anna = users["employee"].person
    auth.login("coordinator")
    resp = post_form(f"/projects/{project.id}/team",
                     {"members": [anna.id], "team_version": 0},
                     page=f"/projects/{project.id}/team")
    assert resp.status_code == 302
    run_jobs()
    [msg] = smtp.to("employee@test.coop")
    assert "Orto sociale" in msg["Subject"] and "Accedi a SkillMap" in smtp.text(msg)
    auth.logout()
    auth.login("employee")
    tm = db.session.scalar(sa.select(TeamMember))
    post_form(f"/projects/invitations/{tm.id}/decline", {}, page="/")
    run_jobs()
    [answer] = smtp.to("coordinator@test.coop")
    assert answer["Subject"] == "Anna Rossi ha rifiutato l'invito a Orto sociale"
    assert f"/projects/{project.id}/team" in smtp.link(answer)


def test_a_person_can_turn_team_e_mails_off(client, auth, users, project, post_form, smtp):
    auth.login("employee")
    post_form("/profile/settings", {"availability_hours": "0", "languages": ["it"]})
    assert db.session.get(Person, users["employee"].person_id).email_notifications is False
    auth.logout()
    auth.login("coordinator")
    post_form(f"/projects/{project.id}/team",
              {"members": [users["employee"].person_id], "team_version": 0},
              page=f"/projects/{project.id}/team")
    run_jobs()
    assert smtp.to("employee@test.coop") == []
    assert db.session.scalar(sa.select(TeamMember)).status == "invited"


# -- profile settings: languages -----------------------------------------------------------

def test_language_checkboxes_are_real_checkboxes_and_are_saved(client, auth, users, post_form):
    auth.login("employee")
    html = client.get("/profile/settings").get_data(as_text=True)
    assert 'type="checkbox"' in html and 'id="languages-1"' in html
    assert 'for="languages-1"' in html  # a label tied to each box
    resp = post_form("/profile/settings", {"availability_hours": "4", "languages": ["en"],
                                           "email_notifications": "y"}, follow_redirects=True)
    assert "Inglese" in resp.get_data(as_text=True).split("Lingue", 1)[1][:200]
    assert db.session.get(Person, users["employee"].person_id).languages == "en"


# -- end of work --------------------------------------------------------------------------

def test_ending_a_person_today_past_closes_account_and_withdraws_team_places(
        client, auth, users, project, post_form):
    anna = users["employee"].person
    db.session.add(TeamMember(project_id=project.id, person_id=anna.id, status="interested"))
    db.session.commit()
    version = db.session.get(Project, project.id).team_version
    auth.login("admin")
    yesterday = clock.today() - timedelta(days=1)
    resp = post_form(f"/admin/people/{anna.id}/end", {"end-end_date": yesterday.isoformat()},
                     page=f"/admin/people/{anna.id}", follow_redirects=True)
    assert "termina il" in resp.get_data(as_text=True)
    assert db.session.get(User, users["employee"].id).active is False
    assert db.session.scalar(sa.select(TeamMember)) is None
    assert db.session.get(Project, project.id).team_version == version + 1
    auth.logout()
    assert "disattivato" in auth.login("employee").get_data(as_text=True) or \
        client.get("/").status_code == 302


def test_future_end_date_closes_the_account_by_the_daily_task(app, users):
    anna = users["employee"].person
    from skillmap.services import people

    people.end_person(anna, clock.today() + timedelta(days=3), actor=None)
    db.session.commit()
    assert retention.close_ended() == 0
    assert db.session.get(User, users["employee"].id).active
    assert retention.close_ended(today=clock.today() + timedelta(days=4)) == 1
    assert not db.session.get(User, users["employee"].id).active


def test_ended_person_profile_is_read_only(client, auth, users, post_form, taxonomy):
    anna = users["employee"].person
    anna.end_date = clock.today() - timedelta(days=1)
    db.session.commit()   # the account is still active (the daily task has not run yet)
    auth.login("employee")
    resp = post_form("/profile/settings", {"availability_hours": "9"}, page="/profile/settings")
    assert resp.status_code == 302
    assert db.session.get(Person, anna.id).availability_hours == 0


# -- retention ----------------------------------------------------------------------------

def test_retention_erases_after_twelve_months_through_the_erasure_path(app, users, taxonomy):
    anna = users["employee"].person
    db.session.add(PersonSkill(person_id=anna.id, skill_id=taxonomy["ICT-PY"].id, level=3))
    anna.end_date = date(2025, 1, 31)
    db.session.commit()
    pid = anna.id
    assert retention.erase_on(anna) == date(2026, 1, 31)
    assert retention.erase_due(today=date(2026, 1, 30)) == 0
    assert retention.erase_due(today=date(2026, 1, 31)) == 1
    assert db.session.get(Person, pid) is None
    assert db.session.scalar(sa.select(User).where(User.email == "employee@test.coop")) is None
    assert db.session.scalar(sa.select(ErasureRequest.status)) == "done"
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "retention.erased"))
    assert event is not None and event.subject_ref


def test_admin_sees_what_is_due_and_extends_one_case(client, auth, users, post_form):
    anna = users["employee"].person
    anna.end_date = clock.today() - timedelta(days=360)
    db.session.commit()
    auth.login("admin")
    page = client.get("/admin/retention").get_data(as_text=True)
    assert "Anna Rossi" in page
    assert "Dati da cancellare nei prossimi 30 giorni: 1" in client.get("/").get_data(as_text=True)
    later = clock.today() + timedelta(days=200)
    resp = post_form(f"/admin/people/{anna.id}/retention",
                     {"ext-until": later.isoformat(), "ext-reason": "Contenzioso in corso"},
                     page=f"/admin/people/{anna.id}", follow_redirects=True)
    assert "sono conservati fino al" in resp.get_data(as_text=True)
    assert "Anna Rossi" not in client.get("/admin/retention").get_data(as_text=True)
    assert retention.erase_due() == 0
    assert db.session.get(Person, anna.id).retention_reason == "Contenzioso in corso"


@pytest.mark.parametrize("data, message", [
    ({"ext-until": "2020-01-01", "ext-reason": "x"}, "Scegli un giorno successivo"),
    ({"ext-until": "2999-01-01", "ext-reason": ""}, "Scrivi perché"),
])
def test_bad_extensions_are_refused(client, auth, users, post_form, data, message):
    anna = users["employee"].person
    anna.end_date = clock.today() - timedelta(days=360)
    db.session.commit()
    auth.login("admin")
    resp = post_form(f"/admin/people/{anna.id}/retention", data,
                     page=f"/admin/people/{anna.id}", follow_redirects=True)
    assert message in resp.get_data(as_text=True)
    assert db.session.get(Person, anna.id).retention_until is None
