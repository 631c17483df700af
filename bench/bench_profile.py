"""Benchmark the profile pages at the foundation's scale: 10,000 people, ~250 skills.

Plain script, not a test::

    .venv/bin/python bench/bench_profile.py            # 10,000 people, 200 requests each
    .venv/bin/python bench/bench_profile.py --people 2000 --requests 50   # quicker

Seeds the demo cooperative into a temporary SQLite file with ``seed_demo``
(about 20 s for 10,000 people), signs in through the real login form as the
demo employee (and the demo coordinator for the pages only they open), then
times N requests per URL through the Flask test client. The floor is the
login page rendered for an anonymous visitor, measured in the same run: the
ratio says how much each page costs beyond rendering a page at all. Target:
the profile page and the skill search under 100 ms (median and p95).
"""
from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import sqlalchemy as sa  # noqa: E402

from skillmap import create_app  # noqa: E402
from skillmap.extensions import db  # noqa: E402

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
TARGET_MS = 100.0
QUERIES = ("inglese", "primo socorso", "python", "comunicazione efficace", "excel",
           "assistenza domiciliare", "gestione progetti", "lavoro di squadra")


def seed(app, n_people: int) -> None:
    from flask_migrate import upgrade

    from skillmap.models import User
    from skillmap.services.accounts import get_or_create_organisation
    from skillmap.services.demo import seed_demo
    from skillmap.services.taxonomy import load_taxonomy

    with app.app_context():
        upgrade()
        org = get_or_create_organisation(app.config["ORGANISATION_NAME"])
        load_taxonomy(org)
        seed_demo(org, n_people, 0)
        db.session.execute(sa.update(User).values(privacy_seen_at=sa.func.now()))
        db.session.commit()


def signed_in(app, email: str):
    client = app.test_client()
    token = CSRF_RE.search(client.get("/login").get_data(as_text=True)).group(1)
    resp = client.post("/login", data={"email": email, "password": "skillmap-demo",
                                       "csrf_token": token})
    assert resp.status_code == 302 and "/login" not in resp.headers["Location"], email
    return client


def timed(client, urls: list[str], n: int) -> list[float]:
    for url in urls[:3]:  # warm up caches (templates, search index, SQLite pages)
        assert client.get(url).status_code == 200, url
    out = []
    for i in range(n):
        url = urls[i % len(urls)]
        start = time.perf_counter()
        resp = client.get(url)
        out.append((time.perf_counter() - start) * 1000)
        assert resp.status_code == 200, (url, resp.status_code)
    return out


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"QUEUE_URL": "memory", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite",
                          "SECRET_KEY": "bench", "ORGANISATION_NAME": "Cooperativa Demo"})
        start = time.perf_counter()
        seed(app, args.people)
        from skillmap.models import Person, PersonSkill, Skill, User

        with app.app_context():
            n_people = db.session.scalar(sa.select(sa.func.count(Person.id)))
            n_rows = db.session.scalar(sa.select(sa.func.count(PersonSkill.id)))
            n_skills = db.session.scalar(sa.select(sa.func.count(Skill.id)))
            employee = db.session.scalar(sa.select(User.person_id).where(
                User.email == "dipendente@demo.coop"))
            own = db.session.scalar(sa.select(sa.func.count(PersonSkill.id)).where(
                PersonSkill.person_id == employee))
        print(f"seeded {n_people} people, {n_rows} profile rows, {n_skills} skills "
              f"in {time.perf_counter() - start:.1f} s (the demo employee holds {own} rows)")

        anon = app.test_client()
        emp = signed_in(app, "dipendente@demo.coop")
        coord = signed_in(app, "coordinatore@demo.coop")
        cases = [
            ("login page (floor)", anon, ["/login"]),
            ("GET /profile", emp, ["/profile"]),
            ("skill search JSON", emp, [f"/profile/skills/search.json?q={q}" for q in QUERIES]),
            ("skill search page (no JS)", emp, [f"/profile/skills/search?q={q}" for q in QUERIES]),
            ("edit skill form", emp, None),
            ("colleagues by skill (employee)", emp, [f"/people?skill={q}" for q in QUERIES]),
            ("people by skill (coordinator)", coord, [f"/people?skill={q}" for q in QUERIES]),
            ("JSON export", emp, ["/profile/data.json"]),
        ]
        with app.app_context():
            ps_id = db.session.scalar(sa.select(PersonSkill.id).where(
                PersonSkill.person_id == employee).limit(1))
        results = {}
        print(f"\n{args.requests} requests per row, times in ms")
        print(f"{'page':34} {'median':>8} {'p95':>8} {'x floor':>8}  target")
        for label, client, urls in cases:
            urls = urls or [f"/profile/skills/{ps_id}/edit"]
            times = timed(client, urls, args.requests)
            results[label] = (statistics.median(times), p95(times))
            floor = results["login page (floor)"][0]
            med, high = results[label]
            flag = ""
            if label in ("GET /profile", "skill search JSON", "skill search page (no JS)"):
                flag = "ok (<100 ms)" if high < TARGET_MS else "SLOW (>=100 ms)"
            print(f"{label:34} {med:8.1f} {high:8.1f} {med / floor:8.1f}  {flag}")


if __name__ == "__main__":
    main()
