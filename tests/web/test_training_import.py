"""Past training records come in through the shared import machinery (command and page)."""
import io
from datetime import date

import pytest
import sqlalchemy as sa

from skillmap.extensions import db
from skillmap.models import (
    AuditEvent,
    PersonSkill,
    SkillChange,
    TrainingCourse,
    TrainingRecord,
)
from skillmap.services.training_catalogue import load_courses

GOOD = ("email;corso;data;ore;ente;numero_attestato\r\n"
        "employee@test.coop;PS-BC;15/01/2024;12;Croce Rossa;PS-1\r\n"
        "coordinator@test.coop;Antincendio – livello 2;2023-05-02;;;\r\n")
BAD = GOOD + ("nobody@test.coop;PS-BC;15/01/2024;;;\r\n"
              "manager@test.coop;NOPE;31/02/2024;x;;\r\n")


@pytest.fixture
def catalogue(app, org, users, taxonomy):
    app.config["ORGANISATION_NAME"] = org.name
    load_courses(org)
    db.session.flush()
    db.session.scalar(sa.select(TrainingCourse).where(TrainingCourse.code == "PS-BC")).skill_id = \
        taxonomy["CARE-FIRST"].id
    db.session.commit()


def _records():
    return db.session.scalar(sa.select(sa.func.count()).select_from(TrainingRecord))


def _file(tmp_path, text, name="formazione.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_command_imports_once_and_updates_the_linked_skill(runner, catalogue, users, tmp_path):
    path = _file(tmp_path, GOOD)
    result = runner.invoke(args=["import-training", path])
    assert result.exit_code == 0, result.output
    assert _records() == 2
    rec = db.session.scalar(sa.select(TrainingRecord).where(TrainingRecord.provider == "Croce Rossa"))
    assert rec.completed_on == date(2024, 1, 15) and rec.expires_on == date(2027, 1, 15)
    ps = db.session.scalar(sa.select(PersonSkill).where(
        PersonSkill.person_id == users["employee"].person_id))
    assert ps.evidence_expires_on == date(2027, 1, 15)
    assert db.session.scalar(sa.select(SkillChange.source)) == "import"
    assert db.session.scalar(sa.select(AuditEvent.action).where(
        AuditEvent.action == "import.training"))
    again = runner.invoke(args=["import-training", path])
    assert again.exit_code == 0 and "0 nuovi, 0 modificati, 2 invariati" in again.output
    assert _records() == 2


def test_invalid_file_writes_nothing_and_names_rows(runner, catalogue, tmp_path):
    result = runner.invoke(args=["import-training", _file(tmp_path, BAD)])
    assert result.exit_code == 1
    assert "riga 4" in result.output and "riga 5" in result.output
    assert _records() == 0
    result = runner.invoke(args=["import-training", "--only-valid", _file(tmp_path, BAD)])
    assert result.exit_code == 0 and _records() == 2


def test_dry_run_and_unreadable_file(runner, catalogue, tmp_path):
    assert runner.invoke(args=["import-training", "--dry-run", _file(tmp_path, GOOD)]
                         ).exit_code == 0
    assert _records() == 0
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"not a spreadsheet")
    assert runner.invoke(args=["import-training", str(path)]).exit_code == 2


def test_page_upload_preview_confirm(client, auth, catalogue, post_form):
    auth.login("manager")
    resp = post_form("/training/import", {"file": (io.BytesIO(GOOD.encode()), "f.csv")},
                     content_type="multipart/form-data")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and _records() == 0
    token = html.split('name="token" value="')[1].split('"')[0]
    resp = post_form("/training/import/confirm", {"token": token}, page="/training/import")
    assert resp.status_code == 302 and _records() == 2
    auth.logout()
    auth.login("employee")
    assert client.get("/training/import").status_code == 403
