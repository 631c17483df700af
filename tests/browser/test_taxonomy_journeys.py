"""Taxonomy care in the browser: an admin adds, renames and retires a skill, merges two skills
after reading the preview, and imports skills from an ESCO file; axe on every step.

The journeys work on skills they make themselves, so the demo data the other browser tests
read stays as it was."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from skillmap.extensions import db
from tests.app.test_esco_import import esco_csv
from tests.browser.conftest import assert_accessible, login

pytestmark = pytest.mark.browser


def _skill(live_app, **where):
    from skillmap.models import Skill

    with live_app.app_context():
        return db.session.scalar(sa.select(Skill).where(
            *[getattr(Skill, k) == v for k, v in where.items()]))


def test_admin_adds_renames_and_retires_a_skill(page, live_app):
    login(page, "admin")
    page.goto("/admin/taxonomy")
    assert_accessible(page)
    page.get_by_role("link", name="Aggiungi una competenza").click()
    page.get_by_label("Area", exact=True).select_option(label="Lingue")
    page.get_by_label("Nome in italiano").fill("Esperanto")
    page.get_by_label("Nome in inglese").fill("Esperanto")
    page.get_by_label("Altri nomi (sinonimi), uno per riga").fill("lingua internazionale")
    page.get_by_label("Indirizzo ESCO (URI)").fill("non-un-indirizzo")
    page.get_by_role("button", name="Salva").click()
    # the error is said in Italian, tied to its field, and the page stays accessible
    assert "Un indirizzo ESCO è fatto così" in page.content()
    assert page.get_by_label("Indirizzo ESCO (URI)").get_attribute("aria-invalid") == "true"
    assert_accessible(page)
    page.get_by_label("Indirizzo ESCO (URI)").fill("")
    page.get_by_role("button", name="Salva").click()
    page.wait_for_url(re.compile(r"/admin/taxonomy/skills/\d+$"))
    assert "Competenza aggiunta: Esperanto" in page.content()
    assert_accessible(page)

    # rename
    page.get_by_label("Nome in italiano").fill("Lingua esperanto")
    page.get_by_role("button", name="Salva").click()
    page.wait_for_load_state("networkidle")
    assert "Salvato." in page.content()
    assert page.get_by_role("heading", level=1).inner_text() == "Lingua esperanto"
    skill = _skill(live_app, name_en="Esperanto")
    assert skill.name_it == "Lingua esperanto" and skill.active

    # retire: hidden from the search, said on the page
    page.get_by_role("button", name="Ritira questa competenza").click()
    page.wait_for_load_state("networkidle")
    assert "è ritirata" in page.content() and "competenza ritirata" in page.content()
    assert_accessible(page)
    assert _skill(live_app, id=skill.id).active is False
    page.goto("/profile/skills/search.json?q=esperanto")
    assert "Lingua esperanto" not in page.content()
    page.goto("/admin/taxonomy?state=retired&q=esperanto")
    assert "Lingua esperanto" in page.content()
    assert_accessible(page)


def test_admin_merges_two_skills_after_the_preview(page, live_app):
    from skillmap.models import Person, PersonSkill, Skill, SkillArea

    with live_app.app_context():
        area = db.session.scalar(sa.select(SkillArea).where(SkillArea.code == "LNG"))
        keep = Skill(organisation_id=area.organisation_id, code="LNG-TEST-CROCHET",
                     area_id=area.id, name_it="Uncinetto", name_en="Crochet")
        dup = Skill(organisation_id=area.organisation_id, code="LNG-TEST-CROCHET-2",
                    area_id=area.id, name_it="Lavoro all'uncinetto", name_en="Crochet work")
        db.session.add_all([keep, dup])
        db.session.flush()
        both, one = db.session.scalars(sa.select(Person).order_by(Person.id.desc()).limit(2))
        db.session.add_all([
            PersonSkill(person_id=both.id, skill_id=keep.id, level=2),
            PersonSkill(person_id=both.id, skill_id=dup.id, level=4),
            PersonSkill(person_id=one.id, skill_id=dup.id, level=3)])
        db.session.commit()
        keep_id, dup_id, both_id, one_id = keep.id, dup.id, both.id, one.id

    login(page, "admin")
    page.goto(f"/admin/taxonomy/skills/{dup_id}")
    page.get_by_label("Competenza che resta").select_option(str(keep_id))
    page.get_by_role("button", name="Vedi cosa cambia").click()
    page.wait_for_url(re.compile(rf"/admin/taxonomy/skills/{dup_id}/merge\?into={keep_id}"))
    table = page.get_by_role("table")
    row = table.get_by_role("row").filter(has_text="Competenze nei profili delle persone")
    assert row.get_by_role("cell").all_inner_texts() == ["1", "1", "0", "0", "2"]
    assert "1 persona ha entrambe le competenze." in page.content()
    assert_accessible(page)
    with live_app.app_context():  # the preview wrote nothing
        assert db.session.get(Skill, dup_id).merged_into_id is None
    page.get_by_role("button", name="Unisci Lavoro all'uncinetto a Uncinetto").click()
    page.wait_for_url(f"**/admin/taxonomy/skills/{keep_id}")
    assert "unita a Uncinetto: 2 profili spostati, 1 dei quali" in page.content()
    assert_accessible(page)
    with live_app.app_context():
        rows = db.session.execute(sa.select(PersonSkill.person_id, PersonSkill.level)
                                  .where(PersonSkill.skill_id.in_([keep_id, dup_id]))).all()
        assert sorted(rows) == sorted([(both_id, 4), (one_id, 3)])
        assert "Lavoro all'uncinetto" in db.session.get(Skill, keep_id).aliases


def test_admin_imports_skills_from_an_esco_file(page, live_app, tmp_path):
    uri = "http://data.europa.eu/esco/skill/0b1c2d3e-4f50-4a2b-9c3d-00000000abcd"
    path = tmp_path / "skills_it.csv"
    path.write_text(esco_csv([
        {"conceptUri": uri, "preferredLabel": "coltivare ortaggi in serra",
         "altLabels": "orticoltura in serra\ncoltivazione protetta",
         "description": "Coltivare ortaggi in ambiente protetto."},
        {"conceptUri": "http://data.europa.eu/esco/skill/0b1c2d3e-4f50-4a2b-9c3d-00000000abce",
         "preferredLabel": "Inglese", "altLabels": "lingua inglese", "description": ""},
    ]), encoding="utf-8")
    login(page, "admin")
    page.goto("/admin/taxonomy")
    page.get_by_role("link", name="Importa da ESCO").click()
    assert_accessible(page)
    page.get_by_label("File da importare").set_input_files(str(path))
    page.get_by_label("Lingua del file").select_option("it")
    page.get_by_role("button", name="Controlla il file").click()
    page.wait_for_load_state("networkidle")
    assert "Tutte le 2 righe sono valide." in page.content()
    preview = page.locator("#preview")
    assert preview.get_by_role("row").nth(1).get_by_role("cell").all_inner_texts() == [
        "1", "1", "0"]
    assert_accessible(page)
    assert _skill(live_app, esco_uri=uri) is None  # nothing written before confirming
    page.get_by_role("button", name="Importa", exact=True).click()
    page.wait_for_url("**/admin/taxonomy/import")
    assert "1 competenze aggiunte, 1 aggiornate" in page.content()
    assert_accessible(page)
    new = _skill(live_app, esco_uri=uri)
    assert new.name_it == "coltivare ortaggi in serra" and new.code.startswith("ESCO-")
    english = _skill(live_app, code="LNG-EN")
    assert english.esco_uri.endswith("abce") and english.name_it == "Inglese"
