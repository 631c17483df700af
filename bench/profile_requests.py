"""Where the time of one request goes at 10,000 people: cProfile of the slow requests.

Uses the database seeded by ``bench/bench_load.py`` (run it once first; the same
``--file`` / ``--db postgres``) and the Flask test client, one request at a time,
so the figures are server time without any queueing. For each request it prints
the median time over ``--runs`` runs and, with ``--profile``, the functions with
the most cumulative time in one run:

* ``save level``: POST of a new level through the edit form (target <= 20 ms);
* ``profile after save``: GET /profile right after it (the engine model for
  "skills you could grow next" is at a new data version: ``engine.update`` runs);
* ``profile, same version``: the same page again with nothing changed;
* ``team after edit``: the team page of a staffing project right after an edit
  elsewhere in the organisation (target <= 100 ms);
* ``team, same version``: the same page again with nothing changed;
* ``team, new question[, unit limit | growth]``: a question the engine has not answered
  yet (its cached answers dropped first): the engine solves again;
* ``profile_table (cold)``: the one profile reader reading every row again (as after
  any edit), alone;
* ``engine.prepare``: the prepared model of the whole organisation from a frame already
  read, alone (what "skills you could grow next" needs after each edit).

``python bench/profile_requests.py [--db sqlite|postgres] [--file PATH] [--runs N]
[--profile] [--top N] [--sql] [--only NAME ...]``
(``PROFILE_SORT=tottime`` sorts the profile by time spent in each function itself)
"""
from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import os
import pstats
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_load import PG_DEFAULT, form_fields, the_form  # noqa: E402

EDIT_RE = re.compile(r'/profile/skills/(\d+)/edit')


@contextlib.contextmanager
def statements(engine):
    """Collect (ms, first 150 characters) of every statement ``engine`` runs meanwhile."""
    seen, started = [], {}

    def before(conn, cursor, statement, parameters, context, executemany):
        started[id(cursor)] = time.perf_counter()

    def after(conn, cursor, statement, parameters, context, executemany):
        ms = (time.perf_counter() - started.pop(id(cursor), time.perf_counter())) * 1000
        seen.append((ms, " ".join(statement.split())[:150]))

    sa.event.listen(engine, "before_cursor_execute", before)
    sa.event.listen(engine, "after_cursor_execute", after)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
        sa.event.remove(engine, "after_cursor_execute", after)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    ap.add_argument("--file", type=Path, default=Path(tempfile.gettempdir()) / "skillmap-bench-load.sqlite")
    ap.add_argument("--pg-url", default=os.environ.get("SKILLMAP_BENCH_PG_URL", PG_DEFAULT))
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--profile", action="store_true", help="print a cProfile of one run of each")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--only", nargs="*", help="only the cases whose name contains one of these")
    ap.add_argument("--sql", action="store_true",
                    help="list the SQL statements of one run of each, with their time")
    args = ap.parse_args()
    url = args.pg_url if args.db == "postgres" else f"sqlite:///{args.file}"

    from skillmap import create_app, engine
    from skillmap.extensions import db
    from skillmap.models import Project
    from skillmap.services import versions
    from skillmap.services.profile_data import profile_table, profiles_frame

    app = create_app({"QUEUE_URL": "memory", "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "AUTO_RECOMPUTE": False})
    employee, coordinator, manager = app.test_client(), app.test_client(), app.test_client()
    for client, email in ((employee, "bench-emp-0@demo.coop"), (coordinator, "coordinatore@demo.coop"),
                          (manager, "hr@demo.coop")):
        html = client.get("/login").get_data(as_text=True)
        resp = client.post("/login", data={"email": email, "password": "skillmap-demo",
                                           "csrf_token": form_fields(html)["csrf_token"]})
        assert resp.status_code == 302, (email, resp.status_code)
    with app.app_context():
        project = db.session.scalar(sa.select(Project.id).where(Project.status == "staffing")
                                    .order_by(Project.id))
        org = db.session.scalar(sa.select(Project.organisation_id).where(Project.id == project))
    ps_ids = EDIT_RE.findall(employee.get("/profile").get_data(as_text=True))
    level = [1]

    def save():
        level[0] = level[0] % 5 + 1
        path = f"/profile/skills/{ps_ids[0]}/edit"
        fields = form_fields(the_form(employee.get(path).get_data(as_text=True), 'name="level"'))
        fields["level"] = str(level[0])
        return lambda: employee.post(path, data=fields)

    def after(prepare, client=None, path=None):
        def setup():
            prepare()()
            return lambda: (client or coordinator).get(path or f"/projects/{project}/team")
        return setup

    def new_question(query=""):
        """The team page for a question not asked before (the engine solves again)."""
        def setup():
            with versions._LOCK:
                for key in [k for k in versions._CACHE if k[2] == "team_suggestion"]:
                    del versions._CACHE[key]
            return lambda: coordinator.get(f"/projects/{project}/team{query}")
        return setup

    def profile_after_save():
        save()()
        return lambda: employee.get("/profile")

    def reader():
        versions.clear()   # as after an edit: the one reader reads every profile row again

        def run():
            with app.app_context():
                profile_table(org)
        return run

    def prepare():
        with app.app_context():
            frame = profiles_frame(org)

        def run():
            engine.prepare(frame)
        return run

    def snapshot():
        """What the queue consumer does after an edit: the report snapshots."""
        from skillmap.services import jobs, report_snapshots

        with app.app_context():
            job = report_snapshots.request(org, origin="bench", delay=0)[0]
            db.session.info.pop(jobs.PENDING, None)
            db.session.commit()
            jobs.run(job.id)

    def from_snapshot(path):
        def setup():
            save()()       # the snapshot is now one version behind: served "as of"
            return lambda: manager.get(path)
        return setup

    cases = [("save level", save, 20), ("profile after save", profile_after_save, None),
             ("profile, same version", lambda: lambda: employee.get("/profile"), None),
             ("team after edit", after(save), 100),
             ("team, same version", lambda: lambda: coordinator.get(f"/projects/{project}/team"), 100),
             ("team, new question", new_question(), 100),
             ("team, new question, unit limit", new_question("?asked=1&max_per_unit=2"), 100),
             ("team, new question, growth", new_question("?asked=1&growth_places=2"), 100),
             ("matrix after edit", after(save, manager, "/reports/matrix"), 100),
             ("gaps after edit", after(save, manager, "/reports/gaps"), 100),
             ("xlsx after edit", after(save, manager, "/reports/matrix.xlsx"), None),
             ("gaps, same version", lambda: lambda: manager.get("/reports/gaps"), 100),
             ("matrix after edit, snapshot", from_snapshot("/reports/matrix"), 100),
             ("gaps after edit, snapshot", from_snapshot("/reports/gaps"), 100),
             ("xlsx after edit, snapshot", from_snapshot("/reports/matrix.xlsx"), None),
             ("profile_table (cold)", reader, None), ("engine.prepare", prepare, None)]
    if args.only:
        cases = [c for c in cases if any(o in c[0] for o in args.only)]
    print("load average: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    with app.app_context():
        # without a snapshot the unfiltered reports are computed in the request ("after edit")
        app.config["REPORT_SNAPSHOTS"] = False
    print(f"{'request':<28} {'median':>7} {'min':>6} {'target':>7}   (ms, server side, one at a time)")
    for name, setup, target in cases:
        if "snapshot" in name and not app.config["REPORT_SNAPSHOTS"]:
            app.config["REPORT_SNAPSHOTS"] = True
            snapshot()
        times = []
        for _ in range(args.runs):
            run = setup()
            t = time.perf_counter()
            resp = run()
            times.append((time.perf_counter() - t) * 1000)
            if resp is not None:
                assert resp.status_code in (200, 302), (name, resp.status_code)
        print(f"{name:<28} {statistics.median(times):>7.1f} {min(times):>6.1f} "
              f"{target if target else '':>7}")
        if args.profile:
            run = setup()
            prof = cProfile.Profile()
            prof.enable()
            run()
            prof.disable()
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(args.top)
            lines = [ln for ln in out.getvalue().splitlines() if ln.strip()]
            print(f"--- profile of one '{name}'")
            print("\n".join(lines[2:args.top + 8]))
        if args.sql:
            run = setup()
            with app.app_context():
                engine_ = db.engine
            with statements(engine_) as seen:
                run()
            print(f"--- {len(seen)} SQL statements of one '{name}', "
                  f"{sum(ms for ms, _ in seen):.1f} ms in all")
            for ms, text in seen:
                print(f"{ms:7.2f}  {text}")
    print("load average: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
