"""Others' profiles (audit, confirmation), colleague search, export, erasure, proposals, access."""
from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from skillmap.extensions import db
from skillmap.models import (AuditEvent, ErasureRequest, Person, PersonSkill, Project, Skill,
                             SkillChange, SkillProposal, TeamMember, User)
from skillmap.models.base import utcnow
from skillmap.queue import erasures_due
from skillmap.services import profiles
from tests.conftest import run_jobs


@pytest.fixture
def anna_skills(users, taxonomy):
    """The employee (Anna Rossi) holds Python 3 and wants to learn SQL."""
    anna = users["employee"]
    py = profiles.add_skill(anna.person, taxonomy["ICT-PY"].id,
                            profiles.SkillData(level=3, note="=HYPERLINK(\"x\")"), actor=anna)
    profiles.add_skill(anna.person, taxonomy["ICT-SQL"].id,
                       profiles.SkillData(level=0, wants_to_grow=True), actor=anna)
    db.session.commit()
    return py


def _anna(users):
    return users["employee"].person_id


# -- access per role ---------------------------------------------------------------------

@pytest.mark.parametrize("role,status", [("employee", 403), ("coordinator", 200),
                                         ("manager", 200), ("admin", 200)])
def test_other_profiles_open_to_coordinators_managers_admins(client, auth, users, role, status):
    target = users["coordinator"].person_id if role != "coordinator" else users["manager"].person_id
    auth.login(role)
    assert client.get(f"/people/{target}").status_code == status


@pytest.mark.parametrize("path", ["/admin/proposals", "/admin/erasures"])
@pytest.mark.parametrize("role,status", [("employee", 403), ("coordinator", 403),
                                         ("manager", 403), ("admin", 200)])
def test_review_queues_only_for_admins(client, auth, users, path, role, status):
    auth.login(role)
    assert client.get(path).status_code == status


@pytest.mark.parametrize("role", ["employee", "coordinator", "manager", "admin"])
def test_every_role_has_its_own_profile_and_people_search(client, auth, users, role):
    auth.login(role)
    assert client.get("/profile").status_code == 200
    assert client.get("/people?skill=python").status_code == 200


def test_person_of_another_organisation_is_404(client, auth, users):
    from skillmap.models import Organisation

    other = Organisation(name="Altra coop")
    db.session.add(other)
    db.session.flush()
    stranger = Person(organisation_id=other.id, first_name="Ugo", last_name="Esterno")
    db.session.add(stranger)
    db.session.commit()
    auth.login("manager")
    assert client.get(f"/people/{stranger.id}").status_code == 404


# -- audit trail: who viewed my profile --------------------------------------------------

def test_opening_a_profile_is_audited_and_shown_to_the_employee(client, auth, users, anna_skills):
    auth.login("coordinator")
    html = client.get(f"/people/{_anna(users)}").get_data(as_text=True)
    assert "Programmazione Python" in html
    events = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "profile.viewed")).all()
    assert [(e.actor_id, e.subject_person_id) for e in events] == [
        (users["coordinator"].id, _anna(users))]
    auth.logout()
    auth.login("employee")
    html = client.get("/profile").get_data(as_text=True)
    assert "Chi ha visto i miei dati" in html and "Bruno Bianchi" in html


def test_own_profile_is_not_audited_as_a_view(client, auth, users):
    auth.login("manager")
    client.get("/profile")
    assert client.get(f"/people/{users['manager'].person_id}").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == "profile.viewed")) == 0


# -- confirmation -----------------------------------------------------------------------

def _confirm(post_form, users, ps, level=4, comment="Visto al lavoro"):
    path = f"/people/{ps.person_id}/skills/{ps.id}/confirm"
    return post_form(path, {f"c{ps.id}-level": level, f"c{ps.id}-comment": comment},
                     page=f"/people/{ps.person_id}")


@pytest.mark.parametrize("role", ["coordinator", "manager"])
def test_coordinator_or_manager_confirms_and_both_levels_are_kept(client, auth, users,
                                                                  anna_skills, post_form, role):
    auth.login(role)
    assert _confirm(post_form, users, anna_skills, level=4).status_code == 302
    ps = db.session.get(PersonSkill, anna_skills.id)
    assert (ps.level, ps.confirmed_level, ps.confirmed_by_id) == (3, 4, users[role].id)
    assert ps.confirmation_comment == "Visto al lavoro"
    change = db.session.scalar(sa.select(SkillChange).where(SkillChange.kind == "confirmed"))
    assert (change.new_level, change.changed_by_id) == (4, users[role].id)
    auth.logout()
    auth.login("employee")
    html = client.get("/profile").get_data(as_text=True)
    assert "Livello confermato: 4 – Avanzato" in html
    assert users[role].person.full_name in html and "Visto al lavoro" in html


def test_nobody_confirms_their_own_skills(client, auth, users, taxonomy, post_form):
    boss = users["coordinator"]
    ps = profiles.add_skill(boss.person, taxonomy["ICT-NET"].id, profiles.SkillData(level=2),
                            actor=boss)
    db.session.commit()
    auth.login("coordinator")
    resp = client.post(f"/people/{boss.person_id}/skills/{ps.id}/confirm",
                       data={f"c{ps.id}-level": 5,
                             "csrf_token": _token(client, "/profile")})
    assert resp.status_code == 403
    assert db.session.get(PersonSkill, ps.id).confirmed_level is None
    with pytest.raises(profiles.ProfileError):  # the service refuses too
        profiles.confirm_level(db.session.get(PersonSkill, ps.id), 5, "", actor=boss)


def _token(client, path):
    from tests.conftest import csrf_token

    return csrf_token(client, path)


@pytest.mark.parametrize("role", ["employee", "admin"])
def test_employees_and_admins_cannot_confirm(client, auth, users, anna_skills, role):
    auth.login(role)
    resp = client.post(f"/people/{_anna(users)}/skills/{anna_skills.id}/confirm",
                       data={f"c{anna_skills.id}-level": 5,
                             "csrf_token": _token(client, "/profile")})
    assert resp.status_code == 403
    assert db.session.get(PersonSkill, anna_skills.id).confirmed_level is None


@pytest.mark.parametrize("level", [0, 6, "x"])
def test_confirmation_with_a_bad_level_is_refused(client, auth, users, anna_skills, post_form,
                                                  level):
    auth.login("manager")
    resp = _confirm(post_form, users, anna_skills, level=level)
    assert resp.status_code == 302
    assert db.session.get(PersonSkill, anna_skills.id).confirmed_level is None


# -- colleagues find only those who opted in -------------------------------------------

def test_colleague_search_honours_the_opt_in(client, auth, users, taxonomy, post_form):
    for role in ("coordinator", "manager"):
        profiles.add_skill(users[role].person, taxonomy["ICT-PY"].id,
                           profiles.SkillData(level=4), actor=users[role])
    users["manager"].person.visible_to_colleagues = True
    db.session.commit()
    auth.login("employee")
    html = client.get("/people?skill=python").get_data(as_text=True)
    assert "Carla Verdi" in html          # opted in
    assert "Bruno Bianchi" not in html    # off by default
    assert "/people/" not in html.split("<main")[1]  # employees get no profile links
    auth.logout()
    auth.login("coordinator")
    html = client.get("/people?skill=python").get_data(as_text=True)
    assert "Carla Verdi" in html  # coordinators see everyone their role needs


def test_employee_cannot_browse_colleagues_by_name(client, auth, users):
    users["manager"].person.visible_to_colleagues = True
    db.session.commit()
    auth.login("employee")
    html = client.get("/people?name=Verdi").get_data(as_text=True)
    assert "Carla Verdi" not in html


# -- export ------------------------------------------------------------------------------

def _with_history(users, taxonomy, anna_skills):
    project = Project(organisation_id=users["employee"].organisation_id, title="Orto sociale")
    db.session.add(project)
    db.session.flush()
    db.session.add(TeamMember(project_id=project.id, person_id=_anna(users), status="accepted"))
    db.session.commit()
    profiles.record_view(users["manager"], users["employee"].person)
    db.session.commit()


def test_export_json_has_everything(client, auth, users, taxonomy, anna_skills):
    _with_history(users, taxonomy, anna_skills)
    auth.login("employee")
    resp = client.get("/profile/data.json")
    assert resp.status_code == 200 and "attachment" in resp.headers["Content-Disposition"]
    data = json.loads(resp.get_data(as_text=True))
    assert data["person"]["last_name"] == "Rossi"
    assert {s["code"]: s["level"] for s in data["skills"]} == {"ICT-PY": 3, "ICT-SQL": 0}
    assert [h["kind"] for h in data["history"]] == ["added", "wish"]
    assert data["projects"][0]["project"] == "Orto sociale"
    assert data["profile_views"][0]["viewed_by"] == "manager@test.coop"


def test_export_csv_is_one_long_table_with_formulas_defused(client, auth, users, taxonomy,
                                                             anna_skills):
    _with_history(users, taxonomy, anna_skills)
    auth.login("employee")
    resp = client.get("/profile/data.csv")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    body = resp.get_data(as_text=True)
    assert body.startswith("\ufeff")   # Excel reads it as UTF-8
    # Italian reader: ";" between columns (Italian Excel) and Italian headers
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["sezione", "scheda", "campo", "valore"]
    sections = {r[0] for r in rows[1:]}
    assert {"person", "skills", "history", "projects", "profile_views"} <= sections
    notes = [r[3] for r in rows if r[0] == "skills" and r[2] == "note" and r[3]]
    assert notes == ["'=HYPERLINK(\"x\")"]


@pytest.mark.parametrize("value,expected", [("=1+1", "'=1+1"), ("+39", "'+39"), ("-2", "'-2"),
                                            ("@SUM(A1)", "'@SUM(A1)"), ("ok", "ok"),
                                            (None, ""), (3, "3")])
def test_safe_cell(value, expected):
    from skillmap.services.privacy import safe_cell

    assert safe_cell(value) == expected


def test_export_is_only_ones_own(client, auth, users, anna_skills):
    auth.login("coordinator")
    data = json.loads(client.get("/profile/data.json").get_data(as_text=True))
    assert data["person"]["last_name"] == "Bianchi" and data["skills"] == []


# -- erasure -----------------------------------------------------------------------------

def test_erasure_request_then_admin_carries_it_out(client, auth, users, taxonomy, anna_skills,
                                                   post_form):
    _with_history(users, taxonomy, anna_skills)
    anna_id, anna_user_id = _anna(users), users["employee"].id
    auth.login("employee")
    assert post_form("/profile/erasure", {}, page="/profile/data").status_code == 302
    req = db.session.scalar(sa.select(ErasureRequest))
    assert req.status == "pending" and req.pseudonym.startswith("erased-")
    old_ref = req.pseudonym
    auth.logout()

    auth.login("manager")
    assert "Anna Rossi" in client.get("/people?name=Rossi").get_data(as_text=True)
    auth.logout()
    auth.login("admin")
    assert "Anna Rossi" in client.get("/admin/erasures").get_data(as_text=True)
    resp = post_form(f"/admin/erasures/{req.id}", {f"e{req.id}-name": "anna  ROSSI"},
                     page="/admin/erasures")
    assert resp.status_code == 302
    assert db.session.get(Person, anna_id) is not None  # the grace period runs first
    db.session.get(ErasureRequest, req.id).erase_after = utcnow() - timedelta(seconds=1)
    db.session.commit()
    erasures_due()  # the queue's periodic task
    run_jobs()
    assert db.session.get(Person, anna_id) is None
    assert db.session.get(User, anna_user_id) is None
    for model in (PersonSkill, SkillChange, TeamMember):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(model).where(
            model.person_id == anna_id)) == 0
    events = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.subject_ref == "erased")).all()
    assert {e.action for e in events} >= {"profile.viewed", "erasure.requested", "person.erased",
                                          "people.listed"}
    # nothing links the rows to one person or tells what her levels were
    assert all(e.subject_person_id is None and e.detail == "" for e in events)
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.subject_ref == old_ref)) == 0
    assert db.session.get(ErasureRequest, req.id).pseudonym == "erased"
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.subject_person_id == anna_id)) == 0
    assert db.session.get(ErasureRequest, req.id).status == "done"
    html = client.get("/people?name=Rossi").get_data(as_text=True)
    assert "Anna Rossi" not in html
    auth.logout()
    resp = auth.login("employee")  # the account is gone: the login form answers again
    assert resp.status_code == 200 and "Location" not in resp.headers


def test_erasure_can_be_withdrawn(client, auth, users, post_form):
    auth.login("employee")
    post_form("/profile/erasure", {}, page="/profile/data")
    post_form("/profile/erasure/withdraw", {}, page="/profile/data")
    assert db.session.scalar(sa.select(ErasureRequest.status)) == "withdrawn"
    assert db.session.get(Person, _anna(users)) is not None


def test_admin_cannot_erase_their_own_profile(client, auth, users, post_form):
    from skillmap.services import privacy

    req = privacy.request_erasure(users["admin"].person, actor=users["admin"])
    auth.login("admin")
    post_form(f"/admin/erasures/{req.id}", {}, page="/admin/erasures")
    assert db.session.get(Person, users["admin"].person_id) is not None


# -- proposals ---------------------------------------------------------------------------

def test_proposal_accepted_as_a_new_skill_and_outcome_shown(client, auth, users, taxonomy,
                                                           post_form):
    auth.login("employee")
    assert post_form("/profile/propose", {"name": "Programmazione Pyton",
                                          "description": "Script"}).status_code == 302
    p = db.session.scalar(sa.select(SkillProposal))
    auth.logout()
    auth.login("admin")
    html = client.get("/admin/proposals").get_data(as_text=True)
    assert "Programmazione Pyton" in html and "ICT-PY" in html  # a similar skill is shown
    area = taxonomy["ICT-PY"].area_id
    resp = post_form(f"/admin/proposals/{p.id}/accept",
                     {f"a{p.id}-area": area, f"a{p.id}-name_it": "Scripting",
                      f"a{p.id}-name_en": "Scripting"}, page="/admin/proposals")
    assert resp.status_code == 302
    p = db.session.get(SkillProposal, p.id)
    skill = db.session.get(Skill, p.resulting_skill_id)
    assert (p.status, skill.code, skill.area_id) == ("accepted", "ICT-SCRIPTING", area)
    auth.logout()
    auth.login("employee")
    html = client.get("/profile").get_data(as_text=True)
    assert "accettata" in html and f"/profile/skills/add?skill={skill.id}" in html


def test_proposal_mapped_to_an_existing_skill(client, auth, users, taxonomy, post_form):
    from skillmap.services import proposals

    p = proposals.propose(users["employee"], "Pitone")
    db.session.commit()
    auth.login("admin")
    post_form(f"/admin/proposals/{p.id}/map", {f"m{p.id}-skill": taxonomy["ICT-PY"].id},
              page="/admin/proposals")
    p = db.session.get(SkillProposal, p.id)
    assert (p.status, p.resulting_skill_id) == ("mapped", taxonomy["ICT-PY"].id)


@pytest.mark.parametrize("name,message", [("", "Scrivi il nome"), ("x" * 201, "al massimo 200")])
def test_bad_proposal_refused(client, auth, users, post_form, name, message):
    auth.login("employee")
    resp = post_form("/profile/propose", {"name": name})
    assert resp.status_code == 200 and message in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(SkillProposal.id))) == 0


def test_privacy_notice_names_the_controller_and_the_dpo_from_configuration(app, client, auth,
                                                                            users):
    app.config.update(CONTROLLER_NAME="Cooperativa Sociale Esempio s.c.s.",
                      CONTROLLER_ADDRESS="Via Roma 1, 00100 Roma", DPO_CONTACT="dpo@esempio.coop")
    auth.login("employee")
    page = client.get("/privacy").get_data(as_text=True)
    assert "Titolare del trattamento: Cooperativa Sociale Esempio s.c.s., Via Roma 1, 00100 Roma." in page
    assert "Responsabile della protezione dei dati: dpo@esempio.coop" in page


def test_controller_settings_come_from_the_environment():
    from skillmap.config import from_environment

    env = {"SKILLMAP_CONTROLLER_NAME": "Coop X", "SKILLMAP_CONTROLLER_ADDRESS": "Via Po 2",
           "SKILLMAP_DPO_CONTACT": "dpo@x.coop"}
    assert from_environment(env) == {"CONTROLLER_NAME": "Coop X",
                                     "CONTROLLER_ADDRESS": "Via Po 2", "DPO_CONTACT": "dpo@x.coop"}


def test_people_search_is_audited_per_person_and_shown_with_its_context(client, auth, users):
    auth.login("manager")
    assert "Anna Rossi" in client.get("/people?name=Rossi").get_data(as_text=True)
    events = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "people.listed")).all()
    assert [(e.actor_id, e.subject_person_id) for e in events] == [
        (users["manager"].id, _anna(users))]
    auth.logout()
    auth.login("employee")
    html = client.get("/profile").get_data(as_text=True)
    assert "Ti ha trovato in una ricerca di persone" in html and "Carla Verdi" in html


def test_own_search_results_do_not_audit_oneself(client, auth, users):
    auth.login("manager")
    client.get("/people")                 # managers browse everyone, themselves excluded
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.subject_person_id == users["manager"].person_id)) == 0
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == "people.listed")) == 3
