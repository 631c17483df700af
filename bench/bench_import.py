"""Benchmark the bulk import of people and skills: 10,000 people x 20 skills = 200,000 rows.

Plain script, not a test::

    .venv/bin/python bench/bench_import.py                  # 10,000 people x 20 skills
    .venv/bin/python bench/bench_import.py --people 2000    # quicker

Writes a CSV of one row per person and skill (the person's columns repeated, as an
HR export would), then on a fresh SQLite file with the shipped taxonomy times

1. reading the file (:func:`skillmap.services.tabular.read_table`),
2. validating every row against the database (:func:`people_import.validate`),
3. writing it and committing (:func:`people_import.apply`),
4. the same file again (validated, nothing to write: the import is idempotent).

The baseline, measured in the same run on the same database file: a plain DB-API
``executemany`` INSERT of the same 200,000 rows (nine text columns, parsed by
``csv.reader``) into a scratch table, then a commit. The ratio says what checking and
resolving every row (e-mail, names, units, titles, skills by code/name/alias, levels,
duplicates) and writing people, skills and history costs beyond storing the raw rows.
Target: import (read + validate + write) under 30 s.
"""
from __future__ import annotations

import argparse
import csv
import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import sqlalchemy as sa  # noqa: E402

from skillmap import create_app  # noqa: E402
from skillmap.extensions import db  # noqa: E402

TARGET_S = 30.0
RELATIONSHIPS = ("socio lavoratore", "dipendente", "collaboratore", "volontario")


def make_csv(skills: list[tuple[str, str]], units: list[str], n_people: int, per_person: int,
             seed: int = 0) -> bytes:
    """The file an HR office would export: codes for some skills, Italian names for others."""
    rng = random.Random(seed)
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    w.writerow(["email", "nome", "cognome", "unita", "mansione", "rapporto", "competenza",
                "livello", "ultimo_uso", "matricola"])
    for i in range(n_people):
        first, last = f"Nome{i}", f"Cognome{i % 997}"
        unit, title = units[i % len(units)], f"Mansione {i % 25}"
        rel = RELATIONSHIPS[i % len(RELATIONSHIPS)]
        for code, name in rng.sample(skills, per_person):
            w.writerow([f"persona{i}@coop.example", first, last, unit, title, rel,
                        code if rng.random() < 0.5 else name, rng.randint(0, 5),
                        rng.choice(("", "2022", "2024")), f"M{i:06d}"])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def loadavg() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def baseline(db_path: str, data: bytes) -> tuple[float, int]:
    """Plain executemany of the parsed rows into a scratch table of the same database."""
    import sqlite3

    start = time.perf_counter()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    con = sqlite3.connect(db_path)
    con.execute("DROP TABLE IF EXISTS bench_rows")
    con.execute("CREATE TABLE bench_rows (email TEXT, nome TEXT, cognome TEXT, unita TEXT, "
                "mansione TEXT, rapporto TEXT, competenza TEXT, livello TEXT, ultimo_uso TEXT, "
                "matricola TEXT)")
    con.executemany("INSERT INTO bench_rows VALUES (?,?,?,?,?,?,?,?,?,?)", rows[1:])
    con.commit()
    elapsed = time.perf_counter() - start
    con.execute("DROP TABLE bench_rows")
    con.commit()
    con.close()
    return elapsed, len(rows) - 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--people", type=int, default=10_000)
    ap.add_argument("--skills", type=int, default=20, help="skills per person")
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="bench-import-")
    db_path = os.path.join(tmp, "bench.sqlite")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}", "SECRET_KEY": "bench",
                      "QUEUE_URL": "memory", "AUTO_RECOMPUTE": False,
                      # the bench file is ~20 MB: above the 10 MB default of an upload
                      "IMPORT_MAX_BYTES": 256 * 1024 * 1024, "IMPORT_DIR": tmp})
    from flask_babel import force_locale
    from flask_migrate import upgrade

    from skillmap.models import Person, PersonSkill, Skill, SkillChange, Unit
    from skillmap.services import people_import
    from skillmap.services.accounts import get_or_create_organisation
    from skillmap.services.taxonomy import load_taxonomy

    with app.app_context(), force_locale("it"):
        upgrade()
        org = get_or_create_organisation(app.config["ORGANISATION_NAME"])
        load_taxonomy(org)
        units = [f"Unità {i}" for i in range(12)]
        db.session.add_all(Unit(organisation_id=org.id, name=u) for u in units)
        db.session.commit()
        skills = db.session.execute(sa.select(Skill.code, Skill.name_it)
                                    .where(Skill.organisation_id == org.id)).all()
        data = make_csv([tuple(s) for s in skills], units, args.people, args.skills)
        n_rows = args.people * args.skills
        print(f"file: {n_rows:,} rows, {len(data) / 1024 / 1024:.1f} MB; "
              f"{len(skills)} skills in the taxonomy")
        print(f"load average before: {loadavg()}")

        base, n_base = baseline(db_path, data)
        assert n_base == n_rows

        def run(label: str):
            t0 = time.perf_counter()
            table = people_import.read(data, "bench.csv")
            t1 = time.perf_counter()
            plan = people_import.validate(org.id, table, filename="bench.csv")
            t2 = time.perf_counter()
            assert plan.report.ok, plan.report.text()[:2000]
            counts = people_import.apply(plan, actor_id=None)
            db.session.commit()
            t3 = time.perf_counter()
            total = t3 - t0
            print(f"{label:<22} read {t1 - t0:6.2f} s  validate {t2 - t1:6.2f} s  "
                  f"write+commit {t3 - t2:6.2f} s  total {total:6.2f} s  "
                  f"ratio to executemany {total / base:5.1f}x  "
                  f"-> {'ok' if total < TARGET_S else 'SLOW'} (target {TARGET_S:.0f} s)")
            print(f"{'':<22} {counts}")
            return total

        print(f"{'baseline':<22} executemany of the same {n_rows:,} rows + commit: {base:.2f} s")
        run("first import")
        count = lambda m: db.session.scalar(sa.select(sa.func.count()).select_from(m))  # noqa
        got = (count(Person), count(PersonSkill), count(SkillChange))
        assert got == (args.people, n_rows, n_rows), got
        run("same file again")
        assert (count(Person), count(PersonSkill), count(SkillChange)) == got
        print(f"load average after: {loadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
