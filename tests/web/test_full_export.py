"""The full export: every table, the organisation's rows only, escaped formulas, access."""
import csv
import io
import os
import zipfile
from datetime import date, timedelta
from html import unescape

import openpyxl

import pytest
import sqlalchemy as sa

from skillmap.extensions import db
from skillmap.models import (AuditEvent, Job, JobTitle, Organisation, Person, PersonSkill,
                             Project, ProjectRequirement, RoleTarget, Skill, SkillArea,
                             SkillChange, SkillProposal, TeamMember, Unit, User, TrainingCourse,
                             TrainingRecord)
from skillmap.services import full_export
from skillmap.services.export_tables import COMMON, TABLES
from tests.conftest import PASSWORD, csrf_token, run_jobs

FORMULA = "=HYPERLINK(\"http://evil.example\",\"clic\")"


@pytest.fixture
def app_config(tmp_path):
    return {"EXPORT_DIR": str(tmp_path / "exports")}


def _fill(org, tag: str, skills=None, with_users=True):
    """Some rows in every exported table for ``org``; names carry ``tag``."""
    unit = Unit(organisation_id=org.id, name=f"Unità {tag}")
    area = SkillArea(organisation_id=org.id, code=f"A-{tag}", name_it=f"Area {tag}",
                     name_en=f"Area {tag}")
    db.session.add_all([unit, area, JobTitle(organisation_id=org.id, name=f"Educatore {tag}")])
    db.session.flush()
    skill = Skill(organisation_id=org.id, code=f"S-{tag}", area_id=area.id,
                  name_it=f"Competenza {tag}", name_en=f"Skill {tag}")
    db.session.add(skill)
    db.session.flush()
    people = [Person(organisation_id=org.id, unit_id=unit.id, first_name=f"P{i}",
                     last_name=tag, email=f"p{i}.{tag.lower()}@x.coop") for i in range(3)]
    db.session.add_all(people)
    db.session.flush()
    user = User(organisation_id=org.id, email=f"u.{tag.lower()}@x.coop", role="employee",
                person=people[0], password_hash="secret-hash-" + tag)
    db.session.add(user)
    db.session.flush()
    for p in people:
        db.session.add(PersonSkill(person_id=p.id, skill_id=skill.id, level=3))
        db.session.add(SkillChange(person_id=p.id, skill_id=skill.id, kind="added",
                                   new_level=3, changed_by_id=user.id))
    project = Project(organisation_id=org.id, title=f"Progetto {tag}")
    db.session.add(project)
    db.session.flush()
    db.session.add_all([
        ProjectRequirement(project_id=project.id, skill_id=skill.id, min_level=2),
        TeamMember(project_id=project.id, person_id=people[1].id),
        RoleTarget(organisation_id=org.id, job_title=f"Educatore {tag}", skill_id=skill.id,
                   min_level=2),
        SkillProposal(organisation_id=org.id, name=f"Proposta {tag}", proposed_by_id=user.id),
        AuditEvent(organisation_id=org.id, actor_id=user.id, action="profile.viewed",
                   detail=f"evento {tag}"),
    ])
    course = TrainingCourse(organisation_id=org.id, code=f"C-{tag}", name_it=f"Corso {tag}",
                            name_en=f"Course {tag}", validity_months=36, skill_id=skill.id)
    db.session.add(course)
    db.session.flush()
    db.session.add(TrainingRecord(organisation_id=org.id, person_id=people[2].id,
                                  course_id=course.id, completed_on=date(2025, 3, 1),
                                  expires_on=date(2028, 3, 1), provider=f"Ente {tag}"))
    db.session.commit()
    return people


@pytest.fixture
def data(org, users):
    people = _fill(org, "Nostra")
    people[2].job_title = FORMULA  # a formula typed into a field
    people[1].first_name = "+39 0471 123456"
    other = Organisation(name="Altra Cooperativa")
    db.session.add(other)
    db.session.commit()
    _fill(other, "ALTRA")
    return {"other": other}


def export_now(client, auth):
    auth.login("admin")
    resp = client.post("/admin/export", data={"csrf_token": csrf_token(client, "/admin/export")})
    assert resp.status_code == 302
    assert run_jobs() >= 1
    job = db.session.scalar(sa.select(Job).where(Job.kind == full_export.KIND))
    assert job.state == "done", job.error
    return job


def test_every_table_with_the_organisations_rows_and_counts(client, auth, org, data):
    job = export_now(client, auth)
    files = full_export.files_of(job)
    with zipfile.ZipFile(files["zip"]) as archive:
        names = set(archive.namelist())
        assert names == {f"{t.name}.csv" for t in TABLES} | {full_export.README_NAME}
        csvs = {t.name: list(csv.reader(io.StringIO(
            archive.read(f"{t.name}.csv").decode("utf-8-sig")))) for t in TABLES}
        readme = archive.read(full_export.README_NAME).decode("utf-8-sig")
    book = openpyxl.load_workbook(files["xlsx"], read_only=True)
    assert book.sheetnames == [t.name for t in TABLES] + ["README"]
    for table in TABLES:
        expected = db.session.scalar(table.count(org.id))
        if table.name == "audit_log":  # the export's own row is written once it is done
            expected -= 1
        assert expected > 0, f"the test data has no {table.name}"
        rows = csvs[table.name]
        assert rows[0] == list(table.columns)
        assert len(rows) - 1 == expected, table.name
        sheet_rows = list(book[table.name].iter_rows(values_only=True))
        assert len(sheet_rows) - 1 == expected, table.name
        # no row of the other cooperative, in any table
        for row in rows[1:]:
            assert not any("ALTRA" in cell or "altra" in cell for cell in row), (table.name, row)
        for col in table.columns:
            assert f"  {col}: " in readme
    # the export's own request is in the audit log it exported
    assert any("export.requested" in row for row in csvs["audit_log"][1:])
    # no secrets
    everything = "".join(",".join(r) for rows in csvs.values() for r in rows)
    assert "secret-hash" not in everything and PASSWORD not in everything
    # counts of the other organisation are its own
    assert all(db.session.scalar(t.count(data["other"].id)) > 0 for t in TABLES)


def test_formulas_are_escaped_in_csv_and_xlsx(client, auth, org, data):
    job = export_now(client, auth)
    files = full_export.files_of(job)
    with zipfile.ZipFile(files["zip"]) as archive:
        people = list(csv.DictReader(io.StringIO(
            archive.read("people.csv").decode("utf-8-sig"))))
    assert "'" + FORMULA in [p["job_title"] for p in people]
    assert "'+39 0471 123456" in [p["first_name"] for p in people]
    assert FORMULA not in [p["job_title"] for p in people]
    book = openpyxl.load_workbook(files["xlsx"])
    sheet = book["people"]
    header = [c.value for c in sheet[1]]
    titles = [row[header.index("job_title")].value for row in sheet.iter_rows(min_row=2)]
    assert "'" + FORMULA in titles
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_every_column_is_described_in_both_languages():
    for table in TABLES:
        for col in table.columns:
            it, en = table.description(col)
            assert it and en and it != en or col in COMMON, (table.name, col)


def test_the_page_shows_progress_and_links_and_the_download_is_audited(client, auth, org, data):
    job = export_now(client, auth)
    page = unescape(client.get("/admin/export").get_data(as_text=True))
    assert "L'esportazione è pronta" in page
    link = f"/admin/export/{job.id}.xlsx"
    assert link in page and f"/admin/export/{job.id}.zip" in page
    resp = client.get(link)
    assert resp.status_code == 200
    assert resp.headers["Content-Disposition"].startswith("attachment")
    assert resp.data[:2] == b"PK"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "export.downloaded")) == 1
    assert db.session.scalar(sa.select(AuditEvent.detail).where(
        AuditEvent.action == "export.created")).startswith(f"job {job.id}: units ")


def test_status_while_queued(client, auth, org, data):
    auth.login("admin")
    client.post("/admin/export", data={"csrf_token": csrf_token(client, "/admin/export")})
    status = client.get("/admin/export/status.json").get_json()
    assert status["state"] == "queued" and status["steps"] == len(TABLES) + 1
    page = unescape(client.get("/admin/export").get_data(as_text=True))
    assert 'id="export-progress"' in page and "Prepara un'esportazione" not in page


@pytest.mark.parametrize("role", ["employee", "coordinator", "manager"])
def test_non_admins_get_403(client, auth, org, data, role):
    job = export_now(client, auth)
    auth.logout()
    auth.login(role)
    assert client.get("/admin/export").status_code == 403
    assert client.get(f"/admin/export/{job.id}.zip").status_code == 403
    resp = client.post("/admin/export", data={"csrf_token": csrf_token(client, "/")})
    assert resp.status_code == 403


def test_an_admin_of_another_organisation_gets_404(client, auth, org, data):
    job = export_now(client, auth)
    auth.logout()
    other_admin = User(organisation_id=data["other"].id, email="admin@altra.coop", role="admin")
    other_admin.set_password(PASSWORD)
    db.session.add(other_admin)
    db.session.commit()
    auth.login("admin@altra.coop")
    for fmt in ("zip", "xlsx"):
        assert client.get(f"/admin/export/{job.id}.{fmt}").status_code == 404
    assert client.get(f"/admin/export/{job.id}.csv").status_code == 404
    assert f"/admin/export/{job.id}." not in client.get("/admin/export").get_data(as_text=True)


def test_old_exports_are_removed_and_no_longer_downloadable(client, auth, app, org, data):
    job = export_now(client, auth)
    files = full_export.files_of(job)
    old = (job.finished_at - timedelta(hours=25)).timestamp()
    for path in files.values():
        os.utime(path, (old, old))
    assert full_export.prune() == 2
    assert not any(p.exists() for p in files.values())
    assert client.get(f"/admin/export/{job.id}.zip").status_code == 404
    assert "rimossa" in client.get("/admin/export").get_data(as_text=True)


def test_files_are_private(client, auth, org, data):
    job = export_now(client, auth)
    for path in full_export.files_of(job).values():
        assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_progress_goes_table_by_table(app, org, data):
    from skillmap.services import jobs

    job, _new = full_export.request(org.id, None)
    db.session.info.pop(jobs.PENDING, None)  # this test runs it itself
    db.session.commit()
    seen = []
    assert jobs.run(job.id, on_step=lambda n, key: seen.append((n, key))) == "done"
    assert seen == [(i + 1, key) for i, key in enumerate(full_export.STEPS)]
    assert [k for _n, k in seen[:-1]] == [f"table:{t.name}" for t in TABLES]


def test_a_second_request_joins_the_waiting_one(client, auth, org, data):
    auth.login("admin")
    for _ in range(2):
        client.post("/admin/export", data={"csrf_token": csrf_token(client, "/admin/export")})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Job).where(
        Job.kind == full_export.KIND)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "export.requested")) == 1
