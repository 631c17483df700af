"""The Server-Timing header: how long the app and its SQL took, and nothing else."""
from __future__ import annotations

import re

from skillmap import create_app
from tests.conftest import give

TIMING = re.compile(r'^app;dur=(\d+\.\d), db;dur=(\d+\.\d);desc="(\d+) queries"$')


def test_every_response_says_its_server_time(client, auth, users, taxonomy):
    give(users["employee"].person, taxonomy, {"CARE-HOME": 3})
    auth.login("employee")
    resp = client.get("/profile")
    assert resp.status_code == 200
    match = TIMING.match(resp.headers["Server-Timing"])
    assert match, resp.headers["Server-Timing"]
    app_ms, db_ms, queries = float(match[1]), float(match[2]), int(match[3])
    assert queries >= 3   # the user, their person, their skills at least
    assert 0 < db_ms <= app_ms


def test_pages_without_sql_count_none(client):
    resp = client.get("/login")
    match = TIMING.match(resp.headers["Server-Timing"])
    assert match and int(match[3]) == 0 and float(match[2]) == 0


def test_redirects_and_errors_carry_it_too(client, auth, users):
    assert "Server-Timing" in client.get("/profile").headers   # redirect to the login page
    auth.login("employee")
    assert "Server-Timing" in client.get("/profile/skills/999999/edit").headers   # 404


def test_it_can_be_turned_off(database_url):
    app = create_app({"SECRET_KEY": "t", "SQLALCHEMY_DATABASE_URI": database_url,
                      "QUEUE_URL": "memory", "SERVER_TIMING": False})
    assert "Server-Timing" not in app.test_client().get("/login").headers
