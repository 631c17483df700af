"""Team builder journeys in a real browser, with axe-core on every page they cross.

Coordinator: create a project with required skills, get a suggestion, leave someone out,
ask again, save the team. Employee: answer an invitation on the home page, browse the
open projects and say interested, propose an idea.
"""
import re

import pytest
from playwright.sync_api import expect
import sqlalchemy as sa

from skillmap.extensions import db
from tests.browser.conftest import assert_accessible, login

pytestmark = pytest.mark.browser


def _popular_skills(live_app, n=2) -> list[str]:
    """Italian names of the skills most demo people hold at level 3 or more."""
    from skillmap.models import PersonSkill, Skill

    with live_app.app_context():
        return list(db.session.scalars(
            sa.select(Skill.name_it).join(PersonSkill, PersonSkill.skill_id == Skill.id)
            .where(PersonSkill.level >= 3).group_by(Skill.id, Skill.name_it)
            .order_by(sa.func.count(PersonSkill.id).desc(), Skill.name_it).limit(n)))


def test_coordinator_builds_a_team(page, live_app):
    skills = _popular_skills(live_app)
    login(page, "coordinator")
    page.get_by_role("link", name="Progetti", exact=True).click()
    assert_accessible(page)
    page.get_by_role("link", name="Nuovo progetto").click()
    page.get_by_label("Titolo").fill("Laboratorio di comunità")
    page.get_by_label("Descrizione").fill("Un laboratorio aperto al quartiere.")
    page.get_by_label("Dimensione del gruppo").fill("3")
    page.get_by_label("Inizio").fill("2027-02-01")
    page.get_by_label("Fine").fill("2026-12-31")          # before the start: refused
    page.get_by_role("button", name="Salva il progetto").click()
    assert "La fine non può precedere l'inizio." in page.content()
    assert_accessible(page)
    page.get_by_label("Fine").fill("2027-12-31")
    page.get_by_role("button", name="Salva il progetto").click()
    assert "Progetto creato" in page.content()

    for name in skills:
        page.get_by_label("Competenza", exact=True).select_option(label=name)
        page.get_by_label("Livello minimo (1-5)").fill("3")
        page.get_by_role("button", name="Aggiungi la competenza").click()
        assert "Competenza aggiunta al progetto." in page.content()
    assert_accessible(page)

    page.get_by_role("link", name="Componi il gruppo").first.click()
    expect(page.get_by_role("heading", name="Gruppo suggerito")).to_be_visible()
    assert "Un suggerimento, non una decisione" in page.content()
    assert_accessible(page)
    first = page.locator("#suggested-title ~ div table tbody tr").first
    name = first.locator("td").first.get_by_role("link").inner_text()
    first.get_by_label(re.compile("^Escludi")).check()
    page.get_by_role("button", name="Chiedi di nuovo").click()
    members = page.locator("#suggested-title ~ div table tbody").inner_text()
    assert name not in members
    assert name in page.locator("#others-title ~ ul").inner_text()
    assert_accessible(page)

    page.get_by_role("button", name="Salva il gruppo e invia gli inviti").click()
    assert re.search(r"Gruppo salvato: \d+ invit[oi] inviat[oi]\.", page.content())
    assert "Invitato/a, in attesa di risposta" in page.content()
    assert_accessible(page)


def _invite_demo_employee(live_app) -> str:
    from skillmap.models import Project, TeamMember, User

    with live_app.app_context():
        person_id = db.session.scalar(sa.select(User.person_id).where(
            User.email == "dipendente@demo.coop"))
        project = db.session.scalar(sa.select(Project).where(Project.status == "active")
                                    .order_by(Project.id).limit(1))
        tm = db.session.scalar(sa.select(TeamMember).where(
            TeamMember.project_id == project.id, TeamMember.person_id == person_id))
        if tm is None:
            tm = TeamMember(project_id=project.id, person_id=person_id)
            db.session.add(tm)
        tm.status, tm.role = "invited", "member"
        db.session.commit()
        return project.title


def test_employee_answers_an_invitation_joins_and_proposes(page, live_app):
    title = _invite_demo_employee(live_app)
    login(page, "employee")
    invitations = page.locator("#inv-title + ul")
    assert title in invitations.inner_text()
    assert_accessible(page)
    invitations.get_by_role("button", name=re.compile("^Accetta")).first.click()
    assert "Ora fai parte del gruppo del progetto." in page.content()

    page.get_by_role("link", name="Progetti aperti").click()
    expect(page.get_by_role("heading", name="Progetti aperti", level=1)).to_be_visible()
    assert "Perché fa per te" in page.content() or "non richiede nessuna delle tue competenze" in page.content()
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("^Mi interessa")).first.click()
    assert "Il coordinatore vedrà che sei interessato/a." in page.content()
    assert page.get_by_role("button", name=re.compile("^Ritira il mio interesse")).count() >= 1

    page.get_by_role("link", name="Proponi un'idea").click()
    page.get_by_role("button", name="Proponi l'idea").click()        # empty: refused
    assert "Inserisci un titolo." in page.content()
    assert_accessible(page)
    page.get_by_label("Titolo").fill("Biblioteca degli attrezzi")
    page.get_by_label("Qual è l'idea?").fill("Prestare attrezzi tra soci.")
    page.get_by_role("button", name="Proponi l'idea").click()
    assert "la tua idea aspetta un coordinatore" in page.content()
    assert "Biblioteca degli attrezzi" in page.locator("#mine-title + ul").inner_text()
