"""Nothing typed is lost: a form refused for an expired session or a stale token comes back
filled in, for its own author only, after signing in again (issue 15)."""
import re
import time
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from skillmap.extensions import db
from skillmap.models import KeptForm, Project
from skillmap.models.base import utcnow
from skillmap.web import sessions
from tests.conftest import CSRF_RE, csrf_token

HERE = {"Origin": "http://localhost"}
NEW = {"title": "Orto didattico con le scuole", "description": "Un orto a scuola, due volte "
       "a settimana", "goals": "Inclusione", "start_date": "2027-03-01",
       "end_date": "2027-12-31", "hours_per_month": "8", "team_size": "4", "status": "staffing"}


def _expire(monkeypatch):
    later = time.time() + 3 * 3600  # past the idle limit (120 minutes)
    monkeypatch.setattr(sessions, "now", lambda: later)


def _value(html, name):
    """The value an input or textarea named ``name`` shows."""
    tag = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', html)
    if tag:
        value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
        return unescape(value.group(1)) if value else ""
    area = re.search(rf'<textarea[^>]*\bname="{name}"[^>]*>([^<]*)</textarea>', html)
    return unescape(area.group(1)).strip() if area else ""


def test_a_form_sent_after_the_session_expired_comes_back_after_signing_in(
        client, auth, users, monkeypatch):
    auth.login("coordinator")
    token = csrf_token(client, "/projects/new")
    _expire(monkeypatch)
    resp = client.post("/projects/new", data={**NEW, "csrf_token": token},
                       headers={"Referer": "http://localhost/projects/new"})
    assert resp.status_code == 302
    location = resp.headers["Location"]
    assert urlsplit(location).path == "/login"
    back = parse_qs(urlsplit(location).query)["next"][0]
    assert back.startswith("/projects/new?kept=")
    assert db.session.scalar(sa.select(sa.func.count(Project.id))) == 0   # nothing saved
    row = db.session.scalar(sa.select(KeptForm))
    assert row.user_id == users["coordinator"].id and "csrf_token" not in row.fields
    login_page = unescape(client.get(location).get_data(as_text=True))
    assert "Quello che hai scritto è conservato" in login_page

    monkeypatch.undo()
    page_token = CSRF_RE.search(client.get("/login").get_data(as_text=True)).group(1)
    resp = client.post(location, data={"email": "coordinator@test.coop",
                                       "password": "correct horse battery",
                                       "csrf_token": page_token})
    assert resp.status_code == 302 and resp.headers["Location"] == back  # back to the form
    html = client.get(back).get_data(as_text=True)
    text = unescape(html)
    assert "Ecco quello che avevi scritto" in text
    assert _value(html, "title") == NEW["title"]
    assert _value(html, "description") == NEW["description"]
    assert _value(html, "hours_per_month") == "8"
    assert db.session.scalar(sa.select(sa.func.count(Project.id))) == 0   # still not saved
    # sent again with the fresh token, it is saved
    fresh = CSRF_RE.search(html).group(1)
    assert client.post("/projects/new", data={**NEW, "csrf_token": fresh}).status_code == 302
    assert db.session.scalar(sa.select(Project.title)) == NEW["title"]


def test_a_stale_token_shows_the_form_again_with_the_values(client, auth, users, taxonomy):
    auth.login("coordinator")
    project = Project(organisation_id=users["coordinator"].organisation_id, title="P",
                      status="staffing", coordinator_id=users["coordinator"].id)
    db.session.add(project)
    db.session.commit()
    page = f"/projects/{project.id}/edit"
    client.get(page)
    data = {"req-skill": taxonomy["ICT-SQL"].id, "req-min_level": "4", "req-weight": "5",
            "req-count": "2", "csrf_token": "a-token-from-before-signing-in-again"}
    resp = client.post(f"/projects/{project.id}/requirements", data=data,
                       headers={"Referer": f"http://localhost{page}"})
    assert resp.status_code == 302
    back = resp.headers["Location"]
    assert back.startswith(f"{page}?kept=")   # the page the form was on, not the POST address
    html = client.get(back).get_data(as_text=True)
    assert "Richiesta non accettata" not in unescape(html)
    assert "Ecco quello che avevi scritto" in unescape(html)
    select = html.split('id="req-skill"', 1)[1].split("</select>", 1)[0]
    assert f'selected value="{taxonomy["ICT-SQL"].id}"' in select or \
        f'value="{taxonomy["ICT-SQL"].id}" selected' in select
    assert _value(html, "req-min_level") == "4" and _value(html, "req-count") == "2"
    assert _value(html, "title") == "P"   # the other form of the page keeps its own values


def test_passwords_are_never_kept(client, auth, users, monkeypatch):
    auth.login("employee")
    token = csrf_token(client, "/account")
    _expire(monkeypatch)
    client.post("/account", data={"current": "old secret words", "new": "new secret words",
                                  "confirm": "new secret words", "csrf_token": token},
                headers={"Referer": "http://localhost/account"})
    rows = db.session.scalars(sa.select(KeptForm.fields)).all()
    assert all("secret words" not in r for r in rows)


def test_the_kept_form_is_its_authors_only_and_for_a_short_time(app, client, auth, users,
                                                                monkeypatch):
    auth.login("coordinator")
    token = csrf_token(client, "/projects/new")
    _expire(monkeypatch)
    resp = client.post("/projects/new", data={**NEW, "csrf_token": token}, headers=HERE)
    back = parse_qs(urlsplit(resp.headers["Location"]).query)["next"][0]
    monkeypatch.undo()
    auth.login("manager")   # someone else on the same browser
    html = unescape(client.get(back.replace("/projects/new", "/projects/propose")
                                ).get_data(as_text=True))
    assert NEW["title"] not in html
    auth.logout()
    auth.login("coordinator")
    db.session.execute(sa.update(KeptForm).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    html = unescape(client.get(back).get_data(as_text=True))
    assert NEW["title"] not in html and "non è più disponibile" in html
    from skillmap.services import jobs

    assert jobs.reap()["kept_forms_pruned"] == 1
    assert db.session.scalar(sa.select(sa.func.count(KeptForm.id))) == 0


def test_another_user_cannot_open_a_kept_form(client, auth, users, monkeypatch):
    auth.login("coordinator")
    token = csrf_token(client, "/projects/propose")
    _expire(monkeypatch)
    resp = client.post("/projects/propose", data={"title": "Idea riservata",
                                                  "description": "Testo", "csrf_token": token},
                       headers=HERE)
    back = parse_qs(urlsplit(resp.headers["Location"]).query)["next"][0]
    monkeypatch.undo()
    auth.login("employee")
    html = unescape(client.get(back).get_data(as_text=True))
    assert "Idea riservata" not in html


@pytest.mark.parametrize("headers", [
    {"Origin": "https://evil.example", "Referer": "https://evil.example/form"},
    {"Origin": "null"},
    {"Referer": "https://evil.example/projects/new"},
    {},   # neither: nothing tells where it came from
])
def test_a_form_posted_from_another_site_is_never_kept(client, auth, users, monkeypatch,
                                                       headers):
    """Someone else's site posting to a signed-in (or just expired) victim must not get its
    values shown back to the victim as "what you typed"."""
    auth.login("coordinator")
    _expire(monkeypatch)
    client.post("/projects/new", data={**NEW, "csrf_token": "x"}, headers=headers)
    monkeypatch.undo()
    auth.login("coordinator")
    resp = client.post("/projects/new", data={**NEW, "csrf_token": "stale"}, headers=headers)
    assert resp.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(KeptForm.id))) == 0


@pytest.mark.parametrize("referer", ["http://localhost/login", "http://localhost/"])
def test_a_sign_in_or_other_page_referer_falls_back_to_the_form_address(client, auth, users,
                                                                        monkeypatch, referer):
    auth.login("coordinator")
    token = csrf_token(client, "/projects/new")
    _expire(monkeypatch)
    resp = client.post("/projects/new", data={**NEW, "csrf_token": token},
                       headers={"Referer": referer})
    back = parse_qs(urlsplit(resp.headers["Location"]).query)["next"][0]
    assert back.startswith(("/projects/new?kept=", "/?kept="))
