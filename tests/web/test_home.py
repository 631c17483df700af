"""Each role's home page shows that role's real data."""

from skillmap.extensions import db
from skillmap.models import PersonSkill, Project, ProjectRequirement, TeamMember


def test_employee_home_shows_own_skills_and_wishes(client, auth, users, taxonomy):
    person = users["employee"].person
    db.session.add_all([
        PersonSkill(person_id=person.id, skill_id=taxonomy["CARE-HOME"].id, level=4),
        PersonSkill(person_id=person.id, skill_id=taxonomy["ICT-PY"].id, level=0,
                    wants_to_grow=True)])
    person.availability_hours = 8
    db.session.commit()
    auth.login("employee")
    page = client.get("/").get_data(as_text=True)
    assert "Ciao, Anna" in page
    assert "Assistenza domiciliare" in page and "4 – Avanzato" in page
    assert "Programmazione Python" in page  # the wish
    assert "8 ore al mese" in page


def test_coordinator_home_lists_own_projects_and_ideas(client, auth, users, taxonomy, org):
    mine = Project(organisation_id=org.id, title="Orto sociale", status="staffing",
                   coordinator_id=users["coordinator"].id, team_size=3)
    mine.requirements.append(ProjectRequirement(skill_id=taxonomy["CARE-HOME"].id))
    idea = Project(organisation_id=org.id, title="Sportello digitale", status="idea")
    other = Project(organisation_id=org.id, title="Progetto di altri", status="active")
    db.session.add_all([mine, idea, other])
    db.session.flush()
    db.session.add(TeamMember(project_id=mine.id, person_id=users["employee"].person_id))
    db.session.add(TeamMember(project_id=mine.id, person_id=users["manager"].person_id,
                              status="accepted"))
    db.session.add(TeamMember(project_id=mine.id, person_id=users["admin"].person_id,
                              role="growth"))
    db.session.commit()
    auth.login("coordinator")
    page = client.get("/").get_data(as_text=True)
    # accepted members, pending invitations and growth places are counted apart
    assert "Orto sociale" in page and "In cerca del gruppo" in page
    assert "1 posto occupato su 3" in page
    assert "1 invito in attesa di risposta" in page and "1 posto di crescita" in page
    assert "Sportello digitale" in page
    assert "Progetto di altri" not in page


def test_manager_home_hides_small_groups(client, auth, users, taxonomy, org):
    from skillmap.models import Person

    people = [Person(organisation_id=org.id, first_name=f"P{i}", last_name="X") for i in range(6)]
    db.session.add_all(people)
    db.session.flush()
    for i, p in enumerate(people):  # 6 want Python, 2 want SQL (hidden), 1 holds SQL at 4
        db.session.add(PersonSkill(person_id=p.id, skill_id=taxonomy["ICT-PY"].id, level=0,
                                   wants_to_grow=True))
        if i < 2:
            db.session.add(PersonSkill(person_id=p.id, skill_id=taxonomy["ICT-SQL"].id,
                                       level=4 if i == 0 else 1, wants_to_grow=i == 1))
    db.session.commit()
    auth.login("manager")
    page = client.get("/").get_data(as_text=True)
    assert "Programmazione Python" in page
    assert "Basi di dati SQL" not in page
    assert '<p class="figure-number mb-1">10</p>' in page  # 4 staff + 6 people
    assert '<p class="figure-number mb-1">1</p>' in page  # SQL held at 4 by one person


def test_admin_home_counts_accounts(client, auth, users):
    auth.login("admin")
    page = client.get("/").get_data(as_text=True)
    assert "Amministrazione" in page and "Account attivi per ruolo" in page


def test_error_pages_in_both_languages(client, auth, users):
    auth.login("employee")
    assert "Pagina non trovata" in client.get("/nowhere").get_data(as_text=True)
    assert "Accesso non consentito" in client.get("/admin/users").get_data(as_text=True)
    users["employee"].locale = "en"
    db.session.commit()
    assert "Page not found" in client.get("/nowhere").get_data(as_text=True)


def test_500_page_is_friendly(app, client, auth, users):
    from skillmap.web.access import roles

    @app.route("/boom")
    @roles("*")
    def boom():
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    auth.login("employee")
    resp = client.get("/boom")
    assert resp.status_code == 500 and "Qualcosa è andato storto" in resp.get_data(as_text=True)
