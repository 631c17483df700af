"""Browser tests: the real app served on 127.0.0.1, driven by Playwright in Debian's Chromium.

The server runs on its own database (a SQLite file, or a ``*_browser`` PostgreSQL database
beside the test one) built with the real migrations, taxonomy and demo data. Where
Chromium is missing the tests are skipped and the run says so loudly; with
``SKILLMAP_REQUIRE_BROWSER=1`` (set by CI) a missing browser fails instead.
"""
from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from skillmap import create_app
from skillmap.extensions import db
from tests.conftest import FAST_HASH, scratch_database_url

CHROMIUM = os.environ.get("SKILLMAP_CHROMIUM", "/usr/bin/chromium")
AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
DEMO_PASSWORD = "skillmap-demo"
LOGINS = {"employee": "dipendente@demo.coop", "coordinator": "coordinatore@demo.coop",
          "manager": "hr@demo.coop", "admin": "admin@demo.coop"}
SKIPPED: list[str] = []


@pytest.fixture(scope="session")
def live_app(tmp_path_factory, smtp_server):
    from flask_migrate import upgrade

    from skillmap.services.accounts import get_or_create_organisation
    from skillmap.services.demo import seed_demo
    from skillmap.services.taxonomy import load_taxonomy

    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    url = scratch_database_url("browser", tmp_path_factory.mktemp("browserdb"))
    app = create_app({"SECRET_KEY": "browser-tests", "SQLALCHEMY_DATABASE_URI": url,
                      "ORGANISATION_NAME": "Cooperativa Demo", "PASSWORD_HASH_METHOD": FAST_HASH,
                      # e-mail through the session's SMTP server; queued work runs when a test
                      # drains the in-memory queue (tests.conftest.run_jobs)
                      "QUEUE_URL": "memory", "MAIL_SERVER": "127.0.0.1",
                      "MAIL_PORT": smtp_server[1], "MAIL_SECURITY": "none",
                      "TRAINING_FILES_DIR": str(tmp_path_factory.mktemp("certificates"))})
    with app.app_context():
        upgrade()
        org = get_or_create_organisation(app.config["ORGANISATION_NAME"])
        load_taxonomy(org)
        seed_demo(org, 120, 0)
        from skillmap.models import User

        for user in db.session.scalars(sa.select(User)):
            user.privacy_seen_at = sa.func.now()
        db.session.commit()
    return app


@pytest.fixture(scope="session")
def live_server(live_app):
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    live_app.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"  # links in e-mails
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        msg = f"Chromium not found at {CHROMIUM}: browser and accessibility tests SKIPPED"
        if os.environ.get("SKILLMAP_REQUIRE_BROWSER"):
            pytest.fail(msg + " (SKILLMAP_REQUIRE_BROWSER is set)")
        SKIPPED.append(msg)
        pytest.skip(msg)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A page that fails the test when the Content-Security-Policy blocks anything
    (an inline script or style left in a template) or a script throws."""
    context = browser.new_context(base_url=live_server, locale="it-IT")
    page = context.new_page()
    page.set_default_timeout(15000)
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" and (
        "Content Security Policy" in msg.text or "Refused to" in msg.text) else None)
    page.on("pageerror", lambda exc: problems.append(f"script error: {exc}"))
    yield page
    context.close()
    assert not problems, "blocked by the CSP or failed in the browser:\n" + "\n".join(problems)


#: per role, the cookies of a session the login form opened in this run (one live server
#: per process; a cookie another server does not know fails the check and the form runs)
_SESSIONS: dict[str, list] = {}


def login(page, role: str) -> None:
    """Sign in as the demo account of ``role``, landing on its home page.

    The first time in a run, and whenever the session saved from then has ended (a journey
    signed out, an idle timeout), through the real form; otherwise with that session's
    cookies, checked by opening the home page (the form costs 1-3 s, a hundred times a run).
    """
    if role in _SESSIONS:
        page.context.add_cookies(_SESSIONS[role])
        page.goto("/")
        if "/login" not in page.url:
            return
        page.context.clear_cookies()
    page.goto("/login")
    page.get_by_label("Email").fill(LOGINS[role])
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_load_state("networkidle")
    assert "/login" not in page.url, f"login as {role} failed"
    _SESSIONS[role] = page.context.cookies()


def assert_accessible(page) -> None:
    """Run axe-core on the page: zero WCAG 2.2 A/AA violations, target-size included."""
    # evaluated through DevTools, not as an inline <script>, which the CSP would refuse
    page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate(
        """async (tags) => await axe.run(document, {
              runOnly: {type: 'tag', values: tags},
              rules: {'target-size': {enabled: true}},
              resultTypes: ['violations']})""", AXE_TAGS)
    violations = [
        {"id": v["id"], "impact": v["impact"], "help": v["help"],
         "nodes": [n["target"] for n in v["nodes"][:5]]}
        for v in result["violations"]]
    assert not violations, f"axe violations on {page.url}:\n" + json.dumps(violations, indent=1)


def pytest_terminal_summary(terminalreporter):
    if SKIPPED:
        terminalreporter.section("BROWSER TESTS SKIPPED", sep="!", red=True, bold=True)
        terminalreporter.write_line(SKIPPED[0], red=True, bold=True)
        terminalreporter.write_line("Install Debian's chromium package (apt-get install chromium) "
                                    "to run them.", red=True)
