"""Input hardening (issue 12): ids out of range, control characters, ``next``, confirmations."""
from __future__ import annotations

import os
import stat

import pytest
import sqlalchemy as sa

from skillmap import _private_dir, create_app
from skillmap.extensions import db
from skillmap.models import PersonSkill, Project, ProjectRequirement, User
from skillmap.services import profiles
from skillmap.web.redirects import safe_next
from tests.conftest import AuthActions, csrf_token

HUGE = "1" * 30


def _rules_with_ids(app):
    for rule in app.url_map.iter_rules():
        ints = [a for a, conv in rule._converters.items() if "Id" in type(conv).__name__]
        if ints:
            yield rule, ints


@pytest.mark.parametrize("role", ["admin", "manager", "coordinator", "employee"])
def test_ids_out_of_range_answer_404_on_every_url(app, client, users, role):
    AuthActions(client).login(role)
    rules = list(_rules_with_ids(app))
    assert len(rules) >= 9
    for rule, ints in rules:
        for value in (HUGE, str(2**31), str(2**63)):
            url = rule.rule
            for arg in ints:
                url = url.replace(f"<int:{arg}>", value)
            url = url.replace("<answer>", "accept").replace("<kind>", "matrix")
            url = url.replace("<fmt>", "csv").replace("<path:filename>", "x")
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                resp = client.open(url, method=method)
                assert resp.status_code == 404, (rule.rule, value, method, resp.status_code)


@pytest.mark.parametrize("url", [f"/reports/people?kind=skill&skill={HUGE}",
                                 f"/reports/people?kind=skill&skill={2**63}",
                                 f"/reports/matrix?unit={HUGE}&area={HUGE}",
                                 f"/profile/skills/add?skill={HUGE}"])
def test_ids_out_of_range_in_query_strings_never_fail(client, auth, users, taxonomy, url):
    auth.login("manager")
    assert client.get(url).status_code in (302, 200, 404)


CONTROL = ["nul\x00byte", "escape\x1b[31m", "bell\x07", "c1\x85"]


@pytest.mark.parametrize("text", CONTROL, ids=["nul", "esc", "bell", "c1"])
@pytest.mark.parametrize("role,path,page,data,field", [
    ("coordinator", "/projects/new", None,
     {"title": "Orto", "description": "x", "goals": "", "start_date": "", "end_date": "",
      "hours_per_month": "8", "team_size": "4", "status": "idea"}, "title"),
    ("employee", "/projects/propose", None, {"title": "Idea", "description": "x", "goals": ""},
     "description"),
    ("employee", "/profile/settings", None, {"job_title": "Educatore", "availability_hours": "4"},
     "job_title"),
    ("admin", "/admin/users", None, {"email": "a@test.coop", "role": "employee",
                                     "password": "una frase abbastanza lunga"}, "password"),
    ("employee", "/profile/propose", None, {"name": "Nuova", "area": "", "description": ""},
     "name"),
])
def test_control_characters_are_refused_with_a_message(client, auth, users, taxonomy,
                                                       role, path, page, data, field, text):
    auth.login(role)
    before = db.session.scalar(sa.select(sa.func.count(Project.id)))
    token = csrf_token(client, page or path)
    resp = client.post(path, data={**data, field: data[field] + text, "csrf_token": token})
    assert resp.status_code == 400
    assert "caratteri di controllo" in resp.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Project.id))) == before
    assert db.session.scalar(sa.select(User).where(User.email == "a@test.coop")) is None


def test_control_characters_in_the_query_string_are_refused(client, auth, users):
    auth.login("employee")
    resp = client.get("/profile/skills/search?q=py%00thon")
    assert resp.status_code == 400
    assert "caratteri di controllo" in resp.get_data(as_text=True)


def test_login_form_refuses_nul(client, users):
    token = csrf_token(client, "/login")
    resp = client.post("/login", data={"email": "employee@test.coop\x00", "password": "x",
                                       "csrf_token": token})
    assert resp.status_code == 400


def test_tabs_and_new_lines_stay_allowed(client, auth, users, post_form):
    auth.login("employee")
    resp = post_form("/projects/propose", {"title": "Idea", "description": "riga uno\r\nriga\tdue",
                                            "goals": ""})
    assert resp.status_code == 302
    assert "riga\tdue" in db.session.scalar(sa.select(Project.description))


EVIL = ["https://evil.example", "//evil.example", "/\\evil.example", "\\\\evil.example",
        "javascript:alert(1)", "http:evil.example", " /x", "/\x09/evil.example"]


@pytest.mark.parametrize("target", EVIL)
def test_safe_next_refuses_other_sites(target):
    assert safe_next(target, "/home") == "/home"


@pytest.mark.parametrize("target", ["/projects/open", "/projects/open?page=2#x", "/"])
def test_safe_next_keeps_local_paths(target):
    assert safe_next(target, "/home") == target


@pytest.mark.parametrize("target", ["https://evil.example", "//evil.example", "/\\evil.example"])
def test_project_interest_never_redirects_off_site(client, auth, users, org, taxonomy, target):
    project = Project(organisation_id=org.id, title="Sportello", status="staffing", team_size=3,
                      coordinator_id=users["coordinator"].id)
    project.requirements.append(ProjectRequirement(skill_id=taxonomy["ICT-PY"].id, min_level=3))
    db.session.add(project)
    db.session.commit()
    auth.login("employee")
    token = csrf_token(client, "/projects/open")
    resp = client.post(f"/projects/{project.id}/interest",
                       data={"csrf_token": token, "next": target})
    assert resp.status_code == 302
    assert resp.headers["Location"] == "/projects/open"
    token = csrf_token(client, "/projects/open")
    resp = client.post(f"/projects/{project.id}/withdraw",
                       data={"csrf_token": token, "next": "/projects/open?x=1"})
    assert "evil" not in resp.headers["Location"]


def test_login_next_goes_through_the_same_helper(client, users):
    from skillmap.models.base import utcnow

    users["employee"].privacy_seen_at = utcnow()
    db.session.commit()
    token = csrf_token(client, "/login")
    resp = client.post("/login?next=/\\evil.example", data={
        "email": "employee@test.coop", "password": "correct horse battery", "csrf_token": token})
    assert resp.headers["Location"] == "/"


def test_a_wished_skill_cannot_be_confirmed(client, auth, users, taxonomy):
    anna = users["employee"]
    profiles.add_skill(anna.person, taxonomy["ICT-SQL"].id,
                       profiles.SkillData(level=0, wants_to_grow=True), actor=anna)
    db.session.commit()
    wish = db.session.scalar(sa.select(PersonSkill))
    auth.login("coordinator")
    token = csrf_token(client, f"/people/{anna.person_id}")
    resp = client.post(f"/people/{anna.person_id}/skills/{wish.id}/confirm",
                       data={f"c{wish.id}-level": 5, "csrf_token": token})
    assert resp.status_code == 302
    assert db.session.get(PersonSkill, wish.id).confirmed_level is None
    html = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Si può confermare solo una competenza che la persona possiede" in html


def test_sqlite_database_file_is_private(tmp_path):
    path = tmp_path / "db" / "new.sqlite"
    path.parent.mkdir()  # a missing folder is an outage (503), not one to make
    app = create_app({"SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        db.create_all()
        db.session.execute(sa.text("SELECT 1"))
        db.session.remove()
        db.engine.dispose()
    for name in (path, path.with_name("new.sqlite-wal"), path.with_name("new.sqlite-shm")):
        if name.exists():
            assert stat.S_IMODE(os.stat(name).st_mode) == 0o600, name


def test_an_existing_world_readable_database_is_tightened(tmp_path):
    path = tmp_path / "old.sqlite"
    path.touch(mode=0o644)
    os.chmod(path, 0o644)
    app = create_app({"SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():  # tightened when the app first connects
        db.session.execute(sa.text("SELECT 1"))
        db.session.remove()
        db.engine.dispose()
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_instance_folder_is_private(tmp_path):
    new = tmp_path / "instance"
    _private_dir(str(new))
    assert stat.S_IMODE(os.stat(new).st_mode) == 0o700
    os.chmod(new, 0o755)
    _private_dir(str(new))
    assert stat.S_IMODE(os.stat(new).st_mode) == 0o700


def test_a_database_out_of_range_error_answers_404(app, client, auth, users):
    """The catch-all behind the explicit checks: an id the database cannot hold is a 404."""
    from skillmap.models import Person

    @app.route("/_probe/<big>")
    def _probe(big):  # pragma: no cover - called below
        return str(db.session.get(Person, int(big)))

    _probe.allowed_roles = frozenset({"admin"})
    auth.login("admin")
    assert client.get(f"/_probe/{2**63}").status_code == 404
    assert client.get(f"/_probe/{HUGE}").status_code == 404
