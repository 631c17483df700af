"""The taxonomy editor: admins change areas and skills, managers read, others are refused;
retiring hides a skill from search and suggestions but not from the profiles holding it;
merging goes through a preview."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from skillmap.extensions import db
from skillmap.models import AuditEvent, PersonSkill, Skill, SkillArea, SkillChange
from skillmap.services import skill_search, versions
from tests.conftest import give

URI = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"


def _html(resp) -> str:
    return resp.get_data(as_text=True).replace("&#39;", "'")


def _skill_form(skill: Skill, **changes) -> dict:
    data = {"area_id": str(skill.area_id), "name_it": skill.name_it, "name_en": skill.name_en,
            "description_it": skill.description_it or "",
            "description_en": skill.description_en or "",
            "aliases": (skill.aliases or "").replace("|", "\n"), "esco_uri": skill.esco_uri or ""}
    data.update(changes)
    return data


@pytest.mark.parametrize("role, list_status, post_status", [
    ("employee", 403, 403), ("coordinator", 403, 403), ("manager", 200, 403)])
def test_only_admins_change_managers_read(client, auth, users, taxonomy, role, list_status,
                                          post_status):
    skill = taxonomy["ICT-PY"]
    auth.login(role)
    assert client.get("/admin/taxonomy").status_code == list_status
    assert client.get(f"/admin/taxonomy/skills/{skill.id}").status_code == list_status
    assert client.get(f"/admin/taxonomy/areas/{skill.area_id}").status_code == list_status
    assert client.get("/admin/taxonomy/skills/new").status_code == 403
    token_page = "/" if role != "manager" else "/admin/taxonomy"
    from tests.conftest import csrf_token
    token = csrf_token(client, token_page)
    for path in (f"/admin/taxonomy/skills/{skill.id}", f"/admin/taxonomy/skills/{skill.id}/retire",
                 f"/admin/taxonomy/skills/{skill.id}/merge", "/admin/taxonomy/areas/new"):
        assert client.post(path, data={**_skill_form(skill, name_it="X"),
                                       "csrf_token": token}).status_code == post_status
    assert db.session.get(Skill, skill.id).name_it == "Programmazione Python"


def test_manager_sees_the_skill_without_a_form(client, auth, users, taxonomy):
    auth.login("manager")
    html = _html(client.get(f"/admin/taxonomy/skills/{taxonomy['ICT-PY'].id}"))
    assert "Programmazione Python" in html and 'name="name_it"' not in html
    assert "Ritira" not in html


def test_admin_lists_filters_and_finds_the_proposals_queue(client, auth, users, taxonomy):
    auth.login("admin")
    html = client.get("/admin/taxonomy").get_data(as_text=True).replace("&#39;", "'")
    assert "Programmazione Python" in html and "Primo soccorso" in html
    assert "/admin/proposals" in html
    html = client.get("/admin/taxonomy?q=blsd").get_data(as_text=True).replace("&#39;", "'")
    assert "Primo soccorso" in html and "Programmazione Python" not in html
    area = taxonomy["ICT-PY"].area_id
    html = client.get(f"/admin/taxonomy?area={area}").get_data(as_text=True).replace("&#39;", "'")
    assert "Reti informatiche" in html and "Primo soccorso" not in html
    # and the queue links back to the editor
    assert "/admin/taxonomy" in _html(client.get("/admin/proposals"))


def test_admin_creates_a_skill_with_names_aliases_and_esco_uri(client, auth, users, taxonomy,
                                                               post_form):
    auth.login("admin")
    area = taxonomy["CARE-HOME"].area_id
    resp = post_form("/admin/taxonomy/skills/new", {
        "area_id": str(area), "name_it": "Igiene della persona", "name_en": "Personal hygiene",
        "description_it": "Cura dell'igiene", "description_en": "",
        "aliases": "igiene personale\nIgiene personale\nbagno assistito",
        "esco_uri": "  HTTPS://data.europa.eu/esco/skill/CCD0A1D9-AFDA-43D9-B901-96344886E14D "})
    assert resp.status_code == 302
    skill = db.session.scalar(sa.select(Skill).where(Skill.name_en == "Personal hygiene"))
    assert skill.code == "CARE-PERSONAL-HYGIENE" and skill.area_id == area
    assert skill.aliases == "igiene personale|bagno assistito"
    assert skill.esco_uri == URI and skill.edited_at is not None
    assert [m.skill_id for m in skill_search.search(skill.organisation_id, "bagno assistito")] \
        == [skill.id]
    assert db.session.scalar(sa.select(AuditEvent.action).where(
        AuditEvent.action == "skill.created")) == "skill.created"


@pytest.mark.parametrize("changes, field, message", [
    ({"name_it": "  "}, "name_it", "Inserisci un nome."),
    ({"name_en": "First aid"}, "name_en", "Un'altra competenza ha già questo nome."),
    ({"name_it": "x" * 201}, "name_it", "Usa al massimo 200 caratteri."),
    ({"esco_uri": "http://data.europa.eu/esco/occupation/ccd0a1d9-afda-43d9-b901-96344886e14d"},
     "esco_uri", "Un indirizzo ESCO è fatto così"),
    ({"esco_uri": "esco:12345"}, "esco_uri", "Un indirizzo ESCO è fatto così"),
    ({"area_id": ""}, "area_id", "Scegli un'area."),
])
def test_bad_skill_input_is_refused_in_italian(client, auth, users, taxonomy, post_form,
                                               changes, field, message):
    skill = taxonomy["ICT-PY"]
    auth.login("admin")
    resp = post_form(f"/admin/taxonomy/skills/{skill.id}", _skill_form(skill, **changes))
    assert resp.status_code == 400
    html = resp.get_data(as_text=True).replace("&#39;", "'")
    assert message in html and f'id="{field}-error"' in html
    assert db.session.get(Skill, skill.id).name_it == "Programmazione Python"


def test_errors_in_english_for_an_english_speaker(client, auth, users, taxonomy, post_form):
    users["admin"].locale = "en"
    db.session.commit()
    skill = taxonomy["ICT-PY"]
    auth.login("admin")
    resp = post_form(f"/admin/taxonomy/skills/{skill.id}", _skill_form(skill, esco_uri="nope"))
    assert "An ESCO address looks like" in resp.get_data(as_text=True).replace("&#39;", "'")


def test_the_same_esco_uri_cannot_name_two_skills(client, auth, users, taxonomy, post_form):
    taxonomy["ICT-SQL"].esco_uri = URI
    db.session.commit()
    skill = taxonomy["ICT-PY"]
    auth.login("admin")
    resp = post_form(f"/admin/taxonomy/skills/{skill.id}", _skill_form(skill, esco_uri=URI))
    assert resp.status_code == 400 and "Un'altra competenza ha già questo indirizzo ESCO." in \
        resp.get_data(as_text=True).replace("&#39;", "'")


def test_rename_and_move_a_skill(client, auth, users, taxonomy, post_form):
    skill = taxonomy["ICT-PY"]
    care = taxonomy["CARE-HOME"].area_id
    auth.login("admin")
    resp = post_form(f"/admin/taxonomy/skills/{skill.id}",
                     _skill_form(skill, name_it="Sviluppo in Python", area_id=str(care)))
    assert resp.status_code == 302
    skill = db.session.get(Skill, skill.id)
    assert (skill.name_it, skill.area_id, skill.code) == ("Sviluppo in Python", care, "ICT-PY")
    assert [m.skill_id for m in skill_search.search(skill.organisation_id, "sviluppo python")][0] \
        == skill.id
    detail = db.session.scalar(sa.select(AuditEvent.detail).where(
        AuditEvent.action == "skill.updated"))
    assert "Programmazione Python -> Sviluppo in Python" in detail
    # only the area: a move
    post_form(f"/admin/taxonomy/skills/{skill.id}",
              _skill_form(skill, area_id=str(taxonomy["ICT-SQL"].area_id)))
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == "skill.moved")) == 1


def test_retired_skill_leaves_search_and_figures_but_stays_in_the_profile(
        client, auth, users, taxonomy, post_form):
    from skillmap.services.profile_data import profile_table

    anna = users["employee"].person
    give(anna, taxonomy, {"ICT-PY": 3})
    db.session.add(SkillChange(person_id=anna.id, skill_id=taxonomy["ICT-PY"].id, kind="added",
                               new_level=3))
    db.session.commit()
    skill = taxonomy["ICT-PY"]
    auth.login("admin")
    page = f"/admin/taxonomy/skills/{skill.id}"
    assert post_form(f"{page}/retire", {}, page=page).status_code == 302
    assert db.session.get(Skill, skill.id).active is False
    assert skill_search.search(skill.organisation_id, "python") == []
    assert skill.id not in set(profile_table(skill.organisation_id)["skill"])
    assert db.session.scalar(sa.select(PersonSkill.level).where(
        PersonSkill.skill_id == skill.id)) == 3
    auth.logout()
    auth.login("employee")
    html = client.get("/profile").get_data(as_text=True).replace("&#39;", "'")
    assert "Programmazione Python" in html and "competenza ritirata" in html
    assert client.get("/profile/skills/search.json?q=python").get_json()["results"] == []
    auth.logout()
    auth.login("admin")
    post_form(f"{page}/retire", {}, page=page)
    assert db.session.get(Skill, skill.id).active is True
    versions.read_fresh(skill.organisation_id)  # this test's context read the version before
    assert [m.skill_id for m in skill_search.search(skill.organisation_id, "python")] == [
        skill.id]
    auth.logout()
    auth.login("employee")
    assert [r["id"] for r in client.get("/profile/skills/search.json?q=python").get_json()[
        "results"]] == [skill.id]


def test_merge_goes_through_a_preview(client, auth, users, taxonomy, post_form):
    anna = users["employee"].person
    give(anna, taxonomy, {"ICT-PY": 2, "ICT-SQL": 4})
    source, target = taxonomy["ICT-SQL"], taxonomy["ICT-PY"]
    auth.login("admin")
    html = client.get(f"/admin/taxonomy/skills/{source.id}/merge?into={target.id}").get_data(
        as_text=True)
    assert "Unisci Basi di dati SQL a Programmazione Python" in html
    assert "1 persona ha entrambe le competenze." in html
    assert db.session.get(Skill, source.id).merged_into_id is None  # a GET changes nothing
    resp = post_form(f"/admin/taxonomy/skills/{source.id}/merge", {"into": str(target.id)},
                     page=f"/admin/taxonomy/skills/{source.id}/merge?into={target.id}")
    assert resp.status_code == 302
    assert db.session.get(Skill, source.id).merged_into_id == target.id
    [row] = db.session.scalars(sa.select(PersonSkill).where(
        PersonSkill.person_id == anna.id)).all()
    assert (row.skill_id, row.level) == (target.id, 4)
    html = _html(client.get(f"/admin/taxonomy/skills/{source.id}"))
    assert "unita a" in html and 'name="name_it"' not in html
    auth.logout()
    auth.login("employee")  # Anna's timeline says what the merge did
    html = client.get("/profile").get_data(as_text=True)
    assert "unita a Basi di dati SQL (lì al livello 4): ora livello 4" in html


def test_merge_without_csrf_is_refused(client, auth, users, taxonomy):
    auth.login("admin")
    resp = client.post(f"/admin/taxonomy/skills/{taxonomy['ICT-SQL'].id}/merge",
                       data={"into": str(taxonomy["ICT-PY"].id)})
    assert resp.status_code == 400
    assert db.session.get(Skill, taxonomy["ICT-SQL"].id).merged_into_id is None


def test_merge_into_itself_says_why(client, auth, users, taxonomy):
    skill = taxonomy["ICT-SQL"]
    auth.login("admin")
    resp = client.get(f"/admin/taxonomy/skills/{skill.id}/merge?into={skill.id}",
                      follow_redirects=True)
    assert "una competenza non può essere unita a sé stessa" in _html(resp)


def test_admin_creates_and_edits_an_area(client, auth, users, taxonomy, post_form):
    auth.login("admin")
    resp = post_form("/admin/taxonomy/areas/new", {
        "name_it": "Agricoltura sociale", "name_en": "Social farming", "description_it": "",
        "description_en": "", "parent_id": ""})
    assert resp.status_code == 302
    area = db.session.scalar(sa.select(SkillArea).where(SkillArea.name_en == "Social farming"))
    assert area.code == "SOCIAL-FARMING"
    care = taxonomy["CARE-HOME"].area_id
    resp = post_form(f"/admin/taxonomy/areas/{area.id}", {
        "name_it": "Agricoltura sociale e fattorie", "name_en": "Social farming",
        "description_it": "", "description_en": "", "parent_id": str(care)})
    assert resp.status_code == 302
    area = db.session.get(SkillArea, area.id)
    assert (area.name_it, area.parent_id) == ("Agricoltura sociale e fattorie", care)
    # an area cannot go inside its own sub-area
    resp = post_form(f"/admin/taxonomy/areas/{care}", {
        "name_it": "Cura", "name_en": "Care", "description_it": "", "description_en": "",
        "parent_id": str(area.id)})
    assert resp.status_code == 400 and "Un'area non può stare dentro sé stessa" in \
        resp.get_data(as_text=True).replace("&#39;", "'")
    resp = post_form("/admin/taxonomy/areas/new", {
        "name_it": "Cura", "name_en": "Other", "description_it": "", "description_en": "",
        "parent_id": ""})
    assert resp.status_code == 400 and "Un'altra area ha già questo nome." in \
        resp.get_data(as_text=True).replace("&#39;", "'")


def test_another_organisations_skill_is_not_found(client, auth, users, taxonomy):
    from skillmap.models import Organisation

    other = Organisation(name="Altra")
    db.session.add(other)
    db.session.flush()
    foreign = Skill(organisation_id=other.id, code="X", name_it="X", name_en="X")
    db.session.add(foreign)
    db.session.commit()
    auth.login("admin")
    assert client.get(f"/admin/taxonomy/skills/{foreign.id}").status_code == 404
    assert client.get(f"/admin/taxonomy/skills/{taxonomy['ICT-PY'].id}/merge"
                      f"?into={foreign.id}").status_code == 404


def test_load_taxonomy_keeps_what_an_admin_edited(app, client, auth, users, taxonomy, post_form,
                                                  tmp_path):
    """Running load-taxonomy again does not undo an edit, a retirement or a merge."""
    from skillmap.services.taxonomy import load_taxonomy

    (tmp_path / "skill_areas.csv").write_text(
        "code,parent_code,name_it,name_en,description_it,description_en\n"
        "ICT,,Informatica,ICT,,\n", encoding="utf-8")
    (tmp_path / "skills.csv").write_text(
        "code,area_code,name_it,name_en,description_it,description_en,aliases,esco_uri\n"
        "ICT-PY,ICT,Programmazione Python,Python programming,,,python,\n"
        "ICT-SQL,ICT,Basi di dati SQL,SQL databases,,,database,\n"
        "ICT-NET,ICT,Reti informatiche,Computer networks,,,,\n", encoding="utf-8")
    skill = taxonomy["ICT-PY"]
    auth.login("admin")
    post_form(f"/admin/taxonomy/skills/{skill.id}",
              _skill_form(skill, name_it="Sviluppo in Python", esco_uri=URI))
    post_form(f"/admin/taxonomy/skills/{taxonomy['ICT-SQL'].id}/merge",
              {"into": str(taxonomy["ICT-NET"].id)},
              page=f"/admin/taxonomy/skills/{taxonomy['ICT-SQL'].id}/merge"
                   f"?into={taxonomy['ICT-NET'].id}")
    report = load_taxonomy(users["admin"].organisation, tmp_path)
    db.session.commit()
    assert report.skills_added == 0 and report.skills_kept == 3
    skill = db.session.get(Skill, skill.id)
    assert (skill.name_it, skill.esco_uri) == ("Sviluppo in Python", URI)
    sql = db.session.get(Skill, taxonomy["ICT-SQL"].id)
    assert (sql.active, sql.merged_into_id) == (False, taxonomy["ICT-NET"].id)


def test_a_project_requiring_a_retired_skill_says_so(client, auth, users, taxonomy, org):
    from skillmap.models import Project, ProjectRequirement

    p = Project(organisation_id=org.id, title="Sportello digitale", status="staffing",
                team_size=3, coordinator_id=users["coordinator"].id)
    p.requirements.append(ProjectRequirement(skill_id=taxonomy["ICT-PY"].id, min_level=3))
    db.session.add(p)
    db.session.commit()
    auth.login("coordinator")
    assert "competenza ritirata" not in client.get(f"/projects/{p.id}").get_data(as_text=True)
    taxonomy["ICT-PY"].active = False
    db.session.commit()
    html = client.get(f"/projects/{p.id}").get_data(as_text=True)
    assert "Programmazione Python (competenza ritirata)" in html
