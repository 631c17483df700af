"""Single sign-on in Chromium against a real OpenID Connect provider, and the full export page.

A second SkillMap server on the demo database is configured for the provider (started in
this test session); the demo employee signs in with the provider's button, lands on the
home page, signs out and goes through the provider's logout back to the login page.
"""
from __future__ import annotations

import threading

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from skillmap.extensions import db
from tests.browser.conftest import LOGINS, assert_accessible, login
from tests.browser.test_accessibility import page_overflow
from tests.oidc import running_provider

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def sso_server(live_app):
    """(base URL, provider) of a SkillMap server with single sign-on turned on."""
    from skillmap import create_app, queue

    holder = {}
    server = make_server("127.0.0.1", 0, lambda env, start: holder["app"](env, start),
                         threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    saved = (queue.huey.storage, queue.huey.flask_app)
    with running_provider() as provider:
        client_id, secret = provider.register_client(f"{base}/login/sso/callback")
        config = {k: v for k, v in live_app.config.items()}
        config.update(OIDC_ISSUER=provider.issuer, OIDC_CLIENT_ID=client_id,
                      OIDC_CLIENT_SECRET=secret, OIDC_PROVIDER_NAME="Cooperativa ID")
        holder["app"] = create_app(config)
        queue.huey.storage, queue.huey.flask_app = saved  # the live app keeps the queue
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield base, provider
        server.shutdown()


def test_sign_in_and_out_with_the_provider(browser, sso_server):
    base, provider = sso_server
    provider.set_user("demo-employee", email=LOGINS["employee"], email_verified=True)
    context = browser.new_context(base_url=base, locale="it-IT")
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        page.goto("/login")
        button = page.get_by_role("button", name="Accedi con Cooperativa ID")
        expect(button).to_be_visible()
        for width, height in ((1280, 900), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            assert page_overflow(page) is None, f"login scrolls sideways at {width} px"
            assert_accessible(page)
        page.set_viewport_size({"width": 1280, "height": 900})
        button.click()
        page.wait_for_url(f"{provider.issuer}/oauth2/authorize*")
        page.locator("input[name=sub]").fill("demo-employee")
        page.locator("input[name=sub]").press("Enter")
        page.wait_for_url(f"{base}/")
        assert page.get_by_role("button", name="Esci").count() >= 1
        page.get_by_role("button", name="Esci").first.click()
        page.wait_for_url(f"{provider.issuer}/oauth2/end_session*")
        page.locator("form button, form input[type=submit]").first.click()
        page.wait_for_url(f"{base}/login*")
        expect(page.get_by_role("button", name="Accedi con Cooperativa ID")).to_be_visible()
        page.goto("/")
        assert "/login" in page.url  # signed out of SkillMap
    finally:
        context.close()


def test_a_person_unknown_to_skillmap_is_told_why(browser, sso_server):
    base, provider = sso_server
    provider.set_user("stranger", email="stranger@elsewhere.org", email_verified=True)
    context = browser.new_context(base_url=base, locale="it-IT")
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        page.goto("/login")
        page.get_by_role("button", name="Accedi con Cooperativa ID").click()
        page.wait_for_url(f"{provider.issuer}/oauth2/authorize*")
        page.locator("input[name=sub]").fill("stranger")
        page.locator("input[name=sub]").press("Enter")
        page.wait_for_url(f"{base}/login*")
        expect(page.get_by_text("non è in SkillMap")).to_be_visible()
        assert_accessible(page)
    finally:
        context.close()


def test_admin_prepares_and_downloads_the_full_export(page, live_app, tmp_path):
    from skillmap import queue

    live_app.config["EXPORT_DIR"] = str(tmp_path / "exports")
    login(page, "admin")
    page.goto("/admin/export")
    page.get_by_role("button", name="Prepara un'esportazione completa").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#export-progress")).to_be_visible()
    queue.huey.flask_app = live_app
    with live_app.app_context():
        queue.drain()
        db.session.remove()
    page.wait_for_selector("text=Scarica i file CSV (ZIP)", timeout=20000)  # the page reloads
    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        assert page_overflow(page) is None
        assert_accessible(page)
    with page.expect_download() as info:
        page.get_by_role("link", name="Scarica il foglio di calcolo (XLSX)").click()
    assert info.value.suggested_filename.endswith(".xlsx")


def test_admin_turns_a_password_off_on_the_account_page(browser, sso_server, live_app):
    from tests.browser.conftest import DEMO_PASSWORD
    from tests.browser.pages import _demo_employee_account

    base, _provider = sso_server
    with live_app.app_context():
        user_id = _demo_employee_account(db.session)["user_id"]
    context = browser.new_context(base_url=base, locale="it-IT")
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        page.goto("/login")
        page.get_by_label("Email").fill(LOGINS["admin"])
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Accedi", exact=True).click()
        page.wait_for_url(f"{base}/")
        page.goto(f"/admin/users/{user_id}")
        page.get_by_role("button", name="Disattiva la password").click()
        expect(page.get_by_text("ora accede solo con Cooperativa ID")).to_be_visible()
        assert page.get_by_role("button", name="Invia un link").count() == 0
        for width, height in ((1280, 900), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            assert page_overflow(page) is None
            assert_accessible(page)
        page.set_viewport_size({"width": 1280, "height": 900})
        page.get_by_role("button", name="Consenti di nuovo la password").click()
        expect(page.get_by_text("può di nuovo accedere con una password")).to_be_visible()
    finally:
        context.close()
