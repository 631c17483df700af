"""HR opens each report, filters it and takes it away as CSV and XLSX."""
import io

import openpyxl
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, login

pytestmark = pytest.mark.browser

REPORTS = [("Matrice delle competenze", "/reports/matrix"),
           ("Carenze di competenze", "/reports/gaps"),
           ("Crescita e formazione", "/reports/growth"),
           ("Copertura nel tempo", "/reports/trends"),
           ("Famiglie di competenze", "/reports/families")]


@pytest.mark.parametrize("heading,path", REPORTS)
def test_manager_filters_and_downloads_each_report(page, heading, path):
    login(page, "manager")
    page.goto(path)
    assert page.get_by_role("heading", level=1).inner_text().strip() == heading
    assert "Calcolato il" in page.content()
    unit = page.get_by_label("Unità", exact=True)
    options = unit.locator("option").all_inner_texts()
    unit.select_option(label=options[1])
    page.get_by_role("button", name="Applica i filtri").click()
    page.wait_for_load_state("networkidle")
    assert "unit=" in page.url
    assert_accessible(page)
    with page.expect_download() as dl:
        page.get_by_role("link", name="Scarica CSV").click()
    csv_text = open(dl.value.path(), encoding="utf-8-sig").read()
    assert "Calcolato il" in csv_text and options[1] in csv_text
    with page.expect_download() as dl:
        page.get_by_role("link", name="Scarica Excel (XLSX)").click()
    assert dl.value.suggested_filename.endswith(".xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(open(dl.value.path(), "rb").read()))
    assert len(wb.sheetnames) >= 2


def test_manager_drills_down_from_area_to_skills_to_people(page):
    login(page, "manager")
    page.goto("/reports/matrix")
    page.locator("table.heatmap thead a").first.click()
    page.wait_for_load_state("networkidle")
    assert "area=" in page.url
    expect(page.get_by_role("link", name="Torna a tutte le aree di competenza")).to_be_visible()
    link = page.locator("table.heatmap tbody a").first
    link.click()
    page.wait_for_load_state("networkidle")
    assert "registro delle attività" in page.content()
    assert_accessible(page)
