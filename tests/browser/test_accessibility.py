"""axe-core in Chromium on every page, and a guard that no page is left out."""
import pytest

from skillmap.extensions import db
from tests.browser.conftest import assert_accessible, login
from tests.browser.pages import NOT_HTML, PAGES

pytestmark = pytest.mark.browser


def _url(live_app, entry):
    from flask import url_for

    with live_app.test_request_context():
        args = entry.args
        if callable(args):
            with live_app.app_context():
                args = args(db.session)
        url = url_for(entry.endpoint, **args)
    return url + (f"?{entry.query}" if entry.query else "")


@pytest.mark.parametrize("entry", PAGES, ids=lambda e: e.id)
def test_page_has_no_accessibility_violations(page, live_app, entry):
    if entry.role != "anonymous":
        login(page, entry.role)
    url = _url(live_app, entry)
    resp = page.goto(url)
    assert resp.status == 200, f"{url} answered {resp.status}"
    assert_accessible(page)


def test_every_page_is_listed(live_app):
    listed = {e.endpoint for e in PAGES}
    missing = sorted(
        rule.endpoint for rule in live_app.url_map.iter_rules()
        if "GET" in rule.methods and rule.endpoint not in listed | NOT_HTML)
    assert not missing, f"pages without an axe check: {missing}"
