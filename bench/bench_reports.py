"""Manager reports with 10,000 people: page and export times against the home page.

Seeds ``seed_demo`` (10,000 people) into a temporary SQLite database, computes
the engine's cached families once (as ``flask recompute`` does in production),
then times each report page and each CSV / XLSX export through the Flask test
client, signed in as the demo manager. Prints median and p95 per URL, and the
ratio to the manager home page measured in the same run. Targets: pages
< 500 ms, exports < 2 s. ``python bench/bench_reports.py [--people N] [--runs R]``
"""
from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from skillmap import create_app
from skillmap.extensions import db

REPORTS = ["matrix", "gaps", "growth", "trends", "families"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp()) / "bench.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}", "SECRET_KEY": "bench",
                      "WTF_CSRF_ENABLED": False})
    with app.app_context():
        from skillmap.models import User
        from skillmap.services import analytics
        from skillmap.services.accounts import get_or_create_organisation
        from skillmap.services.demo import seed_demo
        from skillmap.services.taxonomy import load_taxonomy

        t0 = time.perf_counter()
        db.create_all()
        org = get_or_create_organisation("Cooperativa Demo")
        load_taxonomy(org)
        seed_demo(org, args.people, 0)
        analytics.recompute(org.id)
        user = db.session.scalar(sa.select(User).where(User.email == "hr@demo.coop"))
        user.privacy_seen_at = sa.func.now()
        db.session.commit()
        area = db.session.scalar(sa.text("SELECT id FROM skill_area WHERE parent_id IS NULL "
                                         "ORDER BY position, code LIMIT 1"))
        unit = db.session.scalar(sa.text("SELECT unit_id FROM person GROUP BY unit_id "
                                         "ORDER BY count(*) DESC LIMIT 1"))
        print(f"seeded {args.people} people in {time.perf_counter() - t0:.1f} s ({tmp})")

    client = app.test_client()
    resp = client.post("/login", data={"email": "hr@demo.coop", "password": "skillmap-demo"})
    assert resp.status_code == 302, resp.status_code
    urls = ["/"] + [f"/reports/{r}" for r in REPORTS] + [
        f"/reports/matrix?area={area}", f"/reports/gaps?unit={unit}"] + [
        f"/reports/{r}.{fmt}" for r in REPORTS for fmt in ("csv", "xlsx")]
    results = {}
    for url in urls:
        client.get(url)  # warm-up
        times = []
        for _ in range(args.runs):
            t = time.perf_counter()
            resp = client.get(url)
            times.append(time.perf_counter() - t)
            assert resp.status_code == 200, (url, resp.status_code)
        times.sort()
        results[url] = (statistics.median(times),
                        times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))])
    base = results["/"][0]
    print(f"{'url':<34} {'median ms':>10} {'p95 ms':>8} {'x home':>7} {'target':>7}  ok")
    for url, (med, p95) in results.items():
        target = 2.0 if "." in url.rsplit("/", 1)[-1].split("?")[0] else 0.5
        ok = "yes" if p95 < target else "NO"
        print(f"{url:<34} {med * 1000:>10.0f} {p95 * 1000:>8.0f} {med / base:>7.1f} "
              f"{target * 1000:>6.0f}  {ok if url != '/' else '(baseline)'}")


if __name__ == "__main__":
    main()
