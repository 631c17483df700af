"""axe-core in Chromium on every page, at a phone's width and a laptop's, and a guard that no
page is left out.

Each page is opened at 1280 x 900 and at 390 x 844: the document must never be wider than
the viewport (a wide table scrolls inside its own region), and axe must find nothing at
either width.
"""
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


VIEWPORTS = [(1280, 900), (390, 844)]


def page_overflow(page) -> dict | None:
    """The widest element sticking out of the viewport, or None when the page fits."""
    return page.evaluate("""() => {
        const doc = document.documentElement;
        if (doc.scrollWidth <= doc.clientWidth) return null;
        let worst = null;
        for (const el of document.body.querySelectorAll('*')) {
            const r = el.getBoundingClientRect();
            if (r.right > doc.clientWidth + 1 && (!worst || r.right > worst.right)) {
                worst = {right: Math.round(r.right), tag: el.tagName,
                         cls: el.className && el.className.baseVal === undefined ? el.className : '',
                         text: (el.textContent || '').trim().slice(0, 60)};
            }
        }
        return {scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth, widest: worst};
    }""")


@pytest.mark.parametrize("entry", PAGES, ids=lambda e: e.id)
def test_page_has_no_accessibility_violations(page, live_app, entry):
    if entry.role != "anonymous":
        login(page, entry.role)
    url = _url(live_app, entry)
    for width, height in VIEWPORTS:
        page.set_viewport_size({"width": width, "height": height})
        resp = page.goto(url)
        assert resp.status == 200, f"{url} answered {resp.status}"
        assert page_overflow(page) is None, \
            f"{url} scrolls sideways at {width} px: {page_overflow(page)}"
        assert_accessible(page)


def test_every_page_is_listed(live_app):
    listed = {e.endpoint for e in PAGES}
    missing = sorted(
        rule.endpoint for rule in live_app.url_map.iter_rules()
        if "GET" in rule.methods and rule.endpoint not in listed | NOT_HTML)
    assert not missing, f"pages without an axe check: {missing}"


def test_keep_and_leave_out_are_on_screen_on_a_phone(page, live_app):
    """On a 390 px phone the team's Keep / Leave out boxes are within the screen, not cut off."""
    from tests.browser.pages import _staffing_project

    login(page, "coordinator")
    with live_app.app_context():
        args = _staffing_project(db.session)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/projects/{args['project_id']}/team?asked=1")
    boxes = page.locator("#members input[name=pins]")
    assert boxes.count() > 0
    for i in range(boxes.count()):
        box = boxes.nth(i).bounding_box()
        label = page.locator(f"label[for='{boxes.nth(i).get_attribute('id')}']").bounding_box()
        assert box["x"] >= 0 and label["x"] + label["width"] <= 390, (box, label)
