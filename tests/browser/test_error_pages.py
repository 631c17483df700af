"""The error pages (400, 403, 404, 500, 503) pass axe too, in Italian and in English."""
import threading

import pytest
from flask import render_template
from werkzeug.serving import make_server

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


@pytest.fixture(scope="module")
def down_server(live_app, tmp_path_factory):
    """The app with the live server's secret key (its session cookies stay valid) on a
    database that cannot be opened: a SQLite file in a folder that does not exist."""
    from skillmap import create_app
    from tests.conftest import FAST_HASH

    path = tmp_path_factory.mktemp("down") / "no-such-folder" / "skillmap.sqlite"
    app = create_app({"SECRET_KEY": live_app.config["SECRET_KEY"],
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                      "PASSWORD_HASH_METHOD": FAST_HASH})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_503_page_for_a_signed_in_user(page, down_server):
    """Cookies belong to the host, not the port: the session made on the live server is
    sent to the server whose database is down."""
    login(page, "employee")
    resp = page.goto(down_server + "/profile")
    assert resp.status == 503 and "SkillMap non è raggiungibile" in page.content()
    assert_accessible(page)


def test_503_page_in_the_browser_language_when_signing_in(browser, down_server):
    context = browser.new_context(base_url=down_server, locale="en-GB")
    page = context.new_page()
    try:
        page.goto("/login")  # the sign-in form itself needs no database
        page.get_by_label("Email").fill("dipendente@demo.coop")
        page.get_by_label("Password").fill("skillmap-demo")
        with page.expect_navigation() as nav:
            page.locator("form[method=post] [type=submit]").click()
        assert nav.value.status == 503
        assert "SkillMap is temporarily unavailable" in page.content()
        assert_accessible(page)
    finally:
        context.close()
