"""Issue 15 in a real browser, axe on every step: an erasure confirmed by typing the name,
scheduled and cancelled; a form sent after the session expired comes back filled in."""
import time

import pytest
import sqlalchemy as sa

from skillmap.extensions import db
from tests.browser.conftest import LOGINS, DEMO_PASSWORD, assert_accessible, login

pytestmark = pytest.mark.browser


@pytest.fixture
def erasure_request(live_app):
    """An erasure asked by a demo person without a login (the demo logins stay)."""
    from skillmap.models import ErasureRequest, Person, User
    from skillmap.services import privacy

    with live_app.app_context():
        person = db.session.scalar(
            sa.select(Person).outerjoin(User, User.person_id == Person.id)
            .where(User.id.is_(None)).order_by(Person.id.desc()).limit(1))
        admin = db.session.scalar(sa.select(User).where(User.email == LOGINS["admin"]))
        req = privacy.request_erasure(person, actor=admin)
        yield {"id": req.id, "name": person.full_name, "person_id": person.id}
        row = db.session.get(ErasureRequest, req.id)
        if row is not None and row.status == "pending":
            row.status, row.erase_after = "withdrawn", None
            db.session.commit()


def test_erasure_asks_for_the_name_and_can_be_cancelled(page, live_app, erasure_request):
    from skillmap.models import ErasureRequest, Person

    login(page, "admin")
    page.goto("/admin/erasures")
    assert_accessible(page)
    card = page.locator(f"#erasure-{erasure_request['id']}")
    card.get_by_label("Per confermare, scrivi il nome e il cognome della persona").fill(
        "Qualcun Altro")
    card.get_by_role("button", name="Conferma la cancellazione").click()
    assert "non è il nome della persona" in page.content()
    assert_accessible(page)
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 844})
        assert page.evaluate("document.documentElement.scrollWidth <= "
                             "document.documentElement.clientWidth")
    card = page.locator(f"#erasure-{erasure_request['id']}")
    card.get_by_label("Per confermare, scrivi il nome e il cognome della persona").fill(
        erasure_request["name"])
    card.get_by_role("button", name="Conferma la cancellazione").click()
    assert "Cancellazione confermata" in page.content()
    scheduled = page.locator(f"#erasure-{erasure_request['id']}")
    assert "Cancellazione prevista il" in scheduled.inner_text()
    assert_accessible(page)
    with live_app.app_context():
        assert db.session.get(ErasureRequest, erasure_request["id"]).erase_after is not None
    scheduled.get_by_role("button", name="Annulla la cancellazione").click()
    assert "Cancellazione annullata" in page.content()
    assert_accessible(page)
    with live_app.app_context():
        row = db.session.get(ErasureRequest, erasure_request["id"])
        assert row.erase_after is None and row.status == "pending"
        assert db.session.get(Person, erasure_request["person_id"]) is not None


def test_a_form_sent_after_the_session_expired_is_not_lost(page, live_app, monkeypatch):
    from skillmap.web import sessions

    login(page, "coordinator")
    page.goto("/projects/new")
    page.get_by_label("Titolo").fill("Biblioteca degli attrezzi")
    page.get_by_label("Descrizione").fill("Attrezzi in prestito per i soci, due sere a settimana.")
    page.get_by_label("Dimensione del gruppo").fill("3")
    later = time.time() + 3 * 3600   # the idle limit (two hours) has passed meanwhile
    monkeypatch.setattr(sessions, "now", lambda: later)
    page.get_by_role("button", name="Salva il progetto").click()
    assert "/login" in page.url
    assert "Quello che hai scritto è conservato" in page.content()
    assert_accessible(page)
    page.get_by_label("Email").fill(LOGINS["coordinator"])
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_load_state("networkidle")
    assert "/projects/new" in page.url and "kept=" in page.url
    assert "Ecco quello che avevi scritto" in page.content()
    assert page.get_by_label("Titolo").input_value() == "Biblioteca degli attrezzi"
    assert page.get_by_label("Descrizione").input_value().startswith("Attrezzi in prestito")
    assert page.get_by_label("Dimensione del gruppo").input_value() == "3"
    assert_accessible(page)
    page.get_by_role("button", name="Salva il progetto").click()
    assert "Progetto creato" in page.content()
    from skillmap.models import Project

    with live_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Project.id)).where(
            Project.title == "Biblioteca degli attrezzi")) == 1


@pytest.fixture
def staffed_project(live_app):
    """A project of the demo coordinator needing the two most held skills, team of two."""
    from skillmap.models import PersonSkill, Project, ProjectRequirement, User

    with live_app.app_context():
        coordinator = db.session.scalar(sa.select(User).where(
            User.email == LOGINS["coordinator"]))
        skills = list(db.session.scalars(
            sa.select(PersonSkill.skill_id).where(PersonSkill.level >= 3)
            .group_by(PersonSkill.skill_id)
            .order_by(sa.func.count(PersonSkill.id).desc(), PersonSkill.skill_id).limit(2)))
        project = Project(organisation_id=coordinator.organisation_id, title="Sportello casa",
                          status="staffing", team_size=2, coordinator_id=coordinator.id)
        for skill in skills:
            project.requirements.append(ProjectRequirement(skill_id=skill, min_level=3))
        db.session.add(project)
        db.session.commit()
        yield project.id
        db.session.delete(db.session.get(Project, project.id))
        db.session.commit()


def test_leaving_people_out_of_a_saved_team_asks_first(page, live_app, staffed_project):
    import re

    from skillmap.models import TeamMember

    login(page, "coordinator")
    page.goto(f"/projects/{staffed_project}/team")
    page.get_by_role("button", name="Salva il gruppo e invia gli inviti").click()
    assert re.search(r"Gruppo salvato: \d+ invit[oi] inviat[oi]", page.content())

    def invited():
        with live_app.app_context():
            from skillmap.models import Person

            return {db.session.get(Person, pid).full_name for pid in db.session.scalars(
                sa.select(TeamMember.person_id).where(TeamMember.project_id == staffed_project,
                                                      TeamMember.status == "invited"))}

    saved = invited()
    page.goto(f"/projects/{staffed_project}/team")
    first = page.locator("#suggested-title ~ div table tbody tr").first
    name = first.locator("td").first.get_by_role("link").inner_text()
    first.get_by_label(re.compile("^Tieni")).uncheck()   # the saved team is kept by default
    first.get_by_label(re.compile("^Escludi")).check()
    page.get_by_role("button", name="Chiedi di nuovo").click()
    page.get_by_role("button", name="Salva il gruppo e invia gli inviti").click()
    assert "lascia il gruppo" in page.content()
    assert name in page.locator("#leaving").inner_text()
    assert_accessible(page)
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 844})
        assert page.evaluate("document.documentElement.scrollWidth <= "
                             "document.documentElement.clientWidth")
    assert invited() == saved and name in saved   # nothing changed before the confirmation
    page.get_by_role("button", name="Salva e ritira gli inviti").click()
    assert re.search(r"Gruppo salvato: \d+ invit[oi] inviat[oi]", page.content())
    assert name not in invited()
