"""The demo employee completes their profile: search, add three skills, change a level,
mark a wish, export their data — with the keyboard combobox, the no-JavaScript search,
and axe checks along the way."""
import json

import pytest
import sqlalchemy as sa

from skillmap.extensions import db
from tests.browser.conftest import DEMO_PASSWORD, LOGINS, assert_accessible, login

pytestmark = pytest.mark.browser

CANDIDATES = ("ICT-PYTHON", "ICT-GIT", "PRJ-AGILE", "ICT-CLOUD", "PRJ-DESIGN-THINKING",
              "ICT-DEVOPS", "ICT-AI-ML", "PRJ-LOGFRAME", "ICT-HARDWARE")


def _skills_not_held(live_app, n):
    from skillmap.models import PersonSkill, Skill, User

    with live_app.app_context():
        person_id = db.session.scalar(sa.select(User.person_id).where(
            User.email == "dipendente@demo.coop"))
        held = set(db.session.scalars(sa.select(PersonSkill.skill_id).where(
            PersonSkill.person_id == person_id)))
        rows = db.session.execute(sa.select(Skill.id, Skill.code, Skill.name_it).where(
            Skill.code.in_(CANDIDATES))).all()
    free = [(code, name) for sid, code, name in sorted(rows, key=lambda r: CANDIDATES.index(r[1]))
            if sid not in held]
    assert len(free) >= n, "the demo employee already holds the candidate skills"
    return free[:n]


def _choose_level(page, label):
    page.get_by_text(label, exact=True).click()
    page.get_by_role("button", name="Salva").click()
    page.wait_for_url("**/profile")


def test_employee_completes_the_profile_journey(page, live_app):
    (c1, s1), (c2, s2), (c3, s3), (c4, s4) = _skills_not_held(live_app, 4)
    login(page, "employee")
    page.get_by_role("link", name="Apri e aggiorna il mio profilo").click()
    page.wait_for_url("**/profile")
    assert_accessible(page)

    # 1. the combobox, with the keyboard only
    box = page.get_by_role("combobox", name="Cerca una competenza per nome")
    box.fill(s1)
    listbox = page.get_by_role("listbox")
    listbox.get_by_role("option").first.wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    assert "trovat" in page.locator("#skill-q-status").inner_text()
    assert_accessible(page)  # with the list open
    box.press("Escape")
    assert box.get_attribute("aria-expanded") == "false"
    box.press("ArrowDown")  # opens the list again on the first option
    assert box.get_attribute("aria-expanded") == "true"
    assert box.get_attribute("aria-activedescendant") == "skill-q-listbox-opt-0"
    box.press("Enter")
    page.wait_for_url("**/profile/skills/add?skill=*")
    assert page.get_by_role("heading", level=1).inner_text() == f"Aggiungi: {s1}"
    assert page.get_by_role("radio").count() == 6  # the wish + five levels with descriptors
    assert_accessible(page)
    _choose_level(page, "3 – Autonomo")
    assert f"Aggiunta al tuo profilo: {s1}." in page.content()

    # 2. the plain search form (works without JavaScript), typing with a small typo
    box = page.get_by_role("combobox", name="Cerca una competenza per nome")
    box.fill(s2[:-1])
    page.get_by_role("button", name="Cerca", exact=True).click()
    page.wait_for_url("**/profile/skills/search?q=*")
    page.get_by_role("link", name=f"Aggiungi {s2}", exact=True).click()
    _choose_level(page, "2 – Elementare")

    # 3. a third skill through the combobox with the mouse
    page.get_by_role("combobox", name="Cerca una competenza per nome").fill(s3)
    page.get_by_role("option").first.click()
    page.wait_for_url("**/profile/skills/add?skill=*")
    _choose_level(page, "1 – Base")

    # change a level: the history shows 3 -> 4
    page.get_by_role("link", name=f"Modifica {s1}").click()
    _choose_level(page, "4 – Avanzato")
    assert "3 → 4" in page.locator("ol.timeline").inner_text()

    # mark a wish: a skill to learn without having it
    page.goto(f"/profile/skills/search?q={s4}")
    page.get_by_role("link", name=f"Voglio impararla – {s4}").click()
    page.get_by_role("button", name="Salva").click()
    page.wait_for_url("**/profile")
    main = page.locator("main").inner_text()
    for name in (s1, s2, s3, s4):
        assert name in main
    assert "Non ce l'ho ancora: voglio impararla" in main

    # export my data
    page.get_by_role("link", name="I miei dati: scarica o cancella").click()
    assert_accessible(page)
    with page.expect_download() as info:
        page.get_by_role("link", name="Scarica in formato JSON").click()
    data = json.loads(open(info.value.path(), encoding="utf-8").read())
    levels = {s["code"]: s["level"] for s in data["skills"]}
    assert (levels[c1], levels[c2], levels[c3], levels[c4]) == (4, 2, 1, 0)
    assert any(h["kind"] == "level" and h["new_level"] == 4 for h in data["history"])
    with page.expect_download() as info:
        page.get_by_role("link", name="Scarica in formato CSV (foglio di calcolo)").click()
    assert open(info.value.path(), encoding="utf-8-sig").readline().strip() == \
        "sezione;scheda;campo;valore"  # Italian Excel: semicolons, Italian headers


def test_search_and_add_work_without_javascript(browser, live_server, live_app):
    (_code, name), = _skills_not_held(live_app, 5)[4:5]
    context = browser.new_context(base_url=live_server, locale="it-IT", java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/login")
        page.get_by_label("Email").fill(LOGINS["employee"])
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Accedi").click()
        page.goto("/profile")
        box = page.get_by_role("searchbox", name="Cerca una competenza per nome")
        box.fill(name)
        page.get_by_role("button", name="Cerca", exact=True).click()
        page.wait_for_url("**/profile/skills/search?q=*")
        page.get_by_role("link", name=f"Aggiungi {name}", exact=True).click()
        page.get_by_text("5 – Esperto", exact=True).click()
        page.get_by_role("button", name="Salva").click()
        page.wait_for_url("**/profile")
        assert f"Aggiunta al tuo profilo: {name}." in page.content()
    finally:
        context.close()
