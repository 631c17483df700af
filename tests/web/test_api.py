"""The HR API (/api/v1/): tokens (scopes, revocation, expiry, no cookies), paging,
ETags, other organisations' ids, problem details in the caller's language, the audit of
every call, and writes through the forms' services and messages."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from skillmap.extensions import db
from skillmap.models import (
    ApiToken,
    AuditEvent,
    Organisation,
    Person,
    PersonSkill,
    Project,
    Skill,
    SkillChange,
    TeamMember,
    Unit,
)
from skillmap.models.base import utcnow
from skillmap.services import api_tokens, audit
from tests.conftest import csrf_token


def make_token(users, scope="read", **kw):
    token, clear = api_tokens.create_token(users["admin"].organisation_id, f"{scope} test",
                                           scope, expires_days=kw.get("expires_days"),
                                           actor=users["admin"])
    db.session.commit()
    return token, clear


def bearer(clear, lang="en"):
    return {"Authorization": f"Bearer {clear}", "Accept-Language": lang}


@pytest.fixture
def read(users):
    return make_token(users, "read")[1]


@pytest.fixture
def write(users):
    return make_token(users, "write")[1]


# ---------------------------------------------------------------------------- tokens

def test_the_token_is_stored_only_as_a_hash(users):
    token, clear = make_token(users)
    assert clear.startswith("smk_") and len(clear) > 40
    row = db.session.get(ApiToken, token.id)
    assert row.token_hash == api_tokens.hash_token(clear) and clear not in (row.token_hash,
                                                                             row.prefix)


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer nope", "Basic abc", "bearer  "])
def test_calls_without_a_valid_token_get_401(client, users, header):
    resp = client.get("/api/v1/people", headers={"Authorization": header} if header else {})
    assert resp.status_code == 401
    assert resp.mimetype == "application/problem+json"
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_signed_in_browser_session_is_not_a_token(client, auth, users):
    auth.login("admin")
    resp = client.get("/api/v1/people")
    assert resp.status_code == 401
    assert "Set-Cookie" not in resp.headers


def test_a_read_token_reads_but_cannot_write(client, users, read):
    assert client.get("/api/v1/people", headers=bearer(read)).status_code == 200
    before = db.session.scalar(sa.select(sa.func.count(Person.id)))
    resp = client.post("/api/v1/people", json={"first_name": "Ugo", "last_name": "Blu"},
                       headers=bearer(read))
    assert resp.status_code == 403 and resp.mimetype == "application/problem+json"
    person = users["employee"].person_id
    assert client.patch(f"/api/v1/people/{person}", json={"first_name": "X"},
                        headers=bearer(read)).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(Person.id))) == before
    assert db.session.get(Person, person).first_name == "Anna"


def test_a_revoked_token_stops_working_at_once(client, users):
    token, clear = make_token(users)
    assert client.get("/api/v1/units", headers=bearer(clear)).status_code == 200
    api_tokens.revoke_token(db.session.get(ApiToken, token.id), actor=users["admin"])
    db.session.commit()
    assert client.get("/api/v1/units", headers=bearer(clear)).status_code == 401


def test_an_expired_token_stops_working(client, users):
    token, clear = make_token(users, expires_days=30)
    assert client.get("/api/v1/units", headers=bearer(clear)).status_code == 200
    db.session.get(ApiToken, token.id).expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.get("/api/v1/units", headers=bearer(clear)).status_code == 401
    assert api_tokens.state(db.session.get(ApiToken, token.id)) == "expired"


def test_last_use_is_noted(client, users):
    token, clear = make_token(users)
    assert db.session.get(ApiToken, token.id).last_used_at is None
    client.get("/api/v1/units", headers=bearer(clear))
    assert db.session.get(ApiToken, token.id).last_used_at is not None


# ------------------------------------------------------------------- organisations

@pytest.fixture
def other_org(app):
    org = Organisation(name="Altra Cooperativa")
    db.session.add(org)
    db.session.flush()
    person = Person(organisation_id=org.id, first_name="Olga", last_name="Altrove")
    skill = Skill(organisation_id=org.id, code="X-1", name_it="Altro", name_en="Other")
    project = Project(organisation_id=org.id, title="Altrui")
    db.session.add_all([person, skill, project])
    db.session.commit()
    return {"person": person.id, "skill": skill.id, "project": project.id}


def test_ids_of_another_organisation_answer_404(client, users, write, other_org):
    h = bearer(write)
    for path in (f"/api/v1/people/{other_org['person']}",
                 f"/api/v1/taxonomy/skills/{other_org['skill']}",
                 f"/api/v1/projects/{other_org['project']}"):
        resp = client.get(path, headers=h)
        assert resp.status_code == 404, path
        assert resp.mimetype == "application/problem+json"
    assert client.patch(f"/api/v1/people/{other_org['person']}", json={"first_name": "Z"},
                        headers=h).status_code == 404
    anna = users["employee"].person_id
    resp = client.put(f"/api/v1/people/{anna}/skills/{other_org['skill']}", json={"level": 3},
                      headers=h)
    assert resp.status_code == 422 and resp.json["field"] == "skill_id"
    names = [p["last_name"] for p in client.get("/api/v1/people", headers=h).json["items"]]
    assert "Altrove" not in names and "Rossi" in names
    assert db.session.get(Person, other_org["person"]).first_name == "Olga"


# --------------------------------------------------------------------------- paging

def test_walking_the_pages_returns_everyone_once(client, users, read):
    org = users["admin"].organisation_id
    db.session.add_all([Person(organisation_id=org, first_name=f"P{i}", last_name="Lista")
                        for i in range(21)])
    db.session.commit()
    seen, cursor, pages = [], None, 0
    while True:
        resp = client.get("/api/v1/people", query_string={"limit": 4, **(
            {"cursor": cursor} if cursor else {})}, headers=bearer(read))
        assert resp.status_code == 200
        body = resp.json
        assert len(body["items"]) <= 4
        seen += [p["id"] for p in body["items"]]
        pages += 1
        if pages == 2:  # changes while walking: one added at the end, one already seen removed
            db.session.add(Person(organisation_id=org, first_name="Nuova", last_name="Lista"))
            db.session.delete(db.session.get(Person, seen[0]))
            db.session.commit()
        cursor = body["next_cursor"]
        if cursor is None:
            break
    expected = set(db.session.scalars(sa.select(Person.id).where(
        Person.organisation_id == org))) | {seen[0]}
    assert len(seen) == len(set(seen)), "an item came twice"
    assert set(seen) == expected, "an item was missed"
    assert pages == 7  # 4 + 21 + 1 people, 4 a page


def test_a_forged_cursor_is_refused(client, users, read):
    resp = client.get("/api/v1/people?cursor=abc", headers=bearer(read))
    assert resp.status_code == 400 and resp.json["field"] == "cursor"
    units_cursor = None
    org = users["admin"].organisation_id
    db.session.add_all([Unit(organisation_id=org, name=f"U{i}") for i in range(3)])
    db.session.commit()
    units_cursor = client.get("/api/v1/units?limit=1", headers=bearer(read)).json["next_cursor"]
    resp = client.get(f"/api/v1/people?cursor={units_cursor}", headers=bearer(read))
    assert resp.status_code == 400


def test_filters_unit_skill_level_and_updated_since(client, users, taxonomy, read):
    org = users["admin"].organisation_id
    unit = Unit(organisation_id=org, name="Magazzino")
    db.session.add(unit)
    db.session.flush()
    bea = Person(organisation_id=org, first_name="Bea", last_name="Magri", unit_id=unit.id)
    db.session.add(bea)
    db.session.flush()
    db.session.add_all([
        PersonSkill(person_id=bea.id, skill_id=taxonomy["ICT-PY"].id, level=4),
        PersonSkill(person_id=users["employee"].person_id, skill_id=taxonomy["ICT-PY"].id,
                    level=2)])
    db.session.commit()
    h = bearer(read)

    def names(**q):
        return sorted(p["first_name"] for p in client.get(
            "/api/v1/people", query_string=q, headers=h).json["items"])

    assert names(unit=unit.id) == ["Bea"]
    assert names(skill=taxonomy["ICT-PY"].id) == ["Anna", "Bea"]
    assert names(skill=taxonomy["ICT-PY"].id, min_level=3) == ["Bea"]
    later = (utcnow() + timedelta(hours=1)).isoformat()
    assert names(updated_since=later) == []
    db.session.add(SkillChange(person_id=bea.id, skill_id=taxonomy["ICT-PY"].id, kind="level",
                               old_level=3, new_level=4,
                               changed_at=utcnow() + timedelta(hours=2)))
    db.session.commit()
    assert names(updated_since=later) == ["Bea"]


# ----------------------------------------------------------------------------- ETags

def test_etag_answers_304_until_the_data_changes(client, users, read):
    h = bearer(read)
    first = client.get("/api/v1/people", headers=h)
    tag = first.headers["ETag"]
    again = client.get("/api/v1/people", headers={**h, "If-None-Match": tag})
    assert again.status_code == 304 and again.get_data() == b""
    other_query = client.get("/api/v1/people?limit=3", headers={**h, "If-None-Match": tag})
    assert other_query.status_code == 200
    person = db.session.get(Person, users["employee"].person_id)
    person.job_title = "Coordinatrice"
    db.session.commit()
    changed = client.get("/api/v1/people", headers={**h, "If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["ETag"] != tag
    assert "Coordinatrice" in changed.get_data(as_text=True)


# ------------------------------------------------------------------ problem details

@pytest.mark.parametrize("lang, title, detail", [
    ("it", "Alcuni valori non sono validi.", "Inserisci il nome."),
    ("en", "Some values are not valid.", "Enter the first name."),
    ("it-IT,it;q=0.9,en;q=0.5", "Alcuni valori non sono validi.", "Inserisci il nome."),
])
def test_problems_speak_the_callers_language(client, users, write, lang, title, detail):
    resp = client.post("/api/v1/people", json={"first_name": " ", "last_name": "Blu"},
                       headers=bearer(write, lang))
    assert resp.status_code == 422
    assert resp.mimetype == "application/problem+json"
    body = resp.json
    assert (body["status"], body["title"], body["detail"], body["field"]) == (
        422, title, detail, "first_name")
    assert resp.headers["Content-Language"] == lang[:2]


def test_router_and_schema_errors_are_problems_too(client, users, write):
    h = bearer(write, "it")
    missing = client.get("/api/v1/nowhere", headers=h)
    assert missing.status_code == 404 and missing.json["title"] == "Non trovato."
    wrong = client.delete("/api/v1/people", headers=h)
    assert wrong.status_code == 405 and wrong.mimetype == "application/problem+json"
    bad = client.post("/api/v1/people", json={"last_name": "Blu", "extra": 1}, headers=h)
    assert bad.status_code == 422
    assert bad.json["errors"] == {"first_name": ["Campo obbligatorio mancante."],
                                  "extra": ["Campo sconosciuto."]}


# ----------------------------------------------------------------------- the audit

def test_every_call_is_audited_and_people_see_who_read_them(client, users, taxonomy, read):
    anna = users["employee"].person
    project = Project(organisation_id=anna.organisation_id, title="Orto")
    db.session.add(project)
    db.session.flush()
    db.session.add(TeamMember(project_id=project.id, person_id=users["manager"].person_id))
    db.session.commit()
    client.get(f"/api/v1/people/{anna.id}", headers=bearer(read))
    client.get(f"/api/v1/projects/{project.id}", headers=bearer(read))
    client.get("/api/v1/taxonomy/skills", headers=bearer(read))
    calls = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "api.called")
                               .order_by(AuditEvent.id)).all()
    assert [json.loads(c.detail)["path"] for c in calls] == [
        f"/api/v1/people/{anna.id}", f"/api/v1/projects/{project.id}", "/api/v1/taxonomy/skills"]
    assert all(c.actor_id == users["admin"].id for c in calls)
    seen = audit.disclosures_about(anna.id)
    assert [e.action for e, _u in seen] == ["api.read"]
    assert json.loads(seen[0][0].detail)["token"] == "read test"
    assert [e.action for e, _u in audit.disclosures_about(users["manager"].person_id)] == [
        "api.read"]


def test_a_304_discloses_nobody_again(client, users, read):
    anna = users["employee"].person_id
    tag = client.get(f"/api/v1/people/{anna}", headers=bearer(read)).headers["ETag"]
    client.get(f"/api/v1/people/{anna}", headers={**bearer(read), "If-None-Match": tag})
    assert len(audit.disclosures_about(anna)) == 1
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
        AuditEvent.action == "api.called")) == 2


# --------------------------------------------------------------------------- writes

def test_create_and_change_a_person(client, users, write):
    unit = users["admin"].person.unit_id
    resp = client.post("/api/v1/people", json={
        "first_name": "Ugo", "last_name": "Blu", "email": "UGO@test.coop", "unit_id": unit,
        "work_relationship": "socio_lavoratore", "start_date": "2024-03-01"},
        headers=bearer(write))
    assert resp.status_code == 201, resp.json
    pid = resp.json["id"]
    assert resp.json["email"] == "ugo@test.coop"
    person = db.session.get(Person, pid)
    assert (person.first_name, person.unit_id) == ("Ugo", unit)
    resp = client.patch(f"/api/v1/people/{pid}", json={"job_title": "Magazziniere",
                                                       "unit_id": None}, headers=bearer(write))
    assert resp.status_code == 200
    person = db.session.get(Person, pid)
    assert (person.job_title, person.unit_id, person.first_name) == ("Magazziniere", None, "Ugo")
    actions = db.session.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.subject_person_id == pid)).all()
    assert "person.created" in actions and "person.updated" in actions


@pytest.mark.parametrize("body, field, message", [
    ({"first_name": "A", "last_name": "B", "email": "employee@test.coop"}, "email",
     "Another person or account already has this e-mail."),
    ({"first_name": "A", "last_name": "B", "work_relationship": "pirata"}, "work_relationship",
     "Choose a working relationship from the list."),
    ({"first_name": "A", "last_name": "B", "start_date": "2024-05-01", "end_date": "2024-04-01"},
     "end_date", "The end date cannot come before the start date."),
    ({"first_name": "A", "last_name": "B", "unit_id": 999999}, "unit_id",
     "Choose a unit from the list."),
    ({"first_name": "A" * 101, "last_name": "B"}, "first_name",
     "Field cannot be longer than 100 characters."),
    ({"first_name": "A", "last_name": "B", "email": "not-an-email"}, "email",
     "Enter a valid email address."),
])
def test_person_checks_are_the_forms(client, users, write, body, field, message):
    before = db.session.scalar(sa.select(sa.func.count(Person.id)))
    resp = client.post("/api/v1/people", json=body, headers=bearer(write))
    assert resp.status_code == 422
    assert resp.json["errors"][field] == [message]
    assert db.session.scalar(sa.select(sa.func.count(Person.id))) == before


def test_profile_skills_add_change_remove(client, users, taxonomy, write):
    anna = users["employee"].person_id
    sql = taxonomy["ICT-SQL"].id
    url = f"/api/v1/people/{anna}/skills/{sql}"
    added = client.put(url, json={"level": 2, "note": "corso"}, headers=bearer(write))
    assert added.status_code == 201 and added.json["level"] == 2
    version = added.json["version"]
    changed = client.put(url, json={"level": 4, "version": version}, headers=bearer(write))
    assert changed.status_code == 200 and changed.json["level"] == 4
    stale = client.put(url, json={"level": 5, "version": version}, headers=bearer(write))
    assert stale.status_code == 409
    assert db.session.scalar(sa.select(PersonSkill.level).where(
        PersonSkill.person_id == anna, PersonSkill.skill_id == sql)) == 4
    person = client.get(f"/api/v1/people/{anna}", headers=bearer(write)).json
    assert [(s["skill_code"], s["level"]) for s in person["skills"]] == [("ICT-SQL", 4)]
    assert client.delete(url, headers=bearer(write)).status_code == 204
    assert client.delete(url, headers=bearer(write)).status_code == 404
    kinds = db.session.scalars(sa.select(SkillChange.kind).where(
        SkillChange.person_id == anna).order_by(SkillChange.id)).all()
    assert kinds == ["added", "level", "note", "removed"]


@pytest.mark.parametrize("body, field, message", [
    ({"level": 0}, "level", "Scegli un livello da 1 a 5, oppure segna che vuoi imparare "
                            "questa competenza."),
    ({"level": 9}, "level", "Scegli un livello da 1 a 5."),
])
def test_profile_skill_checks_are_the_forms(client, users, taxonomy, write, body, field,
                                            message):
    anna = users["employee"].person_id
    resp = client.put(f"/api/v1/people/{anna}/skills/{taxonomy['ICT-NET'].id}", json=body,
                      headers=bearer(write, "it"))
    assert resp.status_code == 422
    assert resp.json["errors"][field] == [message]
    assert not db.session.scalar(sa.select(PersonSkill.id).where(PersonSkill.person_id == anna))


# ------------------------------------------------------------- pages and commands

def test_admin_creates_a_token_shown_once_and_revokes_it(client, auth, users):
    auth.login("admin")
    token = csrf_token(client, "/admin/api-tokens")
    resp = client.post("/admin/api-tokens", data={"csrf_token": token, "name": "Paghe",
                                                  "scope": "write", "expires_days": "30"})
    html = resp.get_data(as_text=True)
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.name == "Paghe"))
    clear = html.split('id="token-text"')[1].split('value="')[1].split('"')[0]
    assert row.scope == "write" and row.token_hash == api_tokens.hash_token(clear)
    assert clear not in client.get("/admin/api-tokens").get_data(as_text=True)
    assert client.get("/api/v1/units", headers=bearer(clear)).status_code == 200
    token = csrf_token(client, "/admin/api-tokens")
    client.post(f"/admin/api-tokens/{row.id}/revoke", data={"csrf_token": token})
    assert client.get("/api/v1/units", headers=bearer(clear)).status_code == 401


def test_token_pages_need_csrf_and_an_admin(client, auth, users):
    auth.login("admin")
    resp = client.post("/admin/api-tokens", data={"name": "X", "scope": "read"})
    assert resp.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(ApiToken.id))) == 0
    auth.logout()
    auth.login("manager")
    assert client.get("/admin/api-tokens").status_code == 403


def test_cli_creates_lists_and_revokes(runner, users, client, app):
    app.config["ORGANISATION_NAME"] = users["admin"].organisation.name
    out = runner.invoke(args=["api-token", "create", "--name", "Paghe", "--scope", "read",
                              "--expires", "10"])
    assert out.exit_code == 0, out.output
    clear = out.output.strip().splitlines()[-1]
    assert client.get("/api/v1/units", headers=bearer(clear)).status_code == 200
    listed = runner.invoke(args=["api-token", "list"]).output
    assert "Paghe" in listed and "active" in listed and clear not in listed
    token_id = listed.split("\t")[0]
    assert runner.invoke(args=["api-token", "revoke", token_id]).exit_code == 0
    assert client.get("/api/v1/units", headers=bearer(clear)).status_code == 401
    assert "revoked" in runner.invoke(args=["api-token", "list"]).output


def test_openapi_document_and_reference_page(client, auth, users):
    doc = client.get("/api/v1/openapi.json")
    assert doc.status_code == 200 and doc.json["openapi"] == "3.1.0"
    assert "/api/v1/people/{person_id}/skills/{skill_id}" in doc.json["paths"]
    assert client.get("/api/v1/docs").status_code == 302  # sign in first
    auth.login("admin")
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "GET /api/v1/people" in page and "PersonOut" in page
    assert "<script" not in page.split("</main>")[0].split('<main')[1]


def test_api_answers_carry_the_security_headers_and_no_cors(client, users, read):
    resp = client.get("/api/v1/units", headers={**bearer(read), "Origin": "https://evil.test"})
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in resp.headers
    assert "Access-Control-Allow-Origin" not in resp.headers
    assert "Set-Cookie" not in resp.headers


def test_a_read_call_writes_only_its_audit_rows_and_the_tokens_last_use(app, client, users,
                                                                        read):
    """Like a page view, a GET writes the audit trail of who saw whom, nothing else (and the
    token's last use, at most once a minute, in the same commit)."""
    import re

    writes = []

    def watch(conn, cursor, statement, params, context, executemany):
        if re.match(r"\s*(INSERT|UPDATE|DELETE)\b", statement, re.I):
            writes.append(re.search(r"(?:INTO|UPDATE|FROM)\s+\"?(\w+)", statement, re.I)[1])

    sa.event.listen(db.engine, "before_cursor_execute", watch)
    try:
        for _ in range(2):
            for path in ("/api/v1/people", f"/api/v1/people/{users['employee'].person_id}",
                         "/api/v1/projects", "/api/v1/units"):
                assert client.get(path, headers=bearer(read)).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", watch)
    assert set(writes) == {"audit_event", "api_token"}
    assert writes.count("api_token") == 1  # the last use, once a minute
