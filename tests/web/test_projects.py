"""Projects: coordinators create and edit them, employees browse, say interested and propose."""
from html import unescape

import pytest
import sqlalchemy as sa

from skillmap.extensions import db
from skillmap.models import PersonSkill, Project, ProjectRequirement, TeamMember

GOOD = {"title": "Orto didattico", "description": "Un orto a scuola", "goals": "Inclusione",
        "start_date": "2027-03-01", "end_date": "2027-12-31", "hours_per_month": "8",
        "team_size": "4", "status": "staffing"}


@pytest.fixture
def project(org, users, taxonomy):
    p = Project(organisation_id=org.id, title="Sportello digitale", status="staffing",
                team_size=3, coordinator_id=users["coordinator"].id)
    p.requirements.append(ProjectRequirement(skill_id=taxonomy["ICT-PY"].id, min_level=3))
    db.session.add(p)
    db.session.commit()
    return p


def count(model):
    return db.session.scalar(sa.select(sa.func.count(model.id)))


def test_coordinator_creates_a_project_and_adds_skills(client, auth, users, taxonomy, post_form):
    auth.login("coordinator")
    resp = post_form("/projects/new", GOOD)
    assert resp.status_code == 302
    project = db.session.scalar(sa.select(Project))
    assert (project.title, project.team_size, project.coordinator_id, project.status) == (
        "Orto didattico", 4, users["coordinator"].id, "staffing")
    page = f"/projects/{project.id}/edit"
    resp = post_form(f"/projects/{project.id}/requirements",
                     {"req-skill": taxonomy["ICT-SQL"].id, "req-min_level": 4, "req-weight": 5,
                      "req-count": 2}, page=page)
    assert resp.status_code == 302
    req = db.session.scalar(sa.select(ProjectRequirement))
    assert (req.skill_id, req.min_level, req.weight, req.count) == (taxonomy["ICT-SQL"].id, 4, 5, 2)
    html = client.get(page).get_data(as_text=True)
    assert "Basi di dati SQL" in html and '<optgroup label="Informatica">' in html
    post_form(f"/projects/{project.id}/requirements/{req.id}/delete", {}, page=page)
    assert count(ProjectRequirement) == 0


def test_skill_search_narrows_the_select(client, auth, project):
    auth.login("coordinator")
    html = client.get(f"/projects/{project.id}/edit?q=badante").get_data(as_text=True)
    select = html.split('id="req-skill"', 1)[1].split("</select>", 1)[0]
    assert "Assistenza domiciliare" in select and "Reti informatiche" not in select


@pytest.mark.parametrize("change,message", [
    ({"title": ""}, "Inserisci un titolo."),
    ({"team_size": "0"}, "Inserisci una dimensione del gruppo da 1 a 50 persone."),
    ({"team_size": "51"}, "Inserisci una dimensione del gruppo da 1 a 50 persone."),
    ({"team_size": "tanti"}, "Inserisci una dimensione del gruppo da 1 a 50 persone."),
    ({"end_date": "2027-02-01"}, "La fine non può precedere l'inizio."),
    ({"hours_per_month": "-1"}, "Inserisci un numero di ore da 0 a 200."),
    ({"status": "finished"}, "Un progetto va solo avanti"),
])
def test_bad_project_input_is_refused(client, auth, users, post_form, change, message):
    auth.login("coordinator")
    resp = post_form("/projects/new", {**GOOD, **change})
    assert resp.status_code == 200
    html = unescape(resp.get_data(as_text=True))
    assert message in html and 'aria-invalid="true"' in html
    assert count(Project) == 0


def test_status_never_moves_backwards(client, auth, project, post_form):
    project.status = "active"
    db.session.commit()
    auth.login("coordinator")
    page = f"/projects/{project.id}/edit"
    resp = post_form(page, {**GOOD, "status": "staffing"})
    assert "Un progetto va solo avanti" in resp.get_data(as_text=True)
    assert db.session.get(Project, project.id).status == "active"
    post_form(page, {**GOOD, "status": "closed"})
    assert db.session.get(Project, project.id).status == "closed"


@pytest.mark.parametrize("data,message", [
    ({"req-min_level": 0}, "Scegli un livello da 1 a 5."),
    ({"req-min_level": 6}, "Scegli un livello da 1 a 5."),
    ({"req-weight": 9}, "Scegli un'importanza da 1 a 5."),
    ({"req-count": 0}, "Inserisci da 1 a 50 persone."),
    ({"req-skill": 0}, "Scegli una competenza dall'elenco."),
    ({"req-skill": 999999}, "Questa competenza non è nella tassonomia."),
    ({"req-skill": "PY"}, "Il progetto richiede già questa competenza"),
])
def test_bad_requirements_are_refused(client, auth, project, taxonomy, post_form, data, message):
    data = {"req-skill": taxonomy["ICT-SQL"].id, "req-min_level": 3, "req-weight": 3,
            "req-count": 1, **data}
    if data["req-skill"] == "PY":
        data["req-skill"] = taxonomy["ICT-PY"].id
    auth.login("coordinator")
    resp = post_form(f"/projects/{project.id}/requirements", data,
                     page=f"/projects/{project.id}/edit")
    assert message in unescape(resp.get_data(as_text=True))
    assert count(ProjectRequirement) == 1


def test_employee_proposes_an_idea_a_coordinator_takes_it_up(client, auth, users, post_form):
    auth.login("employee")
    resp = post_form("/projects/propose", {"title": "Cucina di comunità",
                                           "description": "Pasti per il quartiere"})
    assert resp.status_code == 302
    idea = db.session.scalar(sa.select(Project))
    assert (idea.status, idea.proposed_by_id, idea.coordinator_id) == (
        "idea", users["employee"].id, None)
    assert "Cucina di comunità" in client.get("/projects/open").get_data(as_text=True)
    auth.logout()
    auth.login("coordinator")
    assert "Cucina di comunità" in client.get("/projects/").get_data(as_text=True)
    post_form(f"/projects/{idea.id}/take-up", {}, page="/projects/")
    idea = db.session.get(Project, idea.id)
    assert (idea.status, idea.coordinator_id) == ("staffing", users["coordinator"].id)


def test_empty_idea_is_refused(client, auth, users, post_form):
    auth.login("employee")
    html = unescape(post_form("/projects/propose", {"title": "", "description": ""}
                                  ).get_data(as_text=True))
    assert "Inserisci un titolo." in html and "Descrivi l'idea in poche parole." in html
    assert count(Project) == 0


def test_open_projects_say_why_they_match_and_take_interest(client, auth, users, project,
                                                             taxonomy, org, post_form):
    other = Project(organisation_id=org.id, title="Progetto senza legami", status="active")
    hidden = Project(organisation_id=org.id, title="Progetto chiuso", status="closed")
    db.session.add_all([other, hidden, PersonSkill(person_id=users["employee"].person_id,
                                                   skill_id=taxonomy["ICT-PY"].id, level=2)])
    db.session.commit()
    auth.login("employee")
    html = client.get("/projects/open").get_data(as_text=True)
    assert "hai Programmazione Python al livello 2 (il progetto chiede 3)" in html
    assert html.index("Sportello digitale") < html.index("Progetto senza legami")
    assert "Progetto chiuso" not in html
    post_form(f"/projects/{project.id}/interest", {}, page="/projects/open")
    tm = db.session.scalar(sa.select(TeamMember))
    assert (tm.person_id, tm.status) == (users["employee"].person_id, "interested")
    post_form(f"/projects/{project.id}/withdraw", {}, page="/projects/open")
    assert count(TeamMember) == 0


@pytest.mark.parametrize("role,index,new,open_", [
    ("employee", 403, 403, 200), ("coordinator", 200, 200, 403),
    ("manager", 200, 403, 403), ("admin", 200, 403, 403)])
def test_pages_by_role(client, auth, users, role, index, new, open_):
    auth.login(role)
    assert client.get("/projects/").status_code == index
    assert client.get("/projects/new").status_code == new
    assert client.get("/projects/open").status_code == open_


def test_employees_see_only_open_projects_and_their_own(client, auth, users, org):
    closed = Project(organisation_id=org.id, title="Chiuso", status="closed")
    idea = Project(organisation_id=org.id, title="Idea altrui", status="idea")
    mine = Project(organisation_id=org.id, title="Idea mia", status="idea",
                   proposed_by_id=users["employee"].id)
    db.session.add_all([closed, idea, mine])
    db.session.commit()
    auth.login("employee")
    assert client.get(f"/projects/{closed.id}").status_code == 404
    assert client.get(f"/projects/{idea.id}").status_code == 404
    assert client.get(f"/projects/{mine.id}").status_code == 200


def test_only_the_projects_coordinator_edits_it(client, auth, project, org, post_form):
    from skillmap.models import User
    from tests.conftest import PASSWORD

    other = User(organisation_id=org.id, email="altro@test.coop", role="coordinator")
    other.set_password(PASSWORD)
    db.session.add(other)
    db.session.commit()
    auth.login("altro@test.coop")
    assert client.get(f"/projects/{project.id}/edit").status_code == 403
    assert "Sportello digitale" not in client.get("/projects/").get_data(as_text=True)


def test_projects_of_another_organisation_are_not_found(client, auth, users):
    from skillmap.models import Organisation

    far = Organisation(name="Altra")
    db.session.add(far)
    db.session.flush()
    p = Project(organisation_id=far.id, title="Lontano", status="staffing")
    db.session.add(p)
    db.session.commit()
    auth.login("manager")
    assert client.get(f"/projects/{p.id}").status_code == 404
    assert client.get(f"/projects/{p.id}/team").status_code == 404


def test_menu_entries_by_role(client, auth, users):
    auth.login("employee")
    html = client.get("/").get_data(as_text=True)
    assert ">Progetti aperti<" in html and ">Progetti<" not in html
    auth.logout()
    auth.login("coordinator")
    html = client.get("/").get_data(as_text=True)
    assert ">Progetti<" in html and ">Progetti aperti<" not in html


@pytest.mark.parametrize("path", ["/projects/new", "edit"])
def test_a_form_without_its_text_fields_saves_empty_text(client, auth, project, post_form,
                                                          path):
    """A POST without the description and goals fields (a crafted request, a client that
    leaves empty fields out) saved NULL in NOT NULL columns: a 500 found by the access
    matrix. Missing text is empty text."""
    auth.login("coordinator")
    url = f"/projects/{project.id}/edit" if path == "edit" else path
    data = {k: v for k, v in GOOD.items() if k not in ("description", "goals")}
    resp = post_form(url, data, page=f"/projects/{project.id}/edit")
    assert resp.status_code == 302
    saved = db.session.scalars(sa.select(Project).order_by(Project.id)).all()[-1]
    assert (saved.title, saved.description, saved.goals) == ("Orto didattico", "", "")
