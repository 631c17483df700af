"""Benchmark the ESCO taxonomy import: 14,000 skills, Italian then English.

Plain script, not a test::

    .venv/bin/python bench/bench_esco.py                  # 14,000 skills
    .venv/bin/python bench/bench_esco.py --skills 3000    # quicker

Writes two files the way ESCO's CSV download is written (every column, comma-separated,
``altLabels`` one a line inside quoted fields, descriptions with commas and quotes):
``skills_it.csv`` and ``skills_en.csv``, the same concepts in two languages, a mix of
"skill/competence" and "knowledge"; the first rows carry the Italian names of skills of
the shipped taxonomy, so they match by name. Then, on a fresh SQLite file with the shipped
taxonomy loaded, it times

1. a dry run of the Italian file (read + validate, nothing written),
2. the Italian file for real (read + validate + write + commit: mostly new skills),
3. the English file (every row matched by URI: English names and descriptions written),
4. the Italian file again (everything matched, nothing to write).

The baseline, measured in the same run on the same database file: ``csv.reader`` on the
Italian file and one DB-API ``executemany`` INSERT of the same number of rows (URI, label,
alternative labels, description) into a scratch table, then a commit. The ratio says what
matching every concept against the taxonomy (URI, names, aliases, folded), checking it and
writing skills, aliases and the audit costs beyond storing the raw rows.
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
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import sqlalchemy as sa  # noqa: E402

from skillmap import create_app  # noqa: E402
from skillmap.extensions import db  # noqa: E402

HEADER = ["conceptType", "conceptUri", "skillType", "reuseLevel", "preferredLabel",
          "altLabels", "hiddenLabels", "status", "modifiedDate", "scopeNote", "definition",
          "inScheme", "description"]
WORDS = {
    "it": ("gestire", "pianificare", "valutare", "assistere", "progettare", "controllare",
           "insegnare", "organizzare", "registrare", "applicare", "sviluppare", "coordinare"),
    "en": ("manage", "plan", "assess", "assist", "design", "monitor", "teach", "organise",
           "record", "apply", "develop", "coordinate"),
}
OBJECTS = {
    "it": ("turni di lavoro", "servizi educativi", "attività agricole", "cantieri", "magazzino",
           "cure domiciliari", "reti informatiche", "bilanci", "laboratori", "progetti sociali",
           "pratiche amministrative", "percorsi formativi", "spazi verdi", "mense"),
    "en": ("work shifts", "educational services", "farming activities", "building sites",
           "warehouse", "home care", "computer networks", "budgets", "workshops",
           "social projects", "administrative files", "training paths", "green spaces",
           "canteens"),
}


def make_files(n: int, matches: list[str], seed: int = 0) -> tuple[bytes, bytes]:
    """(Italian file, English file): the same ``n`` concepts; the first ``len(matches)``
    Italian labels are names of skills already in the taxonomy."""
    rng = random.Random(seed)
    out = {"it": io.StringIO(), "en": io.StringIO()}
    writers = {k: csv.DictWriter(v, fieldnames=HEADER, lineterminator="\n")
               for k, v in out.items()}
    for w in writers.values():
        w.writeheader()
    for i in range(n):
        uri = f"http://data.europa.eu/esco/skill/{uuid.UUID(int=rng.getrandbits(128))}"
        kind = "knowledge" if i % 3 == 0 else "skill/competence"
        verb, obj = rng.randrange(12), rng.randrange(14)
        alts = rng.randrange(0, 6)
        for lang, w in writers.items():
            if lang == "it" and i < len(matches):
                label = matches[i]
            else:
                label = f"{WORDS[lang][verb]} {OBJECTS[lang][obj]} {i}"
            alt = "\n".join(f"{WORDS[lang][(verb + k) % 12]} {OBJECTS[lang][obj]} {i}-{k}"
                            for k in range(1, alts + 1))
            description = (f"{label.capitalize()}: \"{WORDS[lang][verb]}\", "
                           f"{OBJECTS[lang][obj]}, " + "lorem ipsum dolor " * rng.randrange(3, 12))
            w.writerow({"conceptType": "KnowledgeSkillCompetence", "conceptUri": uri,
                        "skillType": kind, "reuseLevel": "sector-specific",
                        "preferredLabel": label, "altLabels": alt, "hiddenLabels": "",
                        "status": "released", "modifiedDate": "2023-11-10T10:00:00.000Z",
                        "scopeNote": "", "definition": "",
                        "inScheme": "http://data.europa.eu/esco/concept-scheme/member-skills",
                        "description": description.strip()})
    return (out["it"].getvalue().encode("utf-8"), out["en"].getvalue().encode("utf-8"))


def loadavg() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def baseline(db_path: str, data: bytes) -> tuple[float, int]:
    """csv.reader and a plain executemany of the same rows into a scratch table."""
    import sqlite3

    start = time.perf_counter()
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    at = {name: i for i, name in enumerate(rows[0])}
    cols = [at[c] for c in ("conceptUri", "preferredLabel", "altLabels", "description")]
    con = sqlite3.connect(db_path)
    con.execute("DROP TABLE IF EXISTS bench_skills")
    con.execute("CREATE TABLE bench_skills (uri TEXT, label TEXT, alt TEXT, description TEXT)")
    con.executemany("INSERT INTO bench_skills VALUES (?,?,?,?)",
                    ([r[c] for c in cols] for r in rows[1:]))
    con.commit()
    elapsed = time.perf_counter() - start
    con.execute("DROP TABLE bench_skills")
    con.commit()
    con.close()
    return elapsed, len(rows) - 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--skills", type=int, default=14_000)
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="bench-esco-")
    db_path = os.path.join(tmp, "bench.sqlite")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}", "SECRET_KEY": "bench",
                      "QUEUE_URL": "memory", "AUTO_RECOMPUTE": False,
                      "IMPORT_MAX_BYTES": 256 * 1024 * 1024, "IMPORT_DIR": tmp})
    from flask_babel import force_locale
    from flask_migrate import upgrade

    from skillmap.models import Skill
    from skillmap.services import esco_import
    from skillmap.services.accounts import get_or_create_organisation
    from skillmap.services.taxonomy import load_taxonomy

    with app.app_context(), force_locale("it"):
        upgrade()
        org = get_or_create_organisation(app.config["ORGANISATION_NAME"])
        load_taxonomy(org)
        shipped = list(db.session.scalars(sa.select(Skill.name_it).where(
            Skill.organisation_id == org.id).order_by(Skill.id)))
        matches = shipped[:min(40, len(shipped))]
        it_file, en_file = make_files(args.skills, matches)
        n = args.skills
        print(f"files: {n:,} skills, Italian {len(it_file) / 1024 / 1024:.1f} MB, English "
              f"{len(en_file) / 1024 / 1024:.1f} MB; {len(shipped)} skills in the taxonomy, "
              f"{len(matches)} matched by name")
        print(f"load average before: {loadavg()}")
        db.session.commit()  # the organisation and taxonomy; no transaction open for the baseline
        base, n_base = baseline(db_path, it_file)
        assert n_base == n
        print(f"{'baseline':<20} csv.reader + executemany of the same {n:,} rows + commit: "
              f"{base:.2f} s ({n / base:,.0f} rows/s)")

        def run(label: str, data: bytes, name: str, language: str, write: bool = True):
            t0 = time.perf_counter()
            table = esco_import.read(data, name)
            t1 = time.perf_counter()
            plan = esco_import.validate(org.id, table, language=language, filename=name)
            t2 = time.perf_counter()
            assert plan.report.ok, plan.report.text()[:2000]
            if write:
                esco_import.apply(plan, actor_id=None)
                db.session.commit()
            else:
                db.session.rollback()
            t3 = time.perf_counter()
            total = t3 - t0
            print(f"{label:<20} read {t1 - t0:5.2f} s  validate {t2 - t1:5.2f} s  "
                  f"write+commit {t3 - t2:5.2f} s  total {total:5.2f} s  "
                  f"{n / total:7,.0f} rows/s  ratio to executemany {total / base:5.1f}x  "
                  f"(new {plan.added}, changed {plan.updated}, unchanged {plan.left})")
            return plan

        count = lambda: db.session.scalar(sa.select(sa.func.count(Skill.id)))  # noqa: E731
        before = count()
        run("dry run (it)", it_file, "skills_it.csv", "it", write=False)
        assert count() == before
        plan = run("import (it)", it_file, "skills_it.csv", "it")
        assert count() == before + plan.added == before + n - len(matches)
        run("import (en)", en_file, "skills_en.csv", "en")
        again = run("same file again (it)", it_file, "skills_it.csv", "it")
        assert again.added == again.updated == 0
        print(f"load average after: {loadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
