"""The HR API's training resources: the course catalogue, training records (paging,
filters, today's status by the register's rule, audit of the people shown), and writes
through HR's form service with its messages; ETags that move with the training data."""
from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from skillmap import clock
from skillmap.engine.training import status_on
from skillmap.extensions import db
from skillmap.models import (
    AuditEvent,
    Organisation,
    Person,
    PersonSkill,
    TrainingCourse,
    TrainingRecord,
)
from skillmap.services import audit, training_files, training_status
from tests.web.test_api import bearer, make_token

TODAY = clock.today()
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def files_dir(app, tmp_path):
    app.config["TRAINING_FILES_DIR"] = str(tmp_path / "certificates")
    return tmp_path / "certificates"


@pytest.fixture
def read(users):
    return make_token(users, "read")[1]


@pytest.fixture
def write(users):
    return make_token(users, "write")[1]


@pytest.fixture
def register(app, org, users, taxonomy):
    """Three courses (one never expires, one linked to a skill, one retired) and records
    on both sides of every status boundary."""
    window = training_status.window_days()
    gen = TrainingCourse(organisation_id=org.id, code="SIC-GEN", name_it="Formazione generale",
                         name_en="General training", hours_first=4)
    ps = TrainingCourse(organisation_id=org.id, code="PS-BC", name_it="Primo soccorso",
                        name_en="First aid", hours_first=12, hours_renewal=4,
                        validity_months=36, safety_role="first_aid",
                        skill_id=taxonomy["CARE-FIRST"].id)
    old = TrainingCourse(organisation_id=org.id, code="OLD", name_it="Vecchio", name_en="Old",
                         active=False)
    db.session.add_all([gen, ps, old])
    db.session.flush()
    anna, bruno = users["employee"].person_id, users["coordinator"].person_id
    manager = users["manager"].person_id

    def rec(person, course, expires, **kw):
        row = TrainingRecord(organisation_id=org.id, person_id=person, course_id=course.id,
                             completed_on=date(2024, 1, 10), expires_on=expires, hours=4, **kw)
        db.session.add(row)
        return row

    records = {
        "never": rec(anna, gen, None),                                   # valid
        "far": rec(bruno, ps, TODAY + timedelta(days=window + 1)),      # valid
        "edge": rec(anna, ps, TODAY + timedelta(days=window)),          # expiring
        "today": rec(manager, ps, TODAY),                               # expiring
        "past": rec(bruno, ps, TODAY - timedelta(days=1)),              # expired
    }
    db.session.commit()
    return {"gen": gen.id, "ps": ps.id, "old": old.id,
            **{k: r.id for k, r in records.items()}}


@pytest.fixture
def other_org(app):
    org = Organisation(name="Altra Cooperativa")
    db.session.add(org)
    db.session.flush()
    person = Person(organisation_id=org.id, first_name="Olga", last_name="Altrove")
    course = TrainingCourse(organisation_id=org.id, code="SIC-GEN", name_it="Generale",
                            name_en="General")
    db.session.add_all([person, course])
    db.session.flush()
    record = TrainingRecord(organisation_id=org.id, person_id=person.id, course_id=course.id,
                            completed_on=date(2024, 1, 1))
    db.session.add(record)
    db.session.commit()
    return {"person": person.id, "course": course.id, "record": record.id}


def walk(client, path, token, limit=2):
    """Every item of a paged list, page by page."""
    items, cursor, pages = [], None, 0
    while True:
        query = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        sep = "&" if "?" in path else "?"
        resp = client.get(path + sep + "&".join(f"{k}={v}" for k, v in query.items()),
                          headers=bearer(token))
        assert resp.status_code == 200, resp.json
        items += resp.json["items"]
        pages += 1
        cursor = resp.json["next_cursor"]
        if cursor is None:
            return items, pages


# ---------------------------------------------------------------------------- reading

def test_the_catalogue_lists_every_course_with_retired_ones_marked(client, register, read):
    items, pages = walk(client, "/api/v1/training/courses", read)
    assert pages == 2
    by_code = {c["code"]: c for c in items}
    assert set(by_code) == {"SIC-GEN", "PS-BC", "OLD"}
    assert by_code["OLD"]["active"] is False
    assert by_code["PS-BC"]["validity_months"] == 36
    assert by_code["PS-BC"]["safety_role"] == "first_aid"
    assert by_code["SIC-GEN"]["validity_months"] is None


def test_records_page_by_id_without_gaps_or_repeats(client, register, read):
    items, pages = walk(client, "/api/v1/training/records", read)
    ids = [r["id"] for r in items]
    assert ids == sorted(ids) and len(ids) == len(set(ids)) == 5 and pages == 3
    one = next(r for r in items if r["id"] == register["edge"])
    assert one["course_code"] == "PS-BC" and one["first_name"] == "Anna"
    assert one["has_certificate"] is False


def test_a_cursor_of_another_list_is_refused(client, register, read):
    cursor = client.get("/api/v1/training/courses?limit=1",
                        headers=bearer(read)).json["next_cursor"]
    resp = client.get(f"/api/v1/training/records?cursor={cursor}", headers=bearer(read))
    assert resp.status_code == 400 and resp.json["field"] == "cursor"


@pytest.mark.parametrize("status, names", [("valid", {"never", "far"}),
                                           ("expiring", {"edge", "today"}),
                                           ("expired", {"past"})])
def test_the_status_filter_follows_the_registers_rule(client, register, read, status, names):
    resp = client.get(f"/api/v1/training/records?status={status}", headers=bearer(read))
    assert resp.status_code == 200
    assert {r["id"] for r in resp.json["items"]} == {register[n] for n in names}
    window = training_status.window_days()
    for item in resp.json["items"]:
        expires = date.fromisoformat(item["expires_on"]) if item["expires_on"] else None
        assert item["status"] == status == status_on(expires, TODAY, window)


def test_person_course_and_updated_since_filters(client, users, register, read):
    anna = users["employee"].person_id
    h = bearer(read)
    got = client.get(f"/api/v1/training/records?person={anna}", headers=h).json["items"]
    assert {r["id"] for r in got} == {register["never"], register["edge"]}
    got = client.get(f"/api/v1/training/records?course={register['gen']}", headers=h).json
    assert [r["id"] for r in got["items"]] == [register["never"]]
    got = client.get(f"/api/v1/training/records?person={anna}&course={register['ps']}"
                     "&status=expiring", headers=h).json["items"]
    assert [r["id"] for r in got] == [register["edge"]]
    old = db.session.get(TrainingRecord, register["past"])
    old.created_at = datetime(2020, 1, 1, tzinfo=timezone.utc)
    db.session.commit()
    got = client.get("/api/v1/training/records?updated_since=2021-01-01T00:00:00Z",
                     headers=h).json["items"]
    assert register["past"] not in {r["id"] for r in got} and len(got) == 4
    bad = client.get("/api/v1/training/records?status=missing", headers=bearer(read, "it"))
    assert bad.status_code == 422 and "status" in bad.json["errors"]


def test_ids_of_another_organisation_answer_404(client, users, register, write, other_org):
    h = bearer(write)
    assert client.get(f"/api/v1/training/records/{other_org['record']}",
                      headers=h).status_code == 404
    assert client.delete(f"/api/v1/training/records/{other_org['record']}",
                         headers=h).status_code == 404
    assert db.session.get(TrainingRecord, other_org["record"]) is not None
    listed = client.get("/api/v1/training/records?limit=200", headers=h).json["items"]
    assert other_org["record"] not in {r["id"] for r in listed}
    courses = client.get("/api/v1/training/courses", headers=h).json["items"]
    assert other_org["course"] not in {c["id"] for c in courses}
    # nor can a write reach them
    resp = client.post("/api/v1/training/records", headers=h, json={
        "person_id": other_org["person"], "course_id": register["gen"],
        "completed_on": "2025-01-01"})
    assert resp.status_code == 422 and resp.json["field"] == "person_id"
    resp = client.post("/api/v1/training/records", headers=h, json={
        "person_id": users["employee"].person_id, "course_id": other_org["course"],
        "completed_on": "2025-01-01"})
    assert resp.status_code == 422 and resp.json["field"] == "course_id"
    assert db.session.scalar(sa.select(sa.func.count(TrainingRecord.id)).where(
        TrainingRecord.person_id == other_org["person"])) == 1


# ------------------------------------------------------------------------------ audit

def test_records_shown_are_disclosed_to_the_people_once_per_call(client, users, register,
                                                                 read):
    anna, bruno = users["employee"].person_id, users["coordinator"].person_id
    client.get("/api/v1/training/records", headers=bearer(read))
    seen = audit.disclosures_about(anna)
    assert [e.action for e, _u in seen] == ["api.read"]
    assert json.loads(seen[0][0].detail) == {"via": "api", "token": "read test",
                                             "what": "training records"}
    assert seen[0][0].actor_id == users["admin"].id
    tag = client.get(f"/api/v1/training/records/{register['far']}",
                     headers=bearer(read)).headers["ETag"]
    assert len(audit.disclosures_about(bruno)) == 2
    client.get(f"/api/v1/training/records/{register['far']}",
               headers={**bearer(read), "If-None-Match": tag})
    assert len(audit.disclosures_about(bruno)) == 2  # a 304 shows nothing again
    # the catalogue names nobody
    client.get("/api/v1/training/courses", headers=bearer(read))
    assert len(audit.disclosures_about(anna)) == 1
    paths = [json.loads(e.detail)["path"] for e in db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "api.called").order_by(AuditEvent.id))]
    assert paths == ["/api/v1/training/records", f"/api/v1/training/records/{register['far']}",
                     f"/api/v1/training/records/{register['far']}", "/api/v1/training/courses"]


# ---------------------------------------------------------------------------- writing

def test_a_read_token_cannot_record_or_delete(client, users, register, read):
    before = db.session.scalar(sa.select(sa.func.count(TrainingRecord.id)))
    resp = client.post("/api/v1/training/records", headers=bearer(read), json={
        "person_id": users["employee"].person_id, "course_id": register["gen"],
        "completed_on": "2025-01-01"})
    assert resp.status_code == 403 and resp.mimetype == "application/problem+json"
    assert client.delete(f"/api/v1/training/records/{register['never']}",
                         headers=bearer(read)).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(TrainingRecord.id))) == before


def test_recording_a_course_works_as_the_form(client, users, taxonomy, register, write):
    anna = users["employee"].person_id
    resp = client.post("/api/v1/training/records", headers=bearer(write), json={
        "person_id": anna, "course_id": register["ps"], "completed_on": "2025-03-01",
        "provider": " Croce Verde ", "certificate_number": "PS-1"})
    assert resp.status_code == 201, resp.json
    body = resp.json
    assert body["expires_on"] == "2028-03-01" and body["hours"] == 12  # the course's hours
    assert body["provider"] == "Croce Verde" and body["has_certificate"] is False
    row = db.session.get(TrainingRecord, body["id"])
    assert row.created_by_id == users["admin"].id and row.person_id == anna
    # the linked skill comes into the profile, as with the form
    ps = db.session.scalar(sa.select(PersonSkill).where(
        PersonSkill.person_id == anna, PersonSkill.skill_id == taxonomy["CARE-FIRST"].id))
    assert ps is not None and ps.evidence_expires_on == date(2028, 3, 1)
    got = client.get(f"/api/v1/training/records/{body['id']}", headers=bearer(write)).json
    assert got == body


@pytest.mark.parametrize("lang, change, field, message", [
    ("it", {"completed_on": (TODAY + timedelta(days=1)).isoformat()}, "completed_on",
     "La data di completamento non può essere nel futuro."),
    ("en", {"completed_on": (TODAY + timedelta(days=1)).isoformat()}, "completed_on",
     "The date of completion cannot be in the future."),
    ("it", {"hours": 2001}, "hours", "Le ore devono essere tra 0 e 2000."),
    ("en", {"hours": -1}, "hours", "Hours must be between 0 and 2000."),
    ("it", {"course_id": "old"}, "course_id", "Scegli un corso dell'elenco."),
    ("en", {"course_id": 0}, "course_id", "Choose a course of the list."),
    ("it", {"course_id": None}, "course_id", "Scegli un corso."),
    ("it", {"completed_on": None}, "completed_on", "Inserisci la data di completamento."),
    ("en", {"completed_on": None}, "completed_on", "Enter the date of completion."),
    ("it", {"person_id": None}, "person_id", "Campo obbligatorio mancante."),
    ("it", {"provider": "x" * 201}, "provider", "Il campo non può superare i 200 caratteri."),
])
def test_refusals_carry_the_forms_messages_in_the_callers_language(
        client, users, register, write, lang, change, field, message):
    body = {"person_id": users["employee"].person_id, "course_id": register["gen"],
            "completed_on": "2025-01-01"}
    for key, value in change.items():
        if value is None:
            body.pop(key)
        else:
            body[key] = register[value] if value == "old" else value
    before = db.session.scalar(sa.select(sa.func.count(TrainingRecord.id)))
    resp = client.post("/api/v1/training/records", headers=bearer(write, lang), json=body)
    assert resp.status_code == 422, resp.json
    assert resp.mimetype == "application/problem+json"
    assert resp.json["errors"][field] == [message], resp.json
    assert db.session.scalar(sa.select(sa.func.count(TrainingRecord.id))) == before


def test_a_completion_dated_tomorrow_is_accepted_once_the_day_has_come(
        client, users, register, write, monkeypatch):
    """The validator asks skillmap.clock for the day, as the statuses do (see the ETag test)."""
    tomorrow = TODAY + timedelta(days=1)
    body = {"person_id": users["employee"].person_id, "course_id": register["gen"],
            "completed_on": tomorrow.isoformat()}
    assert client.post("/api/v1/training/records", headers=bearer(write),
                       json=body).status_code == 422
    monkeypatch.setattr(clock, "today", lambda: tomorrow)
    resp = client.post("/api/v1/training/records", headers=bearer(write), json=body)
    assert resp.status_code == 201, resp.json


def test_deleting_a_record_removes_its_certificate(client, register, write, files_dir):
    key, ftype = training_files.store(PDF)
    row = db.session.get(TrainingRecord, register["past"])
    row.file_key, row.file_type = key, ftype
    db.session.commit()
    assert client.get(f"/api/v1/training/records/{register['past']}",
                      headers=bearer(write)).json["has_certificate"] is True
    path = training_files.path_of(key)
    assert path is not None and path.exists()
    resp = client.delete(f"/api/v1/training/records/{register['past']}", headers=bearer(write))
    assert resp.status_code == 204
    db.session.expire_all()
    assert db.session.get(TrainingRecord, register["past"]) is None
    assert not path.exists()
    assert client.delete(f"/api/v1/training/records/{register['past']}",
                         headers=bearer(write)).status_code == 404


# ------------------------------------------------------------------------------ ETags

def test_etags_move_when_training_data_changes(client, users, register, write):
    h = bearer(write)
    tags = {p: client.get(p, headers=h).headers["ETag"]
            for p in ("/api/v1/training/records", "/api/v1/training/courses",
                      f"/api/v1/training/records/{register['never']}")}
    for path, tag in tags.items():
        assert client.get(path, headers={**h, "If-None-Match": tag}).status_code == 304
    # a record added through the API
    client.post("/api/v1/training/records", headers=h, json={
        "person_id": users["manager"].person_id, "course_id": register["gen"],
        "completed_on": "2025-01-01"})
    resp = client.get("/api/v1/training/records",
                      headers={**h, "If-None-Match": tags["/api/v1/training/records"]})
    assert resp.status_code == 200 and len(resp.json["items"]) == 6
    # a course corrected by an admin (through the ORM, not the API)
    tag = client.get("/api/v1/training/courses", headers=h).headers["ETag"]
    db.session.get(TrainingCourse, register["gen"]).name_en = "General safety training"
    db.session.commit()
    resp = client.get("/api/v1/training/courses", headers={**h, "If-None-Match": tag})
    assert resp.status_code == 200
    assert "General safety training" in {c["name_en"] for c in resp.json["items"]}


def test_a_records_etag_moves_with_the_day(client, register, read, monkeypatch):
    """The status is today's (skillmap.clock): tomorrow the same data may be "expired", so a
    new ETag."""
    path = f"/api/v1/training/records/{register['today']}"
    first = client.get(path, headers=bearer(read))
    assert first.json["status"] == "expiring"
    monkeypatch.setattr(clock, "today", lambda: TODAY + timedelta(days=1))
    resp = client.get(path, headers={**bearer(read), "If-None-Match": first.headers["ETag"]})
    assert resp.status_code == 200 and resp.json["status"] == "expired"
