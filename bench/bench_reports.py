"""Manager reports with 10,000 people: page and export times against the home page.

Seeds ``seed_demo`` (10,000 people) into a temporary SQLite database, computes
the engine's cached families once (as ``flask recompute`` does in production),
then times each report page and each CSV / XLSX export through the Flask test
client, signed in as the demo manager. Reports keep their inputs in memory
while the data is unchanged (``skillmap.services.versions``): each URL is
timed both from that cache and "cold" (cache emptied first, as after an edit).
Prints median and p95 per URL, the ratio to the manager home page measured in
the same run, and the load average before and after. Targets: pages < 500 ms, exports < 2 s.
``python bench/bench_reports.py [--people N] [--runs R] [--db PATH]``: with
``--db`` the seeded database is kept in PATH and reused by later runs with the
same ``--people`` (seeding 10,000 people takes a minute).
"""
from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from skillmap import create_app
from skillmap.extensions import db
from skillmap.services import versions as cache

REPORTS = ["matrix", "gaps", "growth", "trends", "families"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--db", type=Path, help="SQLite file to reuse between runs")
    args = ap.parse_args()
    tmp = args.db or Path(tempfile.mkdtemp()) / "bench.sqlite"
    marker = tmp.with_name(tmp.name + f".{args.people}.seeded")
    if args.db and not marker.exists():
        tmp.unlink(missing_ok=True)
    app = create_app({"QUEUE_URL": "memory", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}", "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False})
    with app.app_context():
        from skillmap.models import User
        from skillmap.services import recompute
        from skillmap.services.accounts import get_or_create_organisation
        from skillmap.services.demo import seed_demo
        from skillmap.services.taxonomy import load_taxonomy

        t0 = time.perf_counter()
        if not marker.exists():
            db.create_all()
            org = get_or_create_organisation("Cooperativa Demo")
            load_taxonomy(org)
            seed_demo(org, args.people, 0)
            db.session.commit()
            recompute.run_now(org.id)
            user = db.session.scalar(sa.select(User).where(User.email == "hr@demo.coop"))
            user.privacy_seen_at = sa.func.now()
            db.session.commit()
            if args.db:
                marker.touch()
        area = db.session.scalar(sa.text("SELECT id FROM skill_area WHERE parent_id IS NULL "
                                         "ORDER BY position, code LIMIT 1"))
        unit = db.session.scalar(sa.text("SELECT unit_id FROM person GROUP BY unit_id "
                                         "ORDER BY count(*) DESC LIMIT 1"))
        print(f"{args.people} people ready in {time.perf_counter() - t0:.1f} s ({tmp})")
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))

    client = app.test_client()
    resp = client.post("/login", data={"email": "hr@demo.coop", "password": "skillmap-demo"})
    assert resp.status_code == 302, resp.status_code
    urls = ["/"] + [f"/reports/{r}" for r in REPORTS] + [
        f"/reports/matrix?area={area}", f"/reports/gaps?unit={unit}"] + [
        f"/reports/{r}.{fmt}" for r in REPORTS for fmt in ("csv", "xlsx")]
    results = {}
    for url in urls:
        client.get(url)  # warm-up
        warm, cold = [], []
        for _ in range(args.runs):
            t = time.perf_counter()
            resp = client.get(url)
            warm.append(time.perf_counter() - t)
            assert resp.status_code == 200, (url, resp.status_code)
            cache.clear()  # as after an edit: everything read and computed again
            t = time.perf_counter()
            resp = client.get(url)
            cold.append(time.perf_counter() - t)
            assert resp.status_code == 200, (url, resp.status_code)
        results[url] = (statistics.median(warm), p95(warm), statistics.median(cold), p95(cold))
    print("load average after:  {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    base = results["/"][0]
    print(f"{'url':<30} {'median':>7} {'p95':>6} {'x home':>7} {'cold med':>9} {'cold p95':>9} "
          f"{'x home':>7} {'target':>7}  ok   (ms; cold = first view after an edit)")
    for url, (med, hi, cmed, chi) in results.items():
        target = 2.0 if "." in url.rsplit("/", 1)[-1].split("?")[0] else 0.5
        ok = "yes" if max(hi, chi) < target else "NO"
        print(f"{url:<30} {med * 1000:>7.0f} {hi * 1000:>6.0f} {med / base:>7.1f} "
              f"{cmed * 1000:>9.0f} {chi * 1000:>9.0f} {cmed / base:>7.1f} {target * 1000:>7.0f}  "
              f"{ok if url != '/' else '(baseline)'}")


def p95(times: list[float]) -> float:
    times = sorted(times)
    return times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]

if __name__ == "__main__":
    main()
