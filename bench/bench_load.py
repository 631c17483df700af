"""Twenty people at once on 10,000 profiles: latency under load through gunicorn.

Seeds ``seed_demo`` (10,000 people) plus 10 employee logins, serves the app with
gunicorn on 127.0.0.1 (2 workers, the worker class of ``gunicorn.conf.py`` unless
``--worker-class`` says otherwise) and drives it with 20 simulated users, each a
thread with its own session cookie, pausing 0.5-1.5 s between requests:

* baseline (15 s): everyone opens the login page;
* mix (60 s): 10 employees open their profile, open a skill's form, save a new
  level through the real form (CSRF token and version read from the page) and
  open their profile again; 5 coordinators ask for the team of a staffing project
  and ask again with one option changed; 5 managers open the skills matrix and
  the gap report and download the matrix as XLSX;
* mix with recompute (60 s, unless ``--no-recompute``): the same mix while the
  queue consumer runs engine recomputes back to back (a new one queued every second).

One queue consumer (``flask jobs-worker``) runs beside gunicorn from the start, as in
production (``make run``): it computes the report snapshots after edits, which the
managers' pages serve. Each phase's title says how many jobs of each kind it finished.

For each phase and kind of request it prints count, p50, p95, p99, errors, the
ratio of the p95 to the baseline's p95, and the server time read from the
``Server-Timing`` header (``app`` = time inside the application, ``db`` = of it in
SQL), plus requests per second and the load average (the machine may be shared).
Targets (issue 13): p95 <= 300 ms for every kind and 0 errors; during a recompute
p95 <= 2 x baseline.

``python bench/bench_load.py [--db sqlite|postgres] [--file PATH] [--people N]
[--worker-class gthread|sync] [--threads T] [--duration S] [--no-recompute]``.
The seeded SQLite file (default /tmp/skillmap-bench-load.sqlite) is reused by later
runs with the same ``--people`` (a marker file beside it); ``--db postgres`` seeds
the throwaway database ``sm_load_bench`` (``--pg-url``), reused while it holds the
same number of people (``--fresh`` seeds again).
"""
from __future__ import annotations

import argparse
import http.cookiejar
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/sm_load_bench"
PASSWORD = "skillmap-demo"
N_EMPLOYEES, N_COORDINATORS, N_MANAGERS = 10, 5, 5
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
INPUT_RE = re.compile(r'<input([^>]*)>|<textarea([^>]*)>([^<]*)</textarea>')
ATTR_RE = re.compile(r'([\w-]+)(?:="([^"]*)")?')
EDIT_RE = re.compile(r'/profile/skills/(\d+)/edit')
TIMING_RE = re.compile(r'app;dur=([\d.]+)(?:, db;dur=([\d.]+))?')


# --------------------------------------------------------------------------- seeding

def schema_key() -> str:
    """A short hash of the tables and columns: a seeded file of an older schema is not reused."""
    import hashlib

    from skillmap.extensions import db
    import skillmap.models  # noqa: F401  (the tables)

    shape = sorted(f"{t.name}.{c.name}" for t in db.metadata.sorted_tables for c in t.columns)
    return hashlib.sha1("|".join(shape).encode()).hexdigest()[:8]


def seed(url: str, people: int, fresh: bool, marker: Path | None) -> dict:
    """Seed (or reuse) the database; return what the simulated users need."""
    from skillmap import create_app
    from skillmap.extensions import db

    app = create_app({"QUEUE_URL": "memory", "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "AUTO_RECOMPUTE": False})
    with app.app_context():
        from skillmap.models import Organisation, Person, PersonSkill, Project, User
        from skillmap.services import accounts, recompute
        from skillmap.services.demo import seed_demo
        from skillmap.services.taxonomy import load_taxonomy

        t0 = time.perf_counter()
        ready = marker.exists() if marker is not None else _pg_ready(db, people)
        if not ready or fresh:
            db.drop_all()
            db.create_all()
            org = accounts.get_or_create_organisation("Cooperativa Demo")
            load_taxonomy(org)
            seed_demo(org, people, 0)
            db.session.commit()
            taken = set(db.session.scalars(sa.select(User.person_id)
                                           .where(User.person_id.is_not(None))))
            others = db.session.scalars(
                sa.select(Person).where(Person.organisation_id == org.id, Person.id.not_in(taken),
                                        Person.id.in_(sa.select(PersonSkill.person_id)
                                                      .where(PersonSkill.level >= 1)))
                .order_by(Person.id).limit(N_EMPLOYEES)).all()
            for i, person in enumerate(others):
                accounts.create_user(org, f"bench-emp-{i}@demo.coop", PASSWORD, "employee",
                                     person=person)
            db.session.execute(sa.update(User).values(privacy_seen_at=sa.func.now()))
            db.session.commit()
            recompute.run_now(org.id)
            if marker is not None:
                marker.touch()
        # jobs left waiting by an earlier run sent their message to that run's queue: new
        # requests would join them and never run
        from skillmap.models import Job

        db.session.execute(sa.update(Job).where(Job.state.in_(("queued", "running")))
                           .values(state="failed", error="left over by an earlier benchmark"))
        db.session.commit()
        org_id = db.session.scalar(sa.select(Organisation.id).order_by(Organisation.id))
        projects = list(db.session.scalars(sa.select(Project.id).where(
            Project.organisation_id == org_id, Project.status == "staffing").order_by(Project.id)))
        n = db.session.scalar(sa.select(sa.func.count(Person.id)))
        rows = db.session.scalar(sa.select(sa.func.count(PersonSkill.id)))
        print(f"{n} people, {rows} profile rows ready in {time.perf_counter() - t0:.1f} s")
        db.engine.dispose()
    return {"org_id": org_id, "projects": projects,
            "employees": [f"bench-emp-{i}@demo.coop" for i in range(N_EMPLOYEES)]}


def _pg_ready(db, people: int) -> bool:
    from skillmap.models import Person, User

    try:
        return (db.session.scalar(sa.select(sa.func.count(Person.id))) >= people
                and db.session.scalar(sa.select(User.id).where(
                    User.email == f"bench-emp-{N_EMPLOYEES - 1}@demo.coop")) is not None)
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        return False


def ensure_pg_database(url: str) -> None:
    """Create the throwaway database if it does not exist."""
    u = sa.engine.make_url(url)
    admin = sa.create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"),
                           {"n": u.database}):
            conn.execute(sa.text(f'CREATE DATABASE "{u.database}"'))
    admin.dispose()


# --------------------------------------------------------------------------- client

class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Session:
    """One simulated person: a cookie jar, and a record of every request."""

    def __init__(self, base: str, record):
        self.base = base
        self.record = record
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect)

    def call(self, kind: str | None, path: str, data: dict | None = None, expect=(200,)):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        t = time.perf_counter()
        status, text, timing = 0, "", None
        try:
            with self.opener.open(self.base + path, body, timeout=120) as resp:
                status, raw, timing = resp.status, resp.read(), resp.headers.get("Server-Timing")
        except urllib.error.HTTPError as exc:
            status, raw, timing = exc.code, exc.read(), exc.headers.get("Server-Timing")
        except (urllib.error.URLError, OSError) as exc:
            raw = str(exc).encode()
        elapsed = time.perf_counter() - t
        if "xlsx" not in path:
            text = raw.decode("utf-8", "replace")
        app_ms = db_ms = None
        m = TIMING_RE.search(timing or "")
        if m:
            app_ms, db_ms = float(m.group(1)), float(m.group(2) or 0)
        ok = status in expect
        if kind is not None:
            self.record(kind, elapsed, ok, app_ms, db_ms)
        if not ok and kind is not None:
            self.record("_errors", (kind, status, path, text[:200]))
        return status, text

    def login(self, email: str) -> None:
        _status, html = self.call(None, "/login")
        status, _ = self.call(None, "/login", {"email": email, "password": PASSWORD,
                                               "csrf_token": CSRF_RE.search(html).group(1)},
                              expect=(302,))
        if status != 302:
            raise RuntimeError(f"cannot sign in as {email}: {status}")


def form_fields(html: str) -> dict:
    """What a browser would send for the form in ``html``: inputs as filled, checked boxes."""
    import html as htmllib

    out = {}
    for inp, area, text in INPUT_RE.findall(html):
        attrs = dict(ATTR_RE.findall(inp or area))
        name = attrs.get("name")
        if not name or attrs.get("type") == "submit":
            continue
        if area:
            out[name] = htmllib.unescape(text.lstrip("\n"))
        elif attrs.get("type") in ("radio", "checkbox"):
            if "checked" in attrs:
                out[name] = htmllib.unescape(attrs.get("value", "y"))
        else:
            out[name] = htmllib.unescape(attrs.get("value", ""))
    return out


def the_form(html: str, marker: str) -> str:
    """The first form of the page that contains ``marker``."""
    for part in html.split("<form")[1:]:
        part = part.split("</form>")[0]
        if marker in part:
            return part
    return ""


def employee(s: Session, pause, rng: random.Random):
    """Profile, a skill's form, a new level saved, the profile again (as after the redirect)."""
    while True:
        status, html = s.call("profile", "/profile")
        ids = EDIT_RE.findall(html) if status == 200 else []
        yield
        if not ids:
            continue
        ps_id = rng.choice(ids)
        status, form = s.call("skill form", f"/profile/skills/{ps_id}/edit")
        yield
        if status != 200:
            continue
        fields = form_fields(the_form(form, 'name="level"'))
        current = int(fields.get("level") or 3)
        fields["level"] = str(rng.choice([lv for lv in range(1, 6) if lv != current]))
        s.call("save level", f"/profile/skills/{ps_id}/edit", fields, expect=(302,))
        s.call("profile after save", "/profile")
        yield


def coordinator(s: Session, pause, rng: random.Random, projects: list[int]):
    """The team page of a staffing project, then asked again with an option changed."""
    while True:
        project = rng.choice(projects)
        s.call("team", f"/projects/{project}/team")
        yield
        option = rng.choice([{"max_per_unit": str(rng.randint(1, 3))},
                             {"growth_places": str(rng.randint(1, 2))}, {"widen": "y"}])
        s.call("team, option changed", f"/projects/{project}/team?"
               + urllib.parse.urlencode({"asked": "1", **option}))
        yield


def manager(s: Session, pause, rng: random.Random):
    """The skills matrix, the gap report, the matrix as XLSX."""
    while True:
        s.call("matrix", "/reports/matrix")
        yield
        s.call("gaps", "/reports/gaps")
        yield
        s.call("xlsx", "/reports/matrix.xlsx")
        yield


def login_page(s: Session, pause, rng):
    while True:
        s.call("login page", "/login")
        yield


# --------------------------------------------------------------------------- phases

class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.rows = defaultdict(list)   # kind -> [(elapsed, ok, app_ms, db_ms)]
        self.errors = []

    def __call__(self, kind, *values):
        with self.lock:
            if kind == "_errors":
                self.errors.append(values[0])
            else:
                self.rows[kind].append(values)


def run_phase(sessions, flows, seconds: float, seed: int) -> tuple[Recorder, float]:
    rec = Recorder()
    stop = time.monotonic() + seconds

    def user(i, s, flow):
        rng = random.Random(seed * 1000 + i)
        s.record = rec
        time.sleep(rng.uniform(0, 1.0))   # people do not all click at the same instant
        for _ in flow(s, None, rng):
            if time.monotonic() >= stop:
                return
            time.sleep(rng.uniform(0.5, 1.5))

    threads = [threading.Thread(target=user, args=(i, s, f), daemon=True)
               for i, (s, f) in enumerate(zip(sessions, flows))]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return rec, time.perf_counter() - t0


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))] if values else float("nan")


def report(title: str, rec: Recorder, wall: float, base_p95: float | None,
           same_kind: dict | None = None) -> dict:
    """Print the phase's table; returns each kind's p95. With ``same_kind`` (the p95 of
    each kind in the mix without a recompute) a column ``x mix`` gives their ratio, and
    ``ok`` also asks it to be at most 2."""
    load = os.getloadavg()
    n = sum(len(v) for v in rec.rows.values())
    print(f"\n== {title}: {n} requests in {wall:.0f} s = {n / wall:.1f} req/s; "
          f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"{'request':<22} {'count':>5} {'p50':>6} {'p95':>6} {'p99':>6} {'err':>4} {'x base':>6} "
          + (f"{'x mix':>6} " if same_kind else "")
          + f"{'srv p50':>8} {'srv p95':>8} {'db p50':>7} {'ok':>3}   (ms; srv = Server-Timing app)")
    p95s = {}
    for kind in sorted(rec.rows):
        rows = rec.rows[kind]
        times = [r[0] * 1000 for r in rows]
        app = [r[2] for r in rows if r[2] is not None]
        dbt = [r[3] for r in rows if r[3] is not None]
        errors = sum(not r[1] for r in rows)
        p95 = pct(times, 0.95)
        p95s[kind] = p95
        ratio = f"{p95 / base_p95:6.1f}" if base_p95 else f"{'-':>6}"
        ok = p95 <= 300 and errors == 0
        mix = ""
        if same_kind:
            before = same_kind.get(kind)
            mix = f"{p95 / before:6.1f} " if before else f"{'-':>6} "
            ok = ok and bool(before) and p95 <= 2 * before
        print(f"{kind:<22} {len(rows):>5} {pct(times, .5):>6.0f} {p95:>6.0f} {pct(times, .99):>6.0f} "
              f"{errors:>4} {ratio} {mix}{pct(app, .5):>8.1f} {pct(app, .95):>8.1f} "
              f"{pct(dbt, .5):>7.1f} {'yes' if ok else 'NO':>3}")
    for kind, status, path, text in rec.errors[:5]:
        print(f"   error: {kind} {status} {path} {text[:120]!r}")
    return p95s


# --------------------------------------------------------------------------- main

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(base: str, proc: subprocess.Popen) -> None:
    for _ in range(600):
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(base + "/login", timeout=5) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


class Recomputes(threading.Thread):
    """A queue consumer plus a loop that keeps a recompute queued for the organisation."""

    def __init__(self, env: dict, url: str, org_id: int):
        super().__init__(daemon=True)
        self.env, self.url, self.org_id = env, url, org_id
        self.stop = threading.Event()
        self.finished = 0
        self.failures: list[str] = []

    def run(self):
        from skillmap import create_app
        from skillmap.extensions import db
        from skillmap.models import Job
        from skillmap.services import recompute

        app = create_app({"QUEUE_URL": self.env["SKILLMAP_QUEUE_URL"], "SECRET_KEY": "bench",
                          "SQLALCHEMY_DATABASE_URI": self.url})
        with app.app_context():
            while not self.stop.is_set():
                try:
                    recompute.request(self.org_id, origin="bench")
                    db.session.commit()
                    self.finished = db.session.scalar(sa.select(sa.func.count(Job.id)).where(
                        Job.kind == recompute.KIND, Job.state == "done",
                        Job.finished_at >= self._t0))
                except sa.exc.SQLAlchemyError as exc:   # reported, and the loop goes on
                    db.session.rollback()
                    self.failures.append(str(exc).splitlines()[0])
                self.stop.wait(1.0)
            db.session.remove()

    def start(self):
        from skillmap.models.base import utcnow

        self._t0 = utcnow()
        super().start()


def jobs_done(url: str, before: dict | None = None):
    """Jobs finished by kind (since ``before``: a phrase for the phase's title)."""
    eng = sa.create_engine(url)
    with eng.connect() as conn:
        now = dict(conn.execute(sa.text(
            "SELECT kind, count(*) FROM job WHERE state = 'done' GROUP BY kind")).all())
    eng.dispose()
    if before is None:
        return now
    parts = [f"{now.get(k, 0) - before.get(k, 0)} {k}" for k in sorted(now)]
    return "jobs done: " + (", ".join(parts) or "none")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    ap.add_argument("--file", type=Path, default=Path(tempfile.gettempdir()) / "skillmap-bench-load.sqlite")
    ap.add_argument("--pg-url", default=os.environ.get("SKILLMAP_BENCH_PG_URL", PG_DEFAULT))
    ap.add_argument("--people", type=int, default=10_000)
    ap.add_argument("--fresh", action="store_true", help="seed again even if a seeded database exists")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--worker-class", default=None, help="gunicorn worker class (default: gunicorn.conf.py)")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--baseline", type=float, default=15)
    ap.add_argument("--duration", type=float, default=60)
    ap.add_argument("--no-recompute", action="store_true", help="skip the phase with a running recompute")
    args = ap.parse_args()

    if args.db == "postgres":
        url, marker = args.pg_url, None
        ensure_pg_database(url)
    else:
        url = f"sqlite:///{args.file}"
        marker = args.file.with_name(args.file.name + f".{args.people}.{schema_key()}.seeded")
        if not marker.exists() or args.fresh:
            args.file.unlink(missing_ok=True)
            marker.unlink(missing_ok=True)
    info = seed(url, args.people, args.fresh, marker)

    tmp = Path(tempfile.mkdtemp(prefix="skillmap-load-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "SKILLMAP_DATABASE_URL": url, "SKILLMAP_SECRET_KEY": "bench",
           "SKILLMAP_QUEUE_URL": f"sqlite:///{tmp / 'queue.sqlite'}"}
    cmd = [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "-w", str(args.workers),
           "-b", f"127.0.0.1:{port}"]
    if args.worker_class:
        cmd += ["-k", args.worker_class]
    if args.threads:
        cmd += ["--threads", str(args.threads)]
    cmd.append("skillmap:create_app()")
    server = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=open(tmp / "gunicorn.log", "w"))
    # the queue consumer a production install runs beside the web server (``make run``):
    # it computes the report snapshots and the engine results after edits
    worker = subprocess.Popen([str(BIN / "flask"), "--app", "skillmap", "jobs-worker",
                               "--workers", "1", "--no-periodic"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL,
                              stderr=open(tmp / "jobs-worker.log", "w"))
    try:
        wait_up(base, server)
        kind = args.worker_class or "gthread (gunicorn.conf.py)"
        print(f"gunicorn: {args.workers} workers, {kind}"
              + (f", {args.threads} threads" if args.threads else "") + f", {args.db}; log in {tmp}")
        rec = Recorder()
        coords, mans = ["coordinatore@demo.coop"] * N_COORDINATORS, ["hr@demo.coop"] * N_MANAGERS
        sessions = []
        for email in info["employees"] + coords + mans:
            s = Session(base, rec)
            s.login(email)
            sessions.append(s)
        flows = ([employee] * N_EMPLOYEES
                 + [lambda s, p, r: coordinator(s, p, r, info["projects"])] * N_COORDINATORS
                 + [manager] * N_MANAGERS)
        print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        run_phase(sessions, flows, 8, seed=99)   # warm-up: imports, first caches
        anonymous = [Session(base, rec) for _ in sessions]   # signed-in users are sent home
        rec, wall = run_phase(anonymous, [login_page] * len(sessions), args.baseline, seed=1)
        report(f"baseline: login page, {len(sessions)} users", rec, wall, None)
        base_p95 = pct([r[0] * 1000 for r in rec.rows["login page"]], 0.95)
        done = jobs_done(url)
        rec, wall = run_phase(sessions, flows, args.duration, seed=2)
        mix_p95 = report(f"mix: {N_EMPLOYEES} employees, {N_COORDINATORS} coordinators, "
                         f"{N_MANAGERS} managers ({jobs_done(url, done)})", rec, wall, base_p95)
        if not args.no_recompute:
            loop = Recomputes(env, url, info["org_id"])
            loop.start()
            done = jobs_done(url)
            rec, wall = run_phase(sessions, flows, args.duration, seed=3)
            loop.stop.set()
            loop.join()
            report(f"mix while recomputes run ({loop.finished} finished; {jobs_done(url, done)})",
                   rec, wall, base_p95, same_kind=mix_p95)
            for failure in sorted(set(loop.failures)):
                print(f"   queueing a recompute failed {loop.failures.count(failure)} times: "
                      f"{failure[:200]}")
        print(f"\nbaseline p95 (login page): {base_p95:.0f} ms. Targets: p95 <= 300 ms and "
              "0 errors per kind; with a recompute running, each kind's p95 at most twice its p95 "
              "in the mix without one (x mix <= 2; x base is the ratio to the login page).")
    finally:
        for proc in (worker, server):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(20)
                except subprocess.TimeoutExpired:
                    proc.kill()


if __name__ == "__main__":
    main()
