"""People, accounts, units and job titles for admins (managers read only)."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from skillmap.extensions import db
from skillmap.models import AuditEvent, JobTitle, Person, RoleTarget, Unit, User
from skillmap.services import people


def _new_person_form(users, **over):
    unit = db.session.scalar(sa.select(Unit))
    data = {"first_name": "Giulia", "last_name": "Galli", "email": "giulia@test.coop",
            "unit_id": str(unit.id), "job_title": "Educatrice",
            "work_relationship": "socio_lavoratore", "start_date": "2024-03-01",
            "end_date": "", "role": "employee"}
    data.update(over)
    return data


def test_admin_creates_a_person_without_account(client, auth, users, post_form):
    auth.login("admin")
    resp = post_form("/admin/people/new", _new_person_form(users), follow_redirects=True)
    assert resp.status_code == 200
    assert "Giulia Galli aggiunto" in resp.get_data(as_text=True) or "Giulia Galli" in resp.get_data(as_text=True)
    p = db.session.scalar(sa.select(Person).where(Person.email == "giulia@test.coop"))
    assert (p.work_relationship, p.start_date, p.job_title) == (
        "socio_lavoratore", date(2024, 3, 1), "Educatrice")
    assert p.user is None
    assert db.session.scalar(sa.select(JobTitle).where(JobTitle.name == "Educatrice"))


@pytest.mark.parametrize("over, message", [
    ({"first_name": ""}, "Inserisci il nome."),
    ({"email": "non-una-mail"}, "Inserisci un indirizzo e-mail valido."),
    ({"email": "employee@test.coop"}, "ha già questa e-mail"),
    ({"start_date": "2024-03-01", "end_date": "2023-01-01"}, "non può precedere"),
    ({"start_date": "31/02/2024"}, "gg/mm/aaaa"),
    ({"work_relationship": "astronauta"}, 'id="work_relationship-error"'),
    ({"invite": "y", "email": ""}, "Un invito richiede un indirizzo e-mail."),
])
def test_bad_person_data_is_refused_in_italian(client, auth, users, post_form, over, message):
    auth.login("admin")
    resp = post_form("/admin/people/new", _new_person_form(users, **over))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert message in html
    assert db.session.scalar(sa.select(Person).where(Person.first_name == "Giulia")) is None


def test_managers_read_people_but_cannot_change_them(client, auth, users, post_form):
    auth.login("manager")
    person = users["employee"].person
    assert client.get("/admin/people").status_code == 200
    page = client.get(f"/admin/people/{person.id}")
    assert page.status_code == 200 and 'name="first_name"' not in page.get_data(as_text=True)
    assert client.get("/admin/people/new").status_code == 403
    resp = post_form(f"/admin/people/{person.id}", {"first_name": "X", "last_name": "Y"},
                     page="/admin/people")
    assert resp.status_code == 403
    assert client.get("/admin/units").status_code == 200
    assert client.get("/admin/users").status_code == 403


def test_employees_cannot_open_people_pages(client, auth, users):
    auth.login("employee")
    for path in ("/admin/people", "/admin/units", "/admin/job-titles", "/admin/retention"):
        assert client.get(path).status_code == 403


def test_account_page_links_an_account_to_a_person(client, auth, users, org, post_form):
    auth.login("admin")
    lone = User(organisation_id=org.id, email="solo@test.coop", role="employee")
    lone.set_password("correct horse battery")
    p = Person(organisation_id=org.id, first_name="Sara", last_name="Sole")
    db.session.add_all([lone, p])
    db.session.commit()
    page = f"/admin/users/{lone.id}"
    assert "Sole Sara" in client.get(page).get_data(as_text=True)
    resp = post_form(page, {"link-person_id": str(p.id)}, follow_redirects=True)
    assert "Account collegato a Sara Sole" in resp.get_data(as_text=True)
    assert db.session.get(User, lone.id).person_id == p.id
    # a person already linked to another account cannot be taken
    other = users["employee"].person
    resp = post_form(page, {"link-person_id": str(other.id)})
    assert db.session.get(User, lone.id).person_id == p.id
    assert resp.status_code == 200


def test_account_without_person_has_no_profile_menu_and_a_clear_message(client, auth, org, users):
    lone = User(organisation_id=org.id, email="solo@test.coop", role="employee")
    lone.set_password("correct horse battery")
    db.session.add(lone)
    db.session.commit()
    auth.login("solo@test.coop")
    home = client.get("/").get_data(as_text=True)
    assert "Il mio profilo" not in home
    resp = client.get("/profile")
    assert resp.status_code == 404
    assert "non è collegato a una persona" in resp.get_data(as_text=True)


def test_deactivate_and_reactivate(client, auth, users, post_form):
    auth.login("admin")
    target = users["employee"]
    post_form(f"/admin/users/{target.id}/active", {}, page="/admin/users")
    assert db.session.get(User, target.id).active is False
    post_form(f"/admin/users/{target.id}/active", {}, page="/admin/users")
    assert db.session.get(User, target.id).active is True


# -- units and job titles ---------------------------------------------------------------

def test_rename_and_merge_job_titles_keep_people_and_role_targets(
        client, auth, users, org, taxonomy, post_form):
    auth.login("admin")
    for name in ("Educatore", "Educatrice"):
        db.session.add(JobTitle(organisation_id=org.id, name=name))
    extra = Person(organisation_id=org.id, first_name="Eva", last_name="Bo", job_title="Educatrice")
    db.session.add_all([extra, RoleTarget(organisation_id=org.id, job_title="Educatore",
                                          skill_id=taxonomy["CARE-FIRST"].id, min_level=3)])
    db.session.commit()
    edu = db.session.scalar(sa.select(JobTitle).where(JobTitle.name == "Educatore"))
    resp = post_form(f"/admin/structure/job-titles/{edu.id}/rename",
                     {f"r{edu.id}-name": "Educatore professionale"}, page="/admin/job-titles",
                     follow_redirects=True)
    assert "Nuovo nome: Educatore professionale" in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(RoleTarget.job_title)) == "Educatore professionale"
    assert db.session.get(Person, users["employee"].person_id).job_title == \
        "Educatore professionale"
    trice = db.session.scalar(sa.select(JobTitle.id).where(JobTitle.name == "Educatrice"))
    post_form(f"/admin/structure/job-titles/{trice}/merge", {f"m{trice}-target": edu.id},
              page="/admin/job-titles")
    assert db.session.get(Person, extra.id).job_title == "Educatore professionale"
    assert db.session.get(JobTitle, trice) is None
    # the gap report still groups by the title
    assert client.get("/reports/gaps").status_code in (200, 403)


def test_unit_create_duplicate_merge_and_retire(client, auth, users, org, post_form):
    auth.login("admin")
    resp = post_form("/admin/structure/units/new", {"new-name": "Servizi educativi"},
                     page="/admin/units")
    assert resp.status_code == 400 and "Questo nome è già usato." in resp.get_data(as_text=True)
    post_form("/admin/structure/units/new", {"new-name": "Sede Nord"}, page="/admin/units")
    nord = db.session.scalar(sa.select(Unit.id).where(Unit.name == "Sede Nord"))
    old = db.session.scalar(sa.select(Unit.id).where(Unit.name == "Servizi educativi"))
    post_form(f"/admin/structure/units/{nord}/retire", {}, page="/admin/units")
    assert db.session.get(Unit, nord).retired
    new_page = client.get("/admin/people/new").get_data(as_text=True)
    assert ">Sede Nord</option>" not in new_page
    post_form(f"/admin/structure/units/{old}/merge", {f"m{old}-target": nord},
              page="/admin/units")
    assert db.session.get(Unit, old) is None
    assert db.session.get(Person, users["employee"].person_id).unit_id == nord


@pytest.mark.parametrize("text, code", [
    ("Socio lavoratore", "socio_lavoratore"), ("socio_lavoratore", "socio_lavoratore"),
    ("VOLUNTEER", "volontario"), ("In servizio civile", "servizio_civile"),
    ("servizio civile", "servizio_civile"), ("Tirocinante", "tirocinante"), ("", None)])
def test_relationship_code_reads_codes_and_labels(text, code):
    assert people.relationship_code(text) == code


def test_relationship_code_refuses_unknown_values():
    with pytest.raises(people.PersonError):
        people.relationship_code("astronauta")


def test_every_change_is_audited(client, auth, users, post_form):
    auth.login("admin")
    post_form("/admin/people/new", _new_person_form(users))
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "person.created"))
