"""Issue 15 in the browser: HR follows chosen skills over time, a person prints their skill
card, a suggestion becomes a wish in one click. axe runs on every page reached."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, login

pytestmark = pytest.mark.browser


def test_manager_chooses_skills_period_and_months_on_the_trends_page(page):
    login(page, "manager")
    page.goto("/reports/trends")
    assert page.get_by_role("heading", level=1).inner_text().strip() == "Copertura nel tempo"
    # the search box narrows the list; choose two skills
    box = page.get_by_label("Cerca una competenza nell’elenco")
    box.fill("inglese")
    skills = page.get_by_label("Competenze da seguire")
    visible = skills.locator("option:not([hidden])").all_inner_texts()
    assert visible and all("inglese" in v.lower() for v in visible), visible
    box.fill("")
    values = skills.evaluate("s => Array.from(s.options).filter(o => o.text === 'Inglese' || "
                             "o.text.startsWith('Assistenza di base')).map(o => o.value)")
    assert len(values) == 2
    skills.select_option(value=values)
    page.get_by_label("Periodo").select_option(label="Ultimi 12 mesi")
    months = page.get_by_label("Confronta la fine di (A)").locator("option").all_inner_texts()
    page.get_by_label("Confronta la fine di (A)").select_option(label=months[12])
    page.get_by_role("button", name="Applica i filtri").click()
    page.wait_for_load_state("networkidle")
    assert "period=12" in page.url and page.url.count("skill=") == 2
    compare = page.locator("#trend-compare")
    expect(compare).to_be_visible()
    rows = compare.locator("tbody tr").all_inner_texts()
    assert len(rows) == 2 and any("Inglese" in r for r in rows)
    assert page.locator("#trend-months tbody tr").count() == 12
    expect(page.locator("svg.line-chart")).to_be_visible()
    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        assert page.evaluate("document.documentElement.scrollWidth <= "
                             "document.documentElement.clientWidth")
        assert_accessible(page)


def test_employee_prints_the_skill_card(page):
    login(page, "employee")
    page.goto("/profile")
    page.get_by_role("link", name="La mia scheda delle competenze, pronta da stampare").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.locator(".skill-card-table").count() >= 1
    assert_accessible(page)
    page.emulate_media(media="print")
    expect(page.locator("nav.navbar")).to_be_hidden()          # no menu on paper
    expect(page.get_by_role("button", name="Stampa o salva in PDF")).to_be_hidden()
    expect(page.locator(".skill-card")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= "
                         "document.documentElement.clientWidth")


def test_hr_opens_the_card_from_the_person_page(page, live_app):
    from skillmap.extensions import db
    from tests.browser.pages import _demo_employee

    with live_app.app_context():
        person_id = _demo_employee(db.session)
    login(page, "manager")
    page.goto(f"/admin/people/{person_id}")
    page.get_by_role("link", name="Apri la scheda delle competenze da stampare").click()
    page.wait_for_load_state("networkidle")
    assert "La tua visita a questa scheda è registrata" in page.content()
    assert_accessible(page)


def test_employee_adds_a_suggestion_as_a_wish_in_one_click(page):
    login(page, "employee")
    page.goto("/")
    panel = page.locator("#grow-next")
    buttons = panel.get_by_role("button", name=re.compile("^Aggiungi ai miei desideri"))
    before = buttons.count()
    assert before >= 1
    name = buttons.first.inner_text().split(":", 1)[1].strip()
    buttons.first.click()
    page.wait_for_load_state("networkidle")
    assert page.url.split("/", 3)[3] == ""          # back on the home page it was clicked on
    assert f"Ora tra i tuoi desideri c’è {name}" in page.content()
    assert_accessible(page)
