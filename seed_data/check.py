#!/usr/bin/env python3
"""Consistency check for the SkillMap seed data in this folder.

Usage:  python seed_data/check.py        (exit status 0 = OK, 1 = errors)

Stdlib only. See seed_data/README.md for the format being checked.
"""
import csv
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
CODE_RE = re.compile(r"^[A-Z0-9]+(?:[.-][A-Z0-9]+)*$")
ESCO_RE = re.compile(r"^http://data\.europa\.eu/esco/skill/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
DIGCOMP_NUMBERS = ["1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6",
                   "3.1", "3.2", "3.3", "3.4", "4.1", "4.2", "4.3", "4.4",
                   "5.1", "5.2", "5.3", "5.4"]
HEADERS = {
    "skill_areas.csv": ["code", "parent_code", "name_it", "name_en", "description_it", "description_en"],
    "skills.csv": ["code", "area_code", "name_it", "name_en", "description_it", "description_en", "aliases", "esco_uri"],
    "roles.csv": ["job_title_it", "job_title_en", "unit", "weight", "skill_code", "typical_level", "probability"],
    "units.csv": ["name_it", "name_en", "site"],
}
MIN_SKILLS, MIN_TOP_AREAS = 200, 12
ROLE_SKILLS = (6, 15)
ROLE_COUNT = (15, 25)

errors = []
def err(msg):
    errors.append(msg)


def load(name):
    raw = (HERE / name).read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        err(f"{name}: has a UTF-8 BOM")
    text = raw.decode("utf-8")  # raises on invalid UTF-8
    rows = list(csv.reader(text.splitlines()))
    if rows[0] != HEADERS[name]:
        err(f"{name}: header {rows[0]} != {HEADERS[name]}")
    out = []
    for i, r in enumerate(rows[1:], start=2):
        if len(r) != len(HEADERS[name]):
            err(f"{name}:{i}: {len(r)} fields, expected {len(HEADERS[name])}")
            continue
        d = dict(zip(HEADERS[name], r))
        for k, v in d.items():
            if v != v.strip():
                err(f"{name}:{i}: leading/trailing whitespace in {k}")
        d["_line"] = i
        out.append(d)
    return out


areas = load("skill_areas.csv")
skills = load("skills.csv")
roles = load("roles.csv")
units = load("units.csv")

# --- areas
area_by_code = {}
for a in areas:
    c = a["code"]
    if not CODE_RE.match(c):
        err(f"skill_areas.csv:{a['_line']}: bad code {c!r}")
    if c in area_by_code:
        err(f"skill_areas.csv:{a['_line']}: duplicate code {c}")
    area_by_code[c] = a
    for k in ("name_it", "name_en", "description_it", "description_en"):
        if not a[k]:
            err(f"skill_areas.csv:{a['_line']}: empty {k}")
for a in areas:
    p = a["parent_code"]
    if p and p not in area_by_code:
        err(f"skill_areas.csv:{a['_line']}: parent_code {p} does not resolve")
    seen, cur = set(), a["code"]
    while cur and cur in area_by_code:          # cycle check
        if cur in seen:
            err(f"skill_areas.csv: cycle through {a['code']}")
            break
        seen.add(cur)
        cur = area_by_code[cur]["parent_code"]
top = [a["code"] for a in areas if not a["parent_code"]]
if len(top) < MIN_TOP_AREAS:
    err(f"only {len(top)} top-level areas (< {MIN_TOP_AREAS})")
for n in "12345":
    sub = area_by_code.get(f"DIGCOMP-{n}")
    if not sub or sub["parent_code"] != "DIGCOMP":
        err(f"DigComp area DIGCOMP-{n} missing or not under DIGCOMP")
    elif not (sub["name_it"].startswith(f"{n}. ") and sub["name_en"].startswith(f"{n}. ")):
        err(f"DIGCOMP-{n}: names must start with the official number '{n}. '")

# --- skills
skill_by_code = {}
for s in skills:
    c, ln = s["code"], s["_line"]
    if not CODE_RE.match(c):
        err(f"skills.csv:{ln}: bad code {c!r}")
    if c in skill_by_code:
        err(f"skills.csv:{ln}: duplicate code {c}")
    if c in area_by_code:
        err(f"skills.csv:{ln}: code {c} collides with an area code")
    skill_by_code[c] = s
    if s["area_code"] not in area_by_code:
        err(f"skills.csv:{ln}: area_code {s['area_code']} does not resolve")
    for k in ("name_it", "name_en", "description_it", "description_en"):
        if not s[k]:
            err(f"skills.csv:{ln}: empty {k}")
    if s["aliases"]:
        parts = s["aliases"].split("|")
        if any(not p or p != p.strip() for p in parts):
            err(f"skills.csv:{ln}: empty or padded alias in {s['aliases']!r}")
        if len(set(p.lower() for p in parts)) != len(parts):
            err(f"skills.csv:{ln}: repeated alias in {s['aliases']!r}")
    if s["esco_uri"] and not ESCO_RE.match(s["esco_uri"]):
        err(f"skills.csv:{ln}: malformed esco_uri {s['esco_uri']!r}")
# Every name and alias (case-insensitive) must point to exactly one skill, and an
# alias must not merely repeat the skill's own name: the app uses them for lookup.
owner = {}
for s in skills:
    own = {s["name_it"].lower(), s["name_en"].lower()}
    labels = [(s["name_it"], "name_it"), (s["name_en"], "name_en")]
    for a in filter(None, s["aliases"].split("|")):
        if a.lower() in own:
            err(f"skills.csv:{s['_line']}: alias {a!r} repeats the skill's own name")
        labels.append((a, "alias"))
    for label, kind in labels:
        key = label.lower()
        if key in owner and owner[key] != s["code"]:
            err(f"skills.csv:{s['_line']}: {kind} {label!r} also used by {owner[key]}")
        owner.setdefault(key, s["code"])
if len(skills) < MIN_SKILLS:
    err(f"only {len(skills)} skills (< {MIN_SKILLS})")
for num in DIGCOMP_NUMBERS:
    s = skill_by_code.get(f"DIGCOMP-{num}")
    if not s:
        err(f"DigComp competence {num} missing")
        continue
    if s["area_code"] != f"DIGCOMP-{num[0]}":
        err(f"DIGCOMP-{num}: area_code should be DIGCOMP-{num[0]}")
    if not (s["name_it"].startswith(num + " ") and s["name_en"].startswith(num + " ")):
        err(f"DIGCOMP-{num}: names must start with '{num} '")
extra_dc = [c for c in skill_by_code if c.startswith("DIGCOMP-") and c[8:] not in DIGCOMP_NUMBERS]
if extra_dc:
    err(f"unexpected DigComp codes: {extra_dc}")

# every area has at least one skill in its subtree
children = defaultdict(list)
for a in areas:
    children[a["parent_code"]].append(a["code"])
direct = Counter(s["area_code"] for s in skills)
def subtree_count(c):
    return direct[c] + sum(subtree_count(ch) for ch in children[c])
for c in area_by_code:
    if subtree_count(c) == 0:
        err(f"area {c} has no skills")

# --- units
unit_names = {}
for u in units:
    if u["name_it"] in unit_names:
        err(f"units.csv:{u['_line']}: duplicate unit {u['name_it']}")
    unit_names[u["name_it"]] = u
    for k in ("name_it", "name_en", "site"):
        if not u[k]:
            err(f"units.csv:{u['_line']}: empty {k}")

# --- roles
by_role = defaultdict(list)
for r in roles:
    ln = r["_line"]
    if not r["job_title_it"] or not r["job_title_en"]:
        err(f"roles.csv:{ln}: empty job title")
    if r["unit"] not in unit_names:
        err(f"roles.csv:{ln}: unit {r['unit']!r} not in units.csv")
    if r["skill_code"] not in skill_by_code:
        err(f"roles.csv:{ln}: skill_code {r['skill_code']} does not resolve")
    try:
        lvl = int(r["typical_level"])
        if not 1 <= lvl <= 5:
            raise ValueError
    except ValueError:
        err(f"roles.csv:{ln}: typical_level {r['typical_level']!r} not an integer 1-5")
    try:
        p = float(r["probability"])
        if not 0 <= p <= 1:
            raise ValueError
    except ValueError:
        err(f"roles.csv:{ln}: probability {r['probability']!r} not in [0, 1]")
    try:
        if float(r["weight"]) <= 0:
            raise ValueError
    except ValueError:
        err(f"roles.csv:{ln}: weight {r['weight']!r} not a positive number")
    by_role[r["job_title_it"]].append(r)
for title, rs in by_role.items():
    for k in ("job_title_en", "unit", "weight"):
        if len({r[k] for r in rs}) != 1:
            err(f"roles.csv: role {title!r} has inconsistent {k}")
    codes = [r["skill_code"] for r in rs]
    if len(codes) != len(set(codes)):
        err(f"roles.csv: role {title!r} lists a skill twice")
    if not ROLE_SKILLS[0] <= len(codes) <= ROLE_SKILLS[1]:
        err(f"roles.csv: role {title!r} has {len(codes)} skills (allowed {ROLE_SKILLS})")
    lines = [r["_line"] for r in rs]
    if lines != list(range(min(lines), max(lines) + 1)):
        err(f"roles.csv: rows of role {title!r} are not contiguous")
if not ROLE_COUNT[0] <= len(by_role) <= ROLE_COUNT[1]:
    err(f"{len(by_role)} roles (allowed {ROLE_COUNT})")
unused_units = set(unit_names) - {r["unit"] for r in roles}
if unused_units:
    err(f"units.csv: units not used by any role: {sorted(unused_units)}")

# --- report
def top_of(c):
    while area_by_code[c]["parent_code"]:
        c = area_by_code[c]["parent_code"]
    return c
per_top = Counter(top_of(s["area_code"]) for s in skills if s["area_code"] in area_by_code)
print(f"areas: {len(areas)} ({len(top)} top-level)  skills: {len(skills)}  "
      f"units: {len(units)}  roles: {len(by_role)} ({len(roles)} rows)")
print("skills per top-level area: " + ", ".join(f"{c}={per_top[c]}" for c in top))
print(f"esco_uri filled: {sum(1 for s in skills if s['esco_uri'])}")
if errors:
    print(f"\n{len(errors)} error(s):")
    for e in errors:
        print("  -", e)
    sys.exit(1)
print("OK")
