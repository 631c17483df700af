"""/healthz and the outage page: what monitoring and users see when the database is down."""
import time

import pytest
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from skillmap import create_app
from skillmap.extensions import db
from skillmap.models import User
from skillmap.web.access import public, roles
from tests.conftest import FAST_HASH, PASSWORD, csrf_token

UNAVAILABLE_IT = "SkillMap non è raggiungibile in questo momento"
UNAVAILABLE_EN = "SkillMap is temporarily unavailable"


@pytest.fixture
def at_head(app):
    """Stamp the test database (built by create_all) with the migrations' head."""
    config = app.extensions["migrate"].migrate.get_config()
    with db.engine.begin() as conn:
        MigrationContext.configure(conn).stamp(ScriptDirectory.from_config(config), "heads")
    yield
    with db.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE alembic_version"))


@pytest.fixture(params=["postgresql", "sqlite"])
def broken_url(request, tmp_path):
    """A PostgreSQL nobody listens to, or a SQLite file in a folder that does not exist."""
    if request.param == "postgresql":
        return "postgresql+psycopg://postgres@127.0.0.1:1/nothing?connect_timeout=1"
    return "sqlite:///" + str(tmp_path / "no-such-folder" / "skillmap.sqlite")


def broken_app(url):
    """The same app (same secret key, so the same session cookies) on a database that is down."""
    return create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                       "SQLALCHEMY_DATABASE_URI": url, "PASSWORD_HASH_METHOD": FAST_HASH})


def signed_in_cookie(client, auth, role="employee") -> str:
    auth.login(role)
    return client.get_cookie("session").value


def test_healthz_answers_anonymous_callers_with_ok(client, users, at_head):
    resp = client.get("/healthz")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["migrations"]["status"] == "ok"
    assert body["checks"]["migrations"]["database"] == body["checks"]["migrations"]["head"]
    assert resp.headers["Cache-Control"] == "no-store"
    text = resp.get_data(as_text=True)
    for user in users.values():  # nothing about people or accounts
        assert user.email not in text and user.person.last_name not in text


def test_healthz_fails_when_migrations_are_behind(client, users):
    """create_all() builds the tables but records no revision: not at head."""
    resp = client.get("/healthz")
    assert resp.status_code == 503
    body = resp.get_json()
    assert body["status"] == "fail"
    assert body["checks"]["database"]["status"] == "ok"
    migrations = body["checks"]["migrations"]
    assert migrations["status"] == "fail" and migrations["database"] == []
    assert len(migrations["head"]) == 1


def test_healthz_is_read_only(client):
    assert client.post("/healthz").status_code == 405


def test_healthz_does_not_create_a_missing_sqlite_file(tmp_path):
    path = tmp_path / "not-yet.sqlite"
    resp = broken_app(f"sqlite:///{path}").test_client().get("/healthz")
    assert resp.status_code == 503
    database = resp.get_json()["checks"]["database"]
    assert database["status"] == "fail" and database["error"] == "DatabaseFileMissing"
    assert not path.exists()


def test_healthz_reports_an_unreachable_database_quickly(broken_url):
    started = time.monotonic()
    resp = broken_app(broken_url).test_client().get("/healthz")
    assert time.monotonic() - started < 8
    assert resp.status_code == 503
    body = resp.get_json()
    assert body["status"] == "fail"
    assert body["checks"]["database"]["status"] == "fail"
    assert body["checks"]["migrations"]["status"] == "fail"
    assert "127.0.0.1" not in resp.get_data(as_text=True)  # error details go to the log only


@pytest.mark.parametrize("path", ["/", "/profile", "/login", "/admin/users"])
def test_signed_in_user_gets_the_outage_page_in_italian(client, auth, users, broken_url, path):
    cookie = signed_in_cookie(client, auth)
    down = broken_app(broken_url).test_client()
    down.set_cookie("session", cookie)
    resp = down.get(path)
    assert resp.status_code == 503
    page = resp.get_data(as_text=True)
    assert UNAVAILABLE_IT in page and 'lang="it"' in page
    assert "Internal Server Error" not in page


def test_outage_page_keeps_the_language_the_user_chose(client, auth, users, post_form,
                                                        broken_url):
    auth.login("manager")
    post_form("/language", {"l-lang": "en"}, page="/account")
    down = broken_app(broken_url).test_client()
    down.set_cookie("session", client.get_cookie("session").value)
    resp = down.get("/", headers={"Accept-Language": "it"})
    assert resp.status_code == 503 and UNAVAILABLE_EN in resp.get_data(as_text=True)


def test_a_form_sent_during_the_outage_gets_the_outage_page(client, auth, users, broken_url):
    signed_in_cookie(client, auth)
    token = csrf_token(client, "/account")
    cookie = client.get_cookie("session").value  # with the form's token in it
    down = broken_app(broken_url).test_client()
    down.set_cookie("session", cookie)
    resp = down.post("/logout", data={"csrf_token": token})
    assert resp.status_code == 503 and UNAVAILABLE_IT in resp.get_data(as_text=True)


@pytest.mark.parametrize("accept,text", [("en-GB,en;q=0.9", UNAVAILABLE_EN),
                                         ("it-IT,it;q=0.9,en;q=0.5", UNAVAILABLE_IT),
                                         ("de-DE", UNAVAILABLE_IT),
                                         (None, UNAVAILABLE_IT)])
def test_anonymous_visitor_gets_the_outage_page_in_the_browser_language(broken_url, accept,
                                                                          text):
    """The sign-in page itself needs no database; signing in does."""
    headers = {"Accept-Language": accept} if accept else {}
    down = broken_app(broken_url).test_client()
    token = csrf_token(down, "/login")
    resp = down.post("/login", headers=headers, data={
        "email": "employee@test.coop", "password": PASSWORD, "csrf_token": token})
    assert resp.status_code == 503 and text in resp.get_data(as_text=True)


def test_500_page_renders_without_the_database(client, auth, users, broken_url):
    cookie = signed_in_cookie(client, auth)
    down_app = broken_app(broken_url)

    @down_app.route("/boom")
    @public
    def boom():
        raise RuntimeError("boom")

    down_app.config["PROPAGATE_EXCEPTIONS"] = False
    down = down_app.test_client()
    down.set_cookie("session", cookie)
    resp = down.get("/boom")
    assert resp.status_code == 500 and "Qualcosa è andato storto" in resp.get_data(as_text=True)


def _disconnect():
    return sa.exc.DBAPIError("SELECT 1", {}, Exception("server closed the connection"),
                             connection_invalidated=True)


@pytest.mark.parametrize("error,status,text", [
    (lambda: sa.exc.OperationalError("SELECT 1", {}, Exception("terminating connection")),
     503, UNAVAILABLE_EN),
    (_disconnect, 503, UNAVAILABLE_EN),
    (lambda: sa.exc.InterfaceError("SELECT 1", {}, Exception("connection already closed")),
     503, UNAVAILABLE_EN),
    (lambda: sa.exc.IntegrityError("INSERT", {}, Exception("duplicate key")), 500,
     "Something went wrong"),
])
def test_database_errors_in_the_middle_of_a_page(app, client, auth, users, error, status, text):
    """A connection lost mid-request is an outage (503); any other database error is a 500.
    Both pages come in the user's language although the user row is no longer readable."""
    @app.route("/lost")
    @roles("*")
    def lost():
        raise error()

    app.config["PROPAGATE_EXCEPTIONS"] = False
    user = db.session.get(User, users["employee"].id)
    user.locale = "en"
    db.session.commit()
    auth.login("employee")
    resp = client.get("/lost")
    assert resp.status_code == status and text in resp.get_data(as_text=True)


@pytest.fixture
def silent_server():
    """A port that accepts TCP connections and never answers, like a hung PostgreSQL."""
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(50)
    yield f"postgresql+psycopg://postgres@127.0.0.1:{sock.getsockname()[1]}/hung"
    sock.close()


def test_a_hung_database_does_not_hang_healthz_or_pages(client, auth, users, silent_server):
    cookie = signed_in_cookie(client, auth)
    down = create_app({"TESTING": True, "SECRET_KEY": "test-secret", "HEALTH_TIMEOUT": 1,
                       "DATABASE_CONNECT_TIMEOUT": 1, "SQLALCHEMY_DATABASE_URI": silent_server})
    started = time.monotonic()
    resp = down.test_client().get("/healthz")
    assert resp.status_code == 503 and time.monotonic() - started < 5
    browser = down.test_client()
    browser.set_cookie("session", cookie)
    started = time.monotonic()
    resp = browser.get("/")
    assert resp.status_code == 503 and time.monotonic() - started < 4
    assert UNAVAILABLE_IT in resp.get_data(as_text=True)


def test_healthz_reports_the_queue_and_the_last_recompute(app, client, org, users):
    from datetime import timedelta

    import sqlalchemy as sa

    from skillmap.models import Job
    from skillmap.models.base import utcnow
    from skillmap.services import recompute
    from tests.conftest import run_jobs

    run_jobs()
    body = client.get("/healthz").get_json()
    assert body["checks"]["queue"]["status"] == "ok"
    assert body["checks"]["recompute"]["status"] == "ok"
    assert body["checks"]["recompute"]["last_state"] == "done"
    assert body["checks"]["recompute"]["last_done_age_s"] is not None
    # a job waiting for a quarter of an hour: no consumer takes jobs
    job, _ = recompute.request(org.id)
    db.session.commit()
    db.session.execute(sa.update(Job).where(Job.id == job.id).values(
        created_at=utcnow() - timedelta(seconds=app.config["QUEUE_STUCK_AFTER"] + 1)))
    db.session.commit()
    resp = client.get("/healthz")
    assert resp.status_code == 503
    assert resp.get_json()["checks"]["recompute"]["status"] == "fail"


def test_healthz_fails_when_the_queue_storage_is_unreachable(app, client, monkeypatch):
    from skillmap import queue

    def broken():
        raise ConnectionError("redis down")

    monkeypatch.setattr(queue.huey.storage, "queue_size", broken)
    resp = client.get("/healthz")
    assert resp.status_code == 503
    assert resp.get_json()["checks"]["queue"] == {"status": "fail", "error": "ConnectionError",
                                                  "ms": resp.get_json()["checks"]["queue"]["ms"]}
