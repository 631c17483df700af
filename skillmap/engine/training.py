"""Mandatory training: the status of each person and course, and unit coverage.

The one place where "valid", "expiring", "expired", "missing" and "not required"
are decided. Pure: plain dates and DataFrames in, DataFrames out.

A course completed on day *d* with a validity of *m* months is valid up to and
including :func:`expiry_date` (*d* + *m* months; the 29th of February plus 12
months is the 28th of February). On its expiry day it is still valid but
"expiring"; the day after it is "expired". A course is "expiring" when it ends
within ``window_days`` days (both ends included: exactly 60 days away with the
default window is expiring, 61 is valid).
"""
from __future__ import annotations

import calendar
from datetime import date, timedelta

import pandas as pd

__all__ = [
    "EXPIRED",
    "EXPIRING",
    "MISSING",
    "NOT_REQUIRED",
    "STATUSES",
    "VALID",
    "add_months",
    "coverage",
    "expiry_date",
    "latest_records",
    "required_pairs",
    "status_on",
    "training_status",
]

VALID, EXPIRING, EXPIRED, MISSING, NOT_REQUIRED = (
    "valid", "expiring", "expired", "missing", "not_required")
#: from the most to the least urgent
STATUSES = (EXPIRED, MISSING, EXPIRING, VALID, NOT_REQUIRED)

STATUS_COLUMNS = ["person", "course", "required", "completed_on", "expires_on", "days_left",
                  "status"]


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, clamped to the end of a shorter month.

    >>> add_months(date(2024, 2, 29), 12)
    datetime.date(2025, 2, 28)
    >>> add_months(date(2023, 1, 31), 1)
    datetime.date(2023, 2, 28)
    """
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def expiry_date(completed_on: date, validity_months: int | None) -> date | None:
    """The last valid day of a course done on ``completed_on`` (None: never expires)."""
    if not validity_months:
        return None
    return add_months(completed_on, int(validity_months))


def status_on(expires_on: date | None, today: date, window_days: int = 60, *,
              done: bool = True, required: bool = True) -> str:
    """The status of one course for one person on ``today``.

    >>> status_on(date(2026, 3, 1), date(2026, 3, 1))
    'expiring'
    >>> status_on(date(2026, 2, 28), date(2026, 3, 1))
    'expired'
    >>> status_on(None, date(2026, 3, 1), done=False)
    'missing'
    """
    if not done:
        return MISSING if required else NOT_REQUIRED
    if expires_on is None:
        return VALID
    if expires_on < today:
        return EXPIRED
    if expires_on <= today + timedelta(days=window_days):
        return EXPIRING
    return VALID


def _matches(rule, person) -> bool:
    for key in ("job_title", "work_relationship", "unit"):
        want = rule.get(key)
        if want is not None and not pd.isna(want) and want != person.get(key):
            return False
    role = rule.get("safety_role")
    if role is not None and not pd.isna(role) and role not in person.get("roles", ()):
        return False
    return True


def required_pairs(people: pd.DataFrame, rules: pd.DataFrame) -> set[tuple]:
    """(person, course) pairs some rule asks for.

    ``people``: ``person``, ``job_title``, ``work_relationship``, ``unit`` and ``roles``
    (a set of safety roles); ``rules``: ``course`` and the criteria ``job_title``,
    ``work_relationship``, ``unit``, ``safety_role`` (missing = any). A rule's
    criteria must all match.
    """
    pairs: set[tuple] = set()
    if people.empty or rules.empty:
        return pairs
    plist = people.to_dict("records")
    for rule in rules.to_dict("records"):
        for person in plist:
            if _matches(rule, person):
                pairs.add((person["person"], rule["course"]))
    return pairs


def latest_records(records: pd.DataFrame) -> pd.DataFrame:
    """One record per (person, course): the one done last."""
    if records.empty:
        return pd.DataFrame(columns=["person", "course", "completed_on", "expires_on"])
    ordered = records.sort_values(["person", "course", "completed_on"], kind="stable")
    return ordered.groupby(["person", "course"], as_index=False).last()[
        ["person", "course", "completed_on", "expires_on"]]


def training_status(people: pd.DataFrame, rules: pd.DataFrame, records: pd.DataFrame,
                    today: date, window_days: int = 60) -> pd.DataFrame:
    """Status per person and course: every record's course, and every required course.

    ``records``: ``person``, ``course``, ``completed_on``, ``expires_on`` (None: never
    expires). Returns :data:`STATUS_COLUMNS`, most urgent first; ``days_left`` is
    negative for an expired course and missing when there is no expiry.
    """
    required = required_pairs(people, rules)
    latest = latest_records(records)
    known = set(zip(latest["person"], latest["course"]))
    rows = []
    for rec in latest.to_dict("records"):
        exp = rec["expires_on"]
        exp = None if exp is None or pd.isna(exp) else exp
        pair = (rec["person"], rec["course"])
        rows.append({"person": rec["person"], "course": rec["course"],
                     "required": pair in required, "completed_on": rec["completed_on"],
                     "expires_on": exp, "days_left": (exp - today).days if exp else None,
                     "status": status_on(exp, today, window_days)})
    for person, course in sorted(required - known):
        rows.append({"person": person, "course": course, "required": True,
                     "completed_on": None, "expires_on": None, "days_left": None,
                     "status": MISSING})
    out = pd.DataFrame(rows, columns=STATUS_COLUMNS)
    if out.empty:
        return out
    out["_rank"] = out["status"].map({s: i for i, s in enumerate(STATUSES)})
    out = out.sort_values(["_rank", "days_left", "person", "course"],
                          na_position="last", kind="stable")
    return out.drop(columns="_rank").reset_index(drop=True)


def coverage(people: pd.DataFrame, records: pd.DataFrame, courses: pd.DataFrame,
             minimums: pd.DataFrame, on: date, window_days: int = 60) -> pd.DataFrame:
    """Units against their minimum of valid safety-role holders, on ``on``.

    A holder counts when their latest course for the role is valid on ``on``;
    a unit is flagged when fewer than ``minimum`` stay valid until ``on`` plus
    ``window_days`` (the only first-aider expiring in 20 days flags the unit today).

    ``courses``: ``course``, ``safety_role``; ``minimums``: ``unit``, ``role``,
    ``minimum``; ``people``: ``person``, ``unit``. Returns ``unit``, ``role``,
    ``minimum``, ``valid`` (on ``on``), ``valid_later`` (on ``on`` + window),
    ``holders`` (person ids valid on ``on``), ``flagged``.
    """
    cols = ["unit", "role", "minimum", "valid", "valid_later", "holders", "flagged"]
    if minimums.empty:
        return pd.DataFrame(columns=cols)
    later = on + timedelta(days=window_days)
    role_of = dict(zip(courses["course"], courses["safety_role"]))
    unit_of = dict(zip(people["person"], people["unit"]))
    best: dict[tuple, object] = {}  # (person, role) -> the furthest expiry (date.max: never)
    for rec in latest_records(records).to_dict("records"):
        role = role_of.get(rec["course"])
        if role is None or pd.isna(role) or rec["person"] not in unit_of:
            continue
        if rec["completed_on"] > on:
            continue
        exp = rec["expires_on"]
        exp = date.max if exp is None or pd.isna(exp) else exp
        key = (rec["person"], role)
        best[key] = max(best.get(key, date.min), exp)
    rows = []
    for m in minimums.to_dict("records"):
        holders = sorted(p for (p, role), exp in best.items()
                         if role == m["role"] and unit_of.get(p) == m["unit"] and exp >= on)
        later_n = sum(1 for p in holders if best[(p, m["role"])] >= later)
        rows.append({"unit": m["unit"], "role": m["role"], "minimum": int(m["minimum"]),
                     "valid": len(holders), "valid_later": later_n, "holders": holders,
                     "flagged": later_n < int(m["minimum"])})
    return pd.DataFrame(rows, columns=cols)
