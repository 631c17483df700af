"""Fixtures shared by every test: the app on SQLite or PostgreSQL, a client, logins.

Set ``SKILLMAP_TEST_DATABASE_URL`` (e.g. ``postgresql+psycopg://postgres@127.0.0.1:5432/test``)
to run the suite against PostgreSQL; by default each run uses a fresh SQLite file.
"""
from __future__ import annotations

import os
import re

import pytest
import sqlalchemy as sa
from flask.globals import _cv_app
from flask.testing import FlaskClient

from skillmap import clock, create_app
from skillmap import config as skillmap_config
from skillmap.extensions import db
from skillmap.models import Organisation, Person, Skill, SkillArea, Unit, User

PASSWORD = "correct horse battery"
# every app a test makes queues its jobs in memory, never in instance/queue.sqlite
skillmap_config.Defaults.QUEUE_URL = "memory"
# reports are computed in the request unless a test asks for the snapshots job
skillmap_config.Defaults.REPORT_SNAPSHOTS = False
#: the day this test process started: the app's date rules (clock.today) and the tests' own
#: dates read it, so a run that crosses midnight never sees two days (a deadline set up
#: 25 days away checked as 24, a completion "tomorrow" that became today)
RUN_DAY = clock.today()
clock.today = lambda: RUN_DAY
#: a fast password hash for tests: the production default (scrypt) takes about 0.3 s a hash
#: and as long a check, and nearly every test signs someone in
FAST_HASH = "pbkdf2:sha256:1000"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def base_test_url(tmp_factory) -> str:
    """The test database: a fresh SQLite file, or ``SKILLMAP_TEST_DATABASE_URL``; under
    pytest-xdist each worker gets its own PostgreSQL database ``<db>_<worker>``."""
    url = os.environ.get("SKILLMAP_TEST_DATABASE_URL")
    if not url:
        return "sqlite:///" + str(tmp_factory.mktemp("db") / "test.sqlite")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    parsed = sa.engine.make_url(url)
    name = f"{parsed.database}_{worker}"
    admin = sa.create_engine(parsed, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"),
                              {"n": name}).scalar()
        if not exists:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def scratch_database_url(suffix: str, sqlite_dir) -> str:
    """An empty database beside the test one: a PostgreSQL ``<db>_<suffix>`` made afresh,
    or a SQLite file in ``sqlite_dir``."""
    base = os.environ.get("SKILLMAP_TEST_DATABASE_URL")
    if not base:
        return "sqlite:///" + str(sqlite_dir / f"{suffix}.sqlite")
    url = sa.engine.make_url(base)
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    name = f"{url.database}_{worker}_{suffix}" if worker else f"{url.database}_{suffix}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def wipe(engine: sa.Engine) -> None:
    """Empty every table, quickly, between tests."""
    tables = list(reversed(db.metadata.sorted_tables))
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    url = base_test_url(tmp_path_factory)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "t"})
    with app.app_context():
        with db.engine.begin() as conn:  # start from nothing, whatever an earlier run left
            if conn.dialect.name == "postgresql":
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
        db.drop_all()
        db.create_all()
        db.engine.dispose()
    return url


class FreshContextClient(FlaskClient):
    """Each request runs in its own app context (its own ``g`` and DB session), as in
    production, although the test itself holds an app context; afterwards the test's
    session forgets what it loaded, so it reads what the request wrote."""

    def open(self, *args, **kwargs):
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)
            db.session.expire_all()


@pytest.fixture
def app_config() -> dict:
    """Extra settings for the ``app`` of a test module (override this fixture)."""
    return {}


@pytest.fixture
def app(database_url, smtp_server, app_config):
    from skillmap import queue
    from skillmap.services import report_snapshots, versions

    app = create_app({
        "TESTING": True, "SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URI": database_url,
        "QUEUE_URL": "memory",
        "PASSWORD_HASH_METHOD": FAST_HASH,
        # every e-mail goes through the session's real SMTP server (see ``smtp``)
        "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_server[1], "MAIL_SECURITY": "none",
        "MAIL_TIMEOUT": 5, "BASE_URL": "http://skillmap.test", **app_config,
    })
    app.test_client_class = FreshContextClient
    versions.clear()  # ids and versions repeat after a wipe: no test sees another's values
    report_snapshots.forget()
    with app.app_context():
        yield app
        db.session.remove()
        wipe(db.engine)
        db.engine.dispose()
    queue.huey.storage.flush_all()
    versions.clear()
    report_snapshots.forget()


def run_jobs() -> int:
    """Run every queued background job now, in this process (the queue is in memory)."""
    from skillmap import queue

    ran = queue.drain()
    db.session.expire_all()  # the jobs ran in their own app context and session
    return ran


def give(person, taxonomy, levels, wishes=()):
    """Add skill rows: ``levels`` code -> level; codes in ``wishes`` want to grow."""
    from skillmap.models import PersonSkill

    for code, level in levels.items():
        db.session.add(PersonSkill(person_id=person.id, skill_id=taxonomy[code].id, level=level,
                                   wants_to_grow=code in wishes))
    db.session.commit()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def org(app):
    org = Organisation(name="Cooperativa Test")
    db.session.add(org)
    db.session.commit()
    return org


@pytest.fixture
def taxonomy(org):
    """A tiny hand-made taxonomy: two areas, five skills."""
    care = SkillArea(organisation_id=org.id, code="CARE", name_it="Cura", name_en="Care")
    ict = SkillArea(organisation_id=org.id, code="ICT", name_it="Informatica", name_en="ICT")
    db.session.add_all([care, ict])
    db.session.flush()
    rows = [("CARE-HOME", care, "Assistenza domiciliare", "Home care", "badante|assistenza"),
            ("CARE-FIRST", care, "Primo soccorso", "First aid", "BLSD"),
            ("ICT-PY", ict, "Programmazione Python", "Python programming", "python"),
            ("ICT-SQL", ict, "Basi di dati SQL", "SQL databases", "database"),
            ("ICT-NET", ict, "Reti informatiche", "Computer networks", "")]
    skills = {}
    for code, area, it, en, aliases in rows:
        skills[code] = Skill(organisation_id=org.id, code=code, area_id=area.id, name_it=it,
                             name_en=en, aliases=aliases)
    db.session.add_all(skills.values())
    db.session.commit()
    return skills


@pytest.fixture
def users(org):
    """One account per role, each linked to a person in one unit."""
    unit = Unit(organisation_id=org.id, name="Servizi educativi")
    db.session.add(unit)
    db.session.flush()
    out = {}
    for role, (first, last) in {"employee": ("Anna", "Rossi"), "coordinator": ("Bruno", "Bianchi"),
                                "manager": ("Carla", "Verdi"), "admin": ("Dario", "Neri")}.items():
        person = Person(organisation_id=org.id, unit_id=unit.id, first_name=first,
                        last_name=last, email=f"{role}@test.coop", job_title="Educatore")
        user = User(organisation_id=org.id, email=f"{role}@test.coop", role=role, person=person)
        user.set_password(PASSWORD)
        db.session.add_all([person, user])
        out[role] = user
    db.session.commit()
    return out


def csrf_token(client, path: str) -> str:
    """Read the real CSRF token from a page, as a browser would."""
    html = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


class AuthActions:
    """Sign in and out through the real login form, CSRF token included."""

    def __init__(self, client):
        self._client = client

    def login(self, role_or_email: str = "employee", password: str = PASSWORD,
              *, privacy_seen: bool = True):
        email = role_or_email if "@" in role_or_email else f"{role_or_email}@test.coop"
        if privacy_seen:
            user = db.session.scalar(sa.select(User).where(User.email == email))
            if user is not None and user.privacy_seen_at is None:
                from skillmap.models.base import utcnow

                user.privacy_seen_at = utcnow()
                db.session.commit()
        token = csrf_token(self._client, "/login")
        return self._client.post("/login", data={"email": email, "password": password,
                                                 "csrf_token": token})

    def logout(self):
        token = csrf_token(self._client, "/")
        return self._client.post("/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def post_form(client):
    """POST a form with the CSRF token read from ``page`` (defaults to the target)."""

    def _post(path: str, data: dict, page: str | None = None, **kw):
        token = csrf_token(client, page or path)
        return client.post(path, data={**data, "csrf_token": token}, **kw)

    return _post


# --------------------------------------------------------------------------- e-mail

class SmtpInbox:
    """What the test SMTP server received: a list of ``email.message.EmailMessage``."""

    def __init__(self):
        self.messages = []
        self.refuse: set[str] = set()  # addresses the server answers 550

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        return [m for m in self.messages if address.lower() in m["To"].lower()]

    @staticmethod
    def text(message) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()

    @staticmethod
    def html(message) -> str:
        return message.get_body(preferencelist=("html",)).get_content()

    def link(self, message) -> str:
        """The first link of the message's plain text."""
        match = re.search(r"https?://\S+", self.text(message))
        assert match, "no link in the message"
        return match.group(0)


@pytest.fixture(scope="session")
def smtp_server():
    """A real SMTP server (aiosmtpd) on a free port, for the whole test session."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = SmtpInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def smtp(smtp_server):
    """The test SMTP server's inbox, emptied for this test."""
    inbox, _port = smtp_server
    inbox.messages.clear()
    inbox.refuse.clear()
    return inbox
