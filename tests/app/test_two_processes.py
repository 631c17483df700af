"""Two web server processes on one database give the same answer right after an edit.

Each gunicorn process keeps its own in-memory caches (the engine model behind
"who could back up this person"); they are keyed by the organisation's data
version only, so an edit made through one process is seen by the other at once.
"""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
from pathlib import Path

import pytest

from skillmap import create_app
from skillmap.extensions import db
from skillmap.models import Organisation, Person, PersonSkill, Skill, SkillArea, User
import sqlalchemy as sa
from tests.conftest import PASSWORD, scratch_database_url
from tests.web.test_concurrency import Tab, sign_in

GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_up(base: str, proc: subprocess.Popen) -> None:
    for _ in range(300):
        if proc.poll() is not None:
            raise RuntimeError(f"the server at {base} exited with {proc.returncode}")
        try:
            if Tab(base).open("/login")[0] == 200:
                return
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the server at {base} did not start")


@pytest.fixture
def two_servers(tmp_path):
    from flask_migrate import upgrade

    db_url = scratch_database_url("twoproc", tmp_path)
    queue_url = f"sqlite:///{tmp_path / 'queue.sqlite'}"
    app = create_app({"SECRET_KEY": "two", "SQLALCHEMY_DATABASE_URI": db_url,
                      "QUEUE_URL": queue_url, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    ctx = app.app_context()
    ctx.push()
    upgrade()
    org = Organisation(name="Cooperativa Due")
    db.session.add(org)
    db.session.flush()
    area = SkillArea(organisation_id=org.id, code="A", name_it="Area", name_en="Area")
    db.session.add(area)
    db.session.flush()
    skills = [Skill(organisation_id=org.id, area_id=area.id, code=f"S{i}",
                    name_it=f"Competenza {i}", name_en=f"Skill {i}") for i in range(10)]
    db.session.add_all(skills)
    db.session.flush()
    people = []
    for i in range(12):
        p = Person(organisation_id=org.id, first_name=f"Collega{i}", last_name="Prova")
        db.session.add(p)
        db.session.flush()
        held = range(0, 4) if i < 6 else range(4, 10)   # two trades
        db.session.add_all(PersonSkill(person_id=p.id, skill_id=skills[s].id, level=3)
                           for s in held)
        people.append(p)
    anna = Person(organisation_id=org.id, first_name="Anna", last_name="Rossi")
    db.session.add(anna)
    db.session.flush()
    db.session.add(PersonSkill(person_id=anna.id, skill_id=skills[0].id, level=3))
    for role, email, person in (("employee", "anna@due.coop", anna),
                                ("manager", "hr@due.coop", None)):
        user = User(organisation_id=org.id, email=email, role=role, person=person)
        user.set_password(PASSWORD)
        db.session.add(user)
    db.session.commit()
    env = {**os.environ, "SKILLMAP_DATABASE_URL": db_url, "SKILLMAP_SECRET_KEY": "two",
           "SKILLMAP_QUEUE_URL": queue_url, "SKILLMAP_ORGANISATION_NAME": "Cooperativa Due"}
    procs, bases = [], []
    for _ in range(2):
        port = _free_port()
        procs.append(subprocess.Popen(
            [GUNICORN, "-w", "1", "-b", f"127.0.0.1:{port}", "skillmap:create_app()"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        bases.append(f"http://127.0.0.1:{port}")
    try:
        for base, proc in zip(bases, procs):
            _wait_up(base, proc)
        yield {"bases": bases, "anna": anna.id, "skills": [s.id for s in skills]}
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        db.session.remove()
        db.engine.dispose()
        ctx.pop()


def _backups(tab: Tab, person_id: int) -> str:
    status, html = tab.open(f"/people/{person_id}")
    assert status == 200, status
    section = re.search(r'<section[^>]*id="backups".*?</section>', html, re.S).group(0)
    return re.sub(r"\s+", " ", section)


def test_an_edit_through_one_process_shows_at_once_in_the_other(two_servers):
    a, b = two_servers["bases"]
    anna, skills = two_servers["anna"], two_servers["skills"]
    managers = [sign_in(base, "hr@due.coop") for base in (a, b)]
    before = [_backups(m, anna) for m in managers]   # each process builds its model
    assert before[0] == before[1] and "Collega0" in before[0]
    employee = sign_in(a, "anna@due.coop")
    for sid in skills[4:10]:                           # Anna adds the other trade's six skills
        add = f"/profile/skills/add?skill={sid}"
        status, _ = employee.open("/profile/skills/add", {
            "skill_id": sid, "level": 4, "last_used_year": 2025, "note": "",
            "csrf_token": employee.token(add)})
        assert status == 302
    for _round in range(3):
        after = [_backups(m, anna) for m in (managers[1], managers[0])]
        assert after[0] == after[1] != before[0]
        assert "Collega6" in after[0]   # now the other trade backs her up best


def _matrix(tab: Tab, query: str = "") -> tuple[str, bool]:
    """The matrix table's text and whether the page says it is behind the data."""
    status, html = tab.open("/reports/matrix" + query)
    assert status == 200, status
    table = re.search(r'<table[^>]*heatmap.*?</table>', html, re.S).group(0)
    return re.sub(r"\s+", " ", table), "report-behind" in html


def _run_snapshot_job(org_id: int) -> None:
    """What the queue consumer does: the reports job, here in the test process."""
    from skillmap.models import Job
    from skillmap.services import jobs, report_snapshots

    db.session.commit()
    queued = db.session.scalar(sa.select(Job.id).where(
        Job.organisation_id == org_id, Job.kind == report_snapshots.JOB_KIND,
        Job.state == "queued"))
    if queued is None:
        queued = report_snapshots.request(org_id, origin="test", delay=0)[0].id
        db.session.info.pop(jobs.PENDING, None)
        db.session.commit()
    assert jobs.run(queued) == "done"
    db.session.expire_all()


def test_both_processes_serve_the_same_report_snapshot_and_say_when_it_is_behind(two_servers):
    from flask import current_app

    a, b = two_servers["bases"]
    org_id = db.session.scalar(sa.select(Organisation.id))
    current_app.config["REPORT_SNAPSHOTS"] = True
    _run_snapshot_job(org_id)
    managers = [sign_in(base, "hr@due.coop") for base in (a, b)]
    first = [_matrix(m) for m in managers]
    assert first[0] == first[1] and not first[0][1]
    area = db.session.scalar(sa.select(SkillArea.id))
    first_area = [_matrix(m, f"?area={area}") for m in managers]   # a filtered view

    employee = sign_in(a, "anna@due.coop")     # Anna adds five skills at level 5
    for sid in two_servers["skills"][5:10]:
        add = f"/profile/skills/add?skill={sid}"
        status, _ = employee.open("/profile/skills/add", {
            "skill_id": sid, "level": 5, "last_used_year": 2025, "note": "",
            "csrf_token": employee.token(add)})
        assert status == 302
    # right after the edit both processes show the same snapshot and say it is behind;
    # both give the same current figures on request
    behind = [_matrix(m) for m in (managers[1], managers[0])]
    assert behind[0] == behind[1] == (first[0][0], True)
    fresh = [_matrix(m, "?fresh=1") for m in managers]
    assert fresh[0] == fresh[1] and fresh[0][0] != first[0][0] and not fresh[0][1]
    # filtered views are computed at the current version: new at once in both
    by_area = [_matrix(m, f"?area={area}") for m in (managers[1], managers[0])]
    assert by_area[0] == by_area[1] != first_area[0] and not by_area[0][1]

    _run_snapshot_job(org_id)                  # the consumer catches up
    after = [_matrix(m) for m in managers]
    assert after[0] == after[1] == (fresh[0][0], False)
