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
