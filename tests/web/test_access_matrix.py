"""The access matrix (issue 12): every endpoint x every method x every role x every kind of id.

Each role walks every row of ``tests/web/access_matrix.py`` in a small world of two
organisations (see :func:`build_world`), signed in through the real form; every POST carries
the real CSRF token, so the answer tells the role and ownership checks, not CSRF. After each
request the domain tables are compared with before:

* a request answered 403, 404 or with the sign-in page, and any request with ids of another
  organisation or ids that do not belong together, must have written nothing; a GET writes
  nothing either (audit rows and sign-in attempts are not domain tables);
* a request that did write (an allowed POST) is followed by a fresh world and a new sign-in,
  so that no allowed change spoils the rows walked after it.
"""
from __future__ import annotations

import hashlib
import os
import re
from datetime import date
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask import url_for

from skillmap.extensions import db
from skillmap.models import (ErasureRequest, Organisation, Person, PersonSkill, Project,
                             ProjectRequirement, RoleTarget, Skill, SkillArea, SkillProposal,
                             TeamMember, Unit, User)
from skillmap.models.people import JobTitle
from skillmap.models.base import utcnow
from skillmap.web.access import ALL_ROLES
from tests.conftest import PASSWORD, AuthActions, csrf_token, wipe
from tests.web import access_matrix as M

MATRIX_FILE = "tests/web/access_matrix.py"
#: tables a request may write whatever it is answered: the audit trail and sign-in attempts
NOT_DOMAIN = {"audit_event", "login_attempt"}
#: endpoints whose 5xx is by design: /healthz says 503 on a database not built by migrations
FIVE_HUNDRED_BY_DESIGN = {"health.healthz"}
ORDER = ("own", "other", "foreign")
PLACEHOLDER = re.compile(r"\{(\w+)\}")
REDIRECTS = (301, 302, 303, 307, 308)


# --------------------------------------------------------------------------- the table

def parse_matrix(text: str = M.MATRIX) -> dict[tuple[str, str, str], dict[str, str]]:
    rows: dict[tuple[str, str, str], dict[str, str]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        cells = line.split()
        assert len(cells) == 3 + len(M.ROLES), f"MATRIX line {number}: {len(cells)} columns: {line}"
        key = (cells[0], cells[1], cells[2])
        assert key not in rows, f"MATRIX line {number}: {key} twice"
        rows[key] = dict(zip(M.ROLES, cells[3:]))
    return rows


class Request:
    """One row to walk: which rule, method and kind of id, and how to fill it."""

    def __init__(self, endpoint: str, method: str, ids: str, arguments: tuple[str, ...]):
        self.endpoint, self.method, self.ids, self.arguments = endpoint, method, ids, arguments

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.endpoint, self.method, self.ids)

    def __repr__(self) -> str:
        return f"{self.endpoint} {self.method} {self.ids}"


def _families(endpoint: str, method: str, arguments) -> list[str]:
    """The id arguments of a request: in its URL and in its query or form."""
    out = [a for a in arguments if a in M.IDS]
    for key, value in M.FORMS.get((endpoint, method), {}).items():
        for name in PLACEHOLDER.findall(key) + PLACEHOLDER.findall(str(value)):
            if name not in out:
                out.append(name)
    return out


def requests_of(app) -> tuple[list[Request], list[str]]:
    """Every (endpoint, method, kind of id) of the URL map, and the problems met on the way."""
    found, problems = {}, []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            for arg in rule.arguments:
                if arg not in M.IDS and (rule.endpoint, arg) not in M.VALUES and arg not in M.VALUES:
                    problems.append(f"{rule.endpoint}: no value for argument {arg!r}: add it "
                                    f"to IDS (an id) or VALUES (a word) in {MATRIX_FILE}")
            families = _families(rule.endpoint, method, rule.arguments)
            kinds = [k for k in ORDER if any(k in M.IDS[f] for f in families)] or ["-"]
            if (rule.endpoint, method) in M.CROSS:
                kinds.append("cross")
            for kind in kinds:
                req = Request(rule.endpoint, method, kind, tuple(rule.arguments))
                found.setdefault(req.key, req)
    return list(found.values()), problems


# --------------------------------------------------------------------------- the world

def build_world() -> dict[str, int]:
    """Two cooperatives. Alfa: one account per role and a colleague, each person with a skill
    row and an invitation to p1 (the coordinator's project, staffing); p2 (another
    coordinator's, closed, with the colleague in it); a role target; the colleague's erasure
    request and skill proposal. Beta: one of each, none of it reachable from Alfa."""
    w: dict[str, int] = {}
    alfa, beta = Organisation(name="Cooperativa Alfa"), Organisation(name="Cooperativa Beta")
    db.session.add_all([alfa, beta])
    db.session.flush()

    def org_rows(org, prefix):
        area = SkillArea(organisation_id=org.id, code="CARE", name_it="Cura", name_en="Care")
        db.session.add(area)
        db.session.flush()
        skills = [Skill(organisation_id=org.id, code=code, area_id=area.id, name_it=it,
                        name_en=en) for code, it, en in (
            ("CARE-HOME", "Assistenza domiciliare", "Home care"),
            ("CARE-FIRST", "Primo soccorso", "First aid"),
            ("CARE-PLAY", "Animazione", "Play work"))]
        units = [Unit(organisation_id=org.id, name=n) for n in ("Servizi educativi", "Assistenza")]
        db.session.add_all(skills + units + [JobTitle(organisation_id=org.id, name="Educatore")])
        db.session.flush()
        w[f"{prefix}skill.held"], w[f"{prefix}skill.free"] = skills[0].id, skills[1].id
        w[f"{prefix}unit1"], w[f"{prefix}unit2"] = units[0].id, units[1].id
        return skills, units

    def account(org, unit, skill, name, email, role, level=3):
        first, last = name.split()
        person = Person(organisation_id=org.id, unit_id=unit.id, first_name=first,
                        last_name=last, email=email, job_title="Educatore",
                        visible_to_colleagues=True)
        user = User(organisation_id=org.id, email=email, role=role, person=person,
                    privacy_seen_at=utcnow())
        user.set_password(PASSWORD)
        db.session.add_all([person, user])
        db.session.flush()
        ps = PersonSkill(person_id=person.id, skill_id=skill.id, level=level)
        db.session.add(ps)
        db.session.flush()
        return person, user, ps

    def project(org, title, status, coordinator, skill, members):
        p = Project(organisation_id=org.id, title=title, status=status, team_size=4,
                    coordinator_id=coordinator.id)
        p.requirements.append(ProjectRequirement(skill_id=skill.id, min_level=2))
        db.session.add(p)
        db.session.flush()
        out = {}
        for person, status_ in members:
            tm = TeamMember(project_id=p.id, person_id=person.id, status=status_)
            db.session.add(tm)
            db.session.flush()
            out[person.id] = tm.id
        return p, out

    # -- Alfa
    skills, units = org_rows(alfa, "")
    people = {}
    for role, name in (("employee", "Anna Rossi"), ("coordinator", "Bruno Bianchi"),
                       ("manager", "Carla Verdi"), ("admin", "Dario Neri"),
                       ("colleague", "Elena Gialli"), ("coordinator2", "Fabio Blu")):
        person, user, ps = account(alfa, units[0], skills[0], name, f"{role}@test.coop",
                                   "coordinator" if role == "coordinator2" else
                                   "employee" if role == "colleague" else role)
        people[role] = person
        w[f"{role}.person"], w[f"{role}.user"], w[f"{role}.ps"] = person.id, user.id, ps.id
        if role == "coordinator":
            coordinator = user
        if role == "coordinator2":
            coordinator2 = user
    p1, invited = project(alfa, "Orto didattico", "staffing", coordinator, skills[0],
                          [(people[r], "invited") for r in ("employee", "coordinator", "manager",
                                                            "admin", "colleague")])
    p2, _ = project(alfa, "Sportello digitale", "closed", coordinator2, skills[2],
                    [(people["colleague"], "accepted")])
    w["p1"], w["p1.requirement"] = p1.id, p1.requirements[0].id
    w["p2"], w["p2.requirement"] = p2.id, p2.requirements[0].id
    for role in ("employee", "coordinator", "manager", "admin", "colleague"):
        w[f"{role}.invitation"] = invited[people[role].id]
    target = RoleTarget(organisation_id=alfa.id, job_title="Educatore", skill_id=skills[0].id,
                        min_level=3)
    erasure = ErasureRequest(organisation_id=alfa.id, person_id=people["colleague"].id,
                             pseudonym="persona-cancellata-1")
    proposal = SkillProposal(organisation_id=alfa.id, proposed_by_id=w["colleague.user"],
                             name="Giardinaggio")
    db.session.add_all([target, erasure, proposal])
    db.session.flush()
    w["target"], w["colleague.erasure"], w["colleague.proposal"] = (target.id, erasure.id,
                                                                   proposal.id)

    # -- Beta
    b_skills, b_units = org_rows(beta, "beta.")
    b_person, b_user, b_ps = account(beta, b_units[0], b_skills[0], "Gina Beta",
                                     "beta@beta.coop", "employee")
    _bp, b_coord, _bps = account(beta, b_units[0], b_skills[0], "Ugo Beta",
                                 "coordinator@beta.coop", "coordinator")
    bp, b_invited = project(beta, "Progetto Beta", "staffing", b_coord, b_skills[0],
                            [(b_person, "invited")])
    b_target = RoleTarget(organisation_id=beta.id, job_title="Educatore",
                          skill_id=b_skills[0].id, min_level=3)
    b_erasure = ErasureRequest(organisation_id=beta.id, person_id=b_person.id,
                               pseudonym="persona-cancellata-2")
    b_proposal = SkillProposal(organisation_id=beta.id, proposed_by_id=b_user.id, name="Vela")
    db.session.add_all([b_target, b_erasure, b_proposal])
    db.session.flush()
    w.update({"beta.person": b_person.id, "beta.user": b_user.id, "beta.ps": b_ps.id,
              "beta.project": bp.id, "beta.requirement": bp.requirements[0].id,
              "beta.invitation": b_invited[b_person.id], "beta.target": b_target.id,
              "beta.erasure": b_erasure.id, "beta.proposal": b_proposal.id,
              "beta.unit": b_units[1].id})
    db.session.commit()
    return w


def fingerprint() -> dict[str, str]:
    """A digest of every domain table's rows."""
    out = {}
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            if table.name in NOT_DOMAIN:
                continue
            rows = conn.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
            out[table.name] = hashlib.sha1(repr(rows).encode()).hexdigest()
    return out


# --------------------------------------------------------------------------- one request

def _id(world, role, family: str, kind: str) -> int:
    options = M.IDS[family]
    name = options.get(kind) or options.get("own") or options.get("other")
    who = "employee" if role == "anonymous" else role
    return world[name.replace("me.", f"{who}.")]


def build_request(req: Request, world, role) -> tuple[str, dict]:
    """The URL and the query or form data of ``req`` for ``role``."""
    cross = M.CROSS.get((req.endpoint, req.method), {})

    def value(family):
        kind = cross.get(family, "own") if req.ids == "cross" else req.ids
        return _id(world, role, family, kind)

    args = {}
    for arg in req.arguments:
        if arg in M.IDS:
            args[arg] = value(arg)
        else:
            args[arg] = M.VALUES.get((req.endpoint, arg), M.VALUES.get(arg))

    def fill(text: str) -> str:
        return PLACEHOLDER.sub(lambda m: str(value(m.group(1))), text)

    data = {}
    for key, val in M.FORMS.get((req.endpoint, req.method), {}).items():
        data[fill(key)] = fill(str(val))
    from flask import current_app

    with current_app.test_request_context():
        return url_for(req.endpoint, **args), data


def answer_of(resp) -> str:
    if resp.status_code in REDIRECTS and urlsplit(resp.headers.get("Location", "")).path == "/login":
        return "login"
    return str(resp.status_code)


class Walker:
    """Walks rows as one role, starting afresh after every request that wrote."""

    def __init__(self, app, role):
        self.app, self.role = app, role
        self.resets = 0
        self.reset()

    def reset(self):
        from skillmap import queue
        from skillmap.services import versions

        db.session.remove()
        wipe(db.engine)
        versions.clear()
        queue.huey.storage.flush_all()
        self.world = build_world()
        db.session.remove()
        self.client = self.app.test_client()
        if self.role == "anonymous":
            self.token = csrf_token(self.client, "/login")
        else:
            resp = AuthActions(self.client).login(f"{self.role}@test.coop")
            assert resp.status_code == 302 and answer_of(resp) != "login", resp.status_code
            self.token = csrf_token(self.client, "/")
        self.before = fingerprint()
        self.resets += 1

    def send(self, req: Request) -> tuple[str, str, list[str]]:
        """(url, answer, domain tables written) of one request."""
        url, data = build_request(req, self.world, self.role)
        try:
            if req.method == "GET":
                resp = self.client.get(url, query_string=data)
            else:
                prefixes = {k.split("-", 1)[0] for k in data if "-" in k}
                prefixes |= {data.pop("_prefix")} if "_prefix" in data else set()
                data["csrf_token"] = self.token
                data.update({f"{p}-csrf_token": self.token for p in prefixes})
                resp = self.client.open(url, method=req.method, data=data)
            answer = answer_of(resp)
        except Exception as exc:  # noqa: BLE001  (TESTING propagates what would be a 500)
            db.session.rollback()
            answer = f"500({type(exc).__name__}: {' '.join(str(exc).split())[:100]})"
        after = fingerprint()
        wrote = sorted(t for t in after if after[t] != self.before[t])
        if wrote or (answer == "login" and self.role != "anonymous"):
            self.reset()
        return url, answer, wrote


# --------------------------------------------------------------------------- the tests

def _line(key, answers: dict[str, str]) -> str:
    return (f"{key[0]:<36}{key[1]:<7}{key[2]:<9}"
            + " ".join(f"{answers.get(r, '?'):<{max(len(r), 5)}}" for r in M.ROLES))


def test_the_matrix_has_a_row_for_every_endpoint_method_and_kind_of_id(app):
    reqs, problems = requests_of(app)
    rows = parse_matrix()
    wanted = {r.key for r in reqs}
    missing = sorted(wanted - set(rows))
    stale = sorted(set(rows) - wanted)
    message = list(problems)
    if missing:
        message.append(f"{len(missing)} rows missing in MATRIX of {MATRIX_FILE} (fill each ?):")
        message += ["  " + _line(k, {}) for k in missing]
    if stale:
        message.append(f"rows in MATRIX of {MATRIX_FILE} for no endpoint (remove them):")
        message += ["  " + _line(k, rows[k]) for k in stale]
    assert not message, "\n".join(message)


def test_the_matrix_denies_whatever_the_decorators_do_not_allow(app):
    """A role the view's ``@roles`` does not name must be 403 in the table; anonymous
    visitors get the sign-in page unless the view is public; no 5xx is expected."""
    wrong = []
    for (endpoint, method, ids), answers in parse_matrix().items():
        view = app.view_functions.get(endpoint)
        allowed = "public" if endpoint == "static" else getattr(view, "allowed_roles", None)
        for role, answer in answers.items():
            if answer.startswith("5") and endpoint not in FIVE_HUNDRED_BY_DESIGN:
                wrong.append(f"{endpoint} {method} {ids} {role}: {answer} expected?")
            if allowed == "public":
                continue
            if role == "anonymous" and answer != "login":
                wrong.append(f"{endpoint} {method} {ids} anonymous: {answer}, not login")
            if role != "anonymous" and role not in (allowed or ()) and answer != "403":
                wrong.append(f"{endpoint} {method} {ids} {role}: {answer}, but @roles does "
                             f"not allow {role}: 403")
            if role == "anonymous" or role not in (allowed or ()):
                continue
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("role", M.ROLES)
def test_every_endpoint_answers_each_role_as_the_matrix_says(app, role):
    app.config["PRIVACY_MIN_GROUP"] = 1  # report lists of one person are not hidden here
    reqs, _problems = requests_of(app)
    rows = parse_matrix()
    draft = os.environ.get("ACCESS_MATRIX_DRAFT")
    reqs.sort(key=lambda r: (r.method != "GET", r.endpoint == "auth.logout", r.endpoint, r.ids))
    walker = Walker(app, role)
    differences, writes, seen = [], [], {}
    for req in reqs:
        url, answer, wrote = walker.send(req)
        seen[req.key] = answer
        expected = rows.get(req.key, {}).get(role)
        where = f"{req.endpoint} {req.method} ids={req.ids} as {role} ({url})"
        if expected is None:
            differences.append(f"{where}: no row in MATRIX; it answered {answer}")
        elif answer != expected:
            differences.append(f"{where}: expected {expected}, answered {answer}")
        denied = (answer in ("403", "404") or req.ids in ("foreign", "cross")
                  or (answer == "login" and role == "anonymous"))
        if wrote and (denied or req.method == "GET"):
            writes.append(f"{where}: answered {answer} yet wrote to {', '.join(wrote)}")
    if draft:
        with open(draft, "a", encoding="utf-8") as out:
            for key, answer in seen.items():
                out.write(f"{role}\t{key[0]}\t{key[1]}\t{key[2]}\t{answer}\n")
    assert not (differences or writes), "\n".join(
        [f"{len(differences)} answers differ from {MATRIX_FILE}:"] + differences
        + ([f"{len(writes)} requests wrote although refused, foreign or a GET:"] + writes
           if writes else []))
    print(f"{role}: {len(reqs)} requests, {walker.resets} fresh worlds")
