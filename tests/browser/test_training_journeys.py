"""Mandatory training in the browser: HR reads and exports deadlines, an employee sees theirs."""
import io

import openpyxl
import pytest

from tests.browser.conftest import assert_accessible, login

pytestmark = pytest.mark.browser


def test_hr_reads_the_deadlines_filters_and_exports_them(page):
    login(page, "manager")
    page.get_by_role("link", name="Scadenze formazione").first.click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", level=1).inner_text().strip() == "Scadenze formazione"
    content = page.content()
    assert "Scaduto" in content and "Mancante" in content and "In scadenza" in content
    # one unit of the demo has no valid first-aider: the coverage table flags it
    assert "Sotto il minimo" in page.locator("#cover-title + p + div table").inner_text()
    page.get_by_label("Mostra").select_option(value="expired")
    page.get_by_role("button", name="Mostra").click()
    page.wait_for_load_state("networkidle")
    assert "status=expired" in page.url
    rows = page.locator("section[aria-labelledby=list-title] tbody tr")
    assert rows.count() > 0 and "In scadenza" not in rows.all_inner_texts()[0]
    assert_accessible(page)
    with page.expect_download() as dl:
        page.get_by_role("link", name="Scarica CSV").click()
    raw = open(dl.value.path(), "rb").read()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert ";Scaduto;" in text and "In scadenza" not in text.split("Per unità")[0]
    with page.expect_download() as dl:
        page.get_by_role("link", name="Scarica Excel (XLSX)").click()
    book = openpyxl.load_workbook(io.BytesIO(open(dl.value.path(), "rb").read()))
    assert len(book.sheetnames) == 5
    # a person's register, from the list
    rows.first.get_by_role("link").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Formazione di")
    assert_accessible(page)


def test_employee_sees_a_deadline_on_their_home_and_what_to_do(page):
    login(page, "employee")
    box = page.locator("section[aria-labelledby=training-due-title]")
    assert "scade tra 25 giorni" in box.inner_text()
    assert "Chiedi all'ufficio personale" in box.inner_text()
    assert_accessible(page)
    box.get_by_role("link", name="Apri la mia formazione").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", level=1).inner_text().strip() == "La mia formazione"
    assert "Formazione specifica lavoratori – rischio basso" in page.content()
    assert_accessible(page)


def _haccp_holders(live_app, project_title):
    """Project id and the full names of people whose HACCP is valid at its end."""
    import sqlalchemy as sa

    from skillmap.extensions import db
    from skillmap.models import Person, Project
    from skillmap.services import project_training

    with live_app.app_context():
        project = db.session.scalar(sa.select(Project).where(Project.title == project_title))
        course_id = db.session.scalar(sa.text("SELECT id FROM training_course WHERE code='HACCP'"))
        holders = project_training.holders_frame(project.organisation_id, [course_id],
                                                 project_training.valid_until(project))
        names = {p.full_name for p in db.session.scalars(
            sa.select(Person).where(Person.id.in_(holders["person"].tolist())))}
        return project.id, names


def test_coordinator_project_asks_for_haccp_and_the_suggestion_respects_it(page, live_app):
    title = "Orti sociali e inclusione lavorativa"
    project_id, holders = _haccp_holders(live_app, title)
    assert holders
    login(page, "coordinator")
    page.goto(f"/projects/{project_id}/edit")
    page.get_by_label("Corso", exact=True).select_option(label="HACCP – Igiene degli alimenti (HACCP)")
    page.locator("#who-all").check()
    page.get_by_role("button", name="Richiedi il corso").click()
    page.wait_for_load_state("networkidle")
    assert "Il progetto ora richiede questo corso." in page.content()
    assert_accessible(page)
    page.goto(f"/projects/{project_id}/team")
    section = page.locator("section[aria-labelledby=training-req-title]")
    assert "Igiene degli alimenti (HACCP)" in section.inner_text()
    members = page.locator("#suggested-title ~ div table tbody tr td:first-child a").all_inner_texts()
    assert set(members) <= holders
    if members:
        assert "requisito soddisfatto" in section.inner_text()
    else:
        assert "nessuna persona disponibile" in section.inner_text()
    assert_accessible(page)


def test_hr_builds_and_exports_a_training_plan(page):
    login(page, "manager")
    page.get_by_role("link", name="Piani formativi").first.click()
    page.wait_for_load_state("networkidle")
    assert_accessible(page)
    page.get_by_role("button", name="Proponi il piano").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("heading", level=1).inner_text().strip() == "Piano formativo proposto"
    assert "Formazione specifica lavoratori – rischio basso" in page.content()
    assert_accessible(page)
    page.get_by_label("Titolo del piano").fill("Piano Foncoop 2027")
    page.locator("#keep-1").uncheck()
    page.locator("#cost-0").fill("1500")
    page.get_by_role("button", name="Salva il piano").click()
    page.wait_for_load_state("networkidle")
    assert "Piano salvato." in page.content()
    assert page.get_by_role("heading", level=1).inner_text().strip() == "Piano Foncoop 2027"
    page.get_by_label("Argomento", exact=True).fill("Lavoro di gruppo")
    page.get_by_role("button", name="Aggiungi la riga").click()
    page.wait_for_load_state("networkidle")
    assert "Riga aggiunta." in page.content()
    assert_accessible(page)
    with page.expect_download() as dl:
        page.get_by_role("link", name="Scarica Excel (XLSX)").click()
    book = openpyxl.load_workbook(io.BytesIO(open(dl.value.path(), "rb").read()))
    actions = [[c.value for c in r] for r in book.worksheets[1].iter_rows()]
    assert any(1500 in r for r in actions) and any("Lavoro di gruppo" in r for r in actions)
    people = [[c.value for c in r] for r in book.worksheets[2].iter_rows()]
    assert "Rapporto di lavoro" in people[0] and len(people) > 5
    with page.expect_download() as dl:
        page.get_by_role("link", name="Scarica CSV").click()
    assert open(dl.value.path(), "rb").read().startswith(b"\xef\xbb\xbf")
