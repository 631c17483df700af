"""The training register through its pages: deadlines, exports, records, certificates."""
from __future__ import annotations

import io
from datetime import date, timedelta

import openpyxl
import pytest
import sqlalchemy as sa

from skillmap import clock
from skillmap.extensions import db
from skillmap.models import (
    AuditEvent,
    PersonSkill,
    SafetyRoleHolder,
    SkillChange,
    TrainingCourse,
    TrainingRecord,
    TrainingRule,
    UnitCoverage,
)
from skillmap.services import privacy
from skillmap.services.training_catalogue import load_courses

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
TODAY = clock.today()


@pytest.fixture(autouse=True)
def files_dir(app, tmp_path):
    app.config["TRAINING_FILES_DIR"] = str(tmp_path / "certificates")
    return tmp_path / "certificates"


@pytest.fixture
def register(org, users, taxonomy):
    """The shipped catalogue, a rule (everybody: general training; Educatore: first aid
    group B/C), one expired, one expiring record, and a unit minimum of 1 first-aider."""
    load_courses(org)
    db.session.flush()
    courses = {c.code: c for c in db.session.scalars(sa.select(TrainingCourse))}
    courses["PS-BC"].skill_id = taxonomy["CARE-FIRST"].id
    unit = users["employee"].person.unit
    db.session.add_all([
        TrainingRule(organisation_id=org.id, course_id=courses["SIC-GEN"].id),
        TrainingRule(organisation_id=org.id, course_id=courses["PS-BC"].id,
                     job_title="Educatore"),
        UnitCoverage(organisation_id=org.id, unit_id=unit.id, role="first_aid", minimum=1),
        SafetyRoleHolder(person_id=users["employee"].person_id, role="first_aid"),
    ])
    anna, bruno = users["employee"].person, users["coordinator"].person
    db.session.add_all([
        TrainingRecord(organisation_id=org.id, person_id=anna.id, course_id=courses["PS-BC"].id,
                       completed_on=TODAY - timedelta(days=1000),
                       expires_on=TODAY + timedelta(days=20), hours=12),
        TrainingRecord(organisation_id=org.id, person_id=bruno.id,
                       course_id=courses["PS-BC"].id, completed_on=date(2019, 1, 10),
                       expires_on=date(2022, 1, 10), hours=12),
    ])
    db.session.commit()
    return courses


def test_catalogue_loads_once_and_keeps_admin_edits(app, runner, org, register):
    app.config["ORGANISATION_NAME"] = org.name
    course = register["HACCP"]
    course.validity_months = 24  # this Region's rule
    db.session.commit()
    result = runner.invoke(args=["load-training-courses"])
    assert result.exit_code == 0, result.output
    assert "0 added, 13 already there" in result.output
    db.session.expire_all()
    assert db.session.get(TrainingCourse, course.id).validity_months == 24
    assert all(c.source for c in register.values())


@pytest.mark.parametrize("role, status", [("employee", 403), ("coordinator", 403),
                                          ("manager", 200), ("admin", 200)])
def test_deadlines_page_is_for_hr_only(client, auth, register, role, status):
    auth.login(role)
    assert client.get("/training/deadlines").status_code == status
    assert client.get("/training/deadlines/export.csv").status_code == status


def test_deadlines_list_expired_expiring_missing_and_flag_the_unit(client, auth, register):
    auth.login("manager")
    html = client.get("/training/deadlines").get_data(as_text=True)
    assert "Bianchi Bruno" in html and "Scaduto" in html          # expired first aid
    assert "Rossi Anna" in html and "In scadenza" in html         # expires in 20 days
    assert "Mancante" in html                                     # general training never done
    # the only first-aider expires in 20 days: the unit is flagged today
    assert "Sotto il minimo" in html
    # filters: only expired
    html = client.get("/training/deadlines?status=expired").get_data(as_text=True)
    assert "Bianchi Bruno" in html and "Rossi Anna" not in html.split("People and courses")[-1]


def test_coverage_on_a_future_date(client, auth, register):
    auth.login("manager")
    later = (TODAY + timedelta(days=21)).isoformat()
    html = client.get(f"/training/deadlines?on={later}").get_data(as_text=True)
    cover = html.split('id="cover-title"')[1].split("</table>")[0]
    assert "Sotto il minimo" in cover and "<td>0</td>" in cover


def test_csv_export_is_italian_excel_and_xlsx_opens(client, auth, register):
    auth.login("manager")
    resp = client.get("/training/deadlines/export.csv?status=all")
    body = resp.data.decode("utf-8")
    assert body.startswith("\ufeff") and "attachment" in resp.headers["Content-Disposition"]
    assert "Bianchi Bruno;" in body and ";Scaduto;" in body
    resp = client.get("/training/deadlines/export.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(resp.data))
    rows = [[c.value for c in r] for r in book.worksheets[1].iter_rows()]
    assert any("Bianchi Bruno" in r for r in rows)


def test_employee_sees_own_deadline_in_plain_words_on_home(client, auth, register):
    auth.login("employee")
    home = client.get("/").get_data(as_text=True)
    assert "scade tra 20 giorni" in home
    mine = client.get("/training/mine").get_data(as_text=True)
    assert "Chiedi" in mine and "Bianchi" not in mine   # only their own


def _upload(post_form, path, course, data=PDF, name="attestato.pdf", **extra):
    return post_form(path, {"course_id": str(course.id), "completed_on": "2026-01-15",
                            "certificate": (io.BytesIO(data), name), **extra},
                     content_type="multipart/form-data")


def test_recording_a_course_stores_the_file_and_updates_the_skill(
        client, auth, post_form, register, users, taxonomy, files_dir):
    auth.login("coordinator")
    bruno = users["coordinator"].person
    resp = _upload(post_form, "/training/mine", register["PS-BC"], provider="Croce Rossa")
    assert resp.status_code == 302
    record = db.session.scalar(sa.select(TrainingRecord).where(
        TrainingRecord.person_id == bruno.id, TrainingRecord.provider == "Croce Rossa"))
    assert record.expires_on == date(2029, 1, 15) and record.hours == 12
    assert record.file_type == "application/pdf" and len(list(files_dir.iterdir())) == 1
    ps = db.session.scalar(sa.select(PersonSkill).where(PersonSkill.person_id == bruno.id))
    assert ps.skill_id == taxonomy["CARE-FIRST"].id and ps.evidence_expires_on == record.expires_on
    assert db.session.scalar(sa.select(SkillChange.kind).where(SkillChange.person_id == bruno.id))


@pytest.mark.parametrize("data, name", [
    (b"<html>not a pdf</html>", "attestato.pdf"),     # the name lies
    (b"GIF89a" + b"\x00" * 20, "x.png"),
    (b"%PDF-" + b"x" * (64 * 1024), "big.pdf"),          # over the size limit
])
def test_certificates_are_checked_by_content_and_size(
        app, client, auth, post_form, register, data, name, files_dir):
    app.config["TRAINING_FILE_MAX_BYTES"] = 32 * 1024
    auth.login("employee")
    resp = _upload(post_form, "/training/mine", register["SIC-GEN"], data=data, name=name)
    assert resp.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TrainingRecord)) == 2
    assert not files_dir.exists() or not list(files_dir.iterdir())


@pytest.mark.parametrize("who, status", [("employee", 200), ("manager", 200), ("admin", 200),
                                         ("coordinator", 404)])
def test_certificate_is_served_to_the_person_hr_and_admins_only(
        client, auth, post_form, register, who, status):
    auth.login("employee")
    _upload(post_form, "/training/mine", register["SIC-GEN"], data=PNG, name="a.png")
    record = db.session.scalar(sa.select(TrainingRecord).where(TrainingRecord.file_key.is_not(None)))
    auth.logout()
    auth.login(who)
    resp = client.get(f"/training/records/{record.id}/certificate")
    assert resp.status_code == status
    if status == 200:
        assert resp.data == PNG and resp.mimetype == "image/png"


def test_erasure_deletes_the_certificate_file(client, auth, post_form, register, users,
                                              files_dir):
    auth.login("employee")
    _upload(post_form, "/training/mine", register["SIC-GEN"])
    assert len(list(files_dir.iterdir())) == 1
    anna = users["employee"].person
    req = privacy.request_erasure(anna, actor=users["admin"])
    privacy.carry_out_erasure(req, actor=users["admin"])
    assert list(files_dir.iterdir()) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TrainingRecord).where(
        TrainingRecord.course_id == register["SIC-GEN"].id)) == 0


def test_hr_records_for_a_person_and_names_safety_roles(client, auth, post_form, register,
                                                       users):
    auth.login("manager")
    bruno = users["coordinator"].person
    path = f"/training/people/{bruno.id}"
    assert _upload(post_form, path, register["PS-BC"]).status_code == 302
    resp = post_form(path, {"what": "roles", "roles-roles": ["fire", "first_aid"]})
    assert resp.status_code == 302
    roles = set(db.session.scalars(sa.select(SafetyRoleHolder.role).where(
        SafetyRoleHolder.person_id == bruno.id)))
    assert roles == {"fire", "first_aid"}


def test_rules_and_minimums_are_set_by_hr(client, auth, post_form, register, users):
    auth.login("manager")
    unit = users["employee"].person.unit
    resp = post_form("/training/rules", {"what": "rule", "rule-course_id": register["HACCP"].id,
                                         "rule-job_title": "", "rule-work_relationship": "",
                                         "rule-unit_id": unit.id, "rule-safety_role": ""})
    assert resp.status_code == 302
    assert db.session.scalar(sa.select(TrainingRule).where(
        TrainingRule.course_id == register["HACCP"].id)).unit_id == unit.id
    resp = post_form("/training/rules", {"what": "cover", "cover-unit_id": unit.id,
                                         "cover-role": "fire", "cover-minimum": "2"})
    assert resp.status_code == 302
    assert db.session.scalar(sa.select(UnitCoverage.minimum).where(
        UnitCoverage.role == "fire")) == 2
    auth.logout()
    auth.login("employee")
    assert client.get("/training/rules").status_code == 403


def test_admin_edits_a_course(client, auth, post_form, register):
    auth.login("manager")
    assert client.get("/training/courses").status_code == 403
    auth.logout()
    auth.login("admin")
    course = register["HACCP"]
    resp = post_form(f"/training/courses/{course.id}", {
        "name_it": "HACCP alimentaristi", "name_en": "Food hygiene", "legal_basis": "LR",
        "hours_first": "12", "hours_renewal": "", "validity_months": "24", "safety_role": "",
        "skill_id": "0", "aliases": "haccp", "source": "Legge regionale", "active": "y"})
    assert resp.status_code == 302
    db.session.expire_all()
    course = db.session.get(TrainingCourse, course.id)
    assert (course.hours_first, course.validity_months, course.hours_renewal) == (12, 24, None)


def test_searching_antincendio_finds_the_fire_skill(app, client, auth, runner, org, users):
    app.config["ORGANISATION_NAME"] = org.name
    assert runner.invoke(args=["load-taxonomy"]).exit_code == 0
    auth.login("employee")
    html = client.get("/profile/skills/search?q=antincendio").get_data(as_text=True)
    assert "Prevenzione incendi e gestione delle emergenze" in html


def test_profile_skill_certificate_says_expired_in_plain_words(client, auth, users, taxonomy):
    """The old "certificate expiry date" of a profile skill gets the register's words."""
    db.session.add(PersonSkill(person_id=users["employee"].person_id,
                               skill_id=taxonomy["CARE-FIRST"].id, level=3,
                               evidence_expires_on=date(2020, 1, 1)))
    db.session.commit()
    auth.login("employee")
    html = client.get("/profile").get_data(as_text=True)
    assert "Attestato scaduto il 1 gen 2020: rinnovalo." in html


# -- HR seeing people's training is a disclosure: logged, and shown to each person ------

def _training_disclosures():
    return [(e.action, e.actor_id, e.subject_person_id, e.detail) for e in db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action.like("training.%"))
        .order_by(AuditEvent.id))]


def test_hr_opening_a_training_register_is_logged_and_the_person_sees_it(
        client, auth, register, users):
    bruno = users["coordinator"].person
    auth.login("manager")
    page = client.get(f"/training/people/{bruno.id}").get_data(as_text=True)
    assert "La tua visita a questo registro è registrata e Bruno può vederla." in page
    assert _training_disclosures() == [("training.viewed", users["manager"].id, bruno.id, "")]
    auth.logout()
    auth.login("coordinator")
    assert ("Ha aperto il tuo registro della formazione (corsi, attestati e scadenze)"
            in client.get("/profile").get_data(as_text=True))


def test_the_deadlines_list_and_its_downloads_log_everyone_they_name(
        client, auth, register, users):
    auth.login("manager")
    page = client.get("/training/deadlines?status=all").get_data(as_text=True)
    assert "ogni persona che vi compare può vederlo" in page
    named = {users[r].person_id for r in ("employee", "coordinator", "admin")}
    listed = [e for e in _training_disclosures() if e[0] == "training.listed"]
    # one row per person named, none for the manager's own line
    assert sorted(e[2] for e in listed) == sorted(named)
    assert {(e[1], e[3]) for e in listed} == {(users["manager"].id, '{"via": "deadlines"}')}
    before = len(listed)
    client.get("/training/deadlines?status=expired")  # a filter names only Bruno
    assert [e[2] for e in _training_disclosures()[before:]] == [users["coordinator"].person_id]
    before = len(_training_disclosures())
    client.get("/training/deadlines/export.xlsx?status=expired")
    assert _training_disclosures()[before:] == [
        ("training.listed", users["manager"].id, users["coordinator"].person_id,
         '{"via": "xlsx"}')]
    auth.logout()
    auth.login("coordinator")
    who = client.get("/profile").get_data(as_text=True)
    assert "Ti ha visto nell'elenco delle scadenze della formazione" in who
    assert "Ha scaricato l'elenco delle scadenze della formazione, in cui compari" in who


def test_refused_deadline_requests_log_nothing(client, auth, register):
    auth.login("employee")
    assert client.get("/training/deadlines").status_code == 403
    assert client.get("/training/deadlines/export.csv").status_code == 403
    assert _training_disclosures() == []


def test_a_certificate_downloaded_by_hr_is_logged_not_the_persons_own(
        client, auth, post_form, register, users):
    auth.login("employee")
    _upload(post_form, "/training/mine", register["SIC-GEN"], data=PNG, name="a.png")
    record = db.session.scalar(sa.select(TrainingRecord).where(
        TrainingRecord.file_key.is_not(None)))
    assert client.get(f"/training/records/{record.id}/certificate").status_code == 200
    assert _training_disclosures() == []
    auth.logout()
    auth.login("manager")
    assert client.get(f"/training/records/{record.id}/certificate").status_code == 200
    assert _training_disclosures() == [("training.certificate_read", users["manager"].id,
                                        users["employee"].person_id, "")]
    auth.logout()
    auth.login("employee")
    assert "Ha scaricato un tuo attestato di un corso" in client.get("/profile").get_data(
        as_text=True)
