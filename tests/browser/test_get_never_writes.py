"""A page view never writes to the database, except the audit trail of who saw whom.

Every page of ``pages.py`` is opened by its role on the demo cooperative with
the Flask test client (no browser needed); every statement sent to the database
is watched. Caches are rebuilt in memory at each data version, never stored.
"""
import re

import pytest
import sqlalchemy as sa

from skillmap.extensions import db
from tests.browser.conftest import DEMO_PASSWORD, LOGINS
from tests.browser.pages import PAGES
from tests.browser.test_accessibility import _url

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER)\b", re.I)
#: the one table a GET may write: disclosures of a person are logged
ALLOWED = {"audit_event"}


@pytest.fixture(scope="module")
def writes(live_app):
    seen: list[str] = []

    def watch(conn, cursor, statement, params, context, executemany):
        if WRITE.match(statement):
            table = re.search(r"(?:INTO|UPDATE|FROM)\s+\"?(\w+)", statement, re.I)
            if table is None or table.group(1) not in ALLOWED:
                seen.append(statement.split("\n")[0][:120])

    with live_app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", watch)
    yield seen
    sa.event.remove(engine, "before_cursor_execute", watch)


@pytest.fixture(scope="module")
def clients(live_app):
    from tests.conftest import CSRF_RE

    out = {}
    for role, email in LOGINS.items():
        client = live_app.test_client()
        token = CSRF_RE.search(client.get("/login").get_data(as_text=True)).group(1)
        resp = client.post("/login", data={"email": email, "password": DEMO_PASSWORD,
                                           "csrf_token": token})
        assert resp.status_code == 302, role
        out[role] = client
    return out


@pytest.mark.parametrize("entry", [p for p in PAGES if p.role != "anonymous"], ids=lambda e: e.id)
def test_a_page_view_writes_nothing(live_app, clients, writes, entry):
    url = _url(live_app, entry)
    writes.clear()
    resp = clients[entry.role].get(url)
    assert resp.status_code == 200, f"{url} answered {resp.status_code}"
    assert writes == [], f"GET {url} wrote: {writes}"
