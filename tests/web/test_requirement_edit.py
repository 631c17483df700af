"""Required skills are changed in place: validation, an edit from an older page refused,
the organisation's data version moved by the change (issue 15)."""
import re
from html import unescape

import pytest
import sqlalchemy as sa

from skillmap.extensions import db
from skillmap.models import AuditEvent, DataVersion, Project, ProjectRequirement


@pytest.fixture
def project(org, users, taxonomy):
    p = Project(organisation_id=org.id, title="Sportello digitale", status="staffing",
                team_size=3, coordinator_id=users["coordinator"].id)
    p.requirements.append(ProjectRequirement(skill_id=taxonomy["ICT-PY"].id, min_level=3))
    p.requirements.append(ProjectRequirement(skill_id=taxonomy["ICT-NET"].id, min_level=2))
    db.session.add(p)
    db.session.commit()
    return p


def _req(project, code, taxonomy):
    return db.session.scalar(sa.select(ProjectRequirement).where(
        ProjectRequirement.project_id == project.id,
        ProjectRequirement.skill_id == taxonomy[code].id))


def _version(org_id):
    return db.session.get(DataVersion, org_id).version if db.session.get(
        DataVersion, org_id) else 0


def _edit(client, project, req):
    """The edit page opened on ``req``'s row, and the values its form posts as drawn."""
    html = client.get(f"/projects/{project.id}/edit?req={req.id}").get_data(as_text=True)
    form = html.split(f'requirements/{req.id}"', 1)[1].split("</form>", 1)[0]
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    version = re.search(r'name="edit-version" type="hidden" value="(\d+)"', form).group(1)
    return html, {"csrf_token": token, "edit-version": version}


def test_a_required_skill_is_changed_in_place(client, auth, project, taxonomy):
    auth.login("coordinator")
    req = _req(project, "ICT-PY", taxonomy)
    html, hidden = _edit(client, project, req)
    assert 'id="edit-skill"' in html and "Salva le modifiche" in html
    before = _version(project.organisation_id)
    resp = client.post(f"/projects/{project.id}/requirements/{req.id}",
                       data={**hidden, "edit-skill": taxonomy["ICT-SQL"].id,
                             "edit-min_level": 4, "edit-weight": 5, "edit-count": 2})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"#req-{req.id}")
    req = db.session.get(ProjectRequirement, req.id)
    assert (req.skill_id, req.min_level, req.weight, req.count, req.version) == (
        taxonomy["ICT-SQL"].id, 4, 5, 2, 2)
    assert _version(project.organisation_id) > before  # derived results see the change
    assert db.session.scalar(sa.select(AuditEvent.detail).where(
        AuditEvent.action == "project.requirement_changed")).startswith(f"project {project.id}")
    page = unescape(client.get(f"/projects/{project.id}/edit").get_data(as_text=True))
    assert "Basi di dati SQL" in page and "Modifica" in page


@pytest.mark.parametrize("change,message", [
    ({"edit-min_level": 0}, "Scegli un livello da 1 a 5."),
    ({"edit-weight": 9}, "Scegli un'importanza da 1 a 5."),
    ({"edit-count": "tanti"}, "Non è un numero intero valido."),
    ({"edit-count": 0}, "Inserisci da 1 a 50 persone."),
    ({"edit-skill": 0}, "Scegli una competenza dall'elenco."),
    ({"edit-skill": "NET"}, "Il progetto richiede già questa competenza"),
])
def test_bad_changes_are_refused_next_to_their_field(client, auth, project, taxonomy, change,
                                                     message):
    auth.login("coordinator")
    req = _req(project, "ICT-PY", taxonomy)
    _, hidden = _edit(client, project, req)
    data = {**hidden, "edit-skill": taxonomy["ICT-PY"].id, "edit-min_level": 3,
            "edit-weight": 3, "edit-count": 1, **change}
    if data["edit-skill"] == "NET":
        data["edit-skill"] = taxonomy["ICT-NET"].id
    resp = client.post(f"/projects/{project.id}/requirements/{req.id}", data=data)
    html = unescape(resp.get_data(as_text=True))
    assert resp.status_code == 200 and message in html and 'aria-invalid="true"' in html
    assert "Non è una valore" not in html
    req = db.session.get(ProjectRequirement, req.id)
    assert (req.skill_id, req.min_level, req.weight, req.count, req.version) == (
        taxonomy["ICT-PY"].id, 3, 3, 1, 1)


def test_an_edit_from_an_older_page_is_refused(client, auth, project, taxonomy):
    """Two tabs open the same row; the second save is refused and the page shows the
    values as they are now."""
    auth.login("coordinator")
    req = _req(project, "ICT-PY", taxonomy)
    _, first = _edit(client, project, req)
    _, second = _edit(client, project, req)
    base = {"edit-skill": taxonomy["ICT-PY"].id, "edit-weight": 3, "edit-count": 1}
    assert client.post(f"/projects/{project.id}/requirements/{req.id}",
                       data={**first, **base, "edit-min_level": 5}).status_code == 302
    resp = client.post(f"/projects/{project.id}/requirements/{req.id}",
                       data={**second, **base, "edit-min_level": 1})
    assert resp.status_code == 409
    assert "è stata modificata nel frattempo" in unescape(resp.get_data(as_text=True))
    req = db.session.get(ProjectRequirement, req.id)
    assert (req.min_level, req.version) == (5, 2)


def test_the_update_itself_checks_the_version(app, project, taxonomy, users):
    """A change committed between reading the row and writing it: the UPDATE matches no row
    and nothing is saved (the check is in the statement, not only in Python)."""
    from skillmap.services import projects as svc

    req = _req(project, "ICT-PY", taxonomy)
    assert req.version == 1
    # another request's edit, in the database but not in this session's copy of the row
    db.session.execute(sa.text("UPDATE project_requirement SET min_level = 4, version = 2 "
                               "WHERE id = :id"), {"id": req.id})
    with pytest.raises(svc.StaleRequirement):
        svc.update_requirement(project, req.id, {"skill_id": taxonomy["ICT-PY"].id,
                                                 "min_level": 1, "weight": 3, "count": 1},
                               users["coordinator"], seen_version=1)
    assert db.session.get(ProjectRequirement, req.id).min_level == 3  # nothing saved


def test_only_the_projects_coordinator_edits_its_requirements(client, auth, project, taxonomy,
                                                              post_form):
    req = _req(project, "ICT-PY", taxonomy)
    auth.login("manager")
    resp = client.post(f"/projects/{project.id}/requirements/{req.id}",
                       data={"edit-skill": taxonomy["ICT-SQL"].id, "edit-min_level": 1,
                             "edit-weight": 1, "edit-count": 1, "edit-version": 1,
                             "csrf_token": "x"})
    assert resp.status_code in (400, 403)
    assert db.session.get(ProjectRequirement, req.id).skill_id == taxonomy["ICT-PY"].id
