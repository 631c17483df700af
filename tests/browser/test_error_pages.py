"""The error pages (400, 403, 404, 500) pass axe too, in Italian and in English."""
import pytest
from flask import render_template

from tests.browser.conftest import assert_accessible, login

pytestmark = pytest.mark.browser


def test_404_page(page):
    login(page, "employee")
    resp = page.goto("/non-esiste")
    assert resp.status == 404 and "Pagina non trovata" in page.content()
    assert_accessible(page)


def test_403_page(page):
    login(page, "employee")
    resp = page.goto("/admin/users")
    assert resp.status == 403 and "Accesso non consentito" in page.content()
    assert_accessible(page)


def test_400_page_when_the_form_token_is_missing(page):
    login(page, "employee")
    with page.expect_navigation() as nav:
        page.evaluate("""() => { const f = document.createElement('form');
            f.method = 'post'; f.action = '/logout'; document.body.appendChild(f); f.submit(); }""")
    assert nav.value.status == 400
    assert "Richiesta non accettata" in page.content()
    assert_accessible(page)


@pytest.mark.parametrize("lang,title", [("it", "Qualcosa è andato storto"),
                                        ("en", "Something went wrong")])
def test_500_page(page, live_app, live_server, lang, title):
    """No route of the app fails on purpose, so the page the 500 handler renders is served
    at a made-up address (with the app's own CSS) and checked there."""
    login(page, "employee")
    with live_app.test_request_context("/", headers={"Accept-Language": lang}):
        from flask import session

        session["lang"] = lang
        html = render_template("errors/500.html", error=None)
    page.route("**/boom", lambda route: route.fulfill(status=500, body=html,
                                                      content_type="text/html; charset=utf-8"))
    resp = page.goto("/boom")
    assert resp.status == 500 and title in page.content()
    assert_accessible(page)
