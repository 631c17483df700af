"""Onboarding in the browser: an admin invites a person, who gets the e-mail through the
test SMTP server, chooses a password and adds a skill; a password reset; ending a person."""
from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from skillmap import clock
from skillmap.extensions import db
from tests.browser.conftest import assert_accessible, login

pytestmark = pytest.mark.browser

PASSWORD = "una frase lunga per entrare"


def _deliver(live_app):
    """Run the queued e-mails (the live app's queue is in memory)."""
    from skillmap import queue

    queue.huey.flask_app = live_app
    with live_app.app_context():
        queue.drain()


def _link_for(smtp, address):
    [msg] = smtp.to(address)
    return urlsplit(smtp.link(msg)).path


def test_admin_invites_a_person_who_sets_a_password_and_adds_a_skill(page, browser, live_app,
                                                                     live_server, smtp):
    login(page, "admin")
    page.goto("/admin/people")
    page.get_by_role("link", name="Aggiungi una persona").click()
    page.get_by_label("Nome", exact=True).fill("Ilaria")
    page.get_by_label("Cognome").fill("Invitata")
    page.get_by_label("Email").fill("ilaria.invitata@demo.coop")
    page.get_by_label("Rapporto di lavoro").select_option("dipendente")
    page.get_by_label("Qualifica").fill("Educatore")
    page.get_by_label("Invia subito l'invito a SkillMap").check()
    assert_accessible(page)
    page.get_by_role("button", name="Salva").click()
    page.wait_for_url("**/admin/people/*")
    assert "L'invito è in arrivo." in page.content()
    assert_accessible(page)

    _deliver(live_app)
    path = _link_for(smtp, "ilaria.invitata@demo.coop")
    invitee = browser.new_context(base_url=live_server, locale="it-IT").new_page()
    invitee.goto(path)
    assert_accessible(invitee)
    invitee.get_by_label("Nuova password", exact=True).fill(PASSWORD)
    invitee.get_by_label("Ripeti la nuova password").fill(PASSWORD)
    invitee.get_by_role("button", name="Salva la password").click()
    invitee.wait_for_url(re.compile(r"/privacy\?first=1"))
    assert_accessible(invitee)
    invitee.get_by_role("button", name="Ho letto").click()
    invitee.wait_for_url("**/profile")
    assert "Ilaria Invitata" in invitee.content()

    invitee.goto("/profile/skills/search?q=inglese")
    invitee.get_by_role("link", name="Aggiungi").first.click()
    invitee.get_by_text("3 – Autonomo", exact=True).click()
    invitee.get_by_role("button", name="Salva").click()
    invitee.wait_for_url("**/profile")
    assert "Aggiunta al tuo profilo:" in invitee.content()
    # the link is dead now
    assert invitee.goto(path).status == 410
    assert_accessible(invitee)  # the page that says the link is no longer valid
    invitee.context.close()


def test_password_reset_from_the_login_page(page, live_app, smtp):
    page.goto("/login")
    page.get_by_role("link", name="Password dimenticata?").click()
    assert_accessible(page)
    page.get_by_label("Email").fill("coordinatore@demo.coop")
    page.get_by_role("button", name="Inviami un link").click()
    page.wait_for_url("**/login")
    assert "Se coordinatore@demo.coop appartiene a un account" in page.content()
    _deliver(live_app)
    page.goto(_link_for(smtp, "coordinatore@demo.coop"))
    page.get_by_label("Nuova password", exact=True).fill(PASSWORD)
    page.get_by_label("Ripeti la nuova password").fill(PASSWORD)
    page.get_by_role("button", name="Salva la password").click()
    page.wait_for_load_state("networkidle")
    assert "/login" not in page.url and "La tua password è salvata" in page.content()
    with live_app.app_context():  # the demo login keeps working for the other tests
        from skillmap.models import User
        from tests.browser.conftest import DEMO_PASSWORD

        user = db.session.scalar(sa.select(User).where(User.email == "coordinatore@demo.coop"))
        assert user.check_password(PASSWORD)
        user.set_password(DEMO_PASSWORD)
        db.session.commit()


def test_admin_ends_a_person(page, live_app):
    with live_app.app_context():
        from skillmap.models import Person, User

        person = db.session.scalar(
            sa.select(Person).join(User, User.person_id == Person.id)
            .where(User.email.not_in(["dipendente@demo.coop", "coordinatore@demo.coop",
                                      "hr@demo.coop", "admin@demo.coop"]),
                   User.active.is_(True)).limit(1))
        if person is None:   # the demo has only the four logins: end someone without one
            person = db.session.scalar(sa.select(Person).outerjoin(User, User.person_id == Person.id)
                                       .where(User.id.is_(None)).limit(1))
        person_id, name = person.id, person.full_name
    login(page, "admin")
    page.goto(f"/admin/people/{person_id}")
    yesterday = clock.today() - timedelta(days=1)
    page.get_by_label("Ultimo giorno di lavoro").fill(yesterday.isoformat())
    page.get_by_role("button", name="Chiudi il rapporto di lavoro").click()
    page.wait_for_url(f"**/admin/people/{person_id}")
    content = page.content()
    assert "Il rapporto di lavoro è terminato" in content and name in content
    assert "I dati saranno cancellati il" in content
    assert_accessible(page)


ONBOARDING_ENDPOINTS = ("admin.people", "admin.person_new", "admin.person", "admin.user_detail",
                        "admin.units", "admin.job_titles", "admin.retention_due",
                        "auth.forgot_password", "auth.set_password")


@pytest.mark.parametrize("width", [390, 1280])
def test_onboarding_pages_do_not_scroll_sideways(browser, live_server, live_app, width):
    from tests.browser.pages import PAGES
    from tests.browser.test_accessibility import _url

    context = browser.new_context(base_url=live_server, locale="it-IT",
                                  viewport={"width": width, "height": 800})
    page = context.new_page()
    role = None
    for entry in [e for e in PAGES if e.endpoint in ONBOARDING_ENDPOINTS]:
        if entry.role != role:
            context.clear_cookies()
            if entry.role != "anonymous":
                login(page, entry.role)
            role = entry.role
        page.goto(_url(live_app, entry))
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{entry.id} scrolls sideways by {overflow}px at {width}px"
    context.close()

