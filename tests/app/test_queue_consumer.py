"""A real queue consumer process (``flask jobs-worker``) on the SQLite storage and on Redis.

The web side (this test) queues a job through the service layer; a consumer
started as its own process runs it and writes its state to the job table.
Killing the consumer with SIGKILL in the middle of a job leaves the job shown
as failed once its heartbeat is older than JOB_DEAD_AFTER, and a new run,
taken by a new consumer, succeeds.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from skillmap import create_app
from skillmap.extensions import db
from skillmap.models import Job, Organisation, Person, PersonSkill, Skill
from skillmap.services import jobs, recompute
from tests.conftest import scratch_database_url

# a Redis database of its own per pytest-xdist worker: each flushes its queue
REDIS_URL = os.environ.get("SKILLMAP_TEST_REDIS_URL", "redis://127.0.0.1:6379/{}".format(
    14 - int(os.environ.get("PYTEST_XDIST_WORKER", "gw0")[2:] or 0) % 8))
FLASK = str(Path(sys.executable).with_name("flask"))
pytestmark = pytest.mark.slow


def redis_available() -> bool:
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except Exception:  # no server: the Redis case is skipped, loudly
        return False
    return True


@pytest.fixture(params=["sqlite-storage", "redis"])
def setup(request, tmp_path):
    if request.param == "redis":
        if not redis_available():
            if os.environ.get("CI") or os.environ.get("SKILLMAP_REQUIRE_REDIS"):
                pytest.fail(f"Redis is not reachable at {REDIS_URL}")
            pytest.skip(f"Redis is not reachable at {REDIS_URL}")
        queue_url = REDIS_URL
    else:
        queue_url = f"sqlite:///{tmp_path / 'queue.sqlite'}"
    db_url = scratch_database_url("consumer", tmp_path)
    config = {"SECRET_KEY": "consumer", "SQLALCHEMY_DATABASE_URI": db_url,
              "QUEUE_URL": queue_url, "JOB_HEARTBEAT": 0.5, "JOB_DEAD_AFTER": 3,
              "AUTO_RECOMPUTE": False}
    app = create_app(config)
    from skillmap import queue

    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        queue.huey.storage.flush_all()
        org = Organisation(name="Cooperativa Consumer")
        db.session.add(org)
        db.session.commit()
        org_id = org.id
        _people(org)
    env = {**os.environ, "SKILLMAP_DATABASE_URL": db_url, "SKILLMAP_QUEUE_URL": queue_url,
           "SKILLMAP_SECRET_KEY": "consumer", "SKILLMAP_JOB_HEARTBEAT": "0.5",
           "SKILLMAP_JOB_DEAD_AFTER": "3"}
    consumers: list[subprocess.Popen] = []

    def start_consumer():
        proc = subprocess.Popen([FLASK, "--app", "skillmap", "jobs-worker", "--workers", "1",
                                 "--no-periodic"], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        consumers.append(proc)
        return proc

    with app.app_context():
        yield app, org_id, start_consumer
        queue.huey.storage.flush_all()
        db.session.remove()
        db.engine.dispose()
    for proc in consumers:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


def _people(org, n_people=1500, n_skills=60):
    """Enough people that reading and grouping them takes a noticeable moment."""
    skills = [Skill(organisation_id=org.id, code=f"S{i}", name_it=f"Competenza {i}",
                    name_en=f"Skill {i}") for i in range(n_skills)]
    db.session.add_all(skills)
    db.session.flush()
    db.session.execute(sa.insert(Person), [
        {"organisation_id": org.id, "first_name": f"P{i}", "last_name": "Prova"}
        for i in range(n_people)])
    ids = list(db.session.scalars(sa.select(Person.id).where(Person.organisation_id == org.id)))
    rows = []
    for k, pid in enumerate(ids):
        group = k % 6
        for j in range(10):
            rows.append({"person_id": pid, "skill_id": skills[(group * 10 + j * 7 + k) % n_skills].id,
                         "level": 1 + (k + j) % 5})
    db.session.execute(sa.insert(PersonSkill), rows)
    db.session.commit()


def _wait(predicate, timeout: float, every: float = 0.005):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    return None


def _job(job_id) -> Job:
    db.session.expire_all()
    return db.session.get(Job, job_id)


def _queue(org_id) -> int:
    job, _new = recompute.request(org_id, origin="web")
    db.session.commit()
    return job.id


def test_a_consumer_process_runs_a_queued_job(setup):
    app, org_id, start_consumer = setup
    job_id = _queue(org_id)
    start_consumer()
    done = _wait(lambda: _job(job_id).state in ("done", "failed"), 60, 0.1)
    job = _job(job_id)
    assert done and job.state == "done", job.error
    assert job.worker and job.step == len(recompute.STEPS)
    assert recompute.family_result(org_id).payload["people"] == 1500


def test_a_killed_consumer_leaves_a_failed_job_and_a_new_run_succeeds(setup):
    app, org_id, start_consumer = setup
    job_id = _queue(org_id)
    consumer = start_consumer()
    assert _wait(lambda: _job(job_id).state == "running", 60), "the consumer never took the job"
    os.kill(consumer.pid, signal.SIGKILL)  # mid-job: reading 15,000 profile rows
    consumer.wait(10)
    job = _job(job_id)
    assert job.state == "running" and job.finished_at is None
    # shown failed within JOB_DEAD_AFTER (3 s here, 45 s by default), without anyone writing
    assert _wait(lambda: jobs.effective_state(_job(job_id)) == "failed", 10, 0.2)
    again = _queue(org_id)
    assert again != job_id and _job(job_id).state == "failed"
    start_consumer()
    assert _wait(lambda: _job(again).state in ("done", "failed"), 60, 0.1)
    assert _job(again).state == "done"
