"""The access matrix (issue 12): every endpoint x every method x every role x every kind of id.

Each role walks every row of ``tests/web/access_matrix.py`` in a small world of two
organisations (see :func:`build_world`), signed in through the real form; every POST carries
the real CSRF token, so the answer tells the role and ownership checks, not CSRF. After each
request the domain tables are compared with before:

* a request answered 403, 404 or with the sign-in page, and any request with ids of another
  organisation or ids that do not belong together, must have written nothing; a GET writes
  nothing either (audit rows and sign-in attempts are not domain tables);
* after a request that did write (an allowed POST) the changed rows are put back as they
  were (or, when that fails or the session ended, the world is built afresh and the role
  signs in again), so that no allowed change spoils the rows walked after it.

Report lists are allowed down to groups of one here (``PRIVACY_MIN_GROUP = 1``): small groups
have their own tests (``test_report_privacy.py``); this one is about roles and ids.
"""
from __future__ import annotations

import json
import os
import re
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask import current_app, url_for

from skillmap.extensions import db
from skillmap.models import (ErasureRequest, Organisation, Person, PersonSkill, Project,
                             ProjectRequirement, RoleTarget, Skill, SkillArea, SkillProposal,
                             TeamMember, Unit, User)
from skillmap.models.base import utcnow
from skillmap.models.jobs import Job
from skillmap.models.people import JobTitle
from skillmap.models.training import (ProjectTraining, TrainingCourse, TrainingPlan,
                                      TrainingPlanLine, TrainingRecord, TrainingRule,
                                      UnitCoverage)
from skillmap.services import api_tokens, full_export, training_files
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

    @property
    def unknown_arguments(self) -> list[str]:
        return [a for a in self.arguments if family_of(self.endpoint, a) not in M.IDS
                and (self.endpoint, a) not in M.VALUES and a not in M.VALUES]

    def __repr__(self) -> str:
        return f"{self.endpoint} {self.method} {self.ids}"


def family_of(endpoint: str, argument: str) -> str:
    """The ``IDS`` entry of an argument (``ID_FAMILIES`` when one name means another row)."""
    return M.ID_FAMILIES.get((endpoint, argument), argument)


def _families(endpoint: str, method: str, arguments) -> list[str]:
    """The id arguments of a request: in its URL and in its query or form."""
    out = [family_of(endpoint, a) for a in arguments if family_of(endpoint, a) in M.IDS]
    for key, value in M.FORMS.get((endpoint, method), {}).items():
        for name in PLACEHOLDER.findall(key) + PLACEHOLDER.findall(str(value)):
            if name not in out:
                out.append(name)
    return out


def requests_of(app) -> tuple[list[Request], list[str]]:
    """Every (endpoint, method, kind of id) of the URL map, and the problems met on the way."""
    found, problems = {}, {}
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            for arg in sorted(rule.arguments):
                if (family_of(rule.endpoint, arg) not in M.IDS
                        and (rule.endpoint, arg) not in M.VALUES and arg not in M.VALUES):
                    problems[f"{rule.endpoint}: no value for argument {arg!r}: add it to IDS "
                             f"(an id) or VALUES (a word) in {MATRIX_FILE}"] = None
            families = _families(rule.endpoint, method, rule.arguments)
            kinds = [k for k in ORDER if any(k in M.IDS[f] for f in families)] or ["-"]
            if (rule.endpoint, method) in M.CROSS:
                kinds.append("cross")
            for kind in kinds:
                req = Request(rule.endpoint, method, kind, tuple(rule.arguments))
                found.setdefault(req.key, req)
    return list(found.values()), list(problems)


# --------------------------------------------------------------------------- the world

@pytest.fixture
def app_config(tmp_path) -> dict:
    """Files of exports and imports in a folder of the test's own; single sign-on set up
    with a provider that does not answer (its pages refuse with a message, the admin's
    "passwords off" switch exists), so that no request leaves the machine."""
    return {"EXPORT_DIR": str(tmp_path / "exports"), "IMPORT_DIR": str(tmp_path / "imports"),
            "OIDC_ISSUER": "http://127.0.0.1:9", "OIDC_CLIENT_ID": "skillmap",
            "OIDC_CLIENT_SECRET": "secret", "OIDC_TIMEOUT": 1,
            "TRAINING_FILES_DIR": str(tmp_path / "certificates")}


def _export(org) -> int:
    """A finished full export of ``org`` with its two (tiny) files on disk."""
    job = Job(organisation_id=org.id, kind=full_export.KIND, state="done", result="{}")
    db.session.add(job)
    db.session.flush()
    folder = Path(current_app.config["EXPORT_DIR"]) / str(org.id)
    folder.mkdir(parents=True, exist_ok=True)
    names = {fmt: f"skillmap-export-{job.id}-20261201-120000{suffix}"
             for fmt, (suffix, _mime) in full_export.FORMATS.items()}
    for name in names.values():
        (folder / name).write_bytes(b"export")
    job.result = json.dumps(names)
    job.finished_at = utcnow()
    return job.id


def build_world() -> dict[str, int]:
    """Two cooperatives. Alfa: one account per role and a colleague, each person with a skill
    row and an invitation to p1 (the coordinator's project, staffing); p2 (another
    coordinator's, closed, with the colleague in it); a role target; the colleague's erasure
    request and skill proposal; in each organisation a skill area, an API token and a finished
    full export with its files. Beta: one of each, none of it reachable from Alfa."""
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
        w[f"{prefix}area"] = area.id
        w[f"{prefix}token"] = api_tokens.create_token(org.id, "Paghe", "read",
                                                      expires_days=30, actor=None)[0].id
        w[f"{prefix}export"] = _export(org)
        course = TrainingCourse(organisation_id=org.id, code="HACCP", name_it="HACCP",
                                name_en="Food hygiene", validity_months=24)
        db.session.add(course)
        db.session.flush()
        rule = TrainingRule(organisation_id=org.id, course_id=course.id, job_title="Educatore")
        minimum = UnitCoverage(organisation_id=org.id, unit_id=units[0].id, role="first_aid")
        plan = TrainingPlan(organisation_id=org.id, title="Piano 2027",
                            window_start=date(2027, 1, 1), window_end=date(2027, 12, 31))
        plan.lines.append(TrainingPlanLine(topic="HACCP", course_id=course.id, hours_each=4))
        db.session.add_all([rule, minimum, plan])
        db.session.flush()
        w.update({f"{prefix}course": course.id, f"{prefix}rule": rule.id,
                  f"{prefix}minimum": minimum.id, f"{prefix}plan": plan.id,
                  f"{prefix}plan.line": plan.lines[0].id})
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
        key, kind = training_files.store(b"%PDF-1.4\n% attestato\n")
        record = TrainingRecord(organisation_id=org.id, person_id=person.id,
                                course_id=w[("beta." if org is beta else "") + "course"],
                                completed_on=date(2026, 1, 15), expires_on=date(2028, 1, 15),
                                file_key=key, file_type=kind)
        db.session.add_all([ps, record])
        db.session.flush()
        w[f"record.{email}"] = record.id
        return person, user, ps

    def project(org, title, status, coordinator, skill, members):
        p = Project(organisation_id=org.id, title=title, status=status, team_size=4,
                    coordinator_id=coordinator.id)
        p.requirements.append(ProjectRequirement(skill_id=skill.id, min_level=2))
        db.session.add(p)
        db.session.flush()
        need = ProjectTraining(project_id=p.id, course_id=w[("beta." if org is beta else "")
                                                            + "course"])
        db.session.add(need)
        db.session.flush()
        w[f"need.{title}"] = need.id
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
        w[f"{role}.record"] = w[f"record.{role}@test.coop"]
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
    w["p1.need"], w["p2.need"] = w["need.Orto didattico"], w["need.Sportello digitale"]
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
              "beta.unit": b_units[1].id, "beta.record": w["record.beta@beta.coop"],
              "beta.need": w["need.Progetto Beta"]})
    db.session.commit()
    return w


def domain_rows() -> dict[str, dict[tuple, dict]]:
    """Every domain table's rows, by primary key."""
    out = {}
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            if table.name in NOT_DOMAIN:
                continue
            pk = [c.name for c in table.primary_key.columns]
            out[table.name] = {tuple(r[c] for c in pk): dict(r)
                               for r in conn.execute(sa.select(table)).mappings()}
    return out


def restore(saved, now, changed) -> None:
    """Put the rows of the ``changed`` tables back as ``saved``: delete the new rows (children
    first), then insert the missing ones and undo the changes (parents first)."""
    tables = [t for t in db.metadata.sorted_tables if t.name in changed]

    def where(table, key):
        return sa.and_(*[c == v for c, v in zip(table.primary_key.columns, key)])

    with db.engine.begin() as conn:
        for table in reversed(tables):
            for key in now[table.name].keys() - saved[table.name].keys():
                conn.execute(table.delete().where(where(table, key)))
        for table in tables:
            for key, row in saved[table.name].items():
                current = now[table.name].get(key)
                if current is None:
                    conn.execute(table.insert().values(**row))
                elif current != row:
                    conn.execute(table.update().where(where(table, key)).values(**row))


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
        if family_of(req.endpoint, arg) in M.IDS:
            args[arg] = value(family_of(req.endpoint, arg))
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
    if resp.status_code == 401 and resp.mimetype != "application/problem+json":
        return f"401({resp.mimetype})"  # the API's refusals are problem details
    return str(resp.status_code)


class WriteWatch:
    """Notes whether a statement that may change a domain table ran: when none did, the
    tables need not be read again after a request (most requests, all GETs but a few)."""

    #: any statement that could write (a SELECT ... FOR UPDATE too: reading again is cheap)
    WRITE = re.compile(r"\b(INSERT|UPDATE|DELETE|TRUNCATE|REPLACE|MERGE)\b", re.IGNORECASE)
    #: but not the rows every request may add
    NOT_DOMAIN_WRITE = re.compile(r"\s*(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?("
                                  + "|".join(NOT_DOMAIN) + r")\b", re.IGNORECASE)

    def __init__(self, engine):
        self.engine, self.seen = engine, False
        sa.event.listen(engine, "before_cursor_execute", self._statement)

    def _statement(self, conn, cursor, statement, parameters, context, executemany):
        if self.WRITE.search(statement) and not self.NOT_DOMAIN_WRITE.match(statement):
            self.seen = True

    def close(self):
        sa.event.remove(self.engine, "before_cursor_execute", self._statement)


class Walker:
    """Walks rows as one role; after a request that wrote, the world is put back as it was
    (or built afresh, and signed in again, when that fails or the session was lost)."""

    def __init__(self, app, role):
        self.app, self.role = app, role
        self.resets = self.restores = 0
        self.watch = WriteWatch(db.engine)
        self.reset()

    def reset(self):
        db.session.remove()
        wipe(db.engine)
        self._forget_caches()
        self.world = build_world()
        db.session.remove()
        self.client = self.app.test_client()
        if self.role == "anonymous":
            self.token = csrf_token(self.client, "/login")
        else:
            resp = AuthActions(self.client).login(f"{self.role}@test.coop")
            assert resp.status_code == 302 and answer_of(resp) != "login", resp.status_code
            self.token = csrf_token(self.client, "/")
            db.session.remove()  # the login helper read the user: no transaction left open
            with self.client.session_transaction() as session:
                self.session_user = session.get("_user_id")
        self.saved = domain_rows()
        self.watch.seen = False
        self.resets += 1

    @staticmethod
    def _forget_caches():
        from skillmap import queue
        from skillmap.services import versions

        versions.clear()
        queue.huey.storage.flush_all()

    def _still_signed_in(self) -> bool:
        if self.role == "anonymous":
            return True
        with self.client.session_transaction() as session:
            return session.get("_user_id") == self.session_user

    def put_back(self, now, changed) -> None:
        try:
            restore(self.saved, now, changed)
        except sa.exc.SQLAlchemyError:
            return self.reset()
        self._forget_caches()
        if domain_rows() != self.saved or not self._still_signed_in():
            return self.reset()
        self.watch.seen = False
        self.restores += 1

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
        db.session.remove()
        wrote, now = [], None
        if self.watch.seen:
            now = domain_rows()
            wrote = sorted(t for t in now if now[t] != self.saved[t])
        if answer == "login" and self.role != "anonymous":
            self.reset()
        elif wrote or not self._still_signed_in():
            self.put_back(now or domain_rows(), wrote)
        return url, answer, wrote


# --------------------------------------------------------------------------- checks

def _line(key, answers: dict[str, str]) -> str:
    return (f"{key[0]:<36}{key[1]:<7}{key[2]:<9}"
            + " ".join(f"{answers.get(r, '?'):<{max(len(r), 5)}}" for r in M.ROLES)).rstrip()


def coverage_problems(app, rows) -> list[str]:
    """Rows missing for an endpoint of the URL map, rows for no endpoint, unknown arguments."""
    reqs, problems = requests_of(app)
    wanted = {r.key for r in reqs}
    def order(key):
        kinds = ("-",) + ORDER + ("cross",)
        return (key[0], key[1], kinds.index(key[2]) if key[2] in kinds else len(kinds))

    missing = sorted(wanted - set(rows), key=order)
    stale = sorted(set(rows) - wanted, key=order)
    message = list(problems)
    if missing:
        message.append(f"{len(missing)} rows missing in MATRIX of {MATRIX_FILE} (fill each ?; "
                       "test_every_endpoint_answers_each_role_as_the_matrix_says tells what "
                       "each role gets now):")
        message += ["  " + _line(k, {}) for k in missing]
    if stale:
        message.append(f"rows in MATRIX of {MATRIX_FILE} for no endpoint (remove them):")
        message += ["  " + _line(k, rows[k]) for k in stale]
    return message


def policy_problems(app, rows) -> list[str]:
    """Deny by default, read from the decorators: a role ``@roles`` does not name is 403;
    anonymous visitors get the sign-in page unless the view is public; another
    organisation's id in the URL answers 404 to every role let in; nothing expects a 5xx."""
    wrong = []
    for (endpoint, method, ids), answers in rows.items():
        view = app.view_functions.get(endpoint)
        allowed = "public" if endpoint == "static" else getattr(view, "allowed_roles", None)
        rule = next(iter(app.url_map.iter_rules(endpoint)), None) if view else None
        url_ids = bool(rule and any(family_of(endpoint, a) in M.IDS for a in rule.arguments))
        for role, answer in answers.items():
            where = f"{endpoint} {method} {ids} {role}: {answer}"
            if answer.startswith("5") and endpoint not in FIVE_HUNDRED_BY_DESIGN:
                wrong.append(f"{where}, a server error expected?")
            if allowed == "public":
                continue
            let_in = role != "anonymous" and role in (allowed or ())
            if role == "anonymous" and answer != "login":
                wrong.append(f"{where}, not login: the view is not @public")
            elif role != "anonymous" and not let_in and answer != "403":
                wrong.append(f"{where}, not 403: @roles does not name {role}")
            elif let_in and ids == "foreign" and url_ids and answer != "404":
                wrong.append(f"{where}, not 404: another organisation's id must not be found")
    return wrong


def walk(app, role, reqs, rows, draft: str | None = None) -> list[str]:
    """Send every request of ``reqs`` as ``role``; what differs from ``rows``, and the
    requests that wrote although they should not have."""
    reqs = sorted(reqs, key=lambda r: (r.method != "GET", r.endpoint == "auth.logout",
                                       r.endpoint, r.ids))
    walker = Walker(app, role)
    differences, writes, seen = [], [], {}
    unknown = [r for r in reqs if r.unknown_arguments]
    try:
        answers = [(req, *walker.send(req)) for req in reqs if req not in unknown]
    finally:
        walker.watch.close()
    differences += [f"{r.endpoint} {r.method}: not walked, no value for "
                    f"{', '.join(r.unknown_arguments)} (IDS or VALUES in {MATRIX_FILE})"
                    for r in unknown]
    for req, url, answer, wrote in answers:
        seen[req.key] = answer
        expected = rows.get(req.key, {}).get(role)
        where = f"{req.endpoint} {req.method} ids={req.ids} as {role} ({url})"
        if expected is None:
            differences.append(f"{where}: no row in MATRIX; it answered {answer}")
        elif answer != expected:
            differences.append(f"{where}: expected {expected}, answered {answer}")
        refused = (answer in ("403", "404") or req.ids in ("foreign", "cross")
                   or (answer == "login" and role == "anonymous"))
        if wrote and (refused or req.method == "GET"):
            writes.append(f"{where}: answered {answer} yet wrote to {', '.join(wrote)}")
    if draft:
        with open(draft, "a", encoding="utf-8") as out:
            out.writelines(f"{role}\t{k[0]}\t{k[1]}\t{k[2]}\t{a}\n" for k, a in seen.items())
    out = ([f"{len(differences)} answers differ from {MATRIX_FILE}:"] + differences
           if differences else [])
    if writes:
        out += [f"{len(writes)} requests wrote although refused, foreign or a GET:"] + writes
    return out


# --------------------------------------------------------------------------- the tests

def test_the_matrix_has_a_column_for_every_role():
    assert M.ROLES == ("anonymous",) + ALL_ROLES


def test_the_matrix_has_a_row_for_every_endpoint_method_and_kind_of_id(app):
    problems = coverage_problems(app, parse_matrix())
    assert not problems, "\n".join(problems)


def test_the_matrix_denies_by_default(app):
    problems = policy_problems(app, parse_matrix())
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", M.ROLES)
def test_every_endpoint_answers_each_role_as_the_matrix_says(app, role):
    """``ACCESS_MATRIX_DRAFT=/tmp/draft.tsv`` appends every answer seen (role, endpoint,
    method, ids, answer): a start for the rows of a new endpoint, to be checked by hand."""
    app.config["PRIVACY_MIN_GROUP"] = 1  # report lists of one person are not hidden here
    reqs, _problems = requests_of(app)
    problems = walk(app, role, reqs, parse_matrix(), os.environ.get("ACCESS_MATRIX_DRAFT"))
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------- the test fails

def _leaky_app(app):
    """The app with one more endpoint that shows any person, whatever organisation."""
    from skillmap.web.access import roles

    @roles("*")
    def leaky(person_id: int):
        person = db.session.get(Person, person_id)  # no require_same_org: the hole
        if person is None:
            return "no", 404
        person.availability_hours += 1  # and a GET that writes
        db.session.commit()
        return person.full_name
    app.add_url_rule("/leaky/<int:person_id>", "leaky", leaky)
    return app


def test_a_new_endpoint_without_rows_is_named_with_the_lines_to_add(app):
    problems = "\n".join(coverage_problems(_leaky_app(app), parse_matrix()))
    assert "3 rows missing" in problems
    for ids in ("own", "other", "foreign"):
        assert _line(("leaky", "GET", ids), {}) in problems


def test_a_role_or_an_id_answered_otherwise_is_named(app):
    """The leaky endpoint's rows say what it should do; the walk names every difference,
    and every GET that wrote (the world is put back after each)."""
    rows = {("leaky", "GET", ids): dict(zip(M.ROLES, ["login", "200", "200", "200", "200"]))
            for ids in ("own", "other")}
    rows["leaky", "GET", "foreign"] = dict(zip(M.ROLES, ["login", "404", "404", "404", "200"]))
    reqs = [r for r in requests_of(_leaky_app(app))[0] if r.endpoint == "leaky"]
    problems = "\n".join(walk(app, "manager", reqs, rows))
    assert "leaky GET ids=foreign as manager" in problems
    assert "expected 404, answered 200" in problems
    assert "1 answers differ" in problems
    assert "3 requests wrote although refused, foreign or a GET" in problems
    assert "leaky GET ids=own as manager (/leaky/" in problems
    assert "answered 200 yet wrote to data_change, data_version, person" in problems
    problems = "\n".join(policy_problems(app, rows))
    assert "leaky GET foreign admin: 200, not 404" in problems
