"""A newcomer signs in with each demo account and lands on their role's real home page."""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, login

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("role,expected", [
    ("employee", "Le mie competenze"),
    ("coordinator", "I miei progetti di innovazione"),
    ("manager", "Le competenze della cooperativa in sintesi"),
    ("admin", "Amministrazione"),
])
def test_each_role_lands_on_its_home(page, role, expected):
    login(page, role)
    assert page.get_by_role("heading", level=1).first.inner_text().strip() != ""
    assert expected in page.content()


def test_keyboard_user_can_skip_to_content_and_sign_out(page):
    login(page, "employee")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Vai al contenuto principale")
    assert skip.evaluate("el => el === document.activeElement")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Esci").click()
    page.wait_for_url("**/login")
    assert_accessible(page)


def test_english_from_the_login_page(page):
    page.goto("/login")
    page.get_by_role("link", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.get_by_role("heading", name="Sign in to SkillMap")).to_be_visible()
