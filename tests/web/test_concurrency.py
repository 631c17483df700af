"""Twenty requests at once against a real server: every answer is one a user can read, and the
rows left are those of exactly one request, on SQLite (a WAL file) and on PostgreSQL.

The app is served by werkzeug's threaded server on 127.0.0.1 (as the browser tests do), on the
test database. A coordinator (or an employee) signs in once through the real login form with
the real CSRF token; the twenty clients are twenty tabs of that browser: each has its own copy
of the session cookie and posts the token read from a page.
"""
from __future__ import annotations

import http.cookiejar
import itertools
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from html import unescape

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from skillmap.extensions import db
from skillmap.models import (AuditEvent, Person, PersonSkill, Project, ProjectRequirement,
                             TeamMember, User)
from skillmap.models.base import utcnow
from tests.conftest import CSRF_RE, PASSWORD

CLIENTS = 20
ROUNDS = 3


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None   # a 302 is an answer to check, not a page to follow


class Tab:
    """One browser tab: its own cookie jar (a copy of the signed-in session)."""

    def __init__(self, base: str, cookies=()):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        for cookie in cookies:
            self.jar.set_cookie(cookie)
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar),
                                                  _NoRedirect)

    def open(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, body, timeout=60) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def token(self, path: str) -> str:
        status, html = self.open(path)
        assert status == 200, (path, status)
        return CSRF_RE.search(html).group(1)

    def tabs(self, n: int) -> list["Tab"]:
        return [Tab(self.base, list(self.jar)) for _ in range(n)]


def sign_in(base: str, email: str) -> Tab:
    user = db.session.scalar(sa.select(User).where(User.email == email))
    user.privacy_seen_at = utcnow()
    db.session.commit()
    tab = Tab(base)
    status, _ = tab.open("/login", {"email": email, "password": PASSWORD,
                                    "csrf_token": tab.token("/login")})
    assert status == 302
    return tab


def all_at_once(calls) -> list[tuple[int, str]]:
    """Run ``calls`` (functions of no argument) in threads released together."""
    gate = threading.Barrier(len(calls))
    out: list = [None] * len(calls)

    def run(i, call):
        gate.wait()
        try:
            out[i] = call()
        except Exception as exc:  # a dropped connection is an answer too
            out[i] = (0, repr(exc))

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return out


@pytest.fixture
def live_server(app):
    """The test app on a real threaded server (each request in its own thread and session)."""
    db.session.commit()
    db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(10)


@pytest.fixture
def crowd(org, users, taxonomy):
    """A staffing project of 3 places, 8 people with hours and the skills it needs."""
    people = [Person(organisation_id=org.id, first_name=f"P{i}", last_name="Test",
                     availability_hours=10) for i in range(8)]
    db.session.add_all(people)
    db.session.flush()
    for i, p in enumerate(people):
        db.session.add(PersonSkill(person_id=p.id, skill_id=taxonomy["ICT-PY"].id,
                                   level=1 + i % 5))
    project = Project(organisation_id=org.id, title="Orto sociale", status="staffing",
                      team_size=3, coordinator_id=users["coordinator"].id)
    project.requirements.append(ProjectRequirement(skill_id=taxonomy["ICT-PY"].id, min_level=3,
                                                   weight=3, count=2))
    db.session.add(project)
    db.session.commit()
    return {"project_id": project.id, "people": [p.id for p in people]}


def _statuses(answers) -> dict[int, int]:
    out: dict[int, int] = {}
    for status, _ in answers:
        out[status] = out.get(status, 0) + 1
    return out


def test_twenty_team_saves_leave_exactly_one_of_the_saved_teams(live_server, crowd):
    pid = crowd["project_id"]
    page = f"/projects/{pid}/team"
    coordinator = sign_in(live_server, "coordinator@test.coop")
    combos = list(itertools.combinations(crowd["people"], 3))
    for round_ in range(ROUNDS):
        status, html = coordinator.open(page)
        seen = int(re.search(r'name="team_version" value="(\d+)"', html).group(1))
        token = CSRF_RE.search(html).group(1)
        choices = [list(combos[(round_ * 17 + i * 3) % len(combos)]) for i in range(CLIENTS)]
        tabs = coordinator.tabs(CLIENTS)
        answers = all_at_once([
            (lambda tab=tab, team=team: tab.open(page, {"members": team, "team_version": seen,
                                                        "confirmed": "1",
                                                        "csrf_token": token}))
            for tab, team in zip(tabs, choices)])
        counts = _statuses(answers)
        assert set(counts) <= {302, 409}, f"round {round_}: answers {counts}"
        won = [team for (status, _), team in zip(answers, choices) if status == 302]
        assert len(won) == 1, f"round {round_}: {len(won)} saves from version {seen} succeeded"
        refused = next(html for status, html in answers if status == 409)
        assert "Il gruppo è stato cambiato nel frattempo" in unescape(refused)
        db.session.expire_all()
        invited = set(db.session.scalars(sa.select(TeamMember.person_id).where(
            TeamMember.project_id == pid, TeamMember.status == "invited")))
        assert invited == set(won[0]), f"round {round_}: the team is a mix of saves"
        assert db.session.get(Project, pid).team_version == seen + len(won)


def test_twenty_adds_of_one_skill_leave_one_row(live_server, users, taxonomy):
    employee = sign_in(live_server, "employee@test.coop")
    skill = taxonomy["ICT-SQL"].id
    token = employee.token(f"/profile/skills/add?skill={skill}")
    tabs = employee.tabs(CLIENTS)
    answers = all_at_once([
        (lambda tab=tab: tab.open("/profile/skills/add", {"skill_id": skill, "level": 3,
                                                          "csrf_token": token}))
        for tab in tabs])
    counts = _statuses(answers)
    assert set(counts) <= {200, 302}, f"answers {counts}"
    rows = db.session.scalars(sa.select(PersonSkill).where(
        PersonSkill.person_id == users["employee"].person_id, PersonSkill.skill_id == skill)).all()
    assert len(rows) == 1 and rows[0].level == 3
    # a tab that came after the winner's commit sees the form again with the reason; one
    # that raced it is sent to the profile, which says so; one tab says "added"
    for status, html in answers:
        if status == 200:
            assert "è già nel tuo profilo" in unescape(html)
    pages = [unescape(tab.open("/profile")[1])
             for tab, (status, _) in zip(tabs, answers) if status == 302]
    assert sum("Aggiunta al tuo profilo" in p for p in pages) == 1
    assert all("Aggiunta al tuo profilo" in p or "è già nel tuo profilo" in p for p in pages)


def test_twenty_answers_to_one_invitation_count_once(live_server, users, crowd):
    anna = users["employee"].person_id
    tm = TeamMember(project_id=crowd["project_id"], person_id=anna, status="invited")
    db.session.add(tm)
    db.session.commit()
    tm_id = tm.id
    employee = sign_in(live_server, "employee@test.coop")
    token = employee.token("/")
    tabs = employee.tabs(CLIENTS)
    answers = all_at_once([
        (lambda tab=tab, i=i: tab.open(
            f"/projects/invitations/{tm_id}/{'accept' if i % 2 else 'decline'}",
            {"csrf_token": token}))
        for i, tab in enumerate(tabs)])
    assert _statuses(answers) == {302: CLIENTS}, answers[0]
    rows = db.session.scalars(sa.select(TeamMember).where(TeamMember.person_id == anna)).all()
    assert len(rows) == 1 and rows[0].status in ("accepted", "declined")
    events = db.session.scalars(sa.select(AuditEvent.action).where(
        AuditEvent.action.in_(("team.accepted", "team.declined")))).all()
    assert events == ["team." + rows[0].status]   # one answer counts, and it is the one kept
    assert db.session.get(Project, crowd["project_id"]).team_version == 1
    homes = [unescape(tab.open("/")[1]) for tab in tabs]
    assert sum("Hai già risposto a questo invito." in h for h in homes) == CLIENTS - 1


def test_twenty_interests_and_saves_inviting_one_person_leave_one_row(live_server, users,
                                                                      crowd):
    """Anna says she is interested from ten tabs while the coordinator saves a team with her
    from ten tabs: one row for her, never a 500."""
    pid, anna = crowd["project_id"], users["employee"].person_id
    employee = sign_in(live_server, "employee@test.coop")
    e_token = employee.token("/projects/open")
    coordinator = sign_in(live_server, "coordinator@test.coop")
    c_token = coordinator.token(f"/projects/{pid}/team")
    team = [anna] + crowd["people"][:2]
    calls = []
    for e_tab, c_tab in zip(employee.tabs(CLIENTS // 2), coordinator.tabs(CLIENTS // 2)):
        calls.append(lambda tab=e_tab: tab.open(f"/projects/{pid}/interest",
                                                {"csrf_token": e_token}))
        calls.append(lambda tab=c_tab: tab.open(f"/projects/{pid}/team",
                                                {"members": team, "team_version": 0,
                                                 "csrf_token": c_token}))
    answers = all_at_once(calls)
    counts = _statuses(answers)
    assert set(counts) <= {302, 409}, f"answers {counts}"
    saves = [status for status, _ in answers[1::2]]
    assert saves.count(302) == 1
    rows = db.session.scalars(sa.select(TeamMember).where(TeamMember.person_id == anna)).all()
    assert len(rows) == 1 and rows[0].status == "invited"
    invited = set(db.session.scalars(sa.select(TeamMember.person_id).where(
        TeamMember.project_id == pid, TeamMember.status == "invited")))
    assert invited == set(team)
    assert db.session.get(Project, pid).team_version == 1


def test_twenty_edits_of_one_required_skill_from_one_page_save_one(live_server, crowd, taxonomy):
    """Twenty tabs change the same required skill from the same page: one edit is saved,
    the others answer 409 with the current values, never a mix or a 500 (issue 15)."""
    pid = crowd["project_id"]
    req_id = db.session.scalar(sa.select(ProjectRequirement.id).where(
        ProjectRequirement.project_id == pid))
    coordinator = sign_in(live_server, "coordinator@test.coop")
    status, html = coordinator.open(f"/projects/{pid}/edit?req={req_id}")
    token = CSRF_RE.search(html).group(1)
    version = re.search(r'name="edit-version" type="hidden" value="(\d+)"', html).group(1)
    levels = [1 + i % 5 for i in range(CLIENTS)]
    skill = taxonomy["ICT-PY"].id
    answers = all_at_once([
        (lambda tab=tab, level=level: tab.open(
            f"/projects/{pid}/requirements/{req_id}",
            {"edit-skill": skill, "edit-min_level": level, "edit-weight": 3,
             "edit-count": 2, "edit-version": version, "csrf_token": token}))
        for tab, level in zip(coordinator.tabs(CLIENTS), levels)])
    counts = _statuses(answers)
    assert counts.get(302) == 1 and set(counts) <= {302, 409}, f"answers {counts}"
    won = next(level for (status, _), level in zip(answers, levels) if status == 302)
    db.session.expire_all()
    row = db.session.get(ProjectRequirement, req_id)
    assert (row.min_level, row.version) == (won, int(version) + 1)
    refused = next(html for status, html in answers if status == 409)
    assert "è stata modificata nel frattempo" in unescape(refused)
